//! Conversion from `mail-parser`'s borrowed tree into postroom's owned [`Message`].

use std::sync::LazyLock;

use mail_parser::{
    Encoding, HeaderName, HeaderValue, MessageParser, MessagePart, MimeHeaders, PartType,
};

use super::eight_bit;
use super::header::{self, HeaderField};
use super::leading_blank;
use super::nesting;
use super::{
    Attachment, ContentType, EmailAddress, Mailbox, Message, MessageDate, MessageId, ParseError,
    ParseLimits, ParseWarning, Parsed, ReturnPath,
};

/// Only the headers postroom reads through mail-parser are parsed into structures; the
/// rest (notably `Received`, whose full parse was the costliest step on bounce mail) stay
/// raw, and classifiers read them from [`Message::headers`].
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    MessageParser::new()
        .with_mime_headers()
        .with_date_headers()
        .with_address_headers()
        .with_message_ids()
        .header_text(HeaderName::Subject)
});

pub(super) fn parse(raw: &[u8], limits: &ParseLimits) -> Result<Parsed, ParseError> {
    if raw.len() > limits.max_size {
        return Err(ParseError::TooLarge {
            size: raw.len(),
            limit: limits.max_size,
        });
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ParseError::Empty);
    }
    let mut warnings = Vec::new();
    let raw = leading_blank::skip(raw);
    let repaired = eight_bit::repair_header_block(raw, eight_bit::Parts::Repair);
    if repaired.as_ref().is_some_and(|r| r.eight_bit) {
        warnings.push(ParseWarning::EightBitHeader);
    }
    let mut input = repaired.as_ref().map_or(raw, |r| r.bytes.as_slice());
    if let Some(cut) = nesting::cut_point(input, limits.max_containers) {
        warnings.push(ParseWarning::TooManyContainers {
            limit: limits.max_containers,
        });
        input = &input[..cut];
    }
    let message = match PARSER.parse(input) {
        Some(mut parsed) => {
            let message = convert(&mut parsed, limits, 0, &mut warnings);
            check_top_level(&message, &mut warnings);
            message
        }
        None => {
            warnings.push(ParseWarning::NoHeaders);
            Message {
                text_body: Some(String::from_utf8_lossy(raw).into_owned()),
                ..Message::default()
            }
        }
    };
    let blank = |body: &Option<String>| body.as_deref().is_none_or(|b| b.trim().is_empty());
    if blank(&message.text_body) && blank(&message.html_body) {
        warnings.push(ParseWarning::NoBody);
    }
    Ok(Parsed { message, warnings })
}

/// Warnings that only make sense for the message postroom received, not for an attached
/// copy (bounces often attach headers-only or truncated originals).
fn check_top_level(message: &Message, warnings: &mut Vec<ParseWarning>) {
    for (name, present) in [
        ("From", message.from.is_some()),
        ("Message-ID", message.message_id.is_some()),
        ("Date", message.date.is_some()),
    ] {
        if !present && message.header(name).is_none() {
            warnings.push(ParseWarning::MissingHeader(name));
        }
    }
}

/// Takes the decoded attachment bodies out of `parsed` instead of copying them, so a
/// large attachment is held once (plus the raw input), not twice.
fn convert(
    parsed: &mut mail_parser::Message<'_>,
    limits: &ParseLimits,
    depth: usize,
    warnings: &mut Vec<ParseWarning>,
) -> Message {
    let raw = parsed.raw_message.as_ref();
    let root = parsed.root_part();
    let headers: Vec<HeaderField> = root
        .headers
        .iter()
        .map(|h| HeaderField {
            name: h.name.as_str().to_owned(),
            value: header::unfold(
                raw.get(h.offset_start as usize..h.offset_end as usize)
                    .unwrap_or_default(),
            ),
        })
        .collect();

    let mut message = Message {
        content_type: ContentType::from_parser(root.content_type(), "text/plain"),
        from: first_mailbox(parsed.from(), "From", warnings),
        sender: first_mailbox(parsed.sender(), "Sender", warnings),
        reply_to: mailboxes(parsed.reply_to(), "Reply-To", warnings),
        to: mailboxes(parsed.to(), "To", warnings),
        cc: mailboxes(parsed.cc(), "Cc", warnings),
        message_id: message_id(parsed, warnings),
        in_reply_to: id_list(parsed.in_reply_to(), "In-Reply-To", warnings),
        references: id_list(parsed.references(), "References", warnings),
        date: date(parsed, warnings),
        subject: parsed.subject().map(|s| s.trim().to_owned()),
        ..Message::default()
    };
    message.return_path = return_path(&headers, warnings);
    message.delivered_to = header::find(&headers, "Delivered-To")
        .filter_map(|f| match EmailAddress::parse(&f.value) {
            Ok(a) => Some(a),
            Err(_) => {
                warnings.push(ParseWarning::InvalidAddress("Delivered-To"));
                None
            }
        })
        .collect();
    message.headers = headers;
    message.text_body = joined_body(parsed, &parsed.text_body, false);
    message.html_body = joined_body(parsed, &parsed.html_body, true);
    for (index, part) in parsed.parts.iter().enumerate() {
        if part.is_encoding_problem {
            warnings.push(ParseWarning::EncodingProblem { part: index });
        }
    }
    let mail_parser::Message {
        raw_message,
        parts,
        attachments,
        ..
    } = parsed;
    message.attachments = attachments
        .iter()
        .filter_map(|&id| {
            let part = parts.get_mut(id as usize)?;
            Some(attachment(raw_message, part, limits, depth, warnings))
        })
        .collect();
    message
}

fn attachment(
    parent_raw: &[u8],
    part: &mut MessagePart<'_>,
    limits: &ParseLimits,
    depth: usize,
    warnings: &mut Vec<ParseWarning>,
) -> Attachment {
    let disposition_inline = part.content_disposition().is_some_and(|d| d.is_inline());
    let disposition_attachment = part
        .content_disposition()
        .is_some_and(|d| d.is_attachment());
    // Without a disposition, an image with a Content-ID is one the HTML shows (the usual
    // `multipart/related` case), which mail-parser files as a plain attachment.
    let cid_image = part.content_id().is_some()
        && part
            .content_type()
            .is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("image"));
    let implied_inline = disposition_inline || (!disposition_attachment && cid_image);
    let (default_type, data, inline, message) = match std::mem::take(&mut part.body) {
        PartType::Text(text) => (
            "text/plain",
            text.into_owned().into_bytes(),
            disposition_inline,
            None,
        ),
        PartType::Html(html) => (
            "text/html",
            html.into_owned().into_bytes(),
            disposition_inline,
            None,
        ),
        PartType::Binary(bytes) => (
            "application/octet-stream",
            bytes.into_owned(),
            implied_inline,
            None,
        ),
        PartType::InlineBinary(bytes) => (
            "application/octet-stream",
            bytes.into_owned(),
            !disposition_attachment,
            None,
        ),
        PartType::Message(mut nested) => {
            let opened = if depth + 1 < limits.max_nesting {
                // Warnings about the attached copy are not the received message's problems.
                let mut nested_warnings = Vec::new();
                let inner = convert(&mut nested, limits, depth + 1, &mut nested_warnings);
                warnings.extend(
                    nested_warnings
                        .into_iter()
                        .filter(|w| matches!(w, ParseWarning::NestingTooDeep { .. })),
                );
                Some(Box::new(inner))
            } else {
                if !warnings
                    .iter()
                    .any(|w| matches!(w, ParseWarning::NestingTooDeep { .. }))
                {
                    warnings.push(ParseWarning::NestingTooDeep {
                        limit: limits.max_nesting,
                    });
                }
                None
            };
            let data = if part.encoding == Encoding::None {
                parent_raw
                    .get(part.offset_body as usize..part.offset_end as usize)
                    .unwrap_or_default()
                    .to_vec()
            } else {
                nested.raw_message.into_owned()
            };
            ("message/rfc822", data, disposition_inline, opened)
        }
        PartType::Multipart(_) => ("multipart/mixed", Vec::new(), false, None),
    };
    Attachment {
        name: part
            .attachment_name()
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        content_type: ContentType::from_parser(part.content_type(), default_type).mime,
        size: data.len(),
        inline,
        content_id: part
            .content_id()
            .and_then(|id| MessageId::parse(id).ok())
            .map(|id| id.as_str().to_owned()),
        data,
        message,
    }
}

fn joined_body(parsed: &mail_parser::Message<'_>, ids: &[u32], html: bool) -> Option<String> {
    let mut out: Option<String> = None;
    for part in ids.iter().filter_map(|&id| parsed.parts.get(id as usize)) {
        let text = match (&part.body, html) {
            (PartType::Text(t), false) => {
                normalize_newlines(text_with_charset_fix(parsed, part, t))
            }
            (PartType::Html(h), true) => h.to_string(),
            _ => continue,
        };
        match &mut out {
            Some(acc) => {
                acc.push_str("\n\n");
                acc.push_str(&text);
            }
            None => out = Some(text),
        }
    }
    out
}

/// Bodies keep the sender's CRLF line ends on the wire; every consumer (JSON lines, Jira,
/// reply extraction) wants `\n`.
fn normalize_newlines(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    }
}

/// Mail labelled `us-ascii` that carries raw UTF-8 is common (clients that forget to
/// update the label); `mail-parser` decodes it as windows-1252, giving mojibake. Mail
/// clients show it as UTF-8, and so do we when the 8-bit bytes are valid UTF-8.
fn text_with_charset_fix(
    parsed: &mail_parser::Message<'_>,
    part: &MessagePart<'_>,
    text: &str,
) -> String {
    let labelled_ascii = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some_and(|c| c.eq_ignore_ascii_case("us-ascii") || c.eq_ignore_ascii_case("ascii"));
    if labelled_ascii && part.encoding == Encoding::None && !text.is_ascii() {
        let raw = parsed
            .raw_message
            .get(part.offset_body as usize..part.offset_end as usize)
            .unwrap_or_default();
        if let Ok(utf8) = std::str::from_utf8(raw) {
            return utf8.to_owned();
        }
    }
    text.to_owned()
}

fn flatten<'a>(address: Option<&'a mail_parser::Address<'a>>) -> Vec<&'a mail_parser::Addr<'a>> {
    match address {
        Some(mail_parser::Address::List(list)) => list.iter().collect(),
        Some(mail_parser::Address::Group(groups)) => {
            groups.iter().flat_map(|g| g.addresses.iter()).collect()
        }
        None => Vec::new(),
    }
}

fn mailboxes(
    address: Option<&mail_parser::Address<'_>>,
    header: &'static str,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<Mailbox> {
    let mut out = Vec::new();
    for addr in flatten(address) {
        let Some(raw) = addr.address.as_deref() else {
            continue;
        };
        match Mailbox::parse(addr.name.as_deref(), raw) {
            Ok(mailbox) => out.push(mailbox),
            Err(_) => warnings.push(ParseWarning::InvalidAddress(header)),
        }
    }
    out
}

fn first_mailbox(
    address: Option<&mail_parser::Address<'_>>,
    header: &'static str,
    warnings: &mut Vec<ParseWarning>,
) -> Option<Mailbox> {
    let all = flatten(address);
    if address.is_some() && all.iter().all(|a| a.address.is_none()) {
        warnings.push(ParseWarning::InvalidAddress(header));
        return None;
    }
    mailboxes(address, header, warnings).into_iter().next()
}

/// See [`Message::parse_thread_headers`]; parse warnings are not wanted there.
pub(super) fn thread_headers(raw: &[u8]) -> Message {
    let raw = leading_blank::skip(raw);
    let repaired = eight_bit::repair_header_block(raw, eight_bit::Parts::Skip);
    let input = repaired.as_ref().map_or(raw, |r| r.bytes.as_slice());
    let Some(parsed) = PARSER.parse_headers(input) else {
        return Message::default();
    };
    let mut ignored = Vec::new();
    Message {
        message_id: message_id(&parsed, &mut ignored),
        in_reply_to: id_list(parsed.in_reply_to(), "In-Reply-To", &mut ignored),
        references: id_list(parsed.references(), "References", &mut ignored),
        date: date(&parsed, &mut ignored),
        ..Message::default()
    }
}

fn message_id(
    parsed: &mail_parser::Message<'_>,
    warnings: &mut Vec<ParseWarning>,
) -> Option<MessageId> {
    let value = parsed.header_raw("Message-ID")?;
    let candidate = parsed.message_id().unwrap_or(value);
    match MessageId::parse(candidate) {
        Ok(id) => Some(id),
        Err(_) => {
            warnings.push(ParseWarning::InvalidMessageId("Message-ID"));
            None
        }
    }
}

fn id_list(
    value: &HeaderValue<'_>,
    header: &'static str,
    warnings: &mut Vec<ParseWarning>,
) -> Vec<MessageId> {
    let raw: Vec<&str> = match value {
        HeaderValue::Text(t) => vec![t.as_ref()],
        HeaderValue::TextList(list) => list.iter().map(AsRef::as_ref).collect(),
        _ => Vec::new(),
    };
    let mut out = Vec::with_capacity(raw.len());
    for id in raw {
        match MessageId::parse(id) {
            Ok(id) if !out.contains(&id) => out.push(id),
            Ok(_) => {}
            Err(_) => warnings.push(ParseWarning::InvalidMessageId(header)),
        }
    }
    out
}

fn date(
    parsed: &mail_parser::Message<'_>,
    warnings: &mut Vec<ParseWarning>,
) -> Option<MessageDate> {
    parsed.header_raw("Date")?;
    match parsed.date() {
        Some(d) if d.is_valid() => Some(MessageDate {
            timestamp: d.to_timestamp(),
            rfc3339: d.to_rfc3339(),
        }),
        _ => {
            warnings.push(ParseWarning::InvalidDate);
            None
        }
    }
}

fn return_path(headers: &[HeaderField], warnings: &mut Vec<ParseWarning>) -> Option<ReturnPath> {
    let value = header::find(headers, "Return-Path").next()?.value.trim();
    let inner = value.trim_start_matches('<').trim_end_matches('>').trim();
    if inner.is_empty() {
        return Some(ReturnPath::Null);
    }
    match EmailAddress::parse(inner) {
        Ok(address) => Some(ReturnPath::Address(address)),
        Err(_) => {
            warnings.push(ParseWarning::InvalidAddress("Return-Path"));
            None
        }
    }
}
