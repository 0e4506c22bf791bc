//! ADF → safe HTML, for the HTML part of notification mails.
//!
//! Safe means: all text escaped, links only to `http`, `https` and `mailto`, no attribute
//! taken from the document except an escaped `href`, and no image fetched from anywhere.

use super::{Doc, MarkKind, Node, NodeKind};

/// Renders `doc` as an HTML fragment that is safe to put into a mail. Unknown nodes render
/// as their children, so nothing from Jira ever fails to render.
pub fn to_html(doc: &Doc) -> String {
    let mut out = String::new();
    for node in &doc.content {
        node_html(node, &mut out);
    }
    out
}

/// Escapes text for HTML element content and double-quoted attributes.
pub(crate) fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// True for link targets that are safe to put into a mail.
pub(crate) fn is_safe_href(href: &str) -> bool {
    let lower = href.trim_start().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|p| lower.starts_with(p))
}

fn wrap(tag: &str, node: &Node, out: &mut String) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    for child in &node.content {
        node_html(child, out);
    }
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

fn node_html(node: &Node, out: &mut String) {
    use NodeKind::*;
    match &node.kind {
        Paragraph => wrap("p", node, out),
        Heading => {
            let level = node.attr_u64("level").unwrap_or(1).clamp(1, 6);
            wrap(&format!("h{level}"), node, out);
        }
        BulletList => wrap("ul", node, out),
        OrderedList => match node.attr_u64("order") {
            Some(start) if start != 1 => {
                out.push_str(&format!("<ol start=\"{start}\">"));
                for child in &node.content {
                    node_html(child, out);
                }
                out.push_str("</ol>");
            }
            _ => wrap("ol", node, out),
        },
        ListItem => wrap("li", node, out),
        Blockquote => wrap("blockquote", node, out),
        CodeBlock => {
            out.push_str("<pre><code>");
            for child in &node.content {
                escape(child.text.as_deref().unwrap_or_default(), out);
            }
            out.push_str("</code></pre>");
        }
        Rule => out.push_str("<hr>"),
        Table => wrap("table", node, out),
        TableRow => wrap("tr", node, out),
        TableHeader => wrap("th", node, out),
        TableCell => wrap("td", node, out),
        MediaSingle | MediaGroup => wrap("p", node, out),
        Media => {
            out.push_str("<span class=\"media\">[image: ");
            escape(
                node.attr_str("alt")
                    .filter(|a| !a.is_empty())
                    .unwrap_or("attachment"),
                out,
            );
            out.push_str("]</span>");
        }
        HardBreak => out.push_str("<br>"),
        Mention => {
            out.push_str("<span class=\"mention\">");
            escape(node.attr_str("text").unwrap_or("@someone"), out);
            out.push_str("</span>");
        }
        Emoji => escape(
            node.attr_str("text")
                .or_else(|| node.attr_str("shortName"))
                .unwrap_or_default(),
            out,
        ),
        InlineCard => {
            let url = node.attr_str("url").unwrap_or_default();
            link_open(url, out);
            escape(url, out);
            if is_safe_href(url) {
                out.push_str("</a>");
            }
        }
        Text => text_html(node, out),
        Doc | Panel | Other(_) => {
            for child in &node.content {
                node_html(child, out);
            }
            if let Some(t) = &node.text {
                escape(t, out);
            }
        }
    }
}

fn link_open(href: &str, out: &mut String) {
    if is_safe_href(href) {
        out.push_str("<a href=\"");
        escape(href.trim(), out);
        out.push_str("\">");
    }
}

fn text_html(node: &Node, out: &mut String) {
    let mut closers: Vec<&str> = Vec::new();
    for mark in &node.marks {
        let (open, close) = match &mark.kind {
            MarkKind::Strong => ("<strong>", "</strong>"),
            MarkKind::Em => ("<em>", "</em>"),
            MarkKind::Strike => ("<s>", "</s>"),
            MarkKind::Underline => ("<u>", "</u>"),
            MarkKind::Code => ("<code>", "</code>"),
            MarkKind::SubSup => match mark.attrs.as_ref().and_then(|a| a.get("type")?.as_str()) {
                Some("sub") => ("<sub>", "</sub>"),
                _ => ("<sup>", "</sup>"),
            },
            MarkKind::Link => match mark.href() {
                Some(href) if is_safe_href(href) => {
                    link_open(href, out);
                    closers.push("</a>");
                    continue;
                }
                _ => continue,
            },
            MarkKind::TextColor | MarkKind::Other(_) => continue,
        };
        out.push_str(open);
        closers.push(close);
    }
    escape(node.text.as_deref().unwrap_or_default(), out);
    for close in closers.iter().rev() {
        out.push_str(close);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> Doc {
        serde_json::from_value(json!({"version":1,"type":"doc","content":v})).unwrap()
    }

    #[test]
    fn escapes_text_and_drops_unsafe_links() {
        let d = doc(json!([{"type":"paragraph","content":[
            {"type":"text","text":"<script>\"x\"</script>","marks":[{"type":"strong"}]},
            {"type":"text","text":"bad","marks":[{"type":"link","attrs":{"href":"javascript:alert(1)"}}]},
            {"type":"text","text":"ok","marks":[{"type":"link","attrs":{"href":"https://a.test/?a=1&b=\"2\""}},{"type":"em"}]}
        ]}]));
        assert_eq!(
            to_html(&d),
            "<p><strong>&lt;script&gt;&quot;x&quot;&lt;/script&gt;</strong>bad<a href=\"https://a.test/?a=1&amp;b=&quot;2&quot;\"><em>ok</em></a></p>"
        );
    }

    #[test]
    fn renders_structure_and_degrades_unknown_nodes() {
        let d = doc(json!([
            {"type":"orderedList","attrs":{"order":2},"content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]}]}]},
            {"type":"codeBlock","content":[{"type":"text","text":"a<b"}]},
            {"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"1","type":"file","collection":"","alt":"<x>.png"}}]},
            {"type":"weird","content":[{"type":"text","text":"kept"}]}
        ]));
        assert_eq!(
            to_html(&d),
            "<ol start=\"2\"><li><p>a</p></li></ol><pre><code>a&lt;b</code></pre><p><span class=\"media\">[image: &lt;x&gt;.png]</span></p>kept"
        );
    }
}
