//! `postroom data-inventory`: what postroom stores, where, how protected, for how long, and
//! the retention periods the configuration puts in force.

use std::process::ExitCode;

use postroom_engine::retention::{Kind, Periods, Policy};
use postroom_store::OwnRetention;
use postroom_store::inventory;
use serde::Serialize;

use super::Globals;
use crate::app;
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `markdown` for people (the table of DESIGN.md §5), `json` for scripts.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Markdown)]
    format: InventoryFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InventoryFormat {
    Markdown,
    Json,
}

/// The configurable periods and opt-outs as this instance's configuration sets them.
#[derive(Debug, Serialize)]
struct InForce {
    /// `inbound.retention_days`: intake records, raw mail and processing reports.
    retention_days: u32,
    /// Where raw mail is not kept past its processing (`store_raw = false`).
    raw_mail_not_kept: Vec<String>,
    /// `[backup] schedule` and `keep`: how often `serve` makes a backup, how many it keeps.
    backup_schedule: String,
    backup_keep: u32,
    /// `[retention]`: the least and most days a site may choose, per kind.
    policy: Policy,
}

impl InForce {
    fn of(config: &Config) -> Self {
        let mut off = Vec::new();
        if !config.inbound.store_raw {
            off.push("uploads and file imports (inbound.store_raw)".to_owned());
        }
        if !config.smtp.store_raw {
            off.push("SMTP/LMTP listeners (smtp.store_raw)".to_owned());
        }
        off.extend(
            config
                .mailboxes
                .iter()
                .filter(|m| !m.store_raw)
                .map(|m| format!("mailbox {}", m.name)),
        );
        Self {
            retention_days: config.inbound.retention_days,
            raw_mail_not_kept: off,
            backup_schedule: config.backup.schedule.clone(),
            backup_keep: config.backup.keep,
            policy: config.retention_policy(),
        }
    }

    fn to_markdown(&self) -> String {
        let days = self.retention_days;
        let not_kept = if self.raw_mail_not_kept.is_empty() {
            "none: every source keeps its raw mail".to_owned()
        } else {
            self.raw_mail_not_kept.join(", ")
        };
        format!(
            "\n## Periods in force\n\n| data | kept | setting |\n| --- | --- | --- |\n\
             | intake records, raw inbound e-mail, processing reports (every tenant) | {days} days | `inbound.retention_days` |\n\
             | raw inbound e-mail deleted once processed | {not_kept} | `store_raw` of `[inbound]`, `[smtp]`, `[[mailboxes]]`; a site's own opt-out: `tenant set --store-raw false` |\n\
             | a site's own periods may be (intake records and raw mail; reports; sent-mail records) | {bounds} | `[retention] min_days`, `max_days`; `tenant set --intake-days/--reports-days/--sent-mail-days`, `PUT /api/v1/settings/retention` |\n\
             | backups made by `serve` (`[backup] schedule = \"{schedule}\"`) | the newest {keep} | `[backup] keep` |\n",
            bounds = Kind::ALL
                .map(|k| format!("{}–{} days", self.policy.min.get(k), self.policy.max.get(k)))
                .join("; "),
            keep = self.backup_keep,
            schedule = self.backup_schedule,
        )
    }
}

/// One site's periods: its own within the operator's, and its raw-mail opt-out.
#[derive(Debug, Serialize)]
struct TenantInForce {
    tenant: String,
    /// Days each kind of its audit data is kept.
    periods: Periods,
    /// The periods the site chose itself (`tenant set --intake-days …`); null: the
    /// instance's.
    own: OwnRetention,
    /// False when the site opted out of the raw-mail audit (`tenant set --store-raw false`).
    raw_mail_kept: bool,
}

impl TenantInForce {
    fn rows(tenants: &[Self]) -> String {
        let mut out = String::from(
            "\n## Periods in force per tenant\n\n| tenant | intake records and raw mail | \
             processing reports | sent-mail records | raw mail |\n\
             | --- | --- | --- | --- | --- |\n",
        );
        let days = |days: u32, own: Option<u32>| {
            format!(
                "{days} days{}",
                if own.is_some() { " (its own)" } else { "" }
            )
        };
        for t in tenants {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                t.tenant,
                days(t.periods.intake, t.own.intake),
                days(t.periods.reports, t.own.reports),
                days(t.periods.sent_mail, t.own.sent_mail),
                if t.raw_mail_kept {
                    "kept where its sources keep it"
                } else {
                    "not kept (the site opted out)"
                },
            ));
        }
        out
    }
}

/// Each tenant's periods, read from the database; `None` before there is one (nothing is
/// created for it: the inventory can be read before anything is installed).
async fn tenants_in_force(config: &Config) -> anyhow::Result<Option<Vec<TenantInForce>>> {
    if let Some(path) = config.storage.url.strip_prefix("sqlite:") {
        let path = path.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        if !std::path::Path::new(path).exists() {
            return Ok(None);
        }
    }
    let store = app::open_store(config).await?;
    let policy = config.retention_policy();
    let tenants = store.list_tenants().await?;
    Ok(Some(
        tenants
            .into_iter()
            .map(|record| TenantInForce {
                tenant: record.id.as_str().to_owned(),
                periods: policy.periods(&record.retention),
                own: record.retention,
                raw_mail_kept: record.store_raw,
            })
            .collect(),
    ))
}

/// Prints the inventory generated from the code's declarations, then the periods the
/// configuration puts in force, and each tenant's when there is a database already.
pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    let in_force = InForce::of(&config);
    let tenants = tenants_in_force(&config).await?;
    match args.format {
        InventoryFormat::Markdown => {
            print!("{}{}", inventory::to_markdown(), in_force.to_markdown());
            if let Some(tenants) = &tenants {
                print!("{}", TenantInForce::rows(tenants));
            }
        }
        InventoryFormat::Json => {
            let mut json = inventory::to_json();
            json["in_force"] = serde_json::to_value(&in_force)?;
            json["tenants"] = serde_json::to_value(&tenants)?;
            println!("{}", serde_json::to_string_pretty(&json)?);
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_periods_in_force_name_every_opt_out() {
        let mut config = Config::default();
        let shown = InForce::of(&config).to_markdown();
        assert!(
            shown.contains("| 30 days | `inbound.retention_days` |"),
            "{shown}"
        );
        assert!(
            shown.contains("none: every source keeps its raw mail"),
            "{shown}"
        );
        config.inbound.retention_days = 7;
        config.smtp.store_raw = false;
        let shown = InForce::of(&config).to_markdown();
        assert!(shown.contains("| 7 days |"), "{shown}");
        assert!(
            shown.contains("SMTP/LMTP listeners (smtp.store_raw)"),
            "{shown}"
        );
        assert!(!shown.contains("uploads"), "{shown}");
    }
}
