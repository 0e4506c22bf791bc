//! Spam marks added by a filter in front of postroom. A spam class is a reported decision:
//! the engine keeps and reports the message, it never drops it unseen.

use super::SpamScore;
use crate::message::Message;

/// Returns the deciding signal: `X-Spam-Flag: YES`, or the configured score header at or
/// above its threshold.
pub(super) fn detect(message: &Message, score: Option<&SpamScore>) -> Option<String> {
    if message
        .headers_named("X-Spam-Flag")
        .any(|v| v.trim().eq_ignore_ascii_case("yes"))
    {
        return Some("header X-Spam-Flag: YES".to_owned());
    }
    let config = score?;
    let value = message
        .headers_named(&config.header)
        .find_map(parse_score)?;
    (value >= config.threshold).then(|| {
        format!(
            "header {} score {value} >= {}",
            config.header, config.threshold
        )
    })
}

/// The score in a header value: `7.3`, `Yes, score=7.3 required=5.0 ...` or `7,3`.
fn parse_score(value: &str) -> Option<f64> {
    let lower = value.to_ascii_lowercase();
    let start = lower.find("score=").map_or(0, |i| i + "score=".len());
    let number: String = lower[start..]
        .trim_start()
        .chars()
        .enumerate()
        .take_while(|(i, c)| c.is_ascii_digit() || *c == '.' || *c == ',' || (*i == 0 && *c == '-'))
        .map(|(_, c)| if c == ',' { '.' } else { c })
        .collect();
    number.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::HeaderField;

    fn with(name: &str, value: &str) -> Message {
        Message {
            headers: vec![HeaderField {
                name: name.into(),
                value: value.into(),
            }],
            ..Message::default()
        }
    }

    fn config() -> SpamScore {
        SpamScore {
            header: "X-Spam-Score".into(),
            threshold: 5.0,
        }
    }

    #[test]
    fn spam_flag_yes_decides_without_configuration() {
        assert!(detect(&with("X-Spam-Flag", " yes "), None).is_some());
        assert!(detect(&with("X-Spam-Flag", "NO"), None).is_none());
    }

    #[test]
    fn score_header_compares_with_the_threshold() {
        assert!(detect(&with("x-spam-score", "5.0"), Some(&config())).is_some());
        assert!(detect(&with("X-Spam-Score", "4.9"), Some(&config())).is_none());
        assert!(detect(&with("X-Spam-Score", "-2.1"), Some(&config())).is_none());
        assert!(detect(&with("X-Spam-Score", "garbage"), Some(&config())).is_none());
        assert!(detect(&with("X-Spam-Score", "9"), None).is_none());
    }

    #[test]
    fn scores_are_read_from_common_formats() {
        assert_eq!(parse_score("Yes, score=7.3 required=5.0"), Some(7.3));
        assert_eq!(parse_score("6,5"), Some(6.5));
        assert_eq!(parse_score("-1.0"), Some(-1.0));
        assert_eq!(parse_score(""), None);
    }
}
