//! Sanitized HTML (an e-mail's HTML part after cleaning) → ADF.
//!
//! The walk keeps a run of inline content and closes it into a paragraph whenever a block
//! element starts, so that the ADF rule "blocks hold blocks, paragraphs hold inlines" holds
//! whatever nesting the mail client produced. Blocks that ADF does not allow in a place
//! (a heading in a list item, a table in a table cell) are reduced to what is allowed there.

use ego_tree::NodeRef;
use scraper::{ElementRef, Html, Node as HtmlNode};

use super::build::{Inlines, MENTION_SCHEME, MediaRef, Mention, media_single, mention, with_mark};
use super::from_text::push_linked;
use super::to_html::is_safe_href;
use super::{Doc, Mark, MarkKind, Node, NodeKind};

/// Looks up the attachment an `<img src>` refers to (usually `cid:...` of a mail part that
/// was uploaded); `None` keeps the image's alt text instead.
pub type ImageResolver<'a> = &'a dyn Fn(&str) -> Option<MediaRef>;

/// Converts an HTML fragment to ADF. `<a href="mention:ID">@Name</a>` becomes a mention.
pub fn from_html(html: &str, images: ImageResolver<'_>) -> Doc {
    let parsed = Html::parse_fragment(html);
    let mut walker = Walker {
        images,
        blocks: Vec::new(),
        inlines: Inlines::default(),
    };
    walker.children(*parsed.root_element(), &[], false);
    Doc::new(walker.finish())
}

struct Walker<'a> {
    images: ImageResolver<'a>,
    blocks: Vec<Node>,
    inlines: Inlines,
}

impl Walker<'_> {
    fn finish(mut self) -> Vec<Node> {
        self.flush();
        self.blocks
    }

    fn flush(&mut self) {
        if self.inlines.is_empty() {
            return;
        }
        let content = self.inlines.take().finish();
        if !content.is_empty() {
            self.blocks.push(Node::block(NodeKind::Paragraph, content));
        }
    }

    fn push_block(&mut self, node: Node) {
        self.flush();
        self.blocks.push(node);
    }

    /// Converts the children of `el` in a fresh context and returns the blocks they make.
    fn nested(&self, el: NodeRef<'_, HtmlNode>) -> Vec<Node> {
        let mut inner = Walker {
            images: self.images,
            blocks: Vec::new(),
            inlines: Inlines::default(),
        };
        inner.children(el, &[], false);
        inner.finish()
    }

    fn children(&mut self, el: NodeRef<'_, HtmlNode>, marks: &[Mark], pre: bool) {
        for child in el.children() {
            match child.value() {
                HtmlNode::Text(t) => self.text(t, marks, pre),
                HtmlNode::Element(_) => {
                    if let Some(e) = ElementRef::wrap(child) {
                        self.element(e, marks, pre);
                    }
                }
                _ => {}
            }
        }
    }

    fn text(&mut self, text: &str, marks: &[Mark], pre: bool) {
        if pre {
            self.inlines.push_text(text, marks);
            return;
        }
        let mut collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.starts_with(char::is_whitespace) && !collapsed.is_empty() {
            collapsed.insert(0, ' ');
        }
        if text.ends_with(char::is_whitespace) && !collapsed.ends_with(' ') {
            collapsed.push(' ');
        }
        if self.inlines.is_empty() {
            collapsed = collapsed.trim_start().to_owned();
        }
        if marks.iter().any(|m| m.kind == MarkKind::Link) {
            self.inlines.push_text(&collapsed, marks);
        } else {
            push_linked(&mut self.inlines, &collapsed, marks);
        }
    }

    fn element(&mut self, e: ElementRef<'_>, marks: &[Mark], pre: bool) {
        let name = e.value().name();
        let mark = |k| with_mark(marks, Mark::plain(k));
        match name {
            "script" | "style" | "head" | "title" | "template" => {}
            "b" | "strong" => self.children(*e, &mark(MarkKind::Strong), pre),
            "i" | "em" | "cite" => self.children(*e, &mark(MarkKind::Em), pre),
            "s" | "strike" | "del" => self.children(*e, &mark(MarkKind::Strike), pre),
            "u" | "ins" => self.children(*e, &mark(MarkKind::Underline), pre),
            "code" | "tt" | "kbd" | "samp" => self.children(*e, &mark(MarkKind::Code), pre),
            "a" => self.anchor(e, marks, pre),
            "br" => {
                if !self.inlines.is_empty() {
                    self.inlines
                        .push(Node::block(NodeKind::HardBreak, Vec::new()));
                }
            }
            "img" => self.image(e, marks),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = u64::from(name.as_bytes()[1] - b'0');
                let content = inline_only(self.nested(*e));
                if !content.is_empty() {
                    self.push_block(
                        Node::block(NodeKind::Heading, content).with_attr("level", level),
                    );
                }
            }
            "ul" | "ol" => self.list(e),
            "blockquote" => {
                let content = coerce(self.nested(*e), Context::Quote);
                if !content.is_empty() {
                    self.push_block(Node::block(NodeKind::Blockquote, content));
                }
            }
            "pre" => self.code_block(e),
            "hr" => self.push_block(Node::block(NodeKind::Rule, Vec::new())),
            "table" => self.table(e),
            "p" | "div" | "section" | "article" | "header" | "footer" | "main" | "aside"
            | "nav" | "figure" | "figcaption" | "address" | "center" | "dl" | "dt" | "dd"
            | "li" | "tr" | "td" | "th" | "body" | "html" | "form" | "fieldset" => {
                self.flush();
                self.children(*e, marks, pre);
                self.flush();
            }
            _ => self.children(*e, marks, pre),
        }
    }

    fn anchor(&mut self, e: ElementRef<'_>, marks: &[Mark], pre: bool) {
        match e.value().attr("href").map(str::trim) {
            Some(href) if href.starts_with(MENTION_SCHEME) && href.len() > MENTION_SCHEME.len() => {
                let text: String = e.text().collect::<String>().trim().to_owned();
                let id = &href[MENTION_SCHEME.len()..];
                let text = if text.is_empty() {
                    format!("@{id}")
                } else {
                    text
                };
                self.inlines.push(mention(&Mention {
                    id: id.to_owned(),
                    text,
                }));
            }
            Some(href) if is_safe_href(href) => {
                self.children(*e, &with_mark(marks, Mark::link(href)), pre);
            }
            _ => self.children(*e, marks, pre),
        }
    }

    fn image(&mut self, e: ElementRef<'_>, marks: &[Mark]) {
        let src = e.value().attr("src").unwrap_or_default();
        match (self.images)(src) {
            Some(media) => self.push_block(media_single(&media)),
            None => {
                if let Some(alt) = e
                    .value()
                    .attr("alt")
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                {
                    self.inlines.push_text(&format!("[{alt}]"), marks);
                }
            }
        }
    }

    fn list(&mut self, e: ElementRef<'_>) {
        let ordered = e.value().name() == "ol";
        let mut items = Vec::new();
        for li in e.child_elements() {
            let mut content = coerce(self.nested(*li), Context::ListItem);
            if content.is_empty() {
                content.push(Node::block(NodeKind::Paragraph, Vec::new()));
            }
            items.push(Node::block(NodeKind::ListItem, content));
        }
        if items.is_empty() {
            return;
        }
        let kind = if ordered {
            NodeKind::OrderedList
        } else {
            NodeKind::BulletList
        };
        let mut list = Node::block(kind, items);
        if ordered
            && let Some(start) = e
                .value()
                .attr("start")
                .and_then(|s| s.trim().parse::<u64>().ok())
            && start >= 1
        {
            list = list.with_attr("order", start);
        }
        self.push_block(list);
    }

    fn code_block(&mut self, e: ElementRef<'_>) {
        let text: String = e.text().collect();
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if text.trim().is_empty() {
            return;
        }
        let language = e
            .child_elements()
            .find(|c| c.value().name() == "code")
            .and_then(|c| {
                c.value()
                    .classes()
                    .find_map(|cl| cl.strip_prefix("language-"))
                    .map(str::to_owned)
            });
        let mut node = Node::block(NodeKind::CodeBlock, vec![Node::text(text, Vec::new())]);
        if let Some(lang) = language {
            node = node.with_attr("language", lang);
        }
        self.push_block(node);
    }

    fn table(&mut self, e: ElementRef<'_>) {
        let mut rows = Vec::new();
        for row in e.descendent_elements().filter(|d| d.value().name() == "tr") {
            let owner = row
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|a| a.value().name() == "table");
            if owner.map(|t| t.id()) != Some(e.id()) {
                continue;
            }
            let mut cells = Vec::new();
            for cell in row
                .child_elements()
                .filter(|c| matches!(c.value().name(), "td" | "th"))
            {
                let mut content = coerce(self.nested(*cell), Context::Cell);
                if content.is_empty() {
                    content.push(Node::block(NodeKind::Paragraph, Vec::new()));
                }
                let kind = if cell.value().name() == "th" {
                    NodeKind::TableHeader
                } else {
                    NodeKind::TableCell
                };
                cells.push(Node::block(kind, content));
            }
            if !cells.is_empty() {
                rows.push(Node::block(NodeKind::TableRow, cells));
            }
        }
        if !rows.is_empty() {
            self.push_block(Node::block(NodeKind::Table, rows));
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Context {
    ListItem,
    Quote,
    Cell,
}

/// Reduces `blocks` to those ADF allows in `ctx`.
fn coerce(blocks: Vec<Node>, ctx: Context) -> Vec<Node> {
    let mut out = Vec::new();
    for node in blocks {
        match node.kind {
            NodeKind::Paragraph
            | NodeKind::BulletList
            | NodeKind::OrderedList
            | NodeKind::CodeBlock
            | NodeKind::MediaSingle => out.push(node),
            NodeKind::Heading if ctx == Context::Cell => out.push(node),
            NodeKind::Heading => out.push(Node::block(NodeKind::Paragraph, node.content)),
            NodeKind::Blockquote | NodeKind::Rule if ctx == Context::Cell => out.push(node),
            NodeKind::Blockquote => out.extend(coerce(node.content, ctx)),
            NodeKind::Table => {
                for row in node.content {
                    for cell in row.content {
                        out.extend(coerce(cell.content, ctx));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Flattens blocks into one inline run (a heading's content).
fn inline_only(blocks: Vec<Node>) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    for block in blocks {
        if block.kind == NodeKind::Paragraph {
            if !out.is_empty() && !block.content.is_empty() {
                out.push(Node::text(" ", Vec::new()));
            }
            out.extend(block.content);
        }
    }
    out
}

#[cfg(test)]
mod tests;
