//! A guard against MIME bombs: thousands of nested `multipart/*` or `message/rfc822`
//! containers cost the parser memory and stack per level far beyond the message's size.
//!
//! Before parsing, container headers are counted with a cheap line scan; input past the
//! limit is cut off, so the message is still read up to that point (with a warning)
//! instead of refused or allowed to exhaust memory.

/// Offset at which to cut `raw` so that it holds at most `max_containers` container
/// `Content-Type` lines, or `None` when it already does.
pub(crate) fn cut_point(raw: &[u8], max_containers: usize) -> Option<usize> {
    let mut count = 0usize;
    let mut start = 0usize;
    while start < raw.len() {
        let end = raw[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(raw.len(), |i| start + i + 1);
        if is_container_header(&raw[start..end], &raw[end..]) {
            count += 1;
            if count > max_containers {
                return Some(start);
            }
        }
        start = end;
    }
    None
}

/// True for `Content-Type: multipart/...` or `message/rfc822|global` (the value may be
/// folded onto the next line).
fn is_container_header(line: &[u8], rest: &[u8]) -> bool {
    const NAME: &[u8] = b"content-type:";
    if line.len() < NAME.len() || !line[..NAME.len()].eq_ignore_ascii_case(NAME) {
        return false;
    }
    let value: Vec<u8> = line[NAME.len()..]
        .iter()
        .chain(rest.iter().take(64))
        .copied()
        .skip_while(u8::is_ascii_whitespace)
        .take(16)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    value.starts_with(b"multipart/")
        || value.starts_with(b"message/rfc822")
        || value.starts_with(b"message/global")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_mail_is_not_cut() {
        let raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n";
        assert_eq!(cut_point(raw, 1), None);
    }

    #[test]
    fn cut_falls_on_the_first_container_over_the_limit() {
        let raw = b"Content-Type: message/rfc822\n\nCONTENT-TYPE:\n  Multipart/mixed; boundary=x\n\ncontent-type: message/global\n";
        assert_eq!(cut_point(raw, 1), Some(30));
        assert_eq!(cut_point(raw, 2), Some(75));
        assert_eq!(cut_point(raw, 3), None);
    }

    #[test]
    fn other_types_and_body_text_do_not_count() {
        let raw = b"Content-Type: text/plain\nX-Content-Type: multipart/mixed\n  Content-Type: multipart/x\n";
        assert_eq!(cut_point(raw, 0), None);
    }
}
