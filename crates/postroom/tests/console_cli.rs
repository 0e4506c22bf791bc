#![allow(clippy::unwrap_used, clippy::expect_used)]

//! `postroom console link` and `console signout` as an operator runs them: a link made
//! from `http.public_url` that signs in once, and the end of every session of an account.

mod support;

use postroom_core::tenant::TenantId;
use postroom_store::Store;
use postroom_store::console::{SessionPolicy, SignInVia};

const HOUR: i64 = 60 * 60 * 1000;

#[tokio::test]
async fn a_link_is_printed_for_the_public_url_and_signout_ends_every_session() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("postroom.toml"),
        "[http]\npublic_url = \"https://postroom.example.com/\"\n",
    )
    .unwrap();
    let out = support::run(dir.path(), &["console", "link", "--account-id", "acc-7"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let link = String::from_utf8(out.stdout).unwrap();
    let token = link
        .trim()
        .strip_prefix("https://postroom.example.com/#/link/")
        .unwrap_or_else(|| panic!("{link}"));

    let db = format!("sqlite:{}", dir.path().join("data/postroom.db").display());
    let store = Store::open(&db).await.unwrap();
    let now = postroom::app::now_ms();
    let (tenant, account) = store
        .redeem_console_link(token, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((tenant.as_str(), account.as_str()), ("default", "acc-7"));
    assert!(
        store
            .redeem_console_link(token, now)
            .await
            .unwrap()
            .is_none()
    );

    let policy = SessionPolicy::new(HOUR, 12 * HOUR);
    let console = store
        .tenant(&TenantId::default_tenant())
        .await
        .unwrap()
        .console();
    let mut secrets = Vec::new();
    for _ in 0..2 {
        let (secret, _) = console
            .start_session("acc-7", SignInVia::Link, policy, now)
            .await
            .unwrap();
        secrets.push(secret);
    }
    let (other, _) = console
        .start_session("acc-8", SignInVia::Link, policy, now)
        .await
        .unwrap();
    let out = support::run(dir.path(), &["console", "signout", "--account-id", "acc-7"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "2 console session(s) of acc-7 ended"
    );
    for secret in &secrets {
        assert!(
            store
                .console_session(secret.expose(), policy, now + 1)
                .await
                .unwrap()
                .is_none()
        );
    }
    assert!(
        store
            .console_session(other.expose(), policy, now + 1)
            .await
            .unwrap()
            .is_some(),
        "another account's session stays"
    );
}
