//! `postroom person find | export | erase`: what postroom holds about one person, for the
//! requests a help desk gets under the GDPR ("what do you hold about me — delete it").
//!
//! Every request is recorded (`person_requests`): who asked, when, what and how much, but
//! never whose data. The address is never logged.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use postroom_engine::people::{Found, People, Subject};
use postroom_jira::JiraClient;
use postroom_store::people::{PersonAction, SuppressionChoice};

use super::Globals;
use crate::app;
use crate::people as shared;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: PersonCommand,
}

/// Whom a request is about: an address, or an agent's Jira account id.
#[derive(Debug, clap::Args)]
struct Who {
    /// The person's e-mail address.
    #[arg(required_unless_present = "account_id", conflicts_with = "account_id")]
    address: Option<String>,
    /// An agent's Jira account id instead: their canned-response use, templates, API
    /// tokens and console sessions.
    #[arg(long, value_name = "ID")]
    account_id: Option<String>,
    /// Also open every stored raw mail, report, sent message and test case of the tenant
    /// and take those naming the address anywhere (a Cc, a quoted line). Slower: it
    /// decrypts everything the tenant keeps.
    #[arg(long)]
    deep: bool,
}

#[derive(Debug, clap::Subcommand)]
enum PersonCommand {
    /// What postroom holds about the person, counted per kind, and what sits in Jira (which
    /// postroom cannot erase) with issue keys.
    Find {
        #[command(flatten)]
        who: Who,
        /// `text` (counts and the Jira part) or `json` (every record, opened).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// Writes one tar archive (mode 0600): a JSON file per kind of record plus the raw
    /// mails, sent messages and test-case mails, decrypted.
    Export {
        #[command(flatten)]
        who: Who,
        /// The archive to write (never overwritten); default `person-export-TIME.tar`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Deletes everything found (raw mails, reports, intake records, sent mail and its
    /// MIME, thread-map entries, rate counters, matching test cases; for an account id,
    /// its canned-response use, personal templates, tokens and sessions), then lists what
    /// sits in Jira with issue keys. A suppressed address keeps a marker of its keyed hash
    /// only, so postroom does not start mailing a bouncing address again.
    Erase {
        #[command(flatten)]
        who: Who,
        /// Erase without asking (required without a terminal).
        #[arg(long)]
        yes: bool,
        /// Remove the suppression entry too: postroom may then mail the address again.
        #[arg(long)]
        include_suppression: bool,
        /// Also remove the address from the profile's e-mail field (`people.email_field`)
        /// on every issue found in Jira.
        #[arg(long)]
        jira: bool,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let app::TenantData {
        config,
        keyring,
        blobs,
        tenant,
    } = app::open_tenant_data(globals).await?;
    let intake =
        postroom_engine::intake::Intake::new(keyring.clone(), blobs, config.inbound.max_size);
    let people = People::new(intake);
    let who = match &args.command {
        PersonCommand::Find { who, .. }
        | PersonCommand::Export { who, .. }
        | PersonCommand::Erase { who, .. } => who,
    };
    let subject = Subject::parse(who.address.as_deref(), who.account_id.as_deref())?;
    if who.deep {
        eprintln!(
            "deep: opening every stored mail of tenant {} (this takes a while)",
            tenant.id()
        );
    }
    let mut found = people.find(&tenant, &subject, who.deep).await?;
    let clear = matches!(args.command, PersonCommand::Erase { jira: true, .. });
    check_jira(&config, &keyring, &tenant, &mut found, clear).await;
    let requested_by = requested_by();
    let now = app::now_ms();
    match args.command {
        PersonCommand::Find { format, .. } => {
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&found)?),
                Format::Text => print!("{}", shared::describe(&found)),
            }
            let outcome = serde_json::to_value(found.counts())?;
            people
                .record(
                    &tenant,
                    PersonAction::Find,
                    &found,
                    &requested_by,
                    outcome,
                    now,
                )
                .await?;
        }
        PersonCommand::Export { out, .. } => {
            let archive = people.export(&tenant, &found, now).await?;
            let path =
                out.unwrap_or_else(|| PathBuf::from(format!("person-export-{}.tar", now / 1000)));
            super::audit::write_new(&path, &archive)?;
            let outcome = serde_json::to_value(found.counts())?;
            people
                .record(
                    &tenant,
                    PersonAction::Export,
                    &found,
                    &requested_by,
                    outcome,
                    now,
                )
                .await?;
            print!("{}", shared::describe(&found));
            println!("written: {} ({} bytes)", path.display(), archive.len());
        }
        PersonCommand::Erase {
            yes,
            include_suppression,
            ..
        } => {
            print!("{}", shared::describe(&found));
            if !yes && !confirm()? {
                eprintln!("nothing erased");
                return Ok(ExitCode::from(2));
            }
            let choice = if include_suppression {
                SuppressionChoice::Remove
            } else {
                SuppressionChoice::KeepMarker
            };
            let erased = people.erase(&tenant, &found, choice).await?;
            let outcome = serde_json::json!({ "found": found.counts(), "erased": erased });
            people
                .record(
                    &tenant,
                    PersonAction::Erase,
                    &found,
                    &requested_by,
                    outcome,
                    now,
                )
                .await?;
            print!("{}", shared::describe_erased(&erased));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Looks in the tenant's Jira for the e-mail field values naming the person (and clears
/// them with `clear`); a site postroom cannot reach from here is said, not fatal.
async fn check_jira(
    config: &crate::config::Config,
    keyring: &postroom_store::crypto::Keyring,
    tenant: &postroom_store::TenantStore,
    found: &mut Found,
    clear: bool,
) {
    if found.address().is_none() {
        return;
    }
    let field = match shared::email_field(tenant).await {
        Ok(field) => field,
        Err(e) => {
            found.jira.note = Some(format!("the profile cannot be read: {e}"));
            return;
        }
    };
    let client = async {
        let site = crate::sites::jira_settings(config, keyring, tenant)
            .await?
            .context("the tenant has no Jira site")?;
        let client_config = crate::trackers::client_config(&site, tenant.id().as_str())?;
        JiraClient::connect(client_config)
            .await
            .context("connecting to Jira")
    };
    match client.await {
        Ok(jira) => found.check_jira(&jira, field.as_deref(), clear).await,
        Err(e) => found.jira.note = Some(format!("Jira was not checked: {e:#}")),
    }
}

/// Who asked, as the request's record keeps it: the command line and its user.
fn requested_by() -> String {
    match std::env::var("USER").ok().filter(|u| !u.is_empty()) {
        Some(user) => format!("cli ({user})"),
        None => "cli".to_owned(),
    }
}

/// Asks on the terminal; without one, the answer is no (`--yes` is how scripts say yes).
fn confirm() -> anyhow::Result<bool> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        eprintln!("not a terminal: add --yes to erase");
        return Ok(false);
    }
    eprint!("erase all of the above? [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    stdin.read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
