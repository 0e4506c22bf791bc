#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The IMAP mailbox cursor and lease, on every backend: one holder at a time, expiry hands
//! the lease over, a lost lease cannot move the cursor, and tenants never see each other's
//! mailboxes.

use std::sync::Arc;

use postroom_core::ports::mailbox::{Cursor, MailboxState, PollReport};
use postroom_core::tenant::TenantId;
use postroom_store::mailboxes::Mailboxes;
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, StoreError};

const TTL: i64 = 30_000;

async fn backends() -> Vec<TestStore> {
    testing::all_backends().await.unwrap()
}

async fn mailboxes(t: &TestStore, tenant: &str) -> Mailboxes {
    let id = TenantId::parse(tenant).unwrap();
    Mailboxes::new(
        t.store
            .ensure_tenant(&id, &JiraConnection::default(), 1)
            .await
            .unwrap(),
    )
}

fn cursor(uid_validity: u32, last_uid: u32) -> Cursor {
    Cursor {
        uid_validity,
        last_uid,
    }
}

#[tokio::test]
async fn a_mailbox_never_read_has_no_cursor_and_a_saved_one_survives() {
    for t in backends().await {
        let m = mailboxes(&t, "a").await;
        assert_eq!(m.load("support").await.unwrap(), None);
        assert!(m.try_lease("support", "i1", TTL, 1_000).await.unwrap());
        assert_eq!(m.load("support").await.unwrap(), None, "lease alone");
        let saved = cursor(u32::MAX, u32::MAX - 1);
        assert!(m.save("support", "i1", saved, 2_000).await.unwrap());
        assert_eq!(m.load("support").await.unwrap(), Some(saved));
    }
}

#[tokio::test]
async fn only_one_holder_until_the_lease_expires_or_is_released() {
    for t in backends().await {
        let m = mailboxes(&t, "a").await;
        assert!(m.try_lease("support", "i1", TTL, 1_000).await.unwrap());
        assert!(!m.try_lease("support", "i2", TTL, 2_000).await.unwrap());
        assert!(
            m.try_lease("support", "i1", TTL, 2_000).await.unwrap(),
            "reentrant"
        );
        assert!(m.renew("support", "i1", TTL, 3_000).await.unwrap());
        assert!(!m.renew("support", "i2", TTL, 3_000).await.unwrap());
        // Renewed at 3 s for 30 s: still held at 32 s, free at 33 s.
        assert!(!m.try_lease("support", "i2", TTL, 32_999).await.unwrap());
        assert!(m.try_lease("support", "i2", TTL, 33_000).await.unwrap());
        assert!(
            !m.renew("support", "i1", TTL, 33_001).await.unwrap(),
            "lost"
        );
        m.release("support", "i1").await.unwrap();
        assert!(
            !m.try_lease("support", "i1", TTL, 34_000).await.unwrap(),
            "not its to free"
        );
        m.release("support", "i2").await.unwrap();
        assert!(m.try_lease("support", "i1", TTL, 34_000).await.unwrap());
    }
}

#[tokio::test]
async fn a_poller_that_lost_its_lease_cannot_move_the_cursor() {
    for t in backends().await {
        let m = mailboxes(&t, "a").await;
        assert!(m.try_lease("support", "i1", TTL, 0).await.unwrap());
        assert!(m.save("support", "i1", cursor(7, 10), 1).await.unwrap());
        assert!(m.try_lease("support", "i2", TTL, TTL).await.unwrap());
        assert!(
            !m.save("support", "i1", cursor(7, 99), TTL + 1)
                .await
                .unwrap()
        );
        assert!(!m.save("other", "i1", cursor(7, 99), TTL + 1).await.unwrap());
        assert_eq!(m.load("support").await.unwrap(), Some(cursor(7, 10)));
    }
}

#[tokio::test]
async fn racing_instances_get_one_lease() {
    for t in backends().await {
        let m = Arc::new(mailboxes(&t, "a").await);
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                let m = Arc::clone(&m);
                tokio::spawn(
                    async move { m.try_lease("support", &format!("i{i}"), TTL, 1_000).await },
                )
            })
            .collect();
        let mut winners = 0;
        for task in tasks {
            winners += usize::from(task.await.unwrap().unwrap());
        }
        assert_eq!(winners, 1, "{:?}", t.backend());
    }
}

#[tokio::test]
async fn mailboxes_of_tenants_are_apart_and_forget_removes_one() {
    for t in backends().await {
        let a = mailboxes(&t, "a").await;
        let b = mailboxes(&t, "b").await;
        assert!(a.try_lease("support", "i1", TTL, 0).await.unwrap());
        assert!(b.try_lease("support", "i2", TTL, 0).await.unwrap());
        assert!(a.save("support", "i1", cursor(1, 5), 1).await.unwrap());
        assert_eq!(b.load("support").await.unwrap(), None);
        assert!(b.forget("support").await.unwrap());
        assert!(!b.forget("support").await.unwrap());
        assert_eq!(a.load("support").await.unwrap(), Some(cursor(1, 5)));
    }
}

#[tokio::test]
async fn bad_lease_arguments_are_refused() {
    for t in backends().await {
        let m = mailboxes(&t, "a").await;
        let empty = m.try_lease(" ", "i1", TTL, 0).await;
        assert!(matches!(empty, Err(StoreError::Invalid(_))), "{empty:?}");
        let zero = m.try_lease("support", "i1", 0, 0).await;
        assert!(matches!(zero, Err(StoreError::Invalid(_))), "{zero:?}");
    }
}

#[tokio::test]
async fn a_polls_problem_keeps_its_first_time_until_a_poll_goes_through() {
    for t in backends().await {
        let m = mailboxes(&t, "acme").await;
        assert!(m.try_lease("support", "a", TTL, 1_000).await.unwrap());
        let unreachable = PollReport {
            problem: Some("the server cannot be reached"),
            waiting: None,
        };
        m.report("support", &unreachable, 2_000).await.unwrap();
        m.report("support", &unreachable, 3_000).await.unwrap();
        let seen = &m.activity().await.unwrap()[0];
        assert_eq!(
            seen.problem.as_deref(),
            Some("the server cannot be reached")
        );
        assert_eq!((seen.problem_at_ms, seen.waiting), (Some(2_000), None));

        let refused = PollReport {
            problem: Some("the server refused postroom's sign-in"),
            waiting: Some(4),
        };
        m.report("support", &refused, 4_000).await.unwrap();
        let seen = &m.activity().await.unwrap()[0];
        assert_eq!((seen.problem_at_ms, seen.waiting), (Some(4_000), Some(4)));

        let fine = PollReport {
            problem: None,
            waiting: None,
        };
        m.report("support", &fine, 5_000).await.unwrap();
        let seen = &m.activity().await.unwrap()[0];
        assert_eq!((seen.problem.as_deref(), seen.problem_at_ms), (None, None));
        assert_eq!(seen.waiting, Some(4), "a count not made keeps the last one");

        // Another tenant's report never lands on this mailbox.
        let other = mailboxes(&t, "other").await;
        other.report("support", &refused, 6_000).await.unwrap();
        assert_eq!(m.activity().await.unwrap()[0].problem, None);
    }
}
