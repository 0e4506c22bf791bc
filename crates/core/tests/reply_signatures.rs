//! Signatures, forwards and edge cases of reply extraction: taglines in each supported
//! language, delimiters, sign-offs with the sender's name, forwards kept whole, and the
//! texts that must never be cut (code, dash lists, a message that is only a signature).

use postroom_core::reply::{Extraction, ReplyInput, SignatureRule, extract};

fn run(text: &str) -> Extraction {
    extract(&ReplyInput {
        text,
        ..ReplyInput::default()
    })
}

fn visible(text: &str) -> String {
    run(text).visible_text
}

fn visible_from(text: &str, sender: &str) -> String {
    extract(&ReplyInput {
        text,
        sender_name: Some(sender),
        ..ReplyInput::default()
    })
    .visible_text
}

#[test]
fn client_taglines_are_signatures_in_every_language() {
    for tagline in [
        "Sent from my iPhone",
        "Sent from my iPad",
        "Sent from my Samsung Galaxy smartphone.",
        "Sent from my Android device",
        "Sent from Outlook for iOS",
        "Sent from Mail for Windows",
        "Get Outlook for iOS",
        "Get Outlook for Android<https://aka.ms/ghei36>",
        "Von meinem iPhone gesendet",
        "Gesendet von Mail für Windows",
        "Envoyé de mon iPhone",
        "Enviado desde mi iPhone",
        "Inviato da iPhone",
        "Enviado do meu iPhone",
        "Verzonden vanaf mijn iPhone",
        "Wysłane z iPhone'a",
        "Skickat från min iPhone",
        "Sendt fra min iPhone",
        "Lähetetty iPhonesta",
        "Odesláno z iPhonu",
        "Отправлено с iPhone",
        "Надіслано з iPhone",
        "iPhone'umdan gönderildi",
        "iPhoneから送信",
        "发自我的iPhone",
        "iPhone에서 보냄",
    ] {
        let got = run(&format!("Works now, thanks.\n\n{tagline}\n"));
        assert_eq!(got.visible_text, "Works now, thanks.", "{tagline}");
        assert_eq!(
            got.signature_removed,
            Some(SignatureRule::ClientTagline),
            "{tagline}"
        );
    }
}

#[test]
fn delimiter_signature_with_and_without_trailing_space() {
    for delimiter in ["-- ", "--"] {
        let text = format!("See you then.\n{delimiter}\nJane Roe\nAcme Ltd\n+44 20 7946 0000\n");
        let got = run(&text);
        assert_eq!(got.visible_text, "See you then.", "{delimiter:?}");
        assert_eq!(got.signature_removed, Some(SignatureRule::Delimiter));
    }
}

#[test]
fn closing_and_name_stay_and_the_card_below_them_goes() {
    let text = "The export fails since Monday.\n\nBest regards,\nJane Roe\nAcme Ltd";
    let got = extract(&ReplyInput {
        text,
        sender_name: Some("Jane Roe"),
        ..ReplyInput::default()
    });
    assert_eq!(
        got.visible_text,
        "The export fails since Monday.\n\nBest regards,\nJane Roe"
    );
    assert_eq!(got.signature_removed, Some(SignatureRule::ContactCard));
    let card = "Works now.\n\nThanks,\nAlex\nSenior Engineer | Acme Inc.\n+1 555 123 4567\nwww.acme.example";
    assert_eq!(
        visible_from(card, "Someone Else"),
        "Works now.\n\nThanks,\nAlex",
        "a capitalised name right below a closing is the writer's name"
    );
}

#[test]
fn closing_and_name_with_nothing_below_are_kept() {
    let german = "Der Export schlägt fehl.\n\nViele Grüße\nJan";
    assert_eq!(visible_from(german, "Jan Kowalski"), german);
    let english = "See attached.\n\nThanks,\nAlex";
    assert_eq!(visible(english), english);
}

#[test]
fn a_postscript_below_the_name_is_the_writers_text() {
    let text = "Done.\n\nThanks,\nAlex\nP.S. The Friday export failed too.";
    assert_eq!(visible_from(text, "Alex Smith"), text);
}

#[test]
fn tagline_below_closing_and_name_goes_and_they_stay() {
    let text = "On my way.\n\nCheers,\nMaria\n\nSent from my iPhone";
    assert_eq!(visible(text), "On my way.\n\nCheers,\nMaria");
}

#[test]
fn double_dash_lines_in_code_and_lists_are_kept() {
    let sql = "My query:\n--\nSELECT id FROM orders;\n";
    assert_eq!(visible(sql), sql.trim_end());
    let fenced = "Run this:\n```\n--\nmake test\n```\n";
    assert_eq!(visible(fenced), fenced.trim_end());
    let list = "Steps:\n-- open the app\n-- click export";
    assert_eq!(visible(list), list);
}

#[test]
fn a_message_that_is_only_a_signature_line_is_kept() {
    assert_eq!(visible("Sent from my iPhone"), "Sent from my iPhone");
    assert_eq!(visible_from("Jane Roe", "Jane Roe"), "Jane Roe");
    assert_eq!(visible("--\nJane"), "--\nJane");
}

#[test]
fn forwards_keep_the_forwarded_message_below_the_note() {
    for marker in [
        "---------- Forwarded message ---------",
        "-------- Forwarded Message --------",
        "---------- Weitergeleitete Nachricht ----------",
        "Begin forwarded message:",
        "Début du message réexpédié :",
    ] {
        let text = format!(
            "FYI, see below.\n\n{marker}\nFrom: Ann <ann@example.com>\nDate: Tue, 11 Apr 2017\nSubject: Outage\n\nThe site is down.\n> quoted inside\n"
        );
        let got = run(&text);
        assert!(got.is_forward, "{marker}");
        assert_eq!(got.visible_text, text.trim_end(), "{marker}");
    }
}

#[test]
fn outlook_forward_is_a_forward_unless_the_subject_says_reply() {
    let text = "Please handle.\n\nFrom: Ann <ann@example.com>\nSent: Tuesday, April 11, 2017 10:07 PM\nTo: Bob\nSubject: FW: Outage\n\nThe site is down.";
    let forward = extract(&ReplyInput {
        text,
        subject: Some("FW: Outage"),
        ..ReplyInput::default()
    });
    assert!(forward.is_forward);
    assert_eq!(forward.visible_text, text);
    let reply = extract(&ReplyInput {
        text,
        subject: Some("RE: FW: Outage"),
        ..ReplyInput::default()
    });
    assert!(!reply.is_forward);
    assert_eq!(reply.visible_text, "Please handle.");
}

#[test]
fn everything_quoted_keeps_the_whole_text() {
    let text = "> only a quote\n> nothing new";
    let got = run(text);
    assert_eq!(got.visible_text, text);
    assert_eq!(got.quote_found_by, None);
}

#[test]
fn empty_input_gives_empty_output() {
    let got = run("");
    assert_eq!(got.visible_text, "");
    assert_eq!(got.quote_found_by, None);
    assert_eq!(got.signature_removed, None);
}

#[test]
fn crlf_line_ends_are_read_like_lf() {
    let text = "Ok\r\n\r\nOn 11/04/2017 22:07, John Smith wrote:\r\n> old\r\n";
    assert_eq!(visible(text), "Ok");
}

#[test]
fn huge_reply_with_the_header_at_the_very_bottom_is_kept_and_capped() {
    let line = "The quick brown fox jumps over the lazy dog, again and again.\n";
    let mut text = line.repeat(5 * 1024 * 1024 / line.len());
    text.push_str("On Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:\n> old\n");
    let got = run(&text);
    assert!(got.visible_text.starts_with("The quick brown fox"));
    assert!(got.visible_text.len() > 5_000_000);
    assert!(
        got.notes
            .iter()
            .any(|n| matches!(n, postroom_core::reply::Note::InspectionCapped { .. }))
    );
}

#[test]
fn sentences_that_start_like_a_tagline_are_kept() {
    for text in [
        "The parts are ready.\nSent on Monday as promised.",
        "Hi,\nSent from my office computer because the laptop broke; the invoice is attached and due Friday.",
    ] {
        assert_eq!(visible(text), text);
    }
}

#[test]
fn the_forwarders_note_is_available_apart() {
    let text = "FYI, can you look?\n\n---------- Forwarded message ---------\nFrom: Ann <ann@example.com>\nDate: Tue, 11 Apr 2017\n\nThe site is down.";
    let got = run(text);
    assert_eq!(got.forward_note.as_deref(), Some("FYI, can you look?"));
    let bare = run(
        "---------- Forwarded message ---------\nFrom: Ann <ann@example.com>\nDate: Tue, 11 Apr 2017\n\nDown.",
    );
    assert_eq!(bare.forward_note.as_deref(), Some(""));
    assert_eq!(run("Just a reply").forward_note, None);
}

#[test]
fn business_card_line_that_starts_with_the_sender_name() {
    let text =
        "Fixed.\n\nJohn Smith | Support Engineer\nAcme Inc. | +1 555 123 4567\nwww.acme.example";
    assert_eq!(
        visible_from(text, "John Smith"),
        "Fixed.\n\nJohn Smith | Support Engineer"
    );
    let mentioned = "Fixed.\n\nPlease thank John Smith | he found it\nok";
    assert_eq!(visible_from(mentioned, "John Smith"), mentioned);
}
