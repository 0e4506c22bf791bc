//! Arbitrary input, valid commands and junk mixed, never panics the session, always ends
//! it, and every line it writes is a well-formed reply.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use postroom_core::redact::Redactor;
use proptest::prelude::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;

use super::{End, Session};
use crate::smtp::listener::Shared;
use crate::smtp::sink::{DeliveryError, DeliveryId, Envelope, RecipientVerdict, Sink};
use crate::smtp::{ListenerConfig, Protocol};

struct AcceptAll;

impl Sink for AcceptAll {
    async fn accepts(&self, recipient: &str) -> RecipientVerdict {
        if recipient.ends_with(".test") {
            RecipientVerdict::Accept
        } else {
            RecipientVerdict::Unknown
        }
    }

    async fn deliver(&self, _: &Envelope, data: Vec<u8>) -> Result<DeliveryId, DeliveryError> {
        if data.len().is_multiple_of(2) {
            Ok(DeliveryId::new("x"))
        } else {
            Err(DeliveryError::Transient {
                reason: "odd".to_owned(),
            })
        }
    }
}

const PIECES: &[&str] = &[
    "EHLO a.test\r\n",
    "LHLO a.test\r\n",
    "HELO a\r\n",
    "MAIL FROM:<s@a.test> SIZE=10 BODY=8BITMIME SMTPUTF8\r\n",
    "MAIL FROM:<>\r\n",
    "RCPT TO:<r@b.test>\r\n",
    "RCPT TO:<r@elsewhere>\r\n",
    "DATA\r\n",
    "\r\n.\r\n",
    ".\r\n",
    "..\r\n",
    "BDAT 10 LAST\r\n",
    "STARTTLS\r\n",
    "RSET\r\n",
    "AUTH PLAIN AGFiYwBk\r\n",
    "\r\n",
    "\n",
    "\r",
];

fn input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        prop::sample::select(PIECES).prop_map(|p| p.as_bytes().to_vec()),
        prop::collection::vec(any::<u8>(), 0..300),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

async fn converse(input: Vec<u8>, protocol: Protocol) -> (End, Vec<u8>) {
    let config = ListenerConfig {
        protocol,
        max_message_size: 200,
        max_recipients: 3,
        max_errors: 1000,
        command_timeout: Duration::from_secs(5),
        data_timeout: Duration::from_secs(5),
        ..ListenerConfig::default()
    };
    let shared = Shared::new(
        AcceptAll,
        config,
        Redactor::new([1; 32]),
        CancellationToken::new(),
    );
    let (client, server) = tokio::io::duplex(4096);
    let (mut read, mut write) = tokio::io::split(client);
    let writer = tokio::spawn(async move {
        let _ = write.write_all(&input).await;
        let _ = write.shutdown().await;
    });
    let reader = tokio::spawn(async move {
        let mut out = Vec::new();
        let _ = read.read_to_end(&mut out).await;
        out
    });
    let peer = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let end = Session::new(server, &shared, peer, false).run(true).await;
    let _ = writer.await;
    let out = reader.await.unwrap_or_default();
    (end, out)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_input_ends_the_session_with_well_formed_replies(
        input in input(),
        lmtp in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let protocol = if lmtp { Protocol::Lmtp } else { Protocol::Smtp };
        let (end, out) = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(30), converse(input, protocol))
                .await
                .expect("the session did not end")
        });
        // Without a certificate STARTTLS is refused, so every session ends for good.
        prop_assert_eq!(end, End::Done);
        let text = String::from_utf8(out).expect("replies are ASCII");
        for line in text.split_terminator("\r\n") {
            let (code, rest) = line.split_at(3.min(line.len()));
            prop_assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()), "{line:?}");
            prop_assert!(rest.starts_with(' ') || rest.starts_with('-'), "{line:?}");
        }
        prop_assert!(text.is_empty() || text.ends_with("\r\n"));
    }
}
