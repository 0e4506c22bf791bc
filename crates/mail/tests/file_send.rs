//! The `file` transport: one whole `.eml` per message, never a partial one.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{EnvelopeSender, MailSender, OutboundEnvelope};
use postroom_core::verp::VerpToken;
use postroom_mail::send::{FileSender, FileSettings, Outbound, OutboundSettings};

fn envelope() -> OutboundEnvelope {
    OutboundEnvelope {
        sender: EnvelopeSender::Verp(VerpToken::parse("f-1").unwrap()),
        recipients: vec![
            EmailAddress::parse("ann@example.org").unwrap(),
            EmailAddress::parse("hidden-bcc@example.org").unwrap(),
        ],
        identity: Default::default(),
    }
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn each_message_becomes_one_eml_file_with_its_envelope_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("outbox");
    let sender = FileSender::new(&FileSettings {
        dir: out.clone(),
        bounce_address: "bounces@help.example.com".to_owned(),
    })
    .unwrap();
    let receipt = sender
        .send(&envelope(), b"Subject: hi\n\nbody\n")
        .await
        .unwrap();
    assert_eq!(receipt.accepted.len(), 2);
    let names = files(&out);
    assert_eq!(names.len(), 1);
    assert!(names[0].ends_with(".eml"));
    assert_eq!(
        receipt.confirmation,
        out.join(&names[0]).display().to_string()
    );
    let content = std::fs::read_to_string(out.join(&names[0])).unwrap();
    assert_eq!(
        content,
        "Return-Path: <bounces+f-1@help.example.com>\r\n\
         Envelope-To: ann@example.org, hidden-bcc@example.org\r\n\
         Subject: hi\r\n\r\nbody\r\n"
    );
}

#[tokio::test]
async fn concurrent_messages_get_distinct_files_and_no_temporary_file_remains() {
    let dir = tempfile::tempdir().unwrap();
    let settings = OutboundSettings::File(FileSettings {
        dir: dir.path().to_owned(),
        ..FileSettings::default()
    });
    let sender = Arc::new(Outbound::from_settings(&settings).unwrap());
    // A reader watching the directory must only ever see whole messages.
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watcher = {
        let (dir, stop) = (dir.path().to_owned(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut checked = 0;
            loop {
                let last_pass = stop.load(std::sync::atomic::Ordering::Relaxed);
                for name in files(&dir).iter().filter(|n| n.ends_with(".eml")) {
                    let text = std::fs::read_to_string(dir.join(name)).unwrap();
                    let n: usize = text
                        .split("Subject: ")
                        .nth(1)
                        .unwrap()
                        .split("\r\n")
                        .next()
                        .unwrap()
                        .parse()
                        .unwrap();
                    assert_eq!(text.matches('y').count(), n * 1000, "{name} is partial");
                    checked += 1;
                }
                if last_pass {
                    return checked;
                }
            }
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50 {
        let sender = Arc::clone(&sender);
        tasks.spawn(async move {
            let message = format!("Subject: {n}\r\n\r\n{}\r\n", "y".repeat(n * 1000));
            sender.send(&envelope(), message.as_bytes()).await.unwrap();
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(
        watcher.join().unwrap() >= 50,
        "the last pass checks every file"
    );
    let names = files(dir.path());
    assert_eq!(names.len(), 50);
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".eml") && !n.starts_with('.'))
    );
}

#[tokio::test]
async fn an_unwritable_directory_is_a_transient_error_that_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the directory should be: creating the outbox fails.
    let blocked = dir.path().join("outbox");
    std::fs::write(&blocked, b"not a directory").unwrap();
    let sender = FileSender::new(&FileSettings {
        dir: blocked.clone(),
        ..FileSettings::default()
    })
    .unwrap();
    let err = sender
        .send(&envelope(), b"Subject: x\r\n\r\n")
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(files(dir.path()), ["outbox"]);
}

#[test]
fn a_bad_bounce_address_is_refused_when_the_sender_is_built() {
    let settings = FileSettings {
        bounce_address: "bounces+x@example.com".to_owned(),
        ..FileSettings::default()
    };
    assert!(FileSender::new(&settings).unwrap_err().is_permanent());
}
