//! Placeholders in a raw mail: address headers rewritten from their parsed form, the rest
//! of the header block and the body scrubbed as text.

use mail_parser::MessageParser;

use super::Placeholders;

/// Header fields whose value is a list of addresses.
const ADDRESS_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "sender",
    "resent-from",
    "resent-to",
    "resent-cc",
    "resent-sender",
];

pub(super) fn learn(placeholders: &mut Placeholders, raw: &[u8]) {
    let (head, _) = split(raw);
    for field in fields(head) {
        if is_address_field(field) {
            render(placeholders, field);
        }
    }
}

pub(super) fn scrub(placeholders: &mut Placeholders, raw: &[u8]) -> Vec<u8> {
    learn(placeholders, raw);
    let (head, body) = split(raw);
    let mut out = Vec::with_capacity(raw.len());
    for field in fields(head) {
        match is_address_field(field)
            .then(|| render(placeholders, field))
            .flatten()
        {
            Some(rendered) => out.extend_from_slice(rendered.as_bytes()),
            None => out.extend_from_slice(&placeholders.bytes(field)),
        }
    }
    out.extend_from_slice(&placeholders.bytes(body));
    out
}

/// The header block (with the blank line that ends it) and the body.
fn split(raw: &[u8]) -> (&[u8], &[u8]) {
    let mut at = 0;
    while at < raw.len() {
        let end = line_end(raw, at);
        let line = &raw[at..end];
        if line == b"\n" || line == b"\r\n" {
            return raw.split_at(end);
        }
        at = end;
    }
    (raw, &[])
}

/// The header block cut into fields, each with its folded continuation lines and line ends.
fn fields(head: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut at = 0;
    while at < head.len() {
        let end = line_end(head, at);
        let continues = matches!(head.get(end), Some(b' ' | b'\t'));
        if !continues {
            out.push(&head[start..end]);
            start = end;
        }
        at = end;
    }
    if start < head.len() {
        out.push(&head[start..]);
    }
    out
}

/// Where the line that starts at `at` ends, its newline included.
fn line_end(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |n| at + n + 1)
}

fn is_address_field(field: &[u8]) -> bool {
    let Some(colon) = field.iter().position(|b| *b == b':') else {
        return false;
    };
    let name = String::from_utf8_lossy(&field[..colon])
        .trim()
        .to_ascii_lowercase();
    ADDRESS_FIELDS.contains(&name.as_str())
}

/// The field with every address and display name replaced, keeping its name and line end;
/// `None` when it does not parse as addresses (it is then scrubbed as text).
fn render(placeholders: &mut Placeholders, field: &[u8]) -> Option<String> {
    let colon = field.iter().position(|b| *b == b':')?;
    let name = String::from_utf8_lossy(&field[..colon]).into_owned();
    let mut probe = b"To:".to_vec();
    probe.extend_from_slice(&field[colon + 1..]);
    probe.extend_from_slice(b"\r\n\r\n");
    let parsed = MessageParser::new().parse_headers(&probe)?;
    let list = parsed.to()?;
    let mut rendered = Vec::new();
    for addr in list.iter() {
        let address = addr.address().map(|a| placeholders.address(a));
        let display = addr
            .name()
            .filter(|n| !n.trim().is_empty())
            .map(|n| placeholders.name(n));
        rendered.push(match (display, address) {
            (Some(d), Some(a)) => format!("{d} <{a}>"),
            (None, Some(a)) => a,
            (Some(d), None) => d,
            (None, None) => continue,
        });
    }
    let ending = if field.ends_with(b"\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Some(format!("{name}: {}{ending}", rendered.join(", ")))
}
