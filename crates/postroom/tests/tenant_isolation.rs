#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Two Jira sites on one postroom: a principal of site A (an admin token, then an admin's
//! console session) calls every route with site B's ids, and gets 404 exactly as for an id
//! that does not exist, and never a byte of B's data; B's data is unchanged afterwards, and
//! B's own administrator reaches every one of those ids (so they were real).
//!
//! The routes come from the router itself (its paths, each probed for its methods) and must
//! equal the OpenAPI document's; each must be classified in [`classify`] or
//! [`OUTSIDE_API`], so a new route fails this test until someone says how it keeps sites
//! apart.

mod console_support;
mod isolation_support;

use std::collections::BTreeSet;

use console_support::{Console, Who};
use isolation_support::{
    Auth, B, B_OWN, B_SENDER, Body, MARK, SiteB, Thing, call, draft, mail, seed_b, tenant,
};
use postroom::config::OauthProvider;
use serde_json::{Value, json};

/// An id of each shape that names nothing anywhere.
const GHOST: &str = "000000000000000000000000";
const GHOST_JOB: &str = "999999999";

/// What a route does with a site's data, and so what another site's principal must get.
#[derive(Debug, Clone, Copy)]
enum Class {
    /// Names one of the caller's things: another site's id answers 404, word for word as an
    /// id that does not exist.
    ById(Thing),
    /// Lists the caller's things: 200, none of another site's.
    List,
    /// Makes something in the caller's site from the body alone: 2xx, none of another site's.
    Creates,
    /// Reads or writes no site's stored data by id; why.
    NoTenantData(&'static str),
    /// Looks a person up by the address in the body, in the caller's site only: 200, none
    /// of another site's (asked about B's customer, A finds and erases nothing of B's).
    AboutPerson,
    /// Clears the entry of the address in the body from the caller's suppression list:
    /// asked about B's suppressed customer, A gets 404 (not on A's list), and B's entry
    /// stays (B's snapshot).
    ClearsPerson,
    /// Saves a profile that claims B's own address: 422 at that address, naming no site,
    /// and B's profile stays (B's snapshot).
    ClaimsOwn,
    /// Lists or names versions of the caller's own profile by number, which every site
    /// counts from 1: called with B's numbers, A gets its own versions or 404, never a byte
    /// of B's, and B's profile stays (B's snapshot).
    Numbered,
}

fn classify(method: &str, path: &str) -> Option<Class> {
    use Class::*;
    Some(match (method, path) {
        ("get", "/api/v1/openapi.json") => NoTenantData("the API's own description"),
        ("get", "/api/v1/whoami" | "/api/v1/session") => {
            NoTenantData("the caller's own identity, from its token or session")
        }
        ("post", "/api/v1/session/link") => NoTenantData(
            "takes a one-time secret, not an id: whoever holds site B's link is B's user",
        ),
        ("post", "/api/v1/session/signout") => NoTenantData("ends the caller's own session"),
        ("get", "/api/v1/usage") => {
            NoTenantData("counts of the caller's own site only; takes no id")
        }
        ("get", "/api/v1/agent/favourites") => {
            NoTenantData("the caller's own favourite marks; takes no id")
        }
        ("get", "/api/v1/agent/issues" | "/api/v1/agent/issues/{key}") => NoTenantData(
            "looks up issues in the caller's own site's Jira by key or JQL; no stored id",
        ),
        ("post", "/api/v1/usage/flags") => Creates,
        ("post", "/api/v1/feedback") => NoTenantData(
            "passes the caller's own words to the operator; takes no id and reads nothing stored",
        ),
        ("get", "/api/v1/settings/jira/check") => {
            NoTenantData("asks the caller's own site's Jira; takes no id")
        }
        (
            _,
            "/api/v1/settings/retention"
            | "/api/v1/settings/raw-mail"
            | "/api/v1/settings/outbound"
            | "/api/v1/settings/webhook-secret"
            | "/api/v1/settings/webhook-secret/rotate",
        ) => NoTenantData("reads or changes the caller's own site's settings; takes no id"),
        ("post", "/api/v1/settings/outbound/test") => NoTenantData(
            "sends a test through the caller's own site's transport, recorded in its own \
             sent mail; asked about B's customer, it reads nothing of B's",
        ),
        ("get", "/api/v1/templates/variables") => {
            NoTenantData("the variables of the caller's own site's Jira fields; takes no id")
        }
        ("post", "/api/v1/templates/preview") => NoTenantData(
            "renders the body it is sent for an issue of the caller's own site's Jira; no stored id",
        ),
        ("post", "/api/v1/mail" | "/api/v1/templates" | "/api/v1/templates/import") => Creates,
        ("get", "/api/v1/profile" | "/api/v1/testcases") => List,
        ("get", "/api/v1/profile/versions") => Numbered,
        ("put", "/api/v1/profile") => ClaimsOwn,
        (_, p) if p.starts_with("/api/v1/profile/versions/{version}") => Numbered,
        ("post", "/api/v1/testcases") => NoTenantData(
            "keeps the uploaded mail in the caller's own site, planned by its own profile \
             (409 here: site A has none); takes no id",
        ),
        ("post", "/api/v1/testcases/run") => NoTenantData(
            "replays the caller's own test cases against its own profile or the one sent \
             (409 here: site A has none); B's case ids name none of A's",
        ),
        (_, p) if p.starts_with("/api/v1/testcases/{id}") => ById(Thing::TestCase),
        ("post", "/api/v1/profile/try") => NoTenantData(
            "dry-runs the body's mail (here one to B's own address) under the body's profile \
             and the caller's own site's profile in force; stores nothing",
        ),
        ("post", "/api/v1/profile/regex") => {
            NoTenantData("compiles the body's pattern and tries it on the body's samples")
        }
        ("get", "/api/v1/notifications/defaults") => {
            NoTenantData("postroom's own templates and variables; no site's data")
        }
        ("post", "/api/v1/notifications/preview") => NoTenantData(
            "renders the templates it is sent for the example or an issue of the caller's own \
             site's Jira; stores nothing",
        ),
        ("post", "/api/v1/notifications/test") => NoTenantData(
            "sends to the address in the body from the caller's own site's profile, checked \
             against its own suppression list and counted in its own allowance",
        ),
        ("get", "/api/v1/notifications/previews/{id}") => ById(Thing::Preview),
        ("get", "/api/v1/mailboxes") => List,
        ("post", "/api/v1/mailboxes") => NoTenantData(
            "adds a mailbox to the caller's own site from the body alone (the second \
             principal's add of the same name: 409, already added)",
        ),
        ("post", "/api/v1/mailboxes/connect") => NoTenantData(
            "starts a consent for a mailbox of the caller's own site (refused here: no \
             provider set up, or a token instead of a session); names no stored id",
        ),
        (_, p) if p.starts_with("/api/v1/mailboxes/{id}") => ById(Thing::Mailbox),
        ("post", p) if p.starts_with("/api/v1/people/") => AboutPerson,
        ("post", "/api/v1/suppressions/clear") => ClearsPerson,
        ("get", "/api/v1/inventory") => {
            NoTenantData("the code's declarations and the caller's own site's periods; takes no id")
        }
        ("get", "/api/v1/access-log") => NoTenantData(
            "the caller's own site's lines (route templates, statuses, accounts); takes no id",
        ),
        (_, p) if p.starts_with("/api/v1/backups") => NoTenantData(
            "the instance's backups, for the administrators of its own site only (409 \
             here: none configured); names no site's data",
        ),
        ("post", "/api/v1/site/erase") => NoTenantData(
            "erases the caller's own site only, once it typed its own name; A typing B's \
             name is refused",
        ),
        ("post", "/api/v1/tokens") => Creates,
        ("delete", "/api/v1/tokens/{id}") => ById(Thing::Token),
        ("get", "/api/v1/suppressions" | "/api/v1/tokens") => List,
        (
            "get",
            "/api/v1/overview"
            | "/api/v1/jobs"
            | "/api/v1/audit"
            | "/api/v1/audit/sent"
            | "/api/v1/templates"
            | "/api/v1/templates/search"
            | "/api/v1/templates/export"
            | "/api/v1/templates/insights",
        ) => List,
        (_, p) if p.starts_with("/api/v1/audit/sent/{id}") => ById(Thing::Sent),
        (_, p) if p.starts_with("/api/v1/audit/{id}") => ById(Thing::Intake),
        (_, p) if p.starts_with("/api/v1/jobs/{id}") => ById(Thing::DeadJob),
        (_, p) if p.starts_with("/api/v1/templates/{id}") => ById(Thing::Template),
        _ => return None,
    })
}

/// The routes outside `/api/v1`: no principal's token or session names a site's id there.
const OUTSIDE_API: &[(&str, &str)] = &[
    ("/", "the console's static page"),
    (
        "/agent",
        "the console's static page, opening on the agent's picker",
    ),
    ("/assets/console.css", "the console's static style"),
    ("/assets/console.js", "the console's static script"),
    (
        "/auth/signin",
        "starts the sign-in to the instance's site; names no stored id",
    ),
    (
        "/auth/callback",
        "ends that sign-in with the provider's one-time code and state",
    ),
    (
        "/auth/mailbox/callback",
        "ends a mailbox's consent for the caller's own site, in the session that started it",
    ),
    ("/healthz", "the instance's liveness"),
    ("/readyz", "the instance's readiness"),
    (
        "/metrics",
        "instance metrics behind the operator's token; sites are opaque labels",
    ),
    (
        "/webhooks/jira",
        "Jira's deliveries, verified by the site's webhook secret",
    ),
    (
        "/webhooks/jira/{tenant}",
        "Jira's deliveries, verified by the named site's secret",
    ),
    (
        "/forge/events",
        "Forge's deliveries: the site is the one its invocation token names, never the body's",
    ),
    (
        "/forge/lifecycle",
        "Forge's install events: the site is the one its invocation token names",
    ),
    (
        "/forge/schedule",
        "Forge's scheduled trigger: the site is the one its invocation token names",
    ),
];

/// A version route with B's first version on each side.
fn numbered(path: &str) -> String {
    path.replace("{version}", "1").replace("{other}", "1")
}

/// Extra query strings a list route is also called with, naming B's data.
fn queries(path: &str, b: &SiteB) -> Vec<String> {
    match path {
        "/api/v1/audit" => vec![
            String::new(),
            format!("?from={}", b.sender_hash),
            format!("?from={B_SENDER}"),
            "?status=created".to_owned(),
        ],
        "/api/v1/templates/search" => vec![String::new(), format!("?q={MARK}")],
        "/api/v1/suppressions" => vec![String::new(), format!("?address={B_SENDER}")],
        _ => vec![String::new()],
    }
}

/// The body a route is called with by site A.
fn body_of(method: &str, path: &str, b: &SiteB) -> Option<Body> {
    Some(match (method, path) {
        ("post", "/api/v1/mail" | "/api/v1/testcases") => {
            Body::Mail(mail("al@alpha.example", "alpha upload"))
        }
        ("post", "/api/v1/testcases/run") => Body::Json(json!({"ids": [b.ids[&Thing::TestCase]]})),
        ("post", "/api/v1/testcases/{id}/accept") => Body::Json(json!({})),
        ("post", "/api/v1/profile/versions/{version}/restore") => {
            Body::Json(json!({"base_version": 0}))
        }
        ("post", "/api/v1/templates") | ("put", "/api/v1/templates/{id}") => {
            Body::Json(draft("alpha"))
        }
        ("post", "/api/v1/templates/import") => Body::Json(json!({
            "format": "postroom.templates", "version": 1, "templates": [draft("alpha imported")]
        })),
        ("post", "/api/v1/templates/{id}/render") => Body::Json(json!({"issue": b.issue_key})),
        ("post", "/api/v1/templates/preview") => {
            Body::Json(json!({"body": "About {{ issue.key }}", "issue": b.issue_key}))
        }
        ("post", "/api/v1/templates/{id}/apply") => {
            Body::Json(json!({"issue": b.issue_key, "public": true}))
        }
        ("post", "/api/v1/session/link") => Body::Json(json!({"token": GHOST})),
        ("post", "/api/v1/usage/flags") => Body::Json(json!({"flag": "picker_opened"})),
        ("post", p) if p.starts_with("/api/v1/people/") => {
            Body::Json(json!({"address": B_SENDER, "deep": true}))
        }
        ("post", "/api/v1/suppressions/clear") => Body::Json(json!({"address": B_SENDER})),
        ("post", "/api/v1/settings/outbound/test") => Body::Json(json!({"to": B_SENDER})),
        ("post", "/api/v1/site/erase") => Body::Json(json!({"confirm": B})),
        ("post", "/api/v1/tokens") => Body::Json(json!({"name": "alpha", "scope": "agent"})),
        ("post", "/api/v1/mailboxes") => Body::Json(json!({"name": "alpha-desk",
            "server": "127.0.0.1", "port": 9, "security": "plain", "user": "al",
            "password": "alpha-password"})),
        ("put", "/api/v1/mailboxes/{id}") => Body::Json(json!({"server": "127.0.0.1",
            "port": 9, "security": "plain", "user": "al"})),
        ("post", "/api/v1/mailboxes/connect") => Body::Json(json!({"provider": "google",
            "name": "alpha-gmail", "server": "127.0.0.1", "user": "al"})),
        ("put", "/api/v1/profile") => Body::Json(json!({"base_version": 0, "profile": {
            "own": {"addresses": [B_OWN]}, "default": {"action": "ignore"}}})),
        ("post", "/api/v1/profile/try") => Body::Json(json!({
            "mail": format!("From: al@alpha.example\r\nTo: {B_OWN}\r\nSubject: alpha\r\n\r\nhi\r\n"),
            "profile": {"own": {"addresses": ["al@alpha.example"]}, "default": {"action": "ignore"}}})),
        ("post", "/api/v1/profile/regex") => Body::Json(json!({
            "kind": "address", "pattern": "*@beta-own.example", "samples": [B_OWN]})),
        ("post", "/api/v1/notifications/preview") => {
            Body::Json(json!({"event": "comment_added", "issue_key": b.issue_key}))
        }
        ("post", "/api/v1/notifications/test") => {
            Body::Json(json!({"to": B_SENDER, "event": "comment_added", "example": true}))
        }
        _ => return None,
    })
}

/// Every route the router serves, by method, probed without credentials: a method it does
/// not route answers 405, a path it does not know 404.
async fn routes_served(console: &Console) -> (BTreeSet<(String, String)>, Vec<String>) {
    assert!(
        console.paths.len() > 20,
        "the router's debug form no longer names its paths: {:?}",
        console.paths
    );
    let anonymous = Auth::Token(String::new());
    let mut api = BTreeSet::new();
    let mut outside = Vec::new();
    for path in &console.paths {
        if !path.starts_with("/api/v1") {
            outside.push(path.clone());
            continue;
        }
        let concrete = path.replace("{id}", "1");
        for method in ["get", "post", "put", "patch", "delete"] {
            let (status, _) = call(console, &anonymous, method, &concrete, None).await;
            if status != 404 && status != 405 {
                api.insert((method.to_owned(), path.clone()));
            }
        }
    }
    (api, outside)
}

/// The routes of the OpenAPI document, by method.
async fn routes_documented(console: &Console) -> BTreeSet<(String, String)> {
    let (_, text) = call(
        console,
        &Auth::Token(String::new()),
        "get",
        "/api/v1/openapi.json",
        None,
    )
    .await;
    let document: Value = serde_json::from_str(&text).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.clone(), path.clone()));
        }
    }
    routes
}

/// What B's administrator sees of B's lists, and B's test cases: must not change while A
/// calls.
async fn snapshot_b(console: &Console, b: &SiteB) -> Vec<String> {
    let auth = Auth::Token(b.token.clone());
    let mut seen = Vec::new();
    for path in [
        "/api/v1/audit",
        "/api/v1/jobs",
        "/api/v1/audit/sent",
        "/api/v1/templates",
        "/api/v1/templates/export",
        "/api/v1/suppressions",
        "/api/v1/profile",
        "/api/v1/mailboxes",
        "/api/v1/profile/versions",
        "/api/v1/testcases",
    ] {
        let (status, body) = call(console, &auth, "get", path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        seen.push(body);
    }
    let cases = tenant(console, B).await.test_cases().await.unwrap();
    seen.push(format!("{} test cases", cases.len()));
    seen
}

/// Calls every route as `auth` (a principal of site A) and returns what went wrong.
async fn sweep(
    console: &Console,
    routes: &[(String, String)],
    auth: &Auth,
    b: &SiteB,
) -> Vec<String> {
    let mut wrong = Vec::new();
    for (method, path) in routes {
        let class = classify(method, path).unwrap();
        let auth = if path == "/api/v1/session/signout" && matches!(auth, Auth::Session { .. }) {
            let (cookie, csrf) = console.session(Who::Admin).await;
            Auth::Session { cookie, csrf }
        } else {
            auth.clone()
        };
        match class {
            Class::ById(thing) => {
                let id = &b.ids[&thing];
                let ghost = if thing == Thing::DeadJob {
                    GHOST_JOB
                } else {
                    GHOST
                };
                let at = |id: &str| path.replace("{id}", id);
                let (status, body) =
                    call(console, &auth, method, &at(id), body_of(method, path, b)).await;
                let (_, ghost_body) =
                    call(console, &auth, method, &at(ghost), body_of(method, path, b)).await;
                let body = body.replace(id.as_str(), "{id}");
                if status != 404 {
                    wrong.push(format!("{method} {path} with B's id: {status}, not 404"));
                }
                if body != ghost_body.replace(ghost, "{id}") {
                    wrong.push(format!(
                        "{method} {path}: B's id answers {body:?}, an unknown id {ghost_body:?}"
                    ));
                }
                for leak in b.leaks(&body) {
                    wrong.push(format!("{method} {path} with B's id shows {leak:?}"));
                }
            }
            Class::ClearsPerson => {
                let (status, body) =
                    call(console, &auth, method, path, body_of(method, path, b)).await;
                if status != 404 {
                    wrong.push(format!(
                        "{method} {path} about B's customer: {status} {body}, not 404"
                    ));
                }
                for leak in b.leaks(&body) {
                    wrong.push(format!("{method} {path} about B's customer shows {leak:?}"));
                }
            }
            Class::ClaimsOwn => {
                let (status, body) =
                    call(console, &auth, method, path, body_of(method, path, b)).await;
                if status != 422 || !body.contains("own.addresses[0]") {
                    wrong.push(format!(
                        "{method} {path} claiming B's own address: {status} {body}, not 422 at it"
                    ));
                }
                for leak in b.leaks(&body) {
                    wrong.push(format!(
                        "{method} {path} claiming B's address shows {leak:?}"
                    ));
                }
            }
            Class::Numbered => {
                let numbered = numbered(path);
                let (status, body) =
                    call(console, &auth, method, &numbered, body_of(method, path, b)).await;
                if status >= 500 {
                    wrong.push(format!("{method} {numbered}: {status} {body}"));
                }
                for leak in b.leaks(&body) {
                    wrong.push(format!("{method} {numbered} shows {leak:?}"));
                }
            }
            Class::AboutPerson => {
                let (status, body) =
                    call(console, &auth, method, path, body_of(method, path, b)).await;
                if status != 200 {
                    wrong.push(format!(
                        "{method} {path} about B's customer: {status} {body}"
                    ));
                }
                for leak in b.leaks(&body) {
                    wrong.push(format!("{method} {path} about B's customer shows {leak:?}"));
                }
            }
            Class::List => {
                for query in queries(path, b) {
                    let (status, body) =
                        call(console, &auth, method, &format!("{path}{query}"), None).await;
                    if status != 200 {
                        wrong.push(format!("{method} {path}{query}: {status}, not 200"));
                    }
                    for leak in b.leaks(&body) {
                        wrong.push(format!("{method} {path}{query} shows {leak:?}"));
                    }
                }
            }
            Class::Creates | Class::NoTenantData(_) => {
                let (status, body) =
                    call(console, &auth, method, path, body_of(method, path, b)).await;
                let ok = match class {
                    Class::Creates => (200..300).contains(&status),
                    _ => status < 500,
                };
                if !ok {
                    let why = match class {
                        Class::NoTenantData(why) => why,
                        _ => "creates in the caller's site",
                    };
                    wrong.push(format!("{method} {path} ({why}): {status} {body}"));
                }
                for leak in b.leaks(&body) {
                    wrong.push(format!("{method} {path} shows {leak:?}"));
                }
            }
        }
    }
    wrong
}

/// B's own administrator reaches each id A was refused, and sees B's data in each list.
async fn b_reaches_its_own(
    console: &Console,
    routes: &[(String, String)],
    b: &SiteB,
) -> Vec<String> {
    let auth = Auth::Token(b.token.clone());
    let mut wrong = Vec::new();
    // Deleting comes last, the template itself at the very end: the other routes (its
    // favourite mark's too) need it still there.
    let mut ordered: Vec<_> = routes.iter().collect();
    ordered.sort_by_key(|(method, path)| (method == "delete", path == "/api/v1/templates/{id}"));
    for (method, path) in ordered {
        match classify(method, path).unwrap() {
            Class::ById(thing) => {
                let concrete = path.replace("{id}", &b.ids[&thing]);
                let (status, body) =
                    call(console, &auth, method, &concrete, body_of(method, path, b)).await;
                if status == 404 || status >= 500 {
                    wrong.push(format!("B's own {method} {path}: {status} {body}"));
                }
            }
            Class::List => {
                let (status, body) = call(console, &auth, method, path, None).await;
                if status != 200 || b.leaks(&body).is_empty() {
                    wrong.push(format!(
                        "B's own {method} {path} shows none of B: {status} {body}"
                    ));
                }
            }
            // B's own look-up finds B's customer; erasing them would spoil the other
            // routes' ids, and the export is the same look-up written as an archive.
            Class::AboutPerson if path == "/api/v1/people/find" => {
                let (status, body) =
                    call(console, &auth, method, path, body_of(method, path, b)).await;
                if status != 200 || b.leaks(&body).is_empty() {
                    wrong.push(format!(
                        "B's own {method} {path} finds none of B: {status} {body}"
                    ));
                }
            }
            // B reads its own versions (its first one's document holds its mark); a
            // restore would only add a version.
            Class::Numbered if method == "get" => {
                let (status, body) = call(console, &auth, method, &numbered(path), None).await;
                let document = path == "/api/v1/profile/versions/{version}";
                if status != 200 || (document && b.leaks(&body).is_empty()) {
                    wrong.push(format!(
                        "B's own {method} {path} shows none of B: {status} {body}"
                    ));
                }
            }
            // B's own clear would spoil the snapshot that proves A's left B's entry alone.
            // B saved its profile while seeding, and the snapshot shows it unchanged.
            Class::AboutPerson
            | Class::ClearsPerson
            | Class::ClaimsOwn
            | Class::Numbered
            | Class::Creates
            | Class::NoTenantData(_) => {}
        }
    }
    wrong
}

#[tokio::test]
async fn a_principal_of_one_site_reaches_nothing_of_another_on_any_route() {
    for store in postroom_store::testing::all_backends().await.unwrap() {
        one_site_reaches_nothing_of_another(
            Console::start_on(OauthProvider::Atlassian, store).await,
        )
        .await;
    }
}

async fn one_site_reaches_nothing_of_another(console: Console) {
    let sandbox_b = console.add_site(B).await;
    let b = seed_b(&console, &sandbox_b.base_url).await;
    let a_token = console.admin_token("default").await;
    let a = Auth::Token(a_token);
    let (status, body) = call(
        &console,
        &a,
        "post",
        "/api/v1/templates",
        Some(Body::Json(draft("alpha own"))),
    )
    .await;
    assert_eq!(status, 201, "A has a template of its own: {body}");
    let (status, _) = call(
        &console,
        &a,
        "post",
        "/api/v1/mail",
        Some(Body::Mail(mail("al@alpha.example", "alpha own"))),
    )
    .await;
    assert_eq!(status, 202);

    let documented = routes_documented(&console).await;
    let (served, outside) = routes_served(&console).await;
    let undocumented = ("get".to_owned(), "/api/v1/openapi.json".to_owned());
    let mut wrong = Vec::new();
    for route in served.difference(&documented) {
        if *route != undocumented {
            wrong.push(format!(
                "{route:?} is served but not in the OpenAPI document"
            ));
        }
    }
    for route in documented.difference(&served) {
        wrong.push(format!("{route:?} is documented but not served"));
    }
    let listed: BTreeSet<&str> = OUTSIDE_API.iter().map(|(p, _)| *p).collect();
    for path in &outside {
        if !listed.contains(path.as_str()) {
            wrong.push(format!(
                "{path}: not in OUTSIDE_API; say why no site's id reaches it"
            ));
        }
    }
    for path in listed {
        if !outside.iter().any(|p| p == path) {
            wrong.push(format!("{path} is in OUTSIDE_API but no longer served"));
        }
    }
    let routes: Vec<(String, String)> = served.into_iter().collect();
    for (method, path) in &routes {
        if classify(method, path).is_none() {
            wrong.push(format!(
                "{method} {path}: not classified; say which of a site's ids it takes"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let before = snapshot_b(&console, &b).await;
    wrong.extend(sweep(&console, &routes, &a, &b).await);
    let (cookie, csrf) = console.session(Who::Admin).await;
    wrong.extend(sweep(&console, &routes, &Auth::Session { cookie, csrf }, &b).await);
    let after = snapshot_b(&console, &b).await;
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(before, after, "site A's calls changed site B's data");

    let (status, body) = call(
        &console,
        &Auth::Token(b.token.clone()),
        "get",
        &format!("/api/v1/audit/{}", b.pending),
        None,
    )
    .await;
    assert_eq!(status, 200, "B's pending mail: {body}");
    let wrong = b_reaches_its_own(&console, &routes, &b).await;
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    sandbox_b.shutdown().await;
    console.sandbox.shutdown().await;
}
