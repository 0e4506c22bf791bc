#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Insights, usage flags, template revisions and favourites on every backend: counts add up
//! per week, a year's window is kept and older weeks are pruned by the next write, every
//! template change (not a use) raises the revision, and nothing crosses tenants.

use postroom_core::canned::{Draft, Scope};
use postroom_core::tenant::TenantId;
use postroom_core::usage::{UsageFlag, week_start};
use postroom_store::templates::Templates;
use postroom_store::testing::{self, TestStore};
use postroom_store::usage::Usage;
use postroom_store::{JiraConnection, TenantStore};

const DAY: i64 = 86_400_000;
const NOW: i64 = 1_796_601_600_000 + 3 * DAY;

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

#[tokio::test]
async fn weekly_counts_add_up_and_a_year_is_kept() {
    for t in testing::all_backends().await.unwrap() {
        let usage = Usage::new(tenant(&t, "a").await);
        let other = Usage::new(tenant(&t, "b").await);
        let year_ago = NOW - 370 * DAY;
        usage
            .record_template("t1", "acc-1", false, year_ago)
            .await
            .unwrap();
        usage
            .count_flag(UsageFlag::PickerOpened, year_ago)
            .await
            .unwrap();
        for posted in [false, false, true] {
            usage
                .record_template("t1", "acc-1", posted, NOW)
                .await
                .unwrap();
        }
        usage
            .record_template("t1", "acc-2", true, NOW - DAY)
            .await
            .unwrap();
        usage
            .count_flag(UsageFlag::PickerOpened, NOW)
            .await
            .unwrap();
        usage
            .count_flag(UsageFlag::PickerOpened, NOW - 8 * DAY)
            .await
            .unwrap();
        other.count_flag(UsageFlag::FiltersUsed, NOW).await.unwrap();

        let weeks = usage.weeks(NOW).await.unwrap();
        let rows: Vec<(i64, &str, i64, i64)> = weeks
            .iter()
            .map(|w| (w.week_ms, w.account_id.as_str(), w.inserted, w.posted))
            .collect();
        assert_eq!(
            rows,
            [
                (week_start(NOW), "acc-1", 2, 1),
                (week_start(NOW), "acc-2", 0, 1)
            ],
            "{}: the week a year ago was pruned",
            t.url
        );
        let flags = usage.flags(NOW).await.unwrap();
        assert_eq!(flags[0], (UsageFlag::PickerOpened, 2), "{}", t.url);
        assert!(flags[1..].iter().all(|(_, n)| *n == 0), "{flags:?}");
        let theirs = other.flags(NOW).await.unwrap();
        assert!(theirs.contains(&(UsageFlag::FiltersUsed, 1)));
        assert!(theirs.contains(&(UsageFlag::PickerOpened, 0)));
    }
}

fn hello() -> Draft {
    Draft {
        name: "Hello".into(),
        body: "Hi".into(),
        description: String::new(),
        folder: None,
        tags: Vec::new(),
        scope: Scope::Global,
    }
}

#[tokio::test]
async fn every_template_change_raises_the_revision_and_favourites_follow_templates() {
    for t in testing::all_backends().await.unwrap() {
        let templates = Templates::new(tenant(&t, "a").await);
        let other = Templates::new(tenant(&t, "b").await);
        assert_eq!(templates.revision().await.unwrap(), 0);
        let draft = hello();
        let made = templates.create(&draft, "acc", 1).await.unwrap();
        let mut seen = vec![templates.revision().await.unwrap()];
        templates.update(&made.id, &draft, 2).await.unwrap();
        seen.push(templates.revision().await.unwrap());
        templates.record_use(&made.id, "acc", 3).await.unwrap();
        seen.push(templates.revision().await.unwrap());
        templates.create(&draft, "acc", 3).await.unwrap();
        seen.push(templates.revision().await.unwrap());
        templates
            .set_favourite("acc", &made.id, true, 4)
            .await
            .unwrap();
        templates
            .set_favourite("acc", &made.id, true, 4)
            .await
            .unwrap();
        assert_eq!(templates.favourites("acc").await.unwrap().len(), 1);
        assert!(templates.favourites("acc-2").await.unwrap().is_empty());
        templates.delete(&made.id).await.unwrap();
        seen.push(templates.revision().await.unwrap());
        assert_eq!(seen, [1, 2, 2, 3, 4], "{}: a use does not raise it", t.url);
        assert!(
            templates.favourites("acc").await.unwrap().is_empty(),
            "gone with it"
        );
        assert_eq!(
            other.revision().await.unwrap(),
            0,
            "another tenant's is its own"
        );
    }
}

#[tokio::test]
async fn an_agents_revision_moves_with_their_uses_and_marks_only() {
    for t in testing::all_backends().await.unwrap() {
        let templates = Templates::new(tenant(&t, "a").await);
        let other = Templates::new(tenant(&t, "b").await);
        let none = templates.revisions("agent").await.unwrap();
        assert_eq!((none.templates, none.mine), (0, 0), "{}", t.url);
        let draft = hello();
        let made = templates.create(&draft, "author", 1).await.unwrap();
        let mut seen = vec![templates.revisions("agent").await.unwrap()];
        templates.record_use(&made.id, "agent", 2).await.unwrap();
        seen.push(templates.revisions("agent").await.unwrap());
        templates
            .set_favourite("agent", &made.id, true, 3)
            .await
            .unwrap();
        seen.push(templates.revisions("agent").await.unwrap());
        templates
            .set_favourite("agent", &made.id, false, 4)
            .await
            .unwrap();
        seen.push(templates.revisions("agent").await.unwrap());
        templates.record_use(&made.id, "someone", 5).await.unwrap();
        templates.update(&made.id, &draft, 6).await.unwrap();
        seen.push(templates.revisions("agent").await.unwrap());
        let seen: Vec<(i64, i64)> = seen.iter().map(|r| (r.templates, r.mine)).collect();
        assert_eq!(
            seen,
            [(1, 0), (1, 1), (1, 2), (1, 3), (2, 3)],
            "{}: another agent's use moves neither",
            t.url
        );
        assert!(!templates.record_use("missing", "agent", 7).await.unwrap());
        assert_eq!(templates.revisions("agent").await.unwrap().mine, 3);
        let elsewhere = other.revisions("agent").await.unwrap();
        assert_eq!((elsewhere.templates, elsewhere.mine), (0, 0), "per tenant");
    }
}
