//! Per-site politeness: what a request waits for before it goes to Jira.
//!
//! A request waits until, all at once:
//! - no pause covers it: Jira's `Retry-After` (or quota reset) pauses the scope its
//!   `RateLimit-Reason` names — the endpoint and method for a burst limit, the issue for a
//!   per-issue write limit, the whole site for its quota or when no reason is given, every
//!   Forge site for the app's quota ([`budget`]);
//! - its endpoint's adaptive bucket has a token ([`rate`]), the optional site ceiling
//!   (`jira.requests_per_sec`) too, and the app's hourly budget when the site has one;
//! - fewer requests are in flight than the adaptive concurrency limit, which grows while
//!   requests queue for a slot and latency is steady, and shrinks when latency rises or the
//!   site's quota is hit (never above `max_concurrency`);
//! - no request of a higher [`Priority`] (or an earlier one of the same) that could go now
//!   is waiting: an agent's request is served before live mail's, live mail's before a bulk
//!   import's.
//!
//! The state is one mutex per site; waiters are woken when a slot frees or a waiter ahead
//! goes, and otherwise sleep until the moment their scope allows them.
//!
//! In a fleet (instances sharing one database) a pause of the whole site is also written to
//! the ledger, and a site in use reads the ledger's pause at most once a second, so that
//! an instance holds back when another was told the site's quota is spent.

mod budget;
mod rate;
mod scope;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

pub use budget::AppBudget;
pub use postroom_core::ports::tracker::Priority;
pub(crate) use scope::CallScope;

use crate::config::{Fleet, Politeness};
use rate::AdaptiveRate;

/// The longest a waiter sleeps without looking again: a bound on the delay when a waiter
/// ahead of it became ready earlier than it had computed.
const RECHECK: Duration = Duration::from_millis(100);
/// Concurrency is adjusted at most this often.
const WINDOW: Duration = Duration::from_secs(1);
/// Concurrency a site starts with (or `max_concurrency` when lower).
const START_CONCURRENCY: usize = 4;
/// A site in use reads the fleet's pause at most this often.
const FLEET_SYNC: Duration = Duration::from_secs(1);

/// What a pause covers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pause {
    Site,
    Endpoint(String),
    Issue(String),
}

/// The pauses Jira asked for, by what they cover: looked up by the scope's own strings,
/// so that checking a waiter allocates nothing.
#[derive(Debug, Default)]
struct Pauses {
    site: Option<Instant>,
    endpoints: HashMap<String, Instant>,
    issues: HashMap<String, Instant>,
}

impl Pauses {
    /// How long until no pause covers `scope`.
    fn left(&self, scope: &CallScope, now: Instant) -> Duration {
        let left = |until: Option<&Instant>| {
            until.map_or(Duration::ZERO, |u| u.saturating_duration_since(now))
        };
        let issue = scope.issue_write.as_ref().and_then(|i| self.issues.get(i));
        left(self.site.as_ref())
            .max(left(self.endpoints.get(&scope.endpoint)))
            .max(left(issue))
    }

    /// Holds `pause` until `until` at least (a shorter wait never shortens a longer one);
    /// forgets the pauses that are over.
    fn extend(&mut self, pause: Pause, until: Instant, now: Instant) {
        self.endpoints.retain(|_, u| *u > now);
        self.issues.retain(|_, u| *u > now);
        let slot = match pause {
            Pause::Site => self.site.get_or_insert(until),
            Pause::Endpoint(e) => self.endpoints.entry(e).or_insert(until),
            Pause::Issue(i) => self.issues.entry(i).or_insert(until),
        };
        if *slot < until {
            *slot = until;
        }
    }

    /// The pauses not over yet, named, with the seconds left.
    fn active(&self, now: Instant) -> Vec<(String, f64)> {
        let site = self.site.iter().map(|u| ("site".to_owned(), *u));
        let endpoints = self
            .endpoints
            .iter()
            .map(|(e, u)| (format!("endpoint {e}"), *u));
        let issues = self.issues.iter().map(|(i, u)| (format!("issue {i}"), *u));
        let mut active: Vec<(String, f64)> = site
            .chain(endpoints)
            .chain(issues)
            .filter(|(_, until)| *until > now)
            .map(|(name, until)| (name, (until - now).as_secs_f64()))
            .collect();
        active.sort_by(|a, b| a.0.cmp(&b.0));
        active
    }
}

/// The scope a 429 names, read from its `RateLimit-Reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ThrottleScope {
    /// `jira-burst-based`: this endpoint and method.
    Endpoint,
    /// `jira-per-issue-on-write`: writes to this issue.
    Issue,
    /// `jira-quota-tenant-based`, or no reason: the whole site.
    Site,
    /// `jira-quota-global-based`: the app's quota, every Forge site.
    App,
}

impl ThrottleScope {
    pub(crate) fn from_reason(reason: Option<&str>) -> Self {
        match reason.map(str::trim) {
            Some("jira-burst-based") => ThrottleScope::Endpoint,
            Some("jira-per-issue-on-write") => ThrottleScope::Issue,
            Some("jira-quota-global-based") => ThrottleScope::App,
            _ => ThrottleScope::Site,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            ThrottleScope::Endpoint => "endpoint",
            ThrottleScope::Issue => "issue",
            ThrottleScope::Site => "site",
            ThrottleScope::App => "app",
        }
    }
}

#[derive(Debug)]
struct Window {
    start: Instant,
    sent: u32,
    saturated: bool,
    congested: bool,
}

#[derive(Debug)]
struct State {
    endpoints: HashMap<String, AdaptiveRate>,
    pauses: Pauses,
    ceiling: Option<AdaptiveRate>,
    inflight: usize,
    concurrency: usize,
    waiting: BTreeMap<(Priority, u64), CallScope>,
    next_seq: u64,
    window: Window,
    measured: f64,
    throttled: u64,
    waited: Duration,
    /// When the fleet's pause was last read.
    synced: Option<Instant>,
}

/// One site's limiter; shared by all clones of its client (and its `acting_as` clients).
#[derive(Debug)]
pub(crate) struct Limiter {
    state: Mutex<State>,
    wake: Notify,
    start_rate: f64,
    ceiling: Option<f64>,
    burst_secs: f64,
    max_concurrency: usize,
    app: Option<std::sync::Arc<AppBudget>>,
    fleet: Option<Fleet>,
    tenant: String,
}

/// A site's pace now, for the console overview and `postroom jira check`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PaceReport {
    /// Requests sent per second, over the last second measured.
    pub requests_per_sec: f64,
    /// The lowest rate at which an endpoint was last answered 429, if any was.
    pub limit_seen: Option<f64>,
    /// Requests allowed in flight at once now, and the configured bound.
    pub concurrency: usize,
    pub max_concurrency: usize,
    /// 429s that lowered a rate or paused a scope, since the start.
    pub throttled: u64,
    /// Seconds requests spent waiting for the limiter, summed, since the start.
    pub waited_secs: f64,
    /// Scopes paused now, with the seconds left.
    pub paused: Vec<(String, f64)>,
    /// Each endpoint used so far: its allowed rate, the limit seen, its smoothed latency.
    pub endpoints: Vec<EndpointPace>,
}

/// One endpoint's pace.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EndpointPace {
    pub endpoint: String,
    pub rate: f64,
    pub limit_seen: Option<f64>,
    pub latency_ms: Option<f64>,
}

enum Decision {
    Go,
    Sleep(Duration),
}

impl Limiter {
    pub(crate) fn new(
        p: &Politeness,
        app: Option<std::sync::Arc<AppBudget>>,
        fleet: Option<Fleet>,
        tenant: &str,
    ) -> Self {
        let max_concurrency = p.max_concurrency.max(1);
        let ceiling = p.requests_per_sec.filter(|r| r.is_finite() && *r > 0.0);
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                endpoints: HashMap::new(),
                pauses: Pauses::default(),
                ceiling: ceiling.map(|c| AdaptiveRate::new(c, Some(c), p.burst_secs, now)),
                inflight: 0,
                concurrency: START_CONCURRENCY.min(max_concurrency),
                waiting: BTreeMap::new(),
                next_seq: 0,
                window: Window {
                    start: now,
                    sent: 0,
                    saturated: false,
                    congested: false,
                },
                measured: 0.0,
                throttled: 0,
                waited: Duration::ZERO,
                synced: None,
            }),
            wake: Notify::new(),
            start_rate: p.start_rate,
            ceiling,
            burst_secs: p.burst_secs,
            max_concurrency,
            app,
            fleet,
            tenant: tenant.to_owned(),
        }
    }

    /// The site's name in the fleet's ledger.
    fn ledger_name(fleet: &Fleet) -> String {
        format!("site:{}", fleet.site)
    }

    /// Takes on the site pause another instance of the fleet wrote, at most once a second;
    /// the request that finds it due reads it, the others go on.
    async fn sync_fleet(&self) {
        let Some(fleet) = &self.fleet else { return };
        {
            let now = Instant::now();
            let mut s = self.lock();
            if s.synced
                .is_some_and(|at| now.saturating_duration_since(at) < FLEET_SYNC)
            {
                return;
            }
            s.synced = Some(now);
        }
        let name = Self::ledger_name(fleet);
        match fleet.ledger.paused_until(&name, budget::epoch_ms()).await {
            Ok(Some(until)) => {
                let now = Instant::now();
                self.lock()
                    .pauses
                    .extend(Pause::Site, budget::instant_of(until), now);
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(tenant = %self.tenant, error = %e, "the fleet's pause of the site was not read");
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until a request in `scope` may go, as the module docs describe. The returned
    /// permit holds a slot until it is dropped (after the answer is read) and takes what the
    /// answer said.
    pub(crate) async fn acquire(&self, scope: &CallScope, priority: Priority) -> Permit<'_> {
        let started = Instant::now();
        self.sync_fleet().await;
        let key = {
            let mut s = self.lock();
            let key = (priority, s.next_seq);
            s.next_seq += 1;
            s.waiting.insert(key, scope.clone());
            key
        };
        let mut waiter = Waiter {
            limiter: self,
            key,
            done: false,
        };
        loop {
            let woken = self.wake.notified();
            tokio::pin!(woken);
            woken.as_mut().enable();
            match self.decide(key, scope) {
                Decision::Go => {
                    waiter.done = true;
                    let now = Instant::now();
                    let waited = now.saturating_duration_since(started);
                    self.lock().waited += waited;
                    metrics::histogram!("postroom_jira_wait_seconds", "tenant" => self.tenant.clone(), "priority" => priority.as_str())
                        .record(waited.as_secs_f64());
                    self.wake.notify_waiters();
                    return Permit {
                        limiter: self,
                        endpoint: scope.endpoint.clone(),
                        issue: scope.issue_write.clone(),
                        sent_at: now,
                    };
                }
                Decision::Sleep(wait) => {
                    tokio::select! {
                        () = &mut woken => {}
                        () = tokio::time::sleep(wait) => {}
                    }
                }
            }
        }
    }

    /// Whether the waiter `key` may go now, and if not how long it may sleep at most.
    fn decide(&self, key: (Priority, u64), scope: &CallScope) -> Decision {
        let now = Instant::now();
        let mut guard = self.lock();
        let State {
            endpoints,
            pauses,
            ceiling,
            inflight,
            concurrency,
            waiting,
            window,
            ..
        } = &mut *guard;
        let mut ready_in = |scope: &CallScope| {
            let bucket = endpoints
                .entry(scope.endpoint.clone())
                .or_insert_with(|| self.fresh(now));
            let mut wait = pauses.left(scope, now).max(bucket.ready_in(now));
            if let Some(ceiling) = ceiling.as_mut() {
                wait = wait.max(ceiling.ready_in(now));
            }
            if let Some(app) = &self.app {
                wait = wait.max(app.ready_in(now));
            }
            wait
        };
        let mine = ready_in(scope);
        if !mine.is_zero() {
            return Decision::Sleep(mine);
        }
        if *inflight >= *concurrency {
            window.saturated = true;
            return Decision::Sleep(RECHECK);
        }
        if waiting
            .range(..key)
            .any(|(_, other)| ready_in(other).is_zero())
        {
            return Decision::Sleep(RECHECK);
        }
        waiting.remove(&key);
        if let Some(bucket) = endpoints.get_mut(&scope.endpoint) {
            bucket.take(now);
        }
        if let Some(ceiling) = ceiling {
            ceiling.take(now);
        }
        if let Some(app) = &self.app {
            app.take(now);
        }
        *inflight += 1;
        window.sent = window.sent.saturating_add(1);
        Decision::Go
    }

    fn fresh(&self, now: Instant) -> AdaptiveRate {
        AdaptiveRate::new(self.start_rate, self.ceiling, self.burst_secs, now)
    }

    /// Holds `pause` for `wait`; a pause of the whole site is shared with the fleet.
    fn pause_for(&self, pause: Pause, wait: Duration) {
        let now = Instant::now();
        if let (Pause::Site, Some(fleet)) = (&pause, &self.fleet) {
            budget::record_pause(
                &fleet.ledger,
                &Self::ledger_name(fleet),
                Some(&fleet.site),
                wait,
            );
        }
        self.lock().pauses.extend(pause, now + wait, now);
    }

    /// Jira asked the whole site to wait without throttling (503 with `Retry-After`, quota
    /// spent): nothing goes out for `wait`.
    pub(crate) fn pause_site(&self, wait: Duration) {
        self.pause_for(Pause::Site, wait);
        self.wake.notify_waiters();
    }

    /// A site's pace now.
    pub(crate) fn report(&self) -> PaceReport {
        let now = Instant::now();
        let s = self.lock();
        let mut endpoints: Vec<EndpointPace> = s
            .endpoints
            .iter()
            .map(|(endpoint, rate)| EndpointPace {
                endpoint: endpoint.clone(),
                rate: rate.rate(),
                limit_seen: rate.limit_seen(),
                latency_ms: rate.latency().map(|l| l * 1000.0),
            })
            .collect();
        endpoints.sort_by(|a, b| a.endpoint.cmp(&b.endpoint));
        let paused = s.pauses.active(now);
        PaceReport {
            requests_per_sec: s.measured,
            limit_seen: endpoints
                .iter()
                .filter_map(|e| e.limit_seen)
                .min_by(f64::total_cmp),
            concurrency: s.concurrency,
            max_concurrency: self.max_concurrency,
            throttled: s.throttled,
            waited_secs: s.waited.as_secs_f64(),
            paused,
            endpoints,
        }
    }

    /// Closes the site's measuring window once a second: the measured rate, and the
    /// concurrency adjusted.
    fn close_window(&self, s: &mut State, now: Instant) {
        let elapsed = now.saturating_duration_since(s.window.start);
        if elapsed < WINDOW {
            return;
        }
        s.measured = f64::from(s.window.sent) / elapsed.as_secs_f64();
        if s.window.congested {
            s.concurrency = (s.concurrency * 3 / 4).max(1);
        } else if s.window.saturated {
            s.concurrency = (s.concurrency + s.concurrency.div_ceil(2)).min(self.max_concurrency);
        }
        s.window = Window {
            start: now,
            sent: 0,
            saturated: false,
            congested: false,
        };
        let tenant = self.tenant.clone();
        metrics::gauge!("postroom_jira_requests_per_sec", "tenant" => tenant.clone())
            .set(s.measured);
        if let Some(lowest) = s
            .endpoints
            .values()
            .map(AdaptiveRate::rate)
            .min_by(f64::total_cmp)
        {
            metrics::gauge!("postroom_jira_adaptive_rate", "tenant" => tenant.clone()).set(lowest);
        }
        metrics::gauge!("postroom_jira_concurrency", "tenant" => tenant)
            .set(f64::from(u32::try_from(s.concurrency).unwrap_or(u32::MAX)));
    }
}

/// Takes a waiter out of the queue if its `acquire` is dropped before it went.
struct Waiter<'a> {
    limiter: &'a Limiter,
    key: (Priority, u64),
    done: bool,
}

impl Drop for Waiter<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.limiter.lock().waiting.remove(&self.key);
            self.limiter.wake.notify_waiters();
        }
    }
}

/// One request on its way: a slot held, and where the answer is to be reported.
#[derive(Debug)]
pub(crate) struct Permit<'a> {
    limiter: &'a Limiter,
    endpoint: String,
    issue: Option<String>,
    sent_at: Instant,
}

impl Permit<'_> {
    /// The answer came, not a 429. `near_limit`: Jira says under 20 % of the quota is left.
    pub(crate) fn succeeded(&self, near_limit: bool) {
        let now = Instant::now();
        let l = self.limiter;
        let mut guard = l.lock();
        let s = &mut *guard;
        if let Some(bucket) = s.endpoints.get_mut(&self.endpoint) {
            bucket.succeeded(now.saturating_duration_since(self.sent_at), now);
            if near_limit {
                bucket.ease_off();
            }
            if bucket.congested() {
                s.window.congested = true;
            }
        }
        l.close_window(s, now);
    }

    /// Jira answered 429 naming `scope`, asking for `wait`.
    pub(crate) fn throttled(&self, wait: Duration, scope: ThrottleScope) {
        let now = Instant::now();
        let l = self.limiter;
        let pause = match scope {
            ThrottleScope::Endpoint => Some(Pause::Endpoint(self.endpoint.clone())),
            ThrottleScope::Issue => Some(
                self.issue
                    .clone()
                    .map_or(Pause::Endpoint(self.endpoint.clone()), Pause::Issue),
            ),
            ThrottleScope::Site => Some(Pause::Site),
            ThrottleScope::App => match &l.app {
                Some(app) => {
                    app.pause(wait);
                    None
                }
                None => Some(Pause::Site),
            },
        };
        if let Some(pause) = pause {
            l.pause_for(pause, wait);
        }
        let mut guard = l.lock();
        let s = &mut *guard;
        let new_event = match scope {
            // A per-issue limit says nothing about the endpoint's rate.
            ThrottleScope::Issue => true,
            _ => s
                .endpoints
                .get_mut(&self.endpoint)
                .is_none_or(|bucket| bucket.throttled(self.sent_at, now)),
        };
        if new_event {
            s.throttled += 1;
            if matches!(scope, ThrottleScope::Site | ThrottleScope::App) {
                s.concurrency = (s.concurrency * 3 / 4).max(1);
            }
            let rate = s
                .endpoints
                .get(&self.endpoint)
                .map_or(0.0, AdaptiveRate::rate);
            metrics::counter!("postroom_jira_throttled_total", "tenant" => l.tenant.clone(), "scope" => scope.as_str())
                .increment(1);
            tracing::warn!(
                tenant = %l.tenant,
                scope = scope.as_str(),
                endpoint = %self.endpoint,
                wait_ms = wait.as_millis(),
                rate,
                "Jira rate limit: pausing"
            );
        }
        drop(guard);
        l.wake.notify_waiters();
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        {
            let mut s = self.limiter.lock();
            s.inflight = s.inflight.saturating_sub(1);
        }
        self.limiter.wake.notify_waiters();
    }
}

#[cfg(test)]
mod tests;
