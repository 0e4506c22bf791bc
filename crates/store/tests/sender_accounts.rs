#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Remembered Jira account lookups on every backend: one row per address and kind, a
//! lookup that found none kept as such, replaced by the next, purged by age, erased with
//! the person, and never seen from another tenant.

use postroom_store::people::{PersonErase, SuppressionChoice};
use postroom_store::sender_accounts::AccountKind;
use postroom_store::testing;

#[tokio::test]
async fn lookups_are_remembered_replaced_purged_and_erased_per_tenant() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        let b = t.tenant("b").await.unwrap();
        assert_eq!(
            a.sender_account("addr:ann", AccountKind::User)
                .await
                .unwrap(),
            None
        );

        // A miss is a row without an account; the next lookup replaces it.
        a.remember_sender_account("addr:ann", AccountKind::User, None, 1_000)
            .await
            .unwrap();
        let miss = a
            .sender_account("addr:ann", AccountKind::User)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((miss.account, miss.looked_up_at_ms), (None, 1_000));
        a.remember_sender_account("addr:ann", AccountKind::User, Some(&[7, 8]), 2_000)
            .await
            .unwrap();
        a.remember_sender_account("addr:ann", AccountKind::Customer, Some(&[9]), 2_500)
            .await
            .unwrap();
        let hit = a
            .sender_account("addr:ann", AccountKind::User)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (hit.account.as_deref(), hit.looked_up_at_ms),
            (Some(&[7, 8][..]), 2_000)
        );
        assert_eq!(a.sender_accounts_of("addr:ann").await.unwrap().len(), 2);

        // Another tenant sees none of it, and has its own.
        assert!(b.sender_accounts_of("addr:ann").await.unwrap().is_empty());
        b.remember_sender_account("addr:ann", AccountKind::User, Some(&[1]), 500)
            .await
            .unwrap();

        // The purge removes what is older than the cutoff, in its tenant only.
        a.remember_sender_account("addr:old", AccountKind::User, None, 100)
            .await
            .unwrap();
        assert_eq!(a.forget_sender_accounts_before(2_100).await.unwrap(), 2);
        assert!(a.sender_accounts_of("addr:old").await.unwrap().is_empty());
        let left = a.sender_accounts_of("addr:ann").await.unwrap();
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].kind, AccountKind::Customer);
        assert_eq!(b.sender_accounts_of("addr:ann").await.unwrap().len(), 1);

        // A person's erase takes their lookups.
        let done = a
            .erase_person(&PersonErase {
                intake_ids: Vec::new(),
                sent_ids: Vec::new(),
                thread_hashes: Vec::new(),
                address_hash: Some("addr:ann".to_owned()),
                suppression: SuppressionChoice::KeepMarker,
            })
            .await
            .unwrap();
        assert_eq!(done.accounts, 1);
        assert!(a.sender_accounts_of("addr:ann").await.unwrap().is_empty());
        assert_eq!(b.sender_accounts_of("addr:ann").await.unwrap().len(), 1);
    }
}
