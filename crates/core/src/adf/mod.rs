//! Atlassian Document Format (ADF): the rich-text format of Jira Cloud's REST API v3.
//!
//! postroom uses an ADF [`Doc`] as its one in-memory form of rich text: e-mail text and
//! sanitized HTML are converted *into* it, Jira Cloud receives it as is, Jira Data Center
//! receives it rendered as wiki markup ([`crate::wiki`]), and notification mails render it
//! back to plain text and safe HTML. Keeping one form means each converter is written once.
//!
//! Nodes are kept generic (type name, attributes, children, text, marks) rather than as one
//! Rust type per node, because Jira adds node types over time and a document from Jira must
//! never fail to load: an unknown node keeps its children and degrades to their text.

pub(crate) mod build;
mod from_html;
mod from_text;
mod kinds;
mod to_html;
mod to_text;
mod validate;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod schema_tests;

pub use build::{MediaRef, Mention};
pub use from_html::{ImageResolver, from_html};
pub use from_text::from_text;
pub use kinds::{MarkKind, NodeKind};
pub(crate) use to_html::is_safe_href;
pub use to_html::to_html;
pub use to_text::to_text;
pub use validate::{AdfViolation, validate};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A whole ADF document: the value of a v3 `description` or comment `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Doc {
    /// Always 1: the only ADF version Jira accepts.
    pub version: u32,
    /// Always `doc`; kept so that the serialized form is exactly what Jira expects.
    #[serde(rename = "type")]
    pub kind: NodeKind,
    /// The top-level block nodes.
    #[serde(default)]
    pub content: Vec<Node>,
}

impl Doc {
    /// A document with the given blocks.
    pub fn new(content: Vec<Node>) -> Self {
        Self {
            version: 1,
            kind: NodeKind::Doc,
            content,
        }
    }

    /// True when the document holds no text, media or mention at all.
    pub fn is_empty(&self) -> bool {
        to_text(self).trim().is_empty()
    }
}

/// One ADF node. Text nodes carry `text` and `marks`; other nodes carry `attrs` and `content`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// The node's type name, e.g. `paragraph`.
    #[serde(rename = "type")]
    pub kind: NodeKind,
    /// Node attributes (heading level, link target of a media, mention id...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Map<String, Value>>,
    /// Child nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
    /// The text of a `text` node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Formatting of a `text` node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
}

/// A mark: formatting applied to a text node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// The mark's type name, e.g. `strong`.
    #[serde(rename = "type")]
    pub kind: MarkKind,
    /// Mark attributes (`href` of a link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attrs: Option<Map<String, Value>>,
}

impl Node {
    /// A node of `kind` with children and no attributes.
    pub fn block(kind: NodeKind, content: Vec<Node>) -> Self {
        Self {
            kind,
            attrs: None,
            content,
            text: None,
            marks: Vec::new(),
        }
    }

    /// A text node with marks.
    pub fn text(text: impl Into<String>, marks: Vec<Mark>) -> Self {
        Self {
            kind: NodeKind::Text,
            attrs: None,
            content: Vec::new(),
            text: Some(text.into()),
            marks,
        }
    }

    /// Adds one attribute, for builders.
    pub fn with_attr(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.attrs
            .get_or_insert_with(Map::new)
            .insert(name.to_owned(), value.into());
        self
    }

    /// The string value of attribute `name`, if set.
    pub fn attr_str(&self, name: &str) -> Option<&str> {
        self.attrs.as_ref()?.get(name)?.as_str()
    }

    /// The integer value of attribute `name`, if set.
    pub fn attr_u64(&self, name: &str) -> Option<u64> {
        self.attrs.as_ref()?.get(name)?.as_u64()
    }
}

impl Mark {
    /// A mark without attributes.
    pub fn plain(kind: MarkKind) -> Self {
        Self { kind, attrs: None }
    }

    /// A link mark to `href`.
    pub fn link(href: &str) -> Self {
        let mut attrs = Map::new();
        attrs.insert("href".to_owned(), Value::String(href.to_owned()));
        Self {
            kind: MarkKind::Link,
            attrs: Some(attrs),
        }
    }

    /// The `href` of a link mark.
    pub fn href(&self) -> Option<&str> {
        self.attrs.as_ref()?.get("href")?.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_nodes_and_marks_load_and_round_trip() {
        let json = r#"{"version":1,"type":"doc","content":[
            {"type":"decisionList","attrs":{"localId":"x"},"content":[
                {"type":"paragraph","content":[{"type":"text","text":"hi","marks":[{"type":"sparkle"}]}]}]}]}"#;
        let doc: Doc = serde_json::from_str(json).unwrap();
        assert_eq!(
            doc.content[0].kind,
            NodeKind::Other("decisionList".to_owned())
        );
        assert_eq!(
            doc.content[0].content[0].content[0].marks[0].kind,
            MarkKind::Other("sparkle".to_owned())
        );
        let back = serde_json::to_value(&doc).unwrap();
        assert_eq!(back["content"][0]["type"], "decisionList");
        assert_eq!(to_text(&doc).trim(), "hi");
    }

    #[test]
    fn serialized_text_node_has_no_empty_fields() {
        let v = serde_json::to_value(Node::text("a", vec![])).unwrap();
        assert_eq!(v, serde_json::json!({"type":"text","text":"a"}));
    }

    #[test]
    fn empty_doc_is_empty() {
        assert!(Doc::new(vec![]).is_empty());
        assert!(!from_text("x").is_empty());
    }
}
