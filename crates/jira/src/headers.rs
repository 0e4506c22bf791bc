//! Jira's rate-limit headers: when to retry, how much quota is left, and why we were
//! throttled. They feed the limiter, the metrics and `postroom jira check`.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;

/// What one response said about rate limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RateLimitInfo {
    /// `Retry-After`, as a delay from now.
    pub retry_after: Option<Duration>,
    /// `X-RateLimit-Reset`, as a delay from now (zero when already past).
    pub reset_in: Option<Duration>,
    /// `X-RateLimit-Limit`.
    pub limit: Option<f64>,
    /// `X-RateLimit-Remaining`.
    pub remaining: Option<f64>,
    /// `RateLimit-Reason`.
    pub reason: Option<String>,
    /// `X-RateLimit-NearLimit: true`: under 20% of the quota left.
    pub near_limit: bool,
    /// Every rate-limit related header, verbatim, for diagnostics.
    pub raw: BTreeMap<String, String>,
}

impl RateLimitInfo {
    /// How long Jira asked us to wait: `Retry-After`, else the quota reset.
    pub(crate) fn wait(&self) -> Option<Duration> {
        self.retry_after.or(self.reset_in)
    }
}

fn is_rate_limit_header(name: &str) -> bool {
    name == "retry-after"
        || name.starts_with("x-ratelimit-")
        || name.starts_with("ratelimit-")
        || name.starts_with("beta-ratelimit")
        || name.starts_with("x-beta-ratelimit")
}

/// Reads the rate-limit headers of a response received at `now`.
pub(crate) fn read(headers: &HeaderMap, now: SystemTime) -> RateLimitInfo {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let raw = headers
        .iter()
        .filter(|(name, _)| is_rate_limit_header(name.as_str()))
        .filter_map(|(name, v)| Some((name.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    RateLimitInfo {
        retry_after: get("retry-after").and_then(|v| parse_retry_after(v, now)),
        reset_in: get("x-ratelimit-reset").and_then(|v| parse_reset(v, now)),
        limit: get("x-ratelimit-limit").and_then(|v| v.parse().ok()),
        remaining: get("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
        reason: get("ratelimit-reason")
            .or_else(|| get("x-beta-ratelimit-reason"))
            .map(str::to_owned),
        near_limit: get("x-ratelimit-nearlimit").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        raw,
    }
}

/// `Retry-After`: delay seconds (Jira sends whole seconds; fractions are accepted) or an
/// HTTP date. A date in the past means "now".
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `X-RateLimit-Reset`: an ISO 8601 UTC timestamp (`2026-11-23T07:45Z`, seconds and
/// fractions optional). A time in the past means "now".
pub(crate) fn parse_reset(value: &str, now: SystemTime) -> Option<Duration> {
    let secs = parse_iso_utc(value)?;
    let now_secs = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64();
    Some(Duration::from_secs_f64(
        (secs - now_secs).clamp(0.0, 86_400.0),
    ))
}

fn parse_iso_utc(value: &str) -> Option<f64> {
    let v = value
        .strip_suffix('Z')
        .or_else(|| value.strip_suffix("+00:00"))?;
    let (date, time) = v.split_once('T')?;
    let mut d = date.split('-').map(|p| p.parse::<i64>().ok());
    let (y, m, day) = (d.next()??, d.next()??, d.next()??);
    let mut t = time.split(':');
    let hour: i64 = t.next()?.parse().ok()?;
    let minute: i64 = t.next()?.parse().ok()?;
    let second: f64 = t.next().map_or(Some(0.0), |s| s.parse().ok())?;
    if !(1..=12).contains(&m)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || !(0.0..61.0).contains(&second)
    {
        return None;
    }
    let days = days_from_civil(y, m, day);
    #[allow(
        clippy::cast_precision_loss,
        reason = "seconds since 1970 fit an f64 exactly"
    )]
    Some((days * 86_400 + hour * 3_600 + minute * 60) as f64 + second)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Publishes what a response said into the `metrics` registry, labelled by tenant.
pub(crate) fn record(tenant: &str, info: &RateLimitInfo) {
    let tenant = tenant.to_owned();
    if let Some(limit) = info.limit {
        metrics::gauge!("postroom_jira_ratelimit_limit", "tenant" => tenant.clone()).set(limit);
    }
    if let Some(remaining) = info.remaining {
        metrics::gauge!("postroom_jira_ratelimit_remaining", "tenant" => tenant.clone())
            .set(remaining);
    }
    if info.near_limit {
        metrics::counter!("postroom_jira_ratelimit_near_limit_total", "tenant" => tenant.clone())
            .increment(1);
    }
    if let Some(reason) = &info.reason {
        metrics::counter!("postroom_jira_rate_limited_total", "tenant" => tenant, "reason" => reason.clone())
            .increment(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        let now = at(1_784_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("0.5", now),
            Some(Duration::from_millis(500))
        );
        let date = httpdate::fmt_http_date(at(1_784_000_010));
        assert_eq!(parse_retry_after(&date, now), Some(Duration::from_secs(10)));
        assert_eq!(
            parse_retry_after(&httpdate::fmt_http_date(at(1_783_999_990)), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("NaN", now), None);
    }

    #[test]
    fn reset_in_jira_iso_format() {
        // 2026-11-23T07:45Z = 1795419900
        let reset = 1_795_419_900;
        assert_eq!(parse_iso_utc("2026-11-23T07:45Z"), Some(1_795_419_900.0));
        assert_eq!(
            parse_reset("2026-11-23T07:45Z", at(reset - 30)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_reset("2026-11-23T07:45:30.5Z", at(reset)),
            Some(Duration::from_secs_f64(30.5))
        );
        assert_eq!(
            parse_reset("2026-11-23T07:45Z", at(reset + 5)),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_reset("2026-13-23T07:45Z", at(reset)), None);
        assert_eq!(parse_reset("2026-11-23 07:45", at(reset)), None);
        assert_eq!(parse_reset("", at(reset)), None);
    }

    #[test]
    fn reads_all_rate_limit_headers_and_prefers_retry_after() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("2"));
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2026-11-23T07:45Z"),
        );
        h.insert("x-ratelimit-limit", HeaderValue::from_static("100"));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        h.insert("x-ratelimit-nearlimit", HeaderValue::from_static("true"));
        h.insert(
            "ratelimit-reason",
            HeaderValue::from_static("jira-burst-based"),
        );
        h.insert(
            "beta-ratelimit-policy",
            HeaderValue::from_static("\"fixed\";q=500;w=1"),
        );
        h.insert("content-type", HeaderValue::from_static("application/json"));
        let info = read(&h, at(1_795_419_800));
        assert_eq!(info.wait(), Some(Duration::from_secs(2)));
        assert_eq!(info.reset_in, Some(Duration::from_secs(100)));
        assert_eq!((info.limit, info.remaining), (Some(100.0), Some(0.0)));
        assert!(info.near_limit);
        assert_eq!(info.reason.as_deref(), Some("jira-burst-based"));
        assert_eq!(info.raw.len(), 7);
        assert!(!info.raw.contains_key("content-type"));
    }
}
