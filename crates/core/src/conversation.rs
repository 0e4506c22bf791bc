//! Where a message stands in its conversation, so that the mails of one conversation are
//! carried out one at a time and in order: the original before its replies, then by date.
//!
//! Without this, workers running in parallel plan a reply before its original's issue
//! exists, and the reply opens a second issue. The engine stores each message's [`Place`]
//! when it is taken in; a worker about to plan a message first waits for the messages of
//! the same conversation that come before it ([`Place::order`]) and are not carried out yet,
//! then holds the conversation (one claim per [`Place::thread`]) while it plans and acts.
//!
//! Every value here is a keyed hash ([`Redactor::message_id_key`]): the store never holds a
//! Message-ID in clear, yet a reply's `References` find the original's place.

use crate::message::{Message, MessageId};
use crate::redact::Redactor;

/// A message's place in its conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The keyed hash of the message's own Message-ID, if it has one.
    pub message: Option<String>,
    /// The keyed hash of the conversation's first message: the first `References` entry,
    /// else the first `In-Reply-To` id, else the message's own id. Mail clients copy the
    /// root into every reply's `References`, so all mails of a conversation agree on it.
    pub thread: String,
    /// How many messages came before this one in the conversation, as its `References`
    /// count them (1 for a reply that names only its parent in `In-Reply-To`).
    pub depth: i64,
    /// The `Date` header in milliseconds, or the time the message was taken in when it has
    /// none: siblings at one depth are carried out in the order they were written.
    pub sent_at_ms: i64,
    /// The keyed hashes of the ids in `In-Reply-To` and `References`: the messages this
    /// one answers, each of which it waits for while it is not carried out yet.
    pub parents: Vec<String>,
}

/// The headers [`Place::of`] reads, as parsed: ids without brackets.
#[derive(Debug, Clone, Copy)]
pub struct Headers<'a> {
    pub message_id: Option<&'a MessageId>,
    pub in_reply_to: &'a [MessageId],
    pub references: &'a [MessageId],
    /// Seconds since the epoch, from the `Date` header.
    pub date: Option<i64>,
}

impl<'a> Headers<'a> {
    /// The headers of a parsed message.
    pub fn of(message: &'a Message) -> Self {
        Self {
            message_id: message.message_id.as_ref(),
            in_reply_to: &message.in_reply_to,
            references: &message.references,
            date: message.date.as_ref().map(|d| d.timestamp),
        }
    }
}

impl Place {
    /// The place of a message with `headers`, taken in at `received_at_ms`. `None` for a
    /// message that names no Message-ID at all (neither its own nor another): it belongs
    /// to no conversation anyone could continue, so it never waits and is never waited for.
    pub fn of(headers: Headers<'_>, received_at_ms: i64, redactor: &Redactor) -> Option<Self> {
        let root = headers
            .references
            .first()
            .or_else(|| headers.in_reply_to.first())
            .or(headers.message_id)?;
        let depth = if headers.references.is_empty() {
            usize::from(!headers.in_reply_to.is_empty())
        } else {
            headers.references.len()
        };
        let key = |id: &MessageId| redactor.message_id_key(id.as_str());
        let mut parents: Vec<String> = Vec::new();
        for id in headers.in_reply_to.iter().chain(headers.references) {
            let hashed = key(id);
            if Some(id) != headers.message_id && !parents.contains(&hashed) {
                parents.push(hashed);
            }
        }
        Some(Self {
            message: headers.message_id.map(key),
            thread: key(root),
            depth: i64::try_from(depth).unwrap_or(i64::MAX),
            sent_at_ms: headers
                .date
                .map_or(received_at_ms, |s| s.saturating_mul(1000)),
            parents,
        })
    }

    /// The position in the conversation's order; ties are broken by the caller with the
    /// time the message was taken in and its intake id, so the order is total.
    pub fn order(&self) -> (i64, i64) {
        (self.depth, self.sent_at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> MessageId {
        MessageId::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn redactor() -> Redactor {
        Redactor::new([7; 32])
    }

    fn place(own: Option<&str>, irt: &[&str], refs: &[&str], date: Option<i64>) -> Option<Place> {
        let own = own.map(id);
        let irt: Vec<MessageId> = irt.iter().map(|s| id(s)).collect();
        let refs: Vec<MessageId> = refs.iter().map(|s| id(s)).collect();
        let headers = Headers {
            message_id: own.as_ref(),
            in_reply_to: &irt,
            references: &refs,
            date,
        };
        Place::of(headers, 5_000, &redactor())
    }

    #[test]
    fn an_original_and_its_replies_share_the_thread_and_come_in_order() {
        let r = redactor();
        let original = place(Some("a@x"), &[], &[], Some(100)).unwrap_or_else(|| panic!());
        let reply = place(Some("b@y"), &["a@x"], &["a@x"], Some(90)).unwrap_or_else(|| panic!());
        let second =
            place(Some("c@x"), &["b@y"], &["a@x", "b@y"], Some(80)).unwrap_or_else(|| panic!());
        assert_eq!(original.thread, r.message_id_key("a@x"));
        assert_eq!(reply.thread, original.thread);
        assert_eq!(second.thread, original.thread);
        // A parent comes first even when the clocks say otherwise.
        assert!(original.order() < reply.order());
        assert!(reply.order() < second.order());
        assert_eq!(reply.parents, vec![r.message_id_key("a@x")]);
        assert_eq!(
            second.parents,
            vec![r.message_id_key("b@y"), r.message_id_key("a@x")]
        );
        assert_eq!(original.message, Some(r.message_id_key("a@x")));
    }

    #[test]
    fn siblings_are_ordered_by_their_date() {
        let early = place(Some("b@y"), &["a@x"], &["a@x"], Some(10)).unwrap_or_else(|| panic!());
        let late = place(Some("c@y"), &["a@x"], &["a@x"], Some(20)).unwrap_or_else(|| panic!());
        assert!(early.order() < late.order());
        assert_eq!(early.thread, late.thread);
    }

    #[test]
    fn in_reply_to_alone_names_the_thread_and_one_level() {
        let reply = place(Some("b@y"), &["a@x"], &[], None).unwrap_or_else(|| panic!());
        assert_eq!(reply.thread, redactor().message_id_key("a@x"));
        assert_eq!(reply.depth, 1);
        assert_eq!(reply.sent_at_ms, 5_000, "no Date: the time it was taken in");
    }

    #[test]
    fn a_message_naming_no_id_has_no_place() {
        assert_eq!(place(None, &[], &[], Some(1)), None);
        let orphan = place(None, &["a@x"], &[], None).unwrap_or_else(|| panic!());
        assert_eq!(orphan.message, None);
        assert_eq!(orphan.depth, 1);
    }

    #[test]
    fn the_intake_and_the_worker_read_the_same_place() {
        let raw = b"From: a@x\r\nMessage-ID:  <b@y>\r\nIn-Reply-To: <a@x>\r\n\
                    References: <r@x>\r\n <a@x>\r\nDate: Mon, 23 Nov 2026 10:00:01 +0000\r\n\
                    Subject: Re: hi\r\n\r\nbody\r\n";
        let r = redactor();
        let full = Message::parse(raw, &crate::message::ParseLimits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let quick = Message::parse_thread_headers(raw);
        let a = Place::of(Headers::of(&full.message), 1, &r);
        let b = Place::of(Headers::of(&quick), 1, &r);
        assert_eq!(a, b);
        let place = a.unwrap_or_else(|| panic!());
        assert_eq!(place.thread, r.message_id_key("r@x"));
        assert_eq!(place.depth, 2);
        assert_eq!(place.sent_at_ms, 1_795_428_001_000);
        assert_eq!(
            Message::parse_thread_headers(b"\xff\xfe not mail"),
            Message::default()
        );
    }

    #[test]
    fn a_message_never_waits_for_itself_and_odd_dates_do_not_overflow() {
        let looped = place(Some("a@x"), &["a@x"], &["a@x", "a@x"], Some(i64::MAX))
            .unwrap_or_else(|| panic!());
        assert!(looped.parents.is_empty());
        assert_eq!(looped.sent_at_ms, i64::MAX);
    }
}
