//! What postroom posts to Jira for a mail: an attribution line naming the sender, then the
//! text, kept within Jira's size limit for a rich-text field.
//!
//! Issues and comments are written by postroom's own Jira account, so without the first
//! line nobody could tell who wrote. Jira refuses a description or comment over its text
//! limit (32,767 characters on a default site) outright, which would park the mail as dead;
//! a text over the limit is cut at a paragraph or line boundary instead, and the whole
//! text travels as an attached file the cut-off body points to. Inline images the mail
//! showed in its HTML appear where they stood, once uploaded (see [`crate::inline_image`]).

use crate::adf::{self, Doc, Mark, MarkKind, Mention, Node, NodeKind};
use crate::inline_image::{self, Piece};

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

/// An uploaded inline image as a body shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// The attachment's file name on the issue: what wiki markup names (`!name!`) and the
    /// ADF media's `alt`, from which the Data Center conversion writes that markup.
    pub file_name: String,
    /// The attachment's content URL (`/rest/api/3/attachment/content/{id}`), which an ADF
    /// `external` media points at. Jira documents no way to learn the Media Services id a
    /// `file` media needs, but it documents this URL in every attachment it returns.
    pub url: String,
}

/// Finds the uploaded image for a Content-ID; `None` drops the image from the body (a
/// logo the policy left out, a part Jira refused).
pub type ImageLookup<'a> = &'a dyn Fn(&str) -> Option<InlineImage>;

/// No image is shown: every placeholder is dropped.
pub fn no_images(_: &str) -> Option<InlineImage> {
    None
}

/// The whole text, without placeholders, when it is too long for a body: what goes into
/// [`FULL_TEXT_FILE`]. Known before anything is posted, so it can be uploaded first.
pub fn full_text(text: &str) -> Option<String> {
    cut(text, MAX_TEXT_CHARS)
        .1
        .then(|| inline_image::strip(text))
}

/// True when the text shows an image `images` finds: only then is a body worth writing
/// again after the upload.
pub fn shows_images(text: &str, images: ImageLookup<'_>) -> bool {
    inline_image::pieces(text)
        .into_iter()
        .any(|p| matches!(p, Piece::Image(id) if images(id).is_some()))
}

/// Composes the body of an issue or comment written on behalf of `author`: the
/// attribution, then the (possibly cut) text with the inline images `images` finds in
/// place. When the text was cut, [`full_text`] is what to attach as [`FULL_TEXT_FILE`].
pub fn compose(author: Option<&Author>, text: &str, images: ImageLookup<'_>) -> Doc {
    let (kept, cut) = cut(text, MAX_TEXT_CHARS);
    let kept = inline_image::without_cut_placeholder(kept);
    let mut content = Vec::new();
    if let Some(author) = author {
        content.push(attribution(author));
    }
    content.extend(with_images(kept, images));
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
    Doc::new(content)
}

/// The text's blocks with each found image as a `mediaSingle` between them; the text
/// around a dropped image stays one run, so dropping it splits no paragraph.
fn with_images(text: &str, images: ImageLookup<'_>) -> Vec<Node> {
    let mut blocks = Vec::new();
    let mut run = String::new();
    for piece in inline_image::pieces(text) {
        match piece {
            Piece::Text(t) => run.push_str(t),
            Piece::Image(id) => {
                if let Some(image) = images(id) {
                    blocks.extend(adf::from_text(&std::mem::take(&mut run)).content);
                    blocks.push(media(&image));
                }
            }
        }
    }
    blocks.extend(adf::from_text(&run).content);
    blocks
}

/// An ADF `mediaSingle` holding an `external` media: the form Jira documents for an image
/// by URL, which needs no Media Services id.
fn media(image: &InlineImage) -> Node {
    let inner = Node::block(NodeKind::Media, Vec::new())
        .with_attr("type", "external")
        .with_attr("url", image.url.as_str())
        .with_attr("alt", image.file_name.as_str());
    Node::block(NodeKind::MediaSingle, vec![inner]).with_attr("layout", "center")
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
        let body = compose(Some(&author(None)), "Hello\n\nSecond paragraph", &no_images);
        let text = adf::to_text(&body);
        assert!(
            text.starts_with("From Ada Lovelace <ada@example.com>:"),
            "{text}"
        );
        assert!(text.contains("Hello") && text.contains("Second paragraph"));
        assert_eq!(full_text("Hello\n\nSecond paragraph"), None);
        assert_eq!(body.content.len(), 3);
    }

    #[test]
    fn a_jira_user_is_mentioned_instead_of_named() {
        let mention = Mention {
            id: "acc-1".to_owned(),
            text: "@Ada Lovelace".to_owned(),
        };
        let body = compose(Some(&author(Some(mention))), "Hi", &no_images);
        let first = &body.content[0].content;
        assert_eq!(first[1].kind, NodeKind::Mention);
        assert_eq!(first[1].attr_str("id"), Some("acc-1"));
        let text = adf::to_text(&body);
        assert!(!text.contains("ada@example.com"), "{text}");
    }

    #[test]
    fn an_over_long_text_is_cut_at_a_line_and_kept_whole_for_an_attachment() {
        let line = "x".repeat(99);
        let text = std::iter::repeat_n(line.as_str(), 400)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text.chars().count() > MAX_TEXT_CHARS);
        let body = compose(None, &text, &no_images);
        assert_eq!(full_text(&text).as_deref(), Some(text.as_str()));
        let shown = adf::to_text(&body);
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
        let body = compose(None, "Just text", &no_images);
        assert_eq!(adf::to_text(&body).trim(), "Just text");
    }

    fn shot(id: &str) -> Option<InlineImage> {
        (id == "shot@x").then(|| InlineImage {
            file_name: "screen shot.png".to_owned(),
            url: "https://jira.example/rest/api/3/attachment/content/10001".to_owned(),
        })
    }

    fn with_placeholders() -> String {
        let ph = |cid: &str| inline_image::placeholder(cid).unwrap();
        format!(
            "Look:\n\n{}\n\nBroken since{} Monday.",
            ph("cid:shot@x"),
            ph("cid:logo@x")
        )
    }

    #[test]
    fn an_uploaded_image_is_a_media_node_where_it_stood() {
        let body = compose(None, &with_placeholders(), &shot);
        let kinds: Vec<&NodeKind> = body.content.iter().map(|n| &n.kind).collect();
        assert_eq!(
            kinds,
            [
                &NodeKind::Paragraph,
                &NodeKind::MediaSingle,
                &NodeKind::Paragraph
            ]
        );
        let media = &body.content[1].content[0];
        assert_eq!(media.kind, NodeKind::Media);
        assert_eq!(media.attr_str("type"), Some("external"));
        assert_eq!(
            media.attr_str("url"),
            Some("https://jira.example/rest/api/3/attachment/content/10001")
        );
        assert_eq!(media.attr_str("alt"), Some("screen shot.png"));
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(adf::validate(&body), Ok(()), "{json}");
        assert_eq!(
            crate::wiki::from_adf(&body).trim(),
            "Look:\n\n!screen shot.png!\n\nBroken since Monday."
        );
    }

    #[test]
    fn an_image_not_uploaded_leaves_no_trace_and_splits_nothing() {
        let body = compose(None, &with_placeholders(), &no_images);
        let text = adf::to_text(&body);
        assert_eq!(text.trim(), "Look:\n\nBroken since Monday.");
        assert!(!serde_json::to_string(&body).unwrap().contains("cid:"));
        assert!(shows_images(&with_placeholders(), &shot));
        assert!(!shows_images(&with_placeholders(), &no_images));
        assert!(!shows_images("no images", &shot));
    }

    #[test]
    fn a_placeholder_cut_by_the_limit_is_dropped_and_the_full_text_has_none() {
        let text = format!(
            "{}{}",
            "y".repeat(MAX_TEXT_CHARS - 3),
            inline_image::placeholder("cid:shot@x").unwrap()
        );
        let body = compose(None, &text, &shot);
        let json = serde_json::to_string(&body).unwrap();
        assert!(!json.contains("cid:") && !json.contains('\u{FFFC}'));
        assert_eq!(full_text(&text), Some("y".repeat(MAX_TEXT_CHARS - 3)));
        assert_eq!(full_text("short"), None);
    }
}
