//! `postroom suppression list | clear ADDRESS | clear --all`: the tenant's suppression
//! list, for the administrator who decides when an address may get mail again.
//!
//! The list shows addresses in clear: it is an administrator's tool, run by someone who
//! holds the master key anyway. Nothing here is logged.

use std::process::ExitCode;

use postroom_core::message::EmailAddress;
use postroom_engine::outbound::{open_address, open_diagnostic};

use super::Globals;
use crate::{app, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: SuppressionCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SuppressionCommand {
    /// Addresses whose mail from postroom bounced, most recent first: whether outbound
    /// mail skips them, hard or soft, bounces counted, mails withheld, the last status and
    /// diagnostic.
    List,
    /// Let an address (or, with --all, every address) get mail again.
    Clear {
        /// The address to clear.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        address: Option<String>,
        /// Clear the whole list.
        #[arg(long)]
        all: bool,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    let tenant = store.tenant(&app::tenant_id(&globals.tenant)?).await?;
    let (keyring, _) = keys::open_keyring(&config)?;
    match args.command {
        SuppressionCommand::List => {
            let cipher = keyring.cipher(&tenant).await?;
            println!(
                "address\tsuppressed\tkind\tbounces\twithheld\tstatus\tlast_bounce\tdiagnostic"
            );
            for entry in tenant.suppressions().await? {
                let address =
                    open_address(&cipher, &entry).unwrap_or_else(|e| format!("(unreadable: {e})"));
                let diagnostic = open_diagnostic(&cipher, &entry)
                    .unwrap_or_else(|e| Some(format!("(unreadable: {e})")))
                    .unwrap_or_default();
                println!(
                    "{address}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    if entry.suppressed { "yes" } else { "no" },
                    if entry.hard { "hard" } else { "soft" },
                    entry.failures,
                    entry.withheld,
                    entry.status.as_deref().unwrap_or("-"),
                    app::format_ms(entry.last_at_ms),
                    one_line(&diagnostic),
                );
            }
        }
        SuppressionCommand::Clear { address, all } => {
            let hash = match (address, all) {
                (_, true) => None,
                (Some(text), false) => {
                    let address = EmailAddress::parse(text.trim())
                        .map_err(|e| anyhow::anyhow!("{text:?} is not an e-mail address: {e}"))?;
                    Some(keys::redactor(&keyring).address(&address).to_string())
                }
                (None, false) => anyhow::bail!("name an address, or use --all"),
            };
            let cleared = tenant.clear_suppressions(hash.as_deref()).await?;
            match (cleared, hash) {
                (0, Some(_)) => {
                    eprintln!("that address is not on the suppression list");
                    return Ok(ExitCode::from(1));
                }
                (n, _) => println!("{n} cleared"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Diagnostics span lines in some bounces; the list keeps one entry per line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
