//! `postroom serve`: run the HTTP edge, listeners and workers until SIGTERM/SIGINT.

use std::future::IntoFuture;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use postroom_core::tenant::SiteLabels;
use postroom_engine::inbound::Inbound;
use postroom_engine::intake::Intake;
use postroom_engine::outbound::{AutoReplies, Notifications, Notifier};
use postroom_engine::retention::Retention;
use postroom_engine::worker::{Registry, WorkerConfig, Workers};
use postroom_mail::imap::Poller;
use postroom_mail::send::SiteSenders;
use postroom_mail::smtp::{Listener, ListenerConfig, Protocol, RateLimit, Tls};
use postroom_store::mailboxes::Mailboxes;
use tokio_util::sync::CancellationToken;

use super::Globals;
use crate::config::Config;
use crate::http::{self, AppState, Readiness};
use crate::inbound::{self, ListenerSink, MailboxSink};
use crate::tenancy::{MailRoute, MailRoutes, Tenancy};
use crate::{app, console, keys, profiles, sandbox};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address of the HTTP listener (overrides `http.addr`).
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,

    /// Also take mail by SMTP on ADDR (overrides `smtp.addr`), for postroom's own
    /// addresses in `[inbound] profile` only.
    #[arg(long, value_name = "ADDR")]
    smtp: Option<SocketAddr>,

    /// Also take mail by LMTP on ADDR (overrides `smtp.lmtp_addr`), with one reply per
    /// recipient, for a local mail server that delivers by LMTP.
    #[arg(long, value_name = "ADDR")]
    lmtp: Option<SocketAddr>,

    /// Use an embedded Jira sandbox (under /sandbox/jira on the HTTP listener, state kept
    /// in DATA_DIR/sandbox.json) instead of a real Jira site, and two sandbox Jira Cloud
    /// sites (/sandbox/cloud-a, /sandbox/cloud-b) that install postroom's Forge app from a
    /// sandbox Forge platform (/sandbox/forge): for trying postroom out.
    #[arg(long)]
    sandbox: bool,
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<ExitCode> {
    let mut config = app::load_config(globals)?;
    crate::telemetry::init(&config.log, globals.log_format);
    crate::telemetry::metrics();
    let smtp_addr = args.smtp.or(config.smtp.addr);
    let lmtp_addr = args.lmtp.or(config.smtp.lmtp_addr);
    let mut expected = vec!["http", "workers"];
    expected.extend(smtp_addr.map(|_| "smtp"));
    expected.extend(lmtp_addr.map(|_| "lmtp"));
    let readiness = Arc::new(Readiness::expecting(&expected));

    // The master key exists before anything can be stored, and before /healthz answers.
    let (keyring, source) = keys::open_keyring(&config)?;
    keys::announce(&source, &keys::vault_dir(&config));
    let blobs = keys::open_blobs(&config)?;
    let store = app::open_store(&config).await?;
    let intake = Intake::new(keyring.clone(), blobs.clone(), config.inbound.max_size);

    let addr = args.http.unwrap_or(config.http.addr);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr().context("listener has no address")?;

    let sandbox = if args.sandbox {
        let sandbox = sandbox::Embedded::start(&config, bound)?;
        config.jira = sandbox.jira_config(&config.jira);
        Some(sandbox)
    } else {
        None
    };
    // Two Jira Cloud sites that install postroom's Forge app, beside the self-hosted one.
    let cloud = if args.sandbox {
        let cloud = crate::forge::sandbox::CloudSites::start(&config, bound)?;
        config.forge = cloud.forge_config(&config.forge);
        Some(cloud)
    } else {
        None
    };
    let webhook_secrets = webhook_secrets(&config)?;
    let metrics = match &config.http.metrics_token_file {
        Some(path) => Some(
            crate::config::Secret::from_file(path)
                .map_err(|e| anyhow::anyhow!("http.metrics_token_file: {e}"))?,
        ),
        None => None,
    };
    let tenant = app::ensure_default_tenant(&store, &config).await?;
    if let Some(sandbox) = &sandbox {
        let secret = match webhook_secrets.get(tenant.id()) {
            Some(secret) => secret.clone(),
            None => sandbox::stored_webhook_secret(&tenant, &keyring, app::now_ms()).await?,
        };
        sandbox.register_receiver(bound, &secret)?;
    }
    crate::backup::schedule(&config, &tenant, app::now_ms()).await?;
    let profile =
        profiles::for_serve(&config, &store, &tenant, args.sandbox, app::now_ms()).await?;
    let routes = MailRoutes::default();
    if let Some(shared) = &profile {
        tokio::spawn(
            shared
                .clone()
                .follow(tenant.clone(), std::time::Duration::from_secs(5)),
        );
        routes.set(MailRoute {
            tenant: tenant.clone(),
            profile: shared.clone(),
            uninstalled: false,
        });
    }
    let shutdown = CancellationToken::new();
    let holder = format!(
        "{}:{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "postroom".to_owned()),
        std::process::id()
    );
    let trackers = crate::trackers::Trackers::default();
    let forge_tokens = crate::forge::ForgeTokens::default();
    Tenancy {
        config: Arc::new(config.clone()),
        store: store.clone(),
        keyring: keyring.clone(),
        intake: intake.clone(),
        trackers: trackers.clone(),
        routes: routes.clone(),
        labels: site_labels(&config, &keyring),
        holder: holder.clone(),
        forge: forge_tokens.clone(),
        app_budget: postroom_jira::AppBudget::shared(
            config.forge.requests_per_hour,
            Arc::new(store.clone()),
        ),
    }
    .start(shutdown.clone())
    .await?;
    tracing::info!(
        http = %bound,
        database = %app::redact_url(&config.storage.url),
        blobs = blobs.description(),
        master_key = keyring.current_id(),
        "postroom is serving"
    );

    let mut tasks = Vec::new();
    let mut listeners = vec![("http".to_owned(), bound.to_string())];
    for (addr, protocol, name) in [
        (smtp_addr, Protocol::Smtp, "smtp"),
        (lmtp_addr, Protocol::Lmtp, "lmtp"),
    ] {
        let Some(addr) = addr else { continue };
        inbound::check_routes(&routes)?;
        let listener = bind_mail_listener(
            &config,
            addr,
            protocol,
            ListenerSink::new(intake.clone(), routes.clone()).store_raw(config.smtp.store_raw),
            &keyring,
        )
        .await?;
        let local = listener.local_addr()?;
        eprintln!("postroom: {name} listening on {local}");
        listeners.push((name.to_owned(), local.to_string()));
        tracing::info!(%local, protocol = name, "mail listener started");
        readiness.mark_up(name);
        tasks.push(tokio::spawn(listener.serve(shutdown.clone())));
    }

    let polled =
        profiles::mailboxes::to_poll(&config, profile.as_ref().map(|p| p.get()).as_deref());
    for settings in &polled {
        let poller = Poller::new(
            settings.clone(),
            MailboxSink::new(intake.clone(), tenant.clone()).store_raw(settings.store_raw),
            Mailboxes::new(tenant.clone()),
            holder.clone(),
        );
        tracing::info!(mailbox = %settings.name, "IMAP poller started");
        tasks.push(tokio::spawn(poller.run(shutdown.clone())));
    }
    tokio::spawn(http::purge_access_log_forever(store.clone()));
    tokio::spawn(purge_forever(
        Retention::new(intake.clone(), config.retention_policy()),
        store.clone(),
    ));
    let forge =
        crate::forge::ForgeEdge::from_config(&config.forge, forge_tokens.clone(), keyring.clone());
    if forge.is_some() {
        tokio::spawn(erase_uninstalled_forever(
            store.clone(),
            keyring.clone(),
            blobs.clone(),
            forge_tokens,
            config.forge.erase_after_days,
        ));
    }
    let outbound = crate::outbound::OutboundSetup::from_config(&config, args.sandbox)?;
    let outbound_configured = outbound.transport != crate::outbound::InstanceTransport::None;
    tasks.push(start_workers(
        &config,
        &store,
        &intake,
        &blobs,
        &outbound.senders,
        &trackers,
        shutdown.clone(),
    ));
    let webhooks = http::WebhookReceiver {
        intake: postroom_engine::webhooks::Webhooks::new(
            store.clone(),
            keyring.clone(),
            intake.committed(),
        ),
        secrets: http::WebhookSecrets::new(webhook_secrets, store.clone(), keyring.clone()),
        max_body_bytes: config.webhooks.max_body_bytes,
    };
    readiness.mark_up("workers");
    let console_settings = console::settings(&config, bound, sandbox.as_ref(), listeners)?;
    tokio::spawn(console::purge_forever(
        store.clone(),
        console_settings.policy.idle_ms,
    ));
    let cloud_store = store.clone();
    let backups = match crate::backup::ScheduledBackups::new(
        &config,
        store.clone(),
        blobs.clone(),
        intake.keyring().clone(),
    ) {
        Ok(backups) => Some(backups),
        Err(e) => {
            tracing::warn!(error = %e, "backups cannot be listed or made from the API");
            None
        }
    };
    let mut router = http::router(AppState {
        store,
        readiness: readiness.clone(),
        intake,
        trackers,
        upload_store_raw: config.inbound.store_raw,
        retention: config.retention_policy(),
        webhooks,
        metrics: http::MetricsAccess::new(metrics),
        console: console_settings.clone(),
        trusted_proxies: config.http.trusted_proxies.clone().into(),
        forge,
        usage_flags: config.usage.flags,
        operator_events: config.operator.webhook_url.is_some(),
        backups,
        outbound,
        profile: http::ProfileEdge {
            config: Arc::new(config.clone()),
            outbound: outbound_configured,
            previews: Default::default(),
            compiled: Default::default(),
        },
    });
    if let Some(cloud) = &cloud {
        router = router.merge(cloud.router());
    }
    if let Some(sandbox) = &sandbox {
        router = router.nest(sandbox::MOUNT, sandbox.router());
        eprintln!("{}", sandbox.banner());
        let link = console::sign_in_link(
            &tenant,
            &console_settings.public_url,
            jira_sandbox::ADMIN_ACCOUNT_ID,
        )
        .await?;
        eprintln!(
            "postroom: console at {}/ — sign in as the sandbox administrator (once, within 10 \
             minutes): {link}",
            console_settings.public_url
        );
        if cloud.is_some() {
            eprintln!(
                "postroom: the Forge app's console pages in the sandbox's Cloud sites, as Jira \
                 shows them: {}{}",
                console_settings.public_url,
                crate::forge::sandbox::PLATFORM_MOUNT
            );
        }
    }
    if let Some(addr) = config.http.metrics_addr {
        tasks.push(http::serve_metrics(addr, shutdown.clone()).await?);
    }
    readiness.mark_up("http");
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let signal = shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        signal.cancel();
    });
    let server = tokio::spawn(
        axum::serve(listener, service)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .into_future(),
    );
    if let Some(cloud) = &cloud {
        // The install events are postroom's own endpoints, so the server is up first.
        cloud.install(&cloud_store).await;
    }
    // Printed once every listener is bound and everything the start writes (the sandbox's
    // sign-in link, the Cloud sites' installs) is done: scripts and tests wait for this line.
    eprintln!("postroom: serving on http://{bound} (health: http://{bound}/healthz)");
    server
        .await
        .context("the HTTP server stopped")?
        .context("HTTP server failed")?;
    for task in tasks {
        let _ = task.await;
    }
    tracing::info!("postroom stopped");
    Ok(ExitCode::SUCCESS)
}

async fn bind_mail_listener(
    config: &Config,
    addr: SocketAddr,
    protocol: Protocol,
    sink: ListenerSink,
    keyring: &postroom_store::crypto::Keyring,
) -> anyhow::Result<Listener<ListenerSink>> {
    let tls = match (&config.smtp.tls_cert_file, &config.smtp.tls_key_file) {
        (Some(cert), Some(key)) => Some(Tls::from_pem_files(cert, key)?),
        _ => None,
    };
    let listener_config = ListenerConfig {
        protocol,
        hostname: config.smtp.hostname.clone(),
        max_message_size: config.inbound.max_size,
        max_connections: config.smtp.max_connections,
        // The LMTP listener's only peer is the site's own mail server.
        max_connections_per_peer: match protocol {
            Protocol::Smtp => Some(config.smtp.max_connections_per_peer),
            Protocol::Lmtp => None,
        },
        trusted_relays: config.smtp.trusted_relays.clone(),
        greeting_timeout: Duration::from_secs(config.smtp.greeting_timeout_secs),
        max_recipients: config.smtp.max_recipients,
        tls,
        rate: RateLimit {
            burst: config.smtp.rate_burst,
            per_minute: config.smtp.rate_per_minute,
        },
        ..ListenerConfig::default()
    };
    Listener::bind(addr, listener_config, sink, keys::redactor(keyring))
        .await
        .with_context(|| format!("cannot listen for mail on {addr}"))
}

/// Starts the job workers (the inbound worker among them) until `shutdown`.
fn start_workers(
    config: &Config,
    store: &postroom_store::Store,
    intake: &Intake,
    blobs: &postroom_store::blobs::BlobStore,
    senders: &Arc<SiteSenders>,
    trackers: &crate::trackers::Trackers,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let mut registry = Registry::default();
    let inbound = Inbound::new(
        store.clone(),
        intake.clone(),
        trackers.clone(),
        senders.has_instance_transport(),
        std::time::Duration::from_secs(config.inbound.thread_wait_secs),
    );
    registry.register(postroom_engine::intake::JOB_KIND, inbound.clone());
    registry.register(postroom_engine::intake::REPROCESS_JOB_KIND, inbound.clone());
    registry.register(postroom_engine::intake::RELEASE_JOB_KIND, inbound);
    if let Some(url) = &config.operator.webhook_url {
        match crate::operator::OperatorWebhook::new(
            store.clone(),
            intake.keyring().clone(),
            trackers.clone(),
            url.clone(),
        ) {
            Ok(webhook) => {
                registry.register(postroom_engine::operator::OPERATOR_EVENT_JOB, webhook)
            }
            Err(e) => tracing::warn!(error = %e, "operator events cannot be sent"),
        }
    }
    if matches!(config.backup.period(), Ok(Some(_))) {
        match crate::backup::ScheduledBackups::new(
            config,
            store.clone(),
            blobs.clone(),
            intake.keyring().clone(),
        ) {
            Ok(backups) => registry.register(crate::backup::BACKUP_JOB, backups),
            Err(e) => tracing::warn!(error = %e, "scheduled backups cannot be made"),
        }
    }
    registry.register(
        postroom_engine::webhooks::NOTIFY_JOB,
        Notifier::new(store.clone(), intake.keyring().clone(), trackers.clone()),
    );
    // A site without any transport (no [outbound], no relay of its own) gets no
    // acknowledgement queued; its notifications' jobs are parked with the reason.
    registry.register(
        postroom_engine::outbound::AUTO_REPLY_JOB,
        AutoReplies::new(store.clone(), intake.keyring().clone(), Arc::clone(senders)),
    );
    registry.register(
        postroom_engine::outbound::NOTIFICATION_JOB,
        Notifications::new(
            store.clone(),
            intake.keyring().clone(),
            blobs.clone(),
            Arc::clone(senders),
            trackers.clone(),
        ),
    );
    let workers = Workers::new(
        store,
        registry,
        WorkerConfig {
            concurrency: config.inbound.workers.max(1),
            lease: std::time::Duration::from_secs(config.inbound.lease_seconds.max(1)),
            // A mail is seconds of Jira work: leasing one at a time keeps the others free
            // for idle workers and instances.
            batch: 1,
            grace: std::time::Duration::from_secs(config.shutdown_grace_secs.0),
            site_labels: site_labels(config, intake.keyring()),
            ..WorkerConfig::default()
        },
    )
    .wake_on(intake.committed());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown.cancelled().await;
        let _ = stop.send(true);
    });
    tracing::info!(workers = config.inbound.workers, "inbound workers started");
    tokio::spawn(workers.run(stopped))
}

/// The webhook secrets of the configuration: `[webhooks] secret_file` for the tenant
/// `default`. Every other secret is read from the store when a delivery comes.
fn webhook_secrets(
    config: &Config,
) -> anyhow::Result<std::collections::HashMap<postroom_core::tenant::TenantId, crate::config::Secret>>
{
    let mut secrets = std::collections::HashMap::new();
    if let Some(path) = &config.webhooks.secret_file {
        let secret = crate::config::Secret::from_file(path)
            .map_err(|e| anyhow::anyhow!("[webhooks] secret_file: {e}"))?;
        secrets.insert(postroom_core::tenant::TenantId::default_tenant(), secret);
    }
    Ok(secrets)
}

/// Deletes every tenant's intake records, raw mail and processing results past their
/// retention, every hour from the start. Each instance runs it; deleting what another
/// instance already deleted is no error.
async fn purge_forever(retention: Retention, store: postroom_store::Store) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match retention.purge_all(&store, app::now_ms()).await {
            Ok(purged) => tracing::info!(
                intake = purged.intake,
                raw_mail = purged.raw_mail,
                reports = purged.reports,
                sent_mail = purged.sent_mail,
                sent_mime = purged.sent_mime,
                webhook_events = purged.webhook_events,
                profile_versions = purged.profile_versions,
                default_days = retention.policy().default_days,
                "audit data past its retention purged"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot purge the audit data"),
        }
    }
}

/// Erases the sites that uninstalled the Forge app more than `[forge] erase_after_days`
/// ago, every hour from the start.
async fn erase_uninstalled_forever(
    store: postroom_store::Store,
    keyring: postroom_store::crypto::Keyring,
    blobs: postroom_store::blobs::BlobStore,
    tokens: crate::forge::ForgeTokens,
    erase_after_days: u32,
) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        if let Err(e) = crate::forge::erase::erase_uninstalled(
            &store,
            &keyring,
            &blobs,
            &tokens,
            erase_after_days,
            app::now_ms(),
        )
        .await
        {
            tracing::warn!(error = %e, "cannot look for uninstalled sites to erase");
        }
    }
}

/// How per-site series are labelled: by an opaque id under the instance's redaction key
/// (stable across restarts), or by name with `http.metrics_site_names`.
fn site_labels(config: &Config, keyring: &postroom_store::crypto::Keyring) -> SiteLabels {
    if config.http.metrics_site_names {
        SiteLabels::Names
    } else {
        SiteLabels::Opaque(keys::redactor(keyring))
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
