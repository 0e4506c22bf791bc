//! `profile import`: the whole document checked before anything is stored, and every
//! mistake reported at once with its JSON path: the profile's own rules (patterns,
//! templates, no secret values), its mailboxes and their secret references, and the
//! project keys and fields it names, asked of the tenant's Jira.

use anyhow::Context;
use postroom_core::ports::tracker::Tracker;
use postroom_core::profile::mailboxes::name_of;
use postroom_core::profile::{
    CheckedProfile, Profile, ProfileDocument, ProfileError, ProfileErrors, ValidationError,
};
use postroom_jira::JiraClient;

use super::mailboxes;
use crate::config::Config;

/// A profile ready to store, and what the administrator should know about it.
#[derive(Debug)]
pub struct Checked {
    pub profile: CheckedProfile,
    /// Checks that were not made and mailboxes that `postroom.toml` overrides.
    pub notes: Vec<String>,
}

/// Reads and checks `text` for the tenant `tenant` (`default` has `[[mailboxes]]` beside
/// its profile), whose site is `site` (see [`crate::sites::jira_settings_of`]).
/// `Ok(Err(_))` lists every mistake in the document; `Err(_)` means Jira could not be
/// asked (`offline` skips asking).
pub async fn check(
    text: &str,
    config: &Config,
    default_tenant: bool,
    site: Option<&crate::config::JiraConfig>,
    tenant: &str,
    offline: bool,
) -> anyhow::Result<Result<Checked, ProfileErrors>> {
    let client = jira(site, tenant, offline).await?;
    let jira = client.as_ref().map_err(|n| *n);
    check_with(text, config, default_tenant, jira, None).await
}

/// [`check`] with the tenant's Jira already at hand (`Err`: why it is not asked), for a
/// caller that holds a connected client: the API's `PUT /profile`. With `stored` (the
/// profile being replaced), a project or field Jira does not know that `stored` names too
/// is a note rather than a mistake: a profile imported with `--offline` can still be
/// edited, while anything new is checked.
pub async fn check_with<T: Tracker>(
    text: &str,
    config: &Config,
    default_tenant: bool,
    jira: Result<&T, &str>,
    stored: Option<&Profile>,
) -> anyhow::Result<Result<Checked, ProfileErrors>> {
    let read = match ProfileDocument::read(text) {
        Ok(read) => read,
        Err(ProfileError::Json { path, message }) => {
            return Ok(Err(ProfileErrors(vec![ValidationError { path, message }])));
        }
        Err(e) => {
            return Ok(Err(ProfileErrors(vec![ValidationError {
                path: ".".to_owned(),
                message: e.to_string(),
            }])));
        }
    };
    let profile = &read.profile;
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let checked = profile
        .clone()
        .check()
        .map_err(|e| problems.extend(e.0))
        .ok();
    let shadowed = if default_tenant {
        mailboxes::configured_names(config)
    } else {
        Vec::new()
    };
    for (i, mailbox) in profile.mailboxes.iter().enumerate() {
        if let Some(name) = name_of(mailbox).filter(|n| shadowed.contains(n)) {
            notes.push(format!(
                "{}mailboxes[{i}]: {name:?} is also in [[mailboxes]] of postroom.toml, which \
                 is used while it is there",
                read.path_prefix
            ));
        }
    }
    problems.extend(mailboxes::resolve(&profile.mailboxes, &config.secrets, &shadowed).1);
    match jira {
        Ok(client) => {
            let unknown = postroom_engine::profiles::unknown_in_jira(profile, client)
                .await
                .context(OFFLINE_HINT)?;
            let named = profile.jira_references();
            let before = stored.map(Profile::jira_references).unwrap_or_default();
            for problem in unknown {
                let kept = named
                    .iter()
                    .find(|r| r.path == problem.path)
                    .is_some_and(|r| before.iter().any(|b| b.kind == r.kind && b.name == r.name));
                if kept {
                    notes.push(format!(
                        "{}: {} (already in the stored profile, kept)",
                        problem.path, problem.message
                    ));
                } else {
                    problems.push(problem);
                }
            }
        }
        Err(note) => notes.push(note.to_owned()),
    }
    for problem in &mut problems {
        problem.path = format!("{}{}", read.path_prefix, problem.path);
    }
    Ok(match checked {
        Some(profile) if problems.is_empty() => Ok(Checked { profile, notes }),
        _ => Err(ProfileErrors(problems)),
    })
}

const OFFLINE_HINT: &str = "cannot ask Jira whether the profile's project keys and fields \
    exist (import with --offline to skip this check)";

/// The connected Jira client, or why the Jira checks are not made.
async fn jira(
    site: Option<&crate::config::JiraConfig>,
    tenant: &str,
    offline: bool,
) -> anyhow::Result<Result<JiraClient, &'static str>> {
    if offline {
        return Ok(Err(
            "--offline: project keys and fields were not checked against Jira",
        ));
    }
    let Some(site) = site.filter(|s| s.url.is_some()) else {
        return Ok(Err(
            "the tenant has no Jira site ([jira] url, or `postroom tenant set`): project \
             keys and fields were not checked against Jira",
        ));
    };
    let mut client_config = crate::trackers::client_config(site, tenant)?;
    // An administrator waits at the terminal: a few tries, not the workers' patience.
    client_config.politeness.max_attempts = 3;
    Ok(Ok(JiraClient::connect(client_config)
        .await
        .context(OFFLINE_HINT)?))
}
