//! A notification's words and headers: the rule's templates (or postroom's defaults)
//! rendered for one recipient, and the RFC 5322 message written from them.
//!
//! Rendering happens when the notification is planned and the result is sealed in the
//! store; the send (a separate job) only writes the message, so that a profile edited in
//! between cannot change or break what was decided.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use serde::{Deserialize, Serialize};

use crate::classify::LOOP_HEADER;
use crate::message::EmailAddress;
use crate::profile::NotificationRule;
use crate::template::{Compiled, Format, RenderContext, Schema, TemplateError, issue_schema};

/// The default subject: the issue key in brackets, so that replies find the issue.
pub const DEFAULT_SUBJECT: &str = "[{{ issue.key }}] {{ issue.summary }}";

/// The default plain-text part.
pub const DEFAULT_TEXT: &str = include_str!("default.txt");

/// The default HTML part: one centred column with inline styles, readable from a phone
/// to a desktop client. The card's table has a fixed layout and its cells break long
/// words, so that an unbroken URL in a comment wraps instead of widening the mail past a
/// phone's screen; clients that keep `<style>` also get narrower side padding on phones.
/// `crates/postroom/tests/notification_render.rs` checks the layout in Chromium.
pub const DEFAULT_HTML: &str = include_str!("default.html");

/// The variables a notification template may use besides those of the issue.
const EVENT_PATHS: [&str; 11] = [
    "event.kind",
    "event.summary",
    "event.changes",
    "event.attachments",
    "comment.body",
    "comment.author",
    "actor.display_name",
    "recipient.name",
    "recipient.email",
    "reply.address",
    "reply.hint",
];

/// The variables of notification templates.
pub fn schema() -> Schema {
    issue_schema(&[]).with(EVENT_PATHS.iter().map(|p| (*p).to_owned()))
}

/// The three parts of a rule's mail, compiled once per profile.
#[derive(Debug)]
pub struct NotifyTemplates {
    subject: Compiled,
    text: Compiled,
    html: Compiled,
}

/// A template of a rule that does not compile or names unknown variables.
#[derive(Debug, thiserror::Error)]
#[error("{part}: {source}")]
pub struct TemplatePartError {
    /// `subject`, `text` or `html`.
    pub part: &'static str,
    pub source: TemplateError,
}

/// The rendered words of one notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Parts whose template failed at render time and fell back to the default.
    pub fell_back: Vec<&'static str>,
}

impl NotifyTemplates {
    /// Compiles a rule's templates, defaults for the parts it leaves out.
    pub fn new(rule: &NotificationRule) -> Result<Self, TemplatePartError> {
        let schema = schema();
        let compile = |part, source: Option<&str>, default: &str, format| {
            let compiled = Compiled::new(source.unwrap_or(default), format)
                .map_err(|source| TemplatePartError { part, source })?;
            let unknown = compiled.unknown_variables(&schema);
            if !unknown.is_empty() {
                return Err(TemplatePartError {
                    part,
                    source: TemplateError::UnknownVariables(unknown),
                });
            }
            Ok(compiled)
        };
        Ok(Self {
            subject: compile(
                "subject",
                rule.subject.as_deref(),
                DEFAULT_SUBJECT,
                Format::Text,
            )?,
            text: compile("text", rule.text.as_deref(), DEFAULT_TEXT, Format::Text)?,
            html: compile("html", rule.html.as_deref(), DEFAULT_HTML, Format::Html)?,
        })
    }

    /// postroom's own templates.
    pub fn defaults() -> Result<Self, TemplatePartError> {
        Self::new(&NotificationRule {
            comment: None,
            name: None,
            projects: Vec::new(),
            events: Vec::new(),
            to: Vec::new(),
            subject: None,
            text: None,
            html: None,
        })
    }

    /// Renders the three parts. A part that fails at render time (its fuel or output
    /// limit, a filter given the wrong value) is rendered from `fallback` instead and
    /// named in [`Words::fell_back`]: the customer is still told.
    pub fn render(
        &self,
        context: &RenderContext,
        fallback: &NotifyTemplates,
    ) -> Result<Words, TemplatePartError> {
        let mut fell_back = Vec::new();
        let mut part = |name, own: &Compiled, default: &Compiled| match own.render(context) {
            Ok(r) => Ok(r.text),
            Err(_) => {
                fell_back.push(name);
                default
                    .render(context)
                    .map(|r| r.text)
                    .map_err(|source| TemplatePartError { part: name, source })
            }
        };
        let subject = part("subject", &self.subject, &fallback.subject)?;
        let text = part("text", &self.text, &fallback.text)?;
        let html = part("html", &self.html, &fallback.html)?;
        Ok(Words {
            subject: one_line(&subject),
            text,
            html,
            fell_back,
        })
    }
}

/// A subject is one line: a template that renders line breaks must not inject headers.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Everything the send needs, sealed in the store when the notification is planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationFacts {
    /// Its own Message-ID, without angle brackets (in the thread map before it is sent).
    pub message_id: String,
    pub to: String,
    pub to_name: Option<String>,
    pub from: String,
    pub from_name: Option<String>,
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The issue's root message: the customer's first mail, or postroom's stable id.
    pub in_reply_to: String,
    pub issue_key: String,
    /// `event.kind`.
    pub event: String,
    /// What the administrator should know (a fallback template, an e-mail Jira hid).
    pub notes: Vec<String>,
    /// Files of the event attached to the mail (fetched from Jira when it is sent); those
    /// over the size cap are only linked in the words.
    #[serde(default)]
    pub attachments: Vec<AttachedFile>,
}

/// A Jira attachment to put in the mail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedFile {
    pub id: String,
    pub name: String,
    pub content_type: String,
}

/// Why a notification could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("notification address: {0}")]
    Address(#[from] crate::message::AddressError),
    #[error("writing the notification: {0}")]
    Write(#[from] std::io::Error),
}

impl NotificationFacts {
    /// Writes the message: `multipart/alternative` text and HTML (in `multipart/mixed`
    /// with `files`, each an attachment of [`Self::attachments`] with its bytes), threaded
    /// under the issue's root message, marked `Auto-Submitted: auto-generated` (RFC 3834)
    /// and with postroom's loop header carrying `loop_token`.
    pub fn compose(
        &self,
        loop_token: &str,
        date_ms: i64,
        files: &[(&AttachedFile, Vec<u8>)],
    ) -> Result<Vec<u8>, ComposeError> {
        let from = EmailAddress::parse(&self.from)?;
        let to = EmailAddress::parse(&self.to)?;
        let named = |name: &Option<String>, address: &EmailAddress| {
            (
                name.clone().unwrap_or_default(),
                address.as_str().to_owned(),
            )
        };
        let mut builder = MessageBuilder::new()
            .from(named(&self.from_name, &from))
            .to(named(&self.to_name, &to))
            .subject(one_line(&self.subject))
            .message_id(self.message_id.clone())
            .in_reply_to(self.in_reply_to.clone())
            .references(self.in_reply_to.clone())
            .date(date_ms.div_euclid(1000))
            .header("Auto-Submitted", Raw::new("auto-generated"))
            .header(LOOP_HEADER, Raw::new(loop_token.to_owned()))
            .text_body(self.text.clone())
            .html_body(self.html.clone());
        if let Some(reply_to) = &self.reply_to {
            builder = builder.reply_to(EmailAddress::parse(reply_to)?.as_str().to_owned());
        }
        for (file, bytes) in files {
            builder =
                builder.attachment(file.content_type.clone(), file.name.clone(), bytes.clone());
        }
        Ok(builder.write_to_vec()?)
    }
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
