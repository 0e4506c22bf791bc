//! ADF → plain text, for the text part of notification mails and for search snippets.

use super::{Doc, MarkKind, Node, NodeKind};

/// Renders `doc` as readable plain text. Every node, known or not, contributes its text:
/// an ADF document from Jira never fails to render.
pub fn to_text(doc: &Doc) -> String {
    let mut out = String::new();
    blocks(&doc.content, "", &mut out);
    let trimmed = out.trim_end_matches('\n').len();
    out.truncate(trimmed);
    out
}

fn blocks(nodes: &[Node], prefix: &str, out: &mut String) {
    let mut first = true;
    for node in nodes {
        if is_inline(node) {
            if first {
                out.push_str(prefix);
            }
            inline(node, prefix, out);
            first = false;
            continue;
        }
        if !first && !out.ends_with('\n') {
            out.push('\n');
        }
        block(node, prefix, out);
        first = true;
    }
    if !first {
        out.push_str("\n\n");
    }
}

fn is_inline(node: &Node) -> bool {
    use NodeKind::*;
    matches!(node.kind, Text | HardBreak | Mention | Emoji | InlineCard)
}

fn block(node: &Node, prefix: &str, out: &mut String) {
    use NodeKind::*;
    match &node.kind {
        Paragraph | Heading => {
            out.push_str(prefix);
            for child in &node.content {
                inline(child, prefix, out);
            }
            out.push_str("\n\n");
        }
        BulletList | OrderedList => {
            let start = node.attr_u64("order").unwrap_or(1);
            for (i, item) in node.content.iter().enumerate() {
                let bullet = if node.kind == BulletList {
                    "- ".to_owned()
                } else {
                    format!("{}. ", start + i as u64)
                };
                let mut item_text = String::new();
                blocks(&item.content, "", &mut item_text);
                let indent = " ".repeat(bullet.len());
                for (j, line) in item_text
                    .trim_end()
                    .lines()
                    .filter(|l| !l.is_empty())
                    .enumerate()
                {
                    out.push_str(prefix);
                    out.push_str(if j == 0 { &bullet } else { &indent });
                    out.push_str(line);
                    out.push('\n');
                }
            }
            out.push('\n');
        }
        CodeBlock => {
            for line in collect_text(node).lines() {
                out.push_str(prefix);
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
        Blockquote => blocks(&node.content, &format!("{prefix}> "), out),
        Rule => {
            out.push_str(prefix);
            out.push_str("----\n\n");
        }
        Table => {
            for row in &node.content {
                let cells: Vec<String> = row
                    .content
                    .iter()
                    .map(|cell| {
                        let mut t = String::new();
                        blocks(&cell.content, "", &mut t);
                        t.split_whitespace().collect::<Vec<_>>().join(" ")
                    })
                    .collect();
                out.push_str(prefix);
                out.push_str(&cells.join(" | "));
                out.push('\n');
            }
            out.push('\n');
        }
        MediaSingle | MediaGroup => {
            for media in &node.content {
                out.push_str(prefix);
                media_text(media, out);
                out.push('\n');
            }
            out.push('\n');
        }
        Media => {
            out.push_str(prefix);
            media_text(node, out);
            out.push_str("\n\n");
        }
        _ => blocks(&node.content, prefix, out),
    }
}

fn media_text(node: &Node, out: &mut String) {
    let name = node
        .attr_str("alt")
        .filter(|a| !a.is_empty())
        .unwrap_or("attachment");
    out.push_str("[image: ");
    out.push_str(name);
    out.push(']');
}

fn inline(node: &Node, prefix: &str, out: &mut String) {
    use NodeKind::*;
    match &node.kind {
        Text => {
            let text = node.text.as_deref().unwrap_or_default();
            out.push_str(text);
            let href = node
                .marks
                .iter()
                .find(|m| m.kind == MarkKind::Link)
                .and_then(|m| m.href());
            if let Some(href) = href
                && href != text
                && !href.starts_with(super::build::MENTION_SCHEME)
            {
                out.push_str(" <");
                out.push_str(href);
                out.push('>');
            }
        }
        HardBreak => {
            out.push('\n');
            out.push_str(prefix);
        }
        Mention => out.push_str(node.attr_str("text").unwrap_or("@someone")),
        Emoji => out.push_str(
            node.attr_str("text")
                .or_else(|| node.attr_str("shortName"))
                .unwrap_or_default(),
        ),
        InlineCard => out.push_str(node.attr_str("url").unwrap_or_default()),
        _ => {
            for child in &node.content {
                inline(child, prefix, out);
            }
            if let Some(t) = &node.text {
                out.push_str(t);
            }
        }
    }
}

fn collect_text(node: &Node) -> String {
    let mut s = node.text.clone().unwrap_or_default();
    for child in &node.content {
        s.push_str(&collect_text(child));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> Doc {
        serde_json::from_value(json!({"version":1,"type":"doc","content":v})).unwrap()
    }

    #[test]
    fn renders_lists_quotes_code_tables_media_and_mentions() {
        let d = doc(json!([
            {"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"Title"}]},
            {"type":"bulletList","content":[
                {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"one"}]}]},
                {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"two"}]}]}]},
            {"type":"orderedList","attrs":{"order":3},"content":[
                {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"three"}]}]}]},
            {"type":"blockquote","content":[{"type":"paragraph","content":[
                {"type":"text","text":"q1"},{"type":"hardBreak"},{"type":"text","text":"q2"}]}]},
            {"type":"codeBlock","content":[{"type":"text","text":"let x;\nlet y;"}]},
            {"type":"table","content":[{"type":"tableRow","content":[
                {"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"A"}]}]},
                {"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"B"}]}]}]}]},
            {"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"m1","type":"file","collection":"","alt":"shot.png"}}]},
            {"type":"paragraph","content":[
                {"type":"mention","attrs":{"id":"a1","text":"@Ada"}},
                {"type":"text","text":" see "},
                {"type":"text","text":"docs","marks":[{"type":"link","attrs":{"href":"https://d.test"}}]}]}
        ]));
        assert_eq!(
            to_text(&d),
            "Title\n\n- one\n- two\n\n3. three\n\n> q1\n> q2\n\n    let x;\n    let y;\n\nA | B\n\n[image: shot.png]\n\n@Ada see docs <https://d.test>"
        );
    }

    #[test]
    fn unknown_nodes_degrade_to_their_text() {
        let d = doc(json!([
            {"type":"decisionList","content":[{"type":"decisionItem","content":[{"type":"text","text":"Ship it"}]}]},
            {"type":"paragraph","content":[{"type":"status","attrs":{"text":"DONE"}},{"type":"text","text":"x"}]},
            {"type":"expand","content":[{"type":"paragraph","content":[{"type":"text","text":"inside"}]}]}
        ]));
        assert_eq!(to_text(&d), "Ship it\n\nx\n\ninside");
    }
}
