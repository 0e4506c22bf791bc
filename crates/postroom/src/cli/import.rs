//! `postroom process PATH...` (without `--dry-run`): files, Maildirs and mbox files through
//! the same intake as every other source, into the instance's database and blob store.
//! This is how an existing mailbox is imported.
//!
//! Every message's job is held until the last message is taken in (at most
//! [`HOLD`]), so that a running `serve` sees each conversation whole and carries it out in
//! order, the original before its replies and replies by date, whatever order the files
//! come in.

use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use postroom_engine::intake::{Intake, IntakeError, Origin};
use postroom_mail::files::{InputError, Inputs};
use postroom_store::audit::AuditStatus;
use postroom_store::intake::IntakeSource;

use anyhow::Context;

use super::Globals;
use crate::{app, keys};

/// How long an import holds each message's job at most: an import that dies leaves its
/// messages to be processed when the hold ends, never parked for good.
const HOLD: Duration = Duration::from_secs(15 * 60);

/// With `--wait`: how long the import waits at most for a running `serve` to carry its
/// messages out; what is still pending then is printed as `pending`.
const WAIT: Duration = Duration::from_secs(120);

/// What an import did, for the summary line and the exit status.
#[derive(Debug, Default)]
struct Tally {
    taken: usize,
    duplicates: usize,
    refused: usize,
    failed: usize,
    /// The conversations of the messages taken in (keyed hashes, never shown).
    conversations: HashSet<String>,
    /// The held jobs, released together at the end.
    jobs: Vec<i64>,
    /// Each message taken in (or recognised as a duplicate): where it came from and its
    /// audit id, for `--wait`.
    messages: Vec<(String, String)>,
}

impl Tally {
    fn line(&self) -> String {
        format!(
            "{} taken in, {} duplicate(s), {} refused, {} failed; {} conversation(s)",
            self.taken,
            self.duplicates,
            self.refused,
            self.failed,
            self.conversations.len()
        )
    }
}

/// Takes every message of `paths` in for `--tenant`, counted against `mailbox`; with
/// `wait`, then waits for a running `serve` to carry them out and prints what became of each.
/// With `bulk`, the jobs are released at the bulk priority (after the site's live mail).
pub async fn run(
    globals: &Globals,
    paths: Vec<String>,
    mailbox: String,
    wait: bool,
    bulk: bool,
) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let (keyring, source) = keys::open_keyring(&config)?;
    keys::announce(&source, &keys::vault_dir(&config));
    let blobs = keys::open_blobs(&config)?;
    let store = app::open_store(&config).await?;
    let tenant_id = app::tenant_id(&globals.tenant)?;
    let tenant = if tenant_id == postroom_core::tenant::TenantId::default_tenant() {
        app::ensure_default_tenant(&store, &config).await?
    } else {
        store.tenant(&tenant_id).await?
    };
    let intake = Intake::new(keyring, blobs, config.inbound.max_size);
    let origin = Origin {
        source: IntakeSource::File,
        mailbox,
        store_raw: config.inbound.store_raw,
        recipients: Vec::new(),
    };
    let progress = std::io::stderr().is_terminal();
    let mut tally = Tally::default();
    for input in Inputs::new(paths, std::io::stdin(), config.inbound.max_size) {
        let label = format!("{} [{}]", input.source.path, input.source.index);
        let name = match input.source.index {
            0 => input.source.path.clone(),
            index => format!("{}#{index}", input.source.path),
        };
        let result = match input.bytes {
            Ok(raw) => {
                let now = app::now_ms();
                let hold = now.saturating_add(i64::try_from(HOLD.as_millis()).unwrap_or(0));
                intake.accept_held(&tenant, &origin, &raw, now, hold).await
            }
            Err(InputError::TooLarge { size, limit }) => {
                let reason = format!("message of {size} bytes is over the limit of {limit} bytes");
                let size = usize::try_from(size).unwrap_or(usize::MAX);
                intake
                    .refuse(&tenant, &origin, size, &reason, app::now_ms())
                    .await?;
                Err(IntakeError::TooBig { size, limit })
            }
            // Text before an mbox's first separator: said where, so it can be looked at.
            Err(e @ InputError::NotAMessage { .. }) => {
                tally.failed += 1;
                eprintln!("\rpostroom: {label}: {e}");
                continue;
            }
            Err(e) => {
                tally.failed += 1;
                eprintln!("\rpostroom: {e}");
                continue;
            }
        };
        if let Ok(receipt) = &result {
            tally.messages.push((name, receipt.id.clone()));
        }
        match result {
            Ok(receipt) if receipt.duplicate => tally.duplicates += 1,
            Ok(receipt) => {
                tally.taken += 1;
                tally.conversations.extend(receipt.conversation);
                tally.jobs.extend(receipt.job);
            }
            Err(e) if !e.is_transient() => {
                tally.refused += 1;
                eprintln!("\rpostroom: {label}: refused: {e}");
            }
            // Storage is failing: stop rather than report every following message.
            Err(e) => {
                // What was taken in is safe: let it go to the workers now, not after the hold.
                if let Err(release) = release(&tenant, &tally.jobs, bulk).await {
                    tracing::warn!(error = %release, "cannot release the imported messages; they run when their hold ends");
                }
                return Err(anyhow::Error::new(e).context(format!("{label}: cannot take it in")));
            }
        }
        if progress {
            eprint!("\r{}", tally.line());
            let _ = std::io::stderr().flush();
        }
    }
    if progress {
        eprintln!();
    }
    release(&tenant, &tally.jobs, bulk)
        .await
        .context("releasing the imported messages to the workers")?;
    println!("{}", tally.line());
    if wait {
        print_outcomes(&tenant, &tally.messages).await?;
    }
    Ok(if tally.failed + tally.refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Lets the held jobs go to the workers, at the bulk priority for a `--bulk` import.
async fn release(
    tenant: &postroom_store::TenantStore,
    jobs: &[i64],
    bulk: bool,
) -> Result<u64, postroom_store::queue::QueueError> {
    let jobs_of = tenant.jobs();
    if bulk {
        jobs_of.release_bulk(jobs, app::now_ms()).await
    } else {
        jobs_of.release(jobs, app::now_ms()).await
    }
}

/// Waits (at most [`WAIT`]) until every message has a result, then prints one line per
/// message: where it came from, its status and its issue (`-` when none), tab-separated.
async fn print_outcomes(
    tenant: &postroom_store::TenantStore,
    messages: &[(String, String)],
) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + WAIT;
    let mut entries = Vec::with_capacity(messages.len());
    for (name, id) in messages {
        let entry = loop {
            let entry = tenant.audit_entry(id).await?;
            let pending = entry
                .as_ref()
                .is_none_or(|e| e.status() == AuditStatus::Pending);
            if !pending || tokio::time::Instant::now() >= deadline {
                break entry;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        entries.push((name, entry));
    }
    for (name, entry) in entries {
        let status = entry.as_ref().map_or("pending", |e| e.status().as_str());
        let issue = entry
            .as_ref()
            .and_then(|e| e.result.as_ref())
            .and_then(|r| r.issue_key.as_deref())
            .unwrap_or("-");
        println!("{name}\t{status}\t{issue}");
    }
    Ok(())
}
