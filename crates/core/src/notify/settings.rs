//! The `notifications` section compiled once per profile: every rule's templates, the
//! defaults they fall back to, and the addresses the mail is sent from and answered to.

use crate::message::EmailAddress;
use crate::profile::Notifications;

use super::message::{NotifyTemplates, TemplatePartError};

/// What [`CompiledNotifications::new`] found wrong, located by JSON path below
/// `notifications`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsError {
    /// e.g. `rules[2].html`.
    pub path: String,
    pub message: String,
}

/// The notification settings, ready to render.
#[derive(Debug)]
pub struct CompiledNotifications {
    /// One per rule, in rule order.
    pub templates: Vec<NotifyTemplates>,
    /// postroom's own, for a rule's template that fails at render time.
    pub defaults: NotifyTemplates,
    /// `From`; `None` only when no rule exists (nothing is sent).
    pub from: Option<EmailAddress>,
    pub from_name: Option<String>,
    pub reply_to: Option<EmailAddress>,
}

impl CompiledNotifications {
    /// Compiles `settings`; `own_first` is the profile's first own address (the default
    /// `From` and `Reply-To`). Returns every problem found.
    pub fn new(
        settings: &Notifications,
        own_first: Option<&str>,
    ) -> Result<Self, Vec<SettingsError>> {
        let mut errors = Vec::new();
        let mut templates = Vec::new();
        for (i, rule) in settings.rules.iter().enumerate() {
            if rule.events.is_empty() {
                push(
                    &mut errors,
                    format!("rules[{i}].events"),
                    "name at least one event",
                );
            }
            if rule.to.is_empty() {
                push(
                    &mut errors,
                    format!("rules[{i}].to"),
                    "name at least one recipient",
                );
            }
            for (j, audience) in rule.to.iter().enumerate() {
                if let crate::profile::Audience::Address(a) = audience
                    && let Err(e) = EmailAddress::parse(a)
                {
                    push(&mut errors, format!("rules[{i}].to[{j}]"), e.to_string());
                }
            }
            match NotifyTemplates::new(rule) {
                Ok(t) => templates.push(t),
                Err(TemplatePartError { part, source }) => {
                    push(
                        &mut errors,
                        format!("rules[{i}].{part}"),
                        source.to_string(),
                    );
                }
            }
        }
        if settings.max_recipients == 0 {
            push(&mut errors, "max_recipients".into(), "must be at least 1");
        }
        let from = address(&mut errors, "from", settings.from.as_deref().or(own_first));
        let reply_to = address(
            &mut errors,
            "reply_to",
            settings.reply_to.as_deref().or(own_first),
        );
        if from.is_none() && !settings.rules.is_empty() && errors.is_empty() {
            push(
                &mut errors,
                "from".into(),
                "set notifications.from or own.addresses: rules need a sender",
            );
        }
        let defaults = match NotifyTemplates::defaults() {
            Ok(d) => d,
            Err(e) => {
                push(&mut errors, "(defaults)".into(), e.to_string());
                return Err(errors);
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            templates,
            defaults,
            from,
            from_name: settings.from_name.clone(),
            reply_to,
        })
    }
}

fn push(errors: &mut Vec<SettingsError>, path: String, message: impl Into<String>) {
    errors.push(SettingsError {
        path,
        message: message.into(),
    });
}

/// An address setting, parsed; a bad one is an error at `path`.
fn address(
    errors: &mut Vec<SettingsError>,
    path: &str,
    text: Option<&str>,
) -> Option<EmailAddress> {
    match text.map(EmailAddress::parse) {
        Some(Ok(a)) => Some(a),
        Some(Err(e)) => {
            push(errors, path.to_owned(), e.to_string());
            None
        }
        None => None,
    }
}
