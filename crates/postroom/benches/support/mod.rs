//! An SMTP client for the benchmarks: one connection, pipelined envelope, one message after
//! the other, each waited for until its final reply.

use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

async fn reply(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>) -> String {
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.unwrap();
        if line.len() < 4 || line.as_bytes()[3] != b'-' {
            return line;
        }
    }
}

/// Sends `count` messages made by `message` (dot-terminated DATA) on one connection;
/// returns each `250` reply with the wall-clock millisecond it arrived.
pub async fn session(
    addr: SocketAddr,
    count: u64,
    mut message: impl FnMut() -> Vec<u8>,
) -> Vec<(String, i64)> {
    let (read, mut write) = TcpStream::connect(addr).await.unwrap().into_split();
    let mut read = BufReader::new(read);
    reply(&mut read).await;
    write.write_all(b"EHLO bench\r\n").await.unwrap();
    reply(&mut read).await;
    let mut out = Vec::new();
    for _ in 0..count {
        write
            .write_all(b"MAIL FROM:<c@example.org>\r\nRCPT TO:<support@example.com>\r\nDATA\r\n")
            .await
            .unwrap();
        for _ in 0..3 {
            reply(&mut read).await;
        }
        write.write_all(&message()).await.unwrap();
        let done = reply(&mut read).await;
        assert!(done.starts_with("250"), "{done}");
        let at = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        out.push((done, at));
    }
    write.write_all(b"QUIT\r\n").await.unwrap();
    out
}
