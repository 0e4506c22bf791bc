//! The message as it must travel: CRLF line ends only.
//!
//! SMTP and DKIM both work on CRLF lines, while messages made on Unix often have bare LF.
//! Converting once, before signing, means the signature covers exactly the bytes the
//! server receives, and the file transport stores the same bytes the SMTP path would send.

use std::borrow::Cow;

/// `message` with every bare LF or bare CR turned into CRLF and a CRLF at the end; borrowed
/// when it is already so.
pub fn to_crlf(message: &[u8]) -> Cow<'_, [u8]> {
    if is_crlf(message) {
        return Cow::Borrowed(message);
    }
    let mut out = Vec::with_capacity(message.len() + message.len() / 32 + 2);
    let mut i = 0;
    while i < message.len() {
        match message[i] {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if message.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            byte => out.push(byte),
        }
        i += 1;
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    Cow::Owned(out)
}

/// The message without its final CRLF, for a client that writes `CRLF . CRLF` after the
/// message: the message's own last line end is the first half of that terminator, and
/// sending both would add an empty line the author never wrote.
pub fn without_final_crlf(message: &[u8]) -> &[u8] {
    message.strip_suffix(b"\r\n").unwrap_or(message)
}

fn is_crlf(message: &[u8]) -> bool {
    if !message.ends_with(b"\r\n") {
        return false;
    }
    let mut previous = 0u8;
    for (i, &byte) in message.iter().enumerate() {
        let ok = match byte {
            b'\n' => previous == b'\r',
            b'\r' => message.get(i + 1) == Some(&b'\n'),
            _ => true,
        };
        if !ok {
            return false;
        }
        previous = byte;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_messages_are_borrowed_unchanged() {
        let m = b"Subject: a\r\n\r\nbody\r\n";
        assert!(matches!(to_crlf(m), Cow::Borrowed(_)));
    }

    #[test]
    fn bare_lf_and_cr_become_crlf_and_a_last_line_end_is_added() {
        assert_eq!(&*to_crlf(b"a\nb\rc\r\nd"), b"a\r\nb\r\nc\r\nd\r\n");
        assert_eq!(&*to_crlf(b"\n\n"), b"\r\n\r\n");
        assert_eq!(&*to_crlf(b"x\r"), b"x\r\n");
    }

    #[test]
    fn empty_message_becomes_one_line_end() {
        assert_eq!(&*to_crlf(b""), b"\r\n");
        assert_eq!(without_final_crlf(b"\r\n"), b"");
    }

    #[test]
    fn only_the_last_line_end_is_removed() {
        assert_eq!(without_final_crlf(b"a\r\n\r\n"), b"a\r\n");
        assert_eq!(without_final_crlf(b"a"), b"a");
    }
}
