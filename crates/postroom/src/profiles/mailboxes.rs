//! The tenant's IMAP mailboxes: `[[mailboxes]]` of `postroom.toml` (tenant `default` only)
//! and the profile's `mailboxes`, whose `{"secret_ref": NAME}` references are filled in
//! from `[secrets]`.
//!
//! A name in both means the same mailbox, and `postroom.toml` wins: it is polled and
//! exported once, and the profile's copy needs no secret on this site. That lets an
//! administrator export, edit and re-import the profile of the site it came from.

use postroom_core::profile::mailboxes::name_of;
use postroom_core::profile::{CheckedProfile, ProfileMailbox, ValidationError};
use postroom_core::scrub::{replace_secrets_with, resolve_secret_refs};
use postroom_mail::imap::MailboxSettings;
use serde_json::Value;

use crate::config::{Config, Secrets};

/// Shown in a secret's place while the settings are checked, so that no error text can
/// carry a value.
const PLACEHOLDER: &str = "***";

/// The profile's mailboxes that postroom can poll, and a mistake (path within the profile)
/// for each one it cannot: settings that do not parse or cannot work, a secret `[secrets]`
/// does not define. Mailboxes named in `shadowed` are checked but not returned.
pub fn resolve(
    mailboxes: &[ProfileMailbox],
    secrets: &Secrets,
    shadowed: &[&str],
) -> (Vec<MailboxSettings>, Vec<ValidationError>) {
    let mut usable = Vec::new();
    let mut errors = Vec::new();
    for (i, mailbox) in mailboxes.iter().enumerate() {
        let path = format!("mailboxes[{i}]");
        let shadow = name_of(mailbox).is_some_and(|n| shadowed.contains(&n));
        let mut settings = mailbox.clone();
        // A "//" comment is allowed here as everywhere in a profile; IMAP has no use for it.
        settings.remove("//");
        let mut shown = Value::Object(settings.clone());
        let unknown = resolve_secret_refs(&mut shown, |name| {
            secrets.get(name).map(|_| PLACEHOLDER.to_owned())
        });
        let before = errors.len();
        if !shadow {
            errors.extend(unknown.into_iter().map(|(at, name)| ValidationError {
                path: format!("{path}.{at}"),
                message: format!("secret {name:?} is not defined in [secrets] of postroom.toml"),
            }));
        }
        match serde_path_to_error::deserialize::<_, MailboxSettings>(shown) {
            Ok(settings) => {
                if let Err(e) = settings.validate() {
                    errors.push(error(&path, e.to_string()));
                }
            }
            Err(e) => errors.push(ValidationError {
                path: match e.path().to_string().as_str() {
                    "." => path.clone(),
                    at => format!("{path}.{at}"),
                },
                message: e.inner().to_string(),
            }),
        }
        if shadow || errors.len() > before {
            continue;
        }
        let mut value = Value::Object(settings);
        resolve_secret_refs(&mut value, |name| {
            secrets.get(name).map(|s| s.expose().to_owned())
        });
        match serde_json::from_value(value) {
            Ok(settings) => usable.push(settings),
            Err(_) => errors.push(error(
                &path,
                "cannot be read once its secrets are filled in",
            )),
        }
    }
    (usable, errors)
}

fn error(path: &str, message: impl Into<String>) -> ValidationError {
    ValidationError {
        path: path.to_owned(),
        message: message.into(),
    }
}

/// The names of `[[mailboxes]]`, which win over the profile's of the same name.
pub fn configured_names(config: &Config) -> Vec<&str> {
    config.mailboxes.iter().map(|m| m.name.as_str()).collect()
}

/// `[[mailboxes]]` as profile mailboxes, each credential replaced by a reference:
/// `imap-NAME` for a password, `imap-NAME-client-secret` and `imap-NAME-refresh-token`
/// for XOAUTH2.
pub fn exported(config: &Config) -> anyhow::Result<Vec<ProfileMailbox>> {
    let mut out = Vec::new();
    for settings in &config.mailboxes {
        let mut value = serde_json::to_value(settings)?;
        replace_secrets_with(&mut value, &mut |path: &str| match path
            .rsplit('.')
            .next()
            .unwrap_or(path)
        {
            "password" => format!("imap-{}", settings.name),
            field => format!("imap-{}-{}", settings.name, field.replace('_', "-")),
        });
        match value {
            Value::Object(map) => out.push(map),
            _ => anyhow::bail!("mailbox {:?} is not a JSON object", settings.name),
        }
    }
    Ok(out)
}

/// The mailboxes of a tenant's profile alone; for `default` without those of the same name
/// in `[[mailboxes]]` of `postroom.toml`, which are polled instead.
pub fn of_profile(
    config: &Config,
    profile: &CheckedProfile,
    default: bool,
) -> Vec<MailboxSettings> {
    let shadowed = if default {
        configured_names(config)
    } else {
        Vec::new()
    };
    let (usable, errors) = resolve(&profile.profile.mailboxes, &config.secrets, &shadowed);
    report(&errors);
    usable
}

fn report(errors: &[ValidationError]) {
    for e in errors {
        eprintln!("postroom: profile mailbox not polled: {e}");
        tracing::warn!(problem = %e, "a mailbox of the profile is not polled");
    }
}

/// What `serve` polls for the tenant `default`: `[[mailboxes]]`, then the mailboxes of its
/// profile. A profile mailbox that cannot be used is reported and left out, so that the
/// others still run.
pub fn to_poll(config: &Config, profile: Option<&CheckedProfile>) -> Vec<MailboxSettings> {
    let mut all = config.mailboxes.clone();
    if let Some(profile) = profile {
        let (usable, errors) = resolve(
            &profile.profile.mailboxes,
            &config.secrets,
            &configured_names(config),
        );
        report(&errors);
        all.extend(usable);
    }
    all
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn config(toml: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postroom.toml");
        std::fs::write(&path, toml).unwrap();
        Config::load(&path, true, Vec::new()).unwrap()
    }

    const MAILBOXES: &str = r#"
        [secrets]
        imap-support = "hunter2"

        [[mailboxes]]
        name = "support"
        server = "imap.example.com"
        auth = { method = "login", user = "support@example.com", password = "hunter2" }

        [[mailboxes]]
        name = "m365"
        server = "outlook.office365.com"
        auth = { method = "xoauth2", user = "s@example.com", token_url = "https://login.example/token", client_id = "c", client_secret = "cs-1", refresh_token = "rt-1" }
    "#;

    #[test]
    fn configured_mailboxes_export_with_references_only() {
        let config = config(MAILBOXES);
        let exported = exported(&config).unwrap();
        let text = serde_json::to_string(&exported).unwrap();
        for secret in ["hunter2", "cs-1", "rt-1", "***"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert_eq!(
            exported[0]["auth"]["password"]["secret_ref"],
            "imap-support"
        );
        assert_eq!(
            exported[1]["auth"]["refresh_token"]["secret_ref"],
            "imap-m365-refresh-token"
        );
        assert_eq!(
            exported[1]["auth"]["token_url"],
            "https://login.example/token"
        );
    }

    #[test]
    fn references_resolve_from_secrets_and_unknown_ones_are_named() {
        let config = config(MAILBOXES);
        let mut exported = exported(&config).unwrap();
        exported[0].insert("//".to_owned(), Value::from("a comment, as anywhere"));
        let (usable, errors) = resolve(&exported, &config.secrets, &[]);
        assert_eq!(usable, config.mailboxes[..1]);
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[0].starts_with(
            "mailboxes[1].auth.client_secret: secret \"imap-m365-client-secret\" is not defined"
        ));

        let (usable, errors) = resolve(&exported, &config.secrets, &["support", "m365"]);
        assert!(usable.is_empty() && errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn settings_that_cannot_work_are_named_by_path_without_secrets() {
        let config = config(MAILBOXES);
        let mut broken = exported(&config).unwrap();
        broken[0].insert("port".to_owned(), Value::String("imap".to_owned()));
        let mut zero = exported(&config).unwrap();
        zero[0].insert("poll_interval_secs".to_owned(), Value::from(0));
        let (_, errors) = resolve(&broken[..1], &config.secrets, &[]);
        assert_eq!(errors[0].path, "mailboxes[0].port", "{errors:?}");
        let (_, errors) = resolve(&zero[..1], &config.secrets, &[]);
        assert_eq!(errors[0].path, "mailboxes[0]");
        assert!(errors[0].message.contains("poll_interval_secs"));
    }
}
