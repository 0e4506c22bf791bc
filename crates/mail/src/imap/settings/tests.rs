use super::*;

fn parse(src: &str) -> MailboxSettings {
    let value: serde_json::Value = json(src);
    serde_json::from_value(value).unwrap_or_else(|e| panic!("{e}"))
}

/// Settings are written as JSON here: profiles are JSON, and TOML maps onto the same serde.
fn json(src: &str) -> serde_json::Value {
    serde_json::from_str(src).unwrap_or_else(|e| panic!("{e}"))
}

const MINIMAL: &str = r#"{"name": "support", "server": "imap.example.com",
    "auth": {"method": "login", "user": "support@example.com", "password": "hunter2"}}"#;

#[test]
fn defaults_are_tls_on_993_reading_inbox_and_flagging() {
    let s = parse(MINIMAL);
    assert_eq!(s.security, Security::Tls);
    assert_eq!(s.port(), 993);
    assert_eq!(s.folder, "INBOX");
    assert_eq!(s.after, AfterIntake::Flag);
    assert_eq!(s.poll_interval(), Duration::from_secs(60));
    assert_eq!(s.validate(), Ok(()));
}

#[test]
fn secrets_never_print() {
    let s = parse(MINIMAL);
    let shown = format!("{s:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(shown.contains("***"));
}

#[test]
fn xoauth2_and_move_parse() {
    let s = parse(
        r#"{"name": "m365", "server": "outlook.office365.com", "security": "starttls",
        "after": {"action": "move", "folder": "Done"},
        "auth": {"method": "xoauth2", "user": "s@example.com",
                 "token_url": "https://login.example/token", "client_id": "c",
                 "client_secret": "cs", "refresh_token": "rt"}}"#,
    );
    assert_eq!(s.port(), 143);
    assert!(matches!(s.auth, Auth::Xoauth2 { .. }));
    assert_eq!(
        s.after,
        AfterIntake::Move {
            folder: "Done".to_owned()
        }
    );
}

#[test]
fn plain_is_refused_off_loopback_and_allowed_on_it() {
    let mut s = parse(MINIMAL);
    s.security = Security::Plain;
    assert!(matches!(
        s.validate(),
        Err(SettingsError::PlainNotLoopback { .. })
    ));
    for server in ["127.0.0.1", "::1", "[::1]", "localhost", "LOCALHOST"] {
        s.server = server.to_owned();
        assert_eq!(s.validate(), Ok(()), "{server}");
    }
    s.server = "127.0.0.1.example.com".to_owned();
    assert!(s.validate().is_err());
}

#[test]
fn unusable_settings_are_refused_with_the_reason() {
    let mut s = parse(MINIMAL);
    s.after = AfterIntake::Move {
        folder: "INBOX".to_owned(),
    };
    assert!(matches!(
        s.validate(),
        Err(SettingsError::MoveToSelf { .. })
    ));
    s.after = AfterIntake::Delete;
    s.poll_interval_secs = 0;
    assert!(matches!(
        s.validate(),
        Err(SettingsError::PollInterval { .. })
    ));
    s.poll_interval_secs = 5;
    s.folder = " ".to_owned();
    let err = s.validate().unwrap_err().to_string();
    assert!(err.contains("folder is empty"), "{err}");
}

#[test]
fn unknown_keys_are_refused() {
    let bad = MINIMAL.replace("\"server\"", "\"sever\": 1, \"server\"");
    let value = json(&bad);
    assert!(serde_json::from_value::<MailboxSettings>(value).is_err());
}

#[test]
fn raw_mail_is_kept_unless_the_mailbox_opts_out() {
    assert!(parse(MINIMAL).store_raw);
    let mut value = json(MINIMAL);
    value["store_raw"] = serde_json::Value::Bool(false);
    let s: MailboxSettings = serde_json::from_value(value).unwrap();
    assert!(!s.store_raw);
    let mut value = json(MINIMAL);
    value["store_raw"] = serde_json::Value::String("no".to_owned());
    assert!(serde_json::from_value::<MailboxSettings>(value).is_err());
}
