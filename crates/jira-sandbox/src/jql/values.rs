//! Value matching for JQL clauses: text search (`~`) and dates (`-15m`, `yyyy-MM-dd`).

use super::JqlError;
use super::eval::not_supported;
use super::parse::{Clause, Operand};
use crate::time::days_from_civil;

/// `~` / `!~`: every word of the query must start a word of the text (case-insensitive);
/// a trailing `*` is the explicit prefix form. Jira's index also stems; the sandbox's
/// prefix match approximates that.
pub(super) fn text(c: &Clause, name: &str, haystack: &str) -> Result<bool, JqlError> {
    if !matches!(c.op, "~" | "!~") {
        return Err(not_supported(c.op, name));
    }
    let Operand::Value(needle) = &c.operand else {
        return Err(not_supported(c.op, name));
    };
    let words: Vec<String> = words(haystack);
    let terms = words_of(needle);
    let found = !terms.is_empty()
        && terms
            .iter()
            .all(|t| words.iter().any(|w| w.starts_with(t.as_str())));
    Ok(if c.op == "~" { found } else { !found })
}

fn words_of(s: &str) -> Vec<String> {
    words(&s.replace('*', " "))
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

pub(super) fn date(c: &Clause, name: &str, actual: i64, now_ms: i64) -> Result<bool, JqlError> {
    let Operand::Value(v) = &c.operand else {
        return Err(not_supported(c.op, name));
    };
    let at = parse_date(v, now_ms).ok_or_else(|| JqlError::Unknown(format!(
        "Date value '{v}' for field '{name}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'."
    )))?;
    Ok(match c.op {
        "=" => actual == at,
        "!=" => actual != at,
        ">" => actual > at,
        ">=" => actual >= at,
        "<" => actual < at,
        "<=" => actual <= at,
        op => return Err(not_supported(op, name)),
    })
}

/// `-15m`, `1d`, `-2w` relative to now (minute precision is enough for Jira's syntax), or
/// `yyyy-MM-dd[ HH:mm]` / `yyyy/MM/dd[ HH:mm]` in UTC.
fn parse_date(v: &str, now_ms: i64) -> Option<i64> {
    let (sign, rest) = match v.strip_prefix('-') {
        Some(r) => (-1, r),
        None => (1, v.strip_prefix('+').unwrap_or(v)),
    };
    if let Some(unit) = rest.chars().last().filter(|c| "wdhm".contains(*c)) {
        let n: i64 = rest[..rest.len() - 1].parse().ok()?;
        let ms = match unit {
            'w' => 604_800_000,
            'd' => 86_400_000,
            'h' => 3_600_000,
            _ => 60_000,
        };
        return Some(now_ms + sign * n * ms);
    }
    let (day, time) = v.split_once(' ').unwrap_or((v, "00:00"));
    let parts: Vec<i64> = day
        .split(['-', '/'])
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    let (h, m) = time.split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    match parts[..] {
        [y, mo, d] if (1..=12).contains(&mo) && (1..=31).contains(&d) && h < 24 && m < 60 => {
            Some(days_from_civil(y, mo, d) * 86_400_000 + (h * 60 + m) * 60_000)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000_000;

    #[test]
    fn relative_and_absolute_dates() {
        assert_eq!(parse_date("-15m", NOW), Some(NOW - 900_000));
        assert_eq!(parse_date("2d", NOW), Some(NOW + 2 * 86_400_000));
        assert_eq!(parse_date("+1w", NOW), Some(NOW + 604_800_000));
        assert_eq!(parse_date("1970-01-02", NOW), Some(86_400_000));
        assert_eq!(parse_date("1970/01/01 01:30", NOW), Some(5_400_000));
        for bad in [
            "",
            "-m",
            "15x",
            "2026-13-01",
            "2026-01-01 25:00",
            "2026-01",
            "yesterday",
        ] {
            assert_eq!(parse_date(bad, NOW), None, "{bad}");
        }
    }

    #[test]
    fn words_split_on_punctuation_and_lowercase() {
        assert_eq!(
            words("Re: [SUP-1] Printer"),
            vec!["re", "sup", "1", "printer"]
        );
        assert_eq!(words_of("print*"), vec!["print"]);
        assert!(words("  ").is_empty());
    }
}
