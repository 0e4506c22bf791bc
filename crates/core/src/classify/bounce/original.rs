//! Which of our own mails bounced: the returned original's Message-ID, its recipients, and
//! the VERP token of the envelope address the bounce was sent back to.

use std::sync::LazyLock;

use regex::Regex;

use crate::classify::loop_detect::is_own_domain;
use crate::message::{EmailAddress, Message, ReturnPath};

static MESSAGE_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?im)^\s*message-id:\s*<([^<>\s]+@[^<>\s]+)>").ok());

static SENDER_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?im)^\s*(?:from|return-path|sender):\s*(.+)$").ok());

static TO_LINE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?im)^\s*to:\s*(.+)$").ok());

/// What is known of the returned original message.
#[derive(Debug, Default)]
pub(super) struct Original {
    pub message_id: Option<String>,
    /// Its recipients: the fallback when the report names no failed address.
    pub to: Vec<String>,
    /// Its author and envelope sender: never the failed recipient.
    pub senders: Vec<String>,
}

/// Reads the original from an attached message, an attached header block, or the copy
/// quoted below the explanation (`copy`), in that order of trust.
pub(super) fn find(message: &Message, copy: &str) -> Original {
    if let Some(attached) = message
        .attachments
        .iter()
        .find_map(|a| a.message.as_deref())
    {
        let mut senders: Vec<String> = attached
            .from
            .iter()
            .map(|m| m.address.as_str().to_owned())
            .collect();
        if let Some(ReturnPath::Address(a)) = &attached.return_path {
            senders.push(a.as_str().to_owned());
        }
        return Original {
            message_id: attached
                .message_id
                .as_ref()
                .map(|id| id.as_str().to_owned()),
            to: attached
                .to
                .iter()
                .chain(&attached.cc)
                .map(|m| m.address.as_str().to_owned())
                .collect(),
            senders,
        };
    }
    let headers = message
        .attachments
        .iter()
        .filter(|a| {
            a.is_type("text/rfc822-headers")
                || a.is_type("message/rfc822-headers")
                || a.is_type("message/global-headers")
        })
        .find_map(|a| a.text().map(|t| t.into_owned()));
    from_header_text(headers.as_deref().unwrap_or(copy))
}

fn from_header_text(text: &str) -> Original {
    let message_id = MESSAGE_ID
        .as_ref()
        .and_then(|r| r.captures(text))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned());
    let to = TO_LINE
        .as_ref()
        .and_then(|r| r.captures(text))
        .and_then(|c| c.get(1))
        .map(|m| {
            m.as_str()
                .split(',')
                .filter_map(|part| {
                    let inner = part.rsplit_once('<').map_or(part, |(_, r)| r);
                    EmailAddress::parse(inner.trim_end_matches('>')).ok()
                })
                .map(|a| a.as_str().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let senders = SENDER_LINE
        .as_ref()
        .map(|r| {
            r.captures_iter(text)
                .filter_map(|c| c.get(1))
                .filter_map(|m| {
                    let v = m.as_str();
                    let inner = v.rsplit_once('<').map_or(v, |(_, r)| r);
                    EmailAddress::parse(inner.trim_end_matches('>').trim()).ok()
                })
                .map(|a| a.as_str().to_owned())
                .collect()
        })
        .unwrap_or_default();
    Original {
        message_id,
        to,
        senders,
    }
}

/// The token of an own VERP address (`bounces+TOKEN@own.domain`) the bounce was delivered
/// to; `None` without own domains or without such an address.
pub(super) fn verp_token(message: &Message, own_domains: &[String]) -> Option<String> {
    let envelope = message
        .delivered_to
        .iter()
        .chain(message.to.iter().map(|m| &m.address));
    let header = message
        .headers_named("X-Original-To")
        .filter_map(|v| EmailAddress::parse(v).ok())
        .collect::<Vec<_>>();
    envelope.chain(header.iter()).find_map(|address| {
        if !is_own_domain(address.domain(), own_domains) {
            return None;
        }
        crate::verp::split(address).map(|(_, token)| token.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_gives_message_id_and_recipients() {
        let o = from_header_text(
            "From: me@example.com\nTo: Ann <ann@example.org>, bob@example.org\nMessage-Id: <abc@mail.example.com>\n",
        );
        assert_eq!(o.message_id.as_deref(), Some("abc@mail.example.com"));
        assert_eq!(o.to, ["ann@example.org", "bob@example.org"]);
        assert_eq!(o.senders, ["me@example.com"]);
        assert!(from_header_text("").message_id.is_none());
    }
}
