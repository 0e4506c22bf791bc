use proptest::prelude::*;

use super::*;

const ORIGINAL: &str = "From: Ann <ann@example.com>\r\n\
To: support@example.net\r\n\
Date: Mon, 1 Jan 2024 10:00:00 +0100\r\n\
Subject: Printer on fire\r\n\
Message-ID: <x@example.com>\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: 8bit\r\n\
\r\n\
It is burning. Caf\u{e9}.\r\n";

/// The same mail as a second server hands it on: new trace headers, LF line endings, the
/// body downgraded to quoted-printable, the subject folded.
const REDELIVERED: &str = "Return-Path: <ann@example.com>\n\
Delivered-To: helpdesk@example.net\n\
X-Original-To: support@example.net\n\
Received: from mx.example.com by mx.example.net; Mon, 1 Jan 2024 10:00:05 +0100\n\
Authentication-Results: mx.example.net; dkim=pass\n\
ARC-Seal: i=1; a=rsa-sha256; cv=none; d=example.net; s=a; b=abc\n\
DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s; b=def\n\
From: Ann <ann@example.com>\n\
To: support@example.net\n\
Date: Mon, 01 Jan 2024 09:00:00 +0000\n\
Subject: Printer\n on fire\n\
Message-ID:  <x@example.com> \n\
Content-Type: text/plain; charset=utf-8\n\
Content-Transfer-Encoding: quoted-printable\n\
\n\
It is burning. Caf=C3=A9.\n\n";

#[test]
fn a_true_redelivery_is_the_same_message() {
    let a = Identity::of(ORIGINAL.as_bytes());
    let b = Identity::of(REDELIVERED.as_bytes());
    assert!(a.message_id_hash.is_some());
    assert_eq!(a, b);
    assert_eq!(
        dedupe_hash(ORIGINAL.as_bytes()),
        dedupe_hash(REDELIVERED.as_bytes())
    );
}

#[test]
fn a_reused_message_id_with_other_content_is_another_message() {
    let other = ORIGINAL.replace("It is burning.", "Please reset my password.");
    let a = Identity::of(ORIGINAL.as_bytes());
    let b = Identity::of(other.as_bytes());
    assert_eq!(a.message_id_hash, b.message_id_hash);
    assert_ne!(a.digest, b.digest);
    assert_ne!(a.dedupe_hash(), b.dedupe_hash());
}

#[test]
fn from_date_and_subject_count() {
    let base = Identity::of(ORIGINAL.as_bytes()).dedupe_hash();
    for (old, new) in [
        ("Ann <ann@", "Eve <ann@"),
        ("ann@example.com>\r\nTo", "eve@example.com>\r\nTo"),
        ("10:00:00", "10:00:01"),
        ("Printer on fire", "Printer on ice"),
    ] {
        let changed = ORIGINAL.replacen(old, new, 1);
        assert_ne!(dedupe_hash(changed.as_bytes()), base, "{old} -> {new}");
    }
}

#[test]
fn other_headers_do_not_count() {
    let base = dedupe_hash(ORIGINAL.as_bytes());
    let more = format!("X-Spam-Score: 3\r\nReceived: by relay\r\n{ORIGINAL}");
    assert_eq!(dedupe_hash(more.as_bytes()), base);
}

#[test]
fn attachments_count_by_name_and_decoded_bytes() {
    let mail = |name: &str, data: &str| {
        format!(
            "From: a@example.com\r\nSubject: s\r\nMessage-ID: <m@x>\r\n\
             Content-Type: multipart/mixed; boundary=b\r\n\r\n\
             --b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n\
             --b\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename={name}\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{data}\r\n--b--\r\n"
        )
    };
    let a = dedupe_hash(mail("a.bin", "AAECAw==").as_bytes());
    // The same bytes, wrapped differently by another encoder.
    let a_rewrapped = dedupe_hash(mail("a.bin", "AAEC\r\nAw==").as_bytes());
    assert_eq!(a, a_rewrapped);
    assert_ne!(a, dedupe_hash(mail("b.bin", "AAECAw==").as_bytes()));
    assert_ne!(a, dedupe_hash(mail("a.bin", "AAECBA==").as_bytes()));
}

#[test]
fn without_a_message_id_the_digest_decides() {
    let a = b"Subject: a\r\n\r\none\r\n";
    let b = b"Subject: a\r\n\r\ntwo\r\n";
    assert_eq!(Identity::of(a).message_id_hash, None);
    assert_eq!(
        dedupe_hash(a),
        dedupe_hash(b"Received: x\nSubject: a\n\none\n")
    );
    assert_ne!(dedupe_hash(a), dedupe_hash(b));
    assert_ne!(
        dedupe_hash(b"Message-ID: <>\r\n\r\nx"),
        dedupe_hash(b"Message-ID: <y@x>\r\n\r\nx")
    );
    assert_eq!(dedupe_hash(b"").len(), 64);
}

fn trace_header() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "Received",
        "Delivered-To",
        "X-Original-To",
        "Return-Path",
        "Authentication-Results",
        "ARC-Seal",
        "ARC-Message-Signature",
        "ARC-Authentication-Results",
        "DKIM-Signature",
    ]);
    (name, "[a-z0-9.@;= ]{1,40}").prop_map(|(n, v)| format!("{n}: {v}\r\n"))
}

fn mail(id: &str, subject: &str, body: &str) -> String {
    format!(
        "From: a@example.com\r\nDate: Tue, 2 Jan 2024 08:00:00 +0000\r\n\
         Subject: {subject}\r\nMessage-ID: <{id}>\r\n\r\n{body}"
    )
}

proptest! {
    #[test]
    fn redelivery_keeps_the_hash(
        subject in "[A-Za-z][A-Za-z ]{0,30}",
        lines in prop::collection::vec("[A-Za-z0-9 .,]{0,60}", 1..8),
        trace in prop::collection::vec(trace_header(), 0..6),
        lf in any::<bool>(),
    ) {
        let body = lines.join("\r\n");
        let original = mail("p@x", &subject, &body);
        let mut again = format!("{}{original}\r\n", trace.concat());
        if lf {
            again = again.replace("\r\n", "\n");
        }
        prop_assert_eq!(dedupe_hash(original.as_bytes()), dedupe_hash(again.as_bytes()));
    }

    #[test]
    fn other_words_change_the_hash(
        body in "[A-Za-z0-9]{1,60}",
        other in "[A-Za-z0-9]{1,60}",
    ) {
        prop_assume!(body != other);
        let a = dedupe_hash(mail("p@x", "s", &body).as_bytes());
        let b = dedupe_hash(mail("p@x", "s", &other).as_bytes());
        prop_assert_ne!(a, b);
    }
}
