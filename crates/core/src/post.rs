//! What postroom posts to Jira for a mail: an attribution line naming the sender, then the
//! text, kept within Jira's size limit for a rich-text field.
//!
//! Issues and comments are written by postroom's own Jira account, so without the first
//! line nobody could tell who wrote. Jira refuses a description or comment over its text
//! limit (32,767 characters on a default site) outright, which would park the mail as dead;
//! a text over the limit is cut at a paragraph or line boundary instead, and the whole
//! text travels as an attached file the cut-off body points to.

use crate::adf::{self, Doc, Mark, MarkKind, Mention, Node, NodeKind};

/// Jira's default limit for a text field (`jira.text.field.character.limit`).
pub const JIRA_TEXT_LIMIT: usize = 32_767;

/// Characters of mail text kept in a body: the limit less room for the attribution line,
/// the note about the attachment and what the ADF → storage conversion adds.
pub const MAX_TEXT_CHARS: usize = 30_000;

/// Name of the attachment holding a text that was cut.
pub const FULL_TEXT_FILE: &str = "full-text.txt";

/// Who wrote the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// Display name from `From`, when given.
    pub name: Option<String>,
    /// The address.
    pub address: String,
    /// The sender's Jira account, when the address belongs to exactly one active user.
    pub account: Option<Mention>,
}

/// A body ready to post.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// The document: attribution, then the (possibly cut) text.
    pub doc: Doc,
    /// The whole text when it was cut; attach it as [`FULL_TEXT_FILE`].
    pub full_text: Option<String>,
}

/// Composes the body of an issue or comment written on behalf of `author`.
pub fn compose(author: Option<&Author>, text: &str) -> Body {
    let (kept, cut) = cut(text, MAX_TEXT_CHARS);
    let mut content = Vec::new();
    if let Some(author) = author {
        content.push(attribution(author));
    }
    content.extend(adf::from_text(kept).content);
    if cut {
        content.push(Node::block(
            NodeKind::Paragraph,
            vec![Node::text(
                format!(
                    "[The mail is longer than Jira allows here; the whole text is attached as {FULL_TEXT_FILE}.]"
                ),
                vec![Mark::plain(MarkKind::Em)],
            )],
        ));
    }
    Body {
        doc: Doc::new(content),
        full_text: cut.then(|| text.to_owned()),
    }
}

/// "From Ada Lovelace <ada@example.com>:" with the name in bold, or a mention of the
/// sender's Jira account.
fn attribution(author: &Author) -> Node {
    let mut inlines = vec![Node::text("From ", Vec::new())];
    match &author.account {
        Some(m) => inlines.push(adf::build::mention(m)),
        None => {
            if let Some(name) = author.name.as_deref().filter(|n| !n.trim().is_empty()) {
                inlines.push(Node::text(name.trim(), vec![Mark::plain(MarkKind::Strong)]));
                inlines.push(Node::text(" ", Vec::new()));
            }
            inlines.push(Node::text(format!("<{}>", author.address), Vec::new()));
        }
    }
    inlines.push(Node::text(":", Vec::new()));
    Node::block(NodeKind::Paragraph, inlines)
}

/// `text` cut to at most `max` characters, at the last paragraph or line break before the
/// limit when there is one in its second half; true when anything was cut.
fn cut(text: &str, max: usize) -> (&str, bool) {
    let Some((end, _)) = text.char_indices().nth(max) else {
        return (text, false);
    };
    let head = &text[..end];
    let boundary = head
        .rfind("\n\n")
        .or_else(|| head.rfind('\n'))
        .filter(|&at| at >= end / 2)
        .unwrap_or(end);
    (&text[..boundary], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn author(account: Option<Mention>) -> Author {
        Author {
            name: Some("Ada Lovelace".to_owned()),
            address: "ada@example.com".to_owned(),
            account,
        }
    }

    #[test]
    fn attribution_names_the_sender_then_the_text_follows() {
        let body = compose(Some(&author(None)), "Hello\n\nSecond paragraph");
        let text = adf::to_text(&body.doc);
        assert!(
            text.starts_with("From Ada Lovelace <ada@example.com>:"),
            "{text}"
        );
        assert!(text.contains("Hello") && text.contains("Second paragraph"));
        assert_eq!(body.full_text, None);
        assert_eq!(body.doc.content.len(), 3);
    }

    #[test]
    fn a_jira_user_is_mentioned_instead_of_named() {
        let mention = Mention {
            id: "acc-1".to_owned(),
            text: "@Ada Lovelace".to_owned(),
        };
        let body = compose(Some(&author(Some(mention))), "Hi");
        let first = &body.doc.content[0].content;
        assert_eq!(first[1].kind, NodeKind::Mention);
        assert_eq!(first[1].attr_str("id"), Some("acc-1"));
        let text = adf::to_text(&body.doc);
        assert!(!text.contains("ada@example.com"), "{text}");
    }

    #[test]
    fn an_over_long_text_is_cut_at_a_line_and_kept_whole_for_an_attachment() {
        let line = "x".repeat(99);
        let text = std::iter::repeat_n(line.as_str(), 400)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.chars().count() > MAX_TEXT_CHARS);
        let body = compose(None, &text);
        assert_eq!(body.full_text.as_deref(), Some(text.as_str()));
        let shown = adf::to_text(&body.doc);
        assert!(shown.chars().count() < JIRA_TEXT_LIMIT, "{}", shown.len());
        assert!(shown.contains(FULL_TEXT_FILE));
        assert!(!shown.contains(&format!("{line}x")), "cut inside a line");
    }

    #[test]
    fn a_text_without_breaks_is_cut_at_the_limit_on_a_char_boundary() {
        let text = "é".repeat(MAX_TEXT_CHARS + 10);
        let (kept, cut_) = cut(&text, MAX_TEXT_CHARS);
        assert!(cut_);
        assert_eq!(kept.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(cut("short", 10), ("short", false));
        assert_eq!(cut("", 10), ("", false));
    }

    #[test]
    fn without_an_author_only_the_text_is_posted() {
        let body = compose(None, "Just text");
        assert_eq!(adf::to_text(&body.doc).trim(), "Just text");
    }
}
