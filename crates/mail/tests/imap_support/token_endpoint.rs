//! A local OAuth 2.0 token endpoint: exchanges one refresh token for fresh access tokens
//! and writes each into the tokens file that the test Dovecot's introspection endpoint
//! reads, the way Google's endpoint and IMAP server agree on a token.

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const REFRESH: &str = "refresh-good";

/// Serves until the test ends; returns the token URL and the count of tokens issued.
pub async fn start(tokens_file: String, user: &'static str) -> (String, &'static AtomicU32) {
    let issued: &'static AtomicU32 = Box::leak(Box::new(AtomicU32::new(0)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let (mut conn, _) = listener.accept().await.unwrap();
            let request = read_request(&mut conn).await;
            let (status, body) = if request.contains(&format!("refresh_token={REFRESH}")) {
                let n = issued.fetch_add(1, Ordering::SeqCst);
                let token = format!("at-{}-{n}-{}", std::process::id(), rand_suffix());
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(&tokens_file)
                    .unwrap();
                writeln!(file, "{token} {user}").unwrap();
                (
                    "200 OK",
                    format!(
                        r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#
                    ),
                )
            } else {
                (
                    "400 Bad Request",
                    r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#
                        .to_owned(),
                )
            };
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(response.as_bytes()).await.unwrap();
        }
    });
    (url, issued)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Headers and body of one request (the body by Content-Length).
async fn read_request(conn: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = conn.read(&mut chunk).await.unwrap();
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap())
                })
                .unwrap_or(0);
            if buf.len() >= end + 4 + length || n == 0 {
                return text;
            }
        } else if n == 0 {
            return text;
        }
    }
}
