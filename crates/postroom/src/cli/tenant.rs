//! `postroom tenant add|set|remove|list|show|webhook-secret`: the Jira sites this instance
//! serves, one tenant each.
//!
//! A site's credential is read from a file or standard input, never from the command line
//! (where `ps` and shell history would keep it), and is sealed in the store with the
//! tenant's own key: it never reaches `postroom.toml`.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use postroom_core::message::EmailAddress;
use postroom_core::tenant::TenantId;
use postroom_store::inventory::erase_tenant;
use postroom_store::{JiraConnection, OwnRetention, SiteSecret, Store, TenantRecord, TenantStore};

use super::Globals;
use crate::config::{Config, JiraAuth};
use crate::retention::RetentionChange;
use crate::sites::{self, SiteSource};
use crate::{app, keys};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: TenantCommand,
}

#[derive(Debug, clap::Subcommand)]
enum TenantCommand {
    /// Add a tenant for a Jira site; its credential is sealed in the store with the
    /// tenant's own key.
    Add {
        /// The tenant's name: lower-case letters, digits and dashes.
        name: String,
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Change a tenant's Jira site, retention or sending identity: only the options given
    /// change.
    Set {
        /// The tenant to change.
        name: String,
        #[command(flatten)]
        site: SiteArgs,
        /// Keep all of this site's audit data (intake records and raw mail, processing
        /// reports, sent-mail records) this many days: each within the operator's
        /// `[retention] min_days` and `max_days`; `0` returns to the instance's period.
        #[arg(long, value_name = "DAYS")]
        retention_days: Option<u32>,
        /// Keep this site's intake records and raw mail this many days (within
        /// `[retention] min_days.intake` and `max_days.intake`; `0`: the instance's).
        #[arg(long, value_name = "DAYS")]
        intake_days: Option<u32>,
        /// Keep this site's processing reports this many days (within `[retention]
        /// min_days.reports` and `max_days.reports`; `0`: the instance's).
        #[arg(long, value_name = "DAYS")]
        reports_days: Option<u32>,
        /// Keep this site's records of sent mail this many days (within `[retention]
        /// min_days.sent_mail` and `max_days.sent_mail`; `0`: the instance's).
        #[arg(long, value_name = "DAYS")]
        sent_mail_days: Option<u32>,
        /// Keep this site's raw mail for the audit (`true`, the default) or not (`false`:
        /// each raw mail is deleted as soon as it is processed, whatever its mailbox or
        /// listener says). Without raw mail nothing can be diagnosed from the original,
        /// reprocessed, released after a hold, made a test case of or downloaded; the
        /// processing report stays.
        #[arg(long, value_name = "BOOL")]
        store_raw: Option<bool>,
        #[command(flatten)]
        identity: IdentityArgs,
    },
    /// Remove a tenant and everything postroom holds for it: its data key is destroyed
    /// first (crypto-shredding: its blobs and every backup of its rows become unreadable),
    /// then its blobs and rows are deleted. Other tenants are untouched. Irreversible.
    #[command(alias = "erase")]
    Remove {
        /// The tenant to remove.
        name: String,
        /// Do not ask; required when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
    },
    /// List the tenants of this instance, one per line: name, Jira URL, auth kind and state,
    /// separated by tabs.
    List,
    /// Show one tenant (the global --tenant, or NAME).
    Show {
        /// The tenant to show; defaults to --tenant.
        name: Option<String>,
    },
    /// Make the secret Jira signs this tenant's webhooks with, and print it once: enter it
    /// in Jira's webhook settings for `/webhooks/jira/NAME`.
    WebhookSecret {
        /// The tenant.
        name: String,
        /// Replace the secret it has (deliveries signed with the old one are refused from
        /// now on).
        #[arg(long)]
        rotate: bool,
    },
}

#[derive(Debug, clap::Args)]
struct SiteArgs {
    /// The site's base URL, e.g. https://example.atlassian.net.
    #[arg(long, value_name = "URL")]
    jira_url: Option<String>,
    /// How postroom signs in to the site.
    #[arg(long, value_enum)]
    auth: Option<AuthKind>,
    /// The account postroom acts as (API-token auth: the account's e-mail).
    #[arg(long, value_name = "E")]
    email: Option<String>,
    /// A file holding the token (API token, personal access token or OAuth access token);
    /// `-` reads it from standard input.
    #[arg(long, value_name = "F")]
    token_file: Option<PathBuf>,
}

/// The site's own sending identity, for an instance that serves several sites.
#[derive(Debug, clap::Args)]
struct IdentityArgs {
    /// The base of the site's VERP return paths (`bounces@acme.example` sends as
    /// `bounces+TOKEN@acme.example`), instead of the instance's `bounce_address`: an address
    /// the site's profile owns, so that bounces come back to it; `''` returns to the
    /// instance's.
    #[arg(long, value_name = "ADDRESS")]
    bounce_address: Option<String>,
    /// The name of the site's DKIM key in `[outbound] dkim_keys`, signed with instead of
    /// `[outbound] dkim`; `''` returns to the instance's.
    #[arg(long, value_name = "NAME")]
    dkim_key: Option<String>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum AuthKind {
    /// Jira Cloud: e-mail and API token.
    #[value(name = "api_token")]
    ApiToken,
    /// Jira Data Center: a personal access token.
    #[value(name = "pat")]
    Pat,
    /// An OAuth 2.0 access token.
    #[value(name = "oauth")]
    Oauth,
}

impl From<AuthKind> for JiraAuth {
    fn from(kind: AuthKind) -> Self {
        match kind {
            AuthKind::ApiToken => JiraAuth::ApiToken,
            AuthKind::Pat => JiraAuth::Pat,
            AuthKind::Oauth => JiraAuth::Oauth,
        }
    }
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    let store = app::open_store(&config).await?;
    if config.jira.url.is_some() {
        // The configured site is the tenant `default`'s: list and show it like the others.
        app::ensure_default_tenant(&store, &config).await?;
    }
    match args.command {
        TenantCommand::Add { name, site } => add(&config, &store, &name, site).await?,
        TenantCommand::Set {
            name,
            site,
            retention_days,
            intake_days,
            reports_days,
            sent_mail_days,
            store_raw,
            identity,
        } => {
            let base = retention_days.map_or_else(RetentionChange::default, RetentionChange::all);
            let change = RetentionChange {
                intake: intake_days.or(base.intake),
                reports: reports_days.or(base.reports),
                sent_mail: sent_mail_days.or(base.sent_mail),
            };
            if !change.is_empty() {
                retention(&config, &store, &name, change).await?;
            }
            if let Some(keep) = store_raw {
                raw_mail(&store, &name, keep).await?;
            }
            let other = !change.is_empty()
                || store_raw.is_some()
                || identity.bounce_address.is_some()
                || identity.dkim_key.is_some();
            if identity.bounce_address.is_some() || identity.dkim_key.is_some() {
                set_identity(&config, &store, &name, identity).await?;
            }
            if site.jira_url.is_some()
                || site.auth.is_some()
                || site.email.is_some()
                || site.token_file.is_some()
                || !other
            {
                set(&config, &store, &name, site).await?;
            }
        }
        TenantCommand::Remove { name, yes } => remove(&config, &store, &name, yes).await?,
        TenantCommand::List => {
            for record in store.list_tenants().await? {
                let tenant = store.tenant(&record.id).await?;
                println!(
                    "{}\t{}\t{}\t{}",
                    record.id,
                    record.jira.url.as_deref().unwrap_or("-"),
                    record.jira.auth.as_deref().unwrap_or("-"),
                    state(&config, &record, &tenant).await?
                );
            }
        }
        TenantCommand::Show { name } => {
            let id = app::tenant_id(name.as_deref().unwrap_or(&globals.tenant))?;
            let tenant = store.tenant(&id).await?;
            let record = tenant.record().await?;
            print!("{}", describe(&config, &record, &tenant).await?);
        }
        TenantCommand::WebhookSecret { name, rotate } => {
            webhook_secret(&config, &store, &name, rotate).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn add(config: &Config, store: &Store, name: &str, site: SiteArgs) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    let jira_url = site
        .jira_url
        .as_deref()
        .context("a new tenant needs --jira-url URL")?;
    let auth: JiraAuth = site
        .auth
        .context("a new tenant needs --auth api_token|pat|oauth")?
        .into();
    let token_file = site
        .token_file
        .as_deref()
        .context("a new tenant needs --token-file F (or --token-file - for standard input)")?;
    let jira = connection(jira_url, auth, site.email.as_deref())?;
    let token = read_token(token_file)?;
    let (keyring, source) = keys::open_keyring(config)?;
    keys::announce(&source, &keys::vault_dir(config));
    let tenant = store.add_tenant(&id, &jira, app::now_ms()).await?;
    let cipher = keyring.cipher(&tenant).await?;
    tenant
        .put_secret(&cipher, SiteSecret::JiraCredential, &token, app::now_ms())
        .await?;
    println!(
        "added tenant {id} for {}; its Jira webhook goes to /webhooks/jira/{id} \
         (make its secret with `postroom tenant webhook-secret {id}`)",
        jira.url.as_deref().unwrap_or_default()
    );
    Ok(())
}

async fn set(config: &Config, store: &Store, name: &str, site: SiteArgs) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    let tenant = store.tenant(&id).await?;
    if sites::source_of(config, &tenant.record().await?) == SiteSource::Config {
        anyhow::bail!(
            "tenant {id} takes its site from [jira] of the configuration: change it there, \
             or remove [jira] url to keep the site in the store"
        );
    }
    let current = tenant.record().await?.jira;
    let url = site.jira_url.as_deref().or(current.url.as_deref());
    let auth = match site.auth {
        Some(kind) => Some(JiraAuth::from(kind)),
        None => current.auth.as_deref().and_then(JiraAuth::parse),
    };
    let email = site.email.as_deref().or(current.account.as_deref());
    let (Some(url), Some(auth)) = (url, auth) else {
        anyhow::bail!("tenant {id} has no site yet: give --jira-url URL and --auth KIND");
    };
    let jira = connection(url, auth, email)?;
    let token = site.token_file.as_deref().map(read_token).transpose()?;
    if token.is_none() && !tenant.has_secret(SiteSecret::JiraCredential).await? {
        anyhow::bail!("tenant {id} has no Jira credential yet: give --token-file F");
    }
    if let Some(token) = token {
        let (keyring, _) = keys::open_keyring(config)?;
        let cipher = keyring.cipher(&tenant).await?;
        tenant
            .put_secret(&cipher, SiteSecret::JiraCredential, &token, app::now_ms())
            .await?;
    }
    tenant.set_jira(&jira, app::now_ms()).await?;
    println!("tenant {id} now reaches {url} ({})", auth.as_str());
    Ok(())
}

async fn retention(
    config: &Config,
    store: &Store,
    name: &str,
    change: RetentionChange,
) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    let tenant = store.tenant(&id).await?;
    let periods =
        crate::retention::apply(&config.retention_policy(), &tenant, change, app::now_ms()).await?;
    println!(
        "tenant {id} keeps intake records and raw mail {} days, processing reports {} days, \
         sent-mail records {} days",
        periods.intake, periods.reports, periods.sent_mail
    );
    Ok(())
}

async fn raw_mail(store: &Store, name: &str, keep: bool) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    let tenant = store.tenant(&id).await?;
    tenant.set_store_raw(keep, app::now_ms()).await?;
    if keep {
        println!("tenant {id} keeps raw mail for the audit where its mailboxes and listeners do");
    } else {
        println!(
            "tenant {id} keeps no raw mail: each is deleted once processed (mail taken in \
             before keeps its own setting until its retention ends)"
        );
    }
    Ok(())
}

async fn set_identity(
    config: &Config,
    store: &Store,
    name: &str,
    args: IdentityArgs,
) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    let tenant = store.tenant(&id).await?;
    let record = tenant.record().await?;
    let given = |value: Option<String>, current: Option<String>| match value {
        Some(v) if v.is_empty() => None,
        Some(v) => Some(v),
        None => current,
    };
    let bounce = given(args.bounce_address, record.bounce_address);
    let dkim_key = given(args.dkim_key, record.dkim_key);
    if let Some(bounce) = &bounce {
        let address = EmailAddress::parse(bounce)
            .map_err(|e| anyhow::anyhow!("--bounce-address {bounce:?}: {e}"))?;
        if address.local_part().contains('+') {
            anyhow::bail!(
                "--bounce-address {bounce:?} must not contain '+' (it is the VERP delimiter)"
            );
        }
        let owned = match tenant.profile().await? {
            Some(stored) => crate::profiles::read(&stored.document, "stored")
                .is_ok_and(|profile| profile.is_own(&address)),
            None => false,
        };
        if !owned {
            eprintln!(
                "postroom: {bounce} is not among tenant {id}'s own addresses: add it (or its \
                 domain) to the profile's `own`, or bounces will not reach this site"
            );
        }
    }
    if let Some(key) = &dkim_key {
        let known = match &config.outbound {
            Some(postroom_mail::send::OutboundSettings::Smtp(smtp)) => {
                smtp.dkim_keys.contains_key(key)
            }
            _ => false,
        };
        if !known {
            anyhow::bail!(
                "--dkim-key {key:?}: [outbound] dkim_keys of this instance has no key of that \
                 name (keys stay in the operator's files; a site names one)"
            );
        }
    }
    tenant
        .set_identity(bounce.as_deref(), dkim_key.as_deref(), app::now_ms())
        .await?;
    println!(
        "tenant {id} sends with bounce address {} and DKIM key {}",
        bounce.as_deref().unwrap_or("(the instance's)"),
        dkim_key.as_deref().unwrap_or("(the instance's)")
    );
    Ok(())
}

async fn remove(config: &Config, store: &Store, name: &str, yes: bool) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    store.tenant(&id).await?;
    if id == TenantId::default_tenant() && config.jira.url.is_some() {
        anyhow::bail!(
            "tenant default is the site of [jira] in the configuration: remove [jira] url \
             first, or it comes back at the next start"
        );
    }
    if !yes && !confirmed(name)? {
        anyhow::bail!("tenant {name} was not removed");
    }
    let (keyring, source) = keys::open_keyring(config)?;
    keys::announce(&source, &keys::vault_dir(config));
    let blobs = keys::open_blobs(config)?;
    let report = erase_tenant(store, &keyring, &blobs, &id).await?;
    println!(
        "removed tenant {id}: data key {}, {} blob(s), {} row(s) deleted",
        if report.key_destroyed {
            "destroyed"
        } else {
            "(none held)"
        },
        report.blobs,
        report.rows
    );
    Ok(())
}

async fn webhook_secret(
    config: &Config,
    store: &Store,
    name: &str,
    rotate: bool,
) -> anyhow::Result<()> {
    let id = app::tenant_id(name)?;
    let tenant = store.tenant(&id).await?;
    if id == TenantId::default_tenant() && config.webhooks.secret_file.is_some() {
        anyhow::bail!(
            "tenant default's webhook secret is [webhooks] secret_file of the configuration"
        );
    }
    if !rotate && tenant.has_secret(SiteSecret::WebhookSecret).await? {
        anyhow::bail!(
            "tenant {id} already has a webhook secret, shown only when it was made; \
             pass --rotate to make a new one"
        );
    }
    let (keyring, _) = keys::open_keyring(config)?;
    let cipher = keyring.cipher(&tenant).await?;
    let secret = crate::sandbox::new_secret();
    tenant
        .put_secret(&cipher, SiteSecret::WebhookSecret, &secret, app::now_ms())
        .await?;
    eprintln!(
        "postroom: the webhook secret of tenant {id}, shown this once; enter it in Jira's \
         webhook for <postroom's URL>/webhooks/jira/{id}:"
    );
    println!("{secret}");
    Ok(())
}

/// The registry's record of a site, checked: an http(s) URL with a host (kept without a
/// trailing `/`), and an e-mail for API-token auth.
fn connection(url: &str, auth: JiraAuth, email: Option<&str>) -> anyhow::Result<JiraConnection> {
    let uri: axum::http::Uri = url
        .parse()
        .with_context(|| format!("--jira-url {url:?} is not a URL"))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("https" | "http"));
    if !scheme_ok || uri.host().is_none_or(str::is_empty) || uri.query().is_some() {
        anyhow::bail!(
            "--jira-url {url:?} must be an http(s) URL of a site, like https://example.atlassian.net"
        );
    }
    if auth == JiraAuth::ApiToken && email.is_none_or(|e| !e.contains('@')) {
        anyhow::bail!("API-token auth needs --email E: the e-mail of the account postroom acts as");
    }
    Ok(JiraConnection {
        url: Some(url.trim_end_matches('/').to_owned()),
        auth: Some(auth.as_str().to_owned()),
        account: email.map(str::to_owned),
    })
}

/// The token in `path`, or on standard input for `-`; a trailing newline is not part of it.
fn read_token(path: &Path) -> anyhow::Result<String> {
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the token from standard input")?;
        text
    } else {
        std::fs::read_to_string(path)
            .with_context(|| format!("--token-file: cannot read {}", path.display()))?
    };
    let token = text.trim_end_matches(['\n', '\r']);
    if token.is_empty() || token.contains(['\n', '\r']) {
        anyhow::bail!(
            "--token-file {}: expected the token alone on one line",
            path.display()
        );
    }
    Ok(token.to_owned())
}

/// Asks for the tenant's name on a terminal; refuses without one, so a script must say
/// `--yes` explicitly.
fn confirmed(name: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("removing tenant {name} cannot be undone; pass --yes to confirm");
    }
    eprint!(
        "Removing tenant {name} erases its data and cannot be undone. Type its name to confirm: "
    );
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == name)
}

/// What serving this tenant's site needs next, in a few words.
async fn state(
    config: &Config,
    record: &TenantRecord,
    tenant: &TenantStore,
) -> anyhow::Result<&'static str> {
    Ok(match sites::source_of(config, record) {
        SiteSource::Config => "ready (site from postroom.toml)",
        SiteSource::Store if tenant.has_secret(SiteSecret::JiraCredential).await? => "ready",
        SiteSource::Store => "no credential: mail is held",
        SiteSource::None => "no Jira site: mail is held",
    })
}

async fn describe(
    config: &Config,
    record: &TenantRecord,
    tenant: &TenantStore,
) -> anyhow::Result<String> {
    let webhook =
        if record.id == TenantId::default_tenant() && config.webhooks.secret_file.is_some() {
            "set ([webhooks] secret_file)"
        } else if tenant.has_secret(SiteSecret::WebhookSecret).await? {
            "set"
        } else {
            "none (postroom tenant webhook-secret NAME)"
        };
    Ok(format!(
        "tenant:         {}\njira url:       {}\njira auth:      {}\njira account:   {}\nstate:          {}\nwebhook path:   /webhooks/jira/{}\nwebhook secret: {}\nretention:      {} days{}\nraw mail:       {}\nbounce address: {}\ndkim key:       {}\nsmtp relay:     {}\n",
        record.id,
        record.jira.url.as_deref().unwrap_or("(not configured)"),
        record.jira.auth.as_deref().unwrap_or("-"),
        record.jira.account.as_deref().unwrap_or("-"),
        state(config, record, tenant).await?,
        record.id,
        webhook,
        {
            let periods = config.retention_policy().periods(&record.retention);
            format!(
                "intake {}, reports {}, sent mail {}",
                periods.intake, periods.reports, periods.sent_mail
            )
        },
        if record.retention != OwnRetention::default() {
            " (the site's own where it chose)"
        } else {
            " (the instance's)"
        },
        if record.store_raw {
            "kept for the audit where its mailboxes and listeners keep it"
        } else {
            "not kept: deleted once processed (the site opted out)"
        },
        record
            .bounce_address
            .as_deref()
            .unwrap_or("(the instance's)"),
        record.dkim_key.as_deref().unwrap_or("(the instance's)"),
        match &record.relay {
            Some(relay) => format!(
                "{}{} ({}), set in the console{}",
                relay.host,
                relay.port.map(|p| format!(":{p}")).unwrap_or_default(),
                relay.security,
                if config.outbound.is_some() {
                    "; not used: [outbound] of postroom.toml wins"
                } else {
                    ""
                }
            ),
            None => "(the instance's)".to_owned(),
        },
    ))
}
