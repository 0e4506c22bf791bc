#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Webhook deliveries and notification batches on every backend: a redelivery is no new
//! row, processing drops the payload, the purge drops old payloads and old rows, a batch
//! holds one copy per recipient even when two workers plan it, and tenants stay apart.

use postroom_store::TenantStore;
use postroom_store::outbound::{SentMail, SentStatus};
use postroom_store::testing::{self, TestStore};
use postroom_store::webhooks::WebhookEvent;

async fn tenant(t: &TestStore, name: &str) -> TenantStore {
    t.tenant(name).await.unwrap()
}

fn event(id: &str, at: i64) -> WebhookEvent {
    WebhookEvent {
        id: id.to_owned(),
        event: "comment_created".to_owned(),
        payload: Some(vec![1, 2, 3]),
        received_at_ms: at,
        done_at_ms: None,
    }
}

async fn record(tenant: &TenantStore, e: &WebhookEvent, identifier: &str) -> bool {
    let mut tx = tenant.begin().await.unwrap();
    let new = tx.record_webhook_event(e, identifier).await.unwrap();
    tx.commit().await.unwrap();
    new
}

#[tokio::test]
async fn a_redelivery_is_no_new_row_and_processing_drops_the_payload() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        assert!(record(&a, &event("e1", 1_000), "whid:1").await);
        assert!(
            !record(&a, &event("e2", 1_001), "whid:1").await,
            "redelivery"
        );
        assert!(a.webhook_event("e2").await.unwrap().is_none());
        assert!(
            record(&b, &event("e1", 1_000), "whid:1").await,
            "tenants apart"
        );

        let mut tx = a.begin().await.unwrap();
        tx.finish_webhook_event("e1", 2_000).await.unwrap();
        tx.commit().await.unwrap();
        let done = a.webhook_event("e1").await.unwrap().unwrap();
        assert_eq!((done.payload, done.done_at_ms), (None, Some(2_000)));
        assert_eq!(
            b.webhook_event("e1").await.unwrap().unwrap().payload,
            Some(vec![1, 2, 3])
        );
    }
}

#[tokio::test]
async fn the_purge_drops_old_payloads_first_and_old_rows_later() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        assert!(record(&a, &event("old", 1_000), "whid:old").await);
        assert!(record(&a, &event("mid", 5_000), "whid:mid").await);
        assert!(record(&a, &event("new", 9_000), "whid:new").await);
        assert_eq!(a.purge_webhook_events(6_000, 2_000).await.unwrap(), 1);
        assert!(a.webhook_event("old").await.unwrap().is_none());
        assert_eq!(a.webhook_event("mid").await.unwrap().unwrap().payload, None);
        assert!(
            a.webhook_event("new")
                .await
                .unwrap()
                .unwrap()
                .payload
                .is_some()
        );
        // The id outlives the payload: a late redelivery still changes nothing.
        assert!(!record(&a, &event("again", 9_500), "whid:mid").await);
    }
}

fn copy(id: &str, recipient: &str) -> SentMail {
    SentMail {
        id: id.to_owned(),
        kind: "notification".to_owned(),
        issue_key: Some("SUP-1".to_owned()),
        recipient_hash: recipient.to_owned(),
        message_id_hash: format!("mid-{id}"),
        facts: vec![9],
        status: SentStatus::Queued,
        detail: None,
        created_at_ms: 1_000,
        sent_at_ms: None,
    }
}

#[tokio::test]
async fn a_batch_holds_one_copy_per_recipient_whoever_plans_it() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        assert!(!a.sent_batch_exists("batch:1").await.unwrap());
        let mut tx = a.begin().await.unwrap();
        tx.record_sent_mail_in(&copy("n1", "frank"), Some("batch:1"))
            .await
            .unwrap();
        tx.record_sent_mail_in(&copy("n2", "ann"), Some("batch:1"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(a.sent_batch_exists("batch:1").await.unwrap());
        // A second worker that planned the same event before seeing the first commit.
        let mut tx = a.begin().await.unwrap();
        let second = tx
            .record_sent_mail_in(&copy("n3", "frank"), Some("batch:1"))
            .await;
        assert!(second.is_err(), "a second copy for frank was accepted");
        tx.rollback().await.unwrap();
        // Copies without a batch (acknowledgements) are not constrained.
        let mut tx = a.begin().await.unwrap();
        tx.record_sent_mail(&copy("a1", "frank")).await.unwrap();
        tx.record_sent_mail(&copy("a2", "frank")).await.unwrap();
        tx.set_sent_mime("n1", "a/sent/n1").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            a.sent_mime_key("n1").await.unwrap().as_deref(),
            Some("a/sent/n1")
        );
        assert_eq!(a.sent_mime_before(2_000).await.unwrap(), vec!["n1"]);
        a.forget_sent_mime(&["n1".to_owned()]).await.unwrap();
        assert!(a.sent_mime_key("n1").await.unwrap().is_none());
        let recent = a
            .recent_sent_mail(Some("notification"), 0, 10)
            .await
            .unwrap();
        assert_eq!(recent.len(), 4);
    }
}

#[tokio::test]
async fn the_issue_root_and_the_writer_of_a_mailed_comment_are_found() {
    use postroom_store::inbound::{InboundResult, ResultStatus};
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        assert!(a.thread_root("SUP-1").await.unwrap().is_none());
        let mut tx = a.begin().await.unwrap();
        tx.map_thread("mid:reply", "SUP-1", None, 2_000)
            .await
            .unwrap();
        tx.map_thread("mid:root", "SUP-1", Some(&[4, 2]), 1_000)
            .await
            .unwrap();
        tx.record_result(&InboundResult {
            intake_id: "m2".to_owned(),
            status: ResultStatus::Commented,
            issue_key: Some("SUP-1".to_owned()),
            comment_id: Some("10042".to_owned()),
            sender_hash: Some("addr:frank".to_owned()),
            report: vec![1],
            processed_at_ms: 2_000,
        })
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            a.thread_root("SUP-1").await.unwrap(),
            Some(("mid:root".to_owned(), vec![4, 2]))
        );
        assert_eq!(
            a.comment_sender("SUP-1", "10042").await.unwrap().as_deref(),
            Some("addr:frank")
        );
        assert!(a.comment_sender("SUP-2", "10042").await.unwrap().is_none());
        assert!(b.thread_root("SUP-1").await.unwrap().is_none());
        assert!(b.comment_sender("SUP-1", "10042").await.unwrap().is_none());
    }
}
