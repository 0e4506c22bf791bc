#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The kept search index: reused while the tenant's templates stay as they are, prepared
//! again after any change, including one made through another instance (another cache on
//! the same database).

mod responses_support;

use std::sync::Arc;

use postroom_core::canned::Scope;
use postroom_core::ports::tracker::Dialect;
use postroom_engine::responses::{FactsCache, Responses};
use responses_support::{ADMIN, AGENT, draft, world};

fn names(found: &[postroom_engine::responses::Visible]) -> Vec<&str> {
    found
        .iter()
        .map(|v| v.template.draft.name.as_str())
        .collect()
}

#[tokio::test]
async fn the_index_is_kept_between_searches_and_follows_every_change() {
    let w = world(Dialect::CloudV3).await;
    let admin = w.as_(ADMIN);
    admin
        .create(
            draft("Refund sent", "Your refund is on its way.", Scope::Global),
            1,
        )
        .await
        .unwrap();
    // This instance's cache keeps prepared indexes (the world's own refreshes them on
    // every search); the agent searches through it.
    let kept = FactsCache::default();
    let agent = Responses::new(
        &w.jira,
        w.templates.clone(),
        &kept,
        "default",
        &w.sandbox.base_url,
        AGENT,
    );
    let first = kept
        .indexes()
        .current("default", &w.templates)
        .await
        .unwrap();
    let again = kept
        .indexes()
        .current("default", &w.templates)
        .await
        .unwrap();
    assert!(
        Arc::ptr_eq(&first, &again),
        "no change: the same prepared index"
    );

    let found = agent.search_in("refund", Some("SUP"), 10, 2).await.unwrap();
    assert_eq!(names(&found), ["Refund sent"]);

    // Another instance: its own cache, the same database.
    let other_cache = FactsCache::default();
    let other = Responses::new(
        &w.jira,
        w.templates.clone(),
        &other_cache,
        "default",
        &w.sandbox.base_url,
        ADMIN,
    );
    let second = other
        .create(
            draft("Refund refused", "We cannot refund this.", Scope::Global),
            3,
        )
        .await
        .unwrap();
    let found = agent.search_in("refund", None, 10, 4).await.unwrap();
    assert_eq!(names(&found), ["Refund refused", "Refund sent"]);

    let mut changed = second.draft.clone();
    changed.name = "Refund declined".into();
    other.update(&second.id, changed, 5).await.unwrap();
    let found = agent.search_in("declined", None, 10, 6).await.unwrap();
    assert_eq!(names(&found), ["Refund declined"]);

    other.delete(&second.id).await.unwrap();
    let found = agent.search_in("refund", None, 10, 7).await.unwrap();
    assert_eq!(names(&found), ["Refund sent"]);
    let last = kept
        .indexes()
        .current("default", &w.templates)
        .await
        .unwrap();
    assert!(!Arc::ptr_eq(&first, &last));
    assert!(last.revision > first.revision);
}

#[tokio::test]
async fn favourites_come_first_and_only_the_callers() {
    let w = world(Dialect::CloudV3).await;
    let admin = w.as_(ADMIN);
    for name in ["Alpha answer", "Beta answer", "Gamma answer"] {
        admin
            .create(draft(name, "Thanks for writing.", Scope::Global), 1)
            .await
            .unwrap();
    }
    let all = w.as_(AGENT).search_in("answer", None, 10, 2).await.unwrap();
    assert_eq!(names(&all), ["Alpha answer", "Beta answer", "Gamma answer"]);
    let gamma = all[2].template.id.clone();
    w.as_(AGENT).set_favourite(&gamma, true, 3).await.unwrap();
    let mine = w.as_(AGENT).search_in("answer", None, 10, 4).await.unwrap();
    assert_eq!(
        names(&mine),
        ["Gamma answer", "Alpha answer", "Beta answer"]
    );
    let theirs = w.as_(ADMIN).search_in("answer", None, 10, 4).await.unwrap();
    assert_eq!(
        names(&theirs),
        ["Alpha answer", "Beta answer", "Gamma answer"]
    );
    w.as_(AGENT).set_favourite(&gamma, false, 5).await.unwrap();
    let mine = w.as_(AGENT).search_in("answer", None, 10, 6).await.unwrap();
    assert_eq!(
        names(&mine),
        ["Alpha answer", "Beta answer", "Gamma answer"]
    );
}
