use std::sync::Arc;

use reqwest::Method;

use super::*;

fn politeness(start: f64, concurrency: usize) -> Politeness {
    Politeness {
        start_rate: start,
        max_concurrency: concurrency,
        ..Politeness::default()
    }
}

fn scope(method: Method, path: &str) -> CallScope {
    CallScope::of(&method, path)
}

fn create() -> CallScope {
    scope(Method::POST, "/rest/api/3/issue")
}

async fn waited(limiter: &Limiter, scope: &CallScope) -> Duration {
    let start = Instant::now();
    drop(limiter.acquire(scope, Priority::Live).await);
    start.elapsed()
}

#[tokio::test(start_paused = true)]
async fn the_bucket_spaces_requests_after_the_burst() {
    let limiter = Limiter::new(&politeness(2.0, 8), None, None, "t");
    let start = Instant::now();
    for _ in 0..4 {
        drop(limiter.acquire(&create(), Priority::Live).await);
    }
    // 2 at once (one second's worth), then 2 more at 2/s.
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(990) && elapsed <= Duration::from_millis(1100),
        "{elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_site_pause_holds_every_request_and_a_shorter_one_does_not_shorten_it() {
    let limiter = Limiter::new(&politeness(100.0, 8), None, None, "t");
    let permit = limiter.acquire(&create(), Priority::Live).await;
    permit.throttled(Duration::from_secs(3), ThrottleScope::Site);
    drop(permit);
    assert!(
        waited(&limiter, &scope(Method::GET, "/rest/api/3/myself")).await >= Duration::from_secs(3)
    );
    let permit = limiter.acquire(&create(), Priority::Live).await;
    limiter.pause_site(Duration::from_secs(2));
    permit.throttled(Duration::from_millis(10), ThrottleScope::Site);
    drop(permit);
    assert!(waited(&limiter, &create()).await >= Duration::from_millis(1990));
    assert_eq!(limiter.report().throttled, 2);
}

#[tokio::test(start_paused = true)]
async fn a_burst_limit_pauses_only_its_endpoint_and_method() {
    let limiter = Limiter::new(&politeness(100.0, 8), None, None, "t");
    let comment = scope(Method::POST, "/rest/api/3/issue/SUP-1/comment");
    let permit = limiter.acquire(&comment, Priority::Live).await;
    permit.throttled(Duration::from_secs(5), ThrottleScope::Endpoint);
    drop(permit);
    assert!(waited(&limiter, &create()).await < Duration::from_millis(50));
    assert!(
        waited(
            &limiter,
            &scope(Method::GET, "/rest/api/3/issue/SUP-1/comment")
        )
        .await
            < Duration::from_millis(50),
        "another method is another endpoint"
    );
    let other_issue = scope(Method::POST, "/rest/api/3/issue/SUP-2/comment");
    assert!(waited(&limiter, &other_issue).await >= Duration::from_secs(4));
    let report = limiter.report();
    assert_eq!(report.limit_seen, Some(100.0));
    assert!(report.paused.is_empty(), "the pause is over: {report:?}");
    let permit = limiter.acquire(&comment, Priority::Live).await;
    permit.throttled(Duration::from_secs(5), ThrottleScope::Endpoint);
    drop(permit);
    let paused = limiter.report().paused;
    assert_eq!(paused.len(), 1, "{paused:?}");
    assert_eq!(paused[0].0, "endpoint POST /rest/api/3/issue/{}/comment");
    assert!(paused[0].1 > 4.9 && paused[0].1 <= 5.0, "{paused:?}");
}

#[tokio::test(start_paused = true)]
async fn a_per_issue_limit_pauses_only_writes_to_that_issue() {
    let limiter = Limiter::new(&politeness(100.0, 8), None, None, "t");
    let sup1 = scope(Method::POST, "/rest/api/3/issue/SUP-1/comment");
    let permit = limiter.acquire(&sup1, Priority::Live).await;
    permit.throttled(Duration::from_secs(5), ThrottleScope::Issue);
    drop(permit);
    assert!(
        waited(
            &limiter,
            &scope(Method::POST, "/rest/api/3/issue/SUP-2/comment")
        )
        .await
            < Duration::from_millis(50)
    );
    assert!(
        waited(&limiter, &scope(Method::GET, "/rest/api/3/issue/SUP-1")).await
            < Duration::from_millis(50),
        "reads of the issue go on"
    );
    assert!(
        waited(&limiter, &scope(Method::PUT, "/rest/api/3/issue/SUP-1")).await
            >= Duration::from_secs(4)
    );
    assert_eq!(
        limiter.report().limit_seen,
        None,
        "the endpoint's rate is untouched"
    );
}

#[tokio::test(start_paused = true)]
async fn the_apps_quota_pauses_every_site_that_shares_it() {
    let app = Arc::new(AppBudget::new(100_000));
    let a = Limiter::new(&politeness(100.0, 8), Some(app.clone()), None, "a");
    let b = Limiter::new(&politeness(100.0, 8), Some(app.clone()), None, "b");
    let alone = Limiter::new(&politeness(100.0, 8), None, None, "c");
    let permit = a.acquire(&create(), Priority::Live).await;
    permit.throttled(Duration::from_secs(7), ThrottleScope::App);
    drop(permit);
    assert!(waited(&alone, &create()).await < Duration::from_millis(50));
    assert!(waited(&b, &create()).await >= Duration::from_secs(7));
    assert_eq!(app.spent(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_ceiling_caps_the_site_and_concurrency_is_bounded() {
    let p = Politeness {
        start_rate: 1000.0,
        requests_per_sec: Some(5.0),
        max_concurrency: 2,
        ..Politeness::default()
    };
    let limiter = Limiter::new(&p, None, None, "t");
    let start = Instant::now();
    for n in 0..15 {
        let path = format!("/rest/api/3/issue/SUP-{n}");
        drop(
            limiter
                .acquire(&scope(Method::GET, &path), Priority::Live)
                .await,
        );
    }
    // 5 at once, then 10 at 5/s, all endpoints together.
    assert!(
        start.elapsed() >= Duration::from_millis(1990),
        "{:?}",
        start.elapsed()
    );
    let a = limiter.acquire(&create(), Priority::Live).await;
    let b = limiter.acquire(&create(), Priority::Live).await;
    let third = tokio::time::timeout(
        Duration::from_secs(5),
        limiter.acquire(&create(), Priority::Live),
    )
    .await;
    assert!(third.is_err(), "a third request must wait for a slot");
    drop(a);
    drop(b);
}

#[tokio::test(start_paused = true)]
async fn an_interactive_request_goes_before_bulk_requests_that_waited_longer() {
    let limiter = Arc::new(Limiter::new(&politeness(1000.0, 1), None, None, "t"));
    let held = limiter.acquire(&create(), Priority::Live).await;
    let order = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (n, priority) in [
        (0, Priority::Bulk),
        (1, Priority::Bulk),
        (2, Priority::Interactive),
        (3, Priority::Live),
    ] {
        let limiter = limiter.clone();
        let order = order.clone();
        tasks.push(tokio::spawn(async move {
            let permit = limiter.acquire(&create(), priority).await;
            order.lock().unwrap().push(n);
            tokio::time::sleep(Duration::from_millis(10)).await;
            drop(permit);
        }));
        // Each is queued before the next arrives.
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    drop(held);
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), vec![2, 3, 0, 1]);
}

#[tokio::test(start_paused = true)]
async fn a_waiter_that_gives_up_leaves_the_queue() {
    let limiter = Limiter::new(&politeness(1000.0, 1), None, None, "t");
    let held = limiter.acquire(&create(), Priority::Live).await;
    let gave_up = tokio::time::timeout(
        Duration::from_millis(50),
        limiter.acquire(&create(), Priority::Interactive),
    )
    .await;
    assert!(gave_up.is_err());
    assert!(limiter.lock().waiting.is_empty());
    drop(held);
    assert!(waited(&limiter, &create()).await < Duration::from_millis(50));
}

#[tokio::test(start_paused = true)]
async fn concurrency_grows_while_requests_queue_for_a_slot() {
    let limiter = Arc::new(Limiter::new(&politeness(10_000.0, 16), None, None, "t"));
    assert_eq!(limiter.report().concurrency, START_CONCURRENCY);
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let limiter = limiter.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..40 {
                let permit = limiter.acquire(&create(), Priority::Live).await;
                tokio::time::sleep(Duration::from_millis(20)).await;
                permit.succeeded(false);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = limiter.report();
    assert_eq!(report.concurrency, 16, "{report:?}");
    assert!(report.requests_per_sec > 100.0, "{report:?}");
}

/// Instances sharing one database (real SQLite, and PostgreSQL when the run has it) through
/// the store as their ledger.
mod fleet {
    use postroom_core::ports::budget_ledger::BudgetLedger;
    use postroom_store::testing;

    use super::*;

    /// Takes every request `budgets` allow until `total` went or `limit` passed, then
    /// another second to see that no more go; returns how many went.
    async fn spend(budgets: &[&AppBudget], total: u64, limit: Duration) -> u64 {
        let start = Instant::now();
        let mut spent = 0;
        let mut done_at = None;
        while done_at.is_none_or(|at: Instant| at.elapsed() < Duration::from_secs(1)) {
            for budget in budgets {
                let now = Instant::now();
                if budget.ready_in(now).is_zero() {
                    budget.take(now);
                    spent += 1;
                }
            }
            if done_at.is_none() && (spent >= total || start.elapsed() > limit) {
                done_at = Some(Instant::now());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        spent
    }

    async fn until(what: &str, mut done: impl FnMut() -> bool) {
        let start = Instant::now();
        while !done() {
            assert!(start.elapsed() < Duration::from_secs(10), "{what}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn two_instances_spend_one_app_budget_between_them() {
        for t in testing::all_backends().await.unwrap() {
            let ledger: Arc<dyn BudgetLedger> = Arc::new(t.store.clone());
            let a = AppBudget::shared(20, Arc::clone(&ledger));
            let b = AppBudget::shared(20, Arc::clone(&ledger));
            // The hour's 20 between them, not 20 each (the bucket refills 0.006 a second).
            assert_eq!(spend(&[&a, &b], 20, Duration::from_secs(10)).await, 20);
            assert!(a.spent() > 0 && b.spent() > 0, "both drew");
            // Each alone would spend its own.
            let (c, d) = (AppBudget::new(20), AppBudget::new(20));
            assert_eq!(spend(&[&c, &d], 40, Duration::from_secs(1)).await, 40);
        }
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn a_pause_one_instance_is_told_of_holds_the_others_back() {
        for t in testing::all_backends().await.unwrap() {
            let ledger: Arc<dyn BudgetLedger> = Arc::new(t.store.clone());

            // The app's quota.
            let a = AppBudget::shared(3_600, Arc::clone(&ledger));
            let b = AppBudget::shared(3_600, Arc::clone(&ledger));
            until("b leases", || b.ready_in(Instant::now()).is_zero()).await;
            a.pause(Duration::from_secs(30));
            until("b takes on a's pause", || {
                b.ready_in(Instant::now()) > Duration::from_secs(25)
            })
            .await;

            // A site's quota.
            let fleet = Fleet {
                ledger: Arc::clone(&ledger),
                site: "acme".to_owned(),
            };
            let one = Limiter::new(&politeness(100.0, 8), None, Some(fleet.clone()), "one");
            let other = Limiter::new(&politeness(100.0, 8), None, Some(fleet), "other");
            drop(other.acquire(&create(), Priority::Live).await);
            one.pause_site(Duration::from_secs(30));
            let start = Instant::now();
            loop {
                let paused = ledger
                    .paused_until("site:acme", super::super::budget::epoch_ms())
                    .await
                    .unwrap();
                if paused.is_some() {
                    break;
                }
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "the pause is shared"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            // Past the other instance's next look at the ledger, its requests wait.
            tokio::time::sleep(FLEET_SYNC + Duration::from_millis(100)).await;
            let held = tokio::time::timeout(
                Duration::from_secs(2),
                other.acquire(&create(), Priority::Live),
            )
            .await;
            assert!(
                held.is_err(),
                "the other instance sent during the site's pause"
            );
            assert!(
                other
                    .report()
                    .paused
                    .iter()
                    .any(|(scope, _)| scope == "site"),
                "{:?}",
                other.report().paused
            );
        }
    }
}
