//! The top-level header block made readable before `mail-parser` reads it: raw 8-bit bytes
//! (which RFC 5322 forbids and old or careless mailers send) and encoded words the parser
//! would decode wrong.
//!
//! UTF-8 headers (RFC 6532) are fine as they are. Other raw 8-bit bytes in a field are
//! decoded by the charset the message declares elsewhere (a `charset=` parameter or an
//! encoded word's label), else as windows-1252, which is what mail clients show; bytes that
//! are valid UTF-8 stay UTF-8. Encoded words are handled by [`encoded_words`]. Each byte is
//! decoded exactly once: the repaired block is UTF-8 and its rewritten words say `UTF-8`.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};
use regex::bytes::Regex;

use super::{charset, encoded_words};

/// How far into the message a declared charset is looked for.
const DECLARATION_WINDOW: usize = 64 * 1024;

/// `charset=` parameters and encoded-word labels, wherever they are.
#[expect(
    clippy::expect_used,
    reason = "a constant pattern, checked by the tests"
)]
static DECLARED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i-u)charset\s*=\s*"?([A-Za-z0-9_.:+-]{1,40})|=\?([A-Za-z0-9_.:+-]{1,40})\?[bq]\?"#,
    )
    .expect("charset declaration pattern compiles")
});

/// A header block rewritten to be read correctly.
#[derive(Debug)]
pub(crate) struct Repaired {
    /// The whole message with its header block replaced.
    pub bytes: Vec<u8>,
    /// Raw 8-bit bytes that were not UTF-8 were found (worth a warning; a rewritten encoded
    /// word alone is not).
    pub eight_bit: bool,
}

/// Returns a copy of `raw` whose header block is valid UTF-8 with sound encoded words, or
/// `None` when it already is (the common case: one validation pass and no copy).
pub(crate) fn repair_header_block(raw: &[u8]) -> Option<Repaired> {
    let end = header_end(raw);
    let block = &raw[..end];
    let valid = std::str::from_utf8(block).is_ok();
    if valid && memchr::memmem::find(block, b"=?").is_none() {
        return None;
    }
    let fallback = declared_charset(raw);
    let mut out = Vec::with_capacity(raw.len() + 64);
    let (mut changed, mut eight_bit) = (false, false);
    for field in fields(block) {
        let words = encoded_words::repair(field, fallback);
        changed |= words.is_some();
        let field = words.as_deref().unwrap_or(field);
        if std::str::from_utf8(field).is_ok() {
            out.extend_from_slice(field);
        } else {
            changed = true;
            eight_bit = true;
            out.extend_from_slice(transcode(field, fallback).as_bytes());
        }
    }
    if !changed {
        return None;
    }
    out.extend_from_slice(&raw[end..]);
    Some(Repaired {
        bytes: out,
        eight_bit,
    })
}

/// The first charset the message declares that is neither UTF-8 nor windows-1252 (the
/// defaults tried anyway).
fn declared_charset(raw: &[u8]) -> Option<&'static Encoding> {
    let window = &raw[..raw.len().min(DECLARATION_WINDOW)];
    DECLARED
        .captures_iter(window)
        .filter_map(|caps| caps.get(1).or_else(|| caps.get(2)))
        .filter_map(|label| std::str::from_utf8(label.as_bytes()).ok())
        .filter_map(charset::lookup)
        .find(|e| *e != UTF_8 && *e != WINDOWS_1252)
}

/// A field that is not UTF-8: with a multi-byte fallback the whole field is decoded by it;
/// otherwise the UTF-8 stretches stay and each other byte is read as windows-1252.
fn transcode(field: &[u8], fallback: Option<&'static Encoding>) -> String {
    if let Some(encoding) = fallback.filter(|e| !e.is_single_byte()) {
        return charset::decode(field, None, Some(encoding));
    }
    let single = fallback.unwrap_or(WINDOWS_1252);
    let mut out = String::with_capacity(field.len() + 16);
    for chunk in field.utf8_chunks() {
        out.push_str(chunk.valid());
        out.push_str(&single.decode_without_bom_handling(chunk.invalid()).0);
    }
    out
}

/// The fields of a header block, each with its continuation lines and line ends.
fn fields(block: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut start = 0;
    let mut lines = block
        .split_inclusive(|b| *b == b'\n')
        .map(move |line| {
            let at = start;
            start += line.len();
            (at, line)
        })
        .peekable();
    std::iter::from_fn(move || {
        let (first, line) = lines.next()?;
        let mut end = first + line.len();
        while let Some((at, next)) = lines.peek() {
            if !next.starts_with(b" ") && !next.starts_with(b"\t") {
                break;
            }
            end = at + next.len();
            lines.next();
        }
        block.get(first..end)
    })
}

/// Offset just past the blank line that ends the header block (or the input length).
fn header_end(raw: &[u8]) -> usize {
    let mut at_line_start = true;
    for (i, &b) in raw.iter().enumerate() {
        if at_line_start && b == b'\n' {
            return i + 1;
        }
        if at_line_start && b == b'\r' && raw.get(i + 1) == Some(&b'\n') {
            return i + 2;
        }
        at_line_start = b == b'\n';
    }
    raw.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repaired(raw: &[u8]) -> Option<(String, bool)> {
        repair_header_block(raw)
            .map(|r| (String::from_utf8_lossy(&r.bytes).into_owned(), r.eight_bit))
    }

    #[test]
    fn utf8_headers_are_left_alone() {
        assert!(repaired("Subject: café\r\n\r\nbody".as_bytes()).is_none());
    }

    #[test]
    fn latin1_and_cp1252_header_bytes_become_utf8() {
        let raw = b"From: Jos\xe9 <j@x.es>\r\nSubject: \x93quoted\x94 \x80\r\n\r\nbody \xe9";
        let fixed = repair_header_block(raw).unwrap();
        let (head, body) = fixed.bytes.split_at(fixed.bytes.len() - 6);
        assert_eq!(
            std::str::from_utf8(head).unwrap(),
            "From: José <j@x.es>\r\nSubject: “quoted” €\r\n\r\n"
        );
        assert_eq!(
            body, b"body \xe9",
            "the body is decoded later by its own charset"
        );
        assert!(fixed.eight_bit);
    }

    #[test]
    fn raw_shift_jis_is_read_by_the_charset_the_body_declares() {
        let raw = b"Subject: \x93\xfa\x96\x7b\x8c\xea\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\nx";
        let (text, eight_bit) = repaired(raw).unwrap();
        assert!(text.starts_with("Subject: 日本語\r\n"), "{text}");
        assert!(eight_bit);
    }

    #[test]
    fn raw_utf8_beside_latin1_stays_utf8() {
        let raw = "To: Zoë <z@x.nl>\r\nSubject: caf\u{e9} ".as_bytes();
        let mut raw = raw.to_vec();
        raw.extend_from_slice(b"cr\xe8me\r\n\r\n");
        let (text, _) = repaired(&raw).unwrap();
        assert!(
            text.contains("Zoë") && text.contains("café crème"),
            "{text}"
        );
    }

    #[test]
    fn a_broken_encoded_word_alone_is_repaired_without_an_8bit_warning() {
        let (text, eight_bit) = repaired(b"Subject: =?utf-8?b?w6k?=\r\n\r\n").unwrap();
        assert_eq!(text, "Subject: =?UTF-8?B?w6k=?=\r\n\r\n");
        assert!(!eight_bit);
    }

    #[test]
    fn fields_keep_their_continuation_lines() {
        let block = b"A: 1\r\n  2\r\nB: 3\n\tx\nC: 4\r\n\r\n";
        let got: Vec<&[u8]> = fields(block).collect();
        assert_eq!(
            got,
            [
                &b"A: 1\r\n  2\r\n"[..],
                b"B: 3\n\tx\n",
                b"C: 4\r\n",
                b"\r\n"
            ]
        );
    }

    #[test]
    fn header_end_handles_lf_crlf_and_no_body() {
        assert_eq!(header_end(b"A: b\n\nbody"), 6);
        assert_eq!(header_end(b"A: b\r\n\r\nbody"), 8);
        assert_eq!(header_end(b"A: b"), 4);
    }
}
