//! Bytes in a declared or guessed charset turned into text, through `encoding_rs`.
//!
//! Headers arrive with labels that are missing, wrong or lying: `us-ascii` over UTF-8,
//! `iso-2022-jp` over Shift_JIS bytes, `utf-8` over Latin-1. Mail clients show such mail
//! readably by trying what the bytes can be, so this module does the same, in a fixed order:
//! the declared label when the bytes are valid in it, UTF-8 when they are valid UTF-8, the
//! other charsets of the label's script family, the charset the message declares elsewhere,
//! and windows-1252 last (it maps every byte, so something readable always comes out).

use encoding_rs::{
    BIG5, EUC_JP, EUC_KR, Encoding, GB18030, ISO_2022_JP, KOI8_U, SHIFT_JIS, UTF_8, WINDOWS_1252,
};

/// The encoding a MIME charset label names, with the aliases mail uses beyond the WHATWG
/// list; `None` for labels `encoding_rs` does not know (UTF-7, for one).
pub(crate) fn lookup(label: &str) -> Option<&'static Encoding> {
    let label = label.trim().trim_matches('"');
    let label = label.split('*').next().unwrap_or(label);
    match label.to_ascii_lowercase().as_str() {
        "cp932" | "ms932" | "windows-932" | "x-sjis" | "sjis" | "shift-jis" => Some(SHIFT_JIS),
        "cp936" | "ms936" | "gb_2312" | "gb2312-80" => Some(GB18030),
        "cp949" | "ms949" | "uhc" => Some(EUC_KR),
        "big5hkscs" | "cp950" | "ms950" => Some(BIG5),
        "utf8" => Some(UTF_8),
        other => Encoding::for_label(other.as_bytes()),
    }
}

/// True for labels that promise plain ASCII (which WHATWG maps to windows-1252).
fn is_ascii_label(label: &str) -> bool {
    matches!(
        label.trim().to_ascii_lowercase().as_str(),
        "us-ascii" | "ascii" | "ansi_x3.4-1968" | "iso646-us" | "us"
    )
}

/// Other charsets of the same script family, tried when the declared one does not fit the
/// bytes: Japanese mailers label Shift_JIS as ISO-2022-JP, Chinese ones GBK as Big5 and back.
fn family(encoding: &'static Encoding) -> Vec<&'static Encoding> {
    if encoding == ISO_2022_JP || encoding == SHIFT_JIS || encoding == EUC_JP {
        vec![SHIFT_JIS, EUC_JP, ISO_2022_JP]
    } else if encoding == GB18030 || encoding == encoding_rs::GBK || encoding == BIG5 {
        vec![GB18030, BIG5]
    } else if encoding == encoding_rs::KOI8_R {
        vec![KOI8_U]
    } else {
        Vec::new()
    }
}

/// UTF-8 characters a text must carry before one broken sequence is forgiven.
const MIN_UTF8_CHARS_FOR_A_CUT: usize = 4;

/// True for UTF-8 with a single broken sequence, as when a mailer cuts a long name inside a
/// character (Yahoo does): reading it as UTF-8 loses one character, reading it as a legacy
/// charset garbles all of them. Legacy text rarely forms several valid multi-byte
/// sequences with only one stray byte beside them.
fn is_cut_utf8(bytes: &[u8]) -> bool {
    let mut broken = 0;
    let mut multibyte = 0;
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        broken += usize::from(!chunk.invalid().is_empty());
    }
    broken <= 1 && multibyte >= MIN_UTF8_CHARS_FOR_A_CUT
}

/// Decodes `bytes` without replacement characters, or `None` when they are not valid in
/// `encoding`.
fn strict(bytes: &[u8], encoding: &'static Encoding) -> Option<String> {
    encoding
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(std::borrow::Cow::into_owned)
}

/// Decodes `bytes` labelled `label` (if any), recovering from a label that cannot be right;
/// `fallback` is the charset the message declares elsewhere, if it declares one.
pub(crate) fn decode(
    bytes: &[u8],
    label: Option<&str>,
    fallback: Option<&'static Encoding>,
) -> String {
    if bytes.is_ascii() {
        // Every charset here agrees with ASCII except the ISO-2022 escapes, which are ASCII.
        let declared = label.and_then(lookup);
        if let Some(encoding) = declared.filter(|e| *e == ISO_2022_JP)
            && let Some(text) = strict(bytes, encoding)
        {
            return text;
        }
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let declared = label.filter(|l| !is_ascii_label(l)).and_then(lookup);
    let utf8 = std::str::from_utf8(bytes).ok();
    if let Some(encoding) = declared {
        // A single-byte label over bytes that are valid UTF-8 is a mislabel: Latin-1 text
        // almost never forms valid multi-byte UTF-8 sequences by chance.
        let single_byte = encoding.is_single_byte();
        if let Some(text) = utf8.filter(|_| single_byte) {
            return text.to_owned();
        }
        if let Some(text) = strict(bytes, encoding) {
            return text;
        }
    }
    if let Some(text) = utf8 {
        return text.to_owned();
    }
    if is_cut_utf8(bytes) {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let candidates = declared
        .map(family)
        .unwrap_or_default()
        .into_iter()
        .chain(fallback);
    for encoding in candidates {
        if let Some(text) = strict(bytes, encoding) {
            return text;
        }
    }
    WINDOWS_1252
        .decode_without_bom_handling(bytes)
        .0
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn east_asian_charsets_decode_by_their_labels() {
        let cases: [(&str, &[u8], &str); 6] = [
            ("shift_jis", b"\x93\xfa\x96\x7b\x8c\xea", "日本語"),
            ("euc-jp", b"\xc6\xfc\xcb\xdc\xb8\xec", "日本語"),
            ("iso-2022-jp", b"\x1b$BF|K\\8l\x1b(B", "日本語"),
            ("gb2312", b"\xd6\xd0\xce\xc4", "中文"),
            ("gb18030", b"\xd6\xd0\xce\xc4", "中文"),
            ("big5", b"\xa4\xa4\xa4\xe5", "中文"),
        ];
        for (label, bytes, text) in cases {
            assert_eq!(decode(bytes, Some(label), None), text, "{label}");
        }
    }

    #[test]
    fn cyrillic_charsets_decode_by_their_labels() {
        assert_eq!(
            decode(b"\xf0\xd2\xc9\xd7\xc5\xd4", Some("koi8-r"), None),
            "Привет"
        );
        assert_eq!(
            decode(b"\xf0\xd2\xc9\xd7\xa6\xd4", Some("koi8-u"), None),
            "Привіт"
        );
        assert_eq!(
            decode(b"\xcf\xf0\xe8\xe2\xe5\xf2", Some("windows-1251"), None),
            "Привет"
        );
    }

    #[test]
    fn mail_aliases_beyond_whatwg_are_known() {
        assert_eq!(lookup("CP932"), Some(SHIFT_JIS));
        assert_eq!(lookup("\"utf8\""), Some(UTF_8));
        assert_eq!(lookup("ISO-8859-1*en"), Some(WINDOWS_1252));
        assert_eq!(lookup("utf-7"), None);
    }

    #[test]
    fn a_label_that_cannot_be_right_is_recovered_from() {
        let utf8 = "русский".as_bytes();
        assert_eq!(decode(utf8, Some("us-ascii"), None), "русский");
        assert_eq!(decode(utf8, Some("iso-8859-1"), None), "русский");
        assert_eq!(
            decode(b"\x93\xfa\x96\x7b\x8c\xea", Some("iso-2022-jp"), None),
            "日本語",
            "Shift_JIS bytes under an ISO-2022-JP label"
        );
        assert_eq!(decode(b"caf\xe9", Some("utf-8"), None), "café");
    }

    #[test]
    fn utf8_cut_inside_its_last_character_stays_utf8() {
        let mut cut = "Картинка с именем".as_bytes().to_vec();
        cut.push(0xd0);
        assert_eq!(decode(&cut, None, None), "Картинка с именем\u{fffd}");
        assert_eq!(
            decode(b"\xef\xd4\xde\xa3\xd4", None, Some(encoding_rs::KOI8_R)),
            "Отчёт",
            "one chance UTF-8 pair in legacy text is not UTF-8"
        );
    }

    #[test]
    fn without_a_label_the_message_charset_then_windows_1252_is_used() {
        let sjis = b"\x93\xfa\x96\x7b\x8c\xea";
        assert_eq!(decode(sjis, None, Some(SHIFT_JIS)), "日本語");
        assert_eq!(decode(b"\x93quoted\x94", None, None), "“quoted”");
        assert_eq!(decode(b"plain", None, None), "plain");
    }
}
