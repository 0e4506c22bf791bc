//! `postroom process`: run e-mail files through the inbound pipeline.
//!
//! Only `--dry-run` exists so far. It reads each message, runs the pure stages and prints
//! what postroom would do. It needs no database, key or network and writes nothing; it
//! reads configuration only when `--config` (or `POSTROOM_CONFIG`) names a file, and then
//! only for logging and the master key behind the keyed hashes in its log lines. Results go to stdout, logs to stderr.
//!
//! `--format json` prints exactly one line per message: its result, with at least the keys
//! `source` (`{"path", "index"}`), `message_id`, `from` (`{"name", "address"}`), `subject`,
//! `date` (RFC 3339), `body_text`, `html_text`, `visible_text`, `attachments`
//! (`[{"name", "content_type", "size", "inline", "content_id"}]`), `classification`
//! (`{"kind", "reason"}`), `bounce`, `thread`, `directives`, `action` (`{"kind", …}`),
//! `report` and `warnings`; or `{"source": …, "error": "…"}` for an input that could not be
//! read or parsed. The run goes on after a failed input and exits with status 1.

use std::io::{self, BufWriter};
use std::process::ExitCode;

use anyhow::Context;
use postroom_core::message::{DEFAULT_MAX_SIZE, ParseLimits};
use postroom_core::profile::{CheckedProfile, Profile};
use postroom_mail::files::{self, Format};

use super::Globals;
use crate::config::Config;

#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
PATH is an .eml file (one message; a leading mbox 'From ' line is skipped), a directory \
of .eml files, a Maildir (new/ then cur/), an mbox file (split into its messages), or - \
for standard input.

With --format json every message gives one JSON line:
  {\"source\": {\"path\", \"index\"}, \"message_id\", \"from\": {\"name\", \"address\"}, \
\"subject\", \"date\", \"body_text\", \"html_text\", \"visible_text\", \"attachments\": \
[{\"name\", \"content_type\", \"size\", \"inline\", \"content_id\"}], \"classification\": \
{\"kind\", \"reason\"}, \"bounce\", \"thread\", \"directives\", \"action\": {\"kind\", ...}, \
\"report\", \"warnings\"}
or {\"source\": ..., \"error\": \"...\"} when an input cannot be read. The exit status is 1 \
when any input failed.")]
pub struct Args {
    /// Show what would be done with each message; change nothing anywhere. Without it,
    /// every message is taken in (stored encrypted and queued) by the configured instance:
    /// the way to import an existing mailbox.
    #[arg(long)]
    dry_run: bool,
    /// Without --dry-run: then wait (at most two minutes) until a running `serve` has
    /// carried every message out, and print one line per message: where it came from, its
    /// status and its issue (`-` when none), tab-separated.
    #[arg(long, conflicts_with = "dry_run")]
    wait: bool,
    /// Without --dry-run: an import of existing mail, not urgent. Its messages are carried
    /// out after the site's live mail, and their Jira requests wait behind those of live
    /// mail and of agents at a page, so an import never slows the work people wait for.
    #[arg(long, conflicts_with = "dry_run")]
    bulk: bool,
    /// Without --dry-run: the mailbox name the messages are recorded under (a message the
    /// tenant already took in, through any mailbox or source, is a duplicate and stored once).
    #[arg(long, value_name = "NAME", default_value = "file")]
    mailbox: String,
    /// Output: `text` for people, `json` for one JSON object per message and line.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// The profile (JSON or TOML, see examples/profile.json) whose rules decide. Without
    /// it a built-in profile accepts any recipient and ignores every message with the
    /// reason "no profile was given", so the decision path is still shown.
    #[arg(long, value_name = "FILE")]
    profile: Option<std::path::PathBuf>,
    /// With --dry-run: largest message read, in bytes; larger ones are reported as errors,
    /// unread. (Without it, `inbound.max_size` applies and larger ones are refused.)
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_SIZE)]
    max_size: usize,
    /// `.eml` files, directories of them, Maildirs, mbox files, or `-` for stdin.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutputFormat {
    Text,
    Json,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    if !args.dry_run {
        return super::import::run(globals, args.paths, args.mailbox, args.wait, args.bulk).await;
    }
    let profile = match &args.profile {
        Some(path) => read_profile(path)?,
        None => Profile::builtin().check()?,
    };
    let config = match &globals.config {
        Some(_) => crate::app::load_config(globals)?,
        None => Config::default(),
    };
    crate::telemetry::init(&config.log, globals.log_format);
    let redactor = crate::keys::existing_redactor(&config)?;
    let limits = ParseLimits {
        max_size: args.max_size,
        ..ParseLimits::default()
    };
    let format = match args.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
    };
    let out = BufWriter::new(io::stdout().lock());
    let summary = files::dry_run(
        args.paths,
        io::stdin(),
        &limits,
        Some(&profile),
        &redactor,
        format,
        out,
    )?;
    tracing::info!(
        processed = summary.processed,
        failed = summary.failed,
        "dry run finished"
    );
    Ok(if summary.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A profile file (JSON or TOML) given with `--profile`, checked.
pub(super) fn read_profile(path: &std::path::Path) -> anyhow::Result<CheckedProfile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading profile {}", path.display()))?;
    Profile::load(&text).with_context(|| format!("profile {}", path.display()))
}
