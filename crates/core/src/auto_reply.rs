//! postroom's automatic answers to the sender of a mail: the acknowledgement of a new issue,
//! and the notice that a mail was refused.
//!
//! Pure: the engine hands in the facts it recorded when the mail was processed (sealed in
//! the store between the two jobs) and the clock; this module renders the tenant's
//! templates and writes the RFC 5322 message. Both kinds are one letter with other words,
//! so they share one writer: the headers are the part that matters most, and they must not
//! differ. `In-Reply-To`/`References` thread the answer under the sender's own mail,
//! `Auto-Submitted: auto-replied` (RFC 3834) tells other robots not to answer it, and
//! postroom's loop header lets postroom recognise it should it ever come back.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;
use serde::{Deserialize, Serialize};

use crate::classify::LOOP_HEADER;
use crate::message::EmailAddress;
use crate::template::{Compiled, Format, RenderContext, Schema, TemplateError};

/// Which automatic answer: it decides the variables its templates may use and the profile
/// section named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyKind {
    /// `acknowledgement`: a mail opened an issue.
    Acknowledgement,
    /// `notice`: a mail was refused (`reject`), and the sender is told why.
    Notice,
}

impl ReplyKind {
    /// The profile section, which is also `sent_mail.kind` of the messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Acknowledgement => "acknowledgement",
            Self::Notice => "notice",
        }
    }

    /// The variables a template of this kind may use.
    pub fn schema(self) -> Schema {
        let paths: &[&str] = match self {
            Self::Acknowledgement => &["issue.key", "issue.summary", "issue.link", "sender.name"],
            Self::Notice => &["reason", "original.subject", "sender.name"],
        };
        Schema::new(paths.iter().map(|p| (*p).to_owned()))
    }
}

/// What the engine records about an automatic answer when it is queued, so that the send
/// (a separate job, possibly much later) needs neither the raw mail nor Jira.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplyFacts {
    /// The answer's own Message-ID (without angle brackets), chosen when it was queued so
    /// that the thread map and bounce matching know it before it is sent.
    pub message_id: String,
    /// The sender's address, to which the answer goes.
    pub to: String,
    /// The sender's display name, when the mail gave one.
    pub to_name: Option<String>,
    /// The sender's Message-ID, which the answer answers.
    pub in_reply_to: Option<String>,
    /// The sender's `References`, to which their Message-ID is appended.
    pub references: Vec<String>,
    /// What the answer is about.
    #[serde(flatten)]
    pub about: About,
}

/// What an answer is about. Untagged and flattened, so that the facts of acknowledgements
/// queued before notices existed still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum About {
    /// The issue the mail opened (an acknowledgement).
    Issue {
        /// The new issue.
        issue_key: String,
        /// Its summary.
        summary: String,
        /// `https://site/browse/KEY`, when the site's address is known.
        link: Option<String>,
    },
    /// Why the mail was refused (a notice).
    Refusal {
        /// The reason, worded for the sender.
        reason: String,
        /// The refused mail's subject.
        original_subject: Option<String>,
    },
}

impl About {
    /// The kind of answer these facts are for.
    pub fn kind(&self) -> ReplyKind {
        match self {
            Self::Issue { .. } => ReplyKind::Acknowledgement,
            Self::Refusal { .. } => ReplyKind::Notice,
        }
    }

    fn context(&self, to_name: Option<&String>) -> RenderContext {
        let mut context = RenderContext::new();
        match self {
            Self::Issue {
                issue_key,
                summary,
                link,
            } => context.insert(
                "issue",
                serde_json::json!({ "key": issue_key, "summary": summary, "link": link }),
            ),
            Self::Refusal {
                reason,
                original_subject,
            } => {
                context.insert("reason", serde_json::json!(reason));
                context.insert(
                    "original",
                    serde_json::json!({ "subject": original_subject }),
                );
            }
        }
        context.insert("sender", serde_json::json!({ "name": to_name }));
        context
    }
}

/// The words of one kind of answer as the profile has them.
#[derive(Debug, Clone, Copy)]
pub struct Letter<'a> {
    /// The `From` address; `None` falls back to the profile's first own address.
    pub from: Option<&'a str>,
    /// The display name in `From`.
    pub from_name: Option<&'a str>,
    /// Template of the subject (one line).
    pub subject: &'a str,
    /// Template of the plain-text body.
    pub body: &'a str,
}

/// Why an automatic answer could not be written.
#[derive(Debug, thiserror::Error)]
pub enum AutoReplyError {
    /// The subject or body template failed to render (or uses unknown variables).
    #[error("{section}.{part}: {source}")]
    Template {
        /// `acknowledgement` or `notice`.
        section: &'static str,
        /// `subject` or `body`.
        part: &'static str,
        /// What the engine said.
        source: TemplateError,
    },
    /// No `From` address is configured and the profile has no own address.
    #[error("{0}.from is not set and own.addresses is empty")]
    NoFrom(&'static str),
    /// The configured or recorded address is not an address.
    #[error("auto-reply address: {0}")]
    Address(#[from] crate::message::AddressError),
    /// The facts are of another kind than the templates (a stored row and its kind
    /// disagree).
    #[error("the facts of a {found} cannot fill a {expected}")]
    WrongKind {
        /// The templates' kind.
        expected: &'static str,
        /// The facts' kind.
        found: &'static str,
    },
    /// mail-builder could not write the message.
    #[error("writing the {section}: {source}")]
    Write {
        /// `acknowledgement` or `notice`.
        section: &'static str,
        /// What failed.
        source: std::io::Error,
    },
}

/// One kind of answer with its templates compiled once.
#[derive(Debug)]
pub struct AutoReply {
    kind: ReplyKind,
    subject: Compiled,
    body: Compiled,
    from: EmailAddress,
    from_name: Option<String>,
}

impl AutoReply {
    /// Compiles `letter`; `own_first` is the profile's first own address, the `From` when
    /// none is configured. Unknown variables are errors, so that a typo shows when the
    /// profile is imported rather than as an empty gap in a customer's mail.
    pub fn new(
        kind: ReplyKind,
        letter: Letter<'_>,
        own_first: Option<&str>,
    ) -> Result<Self, AutoReplyError> {
        let schema = kind.schema();
        let section = kind.as_str();
        let compile = |part, source: &str| {
            let compiled =
                Compiled::new(source, Format::Text).map_err(|source| AutoReplyError::Template {
                    section,
                    part,
                    source,
                })?;
            let unknown = compiled.unknown_variables(&schema);
            if !unknown.is_empty() {
                return Err(AutoReplyError::Template {
                    section,
                    part,
                    source: TemplateError::UnknownVariables(unknown),
                });
            }
            Ok(compiled)
        };
        let from = letter
            .from
            .or(own_first)
            .ok_or(AutoReplyError::NoFrom(section))?;
        Ok(Self {
            kind,
            subject: compile("subject", letter.subject)?,
            body: compile("body", letter.body)?,
            from: EmailAddress::parse(from)?,
            from_name: letter.from_name.map(str::to_owned),
        })
    }

    /// The `From` address (its domain also names the answer's Message-ID).
    pub fn from(&self) -> &EmailAddress {
        &self.from
    }

    /// Writes the message; `loop_token` goes into the loop header, `date_ms` is the time
    /// of sending.
    pub fn compose(
        &self,
        facts: &ReplyFacts,
        loop_token: &str,
        date_ms: i64,
    ) -> Result<Vec<u8>, AutoReplyError> {
        let section = self.kind.as_str();
        if facts.about.kind() != self.kind {
            return Err(AutoReplyError::WrongKind {
                expected: section,
                found: facts.about.kind().as_str(),
            });
        }
        let context = facts.about.context(facts.to_name.as_ref());
        let render = |part, template: &Compiled| {
            template
                .render(&context)
                .map_err(|source| AutoReplyError::Template {
                    section,
                    part,
                    source,
                })
        };
        let subject = one_line(&render("subject", &self.subject)?.text);
        let body = render("body", &self.body)?;
        let to = EmailAddress::parse(&facts.to)?;
        let named = |name: Option<&String>, address: &EmailAddress| {
            (
                name.cloned().unwrap_or_default(),
                address.as_str().to_owned(),
            )
        };
        let mut builder = MessageBuilder::new()
            .from(named(self.from_name.as_ref(), &self.from))
            .to(named(facts.to_name.as_ref(), &to))
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
        builder
            .write_to_vec()
            .map_err(|source| AutoReplyError::Write { section, source })
    }
}

/// A subject is one line: a template that renders line breaks must not inject headers.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
