//! What the customer actually wrote: the new text of a reply, without the quoted history and
//! without the signature.
//!
//! An issue comment should hold only the new words, so every inbound message goes through
//! [`extract`]. It takes plain strings (not a parsed message) so it can be used and tested
//! on its own. The rules are written from how mail clients format replies in the languages
//! listed in `quote_header`, `outlook`, `forward` and `signature`; all patterns use the
//! linear-time `regex` crate and the inspected text is capped, so no input makes it slow.
//! When in doubt it keeps text: a reply that would come out empty keeps everything.
//!
//! # Closing, name and signature: the product rule
//!
//! **Keep the writer's own closing and name; drop the contact card after it.** "Thanks,\nAlex"
//! or "Best regards,\nMaria" is what the person wrote, and an agent reading the comment
//! should see who is speaking and in what tone, so it stays. What a signature adds after
//! it (title, company, phone, address, links, legal disclaimers) and the "Sent from my …"
//! taglines of phones and mail apps go, because they repeat what Jira already knows about
//! the reporter and push the words that matter out of view. Concretely:
//!
//! - a client tagline in the last lines is cut;
//! - a `-- ` delimiter cuts everything below it (the writer's closing, when they typed one,
//!   is above it); so does a rule line above contact details;
//! - a name line (one that repeats the sender's name, or a short capitalised line right
//!   under a closing phrase) ends the reply when the lines below it read as a card; the
//!   name line and the closing above it are kept;
//! - a closing and name with nothing below them are kept as they are.
//!
//! HTML replies are converted to text after their quotation is cut, and the same passes
//! run on that text, so the rule is the same for both.

mod contact_card;
mod forward;
mod html;
mod lines;
mod list_footer;
mod outlook;
mod quote_header;
mod quoted;
mod signature;
mod split;

use std::borrow::Cow;

use regex::Regex;
use serde::Serialize;

use lines::{lines_of, trim_blank_lines, trim_blank_lines_owned};

/// Bytes of text inspected line by line for quotations; the rest of a longer body is kept as
/// is unless a quotation found before the cap already runs to the end. (HTML markers are
/// found by one linear scan of the whole HTML; the cap applies to its converted text.)
pub const MAX_INSPECTED_BYTES: usize = 2 * 1024 * 1024;

/// Signature cuts tried one after the other (list footer, tagline, delimiter, contact card).
const SIGNATURE_PASSES: usize = 4;

/// What [`extract`] reads: the message's bodies and what it knows about the sender.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplyInput<'a> {
    /// The text/plain body, decoded; empty when the message has none.
    pub text: &'a str,
    /// The text/html body, decoded, used when the text body is missing or lost the quote.
    pub html: Option<&'a str>,
    /// The sender's display name (or address): a sign-off that repeats it is a signature.
    pub sender_name: Option<&'a str>,
    /// The message's subject: "Re:" tells a reply from a forward of a forwarded thread.
    pub subject: Option<&'a str>,
}

/// The reply's visible text and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extraction {
    /// The author's new words: no quoted history, no signature.
    pub visible_text: String,
    /// The rule that found the quoted history, if any was found.
    pub quote_found_by: Option<QuoteRule>,
    /// The rule that removed a signature, if one was removed.
    pub signature_removed: Option<SignatureRule>,
    /// The message forwards another one; the forwarded message, with its header block, is
    /// part of the visible text.
    pub is_forward: bool,
    /// For a forward, the forwarder's own words above the forwarded message (empty when
    /// they wrote none), for callers that file the note apart from the forwarded content.
    pub forward_note: Option<String>,
    /// Decisions worth reporting (fallbacks, caps).
    pub notes: Vec<Note>,
}

/// How the quoted history was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuoteRule {
    /// An attribution line such as "On ... wrote:" in one of the supported languages.
    QuoteHeader,
    /// A block of `From:`/`Sent:`/`To:`/`Subject:` fields or their translations.
    OutlookHeaderBlock,
    /// `-----Original Message-----` or a translation.
    OriginalMessageSeparator,
    /// Lines quoted with `>`.
    QuoteMarkers,
    /// Gmail's `gmail_quote` element.
    HtmlGmailQuote,
    /// Apple Mail's and Thunderbird's `<blockquote type="cite">`.
    HtmlCiteBlockquote,
    /// Thunderbird's `moz-cite-prefix` attribution.
    HtmlMozCitePrefix,
    /// Outlook's `divRplyFwdMsg` header.
    HtmlOutlookReplyDiv,
    /// Outlook's `appendonsend` marker.
    HtmlOutlookAppendOnSend,
    /// Outlook desktop's border-top separator above the header block.
    HtmlOutlookBorderTop,
    /// An `<hr>` directly followed by a header block's first field (`From:` and its
    /// translations), as older Outlook, Lotus Notes and many webmails write it.
    HtmlRuleAndHeader,
    /// Yahoo's `yahoo_quoted` element.
    HtmlYahooQuoted,
    /// Another webmail's quote element (Proton, Zoho, Zimbra, AOL, GMX/web.de).
    HtmlWebmailQuote,
}

/// How the signature was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureRule {
    /// The `-- ` delimiter (or `--` whose trailing space was lost).
    Delimiter,
    /// "Sent from my iPhone", "Get Outlook for Android" and their translations.
    ClientTagline,
    /// A rule line above contact details or the sender's name.
    RuleAndContacts,
    /// The contact card below the writer's closing and name (which are kept).
    ContactCard,
    /// A mailing list's footer (separator, list name, address, URL).
    ListFooter,
}

/// A decision the caller may want to show or log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "note")]
pub enum Note {
    /// Only the first [`MAX_INSPECTED_BYTES`] were inspected.
    InspectionCapped { inspected_bytes: usize },
    /// The visible text comes from the HTML body.
    UsedHtml,
    /// Nothing was left outside the quotation, so the whole text is kept.
    NothingOutsideQuote,
}

impl QuoteRule {
    /// The rule's name as it appears in JSON and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::QuoteHeader => "quote_header",
            Self::OutlookHeaderBlock => "outlook_header_block",
            Self::OriginalMessageSeparator => "original_message_separator",
            Self::QuoteMarkers => "quote_markers",
            Self::HtmlGmailQuote => "html_gmail_quote",
            Self::HtmlCiteBlockquote => "html_cite_blockquote",
            Self::HtmlMozCitePrefix => "html_moz_cite_prefix",
            Self::HtmlOutlookReplyDiv => "html_outlook_reply_div",
            Self::HtmlOutlookAppendOnSend => "html_outlook_append_on_send",
            Self::HtmlOutlookBorderTop => "html_outlook_border_top",
            Self::HtmlRuleAndHeader => "html_rule_and_header",
            Self::HtmlYahooQuoted => "html_yahoo_quoted",
            Self::HtmlWebmailQuote => "html_webmail_quote",
        }
    }
}

impl SignatureRule {
    /// The rule's name as it appears in JSON and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delimiter => "delimiter",
            Self::ClientTagline => "client_tagline",
            Self::RuleAndContacts => "rule_and_contacts",
            Self::ContactCard => "contact_card",
            Self::ListFooter => "list_footer",
        }
    }
}

impl std::fmt::Display for Note {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::InspectionCapped { inspected_bytes } => {
                write!(
                    f,
                    "only the first {inspected_bytes} bytes were inspected for quotations"
                )
            }
            Self::UsedHtml => f.write_str("the HTML body marked the quotation the text body lost"),
            Self::NothingOutsideQuote => {
                f.write_str("nothing was written outside the quotation; the whole text is kept")
            }
        }
    }
}

/// Extracts the new text of a parsed message: its text body (the HTML body helps find the
/// quotation), with the sender's name and the subject as clues.
pub fn extract_message(message: &crate::message::Message) -> Extraction {
    let text = message
        .text_body
        .as_deref()
        .map(|t| message.text_with_images(t));
    extract(&ReplyInput {
        text: text.as_deref().unwrap_or_default(),
        html: message.html_body.as_deref(),
        sender_name: message
            .from
            .as_ref()
            .map(|m| m.name.as_deref().unwrap_or(m.address.as_str())),
        subject: message.subject.as_deref(),
    })
}

impl Extraction {
    /// The lines a processing report shows: what was cut, and that a forward was kept whole.
    pub fn report(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(rule) = self.quote_found_by {
            lines.push(format!("reply: quoted history removed ({})", rule.as_str()));
        }
        if let Some(rule) = self.signature_removed {
            lines.push(format!("reply: signature removed ({})", rule.as_str()));
        }
        if self.is_forward {
            lines.push("reply: forwarded message kept whole below the forwarder's note".to_owned());
        }
        lines.extend(self.notes.iter().map(|note| format!("reply: {note}")));
        lines
    }
}

/// Extracts the visible text of a reply. Never fails: at worst it keeps the whole text.
pub fn extract(input: &ReplyInput<'_>) -> Extraction {
    let mut notes = Vec::new();
    let text = if input.text.contains('\r') {
        Cow::Owned(input.text.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(input.text)
    };
    let mut pass = text_pass(&text, input.subject, &mut notes);
    if pass.quote.is_none()
        && !pass.is_forward
        && let Some(from_html) = input
            .html
            .and_then(|h| html_pass(h, &text, input.subject, &mut notes))
    {
        notes.push(Note::UsedHtml);
        pass = from_html;
    }
    if pass.quote.is_some() && pass.visible.trim().is_empty() {
        notes.push(Note::NothingOutsideQuote);
        pass = TextPass {
            visible: trim_blank_lines(&text),
            quote: None,
            is_forward: false,
            forward_note: None,
        };
    }
    let mut signature_removed = None;
    // A tagline may sit below a delimited signature ("-- / name / Sent with ..."), so cut
    // again on what is left; each pass only shortens the text.
    for _ in 0..SIGNATURE_PASSES {
        if pass.is_forward {
            break;
        }
        let lines = lines_of(&pass.visible);
        let Some((keep, rule)) = signature::cut(&lines, input.sender_name) else {
            break;
        };
        signature_removed = signature_removed.or(Some(rule));
        pass.visible = trim_blank_lines_owned(lines[..keep].join("\n"));
    }
    Extraction {
        visible_text: pass.visible,
        quote_found_by: pass.quote,
        signature_removed,
        is_forward: pass.is_forward,
        forward_note: pass.forward_note,
        notes,
    }
}

struct TextPass {
    visible: String,
    quote: Option<QuoteRule>,
    is_forward: bool,
    forward_note: Option<String>,
}

/// Quote removal on plain text, inspecting at most [`MAX_INSPECTED_BYTES`].
fn text_pass(text: &str, subject: Option<&str>, notes: &mut Vec<Note>) -> TextPass {
    let (head, rest) = split_at_line(text, MAX_INSPECTED_BYTES);
    if !rest.is_empty() {
        notes.push(Note::InspectionCapped {
            inspected_bytes: head.len(),
        });
    }
    let lines = lines_of(head);
    let found = split::split(&lines, subject);
    let mut visible = found.kept.join("\n");
    if !found.cut_to_end && !rest.is_empty() {
        visible.push('\n');
        visible.push_str(rest);
    }
    let forward_note = found
        .forward
        .then(|| trim_blank_lines(&found.kept[..found.note_lines].join("\n")));
    TextPass {
        visible: trim_blank_lines_owned(visible),
        quote: found.quote,
        is_forward: found.forward,
        forward_note,
    }
}

/// Quote removal on the HTML body, when it marks a quotation the text did not show.
fn html_pass(
    html: &str,
    text: &str,
    subject: Option<&str>,
    notes: &mut Vec<Note>,
) -> Option<TextPass> {
    // The markers are searched in the whole HTML (one linear regex scan) and everything
    // before the quotation is converted: capping the HTML here would drop the writer's own
    // words past the cap. The text pass caps what it inspects of the converted text.
    let cut = html::find_quotation(html);
    if cut.is_none() && !text.trim().is_empty() {
        return None;
    }
    let before = match cut {
        Some(cut) => {
            let peek = html::peek_text(cut.quotation);
            let peek_lines: Vec<&str> = peek.lines().collect();
            if !split::opens_forward(&peek_lines, subject) {
                cut.before
            } else if text.trim().is_empty() {
                html
            } else {
                return None;
            }
        }
        None => html,
    };
    let rendered = html::to_text(before);
    let mut pass = text_pass(&rendered, subject, notes);
    if cut.is_none() && pass.quote == Some(QuoteRule::QuoteMarkers) {
        // A bare <blockquote> with no client marker and no attribution above it is the
        // writer quoting a document or a web page, not an earlier message: it stays.
        pass = TextPass {
            visible: trim_blank_lines(&rendered),
            quote: None,
            is_forward: false,
            forward_note: None,
        };
    }
    if !pass.is_forward {
        pass.quote = cut.map(|c| c.rule).or(pass.quote);
    }
    pass.visible = trim_rules_at_end(&pass.visible);
    Some(pass)
}

/// Splits `text` at the last line break before `cap` bytes (or at `cap` on a char boundary).
fn split_at_line(text: &str, cap: usize) -> (&str, &str) {
    if text.len() <= cap {
        return (text, "");
    }
    let mut end = cap;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let end = text[..end].rfind('\n').map_or(end, |nl| nl + 1);
    text.split_at(end)
}

/// Drops separator lines (`---`, `___`, `───`) an HTML cut leaves at the end.
fn trim_rules_at_end(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    while let Some(last) = lines.last() {
        let t = last.trim();
        if t.is_empty() || t.chars().all(|c| matches!(c, '-' | '_' | '─' | '━' | '=')) {
            lines.pop();
        } else {
            break;
        }
    }
    lines.join("\n")
}

/// Compiles a pattern written in this module. A broken pattern is a programming error that
/// every test reveals at once, never a property of the input.
#[expect(
    clippy::expect_used,
    reason = "patterns are constants, checked by the tests"
)]
fn pattern(source: &str) -> Regex {
    Regex::new(source).expect("reply pattern compiles")
}
