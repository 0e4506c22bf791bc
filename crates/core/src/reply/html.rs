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
        r#"|(?P<border><div\b[^>]*\bstyle\s*=\s*["'][^"'>]*border-top\s*:\s*(?:solid\s+#(?:e1e1e1|b5c4df)|1(?:\.0)?pt\s+solid\s+(?:#(?:e1e1e1|b5c4df)|rgb\(\s*225\s*,\s*225\s*,\s*225\s*\))))"#,
        r#"|(?P<rule><hr\b[^>]*>(?:\s|&nbsp;|<[^>]*>)*(?:from|von|de|van|da|od|från|fra|от|差出人|发件人|寄件者)\s*(?:&nbsp;)?[:：])"#,
        r#"|(?P<yahoo><div\b[^>]*\b(?:class|id)\s*=\s*["']?[^"'>]*\byahoo_quoted)"#,
        r#"|(?P<webmail><(?:div|blockquote)\b[^>]*\bclass\s*=\s*["']?[^"'>]*\b(?:protonmail_quote|zmail_extra|tutanota_quote)"#,
        r#"|<div\b[^>]*\bclass\s*=\s*["']?[^"'>]*\bmoz-forward-container"#,
        r#"|<hr\b[^>]*\bid\s*=\s*["']?zwchr|<div\b[^>]*\bid\s*=\s*["']?AOLMsgPart|<div\b[^>]*\bname\s*=\s*["']?quote\b)"#,
    ))
});

static TAG: LazyLock<Regex> = LazyLock::new(|| pattern(r"<[^>]*>"));

/// Tags that end a line of text.
static BLOCK_TAG: LazyLock<Regex> =
    LazyLock::new(|| pattern(r"(?i)<(?:br|/?p|/?div|/?tr|/?li|hr|/?table|/?h\d)\b[^>]*>"));

/// Bytes of the quotation read to tell a forward from a reply.
const FORWARD_PEEK_BYTES: usize = 4096;

/// The HTML before the quotation, and the marker that started it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct HtmlCut<'a> {
    pub before: &'a str,
    pub quotation: &'a str,
    pub rule: QuoteRule,
}

/// `<hr>` candidates checked for a header block below them; past this many, `<hr>` alone is
/// no longer considered (each check reads a few kilobytes, and the cap keeps the search
/// linear on hostile input).
const MAX_RULE_CANDIDATES: usize = 16;

/// Finds the earliest quotation marker in `html`.
pub(super) fn find_quotation(html: &str) -> Option<HtmlCut<'_>> {
    let mut rule_candidates = 0;
    let mut from = 0;
    while let Some(caps) = MARKER.captures_at(html, from) {
        let whole = caps.get(0)?;
        if caps.name("rule").is_some() {
            rule_candidates += 1;
            if rule_candidates > MAX_RULE_CANDIDATES || !opens_header_block(&html[whole.start()..])
            {
                // Another marker may start inside the rejected match (an Outlook reply
                // div right after the <hr>): search again from just after its start.
                from = whole.start() + 1;
                continue;
            }
        }
        let rule = [
            ("gmail", QuoteRule::HtmlGmailQuote),
            ("moz", QuoteRule::HtmlMozCitePrefix),
            ("cite", QuoteRule::HtmlCiteBlockquote),
            ("outlook", QuoteRule::HtmlOutlookReplyDiv),
            ("appendonsend", QuoteRule::HtmlOutlookAppendOnSend),
            ("border", QuoteRule::HtmlOutlookBorderTop),
            ("rule", QuoteRule::HtmlRuleAndHeader),
            ("yahoo", QuoteRule::HtmlYahooQuoted),
        ]
        .into_iter()
        .find(|(name, _)| caps.name(name).is_some())
        .map_or(QuoteRule::HtmlWebmailQuote, |(_, rule)| rule);
        return Some(HtmlCut {
            before: &html[..whole.start()],
            quotation: &html[whole.start()..],
            rule,
        });
    }
    None
}

/// True when the text below an `<hr>` is a message header block (a sender field and a
/// second field), not a document that happens to start with "From:".
fn opens_header_block(quotation: &str) -> bool {
    let text = peek_text(quotation);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(12)
        .collect();
    super::outlook::is_header_block(&lines)
}

/// The largest char boundary of `text` at or below `at`.
fn floor_char_boundary(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// The few entities a header block uses.
fn unescape(text: &str) -> String {
    text.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The first lines of a quotation as rough text (a line per block element or `<br>`),
/// enough to spot a forward marker or a header block.
pub(super) fn peek_text(quotation: &str) -> String {
    let head = &quotation[..floor_char_boundary(quotation, FORWARD_PEEK_BYTES)];
    let lines = BLOCK_TAG.replace_all(head, "\n");
    unescape(&TAG.replace_all(&lines, ""))
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
            (
                r#"<hr><b>From:</b> Ann &lt;ann@example.com&gt;<br><b>Sent:</b> Monday<br>"#,
                QuoteRule::HtmlRuleAndHeader,
            ),
            (
                r#"<hr size="2" width="100%"><div><font><b>Von:</b> Ann<br><b>Gesendet:</b> 11.04.2017</font></div>"#,
                QuoteRule::HtmlRuleAndHeader,
            ),
            (
                r#"<div style="border:none;border-top:1pt solid rgb(225,225,225);padding:3pt 0in 0in">"#,
                QuoteRule::HtmlOutlookBorderTop,
            ),
            (
                r#"<div class="moz-forward-container">"#,
                QuoteRule::HtmlWebmailQuote,
            ),
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
        assert_eq!(
            rule_of("<p>a</p><hr><p>From: the manual, chapter 2</p>"),
            None
        );
        assert_eq!(rule_of("<hr><p>Note: nothing quoted</p>"), None);
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
