//! Jira wiki markup: the rich-text format of Jira Data Center's REST API v2.
//!
//! postroom keeps rich text as ADF ([`crate::adf`]); for Data Center it renders ADF to wiki
//! markup on the way out and parses wiki markup to ADF on the way in, so text and HTML reach
//! wiki markup through the same converters that feed Jira Cloud.

mod inline;
mod parse;
mod parse_list;
mod render;

pub use parse::to_adf;
pub use render::from_adf;

use crate::adf::{self, ImageResolver};

/// Plain text (an e-mail's text part) → wiki markup.
pub fn from_text(text: &str) -> String {
    from_adf(&adf::from_text(text))
}

/// Sanitized HTML → wiki markup; images the resolver knows become `!file-name!`.
pub fn from_html(html: &str, images: ImageResolver<'_>) -> String {
    from_adf(&adf::from_html(html, images))
}

/// Wiki markup → plain text, for notification mails.
pub fn to_text(markup: &str) -> String {
    adf::to_text(&to_adf(markup))
}

/// Wiki markup → safe HTML, for notification mails.
pub fn to_html(markup: &str) -> String {
    adf::to_html(&to_adf(markup))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_survives_a_trip_through_wiki_markup() {
        let text = "Price: 5*3 = 15_000 [approx] {really} | ok!\nsecond -line- here\n\n# not a list\nh1. not a heading";
        let wiki = from_text(text);
        assert_eq!(to_text(&wiki), text, "{wiki}");
    }

    #[test]
    fn html_to_wiki_to_html() {
        let wiki = from_html(
            "<p><b>Hi</b> <a href='https://x.test'>there</a></p><ul><li>a</li></ul>",
            &|_| None,
        );
        assert_eq!(wiki, "*Hi* [there|https://x.test]\n\n* a");
        assert_eq!(
            to_html(&wiki),
            "<p><strong>Hi</strong> <a href=\"https://x.test\">there</a></p><ul><li><p>a</p></li></ul>"
        );
    }
}
