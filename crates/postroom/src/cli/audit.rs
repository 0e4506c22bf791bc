//! `postroom audit list | show ID | raw ID | reprocess ID | release ID | flag ID | sent [ID] |
//! purge`: the processing audit of the tenant in --tenant, and what postroom sent.
//!
//! `list` shows senders only as keyed hashes; an address is printed only by `show` (the
//! report names the sender) and `raw`, which an administrator asks for one message at a
//! time. `reprocess` is an explicit new attempt: a mail that created an issue creates
//! another (see `postroom_engine::audit`). `release` lets a stranger's held reply through as
//! a comment.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use postroom_engine::audit::Audit;
use postroom_engine::intake::Intake;
use postroom_engine::retention::Retention;
use postroom_store::TenantStore;

use super::Globals;
use crate::config::Config;
use crate::{app, audit, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, clap::Subcommand)]
enum AuditCommand {
    /// List messages taken in, newest first: id, received, mailbox, status, issue, sender
    /// hash (tab-separated).
    List {
        /// Only messages taken in since TIME: RFC 3339, a date (2026-11-01) or an age (24h, 7d).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only messages with this status: pending, refused, created, commented, ignored,
        /// held, rejected or failed.
        #[arg(long)]
        status: Option<String>,
        /// Only messages from this sender: an address (hashed to match, never stored) or a
        /// sender hash as listed.
        #[arg(long, value_name = "HASH-OR-ADDRESS")]
        from: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Show one message: its record and its processing report, readable.
    Show { id: String },
    /// Write the original bytes of one message to standard output.
    Raw { id: String },
    /// Queue one message to be processed again, as a new attempt: a mail that created an
    /// issue creates another one; its new result replaces the old one in the audit.
    Reprocess { id: String },
    /// Release one reply held under `people.strangers: hold`: it is queued to be carried
    /// out as a comment on the issue it named (adding nobody to the issue); its new result
    /// replaces the hold in the audit. Refused for a message that is not held.
    Release { id: String },
    /// Write one support bundle (JSON: the raw mail in base64, the report, the profile with
    /// secret-like values as {"secret_ref": ...}) to send to whoever supports the
    /// installation.
    Flag {
        id: String,
        /// Replace every address and display name, in the raw mail, the report and the
        /// profile, by placeholders (person1@example.invalid, Person 1), the same each time
        /// the same one appears.
        #[arg(long)]
        redact: bool,
        /// Where to write it (never overwritten); default `postroom-bundle-ID.json`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// What postroom sent (notifications, acknowledgements, notices), newest first: id,
    /// created, kind, status, issue, event, recipient, subject (tab-separated); with an ID,
    /// that message's record, or with `--mime` the full message as it went out.
    Sent {
        id: Option<String>,
        /// With ID: write the full MIME to standard output (sent notifications, 7 days).
        #[arg(long, requires = "id")]
        mime: bool,
        /// Only messages queued since TIME: RFC 3339, a date or an age (24h, 7d).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only this kind: notification, acknowledgement, notice or test (an administrator's
        /// test of the notification templates).
        #[arg(long)]
        kind: Option<String>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: i64,
    },
    /// Delete the tenant's intake records, raw mail and reports older than
    /// `inbound.retention_days` now (`serve` does this every hour).
    Purge {
        /// Purge as of TIME instead of now (RFC 3339 or a date): to see what a period
        /// deletes, or to run the purge of a day that was missed.
        #[arg(long, value_name = "TIME")]
        now: Option<String>,
    },
}

/// What every subcommand opens.
struct Opened {
    config: Config,
    tenant: TenantStore,
    intake: Intake,
    audit: Audit,
}

async fn open(globals: &Globals) -> anyhow::Result<Opened> {
    let app::TenantData {
        config,
        keyring,
        blobs,
        tenant,
    } = app::open_tenant_data(globals).await?;
    let intake = Intake::new(keyring, blobs, config.inbound.max_size);
    Ok(Opened {
        audit: Audit::new(intake.clone()),
        config,
        tenant,
        intake,
    })
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let o = open(globals).await?;
    match args.command {
        AuditCommand::List {
            since,
            status,
            from,
            limit,
        } => {
            let redactor = keys::redactor(o.intake.keyring());
            let filter = audit::filter(
                since.as_deref(),
                status.as_deref(),
                from.as_deref(),
                limit,
                &redactor,
                app::now_ms(),
            )
            .map_err(anyhow::Error::msg)?;
            println!("id\treceived\tmailbox\tstatus\tissue\tsender");
            for entry in o.tenant.audit_list(&filter).await? {
                let result = entry.result.as_ref();
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    entry.intake.id,
                    app::format_ms(entry.intake.received_at_ms),
                    entry.intake.mailbox,
                    entry.status().as_str(),
                    result.and_then(|r| r.issue_key.as_deref()).unwrap_or("-"),
                    result.and_then(|r| r.sender_hash.as_deref()).unwrap_or("-"),
                );
            }
        }
        AuditCommand::Show { id } => {
            let (entry, report) = o.audit.record(&o.tenant, &id).await?;
            // The site's own intake period when it chose one (`tenant set --intake-days`).
            let days = o
                .config
                .retention_policy()
                .periods(&o.tenant.record().await?.retention)
                .intake;
            print!("{}", audit::describe(&entry, report.as_ref(), days));
        }
        AuditCommand::Raw { id } => {
            let entry = o.audit.entry(&o.tenant, &id).await?;
            let raw = o.audit.raw(&o.tenant, &entry).await?;
            let mut out = std::io::stdout().lock();
            out.write_all(&raw)?;
            out.flush()?;
        }
        AuditCommand::Reprocess { id } => {
            let job = o.audit.reprocess(&o.tenant, &id, app::now_ms()).await?;
            match job {
                Some(job) => println!("message {id} is queued again as job {job} (a new attempt)"),
                None => println!("message {id} is already queued again"),
            }
        }
        AuditCommand::Release { id } => {
            let job = o.audit.release(&o.tenant, &id, app::now_ms()).await?;
            match job {
                Some(job) => println!("message {id} is released: queued as job {job}"),
                None => println!("message {id} is already being released"),
            }
        }
        AuditCommand::Flag { id, redact, out } => {
            let bundle = o
                .audit
                .bundle(&o.tenant, &id, redact, app::now_ms())
                .await?;
            let path = out.unwrap_or_else(|| PathBuf::from(format!("postroom-bundle-{id}.json")));
            write_new(&path, &serde_json::to_vec_pretty(&bundle)?)?;
            println!("{}", path.display());
        }
        AuditCommand::Sent {
            id: Some(id), mime, ..
        } => {
            if mime {
                let bytes = o.audit.sent_mime(&o.tenant, &id).await?;
                let mut out = std::io::stdout().lock();
                out.write_all(&bytes)?;
                out.flush()?;
            } else {
                let item = o.audit.sent(&o.tenant, &id).await?;
                println!("{}", serde_json::to_string_pretty(&item)?);
            }
        }
        AuditCommand::Sent {
            id: None,
            since,
            kind,
            limit,
            ..
        } => {
            let (kind, since_ms) =
                audit::sent_filter(kind.as_deref(), since.as_deref(), limit, app::now_ms())
                    .map_err(anyhow::Error::msg)?;
            println!("id\tcreated\tkind\tstatus\tissue\tevent\trecipient\tsubject");
            for item in o.audit.sent_list(&o.tenant, kind, since_ms, limit).await? {
                let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    item.id,
                    app::format_ms(item.created_at_ms),
                    item.kind,
                    item.status,
                    dash(&item.issue_key),
                    dash(&item.event),
                    dash(&item.to),
                    dash(&item.subject),
                );
            }
        }
        AuditCommand::Purge { now } => {
            let now_ms = match now {
                Some(text) => {
                    audit::parse_time(&text, app::now_ms()).map_err(anyhow::Error::msg)?
                }
                None => app::now_ms(),
            };
            let retention = Retention::new(o.intake.clone(), o.config.retention_policy());
            let periods = retention.periods_of(&o.tenant).await?;
            let purged = retention.purge_tenant(&o.tenant, now_ms).await?;
            println!(
                "purged {} intake record(s) and {} raw mail(s) older than {} days, {} report(s) \
                 older than {} days, {} sent-mail record(s) older than {} days and {} \
                 profile version(s) older than a year beyond the last 50",
                purged.intake,
                purged.raw_mail,
                periods.intake,
                purged.reports,
                periods.reports,
                purged.sent_mail,
                periods.sent_mail,
                purged.profile_versions
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a file that must not exist yet, readable by its owner only: a bundle holds mail.
pub(super) fn write_new(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot create {} (it is never overwritten)", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
