//! `postroom token create|list|revoke`: API tokens of the tenant chosen by `--tenant`.

use std::process::ExitCode;

use postroom_store::tokens::{ApiTokens, Scope};

use super::Globals;
use crate::app;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TokenCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TokenCommand {
    /// Make a token; its secret is printed once, on stdout, and never stored.
    Create {
        /// The Jira account id the token acts as (the agent of canned responses).
        #[arg(long, value_name = "ID")]
        account_id: String,
        /// A name to recognise the token by in `token list`.
        #[arg(long, value_name = "N", default_value = "")]
        name: String,
        /// `admin` manages the tenant; `agent` uses the agent-facing API.
        #[arg(long, value_enum, default_value_t = ScopeArg::Agent)]
        scope: ScopeArg,
    },
    /// List the tenant's tokens (id, account, name, scope, created), never their secrets.
    List {
        /// Print one JSON object per token and line.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a token by its id; the next request with it answers 401.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ScopeArg {
    Admin,
    Agent,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    let tenant = app::tenant_id(&globals.tenant)?;
    if tenant == postroom_core::tenant::TenantId::default_tenant() {
        app::ensure_default_tenant(&store, &config).await?;
    }
    let tokens = ApiTokens::new(store.tenant(&tenant).await?);
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
                "postroom: token {} ({scope}) for account {} of tenant {tenant}; the secret \
                 below is shown only now:",
                info.id, info.account_id
            );
            println!("{}", secret.expose());
        }
        TokenCommand::List { json } => {
            for info in tokens.list().await? {
                if json {
                    println!("{}", serde_json::to_string(&info)?);
                } else {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        info.id,
                        info.scope,
                        info.account_id,
                        if info.name.is_empty() {
                            "-"
                        } else {
                            &info.name
                        },
                        app::format_ms(info.created_at_ms)
                    );
                }
            }
        }
        TokenCommand::Revoke { id } => {
            if !tokens.revoke(&id).await? {
                anyhow::bail!("tenant {tenant} has no token {id:?}");
            }
            eprintln!("postroom: token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}
