#![allow(clippy::unwrap_used, clippy::expect_used)]

//! A person's rows on every backend: found by the address's keyed hash or an account id,
//! in one tenant only; erased in one transaction with the suppression marker kept or not;
//! an account's rows deleted or de-identified; tenant-wide scans page by id; requests are
//! recorded without whose data.

use postroom_core::tenant::TenantId;
use postroom_store::inbound::{InboundResult, ResultStatus};
use postroom_store::intake::{IntakeRecord, IntakeSource};
use postroom_store::outbound::{BounceRecord, SentMail, SentStatus};
use postroom_store::people::{
    PersonAction, PersonErase, PersonRequest, SubjectKind, SuppressionChoice,
};
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, TenantStore};

async fn tenant(t: &TestStore, name: &str) -> TenantStore {
    t.store
        .ensure_tenant(
            &TenantId::parse(name).unwrap(),
            &JiraConnection::default(),
            1,
        )
        .await
        .unwrap()
}

/// A processed message `id` from `sender`, with a thread-map entry `mid-ID`, a sent mail
/// `sent-ID` back to them, a rate counter and a bounce.
async fn seed(tenant: &TenantStore, id: &str, sender: &str, hard_bounce: bool) {
    let mut tx = tenant.begin().await.unwrap();
    tx.record_intake(&IntakeRecord {
        id: id.to_owned(),
        mailbox: "smtp".to_owned(),
        source: IntakeSource::Listener,
        dedupe_hash: format!("d-{id}"),
        message_id_sha256: None,
        size: 10,
        status: "queued".to_owned(),
        reason: None,
        received_at_ms: 1_000,
        store_raw: true,
    })
    .await
    .unwrap();
    tx.record_result(&InboundResult {
        intake_id: id.to_owned(),
        status: ResultStatus::Created,
        issue_key: Some("SUP-1".to_owned()),
        comment_id: None,
        sender_hash: Some(sender.to_owned()),
        report: vec![1, 2, 3],
        processed_at_ms: 2_000,
    })
    .await
    .unwrap();
    tx.map_thread(&format!("mid-{id}"), "SUP-1", Some(&[9]), 2_000)
        .await
        .unwrap();
    tx.record_sent_mail(&SentMail {
        id: format!("sent-{id}"),
        kind: "acknowledgement".to_owned(),
        issue_key: Some("SUP-1".to_owned()),
        recipient_hash: sender.to_owned(),
        message_id_hash: format!("ack-{id}"),
        facts: vec![4, 5],
        status: SentStatus::Sent,
        detail: None,
        created_at_ms: 2_000,
        sent_at_ms: Some(2_001),
    })
    .await
    .unwrap();
    tx.claim_send_slot("acknowledgement", sender, 0, 10, 2_000)
        .await
        .unwrap();
    tx.record_bounce(
        &BounceRecord {
            address_hash: sender.to_owned(),
            address: vec![7, 7],
            hard: hard_bounce,
            status: Some("5.1.1".to_owned()),
            diagnostic: Some(vec![1]),
            at_ms: 3_000,
        },
        3,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

fn erase_of(rows: &postroom_store::people::AddressRows, hash: &str) -> PersonErase {
    PersonErase {
        intake_ids: rows
            .messages
            .iter()
            .map(|(e, _)| e.intake.id.clone())
            .collect(),
        sent_ids: rows.sent.iter().map(|(s, _)| s.id.clone()).collect(),
        thread_hashes: rows
            .messages
            .iter()
            .map(|(e, _)| format!("mid-{}", e.intake.id))
            .collect(),
        address_hash: Some(hash.to_owned()),
        suppression: SuppressionChoice::KeepMarker,
    }
}

#[tokio::test]
async fn an_address_is_found_and_erased_in_its_tenant_only_keeping_the_marker() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        seed(&a, "m1", "addr:frank", true).await;
        seed(&a, "m2", "addr:ann", true).await;
        seed(&b, "m1", "addr:frank", true).await;
        let rows = a.rows_of_address("addr:frank").await.unwrap();
        assert_eq!(rows.messages.len(), 1);
        assert_eq!(rows.messages[0].0.intake.id, "m1");
        assert_eq!(rows.messages[0].1.as_deref(), Some(&[1, 2, 3][..]));
        assert_eq!(rows.sent.len(), 1);
        assert_eq!(rows.counters.len(), 1);
        let suppression = rows.suppression.as_ref().unwrap();
        assert!(suppression.suppressed);
        assert_eq!(
            a.thread_entries(&["mid-m1".into(), "nope".into()])
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(
            a.rows_of_address("addr:nobody")
                .await
                .unwrap()
                .messages
                .is_empty()
        );

        let done = a
            .erase_person(&erase_of(&rows, "addr:frank"))
            .await
            .unwrap();
        assert_eq!((done.intake, done.reports, done.sent_mail), (1, 1, 1));
        assert_eq!((done.thread_map, done.counters), (1, 1));
        assert!(done.suppression_marker && !done.suppression_removed);
        let after = a.rows_of_address("addr:frank").await.unwrap();
        assert!(after.messages.is_empty() && after.sent.is_empty() && after.counters.is_empty());
        let marker = after.suppression.unwrap();
        assert!(marker.suppressed && marker.address.is_empty() && marker.diagnostic.is_none());
        assert_eq!(marker.failures, 1, "the counts stay");
        assert!(a.audit_entry("m1").await.unwrap().is_none());
        assert!(
            a.thread_entries(&["mid-m1".into()])
                .await
                .unwrap()
                .is_empty()
        );

        // Ann in the same tenant and Frank in another are untouched.
        assert_eq!(
            a.rows_of_address("addr:ann").await.unwrap().messages.len(),
            1
        );
        let theirs = b.rows_of_address("addr:frank").await.unwrap();
        assert_eq!((theirs.messages.len(), theirs.sent.len()), (1, 1));
        assert!(!theirs.suppression.unwrap().address.is_empty());

        // Erasing again finds and changes nothing; --include-suppression removes the marker.
        let mut again = erase_of(&after_rows(&a, "addr:frank").await, "addr:frank");
        again.suppression = SuppressionChoice::Remove;
        let done = a.erase_person(&again).await.unwrap();
        assert_eq!(done.intake, 0);
        assert!(done.suppression_removed);
        assert!(a.suppression("addr:frank").await.unwrap().is_none());
    }
}

async fn after_rows(tenant: &TenantStore, hash: &str) -> postroom_store::people::AddressRows {
    tenant.rows_of_address(hash).await.unwrap()
}

#[tokio::test]
async fn an_entry_that_does_not_suppress_leaves_no_marker() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        seed(&a, "m1", "addr:soft", false).await;
        let rows = a.rows_of_address("addr:soft").await.unwrap();
        assert!(!rows.suppression.as_ref().unwrap().suppressed);
        let done = a.erase_person(&erase_of(&rows, "addr:soft")).await.unwrap();
        assert!(done.suppression_removed && !done.suppression_marker);
        assert!(a.suppression("addr:soft").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn tenant_wide_scans_page_by_id() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        for id in ["m3", "m1", "m2"] {
            seed(&a, id, &format!("addr:{id}"), false).await;
        }
        let page: Vec<String> = a
            .audit_records_after("")
            .await
            .unwrap()
            .into_iter()
            .map(|(e, _)| e.intake.id)
            .collect();
        assert_eq!(page, ["m1", "m2", "m3"]);
        let rest = a.audit_records_after("m2").await.unwrap();
        assert_eq!(rest.len(), 1);
        assert!(a.audit_records_after("m3").await.unwrap().is_empty());
        let sent: Vec<String> = a
            .sent_records_after("sent-m1")
            .await
            .unwrap()
            .into_iter()
            .map(|(s, _)| s.id)
            .collect();
        assert_eq!(sent, ["sent-m2", "sent-m3"]);
        assert!(
            tenant(&t, "b")
                .await
                .audit_records_after("")
                .await
                .unwrap()
                .is_empty()
        );
    }
}

/// Rows of `account` (and of `other`) in every table keyed by account id.
async fn seed_account(t: &TestStore, tenant: &TenantStore, account: &str) {
    let pool = t.store.db().pool();
    let id = tenant.id().as_str();
    let statements = [
        "INSERT INTO template_uses (tenant_id, template_id, account_id, used_at_ms) \
         VALUES ($1, 't-shared', $2, 5)",
        "INSERT INTO template_weekly (tenant_id, week_ms, template_id, account_id, inserted, \
         posted) VALUES ($1, 0, 't-shared', $2, 2, 1)",
        "INSERT INTO template_favourites (tenant_id, account_id, template_id, added_at_ms) \
         VALUES ($1, $2, 't-shared', 5)",
        "INSERT INTO templates (id, tenant_id, name, body, description, tags, scope_kind, \
         scope_values, owner_account_id, created_at_ms, updated_at_ms) \
         VALUES ($1 || '-' || $2 || '-personal', $1, 'mine', 'Hello', '', '[]', 'personal', \
         '[]', $2, 1, 1)",
        "INSERT INTO templates (id, tenant_id, name, body, description, tags, scope_kind, \
         scope_values, owner_account_id, created_at_ms, updated_at_ms) \
         VALUES ($1 || '-' || $2 || '-global', $1, 'ours', 'Hi all', '', '[]', 'global', \
         '[]', $2, 1, 1)",
        "INSERT INTO api_tokens (id, tenant_id, account_id, name, scope, token_hash, \
         created_at_ms) VALUES ($1 || '-' || $2, $1, $2, 'laptop', 'agent', \
         'hash-' || $1 || '-' || $2, 1)",
        "INSERT INTO console_sessions (id_hash, tenant_id, account_id, via, created_at_ms, \
         last_seen_ms, expires_at_ms) VALUES ('s-' || $1 || '-' || $2, $1, $2, 'link', 1, 2, 3)",
        "INSERT INTO access_log (at_ms, method, route, status, tenant_id, account_id, ip) \
         VALUES (1, 'GET', '/api/v1/whoami', 200, $1, $2, '127.0.0.0')",
    ];
    for sql in statements {
        sqlx::query(sql)
            .bind(id)
            .bind(account)
            .execute(pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn an_accounts_rows_are_found_and_erased_or_de_identified() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        seed_account(&t, &a, "agent-1").await;
        seed_account(&t, &a, "agent-2").await;
        seed_account(&t, &b, "agent-1").await;
        let rows = a.rows_of_account("agent-1").await.unwrap();
        assert_eq!(
            (rows.uses.len(), rows.weekly.len(), rows.favourites.len()),
            (1, 1, 1)
        );
        assert_eq!(rows.templates.len(), 2);
        assert_eq!((rows.tokens.len(), rows.sessions.len()), (1, 1));
        assert_eq!((rows.links, rows.access_log), (0, 1));
        assert!(a.rows_of_account("nobody").await.unwrap().is_empty());

        a.record_person_request(&PersonRequest {
            id: "r1".to_owned(),
            action: PersonAction::Find,
            subject: SubjectKind::Address,
            deep: false,
            requested_by: "agent-1".to_owned(),
            requested_at_ms: 10,
            outcome: serde_json::json!({"messages": 0}),
        })
        .await
        .unwrap();

        let done = a.erase_account("agent-1").await.unwrap();
        assert_eq!((done.uses, done.weekly, done.favourites), (1, 1, 1));
        assert_eq!(
            (done.personal_templates, done.shared_templates_disowned),
            (1, 1)
        );
        assert_eq!((done.tokens, done.sessions, done.access_log), (1, 1, 1));
        let after = a.rows_of_account("agent-1").await.unwrap();
        assert!(after.is_empty(), "{after:?}");
        let requests = a.person_requests(10).await.unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(requests[0].requested_by, "(erased)");
        assert_eq!(requests[0].outcome["messages"], 0);

        // The other agent and the other tenant keep theirs.
        assert_eq!(
            a.rows_of_account("agent-2").await.unwrap().templates.len(),
            2
        );
        assert_eq!(b.rows_of_account("agent-1").await.unwrap().tokens.len(), 1);
        assert!(b.person_requests(10).await.unwrap().is_empty());
    }
}
