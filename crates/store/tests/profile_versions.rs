#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Kept profile versions on every backend: each save keeps one (a refused one none), in
//! the save's transaction; the prune keeps the last 50 or a year, whichever keeps more;
//! a person's erasure removes their account id; tenants do not see each other's.

use postroom_store::TenantStore;
use postroom_store::profile_versions::{KEEP_DAYS, KEEP_LAST};
use postroom_store::testing;

const DAY_MS: i64 = 24 * 3_600_000;

async fn save(a: &TenantStore, document: &str, by: &str, at: i64) -> i64 {
    let mut tx = a.begin().await.unwrap();
    let version = tx.put_profile(document, by, at).await.unwrap();
    tx.commit().await.unwrap();
    version
}

#[tokio::test]
async fn every_save_keeps_its_version_with_who_saved_it_and_a_refused_one_none() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        save(&a, "{\"v\":1}", "cli", 10).await;
        let mut tx = a.begin().await.unwrap();
        let saved = tx
            .put_profile_if("{\"v\":2}", 1, "acc-1", 20)
            .await
            .unwrap();
        assert_eq!(saved, Some(2));
        let stale = tx
            .put_profile_if("{\"s\":1}", 1, "acc-2", 30)
            .await
            .unwrap();
        assert_eq!(stale, None);
        tx.commit().await.unwrap();
        // A save rolled back keeps no version either.
        let mut tx = a.begin().await.unwrap();
        tx.put_profile("{\"v\":3}", "acc-3", 40).await.unwrap();
        drop(tx);

        let listed = a.profile_versions().await.unwrap();
        let seen: Vec<_> = listed
            .iter()
            .map(|v| (v.version, v.saved_by.as_str(), v.saved_at_ms))
            .collect();
        assert_eq!(seen, vec![(2, "acc-1", 20), (1, "cli", 10)]);
        let (one, document) = a.profile_version_document(1).await.unwrap().unwrap();
        assert_eq!((one.version, document.as_str()), (1, "{\"v\":1}"));
        assert_eq!(a.profile_version_document(3).await.unwrap(), None);
        let b = t.tenant("b").await.unwrap();
        assert!(b.profile_versions().await.unwrap().is_empty());
        assert_eq!(b.profile_version_document(1).await.unwrap(), None);
    }
}

#[tokio::test]
async fn the_prune_keeps_the_last_fifty_or_a_year_whichever_keeps_more() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        let now = 1_000 * DAY_MS;
        let old = now - (KEEP_DAYS + 1) * DAY_MS;
        // 60 versions older than a year, then 5 recent ones: the 50 newest stay, whatever
        // their age, and the 5 recent ones count among them.
        for i in 0..60 {
            save(&a, "{}", "cli", old + i).await;
        }
        for i in 0..5 {
            save(&a, "{}", "cli", now - DAY_MS + i).await;
        }
        assert_eq!(a.prune_profile_versions(now).await.unwrap(), 15);
        let kept = a.profile_versions().await.unwrap();
        assert_eq!(kept.len() as i64, KEEP_LAST);
        assert_eq!((kept[0].version, kept[49].version), (65, 16));
        assert_eq!(a.prune_profile_versions(now).await.unwrap(), 0);

        // 70 versions within the year are all kept, more than 50.
        let b = t.tenant("b").await.unwrap();
        for i in 0..70 {
            save(&b, "{}", "cli", now - 300 * DAY_MS + i).await;
        }
        assert_eq!(b.prune_profile_versions(now).await.unwrap(), 0);
        assert_eq!(b.profile_versions().await.unwrap().len(), 70);
        // A year on, only the last 50 stay; the one in force among them.
        let later = now + KEEP_DAYS * DAY_MS;
        assert_eq!(b.prune_profile_versions(later).await.unwrap(), 20);
        assert_eq!(b.profile_versions().await.unwrap()[0].version, 70);
        assert_eq!(a.profile_versions().await.unwrap().len() as i64, KEEP_LAST);
    }
}

#[tokio::test]
async fn a_persons_versions_are_found_and_their_account_id_erased() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        save(&a, "{}", "acc-1", 10).await;
        save(&a, "{}", "cli", 20).await;
        save(&a, "{}", "acc-1", 30).await;
        let b = t.tenant("b").await.unwrap();
        save(&b, "{}", "acc-1", 10).await;

        let rows = a.rows_of_account("acc-1").await.unwrap();
        let versions: Vec<i64> = rows.profile_versions.iter().map(|v| v.version).collect();
        assert_eq!(versions, vec![1, 3]);
        assert_eq!(a.erase_account("acc-1").await.unwrap().profile_versions, 2);
        let by: Vec<String> = a
            .profile_versions()
            .await
            .unwrap()
            .into_iter()
            .map(|v| v.saved_by)
            .collect();
        assert_eq!(by, vec!["(erased)", "cli", "(erased)"]);
        assert!(a.rows_of_account("acc-1").await.unwrap().is_empty());
        assert_eq!(b.profile_versions().await.unwrap()[0].saved_by, "acc-1");
    }
}
