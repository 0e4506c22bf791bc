//! A mail's files through the real binary and the sandbox: a signature logo and a signed
//! part are left out, the same PDF sent twice is uploaded once (and not again when a reply
//! carries it), and a screenshot the HTML shows inline appears in place in the description,
//! as a graph the text alternative of a reply marks does in its comment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::crypto::{KeyVault, Keyring, MasterKeyFile, Place};
use serde_json::Value;
use support::{PATIENCE, Served, import, postroom, sandbox_get};

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

/// Base64 in 76-character lines, as mail carries it.
fn base64_lines(data: &[u8]) -> String {
    let encoded = STANDARD.encode(data);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    lines.join("\n")
}

/// Bytes that do not repeat, so that no two files are alike by accident.
fn noise(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i.wrapping_mul(31) as u8) ^ seed.wrapping_add((i / 251) as u8))
        .collect()
}

fn part(headers: &str, data: &[u8]) -> String {
    format!(
        "{headers}\nContent-Transfer-Encoding: base64\n\n{}\n",
        base64_lines(data)
    )
}

/// An inline PNG with a Content-ID.
fn image(name: &str, content_id: &str, data: &[u8]) -> String {
    part(
        &format!(
            "Content-Type: image/png\nContent-Disposition: inline; filename=\"{name}\"\n\
             Content-ID: <{content_id}>"
        ),
        data,
    )
}

/// [`PDF`], attached as `name`.
fn pdf(name: &str) -> String {
    part(
        &format!(
            "Content-Type: application/pdf\nContent-Disposition: attachment; filename=\"{name}\""
        ),
        PDF,
    )
}

/// The first mail: HTML with a screenshot and a logo inline, the PDF twice, a signature.
fn first_mail() -> String {
    let html = "<p>The printer shows this:</p><p><img src=\"cid:shot@customer.example\" alt=\"shot\"></p>\
                <p>Please help.</p><p><img src=\"cid:logo@customer.example\" alt=\"ACME\"></p>";
    format!(
        "From: Ann Lee <ann@customer.example>\nTo: support@example.com\n\
         Subject: Printer error\nMessage-ID: <files-1@customer.example>\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0000\nMIME-Version: 1.0\n\
         Content-Type: multipart/signed; protocol=\"application/pgp-signature\"; boundary=\"s\"\n\n\
         --s\nContent-Type: multipart/mixed; boundary=\"m\"\n\n\
         --m\nContent-Type: multipart/related; boundary=\"r\"\n\n\
         --r\nContent-Type: text/html; charset=utf-8\n\n{html}\n\
         --r\n{}--r\n{}--r--\n\
         --m\n{}--m\n{}--m--\n\
         --s\nContent-Type: application/pgp-signature; name=\"signature.asc\"\n\n\
         -----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n--s--\n",
        image("screenshot.png", "shot@customer.example", &noise(40_000, 7)),
        image("logo.png", "logo@customer.example", &noise(2_000, 9)),
        pdf("report.pdf"),
        pdf("report-copy.pdf"),
    )
}

/// The reply, as Gmail writes it: text and HTML alternatives (the text marks the image as
/// `[image: NAME]`), a graph inline, and the same PDF once more.
fn reply_mail() -> String {
    format!(
        "From: Ann Lee <ann@customer.example>\nTo: support@example.com\n\
         Subject: Re: Printer error\nMessage-ID: <files-2@customer.example>\n\
         In-Reply-To: <files-1@customer.example>\n\
         Date: Mon, 23 Nov 2026 11:00:00 +0000\nMIME-Version: 1.0\n\
         Content-Type: multipart/mixed; boundary=\"m\"\n\n\
         --m\nContent-Type: multipart/related; boundary=\"r\"\n\n\
         --r\nContent-Type: multipart/alternative; boundary=\"a\"\n\n\
         --a\nContent-Type: text/plain\n\nThe graph:\n[image: graph.png]\nHere is the report again.\n\
         --a\nContent-Type: text/html\n\n<p>The graph:</p><img src=\"cid:graph@customer.example\">\
         <p>Here is the report again.</p>\n--a--\n\
         --r\n{}--r--\n\
         --m\n{}--m--\n",
        image("graph.png", "graph@customer.example", &noise(30_000, 11)),
        pdf("report.pdf"),
    )
}

/// The first issue `jql` finds once `done` holds for it, within [`PATIENCE`].
async fn issue_when(site: &str, jql: &str, done: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let path =
            format!("/rest/api/3/search/jql?jql={jql}&fields=description,attachment,comment");
        let found = sandbox_get(site, &path).await;
        if let Some(issue) = found["issues"].as_array().and_then(|a| a.first())
            && done(issue)
        {
            return issue.clone();
        }
        assert!(start.elapsed() < PATIENCE, "{found}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

fn deliver(dir: &Path, name: &str, mail: &str) {
    let path = dir.join(format!("{name}.eml"));
    std::fs::write(&path, mail.replace('\n', "\r\n")).unwrap();
    let out = postroom(dir)
        .args(["process", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
}

/// Every line of every processing report, unsealed.
/// The report lines of the first `results` processed mails, once they are all stored: a
/// comment shows in Jira a moment before its mail's report is committed.
async fn report_lines(dir: &Path, results: usize) -> Vec<String> {
    let url = format!("sqlite:{}", dir.join("data/postroom.db").display());
    let store = Store::open(&url).await.unwrap();
    let tenant = store.tenant(&TenantId::default_tenant()).await.unwrap();
    let (keyring, _) = Keyring::from_file(
        KeyVault::new(dir.join("data/keys")),
        MasterKeyFile::new(dir.join("data/master.key")),
    )
    .unwrap();
    let cipher = keyring.cipher(&tenant).await.unwrap();
    let stored = support::at_least(results, "processing results", async || {
        tenant.recent_results(100).await.unwrap()
    })
    .await;
    let mut lines = Vec::new();
    for result in stored {
        let place = Place::column("inbound_results", "report", result.intake_id.as_str());
        let report: Value =
            serde_json::from_str(&cipher.open_str(&place, &result.report).unwrap()).unwrap();
        for line in report["lines"].as_array().unwrap() {
            lines.push(line.as_str().unwrap().to_owned());
        }
    }
    lines
}

fn attachments(issue: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = issue["fields"]["attachment"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["filename"].as_str().unwrap().to_owned(),
                a["content"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `doc` is the attribution, a paragraph, the image `file` (name, content URL) as ADF
/// external media, and a paragraph: the image where the mail showed it.
fn assert_image_between_texts(doc: &Value, file: &(String, String)) {
    let blocks: Vec<&str> = doc["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        blocks,
        ["paragraph", "paragraph", "mediaSingle", "paragraph"],
        "{doc}"
    );
    let media = &doc["content"][2]["content"][0];
    assert_eq!(media["attrs"]["type"], "external");
    assert_eq!(media["attrs"]["alt"].as_str(), Some(file.0.as_str()));
    assert_eq!(media["attrs"]["url"].as_str(), Some(file.1.as_str()));
}

#[tokio::test]
async fn same_files_are_uploaded_once_and_the_screenshot_shows_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let out = import(
        dir.path(),
        "profile",
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task"}}"#,
    );
    assert!(out.status.success(), "{out:?}");
    let served = Served::start_with_args(dir.path(), &["--sandbox"], &[]).await;
    let site = format!("{}/sandbox/jira", served.base);

    deliver(dir.path(), "first", &first_mail());
    let issue = issue_when(&site, "project%3DSUP", |i| {
        i["fields"]["description"]
            .to_string()
            .contains("mediaSingle")
    })
    .await;
    let files = attachments(&issue);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["report.pdf", "screenshot.png"]);
    let description = &issue["fields"]["description"];
    assert_image_between_texts(description, &files[1]);
    assert_eq!(
        description["content"][1]["content"][0]["text"],
        "The printer shows this:"
    );
    assert_eq!(
        description["content"][3]["content"][0]["text"],
        "Please help."
    );
    let shown = description.to_string();
    assert!(
        !shown.contains("cid:") && !shown.contains("ACME") && !shown.contains('\u{FFFC}'),
        "{shown}"
    );

    deliver(dir.path(), "reply", &reply_mail());
    let key = issue["key"].as_str().unwrap();
    let issue = issue_when(&site, &format!("key%3D{key}"), |i| {
        i["fields"]["comment"]["total"].as_u64() == Some(1)
    })
    .await;
    let now = attachments(&issue);
    let names: Vec<&str> = now.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["graph.png", "report.pdf", "screenshot.png"],
        "the reply's PDF is not uploaded again"
    );
    let comment = &issue["fields"]["comment"]["comments"][0]["body"];
    assert_image_between_texts(comment, &now[0]);
    assert!(!comment.to_string().contains("[image:"), "{comment}");

    let lines = report_lines(dir.path(), 2).await;
    let said = |text: &str| lines.iter().filter(|l| l.contains(text)).count();
    assert_eq!(
        said("not uploaded: same content as \"report.pdf\" of this mail"),
        1
    );
    assert_eq!(
        said("not uploaded: the issue already has the same content as \"report.pdf\""),
        1
    );
    assert_eq!(said("taken for a signature logo"), 1);
    assert_eq!(said("the mail's signature"), 1);
    assert_eq!(said(": uploaded"), 3);
    assert_eq!(said("shows its inline images in place"), 1);
}
