#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `mailbox test` against the real Dovecot: a report of folders and counts when all is
//! well, and an error that names the failing step when not (TCP, TLS, auth, OAuth, folder).

mod imap_support;

use imap_support::*;
use postroom_mail::imap::{AfterIntake, Auth, MailboxSettings, Secret, Security, test_mailbox};

async fn setup(test: &str) -> Option<(MailboxSettings, Admin)> {
    let (host, port) = dovecot()?;
    let folder = unique_folder(test);
    let mut admin = admin(&host, port).await;
    admin.create(&folder).await.unwrap();
    Some((settings(&host, port, &folder, AfterIntake::Flag), admin))
}

async fn error_text(settings: &MailboxSettings) -> String {
    test_mailbox(settings).await.unwrap_err().to_string()
}

#[tokio::test]
async fn a_working_mailbox_reports_its_folders_and_counts() {
    let Some((s, mut admin)) = setup("probe").await else {
        return;
    };
    append(&mut admin, &s.folder, "p1", 10).await;
    append(&mut admin, &s.folder, "p2", 10).await;
    let report = test_mailbox(&s).await.unwrap();
    assert_eq!(report.waiting, 2);
    assert!(report.idle);
    assert_eq!(report.security, "plain");
    let mine = report.folders.iter().find(|f| f.name == s.folder).unwrap();
    assert_eq!(mine.messages, Some(2));
    assert!(report.folders.iter().any(|f| f.name == "INBOX"));
}

#[tokio::test]
async fn a_wrong_port_says_the_tcp_connect_failed() {
    let Some((mut s, _)) = setup("port").await else {
        return;
    };
    s.port = Some(1);
    let text = error_text(&s).await;
    assert!(
        text.starts_with("TCP: cannot connect to 127.0.0.1:1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_wrong_password_says_authentication_was_refused_without_the_password() {
    let Some((mut s, _)) = setup("password").await else {
        return;
    };
    s.auth = Auth::Login {
        user: USER.to_owned(),
        password: Secret::new("not-the-password"),
    };
    let text = error_text(&s).await;
    assert!(
        text.contains("rejected the user name or password"),
        "{text}"
    );
    assert!(
        !text.contains("not-the-password") && !text.contains(USER),
        "{text}"
    );
}

#[tokio::test]
async fn a_missing_folder_is_named_with_the_folders_that_exist() {
    let Some((mut s, _)) = setup("folder").await else {
        return;
    };
    s.folder = "no-such-folder".to_owned();
    let text = error_text(&s).await;
    assert!(
        text.starts_with("folder \"no-such-folder\" does not exist"),
        "{text}"
    );
    assert!(text.contains("INBOX"), "{text}");
}

#[tokio::test]
async fn a_refused_refresh_token_is_an_oauth_error() {
    let Some((mut s, _)) = setup("oauth").await else {
        return;
    };
    let tokens = std::env::var("POSTROOM_TEST_IMAP_TOKENS").unwrap();
    let (token_url, _) = token_endpoint::start(tokens, USER).await;
    s.auth = Auth::Xoauth2 {
        user: USER.to_owned(),
        token_url,
        client_id: "postroom".to_owned(),
        client_secret: Secret::new("cs"),
        refresh_token: Secret::new("revoked"),
    };
    let text = error_text(&s).await;
    assert!(text.starts_with("OAuth: the token endpoint"), "{text}");
    assert!(text.contains("invalid_grant"), "{text}");
}

#[tokio::test]
async fn implicit_tls_and_starttls_verify_the_test_ca() {
    let Some((mut s, _)) = setup("tls").await else {
        return;
    };
    let imaps = std::env::var("POSTROOM_TEST_IMAPS").unwrap();
    let ca = std::env::var("POSTROOM_TEST_IMAP_CA").unwrap();
    s.security = Security::Starttls;
    s.ca_file = Some(ca.clone().into());
    test_mailbox(&s).await.unwrap();

    let (_, port) = imaps.rsplit_once(':').unwrap();
    s.security = Security::Tls;
    s.port = Some(port.parse().unwrap());
    test_mailbox(&s).await.unwrap();

    s.ca_file = None;
    let text = error_text(&s).await;
    assert!(
        text.starts_with(&format!("TLS with 127.0.0.1:{port} failed")),
        "{text}"
    );
}

#[tokio::test]
async fn plain_to_a_remote_server_is_refused_before_connecting() {
    let Some((mut s, _)) = setup("plain").await else {
        return;
    };
    s.server = "imap.example.com".to_owned();
    let text = error_text(&s).await;
    assert!(
        text.contains("allowed only for a loopback server"),
        "{text}"
    );
}
