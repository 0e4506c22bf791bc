//! `postroom mailbox list|test NAME`: the IMAP mailboxes of `[[mailboxes]]`.

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
    /// List the configured mailboxes (name, server, folder); never their credentials.
    List,
    /// Connect, authenticate, list folders with their message counts and check the folder
    /// postroom reads; on failure, say which step failed (DNS, TCP, TLS, auth, folder).
    Test {
        /// The mailbox's `name` in `[[mailboxes]]`.
        name: String,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    match args.command {
        MailboxCommand::List => {
            for m in &config.mailboxes {
                println!("{}\t{}:{}\t{}", m.name, m.server, m.port(), m.folder);
            }
            Ok(ExitCode::SUCCESS)
        }
        MailboxCommand::Test { name } => {
            let Some(settings) = config.mailboxes.iter().find(|m| m.name == name) else {
                let known: Vec<&str> = config.mailboxes.iter().map(|m| m.name.as_str()).collect();
                anyhow::bail!("no mailbox {name:?} in [[mailboxes]] (configured: {known:?})");
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
