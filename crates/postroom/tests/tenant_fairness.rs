#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Two Jira sites on one postroom, each with its own sandbox: site A has 10,000 mails
//! queued and being carried out when site B's 10 mails come in; B's 10 issues exist
//! before A's sandbox has had 100 more issues created, and A keeps making progress. The
//! inbound worker, the queue and the Jira clients are the real ones, set up as `serve`
//! sets them up (4 workers, one job per take); only A's backlog is written straight to the
//! store, in one transaction, to be quick. An agent's action on B (a canned response
//! applied) meanwhile runs in the request on B's own Jira client, not through the queue,
//! and is done while A's backlog is still being carried out.

use std::time::{Duration, Instant};

use jira_sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use postroom::trackers::Trackers;
use postroom_core::canned::{Draft, Scope};
use postroom_core::profile::Profile;
use postroom_core::template::CalendarDate;
use postroom_engine::inbound::{DEFAULT_THREAD_WAIT, Inbound};
use postroom_engine::intake::{Identity, Intake, JOB_KIND, Origin, dedupe_hash};
use postroom_engine::responses::{ApplyRequest, Responses};
use postroom_engine::worker::{Registry, WorkerConfig, Workers};
use postroom_jira::{Auth, JiraConfig, Secret};
use postroom_store::blobs::{BlobConfig, BlobKind, BlobStore, TenantBlobs};
use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
use postroom_store::intake::{IntakeRecord, IntakeSource};
use postroom_store::templates::Templates;
use postroom_store::testing::{self, TestStore};
use postroom_store::{NewJob, TenantStore};

const BACKLOG: usize = 10_000;
const NEW_MAILS: usize = 10;

fn message(site: &str, n: usize) -> Vec<u8> {
    format!(
        "Message-ID: <{site}-{n}@customer.example>\r\nFrom: Customer <c{n}@customer.example>\r\n\
         To: support@{site}.example\r\nSubject: question {n}\r\n\r\nThe printer is out of paper.\r\n"
    )
    .into_bytes()
}

/// Tenant `name` on its own sandbox, with a profile that files every mail in `SUP`.
async fn site(t: &TestStore, trackers: &Trackers, name: &str) -> (TenantStore, RunningSandbox) {
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let tenant = t.tenant(name).await.unwrap();
    let profile = Profile::load(&format!(
        r#"{{"own": {{"addresses": ["support@{name}.example"]}},
            "default": {{"project": "SUP", "issue_type": "Task"}}}}"#
    ))
    .unwrap();
    let mut tx = tenant.begin().await.unwrap();
    tx.put_profile(&serde_json::to_string(&profile.profile).unwrap(), "cli", 1)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let admin = sandbox.admin();
    let jira = JiraConfig::new(
        sandbox.base_url.clone(),
        Auth::ApiToken {
            email: admin.email,
            token: Secret::new(admin.api_token),
        },
    );
    trackers.insert(tenant.id().clone(), jira);
    (tenant, sandbox)
}

/// Queues `count` mails for `tenant` in one transaction: blob, intake row and job, as the
/// intake writes them one by one.
async fn backlog(intake: &Intake, tenant: &TenantStore, count: usize) {
    let blobs = TenantBlobs::new(
        intake.blobs().clone(),
        intake.keyring().cipher(tenant).await.unwrap(),
    );
    let mut tx = tenant.begin().await.unwrap();
    for n in 0..count {
        let raw = message("a", n);
        let id = format!("{n:024x}");
        blobs.put(BlobKind::InboundMail, &id, &raw).await.unwrap();
        let hash = dedupe_hash(&raw);
        let record = IntakeRecord {
            id: id.clone(),
            mailbox: "smtp".to_owned(),
            source: IntakeSource::Listener,
            dedupe_hash: hash.clone(),
            message_id_sha256: Identity::of(&raw).message_id_hash,
            size: i64::try_from(raw.len()).unwrap(),
            status: "queued".to_owned(),
            reason: None,
            received_at_ms: 1,
            store_raw: true,
        };
        assert!(tx.record_intake(&record).await.unwrap());
        let job = NewJob {
            kind: JOB_KIND.to_owned(),
            payload: id.into_bytes(),
            idempotency_key: format!("inbound:smtp:{hash}"),
            run_at_ms: 1,
        };
        tx.enqueue(&job, 1).await.unwrap().unwrap();
    }
    tx.commit().await.unwrap();
}

/// An agent of `tenant` applies a canned response to one of its issues, as
/// `POST /api/v1/templates/{id}/apply` does; returns the comment's id and how many issues
/// `other` made meanwhile.
async fn apply_on(
    trackers: &Trackers,
    tenant: &TenantStore,
    other: &RunningSandbox,
) -> (String, u64) {
    let site = trackers.get(tenant.id()).unwrap();
    let client = site.client().await.unwrap();
    let responses = Responses::new(
        client,
        Templates::new(tenant.clone()),
        trackers.facts(),
        tenant.id().as_str(),
        site.site_url(),
        jira_sandbox::ADMIN_ACCOUNT_ID,
    );
    let now = postroom::app::now_ms();
    let template = responses
        .create(
            Draft {
                name: "Thanks".to_owned(),
                body: "Thanks, {{ reporter.first_name }}.".to_owned(),
                description: String::new(),
                folder: None,
                tags: Vec::new(),
                scope: Scope::Global,
            },
            now,
        )
        .await
        .unwrap();
    let issue = tenant.recent_results(1).await.unwrap()[0]
        .issue_key
        .clone()
        .unwrap();
    let before = created(other);
    let applied = responses
        .apply(
            &template.id,
            &ApplyRequest {
                issue,
                public: None,
                transition: None,
                ..Default::default()
            },
            CalendarDate::parse("2026-12-07").unwrap(),
            now,
        )
        .await
        .unwrap();
    (applied.comment_id, created(other) - before)
}

fn created(sandbox: &RunningSandbox) -> u64 {
    sandbox.handle.stats().effect("issue_created")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_with_a_large_backlog_does_not_hold_up_another_sites_new_mail() {
    for t in testing::all_backends().await.unwrap() {
        let keys = tempfile::tempdir().unwrap();
        let intake = Intake::new(
            Keyring::new(KeyVault::new(keys.path()), MasterKey::generate(), None),
            BlobStore::open(&BlobConfig::Memory).unwrap(),
            1 << 20,
        );
        let trackers = Trackers::default();
        let (busy, busy_jira) = site(&t, &trackers, "a").await;
        let (quiet, quiet_jira) = site(&t, &trackers, "b").await;
        let started = Instant::now();
        backlog(&intake, &busy, BACKLOG).await;
        eprintln!("{BACKLOG} mails queued in {:?}", started.elapsed());

        let mut registry = Registry::default();
        registry.register(
            JOB_KIND,
            Inbound::new(
                t.store.clone(),
                intake.clone(),
                trackers.clone(),
                false,
                DEFAULT_THREAD_WAIT,
            ),
        );
        let config = WorkerConfig {
            concurrency: 4,
            batch: 1,
            grace: Duration::from_millis(100),
            ..WorkerConfig::default()
        };
        let (stop, shutdown) = tokio::sync::watch::channel(false);
        let workers = tokio::spawn(
            Workers::new(&t.store, registry, config)
                .wake_on(intake.committed())
                .run(shutdown),
        );
        let patience = Instant::now();
        while created(&busy_jira) < 5 {
            assert!(
                patience.elapsed() < Duration::from_secs(120),
                "A's backlog does not move"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let before = created(&busy_jira);
        let origin = Origin {
            source: IntakeSource::Listener,
            mailbox: "smtp".to_owned(),
            store_raw: true,
            recipients: vec!["support@b.example".to_owned()],
        };
        for n in 0..NEW_MAILS {
            intake
                .accept(&quiet, &origin, &message("b", n), postroom::app::now_ms())
                .await
                .unwrap();
        }
        let patience = Instant::now();
        let during = loop {
            // B first: A's count read afterwards can only be larger than when B finished.
            if created(&quiet_jira) >= NEW_MAILS as u64 {
                break created(&busy_jira) - before;
            }
            assert!(
                patience.elapsed() < Duration::from_secs(120),
                "B's mails wait: {} of {NEW_MAILS} done, A made {} meanwhile",
                created(&quiet_jira),
                created(&busy_jira) - before
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let took = patience.elapsed();
        let (applied, meanwhile) = apply_on(&trackers, &quiet, &busy_jira).await;
        assert_eq!(
            quiet_jira.handle.stats().effect("comment_created"),
            1,
            "{applied}"
        );
        assert!(
            meanwhile < 20,
            "A made {meanwhile} issues while B's agent waited"
        );
        stop.send(true).unwrap();
        workers.await.unwrap();
        eprintln!(
            "{:?}: B's {NEW_MAILS} done while A made {during} issues, in {:?}",
            t.backend(),
            took
        );
        assert!(
            during < 100,
            "A made {during} issues before B's {NEW_MAILS} were done"
        );
        assert!(
            created(&busy_jira) > before,
            "A's backlog made progress too"
        );
        busy_jira.shutdown().await;
        quiet_jira.shutdown().await;
    }
}
