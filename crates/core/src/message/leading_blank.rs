//! Whitespace-only lines before the first header.
//!
//! Some stores and exporters leave a line of spaces above the headers (flanker's fixtures
//! have a line of 255 of them). Read literally, that line is the blank line ending an empty
//! header block, and the whole message becomes a body without sender or subject. Mail
//! clients skip it, and so does postroom: a line of spaces or tabs is never a header, and an
//! empty line is skipped only when a header field follows it.

/// Lines skipped at most; a message is not a thousand blank lines followed by headers.
const MAX_SKIPPED_LINES: usize = 8;

/// `raw` without the whitespace-only lines that precede its first header.
pub(crate) fn skip(raw: &[u8]) -> &[u8] {
    let mut rest = raw;
    for _ in 0..MAX_SKIPPED_LINES {
        let Some(newline) = memchr::memchr(b'\n', rest) else {
            break;
        };
        let line = &rest[..newline];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !line.iter().all(|b| *b == b' ' || *b == b'\t') {
            break;
        }
        let after = &rest[newline + 1..];
        if line.is_empty() && !starts_with_field(after) {
            break;
        }
        rest = after;
    }
    if starts_with_field(rest) { rest } else { raw }
}

/// True when `raw` opens with `Name:` (printable ASCII without spaces before the colon).
fn starts_with_field(raw: &[u8]) -> bool {
    let name_len = raw
        .iter()
        .take_while(|b| b.is_ascii_graphic() && **b != b':')
        .count();
    name_len > 0 && raw.get(name_len) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_of_spaces_before_the_headers_is_skipped() {
        let raw = b"     \nSubject: Wow\r\n\r\nbody";
        assert_eq!(skip(raw), b"Subject: Wow\r\n\r\nbody");
        let crlf = b" \t \r\nFrom: a@b.c\r\n\r\n";
        assert_eq!(skip(crlf), b"From: a@b.c\r\n\r\n");
    }

    #[test]
    fn an_empty_line_is_skipped_only_before_a_header() {
        assert_eq!(skip(b"\r\nSubject: x\r\n\r\n"), b"Subject: x\r\n\r\n");
        let body_only = b"\r\njust a body\r\n";
        assert_eq!(skip(body_only), body_only);
    }

    #[test]
    fn ordinary_messages_are_untouched() {
        let raw = b"Subject: x\r\n\r\nbody";
        assert_eq!(skip(raw), raw);
        assert_eq!(skip(b""), b"");
    }
}
