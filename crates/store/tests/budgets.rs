#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The store as the fleet's budget ledger, on every backend: a bucket starts full, refills
//! by the callers' clock and never beyond its capacity, concurrent draws never grant the
//! same tokens twice, a paused bucket grants nothing, and a shorter pause never shortens a
//! longer one.

use std::sync::Arc;

use postroom_core::ports::budget_ledger::{Bucket, BudgetLedger};
use postroom_store::testing;

const BUCKET: Bucket = Bucket {
    capacity: 50.0,
    per_sec: 10.0,
};

#[tokio::test(flavor = "multi_thread")]
async fn draws_refill_cap_and_never_grant_twice() {
    for t in testing::all_backends().await.unwrap() {
        let ledger: Arc<dyn BudgetLedger> = Arc::new(t.store.clone());
        let now = 1_000_000;
        // Full at first: 30 of 50, then the 20 left of 30 asked.
        let d = ledger.draw("app", None, BUCKET, 30.0, now).await.unwrap();
        assert_eq!((d.granted, d.paused_until_ms), (30.0, None));
        let d = ledger.draw("app", None, BUCKET, 30.0, now).await.unwrap();
        assert_eq!(d.granted, 20.0);
        // One second refills 10; a clock behind the last draw refills nothing.
        let d = ledger
            .draw("app", None, BUCKET, 30.0, now + 1_000)
            .await
            .unwrap();
        assert!((d.granted - 10.0).abs() < 1e-9, "{}", d.granted);
        let d = ledger.draw("app", None, BUCKET, 30.0, now).await.unwrap();
        assert_eq!(d.granted, 0.0);
        // An hour refills to the capacity, not beyond.
        let d = ledger
            .draw("app", None, BUCKET, 500.0, now + 3_600_000)
            .await
            .unwrap();
        assert_eq!(d.granted, 50.0);

        // Forty instances draw at once from a fresh bucket of 50 that does not refill: 50
        // are granted in all.
        let still = Bucket {
            capacity: 50.0,
            per_sec: 0.0,
        };
        let draws = (0..40).map(|_| {
            let ledger = Arc::clone(&ledger);
            tokio::spawn(async move { ledger.draw("burst", None, still, 3.0, now).await })
        });
        let mut granted = 0.0;
        for draw in draws {
            granted += draw.await.unwrap().unwrap().granted;
        }
        assert!((granted - 50.0).abs() < 1e-9, "{granted}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_paused_bucket_grants_nothing_until_its_pause_is_over() {
    for t in testing::all_backends().await.unwrap() {
        let ledger: Arc<dyn BudgetLedger> = Arc::new(t.store.clone());
        let now = 5_000_000;
        assert_eq!(ledger.paused_until("site:a", now).await.unwrap(), None);
        ledger
            .pause("site:a", Some("a"), now + 30_000)
            .await
            .unwrap();
        ledger
            .pause("site:a", Some("a"), now + 5_000)
            .await
            .unwrap();
        assert_eq!(
            ledger.paused_until("site:a", now).await.unwrap(),
            Some(now + 30_000)
        );
        assert_eq!(ledger.paused_until("site:b", now).await.unwrap(), None);
        ledger.draw("app", None, BUCKET, 1.0, now).await.unwrap();
        ledger.pause("app", None, now + 10_000).await.unwrap();
        let d = ledger
            .draw("app", None, BUCKET, 5.0, now + 1_000)
            .await
            .unwrap();
        assert_eq!((d.granted, d.paused_until_ms), (0.0, Some(now + 10_000)));
        let d = ledger
            .draw("app", None, BUCKET, 5.0, now + 10_001)
            .await
            .unwrap();
        assert_eq!((d.granted, d.paused_until_ms), (5.0, None));
        assert_eq!(
            ledger.paused_until("site:a", now + 30_000).await.unwrap(),
            None
        );
    }
}
