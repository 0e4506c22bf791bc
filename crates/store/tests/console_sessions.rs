#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Console sessions and one-time links on every backend: a session is found by its cookie
//! only, belongs to its tenant, ends when idle, at its lifetime and at sign-out; a link
//! signs in once, within 10 minutes; the purge removes what has ended.

use postroom_store::console::{LINK_LIFETIME_MS, MAX_SESSION_MS, SessionPolicy, SignInVia};
use postroom_store::testing;

const MINUTE: i64 = 60 * 1000;

fn policy() -> SessionPolicy {
    SessionPolicy::new(30 * MINUTE, 2 * 60 * MINUTE)
}

#[tokio::test]
async fn a_session_lives_while_used_and_ends_when_idle_or_old() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        let (secret, started) = a
            .console()
            .start_session("acc-1", SignInVia::Link, policy(), 1_000)
            .await
            .unwrap();
        assert_eq!(started.expires_at_ms, 1_000 + 2 * 60 * MINUTE);
        let found = t
            .store
            .console_session(secret.expose(), policy(), 1_000 + 20 * MINUTE)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.tenant.as_str(), "a");
        assert_eq!(found.account_id, "acc-1");
        // Used at 20 minutes, so still alive at 45 (idle 25 minutes).
        assert!(
            t.store
                .console_session(secret.expose(), policy(), 1_000 + 45 * MINUTE)
                .await
                .unwrap()
                .is_some()
        );
        // Idle for 31 minutes: ended, and gone for good.
        assert!(
            t.store
                .console_session(secret.expose(), policy(), 1_000 + 76 * MINUTE)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            t.store
                .console_session(secret.expose(), policy(), 1_000 + 46 * MINUTE)
                .await
                .unwrap()
                .is_none()
        );

        // However busy, a session ends at its lifetime.
        let (busy, _) = a
            .console()
            .start_session("acc-1", SignInVia::Oauth, policy(), 0)
            .await
            .unwrap();
        for minute in (10..120).step_by(10) {
            assert!(
                t.store
                    .console_session(busy.expose(), policy(), minute * MINUTE)
                    .await
                    .unwrap()
                    .is_some(),
                "minute {minute}"
            );
        }
        assert!(
            t.store
                .console_session(busy.expose(), policy(), 120 * MINUTE)
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn sign_out_ends_the_session_and_nonsense_finds_nothing() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        let (secret, _) = a
            .console()
            .start_session("acc-1", SignInVia::Link, policy(), 0)
            .await
            .unwrap();
        assert!(t.store.end_console_session(secret.expose()).await.unwrap());
        assert!(!t.store.end_console_session(secret.expose()).await.unwrap());
        assert!(
            t.store
                .console_session(secret.expose(), policy(), 1)
                .await
                .unwrap()
                .is_none()
        );
        for nonsense in [
            "",
            "ps_",
            "ps_zz",
            "Bearer x",
            secret.expose().replace("ps_", "pl_").as_str(),
        ] {
            assert!(
                t.store
                    .console_session(nonsense, policy(), 1)
                    .await
                    .unwrap()
                    .is_none(),
                "{nonsense}"
            );
        }
    }
}

#[tokio::test]
async fn a_link_signs_in_once_within_ten_minutes() {
    for t in testing::all_backends().await.unwrap() {
        let b = t.tenant("b").await.unwrap();
        let link = b.console().create_link("acc-2", 0).await.unwrap();
        let (tenant, account) = t
            .store
            .redeem_console_link(link.expose(), LINK_LIFETIME_MS - 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((tenant.as_str(), account.as_str()), ("b", "acc-2"));
        assert!(
            t.store
                .redeem_console_link(link.expose(), 1)
                .await
                .unwrap()
                .is_none(),
            "a second use"
        );
        let late = b.console().create_link("acc-2", 0).await.unwrap();
        assert!(
            t.store
                .redeem_console_link(late.expose(), LINK_LIFETIME_MS)
                .await
                .unwrap()
                .is_none(),
            "ten minutes later"
        );
    }
}

#[tokio::test]
async fn purge_removes_ended_sessions_and_links_only() {
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        let console = a.console();
        let (old, _) = console
            .start_session("acc-1", SignInVia::Link, policy(), 0)
            .await
            .unwrap();
        let (fresh, _) = console
            .start_session("acc-1", SignInVia::Link, policy(), 40 * MINUTE)
            .await
            .unwrap();
        console.create_link("acc-1", 0).await.unwrap();
        let kept = console.create_link("acc-1", 40 * MINUTE).await.unwrap();
        let purged = t
            .store
            .purge_console(45 * MINUTE, policy().idle_ms)
            .await
            .unwrap();
        assert_eq!(purged, 2);
        assert!(
            t.store
                .console_session(fresh.expose(), policy(), 46 * MINUTE)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            t.store
                .console_session(old.expose(), policy(), 1)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            t.store
                .redeem_console_link(kept.expose(), 41 * MINUTE)
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[test]
fn no_policy_outlives_twelve_hours() {
    let policy = SessionPolicy::new(24 * 60 * MINUTE, 48 * 60 * MINUTE);
    assert_eq!(policy.lifetime_ms, MAX_SESSION_MS);
    assert!(policy.idle_ms <= policy.lifetime_ms);
}

#[tokio::test]
async fn an_oauth_sessions_grant_is_sealed_to_its_row_and_checked_by_one_caller_at_a_time() {
    use postroom_store::crypto::{KeyVault, Keyring, MasterKey};
    use sqlx::Row;

    const GRANT: &str = r#"{"access_token":"at-secret-1","refresh_token":"rt-secret-1"}"#;
    for t in testing::all_backends().await.unwrap() {
        let a = t.tenant("a").await.unwrap();
        let b = t.tenant("b").await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let keys = Keyring::new(KeyVault::new(dir.path()), MasterKey::generate(), None);
        let cipher = keys.cipher(&a).await.unwrap();
        let (secret, started) = a
            .console()
            .start_oauth_session("acc-1", &cipher, GRANT, policy(), 5_000)
            .await
            .unwrap();
        assert_eq!(started.via, SignInVia::Oauth);
        assert_eq!(
            started.checked_at_ms, 5_000,
            "the sign-in is the first check"
        );
        let found = t
            .store
            .console_session(secret.expose(), policy(), 6_000)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.via, found.checked_at_ms), (SignInVia::Oauth, 5_000));
        assert_eq!(
            a.console().grant(&cipher, secret.expose()).await.unwrap(),
            Some(GRANT.to_owned())
        );
        // Never in clear in the database; another tenant's cipher or console finds nothing.
        let sealed: Vec<u8> = sqlx::query("SELECT grant_sealed FROM console_sessions")
            .fetch_one(t.store.db().pool())
            .await
            .unwrap()
            .try_get("grant_sealed")
            .unwrap();
        assert!(!sealed.windows(11).any(|w| w == b"at-secret-1"));
        assert!(
            a.console()
                .grant(&keys.cipher(&b).await.unwrap(), secret.expose())
                .await
                .is_err()
        );
        assert_eq!(
            b.console()
                .grant(&keys.cipher(&b).await.unwrap(), secret.expose())
                .await
                .unwrap(),
            None
        );

        // Two requests see the same due check: one claims it, the other does not.
        assert!(
            a.console()
                .claim_check(secret.expose(), 5_000, 9_000)
                .await
                .unwrap()
        );
        assert!(
            !a.console()
                .claim_check(secret.expose(), 5_000, 9_001)
                .await
                .unwrap()
        );
        assert!(
            !b.console()
                .claim_check(secret.expose(), 9_000, 9_002)
                .await
                .unwrap()
        );
        let found = t
            .store
            .console_session(secret.expose(), policy(), 9_500)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.checked_at_ms, 9_000);

        // A rotated grant replaces the old one; a link's session has none.
        assert!(
            a.console()
                .replace_grant(&cipher, secret.expose(), "rotated")
                .await
                .unwrap()
        );
        assert_eq!(
            a.console().grant(&cipher, secret.expose()).await.unwrap(),
            Some("rotated".to_owned())
        );
        let (linked, _) = a
            .console()
            .start_session("acc-2", SignInVia::Link, policy(), 5_000)
            .await
            .unwrap();
        assert_eq!(
            a.console().grant(&cipher, linked.expose()).await.unwrap(),
            None
        );
        assert!(t.store.end_console_session(secret.expose()).await.unwrap());
        assert!(
            !a.console()
                .replace_grant(&cipher, secret.expose(), "late")
                .await
                .unwrap()
        );
    }
}
