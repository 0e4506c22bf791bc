//! `postroom jira check`: what an administrator needs to know about a Jira connection,
//! gathered with read-only calls.

use std::collections::BTreeMap;
use std::fmt;

use postroom_core::ports::tracker::{Dialect, Tracker, TrackerError};
use serde::Serialize;

use crate::client::JiraClient;

/// One project postroom can create issues in.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectCheck {
    /// Project key.
    pub key: String,
    /// Project name.
    pub name: String,
    /// Whether the create screen lets postroom set the reporter (so issues can be raised
    /// in the sender's name); `None` when the project has no issue type to ask about.
    pub can_set_reporter: Option<bool>,
}

/// The result of a connection check.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// `Cloud`, `Server` or `DataCenter`.
    pub deployment_type: String,
    /// Jira's version.
    pub version: String,
    /// The REST dialect the client uses.
    pub dialect: Dialect,
    /// The authenticated account's display name.
    pub account_name: String,
    /// The authenticated account's id.
    pub account_id: String,
    /// Whether Jira shows e-mail addresses to this account (its own record has one).
    pub can_see_email_addresses: bool,
    /// Projects postroom can create issues in.
    pub projects: Vec<ProjectCheck>,
    /// Rate-limit headers seen during the check.
    pub rate_limit_headers: BTreeMap<String, String>,
}

/// Runs the check against `client`.
pub async fn check(client: &JiraClient) -> Result<CheckReport, TrackerError> {
    let info = client.server_info().await?;
    let me = client.myself().await?;
    let mut projects = Vec::new();
    for p in client.projects(true).await? {
        let types = client.issue_types(&p.key).await?;
        let can_set_reporter = match types.iter().find(|t| !t.subtask).or(types.first()) {
            Some(t) => Some(
                client
                    .create_fields(&p.key, &t.id)
                    .await?
                    .iter()
                    .any(|f| f == "reporter"),
            ),
            None => None,
        };
        projects.push(ProjectCheck {
            key: p.key,
            name: p.name,
            can_set_reporter,
        });
    }
    Ok(CheckReport {
        deployment_type: info.deployment_type,
        version: info.version,
        dialect: client.dialect(),
        account_name: me.display_name,
        account_id: me.account_id,
        can_see_email_addresses: me.email.is_some(),
        projects,
        rate_limit_headers: client.rate_limit_headers_seen(),
    })
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let dialect = match self.dialect {
            Dialect::CloudV3 => "REST v3, ADF",
            Dialect::DataCenterV2 => "REST v2, wiki markup",
        };
        writeln!(
            f,
            "Jira:             {} {} ({dialect})",
            self.deployment_type, self.version
        )?;
        writeln!(
            f,
            "Account:          {} ({})",
            self.account_name, self.account_id
        )?;
        writeln!(
            f,
            "E-mail addresses: {}",
            if self.can_see_email_addresses {
                "visible"
            } else {
                "hidden"
            }
        )?;
        writeln!(
            f,
            "Projects it can create issues in: {}",
            self.projects.len()
        )?;
        for p in &self.projects {
            let reporter = p.can_set_reporter.map_or("unknown", yes_no);
            writeln!(
                f,
                "  {:<10} {}  (can set reporter: {reporter})",
                p.key, p.name
            )?;
        }
        if self.rate_limit_headers.is_empty() {
            writeln!(f, "Rate-limit headers: none seen")?;
        } else {
            writeln!(f, "Rate-limit headers:")?;
            for (k, v) in &self.rate_limit_headers {
                writeln!(f, "  {k}: {v}")?;
            }
        }
        Ok(())
    }
}
