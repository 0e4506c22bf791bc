#![allow(clippy::unwrap_used, clippy::expect_used)]

//! The poller against the real Dovecot of `scripts/test`: each message taken in once and
//! only then moved, flagged or deleted; restarts and `UIDVALIDITY` changes reread nothing
//! that would be stored twice; transient intake failures leave mail in place; over-size
//! mail goes to the failure folder; one lease, one reader; `IDLE`; XOAUTH2.

mod imap_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use imap_support::*;
use postroom_mail::imap::{AfterIntake, Auth, MailboxSettings, Poller, Secret};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

struct Running {
    cancel: CancellationToken,
    task: JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        self.cancel.cancel();
        self.task.await.unwrap();
    }
}

fn spawn(
    settings: MailboxSettings,
    sink: &Arc<MemorySink>,
    state: &Arc<MemoryState>,
    holder: &str,
    lease: Duration,
) -> Running {
    let cancel = CancellationToken::new();
    let poller =
        Poller::new(settings, Arc::clone(sink), Arc::clone(state), holder).with_lease(lease);
    let task = tokio::spawn(poller.run(cancel.clone()));
    Running { cancel, task }
}

const LEASE: Duration = Duration::from_secs(60);

fn moved(folder: &str) -> AfterIntake {
    AfterIntake::Move {
        folder: format!("{folder}-done"),
    }
}

async fn setup(test: &str) -> Option<(String, u16, String, Admin)> {
    let (host, port) = dovecot()?;
    let folder = unique_folder(test);
    let mut admin = admin(&host, port).await;
    admin.create(&folder).await.unwrap();
    Some((host, port, folder, admin))
}

#[tokio::test]
async fn each_message_is_taken_once_then_moved() {
    let Some((host, port, folder, mut admin)) = setup("move").await else {
        return;
    };
    for id in ["m1", "m2", "m3"] {
        append(&mut admin, &folder, &format!("{folder}-{id}"), 10).await;
    }
    let (sink, state) = (Arc::default(), Arc::default());
    let poller = spawn(
        settings(&host, port, &folder, moved(&folder)),
        &sink,
        &state,
        "i1",
        LEASE,
    );
    let done = format!("{folder}-done");
    eventually("three moved", async || {
        contents(&mut admin, &done).await.len() == 3
    })
    .await;
    assert!(contents(&mut admin, &folder).await.is_empty());
    assert_eq!(sink.distinct(), 3);
    assert_eq!(sink.offers.load(Ordering::SeqCst), 3, "nothing read twice");
    poller.stop().await;
}

#[tokio::test]
async fn flagged_messages_stay_and_a_restart_rereads_nothing() {
    let Some((host, port, folder, mut admin)) = setup("flag").await else {
        return;
    };
    append(&mut admin, &folder, &format!("{folder}-a"), 10).await;
    append(&mut admin, &folder, &format!("{folder}-b"), 10).await;
    let (sink, state) = (Arc::default(), Arc::default());
    let s = settings(&host, port, &folder, AfterIntake::Flag);
    let first = spawn(s.clone(), &sink, &state, "i1", LEASE);
    eventually("both seen", async || {
        contents(&mut admin, &folder)
            .await
            .iter()
            .filter(|m| m.1)
            .count()
            == 2
    })
    .await;
    first.stop().await;
    // Another instance, same database: it must start after the last UID.
    let second = spawn(s, &sink, &state, "i2", LEASE);
    append(&mut admin, &folder, &format!("{folder}-c"), 10).await;
    eventually("the new one taken", async || sink.distinct() == 3).await;
    eventually("all seen", async || {
        contents(&mut admin, &folder).await.iter().all(|m| m.1)
    })
    .await;
    assert_eq!(
        sink.offers.load(Ordering::SeqCst),
        3,
        "a restart reread a message"
    );
    second.stop().await;
}

#[tokio::test]
async fn deleted_messages_are_expunged_after_intake() {
    let Some((host, port, folder, mut admin)) = setup("delete").await else {
        return;
    };
    append(&mut admin, &folder, &format!("{folder}-a"), 10).await;
    append(&mut admin, &folder, &format!("{folder}-b"), 10).await;
    let (sink, state) = (Arc::default(), Arc::default());
    let poller = spawn(
        settings(&host, port, &folder, AfterIntake::Delete),
        &sink,
        &state,
        "i1",
        LEASE,
    );
    eventually("folder emptied", async || {
        sink.distinct() == 2 && contents(&mut admin, &folder).await.is_empty()
    })
    .await;
    poller.stop().await;
}

#[tokio::test]
async fn a_transient_intake_failure_leaves_the_message_and_it_is_retried() {
    let Some((host, port, folder, mut admin)) = setup("transient").await else {
        return;
    };
    let id = format!("{folder}-a");
    append(&mut admin, &folder, &id, 10).await;
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    sink.fail_next.store(usize::MAX, Ordering::SeqCst);
    let poller = spawn(
        settings(&host, port, &folder, moved(&folder)),
        &sink,
        &state,
        "i1",
        LEASE,
    );
    eventually("offered and retried", async || {
        sink.offers.load(Ordering::SeqCst) >= 2
    })
    .await;
    assert_eq!(
        contents(&mut admin, &folder).await,
        vec![(1, false)],
        "touched before commit"
    );
    let reported = state.reports.lock().unwrap().clone();
    assert!(
        reported.iter().any(|(_, r)| r
            .problem
            .is_some_and(|p| p.contains("could not take a message in"))
            && r.waiting == Some(1)),
        "{reported:?}"
    );
    assert!(
        contents(&mut admin, &format!("{folder}-done"))
            .await
            .is_empty()
    );
    sink.fail_next.store(0, Ordering::SeqCst);
    eventually("taken and moved", async || {
        contents(&mut admin, &folder).await.is_empty()
    })
    .await;
    assert_eq!(sink.stored(&id), 1);
    eventually("the poll reported as fine", async || {
        state
            .reports
            .lock()
            .unwrap()
            .last()
            .is_some_and(|(_, r)| r.problem.is_none() && r.waiting == Some(0))
    })
    .await;
    poller.stop().await;
}

#[tokio::test]
async fn over_size_mail_is_refused_into_the_failure_folder() {
    let Some((host, port, folder, mut admin)) = setup("big").await else {
        return;
    };
    append(&mut admin, &folder, &format!("{folder}-small"), 10).await;
    append(&mut admin, &folder, &format!("{folder}-big"), 5_000).await;
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    let mut s = settings(&host, port, &folder, moved(&folder));
    s.max_message_size = 2_000;
    let poller = spawn(s, &sink, &state, "i1", LEASE);
    let refused = format!("{folder}-refused");
    eventually("big one refused", async || {
        contents(&mut admin, &refused).await.len() == 1
    })
    .await;
    eventually("small one moved", async || {
        contents(&mut admin, &format!("{folder}-done")).await.len() == 1
    })
    .await;
    assert_eq!(sink.distinct(), 1);
    assert_eq!(sink.refused.lock().unwrap().len(), 1);
    assert!(sink.refused.lock().unwrap()[0] > 5_000);
    poller.stop().await;
}

#[tokio::test]
async fn a_uidvalidity_change_rescans_without_duplicates() {
    let Some((host, port, folder, mut admin)) = setup("uidvalidity").await else {
        return;
    };
    let ids: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|x| format!("{folder}-{x}"))
        .collect();
    append(&mut admin, &folder, &ids[0], 10).await;
    append(&mut admin, &folder, &ids[1], 10).await;
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    let s = settings(&host, port, &folder, AfterIntake::Flag);
    let first = spawn(s.clone(), &sink, &state, "i1", LEASE);
    eventually("two taken", async || sink.distinct() == 2).await;
    first.stop().await;
    let before = admin.select(&folder).await.unwrap().uid_validity;
    // Recreate the folder until the server gives it a new UIDVALIDITY (Dovecot uses the
    // clock's second), with the old messages and a new one.
    loop {
        admin.select("INBOX").await.unwrap();
        admin.delete(&folder).await.unwrap();
        admin.create(&folder).await.unwrap();
        if admin.select(&folder).await.unwrap().uid_validity != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    for id in &ids {
        append(&mut admin, &folder, id, 10).await;
    }
    let second = spawn(s, &sink, &state, "i1", LEASE);
    eventually("all seen", async || {
        let c = contents(&mut admin, &folder).await;
        c.len() == 3 && c.iter().all(|m| m.1)
    })
    .await;
    assert_eq!(
        sink.offers.load(Ordering::SeqCst),
        5,
        "the rescan offered all three again"
    );
    for id in &ids {
        assert_eq!(sink.stored(id), 1, "{id}");
    }
    second.stop().await;
}

#[tokio::test]
async fn two_pollers_with_one_lease_never_both_read() {
    let Some((host, port, folder, mut admin)) = setup("lease").await else {
        return;
    };
    for n in 0..5 {
        append(&mut admin, &folder, &format!("{folder}-{n}"), 10).await;
    }
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    let s = settings(&host, port, &folder, AfterIntake::Flag);
    let one = spawn(s.clone(), &sink, &state, "i1", Duration::from_secs(2));
    let two = spawn(s, &sink, &state, "i2", Duration::from_secs(2));
    eventually("five taken", async || sink.distinct() == 5).await;
    append(&mut admin, &folder, &format!("{folder}-late"), 10).await;
    eventually("the late one taken", async || sink.distinct() == 6).await;
    assert_eq!(
        sink.offers.load(Ordering::SeqCst),
        6,
        "a message was read by both"
    );
    one.stop().await;
    two.stop().await;
}

#[tokio::test]
async fn idle_picks_a_new_message_up_without_waiting_for_the_poll_interval() {
    let Some((host, port, folder, mut admin)) = setup("idle").await else {
        return;
    };
    append(&mut admin, &folder, &format!("{folder}-first"), 10).await;
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    let mut s = settings(&host, port, &folder, moved(&folder));
    s.poll_interval_secs = 3_600;
    // A long lease, so no renewal wakes the poller either: only IDLE can.
    let poller = spawn(s, &sink, &state, "i1", Duration::from_secs(3_600));
    eventually("first taken", async || {
        contents(&mut admin, &folder).await.is_empty()
    })
    .await;
    append(&mut admin, &folder, &format!("{folder}-second"), 10).await;
    eventually("second taken through IDLE", async || sink.distinct() == 2).await;
    poller.stop().await;
}

#[tokio::test]
async fn xoauth2_with_tokens_from_the_token_endpoint() {
    let Some((host, port, folder, mut admin)) = setup("xoauth2").await else {
        return;
    };
    let tokens = std::env::var("POSTROOM_TEST_IMAP_TOKENS").unwrap();
    let (token_url, issued) = token_endpoint::start(tokens, USER).await;
    append(&mut admin, &folder, &format!("{folder}-a"), 10).await;
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    let mut s = settings(&host, port, &folder, moved(&folder));
    s.auth = Auth::Xoauth2 {
        user: USER.to_owned(),
        token_url,
        client_id: "postroom".to_owned(),
        client_secret: Secret::new("client-secret"),
        refresh_token: Secret::new(token_endpoint::REFRESH),
    };
    let poller = spawn(s, &sink, &state, "i1", LEASE);
    eventually("taken over XOAUTH2", async || sink.distinct() == 1).await;
    assert!(issued.load(Ordering::SeqCst) >= 1);
    poller.stop().await;
}

/// Needs no IMAP server: nothing listens where the poller is sent.
#[tokio::test]
async fn a_server_that_cannot_be_reached_is_reported_in_plain_words() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (sink, state): (Arc<MemorySink>, _) = (Arc::default(), Arc::default());
    let poller = spawn(
        settings("127.0.0.1", port, "nowhere", AfterIntake::Flag),
        &sink,
        &state,
        "i1",
        LEASE,
    );
    eventually("the failure reported", async || {
        !state.reports.lock().unwrap().is_empty()
    })
    .await;
    poller.stop().await;
    let reported = state.reports.lock().unwrap().clone();
    assert_eq!(reported[0].0, "nowhere");
    assert_eq!(
        reported[0].1.problem,
        Some("the server cannot be reached"),
        "{reported:?}"
    );
    assert_eq!(reported[0].1.waiting, None);
}
