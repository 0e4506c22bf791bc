#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Canned-response storage on every backend: round trip, update, delete, usage counting,
//! per-agent recent use with its 90-day window, all-or-nothing imports, tenant isolation.

use postroom_core::canned::{Draft, Scope};
use postroom_core::tenant::TenantId;
use postroom_store::templates::Templates;
use postroom_store::testing::{self, TestStore};
use postroom_store::{JiraConnection, TenantStore};

const DAY: i64 = 86_400_000;

fn draft(name: &str, scope: Scope) -> Draft {
    Draft {
        name: name.to_owned(),
        body: "Hi {{ reporter.first_name }}".to_owned(),
        description: "greets".to_owned(),
        folder: Some("Basics".to_owned()),
        tags: vec!["hello".to_owned(), "ünïcode".to_owned()],
        scope,
    }
}

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
async fn templates_round_trip_and_change() {
    for t in testing::all_backends().await.unwrap() {
        let repo = Templates::new(tenant(&t, "a").await);
        let groups = Scope::Groups(vec!["tier-2".into(), "billing".into()]);
        let made = repo
            .create(&draft("Hello", groups.clone()), "acc-1", 10)
            .await
            .unwrap();
        let got = repo.get(&made.id).await.unwrap().unwrap();
        assert_eq!(got, made);
        assert_eq!(got.draft.scope, groups);
        assert_eq!(got.draft.tags, ["hello", "ünïcode"]);

        let mut changed = draft("Hello again", Scope::Personal);
        changed.folder = None;
        let updated = repo.update(&made.id, &changed, 20).await.unwrap().unwrap();
        assert_eq!(updated.draft, changed);
        assert_eq!((updated.created_ms, updated.updated_ms), (10, 20));
        assert_eq!(updated.owner, "acc-1");
        assert!(repo.update("nope", &changed, 20).await.unwrap().is_none());

        assert!(repo.delete(&made.id).await.unwrap());
        assert!(!repo.delete(&made.id).await.unwrap());
        assert!(repo.get(&made.id).await.unwrap().is_none());
        assert!(repo.list().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn uses_count_and_rank_per_agent_within_90_days() {
    for t in testing::all_backends().await.unwrap() {
        let repo = Templates::new(tenant(&t, "a").await);
        let a = repo
            .create(&draft("A", Scope::Global), "acc-1", 0)
            .await
            .unwrap();
        let b = repo
            .create(&draft("B", Scope::Global), "acc-1", 0)
            .await
            .unwrap();
        let now = 200 * DAY;
        assert!(
            repo.record_use(&a.id, "agent-1", now - 100 * DAY)
                .await
                .unwrap()
        );
        assert!(repo.record_use(&a.id, "agent-1", now - DAY).await.unwrap());
        assert!(repo.record_use(&a.id, "agent-1", now).await.unwrap());
        assert!(repo.record_use(&b.id, "agent-2", now).await.unwrap());
        assert!(!repo.record_use("missing", "agent-1", now).await.unwrap());

        let a_now = repo.get(&a.id).await.unwrap().unwrap();
        assert_eq!((a_now.usage_count, a_now.last_used_ms), (3, Some(now)));
        let recent = repo.recent_use("agent-1", now).await.unwrap();
        assert_eq!(
            recent.get(&a.id),
            Some(&(2, now)),
            "the 100-day-old use is gone"
        );
        assert!(!recent.contains_key(&b.id));
        assert!(repo.recent_use("agent-3", now).await.unwrap().is_empty());

        repo.delete(&a.id).await.unwrap();
        assert!(repo.recent_use("agent-1", now).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn an_import_is_saved_whole() {
    for t in testing::all_backends().await.unwrap() {
        let repo = Templates::new(tenant(&t, "a").await);
        let drafts: Vec<Draft> = (0..25)
            .map(|i| draft(&format!("T{i:02}"), Scope::Global))
            .collect();
        let made = repo.create_many(&drafts, "acc-1", 5).await.unwrap();
        assert_eq!(made.len(), 25);
        let listed = repo.list().await.unwrap();
        assert_eq!(listed.len(), 25);
        assert_eq!(listed[0].draft.name, "T00");
        assert!(repo.create_many(&drafts, " ", 5).await.is_err());
        assert!(repo.create_many(&[], "acc-1", 5).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_tenant_never_reaches_another_tenants_templates() {
    for t in testing::all_backends().await.unwrap() {
        let a = Templates::new(tenant(&t, "a").await);
        let b = Templates::new(tenant(&t, "b").await);
        let of_b = b
            .create(&draft("B's", Scope::Global), "acc-b", 1)
            .await
            .unwrap();
        b.record_use(&of_b.id, "acc-b", 2).await.unwrap();

        assert!(a.get(&of_b.id).await.unwrap().is_none());
        assert!(a.list().await.unwrap().is_empty());
        assert!(
            a.update(&of_b.id, &draft("x", Scope::Global), 3)
                .await
                .unwrap()
                .is_none()
        );
        assert!(!a.record_use(&of_b.id, "acc-b", 3).await.unwrap());
        assert!(a.recent_use("acc-b", 3).await.unwrap().is_empty());
        assert!(!a.delete(&of_b.id).await.unwrap());

        let still = b.get(&of_b.id).await.unwrap().unwrap();
        assert_eq!((still.draft.name.as_str(), still.usage_count), ("B's", 1));
    }
}
