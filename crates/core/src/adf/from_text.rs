//! Plain text (an e-mail's text part) → ADF.

use super::build::Inlines;
use super::{Doc, Mark, Node, NodeKind};

/// Converts plain text to ADF: blank lines separate paragraphs, single line breaks become
/// hard breaks, and `http(s)://` and `mailto:` URLs become links, so that a mail written in
/// plain text looks the same in Jira as in the sender's mail client.
pub fn from_text(text: &str) -> Doc {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut blocks = Vec::new();
    for para in split_paragraphs(&normalized) {
        let mut inlines = Inlines::default();
        for (i, line) in para.iter().enumerate() {
            if i > 0 {
                inlines.push(Node::block(NodeKind::HardBreak, Vec::new()));
            }
            push_linked(&mut inlines, line.trim_end(), &[]);
        }
        let content = inlines.finish();
        if !content.is_empty() {
            blocks.push(Node::block(NodeKind::Paragraph, content));
        }
    }
    Doc::new(blocks)
}

fn split_paragraphs(text: &str) -> Vec<Vec<&str>> {
    let mut paras: Vec<Vec<&str>> = Vec::new();
    let mut current = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paras.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paras.push(current);
    }
    paras
}

/// Pushes `text`, turning URLs into link marks on top of `marks`.
pub(crate) fn push_linked(inlines: &mut Inlines, text: &str, marks: &[Mark]) {
    let mut rest = text;
    while let Some((start, end)) = find_url(rest) {
        inlines.push_text(&rest[..start], marks);
        let url = &rest[start..end];
        inlines.push_text(url, &super::build::with_mark(marks, Mark::link(url)));
        rest = &rest[end..];
    }
    inlines.push_text(rest, marks);
}

/// The byte range of the first URL in `s`, without trailing punctuation.
fn find_url(s: &str) -> Option<(usize, usize)> {
    let start = ["https://", "http://", "mailto:"]
        .iter()
        .filter_map(|p| {
            s.match_indices(p)
                .find(|(i, _)| *i == 0 || !s[..*i].ends_with(|c: char| c.is_alphanumeric()))
                .map(|(i, _)| (i, p.len()))
        })
        .min()?;
    let (begin, prefix_len) = start;
    let tail = &s[begin..];
    let mut end = tail
        .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '[' | ']' | '|' | '\\'))
        .unwrap_or(tail.len());
    while end > 0 && tail[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']', '\'']) {
        end -= 1;
    }
    if end <= prefix_len {
        return None;
    }
    Some((begin, begin + end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adf::{to_text, validate};
    use serde_json::json;

    #[test]
    fn paragraphs_and_hard_breaks() {
        let doc = from_text("Hello,\r\nsecond line\n\n\n  \nNew para  \n");
        assert_eq!(
            serde_json::to_value(&doc).unwrap()["content"],
            json!([
                {"type":"paragraph","content":[{"type":"text","text":"Hello,"},{"type":"hardBreak"},{"type":"text","text":"second line"}]},
                {"type":"paragraph","content":[{"type":"text","text":"New para"}]}
            ])
        );
        validate(&doc).unwrap();
    }

    #[test]
    fn urls_become_links_without_trailing_punctuation() {
        let doc = from_text("See https://example.test/a?b=1. Or mailto:x@example.test");
        let p = &doc.content[0].content;
        assert_eq!(p[1].text.as_deref(), Some("https://example.test/a?b=1"));
        assert_eq!(p[1].marks[0].href(), Some("https://example.test/a?b=1"));
        assert_eq!(p[2].text.as_deref(), Some(". Or "));
        assert_eq!(p[3].marks[0].href(), Some("mailto:x@example.test"));
        assert!(
            from_text("https:// alone").content[0].content[0]
                .marks
                .is_empty()
        );
    }

    #[test]
    fn empty_and_blank_text_give_an_empty_doc() {
        assert!(from_text("").content.is_empty());
        assert!(from_text(" \n\n\t\n").content.is_empty());
    }

    #[test]
    fn round_trip_keeps_text() {
        let text = "a b\nc\n\nd";
        assert_eq!(to_text(&from_text(text)).trim(), text);
    }
}
