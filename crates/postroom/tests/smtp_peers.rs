//! One peer cannot hold the SMTP listener (issue #24): idle connections from one address
//! are capped at `smtp.max_connections_per_peer` while others are greeted and deliver, and
//! a `smtp.trusted_relays` address is not capped. Peers are distinct loopback addresses:
//! each client socket is bound to its own 127.0.0.x before it connects.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use support::{PATIENCE, Served, listening};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

const IDLE_PEER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);
const OTHER_PEER: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 3);
const RELAY: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 4);

async fn serve(dir: &Path) -> (Served, SocketAddr) {
    let profile = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profile.json");
    let profile = profile.display().to_string();
    let env = [
        ("POSTROOM_INBOUND__PROFILE", profile.as_str()),
        ("POSTROOM_SMTP__TRUSTED_RELAYS", "127.0.0.4, 10.0.0.0/8"),
    ];
    let served = Served::start_with_args(dir, &["--smtp", "127.0.0.1:0"], &env).await;
    let addr = listening(&served, "smtp").trim().parse().unwrap();
    (served, addr)
}

/// A session opened from `from`.
struct Client {
    stream: BufReader<TcpStream>,
}

impl Client {
    async fn connect(from: Ipv4Addr, to: SocketAddr) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from((from, 0))).unwrap();
        Self {
            stream: BufReader::new(socket.connect(to).await.unwrap()),
        }
    }

    /// The last line of the next reply; "" when the server closed the connection.
    async fn reply(&mut self) -> String {
        tokio::time::timeout(PATIENCE, async {
            loop {
                let mut line = String::new();
                if self.stream.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return line;
                }
                if line.as_bytes().get(3) != Some(&b'-') {
                    return line;
                }
            }
        })
        .await
        .expect("a reply in time")
    }

    async fn command(&mut self, line: &str) -> String {
        let stream = self.stream.get_mut();
        stream.write_all(line.as_bytes()).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
        self.reply().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_from_one_address_leave_room_for_others_and_relays() {
    let dir = tempfile::tempdir().unwrap();
    let (served, addr) = serve(dir.path()).await;

    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(Client::connect(IDLE_PEER, addr).await);
    }
    let mut greeted = 0;
    let mut refused = 0;
    for client in &mut idle {
        let first = client.reply().await;
        if first.starts_with("220 ") {
            greeted += 1;
        } else {
            assert!(first.starts_with("421 4.7.0"), "{first:?}");
            assert_eq!(client.reply().await, "", "a refused connection is closed");
            refused += 1;
        }
    }
    assert_eq!(
        (greeted, refused),
        (10, 190),
        "smtp.max_connections_per_peer = 10"
    );

    let mut other = Client::connect(OTHER_PEER, addr).await;
    assert!(other.reply().await.starts_with("220 "));
    assert!(
        other
            .command("EHLO client.example.org")
            .await
            .starts_with("250 ")
    );
    let sender = other.command("MAIL FROM:<customer@example.org>").await;
    assert!(sender.starts_with("250 "), "{sender:?}");
    let rcpt = other.command("RCPT TO:<support@example.com>").await;
    assert!(rcpt.starts_with("250 "), "{rcpt:?}");
    assert!(other.command("DATA").await.starts_with("354 "));
    let message = "Message-ID: <peers-1@example.org>\r\nFrom: customer@example.org\r\n\
                   To: support@example.com\r\nSubject: printer\r\n\r\nIt is on fire.\r\n.";
    let queued = other.command(message).await;
    assert!(queued.starts_with("250 "), "{queued:?}");
    assert!(other.command("QUIT").await.starts_with("221 "));

    let mut relayed = Vec::new();
    for _ in 0..30 {
        relayed.push(Client::connect(RELAY, addr).await);
    }
    for client in &mut relayed {
        let greeting = client.reply().await;
        assert!(
            greeting.starts_with("220 "),
            "a trusted relay is not capped: {greeting:?}"
        );
    }

    let logged = served
        .stderr()
        .iter()
        .filter(|l| l.contains("max_connections_per_peer"))
        .count();
    assert_eq!(logged, 1, "a refused peer is logged at most once a minute");
    let metrics = served.metrics().await;
    let counted = metrics
        .lines()
        .find(|l| l.starts_with("postroom_smtp_connections_total{outcome=\"peer_limit\"}"))
        .and_then(|l| l.split_whitespace().last())
        .and_then(|n| n.parse::<f64>().ok());
    assert_eq!(counted, Some(190.0), "{metrics}");

    drop(idle);
    drop(relayed);
    // Every slot comes back once its client has gone.
    let start = std::time::Instant::now();
    loop {
        let mut again = Vec::new();
        for _ in 0..10 {
            again.push(Client::connect(IDLE_PEER, addr).await);
        }
        let mut all = true;
        for client in &mut again {
            all &= client.reply().await.starts_with("220 ");
        }
        if all {
            break;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "the idle peer's slots were not freed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    served.stop_gracefully();
}
