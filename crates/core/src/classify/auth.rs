//! Sender authenticity from `Authentication-Results` (RFC 8601) written by the one MTA we
//! trust. Anybody can write that header into a mail, so results under any other authserv-id
//! are ignored. Later stages (directives, mapping a sender to a Jira user) act only for
//! senders whose result is `pass`.

use serde::Serialize;

use crate::message::Message;

/// The overall verdict on the `From` address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthResult {
    /// DMARC passed, or DKIM/SPF passed aligned with the `From` domain.
    Pass,
    /// DMARC failed (the `From` is forged) or every check failed.
    Fail,
    /// Nothing trustworthy was said either way.
    #[default]
    None,
}

/// The `auth` object of the dry-run JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Auth {
    /// The verdict.
    pub result: AuthResult,
    /// DKIM result (`pass`, `fail`, ...), preferring a passing signature.
    pub dkim: Option<String>,
    /// The signing domain (`header.d`) of that signature.
    pub dkim_domain: Option<String>,
    /// SPF result.
    pub spf: Option<String>,
    /// DMARC result.
    pub dmarc: Option<String>,
    /// True when DMARC failed: the `From` address is not the sender's to use.
    pub forged_from: bool,
    /// Why the verdict was reached.
    pub reason: String,
}

struct MethodResult {
    method: String,
    result: String,
    domain: Option<String>,
}

/// Reads the topmost `Authentication-Results` of the trusted server and judges the `From`.
pub(super) fn evaluate(message: &Message, trusted: Option<&str>) -> Auth {
    let Some(trusted) = trusted.map(str::trim).filter(|t| !t.is_empty()) else {
        return none("no trusted authserv-id configured");
    };
    let Some(results) = message
        .headers_named("Authentication-Results")
        .find_map(|v| parse(v, trusted))
    else {
        return none("no Authentication-Results from the trusted server");
    };
    let from_domain = message.from.as_ref().map(|m| m.address.domain().to_owned());
    let of = |method: &'static str| results.iter().filter(move |r| r.method == method);
    let dkim = of("dkim")
        .find(|r| r.result == "pass")
        .or_else(|| of("dkim").next());
    let spf = of("spf").next();
    let dmarc = of("dmarc").next();
    let aligned = |r: &MethodResult| {
        r.result == "pass"
            && match (&r.domain, &from_domain) {
                (Some(d), Some(f)) => aligned(d, f),
                _ => false,
            }
    };
    let (result, reason, forged_from) = match dmarc.map(|d| d.result.as_str()) {
        Some("pass") => (AuthResult::Pass, "dmarc=pass", false),
        Some("fail") => (AuthResult::Fail, "dmarc=fail: From is forged", true),
        _ if dkim.is_some_and(aligned) => (AuthResult::Pass, "dkim=pass aligned with From", false),
        _ if spf.is_some_and(aligned) => (AuthResult::Pass, "spf=pass aligned with From", false),
        _ if [dkim, spf].iter().flatten().any(|r| r.result == "fail") => (
            AuthResult::Fail,
            "dkim or spf failed and nothing passed",
            false,
        ),
        _ => (AuthResult::None, "no conclusive result", false),
    };
    Auth {
        result,
        dkim: dkim.map(|r| r.result.clone()),
        dkim_domain: dkim.and_then(|r| r.domain.clone()),
        spf: spf.map(|r| r.result.clone()),
        dmarc: dmarc.map(|r| r.result.clone()),
        forged_from,
        reason: reason.to_owned(),
    }
}

fn none(reason: &str) -> Auth {
    Auth {
        reason: reason.to_owned(),
        ..Auth::default()
    }
}

/// Relaxed DMARC alignment: one domain equals the other or is a subdomain of it.
fn aligned(signer: &str, from: &str) -> bool {
    let (s, f) = (signer.to_ascii_lowercase(), from.to_ascii_lowercase());
    s == f || f.ends_with(&format!(".{s}")) || s.ends_with(&format!(".{f}"))
}

/// The method results of one header when its authserv-id is `trusted`.
fn parse(value: &str, trusted: &str) -> Option<Vec<MethodResult>> {
    let cleaned = strip_comments(value);
    let mut parts = cleaned.split(';');
    let id = parts.next()?.split_whitespace().next()?;
    if !id.eq_ignore_ascii_case(trusted) {
        return None;
    }
    let results = parts
        .filter_map(|part| {
            let mut tokens = part.split_whitespace();
            let (method, result) = tokens.next()?.split_once('=')?;
            let domain = tokens
                .filter_map(|t| t.split_once('='))
                .find(|(k, _)| {
                    matches!(
                        k.to_ascii_lowercase().as_str(),
                        "header.d" | "header.i" | "smtp.mailfrom" | "header.from"
                    )
                })
                .map(|(_, v)| {
                    let v = v.trim_matches('"');
                    v.rsplit_once('@')
                        .map_or(v, |(_, d)| d)
                        .to_ascii_lowercase()
                });
            Some(MethodResult {
                method: method.trim().to_ascii_lowercase(),
                result: result.trim().to_ascii_lowercase(),
                domain,
            })
        })
        .collect();
    Some(results)
}

/// Removes RFC 5322 comments `( ... )`, nested ones included.
fn strip_comments(value: &str) -> String {
    let mut depth = 0usize;
    value
        .chars()
        .filter(|c| match c {
            '(' => {
                depth += 1;
                false
            }
            ')' => {
                depth = depth.saturating_sub(1);
                false
            }
            _ => depth == 0,
        })
        .collect()
}

#[cfg(test)]
mod tests;
