//! Light formatting for template bodies: a Markdown subset, converted to ADF for Jira Cloud
//! and to wiki markup for Jira Data Center.
//!
//! Authors of canned responses, acknowledgements and notifications write text with a little
//! formatting; Jira wants ADF (v3) or wiki markup (v2). Markdown is what people already type,
//! so bodies are Markdown, parsed by `pulldown-cmark` (CommonMark, no extensions) and mapped
//! onto ADF; wiki markup is then rendered from that ADF by [`crate::wiki::from_adf`], so both
//! dialects come from one conversion.
//!
//! The subset: paragraphs, **bold**, *italic*, [links](https://example.test) (http, https
//! and mailto only), bullet and numbered lists (nested), `inline code`, fenced or indented
//! code blocks, headings, block quotes and horizontal rules. A single line break is kept as
//! a line break (as in a Jira comment box), not joined into one line as CommonMark does.
//! Anything else degrades to text: raw HTML appears literally as the characters typed (it
//! is never passed through as HTML), an image becomes a link labelled with its alt text
//! (a link or image without text shows its address),
//! a link to any other scheme (`javascript:`, `data:`) keeps its label and loses the link.
//!
//! Values inserted by the template engine are escaped with [`escape_into`] so that a field
//! value such as a summary reads as text and cannot add links or formatting of its own.

mod escape;
mod to_adf;

pub use escape::escape_into;
pub use to_adf::to_adf;

/// Markdown subset → Jira wiki markup (Data Center), through the same ADF as Cloud gets.
pub fn to_wiki(markdown: &str) -> String {
    crate::wiki::from_adf(&to_adf(markdown))
}

#[cfg(test)]
mod proptests;
