use super::*;
use crate::canned::model::{Draft, Scope};

const NOW: i64 = 1_800_000_000_000;
const DAY: i64 = 24 * 3_600_000;

fn template(id: &str, name: &str, tags: &[&str], body: &str, usage: i64) -> Template {
    Template {
        id: id.into(),
        draft: Draft {
            name: name.into(),
            body: body.into(),
            description: String::new(),
            folder: None,
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            scope: Scope::Global,
        },
        owner: "acc".into(),
        created_ms: 0,
        updated_ms: 0,
        usage_count: usage,
        last_used_ms: None,
    }
}

fn ids(index: &SearchIndex, list: &[Template], query: &str, recent: &RecentUse) -> Vec<String> {
    index
        .search(query, recent, NOW, 10)
        .into_iter()
        .map(|h| list[h.position].id.clone())
        .collect()
}

fn sample() -> Vec<Template> {
    vec![
        template(
            "a",
            "Refund approved",
            &["billing"],
            "Your refund is on its way.",
            3,
        ),
        template(
            "b",
            "Password reset",
            &["account"],
            "Use the reset link to get a new refund-free password.",
            50,
        ),
        template(
            "c",
            "Billing question",
            &["refund"],
            "We looked at your invoice.",
            0,
        ),
        template(
            "d",
            "Closing for no reply",
            &[],
            "We close this for now.",
            10,
        ),
    ]
}

#[test]
fn name_beats_tag_beats_body() {
    let list = sample();
    let index = SearchIndex::new(&list);
    assert_eq!(
        ids(&index, &list, "refund", &RecentUse::new()),
        ["a", "c", "b"]
    );
}

#[test]
fn every_term_must_match_somewhere() {
    let list = sample();
    let index = SearchIndex::new(&list);
    assert_eq!(
        ids(&index, &list, "REFUND invoice", &RecentUse::new()),
        ["c"]
    );
    assert!(ids(&index, &list, "refund nowhere", &RecentUse::new()).is_empty());
}

#[test]
fn empty_query_ranks_by_use() {
    let list = sample();
    let index = SearchIndex::new(&list);
    assert_eq!(
        ids(&index, &list, "  ", &RecentUse::new()),
        ["b", "d", "a", "c"]
    );
}

#[test]
fn the_callers_recent_use_lifts_a_template_and_fades() {
    let list = sample();
    let index = SearchIndex::new(&list);
    let mut recent = RecentUse::new();
    recent.insert("c".into(), (5, NOW - DAY));
    assert_eq!(ids(&index, &list, "", &recent)[0], "c");
    recent.insert("c".into(), (5, NOW - 91 * DAY));
    assert_eq!(ids(&index, &list, "", &recent)[0], "b");
}

#[test]
fn limit_keeps_the_best() {
    let list: Vec<Template> = (0..50)
        .map(|i| template(&i.to_string(), &format!("T{i:02}"), &[], "x", i))
        .collect();
    let index = SearchIndex::new(&list);
    let hits = index.search("", &RecentUse::new(), NOW, 3);
    let got: Vec<&str> = hits.iter().map(|h| list[h.position].id.as_str()).collect();
    assert_eq!(got, ["49", "48", "47"]);
    assert!(index.search("", &RecentUse::new(), NOW, 0).is_empty());
    assert!(SearchIndex::default().is_empty());
}

#[test]
fn non_ascii_text_matches_case_insensitively() {
    let list = vec![template("x", "Rückerstattung", &[], "GRÜSSE", 0)];
    let index = SearchIndex::new(&list);
    assert_eq!(ids(&index, &list, "RÜCK grüsse", &RecentUse::new()), ["x"]);
}

#[test]
fn ties_go_by_name_ignoring_case() {
    let list = vec![
        template("o", "Refund OPS", &[], "x", 0),
        template("a", "Refund approved", &[], "x", 0),
    ];
    let index = SearchIndex::new(&list);
    assert_eq!(ids(&index, &list, "refund", &RecentUse::new()), ["a", "o"]);
}

#[test]
fn favourites_come_first_and_kept_positions_only() {
    let list = sample();
    let index = SearchIndex::new(&list);
    let recent = RecentUse::new();
    let favourites: std::collections::HashSet<String> = ["c".to_owned()].into();
    let mine = Mine {
        recent: &recent,
        favourites: Some(&favourites),
    };
    let hits = index.search_where("", &mine, NOW, 10, |_| true);
    assert_eq!(list[hits[0].position].id, "c");
    let without_c = index.search_where("", &mine, NOW, 10, |p| list[p].id != "c");
    assert!(without_c.iter().all(|h| list[h.position].id != "c"));
    assert_eq!(without_c.len(), hits.len() - 1);
}
