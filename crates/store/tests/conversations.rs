#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Conversations in order on every backend: a message waits for the earlier ones of its
//! conversation and for those it answers, never for unrelated ones; one message at a time
//! holds a conversation, concurrent claimants included; a settled message frees it; a held
//! one still comes first; a dead holder's claim is taken over; tenants stay apart.

use postroom_core::conversation::Place;
use postroom_store::TenantStore;
use postroom_store::conversations::Claim;
use postroom_store::testing::{self, TestStore};

async fn tenant(t: &TestStore, name: &str) -> TenantStore {
    t.tenant(name).await.unwrap()
}

fn place(message: &str, thread: &str, depth: i64, sent: i64, parents: &[&str]) -> Place {
    Place {
        message: Some(message.to_owned()),
        thread: thread.to_owned(),
        depth,
        sent_at_ms: sent,
        parents: parents.iter().map(|p| (*p).to_owned()).collect(),
    }
}

async fn record(tenant: &TenantStore, id: &str, p: &Place, received: i64) {
    let mut tx = tenant.begin().await.unwrap();
    tx.record_place(id, p, received).await.unwrap();
    tx.commit().await.unwrap();
}

async fn settle(tenant: &TenantStore, id: &str, keep: bool) {
    let mut tx = tenant.begin().await.unwrap();
    tx.settle_place(id, keep).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_reply_waits_for_its_original_and_nothing_else() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        let original = place("m:o", "m:o", 0, 1_000, &[]);
        let reply = place("m:r", "m:o", 1, 900, &["m:o"]);
        let other = place("m:x", "m:x", 0, 500, &[]);
        // The reply was taken in first, the original after it.
        record(&a, "r", &reply, 10).await;
        record(&a, "o", &original, 20).await;
        record(&a, "x", &other, 5).await;
        assert_eq!(
            a.earlier_in_conversation("r", &reply, 10).await.unwrap(),
            Some("o".to_owned()),
            "a parent comes first, whatever the clocks say"
        );
        assert_eq!(
            a.earlier_in_conversation("o", &original, 20).await.unwrap(),
            None
        );
        assert_eq!(
            a.earlier_in_conversation("x", &other, 5).await.unwrap(),
            None
        );
        assert_eq!(
            b.earlier_in_conversation("r", &reply, 10).await.unwrap(),
            None,
            "another tenant's original is not in the way"
        );

        // Held for review: it keeps its place, so the reply still waits.
        settle(&a, "o", true).await;
        assert_eq!(
            a.earlier_in_conversation("r", &reply, 10).await.unwrap(),
            Some("o".to_owned())
        );
        settle(&a, "o", false).await;
        assert_eq!(
            a.earlier_in_conversation("r", &reply, 10).await.unwrap(),
            None
        );
    }
}

#[tokio::test]
async fn siblings_go_by_date_and_a_named_parent_counts_across_threads() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let early = place("m:1", "m:o", 1, 100, &["m:o"]);
        let late = place("m:2", "m:o", 1, 200, &["m:o"]);
        record(&a, "late", &late, 1).await;
        record(&a, "early", &early, 2).await;
        assert_eq!(
            a.earlier_in_conversation("late", &late, 1).await.unwrap(),
            Some("early".to_owned())
        );
        assert_eq!(
            a.earlier_in_conversation("early", &early, 2).await.unwrap(),
            None
        );
        // Same depth and date: the one taken in first goes first; never both wait.
        let twin = place("m:3", "m:o", 1, 100, &["m:o"]);
        record(&a, "twin", &twin, 3).await;
        assert_eq!(
            a.earlier_in_conversation("twin", &twin, 3).await.unwrap(),
            Some("early".to_owned())
        );
        // A reply whose References start elsewhere still waits for the parent it names.
        let stray = place("m:s", "m:elsewhere", 2, 50, &["m:2"]);
        assert_eq!(
            a.earlier_in_conversation("stray", &stray, 4).await.unwrap(),
            Some("late".to_owned())
        );
    }
}

#[tokio::test]
async fn one_message_at_a_time_holds_a_conversation() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let b = tenant(&t, "b").await;
        assert_eq!(
            a.claim_conversation("m:o", "r", 100, 0).await.unwrap(),
            Claim::Ours
        );
        assert_eq!(
            a.claim_conversation("m:o", "r", 150, 0).await.unwrap(),
            Claim::Ours,
            "a retried attempt keeps its own claim"
        );
        assert_eq!(
            a.claim_conversation("m:o", "o", 160, 0).await.unwrap(),
            Claim::HeldBy("r".to_owned())
        );
        assert_eq!(
            b.claim_conversation("m:o", "o", 160, 0).await.unwrap(),
            Claim::Ours,
            "tenants apart"
        );
        settle(&a, "r", false).await;
        assert_eq!(
            a.claim_conversation("m:o", "o", 170, 0).await.unwrap(),
            Claim::Ours
        );
        // A claim older than the limit belongs to a worker gone for good.
        assert_eq!(
            a.claim_conversation("m:o", "z", 10_000, 5_000)
                .await
                .unwrap(),
            Claim::Ours
        );
        assert_eq!(
            a.claim_conversation("m:o", "o", 10_001, 5_000)
                .await
                .unwrap(),
            Claim::HeldBy("z".to_owned())
        );
    }
}

#[tokio::test]
async fn concurrent_claimants_get_the_conversation_once() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        let mut tasks = Vec::new();
        for i in 0..16 {
            let a = a.clone();
            tasks.push(tokio::spawn(async move {
                a.claim_conversation("m:hot", &format!("i{i}"), 100, 0)
                    .await
            }));
        }
        let mut ours = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(Claim::Ours) => ours += 1,
                Ok(Claim::HeldBy(_) | Claim::Busy) => {}
                // SQLite may answer "busy" to a writer under contention: no claim either.
                Err(e) => assert!(e.to_string().contains("lock"), "{e}"),
            }
        }
        assert_eq!(ours, 1, "exactly one claimant holds the conversation");
    }
}

#[tokio::test]
async fn the_purge_removes_what_dead_jobs_left() {
    for t in testing::all_backends().await.unwrap() {
        let a = tenant(&t, "a").await;
        record(&a, "old", &place("m:a", "m:a", 0, 1, &[]), 1_000).await;
        record(&a, "new", &place("m:b", "m:a", 1, 2, &["m:a"]), 9_000).await;
        a.claim_conversation("m:a", "old", 1_000, 0).await.unwrap();
        assert_eq!(a.purge_conversations_before(5_000).await.unwrap(), 2);
        let new = place("m:c", "m:a", 2, 3, &["m:b"]);
        assert_eq!(
            a.earlier_in_conversation("c", &new, 9_500).await.unwrap(),
            Some("new".to_owned())
        );
        assert_eq!(
            a.claim_conversation("m:a", "c", 9_500, 0).await.unwrap(),
            Claim::Ours
        );
    }
}
