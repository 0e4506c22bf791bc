//! `postroom data-inventory`: what postroom stores, where, how protected, for how long, and
//! the retention periods the configuration puts in force.

use std::process::ExitCode;

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
             | raw inbound e-mail deleted once processed | {not_kept} | `store_raw` of `[inbound]`, `[smtp]`, `[[mailboxes]]` |\n"
        )
    }
}

/// Prints the inventory generated from the code's declarations, then the periods the
/// configuration puts in force; it needs no database, so it can be read before anything
/// is installed.
pub fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let in_force = InForce::of(&app::load_config(globals)?);
    match args.format {
        InventoryFormat::Markdown => {
            print!("{}{}", inventory::to_markdown(), in_force.to_markdown());
        }
        InventoryFormat::Json => {
            let mut json = inventory::to_json();
            json["in_force"] = serde_json::to_value(&in_force)?;
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
