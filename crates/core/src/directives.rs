//! Directives: `#name=value` lines at the top of a body that set fields of the issue
//! (`#priority=High`, `#labels=a,b`, `#issue=SUP-12`, custom fields by name).
//!
//! Anyone can write such a line, so they are obeyed only when the profile enables them,
//! the sender is on the allowed list *and* the sender's authenticity passed: a forged
//! `From` must not be able to reassign an issue. Whatever is found is removed from the text
//! that goes to Jira and reported; what is unknown or forbidden is reported, never applied.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::classify::AuthResult;
use crate::message::EmailAddress;
use crate::profile::CheckedProfile;

/// The directives of one message.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Directives {
    /// Every directive line, as written (after alias resolution of the name).
    pub found: Vec<Found>,
    /// What is applied: directive name → value.
    pub applied: BTreeMap<String, String>,
    /// What was found but not applied, with why.
    pub rejected: Vec<Rejected>,
    /// The body without the directive lines.
    #[serde(skip)]
    pub text: String,
}

/// A directive line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The name as resolved (`priority`, or a custom field's name).
    pub name: String,
    /// The value, trimmed.
    pub value: String,
}

/// A directive that was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The name as written.
    pub name: String,
    /// Why it was not applied.
    pub reason: String,
}

impl Directives {
    /// The issue key of an applied `#issue=` directive.
    pub fn issue(&self) -> Option<&str> {
        self.applied.get("issue").map(String::as_str)
    }

    /// The JSON object of the dry-run outcome: `found`, `applied`, `rejected`.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        }
    }
}

/// `text` without its leading directive lines when the profile reads directives: the body
/// posted when a rule keeps the whole text of a mail.
pub fn strip<'a>(text: &'a str, profile: &CheckedProfile) -> &'a str {
    if profile.profile.directives.enabled {
        split_top(text).1
    } else {
        text
    }
}

/// Reads the directives at the top of `text` (the new text of the message).
pub fn read(
    text: &str,
    sender: Option<&EmailAddress>,
    auth: AuthResult,
    profile: &CheckedProfile,
) -> Directives {
    let settings = &profile.profile.directives;
    if !settings.enabled {
        return Directives {
            text: text.to_owned(),
            ..Directives::default()
        };
    }
    let (lines, rest) = split_top(text);
    let mut out = Directives {
        text: rest.to_owned(),
        ..Directives::default()
    };
    if lines.is_empty() {
        return out;
    }
    let forbidden = match sender {
        None => Some("the message has no valid sender"),
        Some(s)
            if !profile
                .directive_senders
                .iter()
                .any(|p| p.matches(s.as_str())) =>
        {
            Some("the sender is not allowed to use directives")
        }
        Some(_) if auth != AuthResult::Pass => Some("the sender's authenticity did not pass"),
        Some(_) => None,
    };
    for (written, value) in lines {
        let name = resolve(written, profile);
        out.found.push(Found {
            name: name.clone().unwrap_or_else(|| written.to_owned()),
            value: value.to_owned(),
        });
        let verdict = match (&name, forbidden) {
            (_, Some(reason)) => Err(reason.to_owned()),
            (None, None) => Err("unknown directive".to_owned()),
            (Some(name), None) if out.applied.contains_key(name) => {
                Err("given twice; the first one counts".to_owned())
            }
            (Some(name), None) => check_value(name, value, profile).map(|v| (name.clone(), v)),
        };
        match verdict {
            Ok((name, value)) => {
                out.applied.insert(name, value);
            }
            Err(reason) => out.rejected.push(Rejected {
                name: written.to_owned(),
                reason,
            }),
        }
    }
    out
}

/// Splits the leading `#name=value` lines (blank lines between them allowed) from the rest.
fn split_top(text: &str) -> (Vec<(&str, &str)>, &str) {
    let mut found = Vec::new();
    let mut rest = text;
    loop {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let trimmed = line.trim();
        if trimmed.is_empty() && !after.is_empty() {
            rest = after;
            continue;
        }
        match parse_line(trimmed) {
            Some(pair) => {
                found.push(pair);
                rest = after;
                if after.is_empty() {
                    break;
                }
            }
            None => break,
        }
    }
    if found.is_empty() {
        (found, text)
    } else {
        (found, rest.trim_start_matches(['\n', '\r', ' ', '\t']))
    }
}

fn parse_line(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.strip_prefix('#')?.split_once('=')?;
    let name = name.trim();
    let ok = name.chars().next().is_some_and(char::is_alphabetic)
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.'));
    ok.then_some((name, value.trim()))
}

/// The canonical name: a built-in directive, a listed custom field, or via an alias.
fn resolve(written: &str, profile: &CheckedProfile) -> Option<String> {
    let settings = &profile.profile.directives;
    let target = settings
        .aliases
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(written))
        .map_or(written, |(_, target)| target.as_str());
    let lower = target.to_ascii_lowercase();
    if crate::profile::DIRECTIVES.contains(&lower.as_str()) {
        return Some(lower);
    }
    settings
        .custom_fields
        .iter()
        .find(|f| f.eq_ignore_ascii_case(target))
        .cloned()
}

fn check_value(name: &str, value: &str, profile: &CheckedProfile) -> Result<String, String> {
    if value.is_empty() {
        return Err("empty value".to_owned());
    }
    match name {
        "labels" | "components" => {
            let items: Vec<&str> = value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            if name == "labels" && items.iter().any(|l| l.contains(char::is_whitespace)) {
                return Err("a label cannot contain spaces".to_owned());
            }
            Ok(items.join(","))
        }
        "assignee" => EmailAddress::parse(value)
            .map(|a| a.as_str().to_owned())
            .map_err(|_| "not an e-mail address".to_owned()),
        "duedate" if is_date(value) => Ok(value.to_owned()),
        "duedate" => Err("not a date (YYYY-MM-DD)".to_owned()),
        "issue" => {
            let key = value.to_ascii_uppercase();
            match profile.key.find(&key) {
                Some(m) if m.len() == key.len() => Ok(key),
                _ => Err("not a known issue key".to_owned()),
            }
        }
        _ => Ok(value.to_owned()),
    }
}

fn is_date(value: &str) -> bool {
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return false;
    }
    let month = (b[5] - b'0') * 10 + (b[6] - b'0');
    let day = (b[8] - b'0') * 10 + (b[9] - b'0');
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

#[cfg(test)]
mod tests;
