//! Raw 8-bit bytes in headers, which RFC 5322 forbids and old or careless mailers send.
//!
//! UTF-8 headers (RFC 6532) are fine as they are. Other 8-bit bytes are almost always
//! Latin-1 or windows-1252; mail clients show them that way, so the header block is
//! transcoded to UTF-8 before parsing instead of turning each byte into U+FFFD.

/// windows-1252 characters for bytes 0x80..=0x9F (undefined ones map to themselves, as
/// browsers do).
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Returns a copy of `raw` whose header block is valid UTF-8, or `None` when the header
/// block already is (the common case, which costs one validation pass and no copy).
pub(crate) fn repair_header_block(raw: &[u8]) -> Option<Vec<u8>> {
    let end = header_end(raw);
    let block = &raw[..end];
    if std::str::from_utf8(block).is_ok() {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len() + 16);
    for chunk in block.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        for &byte in chunk.invalid() {
            let mut buf = [0u8; 4];
            out.extend_from_slice(cp1252(byte).encode_utf8(&mut buf).as_bytes());
        }
    }
    out.extend_from_slice(&raw[end..]);
    Some(out)
}

fn cp1252(byte: u8) -> char {
    match byte {
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
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

    #[test]
    fn utf8_headers_are_left_alone() {
        assert_eq!(
            repair_header_block("Subject: café\r\n\r\nbody".as_bytes()),
            None
        );
    }

    #[test]
    fn latin1_and_cp1252_header_bytes_become_utf8() {
        let raw = b"From: Jos\xe9 <j@x.es>\r\nSubject: \x93quoted\x94 \x80\r\n\r\nbody \xe9";
        let fixed = repair_header_block(raw).unwrap();
        let (head, body) = fixed.split_at(fixed.len() - 6);
        assert_eq!(
            std::str::from_utf8(head).unwrap(),
            "From: José <j@x.es>\r\nSubject: “quoted” €\r\n\r\n"
        );
        assert_eq!(
            body, b"body \xe9",
            "the body is decoded later by its own charset"
        );
    }

    #[test]
    fn header_end_handles_lf_crlf_and_no_body() {
        assert_eq!(header_end(b"A: b\n\nbody"), 6);
        assert_eq!(header_end(b"A: b\r\n\r\nbody"), 8);
        assert_eq!(header_end(b"A: b"), 4);
    }
}
