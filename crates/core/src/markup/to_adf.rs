//! Markdown subset → ADF, by walking `pulldown-cmark`'s events with a stack of open blocks.

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::adf::build::Inlines;
use crate::adf::{Doc, Mark, MarkKind, Node, NodeKind, is_safe_href};

/// Converts a Markdown body to an ADF document that [`crate::adf::validate`] accepts, for
/// any input: constructs outside the subset degrade to their text (see [`super`]).
pub fn to_adf(markdown: &str) -> Doc {
    let mut builder = Builder {
        frames: vec![Frame {
            node: Node::block(NodeKind::Doc, Vec::new()),
        }],
        ..Builder::default()
    };
    for event in Parser::new_ext(markdown, Options::empty()) {
        builder.event(event);
    }
    builder.finish()
}

/// An open container block and the blocks it holds so far.
#[derive(Debug)]
struct Frame {
    node: Node,
}

/// An open link or image: its target when safe, and the target again as the text to show
/// while the link has no text of its own (`[](url)`, `![](url)`).
#[derive(Debug)]
struct LinkFrame {
    href: Option<String>,
    untitled: Option<String>,
}

#[derive(Debug, Default)]
struct Builder {
    /// Open containers; the bottom one is the document, set up by [`to_adf`].
    frames: Vec<Frame>,
    /// The inline content of the open paragraph or heading.
    inlines: Inlines,
    /// The kind of the open inline block; `None` when text would start an implicit paragraph.
    inline_block: Option<Node>,
    code_block: Option<(Option<String>, String)>,
    strong: usize,
    em: usize,
    links: Vec<LinkFrame>,
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) => self.text(&text, false),
            Event::Code(text) => self.text(&text, true),
            Event::Html(text) | Event::InlineHtml(text) => self.html(&text),
            Event::SoftBreak | Event::HardBreak if self.code_block.is_none() => {
                self.open_inline();
                self.inlines
                    .push(Node::block(NodeKind::HardBreak, Vec::new()));
            }
            Event::Rule => {
                self.close_inline();
                self.add_block(Node::block(NodeKind::Rule, Vec::new()));
            }
            // Task lists, footnotes and math are extensions, which are off: never emitted.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::HtmlBlock => {
                self.begin_inline(Node::block(NodeKind::Paragraph, Vec::new()))
            }
            Tag::Heading { level, .. } => self.begin_inline(
                Node::block(NodeKind::Heading, Vec::new()).with_attr("level", level as u64),
            ),
            Tag::BlockQuote(_) => self.push_frame(Node::block(NodeKind::Blockquote, Vec::new())),
            Tag::List(None) => self.push_frame(Node::block(NodeKind::BulletList, Vec::new())),
            Tag::List(Some(start)) => {
                let list = Node::block(NodeKind::OrderedList, Vec::new());
                self.push_frame(if start == 1 {
                    list
                } else {
                    list.with_attr("order", start)
                });
            }
            Tag::Item => self.push_frame(Node::block(NodeKind::ListItem, Vec::new())),
            Tag::CodeBlock(kind) => {
                self.close_inline();
                let language = match kind {
                    CodeBlockKind::Fenced(info) => language(&info),
                    CodeBlockKind::Indented => None,
                };
                self.code_block = Some((language, String::new()));
            }
            Tag::Strong => self.strong += 1,
            Tag::Emphasis => self.em += 1,
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                let href = is_safe_href(&dest_url).then(|| dest_url.trim().to_owned());
                self.links.push(LinkFrame {
                    untitled: href.clone(),
                    href,
                });
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::HtmlBlock => self.close_inline(),
            TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item => self.pop_frame(),
            TagEnd::CodeBlock => {
                if let Some((language, text)) = self.code_block.take() {
                    let text = text.trim_end_matches('\n');
                    let content = if text.is_empty() {
                        Vec::new()
                    } else {
                        vec![Node::text(text, Vec::new())]
                    };
                    let mut block = Node::block(NodeKind::CodeBlock, content);
                    if let Some(language) = language {
                        block = block.with_attr("language", language);
                    }
                    self.add_block(block);
                }
            }
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Emphasis => self.em = self.em.saturating_sub(1),
            TagEnd::Link | TagEnd::Image => {
                if let Some(LinkFrame {
                    untitled: Some(target),
                    ..
                }) = self.links.last()
                {
                    let target = target.clone();
                    self.text(&target, false);
                }
                self.links.pop();
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, code: bool) {
        if let Some((_, code_text)) = self.code_block.as_mut() {
            code_text.push_str(text);
            return;
        }
        if text.is_empty() {
            return;
        }
        self.open_inline();
        for link in &mut self.links {
            link.untitled = None;
        }
        let marks = self.marks(code);
        self.inlines.push_text(text, &marks);
    }

    /// Raw HTML is shown as the characters typed, line breaks kept (a trailing one is
    /// trimmed with the paragraph).
    fn html(&mut self, html: &str) {
        for (i, line) in html.split('\n').enumerate() {
            if i > 0 {
                self.open_inline();
                self.inlines
                    .push(Node::block(NodeKind::HardBreak, Vec::new()));
            }
            self.text(line, false);
        }
    }

    /// The marks for text at this point; ADF lets `code` combine with `link` only.
    fn marks(&self, code: bool) -> Vec<Mark> {
        let mut marks = Vec::new();
        if code {
            marks.push(Mark::plain(MarkKind::Code));
        } else {
            if self.strong > 0 {
                marks.push(Mark::plain(MarkKind::Strong));
            }
            if self.em > 0 {
                marks.push(Mark::plain(MarkKind::Em));
            }
        }
        if let Some(href) = self.links.iter().rev().find_map(|l| l.href.as_deref()) {
            marks.push(Mark::link(href));
        }
        marks
    }

    fn begin_inline(&mut self, block: Node) {
        self.close_inline();
        self.inline_block = Some(block);
    }

    /// Opens an implicit paragraph for text outside one (the items of a tight list).
    fn open_inline(&mut self) {
        if self.inline_block.is_none() {
            self.inline_block = Some(Node::block(NodeKind::Paragraph, Vec::new()));
        }
    }

    fn close_inline(&mut self) {
        if let Some(mut block) = self.inline_block.take() {
            block.content = self.inlines.take().finish();
            if !block.content.is_empty() {
                self.add_block(block);
            }
        }
    }

    fn push_frame(&mut self, node: Node) {
        self.close_inline();
        self.frames.push(Frame { node });
    }

    fn pop_frame(&mut self) {
        self.close_inline();
        if self.frames.len() > 1
            && let Some(Frame { mut node }) = self.frames.pop()
        {
            // An item opens with a paragraph in ADF, even an empty one (`- ` or `- - x`).
            if node.kind == NodeKind::ListItem
                && node.content.first().is_none_or(|first| {
                    !matches!(first.kind, NodeKind::Paragraph | NodeKind::CodeBlock)
                })
            {
                node.content
                    .insert(0, Node::block(NodeKind::Paragraph, Vec::new()));
            }
            if !node.content.is_empty() {
                self.add_block(node);
            }
        }
    }

    /// Adds a finished block to the innermost open container, reshaped to what ADF allows
    /// there: a heading becomes a paragraph, a quote is unwrapped, a rule is dropped.
    fn add_block(&mut self, node: Node) {
        let Some(frame) = self.frames.last_mut() else {
            return;
        };
        fit(&mut frame.node, node);
    }

    fn finish(mut self) -> Doc {
        self.close_inline();
        while self.frames.len() > 1 {
            self.pop_frame();
        }
        Doc::new(
            self.frames
                .pop()
                .map(|f| f.node.content)
                .unwrap_or_default(),
        )
    }
}

/// Places `child` into `parent`, reshaping it where ADF forbids it there.
fn fit(parent: &mut Node, mut child: Node) {
    use NodeKind::*;
    let nested = matches!(parent.kind, Blockquote | ListItem);
    match (&parent.kind, &child.kind) {
        (BulletList | OrderedList, ListItem) | (Doc, _) => parent.content.push(child),
        (BulletList | OrderedList, _) => {
            parent.content.push(Node::block(ListItem, Vec::new()));
            if let Some(item) = parent.content.last_mut() {
                fit(item, child);
            }
        }
        (_, Heading) if nested => {
            child.kind = Paragraph;
            child.attrs = None;
            parent.content.push(child);
        }
        (_, Blockquote) if nested => {
            for grandchild in child.content {
                fit(parent, grandchild);
            }
        }
        (_, Rule) if nested => {}
        _ => parent.content.push(child),
    }
}

/// The language of a fenced block's info string, when it is a plain word.
fn language(info: &str) -> Option<String> {
    let word = info.split_whitespace().next()?;
    let plain = word.len() <= 32
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '#' | '.' | '_'));
    plain.then(|| word.to_owned())
}

#[cfg(test)]
#[path = "to_adf_tests.rs"]
mod tests;
