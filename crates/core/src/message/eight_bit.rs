//! Header blocks made readable before `mail-parser` reads them: raw 8-bit bytes (which
//! RFC 5322 forbids and old or careless mailers send) and encoded words the parser would
//! decode wrong, in the top-level block and in the MIME part headers that name attachments.
//!
//! UTF-8 headers (RFC 6532) are fine as they are. A field whose raw 8-bit bytes are not
//! valid UTF-8 is decoded by the charset the message declares elsewhere (a `charset=`
//! parameter or an encoded word's label), else as windows-1252, which is what mail clients
//! show. Encoded words are handled by [`encoded_words`]. Each byte is decoded exactly once:
//! the repaired block is UTF-8 and its rewritten words say `UTF-8`.

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

/// Returns a copy of `raw` whose header blocks are valid UTF-8 with sound encoded words, or
/// `None` when they already are (the common case: one validation pass and no copy).
///
/// The top-level block is always checked. With `parts`, the header blocks of MIME parts
/// (where attachment names live) are checked too when the message holds raw bytes that are
/// not UTF-8 at all.
pub(crate) fn repair_header_block(raw: &[u8], parts: Parts) -> Option<Repaired> {
    let end = header_end(raw);
    let (top, body) = raw.split_at(end);
    let top_needs = std::str::from_utf8(top).is_err() || memchr::memmem::find(top, b"=?").is_some();
    let body_needs = parts == Parts::Repair && std::str::from_utf8(body).is_err();
    if !top_needs && !body_needs {
        return None;
    }
    let mut repair = Repair {
        fallback: declared_charset(raw),
        out: Vec::with_capacity(raw.len() + 64),
        changed: false,
        eight_bit: false,
    };
    repair.block(top);
    if body_needs {
        repair.parts(raw, body);
    } else {
        repair.out.extend_from_slice(body);
    }
    repair.changed.then_some(Repaired {
        bytes: repair.out,
        eight_bit: repair.eight_bit,
    })
}

/// Whether the header blocks of MIME parts are repaired as well as the top-level one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parts {
    /// Top-level block and part blocks (a full parse, which reads attachment names).
    Repair,
    /// Top-level block only (the intake's threading headers).
    Skip,
}

/// The message being rewritten, block by block.
struct Repair {
    fallback: Option<&'static Encoding>,
    out: Vec<u8>,
    changed: bool,
    eight_bit: bool,
}

impl Repair {
    /// Appends one header block, its fields repaired.
    fn block(&mut self, block: &[u8]) {
        for field in fields(block) {
            let words = encoded_words::repair(field, self.fallback);
            self.changed |= words.is_some();
            let field = words.as_deref().unwrap_or(field);
            if std::str::from_utf8(field).is_ok() {
                self.out.extend_from_slice(field);
            } else {
                self.changed = true;
                self.eight_bit = true;
                self.out
                    .extend_from_slice(transcode(field, self.fallback).as_bytes());
            }
        }
    }

    /// Appends the body, repairing the header block after each MIME boundary (and the one
    /// of an attached message right below it); part bodies are copied as they are.
    fn parts(&mut self, raw: &[u8], body: &[u8]) {
        let boundaries: Vec<&[u8]> = BOUNDARY
            .captures_iter(raw)
            .filter_map(|caps| caps.get(1).or_else(|| caps.get(2)))
            .map(|m| m.as_bytes())
            .collect();
        let mut header_start: Option<usize> = None;
        let mut offset = 0;
        for line in body.split_inclusive(|b| *b == b'\n') {
            let at = offset;
            offset += line.len();
            match header_start {
                Some(start) if line.trim_ascii().is_empty() => {
                    let block = &body[start..at];
                    self.block(block);
                    self.out.extend_from_slice(line);
                    header_start = encloses_message(block).then_some(offset);
                }
                Some(_) => {}
                None => {
                    self.out.extend_from_slice(line);
                    if opens_part(line, &boundaries) {
                        header_start = Some(offset);
                    }
                }
            }
        }
        if let Some(start) = header_start {
            self.block(&body[start..]);
        }
    }
}

/// `boundary=` parameters, quoted or not.
#[expect(
    clippy::expect_used,
    reason = "a constant pattern, checked by the tests"
)]
static BOUNDARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)boundary\s*=\s*(?:"([^"\r\n]{1,200})"|([^\s;"]{1,200}))"#)
        .expect("boundary pattern compiles")
});

/// True for a `--boundary` line that opens a part (not the closing `--boundary--`).
fn opens_part(line: &[u8], boundaries: &[&[u8]]) -> bool {
    let Some(rest) = line.strip_prefix(b"--") else {
        return false;
    };
    boundaries.iter().any(|b| {
        rest.strip_prefix(*b)
            .is_some_and(|after| after.trim_ascii().is_empty())
    })
}

/// True when a part's header block says the part is an attached message, whose own header
/// block follows.
fn encloses_message(block: &[u8]) -> bool {
    let lower = block.to_ascii_lowercase();
    memchr::memmem::find(&lower, b"message/rfc822").is_some()
        || memchr::memmem::find(&lower, b"message/global").is_some()
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

/// A field that is not valid UTF-8 as a whole, decoded as a whole by the message's declared
/// charset, else as windows-1252. Legacy bytes often form valid UTF-8 pairs by chance
/// (KOI8-R "чё" is `DE A3`), so no stretch of the field is taken for UTF-8 on its own.
fn transcode(field: &[u8], fallback: Option<&'static Encoding>) -> String {
    charset::decode(field, None, fallback)
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
        repair_header_block(raw, Parts::Repair)
            .map(|r| (String::from_utf8_lossy(&r.bytes).into_owned(), r.eight_bit))
    }

    #[test]
    fn utf8_headers_are_left_alone() {
        assert!(repaired("Subject: café\r\n\r\nbody".as_bytes()).is_none());
    }

    #[test]
    fn latin1_and_cp1252_header_bytes_become_utf8() {
        let raw = b"From: Jos\xe9 <j@x.es>\r\nSubject: \x93quoted\x94 \x80\r\n\r\nbody \xe9";
        let fixed = repair_header_block(raw, Parts::Skip).unwrap();
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
    fn legacy_bytes_that_look_like_utf8_are_read_with_the_whole_field() {
        let raw =
            b"Subject: \xef\xd4\xde\xa3\xd4\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\nx";
        let (text, _) = repaired(raw).unwrap();
        assert!(text.starts_with("Subject: Отчёт\r\n"), "{text}");
    }

    #[test]
    fn a_broken_encoded_word_alone_is_repaired_without_an_8bit_warning() {
        let (text, eight_bit) = repaired(b"Subject: =?utf-8?b?w6k?=\r\n\r\n").unwrap();
        assert_eq!(text, "Subject: =?UTF-8?B?w6k=?=\r\n\r\n");
        assert!(!eight_bit);
    }

    #[test]
    fn raw_8bit_attachment_names_are_repaired_in_part_headers() {
        let raw = b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n\xf0\xd2\xc9\r\n--b1\r\nContent-Type: application/pdf; name=\"\xef\xd4\xde\xa3\xd4.pdf\"\r\n\r\nJVBER\r\n--b1--\r\n";
        let fixed = repair_header_block(raw, Parts::Repair).unwrap();
        let text = String::from_utf8_lossy(&fixed.bytes).into_owned();
        assert!(text.contains("name=\"Отчёт.pdf\""), "{text}");
        assert!(
            fixed.bytes.windows(3).any(|w| w == b"\xf0\xd2\xc9"),
            "part bodies are copied as they are"
        );
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
