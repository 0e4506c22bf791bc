//! RFC 2047 encoded words that `mail-parser` would read wrong, rewritten before it reads
//! them.
//!
//! `mail-parser` decodes each encoded word on its own and trusts its label. Real mail breaks
//! both assumptions: clients split one multi-byte character over two adjacent words, put raw
//! 8-bit bytes inside a word, drop the base64 padding, or label UTF-8 as `us-ascii`. A run of
//! adjacent words that shows any of this is decoded here once, as one byte string, by
//! [`charset::decode`], and written back as a single `=?UTF-8?B?…?=` word, which the parser
//! then reads without a second charset decoding. Words that are fine are left untouched, so
//! the raw header list stays as sent.

use std::sync::LazyLock;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use encoding_rs::Encoding;
use regex::bytes::Regex;

use super::charset;

/// One encoded word: charset (with an optional RFC 2231 language), encoding, payload.
#[expect(
    clippy::expect_used,
    reason = "a constant pattern, checked by the tests"
)]
static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u)=\?([A-Za-z0-9_.:+-]{1,40})(?:\*[A-Za-z0-9-]{1,20})?\?([BbQq])\?([^?\r\n]*?)\?=",
    )
    .expect("encoded-word pattern compiles")
});

/// Base64 as senders write it: padding optional, stray trailing bits tolerated.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// One encoded word found in a field.
struct Word<'a> {
    start: usize,
    end: usize,
    label: &'a [u8],
    bytes: Vec<u8>,
    /// The word needs rewriting on its own account (raw 8-bit, missing padding).
    broken: bool,
}

/// The field with its troublesome encoded words rewritten, or `None` when every word is
/// fine as it is. `fallback` is the charset the message declares elsewhere.
pub(crate) fn repair(field: &[u8], fallback: Option<&'static Encoding>) -> Option<Vec<u8>> {
    memchr::memmem::find(field, b"=?")?;
    let words: Vec<Word<'_>> = WORD
        .captures_iter(field)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            let label = caps.get(1)?.as_bytes();
            let payload = caps.get(3)?.as_bytes();
            let base64 = caps.get(2)?.as_bytes().eq_ignore_ascii_case(b"b");
            let bytes = if base64 {
                LENIENT_BASE64.decode(payload).ok()?
            } else {
                decode_q(payload)
            };
            let broken = !payload.is_ascii() || (base64 && payload.len() % 4 != 0);
            Some(Word {
                start: whole.start(),
                end: whole.end(),
                label,
                bytes,
                broken,
            })
        })
        .collect();
    let mut out = Vec::with_capacity(field.len());
    let mut copied = 0;
    let mut changed = false;
    for run in runs(field, &words) {
        let label = std::str::from_utf8(run[0].label).unwrap_or_default();
        let joined: Vec<u8> = run.iter().flat_map(|w| w.bytes.iter().copied()).collect();
        if !needs_rewrite(run, label, &joined) {
            continue;
        }
        let text = charset::decode(&joined, Some(label), fallback);
        out.extend_from_slice(&field[copied..run[0].start]);
        out.extend_from_slice(b"=?UTF-8?B?");
        out.extend_from_slice(
            base64::engine::general_purpose::STANDARD
                .encode(text)
                .as_bytes(),
        );
        out.extend_from_slice(b"?=");
        copied = run[run.len() - 1].end;
        changed = true;
    }
    if !changed {
        return None;
    }
    out.extend_from_slice(&field[copied..]);
    Some(out)
}

/// Groups adjacent words (only whitespace between them, the same charset) into runs:
/// RFC 2047 drops that whitespace, and a character may be split across the words of a run.
fn runs<'w, 'a>(field: &[u8], words: &'w [Word<'a>]) -> Vec<&'w [Word<'a>]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=words.len() {
        let continues = words.get(i).is_some_and(|next| {
            let previous = &words[i - 1];
            field[previous.end..next.start]
                .iter()
                .all(u8::is_ascii_whitespace)
                && next.label.eq_ignore_ascii_case(previous.label)
        });
        if !continues {
            out.push(&words[start..i]);
            start = i;
        }
    }
    out
}

/// True when the parser would read the run wrong: a broken word, a label that does not fit
/// the bytes, or a character split between two words.
fn needs_rewrite(run: &[Word<'_>], label: &str, joined: &[u8]) -> bool {
    if run.iter().any(|w| w.broken) {
        return true;
    }
    if joined.is_ascii() {
        return false;
    }
    let Some(encoding) = charset::lookup(label) else {
        // A label encoding_rs does not know (UTF-7): the parser has its own decoder.
        return false;
    };
    let fits = |bytes: &[u8]| {
        encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some()
    };
    let ascii_label = label.eq_ignore_ascii_case("us-ascii") || label.eq_ignore_ascii_case("ascii");
    let single_byte_over_utf8 = encoding.is_single_byte() && std::str::from_utf8(joined).is_ok();
    ascii_label
        || single_byte_over_utf8
        || !fits(joined)
        || (run.len() > 1 && run.iter().any(|w| !fits(&w.bytes)))
}

/// The `Q` encoding: `_` is a space, `=XX` a byte; anything else (raw 8-bit included) is
/// taken as it is.
fn decode_q(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len());
    let mut i = 0;
    while i < payload.len() {
        let byte = payload[i];
        let hex = payload
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (byte, hex) {
            (b'=', Some(value)) => {
                out.push(value);
                i += 3;
            }
            (b'_', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(field: &[u8]) -> Option<String> {
        repair(field, None).map(|f| String::from_utf8(f).unwrap_or_default())
    }

    fn decoded_word(field: &str) -> String {
        let caps = WORD.captures(field.as_bytes());
        let payload = caps.and_then(|c| c.get(3)).map(|m| m.as_bytes());
        let bytes = LENIENT_BASE64.decode(payload.unwrap_or_default());
        String::from_utf8(bytes.unwrap_or_default()).unwrap_or_default()
    }

    #[test]
    fn sound_words_are_left_alone() {
        assert_eq!(fixed(b"Subject: =?utf-8?q?caf=C3=A9?= ok"), None);
        assert_eq!(fixed(b"Subject: =?iso-8859-1?q?caf=E9?="), None);
        assert_eq!(fixed(b"Subject: plain"), None);
    }

    #[test]
    fn unpadded_base64_decodes_completely() {
        // "Как дела" in UTF-8, base64 without its padding.
        let out = fixed(b"Subject: =?utf-8?b?0JrQsNC6INC00LXQu9Cw?=").map(|f| decoded_word(&f));
        assert_eq!(out, None, "a padded multiple of four is left alone");
        let out = fixed(b"Subject: =?utf-8?b?0JrQsNC6INC00LXQuw?=").map(|f| decoded_word(&f));
        assert_eq!(out.as_deref(), Some("Как дел"));
    }

    #[test]
    fn a_character_split_over_two_words_is_joined() {
        // "é" is C3 A9; each half alone is invalid UTF-8.
        let out = fixed(b"Subject: =?utf-8?q?caf=C3?= =?utf-8?q?=A9?=").map(|f| decoded_word(&f));
        assert_eq!(out.as_deref(), Some("café"));
    }

    #[test]
    fn raw_8bit_inside_a_word_is_read_by_its_label() {
        let out =
            fixed(b"Subject: =?koi8-r?q?\xf0\xd2\xc9\xd7\xc5\xd4?=").map(|f| decoded_word(&f));
        assert_eq!(out.as_deref(), Some("Привет"));
    }

    #[test]
    fn an_ascii_label_over_utf8_bytes_is_recovered() {
        let out = fixed(b"Subject: =?US-ASCII?Q?=D1=80=D1=83?=").map(|f| decoded_word(&f));
        assert_eq!(out.as_deref(), Some("ру"));
    }

    #[test]
    fn q_decoding_keeps_malformed_escapes() {
        assert_eq!(decode_q(b"a_b=3Dc=Zd="), b"a b=c=Zd=");
    }
}
