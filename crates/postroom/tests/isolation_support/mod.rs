//! Site B of the tenant-isolation test: a second Jira site on the console's postroom, given
//! one of everything postroom keeps, every piece of it findable in a response by a marker;
//! and the calls the test makes as either site.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use postroom_core::ports::mailbox::MailboxState;
use postroom_core::tenant::TenantId;
use postroom_store::blobs::{BlobKind, TenantBlobs};
use postroom_store::crypto::Place;
use postroom_store::inbound::{InboundResult, ResultStatus};
use postroom_store::mailboxes::Mailboxes;
use postroom_store::outbound::{BounceRecord, SentMail, SentStatus};
use postroom_store::queue::{Failure, RetryPolicy};
use postroom_store::tokens::{ApiTokens, Scope};
use postroom_store::{NewJob, TenantStore};
use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, COOKIE};
use serde_json::{Value, json};

use super::console_support::Console;

/// Site B's tenant. Everything B is given carries [`MARK`] in its name or text, so that one
/// substring finds any of it in a response.
pub const B: &str = "bmark-site";
pub const MARK: &str = "bmark";
/// Who writes to site B.
pub const B_SENDER: &str = "bob@bmark.example";
/// B's own address (without [`MARK`], so that A's refusal to claim it can be told from a
/// leak of B's data).
pub const B_OWN: &str = "desk@beta-own.example";

/// The kinds of B's things a path parameter can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Thing {
    /// An intake id (the audit).
    Intake,
    /// A sent-mail id.
    Sent,
    /// A dead job's id.
    DeadJob,
    /// A canned response's id.
    Template,
    /// An API token's public id (a spare one: not the one B's calls are made with).
    Token,
    /// A notification preview's id (kept in memory for its frame).
    Preview,
    /// A mailbox added in the console (its name).
    Mailbox,
    /// A test case's id.
    TestCase,
}

/// Site B with its data: an id of each kind and the strings that must never reach A.
pub struct SiteB {
    pub token: String,
    pub ids: BTreeMap<Thing, String>,
    /// B's other intake id (a message still pending).
    pub pending: String,
    pub issue_key: String,
    pub sender_hash: String,
    /// Strings of B found nowhere in A's data: [`MARK`], B's random ids, its Jira's URL.
    pub markers: Vec<String>,
}

impl SiteB {
    /// Whatever of B's markers `body` holds.
    pub fn leaks(&self, body: &str) -> Vec<&str> {
        self.markers
            .iter()
            .filter(|m| body.contains(m.as_str()))
            .map(String::as_str)
            .collect()
    }
}

/// How a call authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    Token(String),
    Session { cookie: String, csrf: String },
}

/// A request body.
pub enum Body {
    Json(Value),
    Mail(Vec<u8>),
}

static SERIAL: AtomicU32 = AtomicU32::new(0);

pub fn serial() -> u32 {
    SERIAL.fetch_add(1, Ordering::Relaxed)
}

pub fn mail(from: &str, subject: &str) -> Vec<u8> {
    format!(
        "From: {from}\r\nTo: support@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{}.isolation@example.org>\r\nContent-Type: text/html\r\n\r\n\
         <p>{subject}, please.</p>\r\n",
        serial()
    )
    .into_bytes()
}

pub fn draft(name: &str) -> Value {
    json!({"name": format!("{name} {}", serial()), "body": format!("{name} text"),
           "scope": {"kind": "global"}})
}

pub async fn call(
    console: &Console,
    auth: &Auth,
    method: &str,
    path: &str,
    body: Option<Body>,
) -> (u16, String) {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut request = console
        .http
        .request(method, format!("{}{path}", console.base));
    request = match auth {
        Auth::Token(token) => request.bearer_auth(token),
        Auth::Session { cookie, csrf } => {
            request.header(COOKIE, cookie).header("X-CSRF-Token", csrf)
        }
    };
    request = match body {
        Some(Body::Json(value)) => request.json(&value),
        Some(Body::Mail(bytes)) => request.header(CONTENT_TYPE, "message/rfc822").body(bytes),
        None => request,
    };
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

pub async fn tenant(console: &Console, name: &str) -> TenantStore {
    console
        .store
        .store
        .tenant(&TenantId::parse(name).unwrap())
        .await
        .unwrap()
}

/// Gives site B one of everything: two uploaded mails (one with a result), a template, a
/// sent mail with its MIME, a dead job and a polled mailbox.
pub async fn seed_b(console: &Console, b_site_url: &str) -> SiteB {
    let token = console.admin_token(B).await;
    let auth = Auth::Token(token.clone());
    let mut ids = BTreeMap::new();
    let mut intake = Vec::new();
    for subject in ["bmark first", "bmark second"] {
        let (status, body) = call(
            console,
            &auth,
            "post",
            "/api/v1/mail?mailbox=bmark-box",
            Some(Body::Mail(mail(B_SENDER, subject))),
        )
        .await;
        assert_eq!(status, 202, "{body}");
        let accepted: Value = serde_json::from_str(&body).unwrap();
        intake.push(accepted["id"].as_str().unwrap().to_owned());
    }
    let site = tenant(console, B).await;
    let cipher = console.intake.keyring().cipher(&site).await.unwrap();
    let issue_key = "BMARK-41".to_owned();
    let sender = postroom_core::message::EmailAddress::parse(B_SENDER).unwrap();
    let sender_hash = postroom::keys::redactor(console.intake.keyring())
        .address(&sender)
        .to_string();
    let report = json!({"lines": ["bmark report line"]}).to_string();
    let mut tx = site.begin().await.unwrap();
    tx.record_result(&InboundResult {
        intake_id: intake[0].clone(),
        status: ResultStatus::Created,
        issue_key: Some(issue_key.clone()),
        comment_id: None,
        sender_hash: Some(sender_hash.clone()),
        report: cipher
            .seal(
                &Place::column("inbound_results", "report", intake[0].as_str()),
                report.as_bytes(),
            )
            .unwrap(),
        processed_at_ms: postroom::app::now_ms(),
    })
    .await
    .unwrap();
    let sent_id = "bmark0sent0id".to_owned();
    let facts = json!({"to": "bob@bmark.example", "subject": "bmark sent subject",
                       "event": "comment_added"});
    tx.record_sent_mail(&SentMail {
        id: sent_id.clone(),
        kind: "notification".to_owned(),
        issue_key: Some(issue_key.clone()),
        recipient_hash: "addr:bmark0recipient".to_owned(),
        message_id_hash: "mid:bmark0message".to_owned(),
        facts: cipher
            .seal(
                &Place::column("sent_mail", "facts", sent_id.as_str()),
                facts.to_string().as_bytes(),
            )
            .unwrap(),
        status: SentStatus::Sent,
        detail: None,
        created_at_ms: postroom::app::now_ms(),
        sent_at_ms: Some(postroom::app::now_ms()),
    })
    .await
    .unwrap();
    let mime_key = TenantBlobs::new(console.intake.blobs().clone(), cipher.clone())
        .put(
            BlobKind::SentMime,
            &sent_id,
            b"Subject: bmark sent subject\r\n\r\nbmark mime body\r\n",
        )
        .await
        .unwrap();
    tx.set_sent_mime(&sent_id, &mime_key).await.unwrap();
    tx.enqueue(
        &NewJob {
            kind: "bmark.kind".to_owned(),
            payload: b"bmark payload".to_vec(),
            idempotency_key: "bmark-job".to_owned(),
            run_at_ms: 0,
        },
        0,
    )
    .await
    .unwrap();
    let suppression_place = |column| Place::column("suppressions", column, sender_hash.as_str());
    tx.record_bounce(
        &BounceRecord {
            address_hash: sender_hash.clone(),
            address: cipher
                .seal(&suppression_place("address"), B_SENDER.as_bytes())
                .unwrap(),
            hard: true,
            status: Some("5.1.1".to_owned()),
            diagnostic: Some(
                cipher
                    .seal(&suppression_place("diagnostic"), b"550 bmark no such user")
                    .unwrap(),
            ),
            at_ms: postroom::app::now_ms(),
        },
        3,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (spare, _) = ApiTokens::new(tenant(console, B).await)
        .create("bmark-spare-account", "bmark spare", Scope::Agent, 1)
        .await
        .unwrap();
    let queue = console.store.store.queue();
    let taken = queue.take(&["bmark.kind"], 1, 1, 60_000).await.unwrap();
    queue
        .fail(
            &taken[0],
            Failure::Permanent,
            "bmark failure",
            &RetryPolicy::default(),
            2,
            0.0,
        )
        .await
        .unwrap();
    assert!(
        Mailboxes::new(site)
            .try_lease(
                "bmark-imap",
                "bmark-holder",
                60_000,
                postroom::app::now_ms()
            )
            .await
            .unwrap()
    );
    let (status, made) = call(
        console,
        &auth,
        "post",
        "/api/v1/templates",
        Some(Body::Json(
            json!({"name": "bmark template", "body": "bmark body text",
                                 "scope": {"kind": "global"}}),
        )),
    )
    .await;
    assert_eq!(status, 201, "{made}");
    let template: Value = serde_json::from_str(&made).unwrap();
    let (status, saved) = call(
        console,
        &auth,
        "put",
        "/api/v1/profile",
        Some(Body::Json(json!({"base_version": 0, "profile": {
            "//": "bmark profile",
            "own": {"addresses": [B_OWN]},
            "default": {"action": "ignore"},
        }}))),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let (status, case) = call(
        console,
        &auth,
        "post",
        "/api/v1/testcases?name=bmark%20case",
        Some(Body::Mail(mail(B_SENDER, "bmark case mail"))),
    )
    .await;
    assert_eq!(status, 201, "{case}");
    let case: Value = serde_json::from_str(&case).unwrap();
    let (status, previewed) = call(
        console,
        &auth,
        "post",
        "/api/v1/notifications/preview",
        Some(Body::Json(
            json!({"event": "comment_added", "example": true,
                                "html": "<p>bmark preview html</p>"}),
        )),
    )
    .await;
    assert_eq!(status, 200, "{previewed}");
    let previewed: Value = serde_json::from_str(&previewed).unwrap();
    let preview_id = previewed["html_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let (_, whoami) = call(console, &auth, "get", "/api/v1/whoami", None).await;
    let whoami: Value = serde_json::from_str(&whoami).unwrap();
    let (status, mailbox) = call(
        console,
        &auth,
        "post",
        "/api/v1/mailboxes",
        Some(Body::Json(
            json!({"name": "bmark-desk", "server": "127.0.0.1", "port": 9,
            "security": "plain", "user": "bmark-user", "password": "bmark-password"}),
        )),
    )
    .await;
    assert_eq!(status, 201, "{mailbox}");

    ids.insert(Thing::Intake, intake[0].clone());
    ids.insert(Thing::Sent, sent_id);
    ids.insert(Thing::DeadJob, taken[0].id.to_string());
    ids.insert(Thing::Template, template["id"].as_str().unwrap().to_owned());
    ids.insert(Thing::Token, spare.id.clone());
    ids.insert(Thing::Preview, preview_id.clone());
    ids.insert(Thing::Mailbox, "bmark-desk".to_owned());
    ids.insert(Thing::TestCase, case["id"].as_str().unwrap().to_owned());
    let markers = vec![
        MARK.to_owned(),
        intake[0].clone(),
        intake[1].clone(),
        ids[&Thing::Template].clone(),
        ids[&Thing::TestCase].clone(),
        whoami["token_id"].as_str().unwrap().to_owned(),
        spare.id,
        preview_id,
        sender_hash.clone(),
        format!("\"{b_site_url}\""),
    ];
    SiteB {
        token,
        ids,
        pending: intake[1].clone(),
        issue_key,
        sender_hash,
        markers,
    }
}
