//! The structural rules of ADF that Jira enforces, so that postroom can check its own output
//! before sending it instead of learning of a mistake from a 400.

use super::{Doc, MarkKind, Node, NodeKind};

/// Where and why a document breaks an ADF rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid ADF at {path}: {problem}")]
pub struct AdfViolation {
    /// JSON-pointer-like path of the offending node, e.g. `/content/0/content/2`.
    pub path: String,
    /// What rule it breaks.
    pub problem: String,
}

/// Checks `doc` against the ADF rules (version, which node may contain which, required
/// attributes, mark combinations). Returns the first violation found.
pub fn validate(doc: &Doc) -> Result<(), AdfViolation> {
    if doc.version != 1 {
        return Err(violation(
            "",
            format!("version must be 1, got {}", doc.version),
        ));
    }
    if doc.kind != NodeKind::Doc {
        return Err(violation(
            "",
            format!("root type must be doc, got {}", doc.kind),
        ));
    }
    children(&doc.content, "", is_top_block)
}

fn violation(path: &str, problem: String) -> AdfViolation {
    AdfViolation {
        path: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        },
        problem,
    }
}

fn is_top_block(k: &NodeKind) -> bool {
    use NodeKind::*;
    matches!(
        k,
        Paragraph
            | Heading
            | BulletList
            | OrderedList
            | Blockquote
            | CodeBlock
            | Rule
            | Table
            | MediaSingle
            | MediaGroup
            | Panel
    )
}

fn is_inline(k: &NodeKind) -> bool {
    use NodeKind::*;
    matches!(k, Text | HardBreak | Mention | Emoji | InlineCard)
}

fn is_list_item_child(k: &NodeKind) -> bool {
    use NodeKind::*;
    matches!(
        k,
        Paragraph | BulletList | OrderedList | CodeBlock | MediaSingle
    )
}

fn is_quote_child(k: &NodeKind) -> bool {
    use NodeKind::*;
    matches!(
        k,
        Paragraph | BulletList | OrderedList | CodeBlock | MediaSingle | MediaGroup
    )
}

fn is_cell_child(k: &NodeKind) -> bool {
    is_top_block(k) && *k != NodeKind::Table
}

fn children(
    nodes: &[Node],
    path: &str,
    allowed: fn(&NodeKind) -> bool,
) -> Result<(), AdfViolation> {
    for (i, node) in nodes.iter().enumerate() {
        let here = format!("{path}/content/{i}");
        if !allowed(&node.kind) {
            return Err(violation(
                &here,
                format!("{} is not allowed here", node.kind),
            ));
        }
        check(node, &here)?;
    }
    Ok(())
}

fn non_empty(node: &Node, path: &str) -> Result<(), AdfViolation> {
    if node.content.is_empty() {
        return Err(violation(path, format!("{} must not be empty", node.kind)));
    }
    Ok(())
}

fn no_content(node: &Node, path: &str) -> Result<(), AdfViolation> {
    if !node.content.is_empty() || node.text.is_some() {
        return Err(violation(
            path,
            format!("{} must have no content", node.kind),
        ));
    }
    Ok(())
}

fn check(node: &Node, path: &str) -> Result<(), AdfViolation> {
    use NodeKind::*;
    if node.kind != Text && (node.text.is_some() || !node.marks.is_empty()) {
        return Err(violation(
            path,
            format!("{} may not carry text or marks", node.kind),
        ));
    }
    match &node.kind {
        Paragraph => children(&node.content, path, is_inline),
        Heading => {
            match node.attr_u64("level") {
                Some(1..=6) => {}
                _ => {
                    return Err(violation(
                        path,
                        "heading needs attrs.level 1 to 6".to_owned(),
                    ));
                }
            }
            children(&node.content, path, is_inline)
        }
        BulletList | OrderedList => {
            non_empty(node, path)?;
            children(&node.content, path, |k| *k == ListItem)
        }
        ListItem => {
            non_empty(node, path)?;
            children(&node.content, path, is_list_item_child)
        }
        Blockquote => {
            non_empty(node, path)?;
            children(&node.content, path, is_quote_child)
        }
        CodeBlock => {
            children(&node.content, path, |k| *k == Text)?;
            match node.content.iter().position(|t| !t.marks.is_empty()) {
                Some(i) => Err(violation(
                    &format!("{path}/content/{i}"),
                    "text in a codeBlock may not have marks".to_owned(),
                )),
                None => Ok(()),
            }
        }
        Table => {
            non_empty(node, path)?;
            children(&node.content, path, |k| *k == TableRow)
        }
        TableRow => {
            non_empty(node, path)?;
            children(&node.content, path, |k| {
                matches!(k, TableHeader | TableCell)
            })
        }
        TableHeader | TableCell => {
            non_empty(node, path)?;
            children(&node.content, path, is_cell_child)
        }
        Panel => {
            non_empty(node, path)?;
            children(&node.content, path, is_quote_child)
        }
        MediaSingle => {
            if node.content.len() != 1 {
                return Err(violation(
                    path,
                    "mediaSingle holds exactly one media".to_owned(),
                ));
            }
            children(&node.content, path, |k| *k == Media)
        }
        MediaGroup => {
            non_empty(node, path)?;
            children(&node.content, path, |k| *k == Media)
        }
        Media => media(node, path),
        Text => text(node, path),
        Mention => {
            no_content(node, path)?;
            match node.attr_str("id") {
                Some(id) if !id.is_empty() => Ok(()),
                _ => Err(violation(path, "mention needs attrs.id".to_owned())),
            }
        }
        Rule | HardBreak | Emoji | InlineCard => no_content(node, path),
        Doc => Err(violation(path, "doc may only be the root".to_owned())),
        Other(name) => Err(violation(path, format!("unknown node type {name:?}"))),
    }
}

fn media(node: &Node, path: &str) -> Result<(), AdfViolation> {
    no_content(node, path)?;
    match node.attr_str("type") {
        Some("file") | Some("link") => {
            if node.attr_str("id").is_none_or(str::is_empty) {
                return Err(violation(path, "media needs attrs.id".to_owned()));
            }
            if node.attr_str("collection").is_none() {
                return Err(violation(path, "media needs attrs.collection".to_owned()));
            }
            Ok(())
        }
        Some("external") if node.attr_str("url").is_some() => Ok(()),
        _ => Err(violation(
            path,
            "media needs attrs.type file, link or external".to_owned(),
        )),
    }
}

fn text(node: &Node, path: &str) -> Result<(), AdfViolation> {
    if !node.content.is_empty() {
        return Err(violation(path, "text has no content".to_owned()));
    }
    if node.text.as_deref().is_none_or(str::is_empty) {
        return Err(violation(path, "text must not be empty".to_owned()));
    }
    for (i, mark) in node.marks.iter().enumerate() {
        if node.marks[..i].iter().any(|m| m.kind == mark.kind) {
            return Err(violation(path, format!("mark {} appears twice", mark.kind)));
        }
        match &mark.kind {
            MarkKind::Link if mark.href().is_none_or(str::is_empty) => {
                return Err(violation(path, "link mark needs attrs.href".to_owned()));
            }
            MarkKind::Other(name) => {
                return Err(violation(path, format!("unknown mark type {name:?}")));
            }
            _ => {}
        }
    }
    let has_code = node.marks.iter().any(|m| m.kind == MarkKind::Code);
    if has_code
        && node
            .marks
            .iter()
            .any(|m| !matches!(m.kind, MarkKind::Code | MarkKind::Link))
    {
        return Err(violation(
            path,
            "code mark combines only with link".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> Doc {
        serde_json::from_value(json!({"version":1,"type":"doc","content":v})).unwrap()
    }

    #[test]
    fn accepts_a_plain_paragraph_and_an_empty_doc() {
        assert!(
            validate(&doc(
                json!([{"type":"paragraph","content":[{"type":"text","text":"x"}]}])
            ))
            .is_ok()
        );
        assert!(validate(&doc(json!([]))).is_ok());
    }

    #[test]
    fn rejects_what_jira_rejects() {
        let cases = [
            (json!([{"type":"text","text":"x"}]), "/content/0"),
            (
                json!([{"type":"paragraph","content":[{"type":"text","text":""}]}]),
                "/content/0/content/0",
            ),
            (json!([{"type":"heading","content":[]}]), "/content/0"),
            (
                json!([{"type":"heading","attrs":{"level":7}}]),
                "/content/0",
            ),
            (json!([{"type":"bulletList","content":[]}]), "/content/0"),
            (
                json!([{"type":"bulletList","content":[{"type":"paragraph"}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"codeBlock","content":[{"type":"text","text":"x","marks":[{"type":"strong"}]}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"code"},{"type":"em"}]}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"em"},{"type":"em"}]}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link"}]}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"mediaSingle","content":[{"type":"media","attrs":{"type":"file"}}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"paragraph","content":[{"type":"mention","attrs":{}}]}]),
                "/content/0/content/0",
            ),
            (
                json!([{"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","content":[{"type":"table","content":[]}]}]}]}]),
                "/content/0/content/0/content/0/content/0",
            ),
            (json!([{"type":"blink"}]), "/content/0"),
        ];
        for (content, path) in cases {
            let err = validate(&doc(content.clone())).expect_err(&content.to_string());
            assert_eq!(err.path, path, "{content}: {err}");
        }
    }

    #[test]
    fn rejects_wrong_version() {
        let mut d = doc(json!([]));
        d.version = 2;
        assert!(validate(&d).is_err());
    }
}
