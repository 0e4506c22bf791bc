//! Small builders shared by the converters: inline runs with merged text, media and mentions.

use super::{Mark, Node, NodeKind};

/// An attachment that an inline image points to, as the converters need it.
///
/// ADF refers to an image by the attachment's media id; wiki markup refers to it by file
/// name, so both are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// The Media Services id of the attachment (ADF `media.attrs.id`).
    pub id: String,
    /// The attachment's file name (wiki `!name.png!`).
    pub file_name: String,
}

/// A mention of a Jira user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The account id (Cloud) or user name (Data Center).
    pub id: String,
    /// The text shown, e.g. `@Ada Lovelace`.
    pub text: String,
}

/// The link scheme by which HTML and text name a mention: `<a href="mention:ID">@Name</a>`.
pub(crate) const MENTION_SCHEME: &str = "mention:";

/// A `mediaSingle` block wrapping one file media.
pub(crate) fn media_single(media: &MediaRef) -> Node {
    let inner = Node::block(NodeKind::Media, Vec::new())
        .with_attr("id", media.id.as_str())
        .with_attr("type", "file")
        .with_attr("collection", "")
        .with_attr("alt", media.file_name.as_str());
    Node::block(NodeKind::MediaSingle, vec![inner]).with_attr("layout", "center")
}

/// A `mention` inline node.
pub(crate) fn mention(m: &Mention) -> Node {
    Node::block(NodeKind::Mention, Vec::new())
        .with_attr("id", m.id.as_str())
        .with_attr("text", m.text.as_str())
}

/// Collects inline nodes, merging neighbouring text with the same marks and dropping empty
/// text, so that converters can push freely and still produce valid ADF.
#[derive(Debug, Default)]
pub(crate) struct Inlines {
    nodes: Vec<Node>,
}

impl Inlines {
    pub(crate) fn push_text(&mut self, text: &str, marks: &[Mark]) {
        if text.is_empty() {
            return;
        }
        if let Some(last) = self.nodes.last_mut()
            && last.kind == NodeKind::Text
            && last.marks == marks
            && let Some(existing) = last.text.as_mut()
        {
            existing.push_str(text);
            return;
        }
        self.nodes.push(Node::text(text, marks.to_vec()));
    }

    pub(crate) fn push(&mut self, node: Node) {
        self.nodes.push(node);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The nodes with trailing hard breaks and trailing whitespace removed.
    pub(crate) fn finish(mut self) -> Vec<Node> {
        while let Some(last) = self.nodes.last_mut() {
            if last.kind == NodeKind::HardBreak {
                self.nodes.pop();
                continue;
            }
            if last.kind == NodeKind::Text
                && let Some(text) = last.text.as_mut()
            {
                let trimmed = text.trim_end().len();
                text.truncate(trimmed);
                if text.is_empty() {
                    self.nodes.pop();
                    continue;
                }
            }
            break;
        }
        self.nodes
    }

    pub(crate) fn take(&mut self) -> Inlines {
        std::mem::take(self)
    }
}

/// Adds `mark` to `marks` unless a mark of that kind is already there (ADF forbids
/// duplicates), keeping `code` combinable only with `link` as ADF requires.
pub(crate) fn with_mark(marks: &[Mark], mark: Mark) -> Vec<Mark> {
    let mut out = marks.to_vec();
    if out.iter().any(|m| m.kind == mark.kind) {
        return out;
    }
    let is_code = mark.kind == super::MarkKind::Code;
    let has_code = out.iter().any(|m| m.kind == super::MarkKind::Code);
    if is_code {
        out.retain(|m| m.kind == super::MarkKind::Link);
    } else if has_code && mark.kind != super::MarkKind::Link {
        return out;
    }
    out.push(mark);
    out
}
