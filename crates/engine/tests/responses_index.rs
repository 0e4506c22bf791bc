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

/// A service for `who` over `cache`, as an instance with that cache would build it.
fn on<'a>(
    w: &'a responses_support::World,
    cache: &'a FactsCache,
    who: &str,
) -> Responses<'a, postroom_jira::JiraClient> {
    Responses::new(
        &w.jira,
        w.templates.clone(),
        cache,
        "default",
        &w.sandbox.base_url,
        who,
    )
}

#[tokio::test]
async fn kept_recent_uses_and_favourites_follow_changes_made_through_another_instance() {
    let w = world(Dialect::CloudV3).await;
    let admin = w.as_(ADMIN);
    let mut ids = Vec::new();
    for name in ["Alpha answer", "Beta answer", "Gamma answer"] {
        let made = admin
            .create(draft(name, "Thanks for writing.", Scope::Global), 1)
            .await
            .unwrap();
        ids.push(made.id);
    }
    let kept = FactsCache::default();
    let other = FactsCache::default();
    let here = on(&w, &kept, AGENT);
    let there = on(&w, &other, AGENT);
    let search = || here.search_in("answer", None, 10, 10);
    assert_eq!(
        names(&search().await.unwrap()),
        ["Alpha answer", "Beta answer", "Gamma answer"]
    );
    assert_eq!(
        names(&search().await.unwrap()),
        ["Alpha answer", "Beta answer", "Gamma answer"],
        "kept, unchanged"
    );

    there.set_favourite(&ids[2], true, 11).await.unwrap();
    assert_eq!(
        names(&search().await.unwrap()),
        ["Gamma answer", "Alpha answer", "Beta answer"],
        "a mark made elsewhere counts at once"
    );
    w.templates.record_use(&ids[1], AGENT, 12).await.unwrap();
    assert_eq!(
        names(&search().await.unwrap()),
        ["Gamma answer", "Beta answer", "Alpha answer"],
        "so does a use"
    );
    there.set_favourite(&ids[2], false, 13).await.unwrap();
    assert_eq!(
        names(&search().await.unwrap()),
        ["Beta answer", "Alpha answer", "Gamma answer"],
        "and an unmarking"
    );
    // Another agent's use and marks do not touch this agent's copy.
    on(&w, &other, ADMIN)
        .set_favourite(&ids[0], true, 14)
        .await
        .unwrap();
    assert_eq!(
        names(&search().await.unwrap()),
        ["Beta answer", "Alpha answer", "Gamma answer"]
    );

    // A deleted template takes its uses with it: the copy is read again.
    on(&w, &other, ADMIN).delete(&ids[1]).await.unwrap();
    assert_eq!(
        names(&search().await.unwrap()),
        ["Alpha answer", "Gamma answer"]
    );
}

#[tokio::test]
async fn a_kept_favourite_the_agent_may_no_longer_use_is_never_offered() {
    let w = world(Dialect::CloudV3).await;
    let admin = w.as_(ADMIN);
    let made = admin
        .create(draft("Tier two answer", "Escalated.", Scope::Global), 1)
        .await
        .unwrap();
    // Facts are read from Jira on every search here, the prepared index and the
    // agent's recent uses and favourites are kept.
    let kept = FactsCache::with_ttl(std::time::Duration::ZERO);
    let agent = on(&w, &kept, AGENT);
    agent.set_favourite(&made.id, true, 2).await.unwrap();
    w.templates.record_use(&made.id, AGENT, 3).await.unwrap();
    assert_eq!(
        names(&agent.search_in("", Some("SUP"), 10, 4).await.unwrap()),
        ["Tier two answer"]
    );

    // Narrowed to a group the agent is not in, through another instance.
    let other = FactsCache::default();
    let mut narrowed = made.draft.clone();
    narrowed.scope = Scope::Groups(vec!["tier-2".into()]);
    w.call(
        reqwest::Method::POST,
        "3/group",
        Some(serde_json::json!({"name": "tier-2"})),
    )
    .await;
    on(&w, &other, ADMIN)
        .update(&made.id, narrowed, 5)
        .await
        .unwrap();
    for query in ["", "tier", "escalated"] {
        assert!(
            agent
                .search_in(query, Some("SUP"), 10, 6)
                .await
                .unwrap()
                .is_empty(),
            "{query:?}: a favourite and recent use grant nothing"
        );
    }

    // Joining the group in Jira offers it again, still first as a favourite.
    w.call(
        reqwest::Method::POST,
        "3/group/user?groupname=tier-2",
        Some(serde_json::json!({"accountId": AGENT})),
    )
    .await;
    let found = agent.search_in("", Some("SUP"), 10, 7).await.unwrap();
    assert_eq!(names(&found), ["Tier two answer"]);
    assert_eq!(
        found[0].access,
        postroom_core::canned::Access::Use,
        "to use, not to change"
    );
}

#[tokio::test]
async fn searches_that_find_the_index_out_of_date_share_one_preparation() {
    let w = world(Dialect::CloudV3).await;
    let drafts: Vec<_> = (0..200)
        .map(|i| draft(&format!("Answer {i}"), "Thanks.", Scope::Global))
        .collect();
    w.templates.create_many(&drafts, ADMIN, 1).await.unwrap();
    let kept = FactsCache::default();
    let before = kept
        .indexes()
        .current("default", &w.templates)
        .await
        .unwrap();
    w.templates
        .create(&draft("One more", "Thanks.", Scope::Global), ADMIN, 2)
        .await
        .unwrap();
    let searches = (0..8).map(|_| kept.indexes().current("default", &w.templates));
    let after = futures::future::try_join_all(searches).await.unwrap();
    assert!(
        after.iter().all(|p| Arc::ptr_eq(p, &after[0])),
        "one preparation for all"
    );
    assert!(!Arc::ptr_eq(&before, &after[0]));
    assert_eq!(after[0].templates.len(), 201);
}
