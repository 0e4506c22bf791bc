//! Every reply the listener sends, in one place, so the codes can be read against
//! RFC 5321 and RFC 3463 at a glance. Texts are fixed: nothing the client sent (addresses,
//! parameters) is echoed back.

use smtp_proto::{
    EXT_8BIT_MIME, EXT_ENHANCED_STATUS_CODES, EXT_PIPELINING, EXT_SIZE, EXT_SMTP_UTF8,
    EXT_START_TLS, EhloResponse, Response,
};

/// One reply: code, enhanced status code (RFC 3463) and a fixed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reply {
    pub(crate) code: u16,
    pub(crate) esc: [u8; 3],
    pub(crate) text: &'static str,
}

const fn reply(code: u16, esc: [u8; 3], text: &'static str) -> Reply {
    Reply { code, esc, text }
}

pub(crate) const OK: Reply = reply(250, [2, 0, 0], "OK");
pub(crate) const SENDER_OK: Reply = reply(250, [2, 1, 0], "Sender OK");
pub(crate) const RECIPIENT_OK: Reply = reply(250, [2, 1, 5], "Recipient OK");
pub(crate) const BYE: Reply = reply(221, [2, 0, 0], "Bye");
pub(crate) const HELP: Reply = reply(214, [2, 0, 0], "See RFC 5321");
pub(crate) const CANNOT_VRFY: Reply = reply(252, [2, 5, 2], "Cannot VRFY; send mail and see");
pub(crate) const TLS_GO_AHEAD: Reply = reply(220, [2, 0, 0], "Ready to start TLS");

pub(crate) const SHUTTING_DOWN: Reply = reply(421, [4, 3, 2], "Service shutting down");
pub(crate) const TOO_MANY_CONNECTIONS: Reply = reply(421, [4, 3, 2], "Too many connections");
pub(crate) const PEER_CONNECTIONS: Reply = reply(
    421,
    [4, 7, 0],
    "Too many connections from your address, try later",
);
pub(crate) const RATE_EXCEEDED: Reply = reply(421, [4, 7, 0], "Rate limit exceeded, try later");
pub(crate) const TOO_MANY_ERRORS: Reply = reply(421, [4, 7, 0], "Too many errors");
pub(crate) const TIMEOUT: Reply = reply(421, [4, 4, 2], "Timeout, closing connection");
pub(crate) const TRY_LATER: Reply = reply(451, [4, 3, 0], "Temporary failure, try again later");
pub(crate) const TOO_MANY_RECIPIENTS: Reply = reply(452, [4, 5, 3], "Too many recipients");

pub(crate) const UNKNOWN_COMMAND: Reply = reply(500, [5, 5, 1], "Command unrecognized");
pub(crate) const LINE_TOO_LONG: Reply = reply(500, [5, 5, 2], "Line too long");
pub(crate) const SYNTAX: Reply = reply(501, [5, 5, 2], "Syntax error");
pub(crate) const BAD_SENDER: Reply = reply(501, [5, 1, 7], "Bad sender address syntax");
pub(crate) const BAD_RECIPIENT: Reply = reply(501, [5, 1, 3], "Bad recipient address syntax");
pub(crate) const BAD_PARAMETER: Reply = reply(501, [5, 5, 4], "Invalid parameter");
pub(crate) const NOT_IMPLEMENTED: Reply = reply(502, [5, 5, 1], "Command not implemented");
pub(crate) const HELLO_FIRST: Reply = reply(503, [5, 5, 1], "Send EHLO first");
pub(crate) const LHLO_FIRST: Reply = reply(503, [5, 5, 1], "Send LHLO first");
pub(crate) const MAIL_FIRST: Reply = reply(503, [5, 5, 1], "Send MAIL first");
pub(crate) const NESTED_MAIL: Reply = reply(503, [5, 5, 1], "Sender already given");
pub(crate) const ALREADY_TLS: Reply = reply(503, [5, 5, 1], "TLS already active");
pub(crate) const UNSUPPORTED_PARAMETER: Reply = reply(504, [5, 5, 4], "Unsupported parameter");
pub(crate) const WRONG_HELLO: Reply = reply(500, [5, 5, 1], "Wrong greeting for this protocol");
pub(crate) const UNKNOWN_RECIPIENT: Reply = reply(550, [5, 1, 1], "No such recipient here");
pub(crate) const UNINSTALLED: Reply = reply(
    550,
    [5, 2, 1],
    "Mailbox disabled: its site has uninstalled the Jira app behind it",
);
pub(crate) const TOO_BIG: Reply = reply(552, [5, 3, 4], "Message too big");
pub(crate) const NO_RECIPIENTS: Reply = reply(554, [5, 5, 1], "No valid recipients");
pub(crate) const REFUSED: Reply = reply(554, [5, 6, 0], "Message refused");

/// Appends `reply` to the output buffer.
pub(crate) fn push(out: &mut Vec<u8>, reply: Reply) {
    let [a, b, c] = reply.esc;
    // Writing into a Vec cannot fail.
    let _ = Response::new(reply.code, a, b, c, reply.text).write(&mut *out);
}

/// Appends the `250` after a committed message, naming the sink's id for the sender's log.
pub(crate) fn push_queued(out: &mut Vec<u8>, id: &str) {
    let _ = Response::new(250, 2, 0, 0, format!("Queued as {id}")).write(&mut *out);
}

/// Appends a reply that carries no enhanced status code: the greeting and `354`, which
/// RFC 2034 leaves without one (and `3.x.x` is not a valid class).
pub(crate) fn push_plain(out: &mut Vec<u8>, code: u16, text: &str) {
    out.extend_from_slice(format!("{code} {text}\r\n").as_bytes());
}

/// Appends the `EHLO`/`LHLO` reply with the extensions this session offers.
pub(crate) fn push_ehlo(out: &mut Vec<u8>, hostname: &str, max_size: usize, offer_tls: bool) {
    let mut ehlo = EhloResponse::new(hostname);
    ehlo.capabilities = EXT_SIZE
        | EXT_PIPELINING
        | EXT_8BIT_MIME
        | EXT_SMTP_UTF8
        | EXT_ENHANCED_STATUS_CODES
        | if offer_tls { EXT_START_TLS } else { 0 };
    ehlo.size = max_size;
    let _ = ehlo.write(&mut *out);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_carry_code_and_enhanced_code() {
        let mut out = Vec::new();
        push(&mut out, UNKNOWN_RECIPIENT);
        push_plain(&mut out, 354, "Go ahead");
        assert_eq!(out, b"550 5.1.1 No such recipient here\r\n354 Go ahead\r\n");
    }

    #[test]
    fn ehlo_lists_starttls_only_when_offered() {
        let mut with = Vec::new();
        push_ehlo(&mut with, "mx.test", 1000, true);
        let with = String::from_utf8(with).unwrap_or_default();
        assert!(with.starts_with("250-mx.test"));
        assert!(with.contains("SIZE 1000\r\n") && with.contains("STARTTLS"));
        assert!(with.contains("PIPELINING") && with.contains("ENHANCEDSTATUSCODES"));
        assert!(with.contains("8BITMIME") && with.contains("SMTPUTF8"));
        let mut without = Vec::new();
        push_ehlo(&mut without, "mx.test", 1000, false);
        assert!(!String::from_utf8_lossy(&without).contains("STARTTLS"));
    }
}
