//! Mailing-list and newsletter traffic (RFC 2919 `List-Id`, RFC 2369 `List-*`).

use crate::message::Message;

/// Returns the deciding header when the message came through a list or newsletter sender.
/// `Precedence: bulk` alone is not enough: it is set by many transactional senders.
pub(super) fn detect(message: &Message) -> Option<String> {
    for name in ["List-Id", "List-Unsubscribe", "List-Post", "Mailing-List"] {
        if message.header(name).is_some_and(|v| !v.trim().is_empty()) {
            return Some(format!("header {name}"));
        }
    }
    message
        .headers_named("Precedence")
        .any(|v| v.trim().eq_ignore_ascii_case("list"))
        .then(|| "header Precedence: list".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::HeaderField;

    fn with(name: &str, value: &str) -> Message {
        Message {
            headers: vec![HeaderField {
                name: name.into(),
                value: value.into(),
            }],
            ..Message::default()
        }
    }

    #[test]
    fn list_headers_decide_and_bulk_does_not() {
        assert!(detect(&with("List-Id", "<dev.lists.example.org>")).is_some());
        assert!(detect(&with("list-unsubscribe", "<mailto:u@example.org>")).is_some());
        assert!(detect(&with("Precedence", "List")).is_some());
        assert!(detect(&with("Precedence", "bulk")).is_none());
        assert!(detect(&with("List-Id", "  ")).is_none());
        assert!(detect(&Message::default()).is_none());
    }
}
