//! Rate limits and lost answers, over real HTTP against the sandbox's fault injection.

#![allow(clippy::unwrap_used, clippy::expect_used)] // shared scenarios are async fns, not #[test] fns

mod common;

use std::collections::HashSet;
use std::time::Duration;

use futures::future::join_all;
use jira_sandbox::FaultConfig;
use postroom_core::adf;
use postroom_core::ports::tracker::{
    Dialect, IdempotencyKey, IssueTypeRef, NewIssue, Tracker, TrackerError,
};
use postroom_jira::{JiraClient, JiraConfig, Politeness};
use serde_json::Map;

fn issue(n: usize, may_exist: bool) -> NewIssue {
    NewIssue {
        project: "SUP".into(),
        issue_type: IssueTypeRef::Id("10001".into()),
        summary: format!("Mail {n}"),
        description: Some(adf::from_text(&format!("Body of mail {n}"))),
        reporter: None,
        fields: Map::new(),
        properties: Vec::new(),
        idempotency_key: IdempotencyKey::parse(&format!("<{n}@mail.test>")).unwrap(),
        may_exist,
        unknown_since_ms: None,
    }
}

async fn storm(dialect: Dialect) {
    let site = common::start("").await;
    site.handle.set_faults(FaultConfig {
        rate_limit_per_sec: Some(2.0),
        ..FaultConfig::default()
    });
    // The client starts at 20/s: the sandbox's 429s must teach it otherwise.
    let politeness = Politeness {
        start_rate: 20.0,
        max_concurrency: 8,
        ..common::fast()
    };
    let jira = common::client(&site, dialect, common::api_token(), politeness).await;
    let results = join_all((0..50).map(|n| {
        let jira = jira.clone();
        async move { jira.create_issue(&issue(n, false)).await }
    }))
    .await;
    let keys: HashSet<String> = results.into_iter().map(|r| r.unwrap().issue.key).collect();
    assert_eq!(keys.len(), 50);
    let stats = site.handle.stats();
    assert_eq!(stats.effect("issue_created"), 50, "no duplicate creates");
    let log = site.handle.requests();
    assert!(
        log.iter().any(|r| r.status == 429),
        "the storm must have been throttled"
    );
    assert_eq!(
        common::early(&log),
        Vec::<String>::new(),
        "requests came before their Retry-After"
    );
    let pace = jira.pace();
    let create = pace
        .endpoints
        .iter()
        .find(|e| e.endpoint.starts_with("POST /rest/api/") && e.endpoint.ends_with("/issue"))
        .unwrap_or_else(|| panic!("{pace:?}"));
    assert!(create.limit_seen.is_some(), "{pace:?}");
    assert!(
        create.rate < 20.0,
        "the adaptive rate must have come down: {pace:?}"
    );
    assert!(pace.throttled > 0);
    assert!(jira.rate_limit_headers_seen().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storm_of_429s_finishes_all_work_without_early_retries_cloud() {
    storm(Dialect::CloudV3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn storm_of_429s_finishes_all_work_without_early_retries_data_center() {
    storm(Dialect::DataCenterV2).await;
}

async fn lost_answers(dialect: Dialect, count: usize) {
    let site = common::start("").await;
    site.handle.set_faults(FaultConfig {
        drop_after_commit_rate: 0.2,
        index_lag_ms: 1_000,
        ..FaultConfig::default()
    });
    let jira = common::client(&site, dialect, common::api_token(), common::fast()).await;
    let results = join_all((0..count).map(|n| {
        let jira = jira.clone();
        async move { (n, jira.create_issue(&issue(n, false)).await) }
    }))
    .await;
    let mut keys = HashSet::new();
    let mut recovered = 0;
    for (n, result) in results {
        let created = result.unwrap_or_else(|e| panic!("create {n}: {e}"));
        recovered += usize::from(created.recovered);
        keys.insert(created.issue.key.clone());
    }
    let stats = site.handle.stats();
    assert!(
        stats.effect("response_dropped") > 0,
        "the fault must have fired"
    );
    assert!(recovered > 0, "some creates must have been recovered");
    assert_eq!(keys.len(), count);
    assert_eq!(
        stats.effect("issue_created"),
        count as u64,
        "exactly one issue per idempotency key"
    );

    // A retried job (after a crash) finds the issue instead of creating a second.
    site.handle.set_faults(FaultConfig::default());
    let again = jira.create_issue(&issue(0, true)).await.unwrap();
    assert!(again.recovered);
    assert_eq!(site.handle.stats().effect("issue_created"), count as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_creates_with_lost_answers_and_index_lag_make_two_hundred_issues_cloud() {
    lost_answers(Dialect::CloudV3, 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_creates_with_lost_answers_and_index_lag_make_two_hundred_issues_data_center() {
    lost_answers(Dialect::DataCenterV2, 200).await;
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_and_an_outage_is_transient() {
    let site = common::start("").await;
    let jira = common::client(&site, Dialect::CloudV3, common::api_token(), common::fast()).await;
    let created = jira.create_issue(&issue(1, false)).await.unwrap();
    site.handle.set_faults(FaultConfig {
        error_500_rate: 0.3,
        ..FaultConfig::default()
    });
    for _ in 0..20 {
        jira.get_issue(&created.issue.key, &["summary"])
            .await
            .unwrap();
    }
    assert!(
        site.handle.stats().effect("fault_500") > 0,
        "the fault must have fired"
    );
    let impatient = Politeness {
        max_attempts: 3,
        ..common::fast()
    };
    let jira = common::client(&site, Dialect::CloudV3, common::api_token(), impatient).await;
    site.handle.set_faults(FaultConfig {
        outage_ms: 60_000,
        ..FaultConfig::default()
    });
    let err = jira
        .get_issue(&created.issue.key, &["summary"])
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
}

/// A client whose lost creates are looked for `allowance`, and not made anew for `max`.
async fn patient_client(site: &common::Site, allowance_ms: u64, max: Duration) -> JiraClient {
    let mut config = JiraConfig::new(site.base_url.clone(), common::api_token());
    config.dialect = Some(Dialect::CloudV3);
    config.politeness = common::fast();
    config.index_lag_allowance = Duration::from_millis(allowance_ms);
    config.unknown_outcome_max = max;
    JiraClient::connect(config).await.unwrap()
}

fn retried(n: usize, since_ms: i64) -> NewIssue {
    NewIssue {
        unknown_since_ms: Some(since_ms),
        ..issue(n, true)
    }
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Search lags 6 s, the allowance is 0.5 s: a lost answer is not followed by a second
/// create, in the call or in its retries, until the issue shows in search. (The lag is
/// long so that a busy machine does not reach it before the retry.)
#[tokio::test]
async fn a_lost_create_is_not_made_again_while_search_lags_beyond_the_allowance() {
    let site = common::start("").await;
    site.handle.set_faults(FaultConfig {
        drop_after_commit_rate: 1.0,
        index_lag_ms: 6_000,
        ..FaultConfig::default()
    });
    let jira = patient_client(&site, 500, Duration::from_secs(60)).await;
    let first = now_ms();
    let lost = jira.create_issue(&issue(1, false)).await.unwrap_err();
    assert!(
        matches!(
            lost,
            TrackerError::Transient {
                outcome_unknown: true,
                ..
            }
        ),
        "{lost}"
    );
    site.handle.set_faults(FaultConfig {
        index_lag_ms: 6_000,
        ..FaultConfig::default()
    });
    let again = jira.create_issue(&retried(1, first)).await.unwrap_err();
    assert!(again.to_string().contains("not known yet"), "{again}");
    assert_eq!(site.handle.stats().effect("issue_created"), 1);
    tokio::time::sleep(Duration::from_millis(6_000)).await;
    let found = jira.create_issue(&retried(1, first)).await.unwrap();
    assert!(found.recovered);
    assert_eq!(
        site.handle.stats().effect("issue_created"),
        1,
        "no duplicate"
    );
    assert_eq!(jira.duplicates_seen(), 0);
}

/// With no patience at all a lost create is made anew while search still lags: the client
/// looks again afterwards on its own, finds both issues once search catches up, and counts
/// the duplicate; a later lookup keeps the older issue as the mail's.
#[tokio::test]
async fn a_duplicate_that_still_happens_is_found_afterwards_and_counted() {
    let site = common::start("").await;
    site.handle.set_faults(FaultConfig {
        drop_after_commit_rate: 1.0,
        index_lag_ms: 3_000,
        ..FaultConfig::default()
    });
    let jira = patient_client(&site, 100, Duration::ZERO).await;
    let first = now_ms();
    assert!(jira.create_issue(&issue(2, false)).await.is_err());
    site.handle.set_faults(FaultConfig {
        index_lag_ms: 3_000,
        ..FaultConfig::default()
    });
    let second = jira.create_issue(&retried(2, first)).await.unwrap();
    assert!(!second.recovered, "made anew after the (zero) limit");
    assert_eq!(site.handle.stats().effect("issue_created"), 2);
    assert_eq!(
        jira.duplicates_seen(),
        0,
        "search does not show the first yet"
    );
    let start = std::time::Instant::now();
    while jira.duplicates_seen() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the duplicate was never found"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(jira.duplicates_seen(), 1);
    let kept = jira.create_issue(&retried(2, first)).await.unwrap();
    assert!(kept.recovered);
    assert_ne!(
        kept.issue.key, second.issue.key,
        "the older issue is the mail's"
    );
    assert_eq!(site.handle.stats().effect("issue_created"), 2);
}
