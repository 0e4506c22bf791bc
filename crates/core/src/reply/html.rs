//! HTML replies: cut the quotation out of the HTML itself, where each client marks it, before
//! converting what is left to text.
//!
//! Used when a message has no text alternative, or when its text alternative lost the
//! quotation's structure (the text pass found no quote but the HTML marks one). The markup
//! is searched with one linear-time regex for the earliest marker; everything from there on
//! is the quoted history. An unclosed element left by the cut is harmless to the HTML parser.

use std::sync::LazyLock;

use regex::Regex;

use super::QuoteRule;
use super::pattern;

/// The earliest quotation marker, one named group per client family.
static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    pattern(concat!(
        r#"(?i)(?P<gmail><(?:div|blockquote)\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bgmail_quote)"#,
        r#"|(?P<moz><div\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bmoz-cite-prefix)"#,
        r#"|(?P<cite><blockquote\b[^>]*\btype\s*=\s*["']?cite)"#,
        r#"|(?P<outlook><div\b[^>]*\bid\s*=\s*["']?(?:x_)?divRplyFwdMsg)"#,
        r#"|(?P<appendonsend><div\b[^>]*\bid\s*=\s*["']?(?:x_)?appendonsend)"#,
        r#"|(?P<border><div\b[^>]*\bstyle\s*=\s*["'][^"'>]*border-top\s*:\s*solid\s+#(?:e1e1e1|b5c4df))"#,
        r#"|(?P<yahoo><div\b[^>]*\b(?:class|id)\s*=\s*["']?[^"'>]*\byahoo_quoted)"#,
        r#"|(?P<webmail><(?:div|blockquote)\b[^>]*\bclass\s*=\s*["']?[^"'>]*\b(?:protonmail_quote|zmail_extra|tutanota_quote)"#,
        r#"|<hr\b[^>]*\bid\s*=\s*["']?zwchr|<div\b[^>]*\bid\s*=\s*["']?AOLMsgPart|<div\b[^>]*\bname\s*=\s*["']?quote\b)"#,
    ))
});

static TAG: LazyLock<Regex> = LazyLock::new(|| pattern(r"<[^>]*>"));

/// Bytes of the quotation read to tell a forward from a reply.
const FORWARD_PEEK_BYTES: usize = 4096;

/// The HTML before the quotation, and the marker that started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HtmlCut<'a> {
    pub before: &'a str,
    pub quotation: &'a str,
    pub rule: QuoteRule,
}

/// Finds the earliest quotation marker in `html`.
pub(super) fn find_quotation(html: &str) -> Option<HtmlCut<'_>> {
    let caps = MARKER.captures(html)?;
    let whole = caps.get(0)?;
    let rule = [
        ("gmail", QuoteRule::HtmlGmailQuote),
        ("moz", QuoteRule::HtmlMozCitePrefix),
        ("cite", QuoteRule::HtmlCiteBlockquote),
        ("outlook", QuoteRule::HtmlOutlookReplyDiv),
        ("appendonsend", QuoteRule::HtmlOutlookAppendOnSend),
        ("border", QuoteRule::HtmlOutlookBorderTop),
        ("yahoo", QuoteRule::HtmlYahooQuoted),
    ]
    .into_iter()
    .find(|(name, _)| caps.name(name).is_some())
    .map_or(QuoteRule::HtmlWebmailQuote, |(_, rule)| rule);
    Some(HtmlCut {
        before: &html[..whole.start()],
        quotation: &html[whole.start()..],
        rule,
    })
}

/// The first lines of a quotation as rough text, enough to spot a forward marker.
pub(super) fn peek_text(quotation: &str) -> String {
    let mut end = quotation.len().min(FORWARD_PEEK_BYTES);
    while !quotation.is_char_boundary(end) {
        end -= 1;
    }
    let text = TAG.replace_all(&quotation[..end], "\n");
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Renders HTML as text the way the rest of postroom does, so that `visible_text` reads like
/// `body_text` with the quotation taken out.
pub(super) fn to_text(html: &str) -> String {
    crate::html::html_to_text(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule_of(html: &str) -> Option<QuoteRule> {
        find_quotation(html).map(|c| c.rule)
    }

    #[test]
    fn each_client_marker_is_found() {
        let cases = [
            (
                r#"<div class="gmail_quote gmail_quote_container">"#,
                QuoteRule::HtmlGmailQuote,
            ),
            (r#"<blockquote type="cite">"#, QuoteRule::HtmlCiteBlockquote),
            (
                r#"<div class="moz-cite-prefix">On"#,
                QuoteRule::HtmlMozCitePrefix,
            ),
            (
                r#"<div id="divRplyFwdMsg" dir="ltr">"#,
                QuoteRule::HtmlOutlookReplyDiv,
            ),
            (
                r#"<div id="x_divRplyFwdMsg">"#,
                QuoteRule::HtmlOutlookReplyDiv,
            ),
            (
                r#"<div id="appendonsend"></div>"#,
                QuoteRule::HtmlOutlookAppendOnSend,
            ),
            (
                r#"<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">"#,
                QuoteRule::HtmlOutlookBorderTop,
            ),
            (
                r#"<div class="yahoo_quoted" id="yahoo_quoted_123">"#,
                QuoteRule::HtmlYahooQuoted,
            ),
            (
                r#"<div class="protonmail_quote">"#,
                QuoteRule::HtmlWebmailQuote,
            ),
            (r#"<hr id="zwchr">"#, QuoteRule::HtmlWebmailQuote),
        ];
        for (html, rule) in cases {
            let doc = format!("<p>Reply</p>{html}<p>old</p>");
            let cut = find_quotation(&doc);
            assert_eq!(cut.map(|c| c.rule), Some(rule), "{html}");
            assert_eq!(cut.map(|c| c.before), Some("<p>Reply</p>"), "{html}");
        }
    }

    #[test]
    fn the_earliest_marker_wins() {
        let doc = r#"<p>a</p><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">x</div>"#;
        assert_eq!(rule_of(doc), Some(QuoteRule::HtmlOutlookAppendOnSend));
    }

    #[test]
    fn ordinary_markup_has_no_marker() {
        assert_eq!(rule_of("<blockquote>famous words</blockquote>"), None);
        assert_eq!(rule_of(r#"<div class="gmail_signature">John</div>"#), None);
        assert_eq!(
            rule_of(r#"<div style="border-top:solid red 2pt">x</div>"#),
            None
        );
    }

    #[test]
    fn peek_text_strips_tags_and_entities() {
        let text = peek_text(
            "<div>---------- Forwarded message ---------<br>From: a&nbsp;&lt;b&gt;</div>",
        );
        assert!(text.contains("---------- Forwarded message ---------"));
        assert!(text.contains("From: a <b>"));
    }
}
