//! The acknowledgement mail: what a customer receives when their mail opened an issue.
//!
//! Pure: the engine hands in the facts it recorded when the issue was created (sealed in
//! the store between the two jobs) and the clock; this module renders the tenant's
//! templates and writes the RFC 5322 message. The headers are the part that matters most:
//! `In-Reply-To`/`References` thread it under the customer's own mail, `Auto-Submitted:
//! auto-replied` (RFC 3834) tells other robots not to answer it, and postroom's loop header
//! lets postroom recognise it should it ever come back.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use serde::{Deserialize, Serialize};

use crate::classify::LOOP_HEADER;
use crate::message::EmailAddress;
use crate::profile::Acknowledgement;
use crate::template::{Compiled, Format, RenderContext, Schema, TemplateError};

/// What the engine records about an acknowledgement when the issue is created, so that the
/// send (a separate job, possibly much later) needs neither the raw mail nor Jira.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AckFacts {
    /// The acknowledgement's own Message-ID (without angle brackets), chosen when it was
    /// queued so that the thread map and bounce matching know it before it is sent.
    pub message_id: String,
    /// The customer's address.
    pub to: String,
    /// The customer's display name, when the mail gave one.
    pub to_name: Option<String>,
    /// The customer's Message-ID, which the acknowledgement answers.
    pub in_reply_to: Option<String>,
    /// The customer's `References`, to which their Message-ID is appended.
    pub references: Vec<String>,
    /// The new issue.
    pub issue_key: String,
    /// Its summary.
    pub summary: String,
    /// `https://site/browse/KEY`, when the site's address is known.
    pub link: Option<String>,
}

/// The variables an acknowledgement template may use.
pub fn schema() -> Schema {
    Schema::new(
        ["issue.key", "issue.summary", "issue.link", "sender.name"]
            .into_iter()
            .map(str::to_owned),
    )
}

/// Why an acknowledgement could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AckError {
    /// The subject or body template failed to render (or uses unknown variables).
    #[error("acknowledgement {part}: {source}")]
    Template {
        /// `subject` or `body`.
        part: &'static str,
        /// What the engine said.
        source: TemplateError,
    },
    /// No `From` address is configured and the profile has no own address.
    #[error("acknowledgement.from is not set and own.addresses is empty")]
    NoFrom,
    /// The configured or recorded address is not an address.
    #[error("acknowledgement address: {0}")]
    Address(#[from] crate::message::AddressError),
    /// mail-builder could not write the message.
    #[error("writing the acknowledgement: {0}")]
    Write(#[from] std::io::Error),
}

/// The acknowledgement settings with their templates compiled once.
#[derive(Debug)]
pub struct AckTemplates {
    subject: Compiled,
    body: Compiled,
    from: EmailAddress,
    from_name: Option<String>,
}

impl AckTemplates {
    /// Compiles `settings`; `own_first` is the profile's first own address, the `From`
    /// when none is configured. Unknown variables are errors, so that a typo shows when the
    /// profile is imported rather than as an empty gap in a customer's mail.
    pub fn new(settings: &Acknowledgement, own_first: Option<&str>) -> Result<Self, AckError> {
        let schema = schema();
        let compile = |part, source: &str| {
            let compiled = Compiled::new(source, Format::Text)
                .map_err(|source| AckError::Template { part, source })?;
            let unknown = compiled.unknown_variables(&schema);
            if !unknown.is_empty() {
                return Err(AckError::Template {
                    part,
                    source: TemplateError::UnknownVariables(unknown),
                });
            }
            Ok(compiled)
        };
        let from = settings
            .from
            .as_deref()
            .or(own_first)
            .ok_or(AckError::NoFrom)?;
        Ok(Self {
            subject: compile("subject", &settings.subject)?,
            body: compile("body", &settings.body)?,
            from: EmailAddress::parse(from)?,
            from_name: settings.from_name.clone(),
        })
    }

    /// The `From` address (its domain also names the acknowledgement's Message-ID).
    pub fn from(&self) -> &EmailAddress {
        &self.from
    }

    /// Writes the message; `loop_token` goes into the loop header, `date_ms` is the time
    /// of sending.
    pub fn compose(
        &self,
        facts: &AckFacts,
        loop_token: &str,
        date_ms: i64,
    ) -> Result<Vec<u8>, AckError> {
        let mut context = RenderContext::new();
        context.insert(
            "issue",
            serde_json::json!({
                "key": facts.issue_key,
                "summary": facts.summary,
                "link": facts.link,
            }),
        );
        context.insert("sender", serde_json::json!({ "name": facts.to_name }));
        let subject = self
            .subject
            .render(&context)
            .map_err(|source| AckError::Template {
                part: "subject",
                source,
            })?;
        let body = self
            .body
            .render(&context)
            .map_err(|source| AckError::Template {
                part: "body",
                source,
            })?;
        let to = EmailAddress::parse(&facts.to)?;
        let subject = one_line(&subject.text);
        let mut builder = MessageBuilder::new()
            .from(match &self.from_name {
                Some(name) => (name.clone(), self.from.as_str().to_owned()),
                None => (String::new(), self.from.as_str().to_owned()),
            })
            .to(match &facts.to_name {
                Some(name) => (name.clone(), to.as_str().to_owned()),
                None => (String::new(), to.as_str().to_owned()),
            })
            .subject(subject)
            .message_id(facts.message_id.clone())
            .date(date_ms.div_euclid(1000))
            .header("Auto-Submitted", Raw::new("auto-replied"))
            .header(LOOP_HEADER, Raw::new(loop_token.to_owned()))
            .text_body(body.text);
        if let Some(parent) = &facts.in_reply_to {
            let mut references = facts.references.clone();
            if !references.contains(parent) {
                references.push(parent.clone());
            }
            builder = builder.in_reply_to(parent.clone()).references(references);
        }
        Ok(builder.write_to_vec()?)
    }
}

/// A subject is one line: a template that renders line breaks must not inject headers.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
