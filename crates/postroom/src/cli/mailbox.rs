//! `postroom mailbox list|test NAME`: the IMAP mailboxes `serve` polls for the tenant
//! `default` — those of `[[mailboxes]]` and those of its stored profile.

use std::process::ExitCode;

use postroom_mail::imap::test_mailbox;

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: MailboxCommand,
}

#[derive(Debug, clap::Subcommand)]
enum MailboxCommand {
    /// List the mailboxes `serve` polls (name, server, folder): `[[mailboxes]]`, then the
    /// profile's; never their credentials.
    List,
    /// Connect, authenticate, list folders with their message counts and check the folder
    /// postroom reads; on failure, say which step failed (DNS, TCP, TLS, auth, folder).
    Test {
        /// The mailbox's `name` in `[[mailboxes]]` or in the profile.
        name: String,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let mailboxes = polled(&config).await?;
    match args.command {
        MailboxCommand::List => {
            for m in &mailboxes {
                println!("{}\t{}:{}\t{}", m.name, m.server, m.port(), m.folder);
            }
            Ok(ExitCode::SUCCESS)
        }
        MailboxCommand::Test { name } => {
            let Some(settings) = mailboxes.iter().find(|m| m.name == name) else {
                let known: Vec<&str> = mailboxes.iter().map(|m| m.name.as_str()).collect();
                anyhow::bail!(
                    "no mailbox {name:?} in [[mailboxes]] or the profile (configured: {known:?})"
                );
            };
            match test_mailbox(settings).await {
                Ok(report) => {
                    println!(
                        "{name}: connected to {}:{} ({}), authenticated; IDLE {}",
                        report.server,
                        report.port,
                        report.security,
                        if report.idle {
                            "supported"
                        } else {
                            "not supported: polling"
                        }
                    );
                    for folder in &report.folders {
                        match folder.messages {
                            Some(n) => println!("  {}\t{n}", folder.name),
                            None => println!("  {}\t-", folder.name),
                        }
                    }
                    println!(
                        "{} message(s) waiting in {}",
                        report.waiting, settings.folder
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("postroom: mailbox {name}: {e}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

/// The mailboxes `serve` would poll: the profile's only when the tenant `default` has one
/// stored (a site without a database yet has just `[[mailboxes]]`), then those added in the
/// console (one that cannot be used is named on stderr and left out).
async fn polled(
    config: &crate::config::Config,
) -> anyhow::Result<Vec<postroom_mail::imap::MailboxSettings>> {
    let store = app::open_store(config).await?;
    let tenant = match store
        .tenant(&postroom_core::tenant::TenantId::default_tenant())
        .await
    {
        Ok(tenant) => Some(tenant),
        Err(postroom_store::StoreError::UnknownTenant(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let stored = match &tenant {
        Some(tenant) => tenant.profile().await?,
        None => None,
    };
    let profile = stored
        .map(|s| postroom_core::profile::Profile::load(&s.document))
        .transpose()
        .map_err(|e| anyhow::anyhow!("the stored profile cannot be read: {e}"))?;
    let mut all = crate::profiles::mailboxes::to_poll(config, profile.as_ref());
    let Some(tenant) = tenant else {
        return Ok(all);
    };
    let site = tenant.site_mailboxes().await?;
    if site.is_empty() {
        return Ok(all);
    }
    let (keyring, _) = crate::keys::open_keyring(config)?;
    for stored in site {
        if all.iter().any(|m| m.name == stored.name) {
            eprintln!(
                "postroom: console mailbox {} not polled: another of the same name wins",
                stored.name
            );
            continue;
        }
        match crate::site_mailboxes::resolve(config, &keyring, &tenant, &stored).await {
            Ok(settings) => all.push(settings),
            Err(e) => eprintln!(
                "postroom: console mailbox {} not polled: {e:#}",
                stored.name
            ),
        }
    }
    Ok(all)
}
