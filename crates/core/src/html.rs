//! HTML mail bodies: plain text as a person would have typed it, and a sanitized copy.
//!
//! Text is what classification, reply extraction and the dry-run report read; the
//! sanitized HTML is what the Jira markup converters start from, so that nothing a sender
//! put in a `<script>` or an `onload` can reach an issue.

use std::collections::HashSet;
use std::sync::LazyLock;

use html2text::render::{TaggedLine, TextDecorator};

/// Lines are never wrapped: the text goes into Jira, which wraps for itself.
const NO_WRAP: usize = 10_000;

/// Converts an HTML body to text: paragraphs separated by blank lines, `<br>` as line
/// breaks, lists as `- ` / `1. ` items, links as `text <url>`, blockquotes as `> ` quotes,
/// tables as aligned rows, `<script>` and `<style>` dropped, entities decoded, `cid:` images
/// as placeholders ([`crate::inline_image`]).
pub fn html_to_text(html: &str) -> String {
    let rendered = html2text::config::with_decorator(MailDecorator::default())
        .allow_width_overflow()
        .no_table_borders()
        .no_link_wrapping()
        .string_from_read(html.as_bytes(), NO_WRAP);
    match rendered {
        Ok(text) => tidy(&text),
        // html2text only fails on pathological layout; the tag-stripping fallback still
        // gives the words, which is what downstream stages need.
        Err(_) => tidy(&mail_parser::decoders::html::html_to_text(html)),
    }
}

/// Removes trailing spaces on each line, collapses runs of blank lines to one, and trims
/// blank lines at both ends.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = 0usize;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        push_without_self_links(&mut out, line);
    }
    out
}

/// Appends `line`, dropping the ` <url>` added after a link whose text already is that URL
/// (`https://x <https://x>` becomes `https://x`).
fn push_without_self_links(out: &mut String, line: &str) {
    let mut rest = line;
    while let Some(start) = rest.find(" <") {
        let (before, tail) = rest.split_at(start);
        let Some(end) = tail.find('>') else { break };
        let url = &tail[2..end];
        out.push_str(before);
        if url.is_empty() || !before.ends_with(url) {
            out.push_str(&tail[..=end]);
        }
        rest = &tail[end + 1..];
    }
    out.push_str(rest);
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    // Inline images are referenced as `cid:`; keep them so they can be mapped to Jira
    // attachments later.
    let mut schemes: HashSet<&str> = builder.clone_url_schemes();
    schemes.insert("cid");
    builder.url_schemes(schemes);
    builder
});

/// A copy of the HTML with scripts, styles, event handlers and unknown tags removed
/// (ammonia's allow-list), keeping the structure needed for conversion to Jira markup.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Renders links as `text <url>`, quotes as `> `, and list items with `- ` or `1. `.
#[derive(Debug, Default, Clone)]
struct MailDecorator {
    links: Vec<Option<String>>,
}

impl TextDecorator for MailDecorator {
    type Annotation = ();

    fn decorate_link_start(&mut self, url: &str) -> (String, ()) {
        let shown = if let Some(address) = url.strip_prefix("mailto:") {
            Some(address.split('?').next().unwrap_or_default().to_owned())
        } else if url.starts_with("http://") || url.starts_with("https://") {
            Some(url.to_owned())
        } else {
            None
        };
        self.links.push(shown.filter(|s| !s.is_empty()));
        (String::new(), ())
    }

    fn decorate_link_end(&mut self) -> String {
        match self.links.pop().flatten() {
            Some(url) => format!(" <{url}>"),
            None => String::new(),
        }
    }

    fn decorate_em_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_em_end(&self) -> String {
        String::new()
    }

    fn decorate_strong_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strong_end(&self) -> String {
        String::new()
    }

    fn decorate_strikeout_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_strikeout_end(&self) -> String {
        String::new()
    }

    fn decorate_code_start(&self) -> (String, ()) {
        (String::new(), ())
    }

    fn decorate_code_end(&self) -> String {
        String::new()
    }

    fn decorate_preformat_first(&self) {}

    fn decorate_preformat_cont(&self) {}

    /// A `cid:` image (a part of the mail) leaves a placeholder where it stood, which the
    /// post builder turns into the uploaded attachment (see [`crate::inline_image`]); any
    /// other image leaves its title.
    fn decorate_image(&mut self, src: &str, title: &str) -> (String, ()) {
        (
            crate::inline_image::placeholder(src).unwrap_or_else(|| title.to_owned()),
            (),
        )
    }

    fn header_prefix(&self, _level: usize) -> String {
        String::new()
    }

    fn quote_prefix(&self) -> String {
        "> ".to_owned()
    }

    fn unordered_item_prefix(&self) -> String {
        "- ".to_owned()
    }

    fn ordered_item_prefix(&self, i: i64) -> String {
        format!("{i}. ")
    }

    fn make_subblock_decorator(&self) -> Self {
        Self::default()
    }

    fn finalise(&mut self, _urls: Vec<String>) -> Vec<TaggedLine<()>> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_breaks_and_entities_read_as_typed() {
        let text = html_to_text("<p>Hello &amp; welcome,<br>second line</p><p>caf&eacute;</p>");
        assert_eq!(text, "Hello & welcome,\nsecond line\n\ncafé");
    }

    #[test]
    fn links_show_their_target_once() {
        let text = html_to_text(concat!(
            r#"<p>See <a href="https://ex.com/d">the docs</a>, "#,
            r#"<a href="https://ex.com">https://ex.com</a>, "#,
            r#"<a href="mailto:help@ex.com?subject=x">mail us</a>, "#,
            r##"<a href="#top">top</a></p>"##
        ));
        assert_eq!(
            text,
            "See the docs <https://ex.com/d>, https://ex.com, mail us <help@ex.com>, top"
        );
    }

    #[test]
    fn lists_are_dashed_or_numbered() {
        let text = html_to_text("<ul><li>one</li><li>two</li></ul><ol><li>a</li><li>b</li></ol>");
        assert_eq!(text, "- one\n- two\n1. a\n2. b");
    }

    #[test]
    fn blockquotes_become_quoted_lines() {
        let text = html_to_text("<p>Yes.</p><blockquote>Can you?<br>Please</blockquote>");
        assert_eq!(text, "Yes.\n\n> Can you?\n> Please");
    }

    #[test]
    fn tables_keep_columns_aligned() {
        let text = html_to_text(
            "<table><tr><td>Apples</td><td>3</td></tr><tr><td>Pear</td><td>12</td></tr></table>",
        );
        assert_eq!(text, "Apples 3\nPear   12");
    }

    #[test]
    fn script_and_style_never_reach_the_text() {
        let text = html_to_text("<style>p{x:y}</style><script>alert(1)</script><p>ok</p>");
        assert_eq!(text, "ok");
    }

    #[test]
    fn long_lines_are_not_wrapped() {
        let long = "word ".repeat(100);
        assert_eq!(html_to_text(&format!("<p>{long}</p>")), long.trim_end());
    }

    #[test]
    fn cid_images_leave_a_placeholder_in_place_and_others_their_title() {
        let text = html_to_text(concat!(
            r#"<p>Before</p><p><img src="cid:shot@x" alt="Screenshot"></p><p>After "#,
            r#"<img src="https://ex.com/a.png" alt="remote"></p>"#
        ));
        assert_eq!(
            crate::inline_image::pieces(&text),
            [
                crate::inline_image::Piece::Text("Before\n\n"),
                crate::inline_image::Piece::Image("shot@x"),
                crate::inline_image::Piece::Text("\n\nAfter remote"),
            ]
        );
    }

    #[test]
    fn empty_and_broken_html_give_text_without_panicking() {
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<p><b>unclosed <i>tags"), "unclosed tags");
        assert_eq!(html_to_text("plain & simple"), "plain & simple");
    }

    #[test]
    fn sanitize_removes_active_content_and_keeps_cid_images() {
        let clean = sanitize(
            r#"<p onclick="x()">hi<script>bad()</script></p><img src="cid:logo@x" alt="Logo"><a href="javascript:x()">j</a>"#,
        );
        assert!(
            !clean.contains("script")
                && !clean.contains("onclick")
                && !clean.contains("javascript")
        );
        assert!(clean.contains(r#"src="cid:logo@x""#));
        assert!(clean.contains("<p>hi</p>"));
    }
}
