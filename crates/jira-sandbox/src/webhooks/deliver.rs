//! Delivery of one webhook payload: signed, with a stable identifier, retried with backoff.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::app::App;

/// One payload for one receiver.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Receiver URL.
    pub url: String,
    /// Body bytes (signed as sent).
    pub body: Vec<u8>,
    /// HMAC secret, if the webhook has one.
    pub secret: Option<String>,
    /// `X-Atlassian-Webhook-Identifier`, the same on every retry.
    pub identifier: String,
}

/// `sha256=<hex HMAC-SHA256 of body>`, the `X-Hub-Signature` value.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes keys of any length, so construction cannot fail; an empty hex part
    // (never valid for a receiver) would be the only outcome if it did.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) else {
        return "sha256=".to_owned();
    };
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether a receiver URL points at this machine (the sandbox never calls anything else).
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    let host = parsed
        .host_str()
        .unwrap_or("")
        .trim_start_matches('[')
        .trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Jira retries on these statuses (and on transport errors).
fn retriable(status: u16) -> bool {
    matches!(status, 408 | 409 | 425 | 429) || status >= 500
}

/// Sends with retries; outcomes go to the stats counters.
pub async fn deliver(app: &App, d: Delivery) {
    let policy = app.config.webhook_retry.clone();
    let mut backoff = policy.first_backoff;
    for attempt in 0..policy.attempts.max(1) {
        if attempt > 0 {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
        let mut req = app
            .http
            .post(&d.url)
            .header("content-type", "application/json")
            .header("x-atlassian-webhook-identifier", &d.identifier)
            .body(d.body.clone());
        if attempt > 0 {
            req = req.header("x-atlassian-webhook-retry", attempt.to_string());
        }
        if let Some(secret) = &d.secret {
            req = req.header("x-hub-signature", signature(secret, &d.body));
        }
        match req.send().await {
            Ok(resp) if resp.status().is_success() => {
                app.stats.effect("webhook_delivered");
                return;
            }
            Ok(resp) if !retriable(resp.status().as_u16()) => {
                app.stats.effect("webhook_rejected");
                return;
            }
            Ok(_) | Err(_) => app.stats.effect("webhook_failed_attempt"),
        }
    }
    app.stats.effect("webhook_gave_up");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_known_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn only_loopback_receivers() {
        for ok in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/x",
            "http://[::1]:1/",
            "https://127.0.0.2/",
        ] {
            assert!(is_loopback_url(ok), "{ok}");
        }
        for bad in [
            "http://example.com/hook",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "not a url",
            "",
        ] {
            assert!(!is_loopback_url(bad), "{bad}");
        }
    }

    #[test]
    fn retry_statuses_follow_jira() {
        assert!(retriable(429) && retriable(503) && retriable(408));
        assert!(!retriable(400) && !retriable(401) && !retriable(404));
    }
}
