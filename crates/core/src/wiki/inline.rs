//! Inline wiki markup (marks, links, mentions, images, breaks) → ADF inline nodes.

use crate::adf::{Mark, MarkKind, Node, NodeKind};

/// Parses one line's (or a paragraph's) inline markup. Images (`!name!`) come back as
/// `mediaSingle` nodes in the run; the caller splits paragraphs around them.
pub(super) fn parse(s: &str) -> Vec<Node> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    run(&chars, &[], &mut out);
    out
}

fn push_text(out: &mut Vec<Node>, text: &str, marks: &[Mark]) {
    if text.is_empty() {
        return;
    }
    if let Some(last) = out.last_mut()
        && last.kind == NodeKind::Text
        && last.marks == marks
        && let Some(t) = last.text.as_mut()
    {
        t.push_str(text);
        return;
    }
    out.push(Node::text(text, marks.to_vec()));
}

fn mark_for(c: char) -> Option<Mark> {
    let kind = match c {
        '*' => MarkKind::Strong,
        '_' => MarkKind::Em,
        '-' => MarkKind::Strike,
        '+' => MarkKind::Underline,
        '^' | '~' => MarkKind::SubSup,
        _ => return None,
    };
    let mut mark = Mark::plain(kind);
    if matches!(c, '^' | '~') {
        let mut attrs = serde_json::Map::new();
        attrs.insert(
            "type".to_owned(),
            (if c == '^' { "sup" } else { "sub" }).into(),
        );
        mark.attrs = Some(attrs);
    }
    Some(mark)
}

fn find(chars: &[char], from: usize, pat: &[char]) -> Option<usize> {
    (from..chars.len().saturating_sub(pat.len() - 1)).find(|&i| chars[i..].starts_with(pat))
}

fn find_unescaped(chars: &[char], from: usize, c: char) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            x if x == c => return Some(j),
            _ => j += 1,
        }
    }
    None
}

fn run(chars: &[char], marks: &[Mark], out: &mut Vec<Node>) {
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let prev_ok = i == 0 || !chars[i - 1].is_alphanumeric();
        if c == '\\' && chars.get(i + 1) == Some(&'\\') {
            flush(out, &mut text, marks);
            out.push(Node::block(NodeKind::HardBreak, Vec::new()));
            i += 2;
            while chars.get(i) == Some(&' ') {
                i += 1;
            }
            continue;
        }
        if chars[i..].starts_with(&['&', '#', '9', '2', ';']) {
            text.push('\\');
            i += 5;
            continue;
        }
        if c == '\\' && i + 1 < chars.len() {
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '{'
            && chars[i..].starts_with(&['{', '{'])
            && let Some(end) = find(chars, i + 2, &['}', '}'])
            && end > i + 2
        {
            flush(out, &mut text, marks);
            let inner: String = chars[i + 2..end].iter().collect();
            let code = crate::adf::build::with_mark(marks, Mark::plain(MarkKind::Code));
            push_text(out, &unescape(&inner), &code);
            i = end + 2;
            continue;
        }
        if c == '{'
            && i + 2 < chars.len()
            && chars[i + 2] == '}'
            && let Some(mark) = mark_for(chars[i + 1])
        {
            let close = ['{', chars[i + 1], '}'];
            if let Some(end) = find(chars, i + 3, &close)
                && end > i + 3
            {
                flush(out, &mut text, marks);
                run(
                    &chars[i + 3..end],
                    &crate::adf::build::with_mark(marks, mark),
                    out,
                );
                i = end + 3;
                continue;
            }
        }
        if c == '{'
            && let Some(end) = find(chars, i, &['}'])
        {
            let tag: String = chars[i + 1..end].iter().collect();
            if tag.starts_with("color") || tag == "color" {
                i = end + 1;
                continue;
            }
        }
        if c == '['
            && let Some(end) = find_unescaped(chars, i + 1, ']')
        {
            flush(out, &mut text, marks);
            link(&chars[i + 1..end], marks, out);
            i = end + 1;
            continue;
        }
        if c == '!'
            && let Some(end) = find(chars, i + 1, &['!'])
            && end > i + 1
            && !chars[i + 1].is_whitespace()
            && !chars[i + 1..end].contains(&' ')
        {
            let spec: String = chars[i + 1..end].iter().collect();
            let name = spec.split('|').next().unwrap_or_default().to_owned();
            flush(out, &mut text, marks);
            out.push(crate::adf::build::media_single(&crate::adf::MediaRef {
                id: name.clone(),
                file_name: name,
            }));
            i = end + 1;
            continue;
        }
        if prev_ok
            && let Some(mark) = mark_for(c)
            && chars.get(i + 1).is_some_and(|n| !n.is_whitespace())
            && let Some(end) = closing(chars, i + 1, c)
        {
            flush(out, &mut text, marks);
            run(
                &chars[i + 1..end],
                &crate::adf::build::with_mark(marks, mark),
                out,
            );
            i = end + 1;
            continue;
        }
        text.push(c);
        i += 1;
    }
    flush(out, &mut text, marks);
}

/// The index of the `c` closing a mark opened just before `from`: preceded by a non-space,
/// followed by the end or a non-alphanumeric character.
fn closing(chars: &[char], from: usize, c: char) -> Option<usize> {
    (from + 1..chars.len()).find(|&j| {
        chars[j] == c
            && chars[j - 1] != '\\'
            && !chars[j - 1].is_whitespace()
            && chars.get(j + 1).is_none_or(|n| !n.is_alphanumeric())
    })
}

fn flush(out: &mut Vec<Node>, text: &mut String, marks: &[Mark]) {
    push_text(out, text, marks);
    text.clear();
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn link(inner: &[char], marks: &[Mark], out: &mut Vec<Node>) {
    let inner: String = inner.iter().collect();
    if let Some(user) = inner.strip_prefix('~') {
        let id = user.to_owned();
        out.push(crate::adf::build::mention(&crate::adf::Mention {
            text: format!("@{}", id.trim_start_matches("accountid:")),
            id,
        }));
        return;
    }
    let (label, href) = match inner.rsplit_once('|') {
        Some((label, href)) => (Some(label), href.trim()),
        None => (None, inner.trim()),
    };
    if !crate::adf::is_safe_href(href) {
        push_text(out, &unescape(label.unwrap_or(href)), marks);
        return;
    }
    let linked = crate::adf::build::with_mark(marks, Mark::link(href));
    match label {
        Some(label) => run(&label.chars().collect::<Vec<_>>(), &linked, out),
        None => push_text(out, href, &linked),
    }
}
