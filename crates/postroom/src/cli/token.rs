//! `postroom token create|list|revoke`: API tokens of the tenant given by `--tenant`.

use std::process::ExitCode;

use postroom_store::tokens::{ApiTokens, Scope};

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ScopeArg {
    Admin,
    Agent,
}

#[derive(Debug, clap::Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once on stdout and only its hash is kept.
    Create {
        /// The Jira account id the token acts as.
        #[arg(long, value_name = "ID")]
        account_id: String,
        /// A label to recognise the token by in `token list`.
        #[arg(long, value_name = "N", default_value = "")]
        name: String,
        #[arg(long, value_enum, default_value = "agent")]
        scope: ScopeArg,
    },
    /// List the tenant's tokens (never their secrets).
    List,
    /// Revoke a token by id; requests with it are refused at once.
    Revoke {
        /// The token id shown by `token create` and `token list`.
        id: String,
    },
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    let _guard = crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    let tenant = store.tenant(&app::tenant_id(&globals.tenant)?).await?;
    let tokens = ApiTokens::new(tenant);
    match args.command {
        TokenCommand::Create {
            account_id,
            name,
            scope,
        } => {
            let scope = match scope {
                ScopeArg::Admin => Scope::Admin,
                ScopeArg::Agent => Scope::Agent,
            };
            let (info, secret) = tokens
                .create(&account_id, &name, scope, app::now_ms())
                .await?;
            eprintln!(
                "created token {} ({scope}) for account {}; it is shown only now:",
                info.id, info.account_id
            );
            println!("{}", secret.expose());
        }
        TokenCommand::List => {
            for t in tokens.list().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    t.id, t.scope, t.account_id, t.created_at_ms, t.name
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if !tokens.revoke(&id).await? {
                eprintln!("no token {id:?} in tenant {}", globals.tenant);
                return Ok(ExitCode::FAILURE);
            }
            println!("revoked {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
