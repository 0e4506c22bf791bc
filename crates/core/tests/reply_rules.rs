//! One case per quotation rule of reply extraction, in each supported language, written
//! from how the clients format replies: attribution lines (single, wrapped, glued to the
//! reply), Outlook blocks and separators, `>` quoting, and prose that must not be cut.

use postroom_core::reply::{Extraction, QuoteRule, ReplyInput, extract};

fn run(text: &str) -> Extraction {
    extract(&ReplyInput {
        text,
        ..ReplyInput::default()
    })
}

fn visible(text: &str) -> String {
    run(text).visible_text
}

/// Attribution lines as Gmail, Apple Mail, Thunderbird and Outlook write them.
const HEADERS: &[(&str, &str)] = &[
    (
        "en gmail",
        "On Tue, Apr 11, 2017 at 10:07 PM John Smith <john@example.com> wrote:",
    ),
    (
        "en apple",
        "On Apr 11, 2017, at 22:07, John Smith <john@example.com> wrote:",
    ),
    ("en thunderbird", "On 11/04/2017 22:07, John Smith wrote:"),
    (
        "de gmail",
        "Am Di., 11. Apr. 2017 um 22:07 Uhr schrieb John Smith <john@example.com>:",
    ),
    (
        "de apple",
        "Am 11.04.2017 um 22:07 schrieb John Smith <john@example.com>:",
    ),
    ("de thunderbird", "Am 11.04.17 um 22:07 schrieb John Smith:"),
    (
        "fr gmail",
        "Le mar. 11 avr. 2017 à 22:07, John Smith <john@example.com> a écrit :",
    ),
    (
        "fr thunderbird",
        "Le 11/04/2017 à 22:07, John Smith a écrit :",
    ),
    (
        "es gmail",
        "El mar., 11 abr. 2017 a las 22:07, John Smith (<john@example.com>) escribió:",
    ),
    (
        "es apple",
        "El 11 abr 2017, a las 22:07, John Smith <john@example.com> escribió:",
    ),
    (
        "it gmail",
        "Il giorno mar 11 apr 2017 alle ore 22:07 John Smith <john@example.com> ha scritto:",
    ),
    (
        "it thunderbird",
        "Il 11/04/2017 22:07, John Smith ha scritto:",
    ),
    (
        "pt gmail",
        "Em ter., 11 de abr. de 2017 às 22:07, John Smith <john@example.com> escreveu:",
    ),
    (
        "pt apple",
        "Em 11 de abr de 2017, às 22:07, John Smith <john@example.com> escreveu:",
    ),
    (
        "nl gmail",
        "Op di 11 apr. 2017 om 22:07 schreef John Smith <john@example.com>:",
    ),
    (
        "nl apple",
        "Op 11 apr. 2017, om 22:07 heeft John Smith <john@example.com> het volgende geschreven:",
    ),
    (
        "pl gmail",
        "wt., 11 kwi 2017 o 22:07 John Smith <john@example.com> napisał(a):",
    ),
    (
        "pl thunderbird",
        "W dniu 11.04.2017 o 22:07, John Smith pisze:",
    ),
    (
        "sv gmail",
        "Den tis 11 apr. 2017 kl 22:07 skrev John Smith <john@example.com>:",
    ),
    (
        "sv apple",
        "11 apr. 2017 kl. 22:07 skrev John Smith <john@example.com>:",
    ),
    (
        "da gmail",
        "Den tir. 11. apr. 2017 kl. 22.07 skrev John Smith <john@example.com>:",
    ),
    (
        "no gmail",
        "tir. 11. apr. 2017 kl. 22:07 skrev John Smith <john@example.com>:",
    ),
    (
        "fi gmail",
        "ti 11. huhtik. 2017 klo 22.07 John Smith (john@example.com) kirjoitti:",
    ),
    (
        "fi thunderbird",
        "John Smith kirjoitti 11.4.2017 klo 22.07:",
    ),
    (
        "cs gmail",
        "út 11. 4. 2017 v 22:07 odesílatel John Smith <john@example.com> napsal:",
    ),
    (
        "cs thunderbird",
        "Dne 11.04.2017 v 22:07 John Smith napsal(a):",
    ),
    (
        "ru gmail",
        "вт, 11 апр. 2017 г. в 22:07, John Smith <john@example.com>:",
    ),
    ("ru thunderbird", "11.04.2017 22:07, John Smith пишет:"),
    (
        "uk gmail",
        "вт, 11 квіт. 2017 о 22:07 John Smith <john@example.com> пише:",
    ),
    ("uk thunderbird", "11.04.2017 22:07, John Smith написав:"),
    (
        "tr gmail",
        "John Smith <john@example.com>, 11 Nis 2017 Sal, 22:07 tarihinde şunu yazdı:",
    ),
    (
        "ja gmail",
        "2017年4月11日(火) 22:07 John Smith <john@example.com>:",
    ),
    (
        "ja apple",
        "2017/04/11 22:07、John Smith <john@example.com>のメール:",
    ),
    (
        "zh gmail",
        "John Smith <john@example.com> 于2017年4月11日周二 22:07写道：",
    ),
    (
        "zh apple",
        "在 2017年4月11日，下午10:07，John Smith <john@example.com> 写道：",
    ),
    (
        "ko gmail",
        "2017년 4월 11일 (화) 오후 10:07, John Smith <john@example.com>님이 작성:",
    ),
    (
        "ko apple",
        "2017. 4. 11. 오후 10:07, John Smith <john@example.com> 작성:",
    ),
    (
        "ru mail.ru",
        "Вторник, 11 апреля 2017, 22:07 +03:00 от John Smith <john@example.com>:",
    ),
    (
        "ru yandex",
        "11.04.2017, 22:07, \"John Smith\" <john@example.com>:",
    ),
    (
        "en lotus notes",
        "John Smith <john@example.com> wrote on 11/04/2017 22:07:00:",
    ),
    (
        "en yahoo",
        "On Tuesday, April 11, 2017, 10:07:23 PM GMT+2, John Smith <john@example.com> wrote:",
    ),
    ("android", "---- John Smith wrote ----"),
    (
        "samsung",
        "Sent from Samsung Mobile John Smith <john@example.com> wrote:",
    ),
];

#[test]
fn attribution_above_a_quote_is_cut_in_every_language() {
    for (client, header) in HEADERS {
        let text = format!("Thanks, that works.\n\n{header}\n\n> Can you check?\n> John\n");
        let got = run(&text);
        assert_eq!(got.visible_text, "Thanks, that works.", "{client}");
        assert_eq!(got.quote_found_by, Some(QuoteRule::QuoteHeader), "{client}");
    }
}

#[test]
fn attribution_above_unquoted_history_cuts_to_the_end() {
    for (client, header) in HEADERS {
        let text = format!("Done.\n\n{header}\n\nCan you check?\n\nJohn\n");
        assert_eq!(visible(&text), "Done.", "{client}");
    }
}

#[test]
fn attribution_wrapped_over_two_and_three_lines() {
    let cases = [
        "On Tue, Apr 11, 2017 at 10:07 PM John Smith <\njohn@example.com> wrote:",
        "On Tue, Apr 11, 2017 at 10:07 PM Johnathan Smithsonian-Whitfield\n<john@example.com> wrote:",
        "On Apr 11, 2017, at 10:07 PM, Johnathan Smithsonian <\njohn.smithsonian@example.com>\nwrote:",
        "Am Di., 11. Apr. 2017 um 22:07 Uhr schrieb John Smith <\njohn@example.com>:",
        "Le mar. 11 avr. 2017 à 22:07, John Smith <john@example.com>\na écrit :",
        "El mar., 11 abr. 2017 a las 22:07, John Smith (<\njohn@example.com>) escribió:",
        "W dniu 11 kwietnia 2017 22:07 użytkownik John Smith <john@example.com>\nnapisał:",
        "2017年4月11日(火) 22:07 John Smith <\njohn@example.com>:",
        "On Tue, Apr 11, 2017 at 10:07 PM John Smith\n\n<\nmailto:john@example.com\n> wrote:",
    ];
    for header in cases {
        let text = format!("Yes, go ahead.\n\n{header}\n\n> Shall we?\n");
        assert_eq!(visible(&text), "Yes, go ahead.", "{header:?}");
    }
}

#[test]
fn attribution_glued_to_the_last_words_of_the_reply() {
    let cases = [
        (
            "Sounds good. On Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:",
            "Sounds good.",
        ),
        (
            "Sounds good.--- On Tue, Apr 11, 2017 at 10:07 PM, john@example.com wrote:",
            "Sounds good.",
        ),
        (
            "Merci. Le mar. 11 avr. 2017 à 22:07, John <john@example.com> a écrit :",
            "Merci.",
        ),
        (
            "Danke! Am 11.04.2017 um 22:07 schrieb John <john@example.com>:",
            "Danke!",
        ),
    ];
    for (line, reply) in cases {
        assert_eq!(visible(&format!("{line}\n> old text\n")), reply, "{line}");
    }
}

#[test]
fn prose_that_mentions_writing_is_not_an_attribution() {
    for text in [
        "On Monday John wrote:\nthe plan is fine",
        "Here is what the customer wrote:\nit crashes on start",
        "On the other hand\nwe could wait",
    ] {
        assert_eq!(visible(text), text);
    }
}

/// Outlook's header block as each language's Outlook writes it.
const OUTLOOK_BLOCKS: &[(&str, [&str; 4])] = &[
    ("en", ["From", "Sent", "To", "Subject"]),
    ("de", ["Von", "Gesendet", "An", "Betreff"]),
    ("fr", ["De ", "Envoyé ", "À ", "Objet "]),
    ("es", ["De", "Enviado el", "Para", "Asunto"]),
    ("it", ["Da", "Inviato", "A", "Oggetto"]),
    ("pt", ["De", "Enviada em", "Para", "Assunto"]),
    ("nl", ["Van", "Verzonden", "Aan", "Onderwerp"]),
    ("pl", ["Od", "Wysłano", "Do", "Temat"]),
    ("sv", ["Från", "Skickat", "Till", "Ämne"]),
    ("da", ["Fra", "Sendt", "Til", "Emne"]),
    ("no", ["Fra", "Sendt", "Til", "Emne"]),
    ("fi", ["Lähettäjä", "Lähetetty", "Vastaanottaja", "Aihe"]),
    ("cs", ["Od", "Odesláno", "Komu", "Předmět"]),
    ("ru", ["От", "Отправлено", "Кому", "Тема"]),
    ("uk", ["Від", "Надіслано", "Кому", "Тема"]),
    ("tr", ["Kimden", "Gönderildi", "Kime", "Konu"]),
    ("ja", ["差出人", "送信日時", "宛先", "件名"]),
    ("zh", ["发件人", "发送时间", "收件人", "主题"]),
    ("ko", ["보낸 사람", "보낸 날짜", "받는 사람", "제목"]),
    ("hu", ["Feladó", "Elküldve", "Címzett", "Tárgy"]),
    ("ro", ["De la", "Trimis", "Către", "Subiect"]),
    ("sk", ["Od", "Odoslané", "Komu", "Predmet"]),
    ("sl", ["Od", "Poslano", "Za", "Zadeva"]),
    ("bg", ["От", "Изпратено", "До", "Относно"]),
    ("el", ["Από", "Στάλθηκε", "Προς", "Θέμα"]),
    ("et", ["Saatja", "Saadetud", "Adressaat", "Teema"]),
];

#[test]
fn outlook_header_block_is_cut_in_every_language() {
    for (lang, [from, sent, to, subject]) in OUTLOOK_BLOCKS {
        let text = format!(
            "Please see my answer.\n\n{from}: Support <support@example.com>\n{sent}: 11.04.2017 22:07\n\
             {to}: Jan Kowalski\n{subject}: RE: Order 1234\n\nOld message\n"
        );
        let got = run(&text);
        assert_eq!(got.visible_text, "Please see my answer.", "{lang}");
        assert_eq!(
            got.quote_found_by,
            Some(QuoteRule::OutlookHeaderBlock),
            "{lang}"
        );
    }
}

#[test]
fn outlook_block_in_bold_with_a_wrapped_address() {
    let text = "Hi\n\n*From:* Support [mailto:\nsupport@example.com]\n*Sent:* Tuesday, April 11, 2017 10:07 PM\n*To:* Jan\n*Subject:* Order\n\nOld";
    assert_eq!(visible(text), "Hi");
}

#[test]
fn underscore_rule_above_the_block_goes_with_it() {
    let text = "Fixed now.\n\n________________________________\nFrom: Support <support@example.com>\nSent: Tuesday, April 11, 2017 10:07 PM\nTo: Jan\nSubject: Order\n\nOld";
    assert_eq!(visible(text), "Fixed now.");
}

#[test]
fn field_like_lines_without_a_message_header_are_kept() {
    for text in [
        "Schedule:\nFrom: Monday\nTo: Friday",
        "Q: does it work?\nA: yes",
        "Subject: the login page\nIt fails",
    ] {
        assert_eq!(visible(text), text);
    }
}

#[test]
fn original_message_separator_in_every_language() {
    for separator in [
        "-----Original Message-----",
        "----- Original Message -----",
        "-----Ursprüngliche Nachricht-----",
        "-------- Message d'origine --------",
        "-----Mensaje original-----",
        "-----Messaggio originale-----",
        "-----Mensagem original-----",
        "-----Oorspronkelijk bericht-----",
        "-----Wiadomość oryginalna-----",
        "-----Ursprungligt meddelande-----",
        "-----Oprindelig meddelelse-----",
        "-----Opprinnelig melding-----",
        "-----Alkuperäinen viesti-----",
        "-----Původní zpráva-----",
        "-----Исходное сообщение-----",
        "-----Оригінальне повідомлення-----",
        "-----Orijinal Mesaj-----",
        "-----元のメッセージ-----",
        "------------------ 原始邮件 ------------------",
        "-----원본 메시지-----",
        "-----Eredeti üzenet-----",
        "-----Mesaj original-----",
        "-----Izvorna poruka-----",
        "-----Pôvodná správa-----",
        "-----Оригинално съобщение-----",
        "-----Αρχικό μήνυμα-----",
    ] {
        let got = run(&format!("Answer here.\n\n{separator}\nold text\n"));
        assert_eq!(got.visible_text, "Answer here.", "{separator}");
        assert_eq!(
            got.quote_found_by,
            Some(QuoteRule::OriginalMessageSeparator),
            "{separator}"
        );
    }
}

#[test]
fn interleaved_reply_keeps_answers_and_drops_quotes() {
    let text = "Hi Ann,\n\n> Can you ship on Monday?\n\nYes.\n\n> And the invoice?\n> It is missing.\n\nAttached.\n";
    let got = run(text);
    assert_eq!(got.visible_text, "Hi Ann,\n\nYes.\n\nAttached.");
    assert_eq!(got.quote_found_by, Some(QuoteRule::QuoteMarkers));
}

#[test]
fn bottom_posted_reply_after_the_quote_is_kept() {
    let text = "On 11/04/2017 22:07, John Smith wrote:\n> Shall we?\n>\nYes, let's.\n";
    assert_eq!(visible(text), "Yes, let's.");
}

#[test]
fn arrows_around_a_link_are_not_quotes() {
    let text = "Visit\n>>> https://example.com <<<\nnow";
    assert_eq!(visible(text), text);
}

#[test]
fn a_sentence_with_a_year_and_a_verb_is_not_an_attribution() {
    let text = "Some context first.\nI think in May 2017 we wrote to them:\nplease pay";
    assert_eq!(visible(text), text);
}

#[test]
fn an_address_before_a_colon_in_prose_is_not_an_attribution() {
    let text = "Please send the invoice to <billing@example.com>:\n- order 1234\n- order 1235";
    assert_eq!(visible(text), text);
}

#[test]
fn samsung_and_mobile_separators_with_dashes() {
    for text in [
        "Ok\n\n-------- Original message --------\nFrom: John <john@example.com>\nDate: 11/04/2017 22:07 (GMT+01:00)\nTo: Jan\nSubject: Order\n\nold",
        "Ok\n\n-------- Ursprüngliche Nachricht --------\nVon: John <john@example.com>\nDatum: 11.04.2017 22:07 (GMT+01:00)\nAn: Jan\nBetreff: Order\n\nalt",
        "Ok\n\n-----\nOn Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:\nold",
        "Ok\n\n______________________________\nOn Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:\nold",
    ] {
        assert_eq!(visible(text), "Ok", "{text}");
    }
}

#[test]
fn equals_and_dash_separators_above_a_header_block() {
    for rule in ["==========", "----------", "──────────"] {
        let text = format!(
            "Fixed now.\n\n{rule}\nFrom: Support <support@example.com>\nDate: 11.04.2017 22:07\nSubject: Order\n\nOld"
        );
        assert_eq!(visible(&text), "Fixed now.", "{rule}");
    }
}

#[test]
fn a_quoted_forward_marker_keeps_the_forward_whole() {
    let text = "Hello world.\n\n> Begin forwarded message:\n>\n> From: Someone <someone@example.com>\n> Subject: The email\n>\n> Some quoted text.";
    let got = run(text);
    assert!(got.is_forward);
    assert_eq!(got.visible_text, text);
}

#[test]
fn a_mailing_list_footer_is_removed() {
    let text = "Works for me.\n\n_______________________________________________\nusers mailing list\nusers@lists.example.org\nhttps://lists.example.org/mailman/listinfo/users";
    assert_eq!(visible(text), "Works for me.");
}
