//! The command line: one module per subcommand, each with its own `Args` and `run`.

mod audit;
mod backup;
mod console;
mod docs;
mod feedback;
mod import;
pub mod init;
mod inventory;
mod jira;
mod jobs;
mod keys;
mod mailbox;
mod migrate;
mod person;
mod process;
mod profile;
mod sandbox;
mod serve;
mod suppression;
mod template;
mod tenant;
mod testcase;
mod token;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::LogFormat;

/// The mail room of a Jira site: e-mail in as issues and comments, notifications out.
#[derive(Debug, Parser)]
#[command(name = "postroom", version, about, propagate_version = true)]
pub struct Cli {
    /// Configuration file; when the default is missing, embedded defaults are used.
    #[arg(long, global = true, value_name = "FILE", env = "POSTROOM_CONFIG")]
    pub config: Option<PathBuf>,

    /// The tenant (Jira site) to act on.
    #[arg(long, global = true, value_name = "NAME", default_value = "default")]
    pub tenant: String,

    /// Log format on stderr (overrides `log.format`).
    #[arg(long, global = true, value_enum)]
    pub log_format: Option<LogFormat>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The processing audit: list, show, raw, reprocess, release (a held reply), flag
    /// (support bundle), purge.
    Audit(audit::Args),
    /// Encrypted backups of the database and the blobs: create, list, verify, restore.
    Backup(backup::Args),
    /// The web console: print a one-time sign-in link; end an account's sessions.
    Console(console::Args),
    /// Write a commented starter `postroom.toml` (never overwrites one).
    Init(init::Args),
    /// Run postroom: HTTP API, webhooks, listeners and workers.
    Serve(serve::Args),
    /// Apply the embedded database migrations and exit.
    Migrate(migrate::Args),
    /// Inspect and erase tenants (Jira sites) of this instance.
    Tenant(tenant::Args),
    /// Manage API tokens of the tenant: create, list, revoke.
    Token(token::Args),
    /// The IMAP mailboxes of `[[mailboxes]]`: list, test.
    Mailbox(mailbox::Args),
    /// Manage the master key: rotate.
    Keys(keys::Args),
    /// Print what postroom stores, where, how it is protected and how long it is kept.
    DataInventory(inventory::Args),
    /// Send feedback to the people who run this postroom (their incoming webhook,
    /// `[operator] webhook_url_file`); your address goes along only with
    /// --include-address.
    Feedback(feedback::Args),
    /// Check the connection to the tenant's Jira site.
    Jira(jira::Args),
    /// Inspect the job queue: list, show and retry (dead) jobs.
    Jobs(jobs::Args),
    /// Take e-mail files in (import), or with --dry-run show what postroom would do with each.
    Process(process::Args),
    /// The tenant's profile (own addresses, rules, notifications, mailboxes): import, export, show.
    Profile(profile::Args),
    /// Serve a Jira REST emulator (the sandbox) and print its base URL and credentials.
    Sandbox(sandbox::Args),
    /// Canned responses: list, show, add, edit, render, apply, export, import.
    Template(template::Args),
    /// A person's data (by address, or an agent's Jira account id): find, export, erase.
    Person(person::Args),
    /// The suppression list (addresses whose mail bounced): list, clear.
    Suppression(suppression::Args),
    /// Test cases: real mail with its expected plan, replayed to check a profile change.
    Testcase(testcase::Args),
    /// The manual's generated pages (for contributors).
    #[command(hide = true)]
    Docs(docs::Args),
}

/// Runs the chosen subcommand; the exit code says whether it succeeded.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let globals = Globals {
        config: cli.config,
        tenant: cli.tenant,
        log_format: cli.log_format,
    };
    match cli.command {
        Command::Audit(args) => audit::run(&globals, args).await,
        Command::Backup(args) => backup::run(&globals, args).await,
        Command::Console(args) => console::run(&globals, args).await,
        Command::Init(args) => init::run(&globals, args),
        Command::Serve(args) => serve::run(&globals, args).await,
        Command::Migrate(args) => migrate::run(&globals, args).await,
        Command::Tenant(args) => tenant::run(&globals, args).await,
        Command::Token(args) => token::run(&globals, args).await,
        Command::Keys(args) => keys::run(&globals, args).await,
        Command::Mailbox(args) => mailbox::run(&globals, args).await,
        Command::DataInventory(args) => inventory::run(&globals, args).await,
        Command::Feedback(args) => feedback::run(&globals, args).await,
        Command::Jira(args) => jira::run(&globals, args).await,
        Command::Jobs(args) => jobs::run(&globals, args).await,
        Command::Sandbox(args) => sandbox::run(&globals, args).await,
        Command::Process(args) => process::run(&globals, args).await,
        Command::Profile(args) => profile::run(&globals, args).await,
        Command::Template(args) => template::run(&globals, args).await,
        Command::Person(args) => person::run(&globals, args).await,
        Command::Suppression(args) => suppression::run(&globals, args).await,
        Command::Testcase(args) => testcase::run(&globals, args).await,
        Command::Docs(args) => docs::run(&globals, args),
    }
}

/// The options every subcommand shares.
#[derive(Debug, Clone)]
pub struct Globals {
    pub config: Option<PathBuf>,
    pub tenant: String,
    pub log_format: Option<LogFormat>,
}
