//! Outlook-style quotations: a block of header fields (`From:`/`Sent:`/`To:`/`Subject:` and
//! their translations), the `-----Original Message-----` separator family, and the
//! underscore or dash rule that Outlook and mobile clients draw above such a block.
//!
//! A block counts only with two different fields, one of them the sender or the date, and
//! with an address or a number among them (or three fields): a customer who writes
//! "From: Monday / To: Friday" keeps their text.

use std::sync::LazyLock;

use regex::Regex;

use super::pattern;
use super::quote_header;
use super::quoted::{is_blank, skip_blank};

/// `-----Original Message-----` and its translations (Outlook, AOL, Yahoo, QQ Mail ...).
static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r"(?i)^\s*-{2,}\s*(?:original\s+message|ursprüngliche\s+nachricht|originalnachricht|",
        r"message\s+d'origine|mensaje\s+original|messaggio\s+originale|mensagem\s+original|",
        r"oorspronkelijk\s+bericht|origineel\s+bericht|wiadomość\s+oryginalna|oryginalna\s+wiadomość|",
        r"ursprungligt\s+meddelande|oprindelig\s+meddelelse|opprinnelig\s+melding|",
        r"alkuperäinen\s+viesti|původní\s+zpráva|исходное\s+сообщение|оригинальное\s+сообщение|",
        r"вихідне\s+повідомлення|оригінальне\s+повідомлення|orijinal\s+mesaj|özgün\s+[iİ]leti|",
        r"元のメッセージ|原始邮件|原始郵件|원본\s+메시지|reply\s+message|tin\s+nhắn\s+gốc|",
        r"eredeti\s+üzenet|mesaj(?:ul)?\s+original|izvorna\s+poruka|originalna\s+poruka|",
        r"pôvodná\s+správa|izvirno\s+sporočilo|оригинално\s+съобщение|algne\s+sõnum|",
        r"sākotnējā\s+ziņa|originalus\s+laiškas|αρχικό\s+μήνυμα|upprunaleg\s+skilaboð|",
        r"original\s+meddelande|alkuperäinen\s+viesti|原邮件|原始信件)",
        r"\s*-{2,}\s*$",
    ))
});

/// Subject prefixes that mark a forward, in the languages of the field names above.
static FORWARD_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    pattern(
        r"(?i)^\s*(?:fwd?|wg|tr|rv|enc|i|vb|vl|doorst|pd|przek|ilt|転送|转发|轉寄|전달)\s*[:：]",
    )
});

/// True when a subject (the quoted one, or the message's own) carries a forward prefix.
pub(super) fn is_forward_subject(subject: &str) -> bool {
    FORWARD_SUBJECT.is_match(subject)
}

/// Longest field name with its bold markers and indentation ("*Gönderilme Tarihi:*").
const MAX_FIELD_NAME_BYTES: usize = 48;
/// Field lines a wrapped value may spill onto before the next field.
const MAX_CONTINUATION_LINES: usize = 2;
/// Fields (with continuations) read before giving up on a block.
const MAX_BLOCK_LINES: usize = 12;

/// What started the quotation, for the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    HeaderBlock,
    OriginalMessage,
}

/// An Outlook-style quotation starting on the line it was looked for on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BlockMatch {
    pub kind: Kind,
    /// Last line of the separator or header block.
    pub end_line: usize,
    /// The quoted header's subject says the quoted message was forwarded.
    pub forwarded_subject: bool,
}

/// The Outlook-style quotation that starts on line `i`, if any (`ends` as for
/// [`quote_header::at`]).
pub(super) fn at(lines: &[&str], ends: &[bool], i: usize) -> Option<BlockMatch> {
    let line = lines[i];
    if line.len() > 300 {
        return None;
    }
    if line.trim_start().starts_with('-') && ORIGINAL_MESSAGE.is_match(line) {
        let next = skip_blank(lines, i + 1);
        let block = (next < lines.len())
            .then(|| header_block(lines, next))
            .flatten();
        return Some(BlockMatch {
            kind: Kind::OriginalMessage,
            end_line: block.map_or(i, |b| b.end_line),
            forwarded_subject: block.is_some_and(|b| b.forwarded_subject),
        });
    }
    if is_rule(line) {
        let next = skip_blank(lines, i + 1);
        if next > i + 2 || next >= lines.len() {
            return None;
        }
        if let Some(block) = header_block(lines, next) {
            return Some(block);
        }
        return quote_header::at(lines, ends, next).map(|h| BlockMatch {
            kind: Kind::HeaderBlock,
            end_line: h.end_line,
            forwarded_subject: false,
        });
    }
    header_block(lines, i)
}

/// The header fields an Outlook-style block is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    Date,
    To,
    Cc,
    Subject,
}

/// The field named before the colon on `line` (optionally in bold, `*From:*`), and its value.
fn field(line: &str) -> Option<(Field, &str)> {
    let mut head = line.len().min(MAX_FIELD_NAME_BYTES + 3);
    while !line.is_char_boundary(head) {
        head -= 1;
    }
    // Every line of a reply passes here, and most have no colon: one SIMD scan for `:` and
    // the first byte of `：` (0xEF, which also starts other characters).
    let bytes = &line.as_bytes()[..head];
    let colon = memchr::memchr2_iter(b':', 0xEF, bytes)
        .find(|&at| bytes[at] == b':' || line[at..head].starts_with('：'))?;
    let name = line[..colon].trim().trim_matches('*').trim();
    // Lowercasing never shortens a name in characters: a longer one cannot be a field, and
    // most colons in a reply (times, links, "Note:") are past a longer prefix.
    if name.chars().nth(MAX_FIELD_NAME_CHARS).is_some() {
        return None;
    }
    let kind = if name.is_ascii() {
        let mut lower = [0u8; MAX_FIELD_NAME_CHARS];
        let lower = &mut lower[..name.len()];
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        field_named(std::str::from_utf8(lower).ok()?)?
    } else {
        field_named(&name.to_lowercase())?
    };
    let value = line[colon..]
        .trim_start_matches([':', '：'])
        .trim_start_matches('*')
        .trim();
    Some((kind, value))
}

/// Characters of the longest field name [`field_named`] knows ("gönderilme tarihi").
const MAX_FIELD_NAME_CHARS: usize = 17;

/// Field names in the languages we support, as Outlook and webmails write them.
fn field_named(name: &str) -> Option<Field> {
    Some(match name {
        "from" | "von" | "de" | "da" | "van" | "od" | "från" | "fra" | "lähettäjä" | "от"
        | "від" | "kimden" | "差出人" | "发件人" | "發件人" | "寄件者" | "보낸 사람" | "từ"
        | "feladó" | "de la" | "šalje" | "от кого" | "από" | "saatja" | "nuo" | "frá"
        | "odesílatel" => Field::From,
        "sent"
        | "date"
        | "gesendet"
        | "datum"
        | "envoyé"
        | "enviado"
        | "enviado el"
        | "enviada"
        | "enviada em"
        | "fecha"
        | "inviato"
        | "data"
        | "verzonden"
        | "verstuurd"
        | "wysłano"
        | "wysłane"
        | "skickat"
        | "sendt"
        | "dato"
        | "lähetetty"
        | "päivämäärä"
        | "odesláno"
        | "отправлено"
        | "дата"
        | "надіслано"
        | "gönderildi"
        | "gönderilme tarihi"
        | "tarih"
        | "送信日時"
        | "日付"
        | "发送时间"
        | "發送時間"
        | "日期"
        | "寄件日期"
        | "보낸 날짜"
        | "날짜"
        | "đã gửi"
        | "ngày"
        | "elküldve"
        | "dátum"
        | "trimis"
        | "poslano"
        | "odoslané"
        | "изпратено"
        | "στάλθηκε"
        | "ημερομηνία"
        | "saadetud"
        | "išsiųsta"
        | "nosūtīts" => Field::Date,
        "to" | "an" | "à" | "a" | "para" | "aan" | "do" | "till" | "til" | "vastaanottaja"
        | "komu" | "кому" | "kime" | "宛先" | "收件人" | "收件者" | "받는 사람" | "đến"
        | "címzett" | "către" | "prima" | "za" | "до" | "προς" | "adressaat" | "kam" => {
            Field::To
        }
        "cc" | "kopie" | "copie" | "kopia" | "kopi" | "kopio" | "копия" | "копія" | "bilgi"
        | "抄送" | "副本" | "참조" => Field::Cc,
        "subject" | "betreff" | "objet" | "asunto" | "oggetto" | "assunto" | "onderwerp"
        | "temat" | "ämne" | "emne" | "aihe" | "předmět" | "тема" | "konu" | "件名" | "主题"
        | "主旨" | "제목" | "chủ đề" | "tárgy" | "subiect" | "zadeva" | "относно" | "θέμα"
        | "teema" | "efni" | "tēma" => Field::Subject,
        _ => return None,
    })
}

/// A line drawn only of underscores, dashes, equals signs or box-drawing rules, long enough
/// to be a client's separator.
fn is_rule(line: &str) -> bool {
    let t = line.trim();
    // Every line of a reply passes here: the first character rules most of them out.
    let Some(first) = t.chars().next() else {
        return false;
    };
    let minimum = match first {
        '_' => 10,
        '-' | '=' | '─' | '━' => 5,
        _ => return false,
    };
    t.chars().all(|c| c == first) && t.chars().count() >= minimum
}

/// True when `lines` open with a header block (used on the text below an HTML `<hr>`).
pub(super) fn is_header_block(lines: &[&str]) -> bool {
    !lines.is_empty() && header_block(lines, 0).is_some()
}

/// The header-field block that starts on line `i`.
fn header_block(lines: &[&str], i: usize) -> Option<BlockMatch> {
    let first = field(lines[i])?;
    let mut kinds = [false; 5];
    let mut evidence = false;
    let mut forwarded_subject = false;
    let mut end_line = i;
    let mut continuations = 0;
    let mut record = |(kind, value): (Field, &str)| {
        kinds[kind as usize] = true;
        if kind == Field::Subject && FORWARD_SUBJECT.is_match(value) {
            forwarded_subject = true;
        }
        evidence |= value.contains('@') || value.contains(|c: char| c.is_ascii_digit());
    };
    record(first);
    let last = (i + MAX_BLOCK_LINES).min(lines.len());
    for (j, line) in lines.iter().enumerate().take(last).skip(i + 1) {
        if is_blank(line) {
            break;
        }
        if let Some(found) = field(line) {
            record(found);
            end_line = j;
            continuations = 0;
        } else {
            continuations += 1;
            if continuations > MAX_CONTINUATION_LINES || line.len() > 200 {
                break;
            }
        }
    }
    let count = kinds.iter().filter(|k| **k).count();
    let anchored = kinds[Field::From as usize] || kinds[Field::Date as usize];
    let valid = anchored && count >= 2 && (count >= 3 || evidence);
    valid.then_some(BlockMatch {
        kind: Kind::HeaderBlock,
        end_line,
        forwarded_subject,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Option<BlockMatch> {
        let lines: Vec<&str> = text.lines().collect();
        let ends: Vec<bool> = lines
            .iter()
            .map(|l| quote_header::could_end_header(l))
            .collect();
        at(&lines, &ends, 0)
    }

    #[test]
    fn field_names_are_read_in_bold_and_with_french_spacing() {
        assert_eq!(field("*From:* Ann").map(|f| f.0), Some(Field::From));
        assert_eq!(field("Objet : Commande").map(|f| f.0), Some(Field::Subject));
        assert_eq!(field("보낸 사람: Ann").map(|f| f.0), Some(Field::From));
        assert_eq!(
            field("Gönderilme Tarihi: 11.04.2017").map(|f| f.0),
            Some(Field::Date)
        );
        assert_eq!(field("SUBJECT: Outage").map(|f| f.0), Some(Field::Subject));
        assert_eq!(field("Note: this is not a field"), None);
        assert_eq!(
            field("A very long line that only later says From: Ann"),
            None
        );
    }

    #[test]
    fn a_block_needs_sender_or_date_and_evidence() {
        assert!(block("From: Ann <ann@example.com>\nTo: Bob").is_some());
        assert!(block("From: Monday\nTo: Friday").is_none());
        assert!(block("To: Bob\nSubject: Hi\nCc: Carol").is_none());
        assert!(block("From: Ann\nTo: Bob\nSubject: Hi").is_some());
    }

    #[test]
    fn block_ends_at_its_last_field_and_spots_forward_subjects() {
        let found =
            block("From: Ann <ann@example.com>\nSent: 11.04.2017\nSubject: FW: Outage\n\nbody");
        assert_eq!(
            found.map(|b| (b.end_line, b.forwarded_subject)),
            Some((2, true))
        );
    }

    #[test]
    fn rule_lines_open_a_block_only_when_one_follows() {
        assert!(
            block(
                "________________________________\nFrom: Ann <ann@example.com>\nSent: 11.04.2017"
            )
            .is_some()
        );
        assert!(block("________________________________\nJust a line").is_none());
        assert!(block("-----").is_none());
    }
}
