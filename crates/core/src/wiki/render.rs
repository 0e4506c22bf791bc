//! ADF → wiki markup.

use crate::adf::{Doc, MarkKind, Node, NodeKind};

/// Renders an ADF document as Jira wiki markup. Text is escaped so that characters with a
/// meaning in wiki markup (`*`, `_`, `[`, `{`, `|`...) show as typed.
pub fn from_adf(doc: &Doc) -> String {
    let blocks: Vec<String> = doc
        .content
        .iter()
        .map(|b| block(b, ""))
        .filter(|b| !b.is_empty())
        .collect();
    blocks.join("\n\n")
}

fn block(node: &Node, list_prefix: &str) -> String {
    use NodeKind::*;
    match &node.kind {
        Paragraph => guard_line_starts(&inlines(&node.content, false)),
        Heading => {
            let level = node.attr_u64("level").unwrap_or(1).clamp(1, 6);
            format!("h{level}. {}", inlines(&node.content, true))
        }
        BulletList | OrderedList => list(node, list_prefix),
        Blockquote | Panel => {
            let inner: Vec<String> = node.content.iter().map(|b| block(b, "")).collect();
            format!("{{quote}}\n{}\n{{quote}}", inner.join("\n\n"))
        }
        CodeBlock => {
            let text: String = node
                .content
                .iter()
                .filter_map(|t| t.text.as_deref())
                .collect();
            match node
                .attr_str("language")
                .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            {
                _ if text.contains("{code") => format!("{{noformat}}\n{text}\n{{noformat}}"),
                Some(lang) if !lang.is_empty() => format!("{{code:{lang}}}\n{text}\n{{code}}"),
                _ => format!("{{code}}\n{text}\n{{code}}"),
            }
        }
        Rule => "----".to_owned(),
        Table => node.content.iter().map(row).collect::<Vec<_>>().join("\n"),
        MediaSingle | MediaGroup => node.content.iter().map(media).collect::<Vec<_>>().join(" "),
        Media => media(node),
        _ if node.content.iter().all(is_inline) => inlines(&node.content, false),
        _ => node
            .content
            .iter()
            .map(|b| block(b, list_prefix))
            .collect::<Vec<_>>()
            .join("\n\n"),
    }
}

/// Escapes the `.` of lines that would otherwise read as a heading (`h1. `) or quote (`bq. `).
fn guard_line_starts(text: &str) -> String {
    let guarded: Vec<String> = text
        .split('\n')
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            let (lead, rest) = line.split_at(indent);
            let b = rest.as_bytes();
            let heading =
                b.len() >= 3 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) && b[2] == b'.';
            if heading || rest.starts_with("bq.") {
                format!("{lead}{}\\{}", &rest[..2], &rest[2..])
            } else {
                line.to_owned()
            }
        })
        .collect();
    guarded.join("\n")
}

fn is_inline(node: &Node) -> bool {
    matches!(
        node.kind,
        NodeKind::Text
            | NodeKind::HardBreak
            | NodeKind::Mention
            | NodeKind::Emoji
            | NodeKind::InlineCard
    )
}

fn list(node: &Node, prefix: &str) -> String {
    let marker = if node.kind == NodeKind::OrderedList {
        '#'
    } else {
        '*'
    };
    let prefix = format!("{prefix}{marker}");
    let mut lines = Vec::new();
    for item in &node.content {
        let mut text_parts = Vec::new();
        let mut nested = Vec::new();
        for child in &item.content {
            match child.kind {
                NodeKind::BulletList | NodeKind::OrderedList => nested.push(list(child, &prefix)),
                NodeKind::CodeBlock => text_parts.push(format!(
                    "{{{{{}}}}}",
                    escape(
                        &child
                            .content
                            .iter()
                            .filter_map(|t| t.text.as_deref())
                            .collect::<String>(),
                        true
                    )
                )),
                _ => text_parts.push(single_line(child)),
            }
        }
        lines.push(format!("{prefix} {}", text_parts.join(" \\\\ ")));
        lines.extend(nested);
    }
    lines.join("\n")
}

/// A block rendered on one line, as list items and table cells need.
fn single_line(node: &Node) -> String {
    match node.kind {
        NodeKind::Paragraph | NodeKind::Heading => inlines(&node.content, true),
        NodeKind::MediaSingle | NodeKind::MediaGroup | NodeKind::Media => block(node, ""),
        _ => node
            .content
            .iter()
            .map(single_line)
            .collect::<Vec<_>>()
            .join(" \\\\ "),
    }
}

fn row(node: &Node) -> String {
    let mut out = String::new();
    let mut last_sep = "|";
    for cell in &node.content {
        let sep = if cell.kind == NodeKind::TableHeader {
            "||"
        } else {
            "|"
        };
        let text: Vec<String> = cell.content.iter().map(single_line).collect();
        out.push_str(sep);
        let joined = text.join(" \\\\ ");
        out.push_str(if joined.is_empty() { " " } else { &joined });
        last_sep = sep;
    }
    out.push_str(last_sep);
    out
}

fn media(node: &Node) -> String {
    let name = node
        .attr_str("alt")
        .filter(|a| !a.is_empty())
        .or_else(|| node.attr_str("id"))
        .unwrap_or("attachment");
    format!("!{}!", name.replace(['!', '|', '\n'], "_"))
}

/// Renders inline nodes; `one_line` writes hard breaks as `\\` instead of a newline.
pub(super) fn inlines(nodes: &[Node], one_line: bool) -> String {
    let mut out = String::new();
    for node in nodes {
        match &node.kind {
            NodeKind::Text => text(node, &mut out),
            NodeKind::HardBreak => out.push_str(if one_line { " \\\\ " } else { "\n" }),
            NodeKind::Mention => {
                let id = node.attr_str("id").unwrap_or_default();
                out.push_str(&format!("[~{}]", id.replace([']', '|'], "")));
            }
            NodeKind::Emoji => out.push_str(&escape(
                node.attr_str("text")
                    .or_else(|| node.attr_str("shortName"))
                    .unwrap_or_default(),
                false,
            )),
            NodeKind::InlineCard => {
                out.push_str(&format!("[{}]", node.attr_str("url").unwrap_or_default()))
            }
            _ => out.push_str(&inlines(&node.content, one_line)),
        }
    }
    out
}

fn text(node: &Node, out: &mut String) {
    let raw = node.text.as_deref().unwrap_or_default();
    let core = raw.trim();
    if core.is_empty() {
        out.push_str(&escape(
            raw,
            out.is_empty() || out.ends_with(char::is_whitespace),
        ));
        return;
    }
    let lead = &raw[..raw.len() - raw.trim_start().len()];
    let trail = &raw[raw.trim_end().len()..];
    out.push_str(lead);
    let at_word_start = out.is_empty() || out.ends_with(|c: char| !c.is_alphanumeric());
    let mut s = escape(core, at_word_start);
    let mut link = None;
    for mark in &node.marks {
        let (open, close) = match mark.kind {
            MarkKind::Strong => ("*", "*"),
            MarkKind::Em => ("_", "_"),
            MarkKind::Strike => ("-", "-"),
            MarkKind::Underline => ("+", "+"),
            MarkKind::Code => ("{{", "}}"),
            MarkKind::SubSup => match mark.attrs.as_ref().and_then(|a| a.get("type")?.as_str()) {
                Some("sub") => ("~", "~"),
                _ => ("^", "^"),
            },
            MarkKind::Link => {
                link = mark.href();
                continue;
            }
            _ => continue,
        };
        let needs_braces = open.len() == 1 && !at_word_start;
        s = if needs_braces {
            format!("{{{open}}}{s}{{{close}}}")
        } else {
            format!("{open}{s}{close}")
        };
    }
    if let Some(href) = link {
        let safe = href
            .replace('\\', "%5C")
            .replace('[', "%5B")
            .replace(']', "%5D")
            .replace('|', "%7C")
            .replace(' ', "%20");
        s = if core == href && safe == href {
            format!("[{href}]")
        } else {
            format!("[{s}|{safe}]")
        };
    }
    out.push_str(&s);
    out.push_str(trail);
}

/// Escapes wiki-markup characters (a backslash as `&#92;`); `-` only where it could open a strike-through.
pub(super) fn escape(text: &str, at_word_start: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_alnum = !at_word_start;
    for c in text.chars() {
        let special = match c {
            '\\' => {
                // `\\` is a line break in wiki markup, so a literal backslash is an entity.
                out.push_str("&#92;");
                prev_alnum = false;
                continue;
            }
            '*' | '_' | '+' | '^' | '~' | '{' | '}' | '[' | ']' | '|' | '!' | '#' => true,
            '-' => !prev_alnum,
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
        prev_alnum = c.is_alphanumeric();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(v: serde_json::Value) -> Doc {
        serde_json::from_value(json!({"version":1,"type":"doc","content":v})).unwrap()
    }

    #[test]
    fn renders_every_supported_construct() {
        let d = doc(json!([
            {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Title"}]},
            {"type":"paragraph","content":[
                {"type":"text","text":"bold","marks":[{"type":"strong"}]},{"type":"text","text":" and "},
                {"type":"text","text":"it","marks":[{"type":"em"}]},{"type":"text","text":"alic","marks":[{"type":"strike"}]},
                {"type":"hardBreak"},{"type":"text","text":"x()","marks":[{"type":"code"}]},
                {"type":"text","text":" "},{"type":"text","text":"site","marks":[{"type":"link","attrs":{"href":"https://s.test"}}]},
                {"type":"text","text":" "},{"type":"mention","attrs":{"id":"acc-1","text":"@Ada"}}]},
            {"type":"bulletList","content":[
                {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"a"}]},
                    {"type":"orderedList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"b"}]}]}]}]}]},
            {"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"q"}]}]},
            {"type":"codeBlock","attrs":{"language":"rust"},"content":[{"type":"text","text":"a *b*"}]},
            {"type":"rule"},
            {"type":"table","content":[
                {"type":"tableRow","content":[{"type":"tableHeader","content":[{"type":"paragraph","content":[{"type":"text","text":"H"}]}]},
                                              {"type":"tableHeader","content":[{"type":"paragraph"}]}]},
                {"type":"tableRow","content":[{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"1|2"}]}]},
                                              {"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"c"}]}]}]}]},
            {"type":"mediaSingle","content":[{"type":"media","attrs":{"id":"m","type":"file","collection":"","alt":"shot.png"}}]}
        ]));
        assert_eq!(
            from_adf(&d),
            "h2. Title\n\n*bold* and _it_-alic-\n{{x()}} [site|https://s.test] [~acc-1]\n\n* a\n*# b\n\n{quote}\nq\n{quote}\n\n{code:rust}\na *b*\n{code}\n\n----\n\n||H|| ||\n|1\\|2|c|\n\n!shot.png!"
        );
    }

    #[test]
    fn escapes_markup_characters_in_text() {
        assert_eq!(
            escape("a*b -c- d-e [x]{y}|!#", true),
            "a\\*b \\-c- d-e \\[x\\]\\{y\\}\\|\\!\\#"
        );
        assert_eq!(escape("-x", true), "\\-x");
        assert_eq!(escape("a\\b", true), "a&#92;b");
        assert_eq!(escape("-x", false), "-x");
    }
}
