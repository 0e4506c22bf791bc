//! Wiki markup → ADF, block by block.

use super::inline;
use crate::adf::{Doc, Node, NodeKind};

/// Parses Jira wiki markup into an ADF document. Anything not understood stays as text:
/// parsing never fails. Images become media named by file name (`id` = file name), enough
/// for text and HTML rendering.
pub fn to_adf(markup: &str) -> Doc {
    let normalized = markup.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = normalized.split('\n').collect();
    Doc::new(blocks(&lines))
}

fn blocks(lines: &[&str]) -> Vec<Node> {
    let mut out = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim();
        if trimmed.is_empty() {
            paragraph(&mut para, &mut out);
            i += 1;
            continue;
        }
        if let Some((kind, lang, rest)) = code_start(trimmed) {
            paragraph(&mut para, &mut out);
            let close = if kind == "code" {
                "{code}"
            } else {
                "{noformat}"
            };
            let (text, next) = until_close(lines, i, rest, close);
            if !text.is_empty() {
                let mut node = Node::block(NodeKind::CodeBlock, vec![Node::text(text, Vec::new())]);
                if let Some(lang) = lang {
                    node = node.with_attr("language", lang);
                }
                out.push(node);
            }
            i = next;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("{quote}") {
            paragraph(&mut para, &mut out);
            let (text, next) = until_close(lines, i, rest, "{quote}");
            let inner_lines: Vec<&str> = text.split('\n').collect();
            let inner: Vec<Node> = blocks(&inner_lines)
                .into_iter()
                .filter(|b| quotable(&b.kind))
                .collect();
            if !inner.is_empty() {
                out.push(Node::block(NodeKind::Blockquote, inner));
            }
            i = next;
            continue;
        }
        if let Some(level) = heading_level(trimmed) {
            paragraph(&mut para, &mut out);
            let content = inline_run(&trimmed[4..], &mut out);
            out.push(Node::block(NodeKind::Heading, content).with_attr("level", level));
            reorder_media(&mut out);
            i += 1;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("bq. ") {
            paragraph(&mut para, &mut out);
            let content = inline_run(rest, &mut out);
            if !content.is_empty() {
                out.push(Node::block(
                    NodeKind::Blockquote,
                    vec![Node::block(NodeKind::Paragraph, content)],
                ));
                reorder_media(&mut out);
            }
            i += 1;
            continue;
        }
        if trimmed.chars().all(|c| c == '-') && trimmed.len() >= 4 {
            paragraph(&mut para, &mut out);
            out.push(Node::block(NodeKind::Rule, Vec::new()));
            i += 1;
            continue;
        }
        if list_marker(trimmed).is_some() {
            paragraph(&mut para, &mut out);
            let start = i;
            while i < lines.len() && list_marker(lines[i].trim()).is_some() {
                i += 1;
            }
            let items: Vec<(Vec<char>, &str)> = lines[start..i]
                .iter()
                .filter_map(|l| list_marker(l.trim()))
                .collect();
            out.extend(super::parse_list::build(&items, 0));
            continue;
        }
        if trimmed.starts_with('|') {
            paragraph(&mut para, &mut out);
            let start = i;
            while i < lines.len() && lines[i].trim().starts_with('|') {
                i += 1;
            }
            out.push(table(&lines[start..i]));
            continue;
        }
        para.push(line);
        i += 1;
    }
    paragraph(&mut para, &mut out);
    out
}

fn quotable(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Paragraph
            | NodeKind::BulletList
            | NodeKind::OrderedList
            | NodeKind::CodeBlock
            | NodeKind::MediaSingle
    )
}

/// `{code}`, `{code:lang}`, `{code:title=x|lang}` or `{noformat}`: kind, language, rest.
fn code_start(line: &str) -> Option<(&'static str, Option<String>, &str)> {
    if let Some(rest) = line.strip_prefix("{noformat") {
        let end = rest.find('}')?;
        return Some(("noformat", None, &rest[end + 1..]));
    }
    let rest = line.strip_prefix("{code")?;
    let end = rest.find('}')?;
    let params = rest[..end].strip_prefix(':').unwrap_or("");
    let lang = params
        .split('|')
        .find(|p| !p.contains('=') && !p.is_empty())
        .map(str::to_owned);
    Some(("code", lang, &rest[end + 1..]))
}

/// Collects raw text from `first_rest` (the rest of line `start`) up to `close`; returns the
/// text and the index of the line after the closing tag (or the end, if it never closes).
fn until_close(lines: &[&str], start: usize, first_rest: &str, close: &str) -> (String, usize) {
    if let Some(end) = first_rest.find(close) {
        return (first_rest[..end].to_owned(), start + 1);
    }
    let mut collected: Vec<&str> = Vec::new();
    if !first_rest.is_empty() {
        collected.push(first_rest);
    }
    let mut i = start + 1;
    while i < lines.len() {
        if let Some(end) = lines[i].find(close) {
            if end > 0 {
                collected.push(&lines[i][..end]);
            }
            return (collected.join("\n"), i + 1);
        }
        collected.push(lines[i]);
        i += 1;
    }
    (collected.join("\n"), i)
}

fn heading_level(line: &str) -> Option<u64> {
    let b = line.as_bytes();
    (b.len() >= 4 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) && b[2] == b'.' && b[3] == b' ')
        .then(|| u64::from(b[1] - b'0'))
}

/// `*`, `#` or a mix, then a space: the markers and the item text.
pub(super) fn list_marker(line: &str) -> Option<(Vec<char>, &str)> {
    let markers: Vec<char> = line
        .chars()
        .take_while(|c| matches!(c, '*' | '#' | '-'))
        .collect();
    if markers.is_empty() || (markers.contains(&'-') && markers != ['-']) {
        return None;
    }
    let rest = line[markers.len()..].strip_prefix(' ')?;
    Some((
        markers
            .into_iter()
            .map(|c| if c == '-' { '*' } else { c })
            .collect(),
        rest,
    ))
}

fn paragraph(lines: &mut Vec<&str>, out: &mut Vec<Node>) {
    if lines.is_empty() {
        return;
    }
    let joined = lines.join("\\\\");
    lines.clear();
    let content = inline_run(&joined, out);
    if !content.is_empty() {
        out.push(Node::block(NodeKind::Paragraph, content));
        reorder_media(out);
    }
}

/// Parses inline markup into the inline nodes of one block; images found in it are split
/// off into `out` (ahead of the block, moved after it by [`reorder_media`]) as ADF allows
/// media only as blocks.
pub(super) fn inline_run(s: &str, out: &mut Vec<Node>) -> Vec<Node> {
    let mut inlines = Vec::new();
    let mut media = Vec::new();
    for node in inline::parse(s) {
        if node.kind == NodeKind::MediaSingle {
            media.push(node);
        } else {
            inlines.push(node);
        }
    }
    trim(&mut inlines);
    out.extend(media);
    inlines
}

/// Puts the block just pushed before the media that its inline run split off.
fn reorder_media(out: &mut [Node]) {
    let Some(last) = out.len().checked_sub(1) else {
        return;
    };
    let mut i = last;
    while i > 0 && out[i - 1].kind == NodeKind::MediaSingle {
        out.swap(i - 1, i);
        i -= 1;
    }
}

fn trim(nodes: &mut Vec<Node>) {
    while nodes.first().is_some_and(|n| n.kind == NodeKind::HardBreak) {
        nodes.remove(0);
    }
    while nodes.last().is_some_and(|n| n.kind == NodeKind::HardBreak) {
        nodes.pop();
    }
    nodes.retain(|n| n.kind != NodeKind::Text || n.text.as_deref().is_some_and(|t| !t.is_empty()));
}

fn table(lines: &[&str]) -> Node {
    let rows = lines.iter().map(|line| {
        let mut cells = Vec::new();
        let mut rest = line.trim();
        while let Some(stripped) = rest.strip_prefix('|') {
            let header = stripped.starts_with('|');
            let body = if header { &stripped[1..] } else { stripped };
            let end = cell_end(body);
            let text = body[..end].trim();
            rest = &body[end..];
            if text.is_empty() && rest.trim_start_matches('|').is_empty() && !cells.is_empty() {
                break;
            }
            let mut dropped = Vec::new();
            let content = inline_run(text, &mut dropped);
            let mut blocks = vec![Node::block(NodeKind::Paragraph, content)];
            blocks.extend(dropped);
            cells.push(Node::block(
                if header {
                    NodeKind::TableHeader
                } else {
                    NodeKind::TableCell
                },
                blocks,
            ));
        }
        Node::block(NodeKind::TableRow, cells)
    });
    Node::block(
        NodeKind::Table,
        rows.filter(|r| !r.content.is_empty()).collect(),
    )
}

/// The byte offset of the next unescaped `|` outside `[...]`, or the end.
fn cell_end(s: &str) -> usize {
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '|' if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

#[cfg(test)]
mod tests;
