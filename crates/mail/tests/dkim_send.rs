//! DKIM signatures made by the sender verify with mail-auth, on the bytes the SMTP peer
//! received. The public keys are handed to the verifier through its TXT cache: no DNS.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::hickory_resolver::config::{ResolverConfig, ResolverOpts};
use mail_auth::{AuthenticatedMessage, DkimResult, MessageAuthenticator, ResolverCache, Txt};
use postroom_core::message::EmailAddress;
use postroom_core::ports::mail_sender::{EnvelopeSender, MailSender, OutboundEnvelope, SendError};
use postroom_mail::send::{DkimSettings, Security, SmtpSender, SmtpSettings};
use support::Peer;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data");

/// The DNS answers the verifier may see, and nothing else.
struct Records(Mutex<HashMap<Box<str>, Txt>>);

impl ResolverCache<Box<str>, Txt> for Records {
    fn get<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().get(name).cloned()
    }

    fn remove<Q>(&self, name: &Q) -> Option<Txt>
    where
        Box<str>: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.0.lock().unwrap().remove(name)
    }

    fn insert(&self, key: Box<str>, value: Txt, _: Instant) {
        self.0.lock().unwrap().insert(key, value);
    }
}

fn records() -> Records {
    let mut map = HashMap::new();
    for (selector, kind, file) in [
        ("rsa", "rsa", "dkim-rsa.pub.b64"),
        ("ed", "ed25519", "dkim-ed25519.pub.b64"),
    ] {
        let key = std::fs::read_to_string(format!("{DATA}/{file}")).unwrap();
        let record = format!("v=DKIM1; k={kind}; p={}", key.trim());
        let key = DomainKey::parse(record.as_bytes()).unwrap();
        map.insert(
            format!("{selector}._domainkey.help.example.com.").into_boxed_str(),
            Txt::DomainKey(Arc::new(key)),
        );
    }
    Records(Mutex::new(map))
}

async fn verify(message: &[u8]) -> Vec<DkimResult> {
    // No name servers at all: a lookup that misses the injected records fails.
    let authenticator = MessageAuthenticator::new(
        ResolverConfig::from_name_servers(vec![]),
        ResolverOpts::default(),
    )
    .unwrap();
    let parsed = AuthenticatedMessage::parse(message).unwrap();
    let records = records();
    let params = mail_auth::Parameters::new(&parsed).with_txt_cache(&records);
    authenticator
        .verify_dkim(params)
        .await
        .iter()
        .map(|o| o.result().clone())
        .collect()
}

fn message() -> Vec<u8> {
    b"From: Help <noreply@help.example.com>\nTo: ann@example.org\nSubject: Re: [SUP-7] printer\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <sup-7.1@help.example.com>\n\n\
Your request SUP-7 was updated.\n.\n-- \nHelp desk\n"
        .to_vec()
}

/// The message as the peer received it, signed with `key_file`; `None` without a peer.
async fn send_signed(selector: &str, key_file: &str) -> Option<Vec<u8>> {
    let peer = Peer::start(&[])?;
    let mut s = SmtpSettings::new("127.0.0.1", peer.port, Security::Plain);
    s.dkim = Some(DkimSettings {
        domain: "help.example.com".to_owned(),
        selector: selector.to_owned(),
        key_file: format!("{DATA}/{key_file}").into(),
        headers: None,
    });
    let envelope = OutboundEnvelope {
        sender: EnvelopeSender::Null,
        recipients: vec![EmailAddress::parse("ann@example.org").unwrap()],
        identity: Default::default(),
    };
    SmtpSender::new(&s)
        .unwrap()
        .send(&envelope, &message())
        .await
        .unwrap();
    Some(peer.delivered().remove(0).content)
}

#[tokio::test]
async fn rsa_signatures_verify_on_the_received_bytes_for_pkcs8_and_pkcs1_keys() {
    for key_file in ["dkim-rsa.pem", "dkim-rsa-pkcs1.pem"] {
        let Some(received) = send_signed("rsa", key_file).await else {
            return;
        };
        assert!(received.starts_with(b"DKIM-Signature: "), "{key_file}");
        assert_eq!(verify(&received).await, [DkimResult::Pass], "{key_file}");
    }
}

#[tokio::test]
async fn ed25519_signatures_verify() {
    let Some(received) = send_signed("ed", "dkim-ed25519.pem").await else {
        return;
    };
    let text = String::from_utf8_lossy(&received);
    assert!(text.contains("a=ed25519-sha256"), "{text}");
    assert_eq!(verify(&received).await, [DkimResult::Pass]);
}

#[tokio::test]
async fn a_changed_body_or_subject_fails_verification() {
    let Some(received) = send_signed("rsa", "dkim-rsa.pem").await else {
        return;
    };
    let text = String::from_utf8(received).unwrap();
    for tampered in [
        text.replace("was updated", "was closed"),
        text.replace("[SUP-7] printer", "[SUP-7] invoice"),
    ] {
        // mail-auth reports a body-hash mismatch as neutral and a bad header signature
        // as fail; neither is a pass.
        let results = verify(tampered.as_bytes()).await;
        assert!(
            matches!(results[..], [DkimResult::Fail(_) | DkimResult::Neutral(_)]),
            "{results:?}"
        );
    }
}

#[test]
fn a_missing_or_unusable_key_is_a_configuration_error() {
    let mut s = SmtpSettings::new("127.0.0.1", 25, Security::Plain);
    for key_file in ["no-such-key.pem", "tls-cert.pem", "dkim-rsa.pub.b64"] {
        s.dkim = Some(DkimSettings {
            domain: "help.example.com".to_owned(),
            selector: "rsa".to_owned(),
            key_file: format!("{DATA}/{key_file}").into(),
            headers: None,
        });
        let err = SmtpSender::new(&s).unwrap_err();
        assert!(matches!(err, SendError::Config(_)), "{key_file}: {err:?}");
    }
}

#[tokio::test]
async fn a_site_is_signed_with_the_key_its_identity_names_and_an_unknown_name_is_refused() {
    let Some(peer) = Peer::start(&[]) else {
        return;
    };
    let key = |selector: &str, file: &str| DkimSettings {
        domain: "help.example.com".to_owned(),
        selector: selector.to_owned(),
        key_file: format!("{DATA}/{file}").into(),
        headers: None,
    };
    let mut s = SmtpSettings::new("127.0.0.1", peer.port, Security::Plain);
    s.dkim = Some(key("rsa", "dkim-rsa.pem"));
    s.dkim_keys
        .insert("acme".to_owned(), key("ed", "dkim-ed25519.pem"));
    let sender = SmtpSender::new(&s).unwrap();
    let mut envelope = OutboundEnvelope {
        sender: EnvelopeSender::Null,
        recipients: vec![EmailAddress::parse("ann@example.org").unwrap()],
        identity: Default::default(),
    };
    sender.send(&envelope, &message()).await.unwrap();
    envelope.identity.dkim_key = Some("acme".to_owned());
    sender.send(&envelope, &message()).await.unwrap();
    let delivered = peer.delivered();
    let (instance, site) = (&delivered[0].content, &delivered[1].content);
    assert!(String::from_utf8_lossy(instance).contains("a=rsa-sha256"));
    assert!(String::from_utf8_lossy(site).contains("a=ed25519-sha256"));
    assert_eq!(verify(site).await, [DkimResult::Pass]);

    envelope.identity.dkim_key = Some("nosuch".to_owned());
    let err = sender.send(&envelope, &message()).await.unwrap_err();
    assert!(
        err.is_permanent() && err.to_string().contains("nosuch"),
        "{err}"
    );
}
