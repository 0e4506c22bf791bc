#![allow(clippy::unwrap_used)]

//! Tenant isolation and the tenant registry, on every backend.
//!
//! Each method of `TenantStore` is exercised with two tenants holding different data; the
//! test asserts that tenant A's handle only ever sees and changes tenant A's rows. When a
//! repository method is added to the handle, it gets a case here.

use postroom_core::tenant::TenantId;
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, StoreError};

fn tenant(name: &str) -> TenantId {
    TenantId::parse(name).unwrap()
}

fn jira(url: &str) -> JiraConnection {
    JiraConnection {
        url: Some(url.to_owned()),
        auth: Some("api_token".to_owned()),
        account: Some(format!("bot@{url}")),
    }
}

async fn backends() -> Vec<TestStore> {
    testing::all_backends().await.unwrap()
}

#[tokio::test]
async fn each_handle_reads_only_its_own_tenant() {
    for t in backends().await {
        let a = t
            .store
            .ensure_tenant(&tenant("a"), &jira("a.example"), 1)
            .await
            .unwrap();
        let b = t
            .store
            .ensure_tenant(&tenant("b"), &jira("b.example"), 2)
            .await
            .unwrap();

        let record_a = a.record().await.unwrap();
        assert_eq!(record_a.id, tenant("a"));
        assert_eq!(record_a.jira.url.as_deref(), Some("a.example"));
        assert_eq!(
            b.record().await.unwrap().jira.url.as_deref(),
            Some("b.example")
        );
    }
}

#[tokio::test]
async fn each_handle_writes_only_its_own_tenant() {
    for t in backends().await {
        let a = t
            .store
            .ensure_tenant(&tenant("a"), &jira("a.example"), 1)
            .await
            .unwrap();
        let b = t
            .store
            .ensure_tenant(&tenant("b"), &jira("b.example"), 1)
            .await
            .unwrap();

        a.set_jira(&jira("changed.example"), 5).await.unwrap();

        assert_eq!(
            a.record().await.unwrap().jira.url.as_deref(),
            Some("changed.example")
        );
        let record_b = b.record().await.unwrap();
        assert_eq!(record_b.jira.url.as_deref(), Some("b.example"));
        assert_eq!(
            record_b.updated_at_ms,
            1,
            "tenant b was touched ({:?})",
            t.backend()
        );
    }
}

#[tokio::test]
async fn a_handle_cannot_be_made_for_a_tenant_that_does_not_exist() {
    for t in backends().await {
        let result = t.store.tenant(&tenant("ghost")).await;
        assert!(matches!(result, Err(StoreError::UnknownTenant(id)) if id == tenant("ghost")));
    }
}

#[tokio::test]
async fn ensure_tenant_is_idempotent_and_updates_the_connection() {
    for t in backends().await {
        t.store
            .ensure_tenant(&tenant("default"), &JiraConnection::default(), 1)
            .await
            .unwrap();
        let handle = t
            .store
            .ensure_tenant(&tenant("default"), &jira("site.example"), 9)
            .await
            .unwrap();
        let record = handle.record().await.unwrap();
        assert_eq!(record.created_at_ms, 1);
        assert_eq!(record.updated_at_ms, 9);
        assert_eq!(record.jira.url.as_deref(), Some("site.example"));
        let all = t.store.list_tenants().await.unwrap();
        assert_eq!(all.len(), 1);
    }
}

#[tokio::test]
async fn migrating_twice_changes_nothing() {
    for t in backends().await {
        t.store
            .ensure_tenant(&tenant("default"), &jira("x"), 1)
            .await
            .unwrap();
        t.store.migrate().await.unwrap();
        assert_eq!(t.store.list_tenants().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn concurrent_writers_on_sqlite_wait_instead_of_failing() {
    let t = testing::sqlite().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..32 {
        let store = t.store.clone();
        tasks.push(tokio::spawn(async move {
            let id = TenantId::parse(&format!("t{i}")).unwrap();
            store
                .ensure_tenant(&id, &JiraConnection::default(), i)
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(t.store.list_tenants().await.unwrap().len(), 32);
}

#[tokio::test]
async fn each_handle_sees_and_changes_only_its_own_jobs() {
    use postroom_store::NewJob;
    use postroom_store::queue::{Failure, RetryPolicy};

    for t in backends().await {
        let a = t
            .store
            .ensure_tenant(&tenant("a"), &jira("a"), 1)
            .await
            .unwrap();
        let b = t
            .store
            .ensure_tenant(&tenant("b"), &jira("b"), 1)
            .await
            .unwrap();
        let job = |key: &str| NewJob {
            kind: "k".to_owned(),
            payload: Vec::new(),
            idempotency_key: key.to_owned(),
            run_at_ms: 0,
        };
        let mut tx = a.begin().await.unwrap();
        assert_eq!(tx.tenant(), &tenant("a"));
        tx.enqueue(&job("same-key"), 0).await.unwrap().unwrap();
        tx.enqueue(&job("only-a"), 0).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        let mut tx = b.begin().await.unwrap();
        assert!(
            tx.enqueue(&job("same-key"), 0).await.unwrap().is_some(),
            "keys are per tenant"
        );
        tx.commit().await.unwrap();

        let a_jobs = a.jobs().list(false, 10).await.unwrap();
        let b_jobs = b.jobs().list(false, 10).await.unwrap();
        assert_eq!(a_jobs.len(), 2);
        assert_eq!(b_jobs.len(), 1);
        assert!(b.jobs().show(a_jobs[0].id).await.is_err());

        let queue = t.store.queue();
        let mut taken = queue.take(&["k"], 10, 0, 100).await.unwrap();
        taken.extend(queue.take(&["k"], 10, 0, 100).await.unwrap());
        let of_a: Vec<_> = taken.iter().filter(|j| j.tenant == tenant("a")).collect();
        let of_b: Vec<_> = taken.iter().filter(|j| j.tenant == tenant("b")).collect();
        assert_eq!((of_a.len(), of_b.len()), (2, 1));
        let b_tx = b.begin().await.unwrap();
        assert!(
            queue.complete_in(b_tx, of_a[0], 5).await.is_err(),
            "b completed a's job"
        );
        let policy = RetryPolicy::default();
        queue
            .fail(of_a[1], Failure::Permanent, "x", &policy, 5, 0.0)
            .await
            .unwrap();
        assert!(b.jobs().retry(of_a[1].id, 6).await.is_err());
        assert!(b.jobs().list(true, 10).await.unwrap().is_empty());
        queue.complete(of_b[0], 5).await.unwrap();
        assert!(!a.jobs().is_done("same-key").await.unwrap());
        assert!(b.jobs().is_done("same-key").await.unwrap());
        assert_eq!(a.jobs().purge_done_before(100).await.unwrap(), 0);
        assert_eq!(b.jobs().purge_done_before(100).await.unwrap(), 1);

        a.jobs()
            .declare_recurring("r", "k", b"", 1_000, 0)
            .await
            .unwrap();
        queue.enqueue_due_recurring(0).await.unwrap();
        assert_eq!(b.jobs().list(false, 10).await.unwrap().len(), 0);
        assert!(
            a.jobs()
                .list(false, 10)
                .await
                .unwrap()
                .iter()
                .any(|j| j.idempotency_key == "recurring:r:0")
        );
    }
}

#[tokio::test]
async fn api_tokens_are_listed_and_revoked_only_by_their_own_tenant() {
    use postroom_store::tokens::{ApiTokens, Scope};
    for t in backends().await {
        let a = t
            .store
            .ensure_tenant(&tenant("a"), &jira("a"), 1)
            .await
            .unwrap();
        let b = t
            .store
            .ensure_tenant(&tenant("b"), &jira("b"), 1)
            .await
            .unwrap();
        let (tokens_a, tokens_b) = (ApiTokens::new(a), ApiTokens::new(b));
        let (info_a, secret_a) = tokens_a
            .create("acc-a", "ci", Scope::Admin, 10)
            .await
            .unwrap();
        let (_, secret_b) = tokens_b
            .create("acc-b", "", Scope::Agent, 11)
            .await
            .unwrap();

        assert_eq!(tokens_a.list().await.unwrap(), vec![info_a.clone()]);
        assert_eq!(tokens_b.list().await.unwrap().len(), 1);
        let who = t
            .store
            .authenticate(secret_a.expose())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (who.tenant, who.account_id.as_str(), who.scope),
            (tenant("a"), "acc-a", Scope::Admin)
        );

        assert!(
            !tokens_b.revoke(&info_a.id).await.unwrap(),
            "b revoked a's token"
        );
        assert!(
            t.store
                .authenticate(secret_a.expose())
                .await
                .unwrap()
                .is_some()
        );
        assert!(tokens_a.revoke(&info_a.id).await.unwrap());
        assert!(!tokens_a.revoke(&info_a.id).await.unwrap());
        assert!(
            t.store
                .authenticate(secret_a.expose())
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            t.store
                .authenticate(secret_b.expose())
                .await
                .unwrap()
                .is_some()
        );
        assert!(t.store.authenticate("pr_nonsense").await.unwrap().is_none());
        assert!(matches!(
            tokens_a.create(" ", "x", Scope::Agent, 1).await,
            Err(StoreError::Invalid(_))
        ));
    }
}

#[tokio::test]
async fn access_log_is_read_per_tenant_and_purged_after_seven_days() {
    use postroom_store::access_log::{AccessEntry, RETENTION_MS};
    for t in backends().await {
        let a = t
            .store
            .ensure_tenant(&tenant("a"), &jira("a"), 1)
            .await
            .unwrap();
        let b = t
            .store
            .ensure_tenant(&tenant("b"), &jira("b"), 1)
            .await
            .unwrap();
        let entry = |at_ms, who: Option<&str>| AccessEntry {
            at_ms,
            method: "GET".to_owned(),
            route: "/api/v1/tokens".to_owned(),
            status: 200,
            tenant: who.map(tenant),
            account_id: who.map(|w| format!("acc-{w}")),
            ip: Some("203.0.113.0/24".to_owned()),
        };
        let now = 100 * RETENTION_MS;
        for e in [
            entry(now - RETENTION_MS - 1, Some("a")),
            entry(now - 5, Some("a")),
            entry(now - 4, Some("b")),
            entry(now - 3, None),
        ] {
            t.store.log_access(&e).await.unwrap();
        }
        assert_eq!(a.access_log(10).await.unwrap().len(), 2);
        assert_eq!(
            b.access_log(10).await.unwrap(),
            vec![entry(now - 4, Some("b"))]
        );
        assert_eq!(t.store.purge_access_log(now).await.unwrap(), 1);
        assert_eq!(
            a.access_log(10).await.unwrap(),
            vec![entry(now - 5, Some("a"))]
        );
    }
}
