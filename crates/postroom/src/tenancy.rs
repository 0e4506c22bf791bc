//! Every tenant's flows while `serve` runs, kept in step with the tenant registry: a
//! tenant added, changed or removed with `postroom tenant …` is served, re-connected or
//! dropped within seconds, without a restart.
//!
//! Per tenant: its Jira client (each with its own request budget), its profile for the
//! mail listeners (each own address routes to the one tenant that owns it) and its profile's
//! IMAP mailboxes. The tenant `default` keeps what `serve` set up for it at start
//! (`[inbound] profile`, `[[mailboxes]]`, the sandbox); when it started without a profile,
//! its first one is picked up here like any tenant's. A tenant without a working site holds its mail: the inbound worker
//! finds no client and keeps the mail for later, and the warning names the tenant.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use postroom_core::message::EmailAddress;
use postroom_core::tenant::{SiteLabels, TenantId};
use postroom_engine::intake::Intake;
use postroom_mail::imap::Poller;
use postroom_store::crypto::Keyring;
use postroom_store::forge::ForgeInstallation;
use postroom_store::mailboxes::Mailboxes;
use postroom_store::{Store, TenantRecord, TenantStore};
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::forge::ForgeTokens;
use crate::inbound::MailboxSink;
use crate::profiles::{self, SharedProfile};
use crate::site_mailboxes::poll::{PollContext, SitePollers};
use crate::trackers::{self, Trackers};

/// How often the registry is read again.
const EVERY: Duration = Duration::from_secs(2);

/// One tenant's profile, as the mail listeners decide recipients by.
#[derive(Debug, Clone)]
pub struct MailRoute {
    pub tenant: TenantStore,
    pub profile: SharedProfile,
    /// The site uninstalled postroom's Forge app: its addresses are refused with that
    /// reason (not as unknown) until it installs again or is erased.
    pub uninstalled: bool,
}

/// The tenants the mail listeners deliver to, each with the profile naming its own
/// addresses.
#[derive(Debug, Clone, Default)]
pub struct MailRoutes {
    routes: Arc<RwLock<Vec<MailRoute>>>,
}

impl MailRoutes {
    /// Routes to one tenant only.
    pub fn single(tenant: TenantStore, profile: SharedProfile) -> Self {
        let routes = Self::default();
        routes.set(MailRoute {
            tenant,
            profile,
            uninstalled: false,
        });
        routes
    }

    /// The tenant `address` is delivered to: the one whose profile calls it its own, else
    /// one whose profile takes any recipient (a demo), else none.
    pub fn tenant_of(&self, address: &EmailAddress) -> Option<MailRoute> {
        let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
        routes
            .iter()
            .find(|r| r.profile.get().is_own(address))
            .or_else(|| {
                routes
                    .iter()
                    .find(|r| r.profile.get().profile.own.accept_any_recipient)
            })
            .cloned()
    }

    /// The first route (the tenant `default`'s when it has a profile): where what cannot
    /// be told apart by recipient is recorded (a message refused before its recipients
    /// were read).
    pub fn first(&self) -> Option<MailRoute> {
        self.routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .first()
            .cloned()
    }

    fn contains(&self, tenant: &TenantId) -> bool {
        self.routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|r| r.tenant.id() == tenant)
    }

    pub fn is_empty(&self) -> bool {
        self.routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Adds or replaces the route of `route.tenant`.
    pub fn set(&self, route: MailRoute) {
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        match routes
            .iter_mut()
            .find(|r| r.tenant.id() == route.tenant.id())
        {
            Some(slot) => *slot = route,
            None => routes.push(route),
        }
    }

    /// Marks `tenant`'s route (if it has one) as uninstalled or back.
    fn set_uninstalled(&self, tenant: &TenantId, uninstalled: bool) {
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        if let Some(route) = routes.iter_mut().find(|r| r.tenant.id() == tenant) {
            route.uninstalled = uninstalled;
        }
    }

    fn remove(&self, tenant: &TenantId) {
        self.routes
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|r| r.tenant.id() != tenant);
    }
}

/// Says loudly what is missing when a tenant has no Jira site: its mail is still taken in
/// and held, so nothing is lost, but nothing reaches Jira either.
fn no_site(tenant: &TenantId) -> String {
    if *tenant == TenantId::default_tenant() {
        "no Jira site is configured: mail will be taken in and held until one is. Set [jira] \
         url, auth, email and token_file in postroom.toml (or POSTROOM_JIRA__URL etc.), or run \
         `postroom serve --sandbox` to try postroom"
            .to_owned()
    } else {
        format!(
            "tenant {tenant} has no Jira site: its mail is taken in and held until it has one \
             (`postroom tenant set {tenant} --jira-url URL …`)"
        )
    }
}

/// What `serve` keeps per tenant, and the parts it needs to start a tenant's flows.
#[derive(Debug)]
pub struct Tenancy {
    pub config: Arc<Config>,
    pub store: Store,
    pub keyring: Keyring,
    pub intake: Intake,
    pub trackers: Trackers,
    pub routes: MailRoutes,
    pub labels: SiteLabels,
    /// Who holds the mailbox leases: this instance.
    pub holder: String,
    /// The app system tokens of the sites that installed the Forge app.
    pub forge: ForgeTokens,
    /// The Forge app's hourly quota, which all its sites' clients share.
    pub app_budget: Arc<postroom_jira::AppBudget>,
}

/// What is running for one tenant.
struct Served {
    /// The registry entry's last change: the Jira client is rebuilt when it moves.
    updated_at_ms: i64,
    /// Whether its profile's route and mailboxes are up.
    routed: bool,
    /// For a site of the Forge app: whether it is installed and licensed, as last seen.
    forge: Option<ForgeState>,
    stop: CancellationToken,
}

/// A Forge site's standing, as it decides what runs for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ForgeState {
    /// Installed and licensed (or without licence information): everything runs.
    Active,
    /// The licence is inactive: mail is taken in and held, nothing reaches Jira.
    Unlicensed,
    /// Uninstalled: its mail is refused and its mailboxes are not polled.
    Uninstalled,
}

impl ForgeState {
    fn of(installation: &ForgeInstallation) -> Self {
        if installation.uninstalled_at_ms.is_some() {
            Self::Uninstalled
        } else if installation.licence_active == Some(false) {
            Self::Unlicensed
        } else {
            Self::Active
        }
    }
}

impl Tenancy {
    /// Serves every tenant in the registry now (so that the listeners start with every
    /// tenant's addresses), then follows the registry in the background until `shutdown`.
    pub async fn start(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let mut served: HashMap<TenantId, Served> = HashMap::new();
        let mut site_pollers = SitePollers::default();
        let records = self.store.list_tenants().await?;
        self.step(&records, &mut served, &shutdown).await;
        self.follow_site_mailboxes(&mut site_pollers, &served, &shutdown)
            .await;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.tick().await;
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = tick.tick() => {}
                }
                match self.store.list_tenants().await {
                    Ok(records) => self.step(&records, &mut served, &shutdown).await,
                    Err(e) => tracing::warn!(error = %e, "cannot read the tenant registry"),
                }
                self.follow_site_mailboxes(&mut site_pollers, &served, &shutdown)
                    .await;
            }
        });
        Ok(())
    }

    /// The console's mailboxes of every served site whose app is not uninstalled.
    async fn follow_site_mailboxes(
        &self,
        pollers: &mut SitePollers,
        served: &HashMap<TenantId, Served>,
        shutdown: &CancellationToken,
    ) {
        let polled = served
            .iter()
            .filter(|(_, s)| s.forge != Some(ForgeState::Uninstalled))
            .map(|(id, _)| id.clone())
            .collect();
        let cx = PollContext {
            config: &self.config,
            store: &self.store,
            keyring: &self.keyring,
            intake: &self.intake,
            holder: &self.holder,
            shutdown,
        };
        pollers.step(&cx, &polled).await;
    }

    async fn step(
        &self,
        records: &[TenantRecord],
        served: &mut HashMap<TenantId, Served>,
        shutdown: &CancellationToken,
    ) {
        let gone: Vec<TenantId> = served
            .keys()
            .filter(|id| !records.iter().any(|r| &r.id == *id))
            .cloned()
            .collect();
        for id in gone {
            if let Some(entry) = served.remove(&id) {
                entry.stop.cancel();
            }
            self.trackers.remove(&id);
            self.routes.remove(&id);
            tracing::info!(tenant = %id, "tenant removed: no longer served");
        }
        let installations: HashMap<TenantId, ForgeInstallation> =
            match self.store.forge_installations().await {
                Ok(all) => all.into_iter().map(|i| (i.tenant.clone(), i)).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the Forge installations");
                    return;
                }
            };
        for record in records {
            let installation = installations.get(&record.id);
            let forge = installation.map(ForgeState::of);
            let entry = served.entry(record.id.clone()).or_insert_with(|| Served {
                updated_at_ms: i64::MIN,
                // `serve` routes `default` itself when it starts with a profile.
                routed: self.routes.contains(&record.id),
                forge: None,
                stop: shutdown.child_token(),
            });
            if entry.updated_at_ms != record.updated_at_ms || entry.forge != forge {
                entry.updated_at_ms = record.updated_at_ms;
                match installation {
                    Some(installation) => self.connect_forge(installation).await,
                    None => self.connect(&record.id).await,
                }
            }
            if forge != entry.forge {
                let was_uninstalled = entry.forge == Some(ForgeState::Uninstalled);
                entry.forge = forge;
                if forge == Some(ForgeState::Uninstalled) {
                    // Mailboxes stop; the route stays, refusing mail with the reason.
                    entry.stop.cancel();
                    entry.stop = shutdown.child_token();
                    entry.routed = false;
                    self.routes.set_uninstalled(&record.id, true);
                    tracing::warn!(tenant = %record.id, "the site uninstalled the app: its mail is refused and its mailboxes are not polled");
                } else if was_uninstalled {
                    self.routes.remove(&record.id);
                }
            }
            if let Some(installation) = installation {
                let valid = self
                    .forge
                    .of(&record.id)
                    .usable(crate::app::now_ms())
                    .is_some();
                let label = self.labels.of(&record.id);
                metrics::gauge!("postroom_forge_system_token_valid", "tenant" => label.clone())
                    .set(if valid { 1.0 } else { 0.0 });
                metrics::gauge!("postroom_forge_licence_active", "tenant" => label).set(
                    if installation.licence_active == Some(false) {
                        0.0
                    } else {
                        1.0
                    },
                );
            }
            if !entry.routed && entry.forge != Some(ForgeState::Uninstalled) {
                entry.routed = self.route(&record.id, &entry.stop).await;
            }
        }
    }

    /// The site as the instances on this database share it: its pauses, in the store.
    fn fleet(&self, id: &TenantId) -> postroom_jira::Fleet {
        postroom_jira::Fleet {
            ledger: Arc::new(self.store.clone()),
            site: id.as_str().to_owned(),
        }
    }

    /// (Re)builds the tenant's Jira client from its site, or drops it when it has none.
    async fn connect(&self, id: &TenantId) {
        let label = self.labels.of(id);
        let settings = match self.store.tenant(id).await {
            Ok(tenant) => crate::sites::jira_settings(&self.config, &self.keyring, &tenant).await,
            Err(e) => Err(e.into()),
        };
        let client = settings.and_then(|s| {
            s.map(|site| trackers::client_config(&site, &label))
                .transpose()
        });
        match client {
            Ok(Some(mut client)) => {
                client.fleet = Some(self.fleet(id));
                self.trackers.insert(id.clone(), client);
                metrics::gauge!("postroom_jira_configured", "tenant" => label).set(1.0);
                tracing::info!(tenant = %id, "the tenant's Jira site is served");
            }
            Ok(None) => {
                self.trackers.remove(id);
                metrics::gauge!("postroom_jira_configured", "tenant" => label).set(0.0);
                tracing::warn!(tenant = %id, "{}", no_site(id));
            }
            Err(e) => {
                self.trackers.remove(id);
                metrics::gauge!("postroom_jira_configured", "tenant" => label).set(0.0);
                tracing::warn!(
                    tenant = %id,
                    error = %format!("{e:#}"),
                    "the tenant's Jira site cannot be used: its mail is held"
                );
            }
        }
    }

    /// (Re)builds the Jira client of a site that installed the Forge app: its calls go to
    /// the site's API base URL with the app system token Forge last handed over, and wait
    /// while none is valid. An uninstalled or unlicensed site gets none: its mail is held.
    async fn connect_forge(&self, installation: &ForgeInstallation) {
        let id = &installation.tenant;
        let label = self.labels.of(id);
        let state = ForgeState::of(installation);
        if state != ForgeState::Active {
            self.trackers.remove(id);
            metrics::gauge!("postroom_jira_configured", "tenant" => label).set(0.0);
            tracing::warn!(tenant = %id, ?state, "the site's app is not active: its work waits");
            return;
        }
        let token = self.forge.of(id);
        if token.expires_at_ms().is_none() {
            let loaded = match self.store.tenant(id).await {
                Ok(tenant) => self.forge.load(&tenant, &self.keyring).await,
                Err(e) => Err(e.into()),
            };
            if let Err(e) = loaded {
                tracing::warn!(tenant = %id, error = %format!("{e:#}"), "cannot read the stored app system token: waiting for the next one");
            }
        }
        let auth = postroom_jira::Auth::Forge(token);
        match trackers::forge_client_config(
            &self.config.jira,
            &installation.site.api_base_url,
            auth,
            &label,
            &self.app_budget,
        ) {
            Ok(mut client) => {
                client.fleet = Some(self.fleet(id));
                self.trackers.insert(id.clone(), client);
                metrics::gauge!("postroom_jira_configured", "tenant" => label).set(1.0);
                tracing::info!(tenant = %id, "the site's Jira is served through the Forge app");
            }
            Err(e) => {
                self.trackers.remove(id);
                tracing::warn!(tenant = %id, error = %format!("{e:#}"), "the site's Jira cannot be used: its mail is held");
            }
        }
    }

    /// Starts the tenant's mail route and mailboxes once it has a profile; false while it
    /// has none (tried again at the next step).
    async fn route(&self, id: &TenantId, stop: &CancellationToken) -> bool {
        let tenant = match self.store.tenant(id).await {
            Ok(tenant) => tenant,
            Err(e) => {
                tracing::warn!(tenant = %id, error = %e, "cannot open the tenant");
                return false;
            }
        };
        let stored = match tenant.profile().await {
            Ok(Some(stored)) => stored,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(tenant = %id, error = %e, "cannot read the tenant's profile");
                return false;
            }
        };
        let profile = match profiles::read(&stored.document, "stored in the database") {
            Ok(profile) => profile,
            Err(e) => {
                tracing::warn!(tenant = %id, error = %format!("{e:#}"), "the tenant's profile is not valid: its mail is not taken");
                return false;
            }
        };
        let shared = SharedProfile::new(profile, stored.version);
        let follow = shared
            .clone()
            .follow(tenant.clone(), Duration::from_secs(5));
        let until = stop.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = until.cancelled() => {}
                () = follow => {}
            }
        });
        let default = *id == TenantId::default_tenant();
        for settings in profiles::mailboxes::of_profile(&self.config, &shared.get(), default) {
            let poller = Poller::new(
                settings.clone(),
                MailboxSink::new(self.intake.clone(), tenant.clone()).store_raw(settings.store_raw),
                Mailboxes::new(tenant.clone()),
                self.holder.clone(),
            );
            tracing::info!(tenant = %id, mailbox = %settings.name, "IMAP poller started");
            tokio::spawn(poller.run(stop.clone()));
        }
        self.routes.set(MailRoute {
            tenant,
            profile: shared,
            uninstalled: false,
        });
        tracing::info!(tenant = %id, "the tenant's own addresses are served");
        true
    }
}
