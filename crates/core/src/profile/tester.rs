//! The regex tester of the console's Rules page: a pattern of the profile tried on sample
//! text exactly as postroom uses it, so that what the tester says is what the mail will
//! meet.
//!
//! The browser's own `RegExp` is not the same language as the `regex` crate's (no leading
//! `(?i)`, no `(?P<name>…)`, lookaround where Rust has none), so the console asks the
//! server ([`test`]) rather than guess.

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::pattern::Pattern;
use crate::message::EmailAddress;

/// How a field of the profile uses its pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// A regex searched anywhere in the text, case-sensitive unless it says `(?i)`:
    /// `match.subject`, `match.headers.*`, `threading.foreign_key`.
    Regex,
    /// An address pattern (`*@example.com`, a bare domain, or `re:` and a regex), anchored
    /// and without case, tried on the whole address or, without `@`, on its domain:
    /// `match.sender`, `match.recipient`, `directives.allowed_senders`,
    /// `people.create.allow` and `.deny`.
    Address,
    /// `threading.key_pattern`: what an issue key looks like, found between word
    /// boundaries.
    IssueKey,
}

/// One capture group of the first match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// 0 for the whole match, then each group in order.
    pub index: usize,
    /// The group's name, when it has one.
    pub name: Option<String>,
    /// What it captured; none when it took no part in the match.
    pub text: Option<String>,
}

/// What the pattern does with one sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SampleResult {
    /// Whether the field would take the sample (the rule's condition holds).
    pub matched: bool,
    /// The text the pattern was tried on: the sample, or only its domain.
    pub tried_on: String,
    /// Every match in the text, in order (regex and key patterns).
    pub matches: Vec<String>,
    /// The groups of the first match (regex and key patterns).
    pub groups: Vec<Group>,
    /// Why the sample could not be tried (an address pattern's sample that is no address).
    pub problem: Option<String>,
}

/// Compiles `pattern` as a field of `kind` does and tries it on every sample. `Err` is the
/// message the profile's check gives for the same pattern.
pub fn test(
    kind: PatternKind,
    pattern: &str,
    samples: &[String],
) -> Result<Vec<SampleResult>, String> {
    match kind {
        PatternKind::Address => {
            let compiled = Pattern::parse(pattern)?;
            Ok(samples.iter().map(|s| address(&compiled, s)).collect())
        }
        PatternKind::Regex | PatternKind::IssueKey => {
            let source = match kind {
                PatternKind::IssueKey => format!(r"\b(?:{pattern})\b"),
                _ => pattern.to_owned(),
            };
            let regex = Regex::new(&source).map_err(|e| {
                let text = e.to_string();
                format!(
                    "invalid regex: {}",
                    text.split_whitespace().collect::<Vec<_>>().join(" ")
                )
            })?;
            Ok(samples.iter().map(|s| search(&regex, s)).collect())
        }
    }
}

fn address(pattern: &Pattern, sample: &str) -> SampleResult {
    match EmailAddress::parse(sample) {
        Ok(parsed) => {
            let text = parsed.as_str();
            SampleResult {
                matched: pattern.matches(text),
                tried_on: pattern.tried_on(text).to_owned(),
                matches: Vec::new(),
                groups: Vec::new(),
                problem: None,
            }
        }
        Err(e) => SampleResult {
            matched: false,
            tried_on: sample.to_owned(),
            matches: Vec::new(),
            groups: Vec::new(),
            problem: Some(format!("not an address: {e}")),
        },
    }
}

fn search(regex: &Regex, sample: &str) -> SampleResult {
    let matches: Vec<String> = regex
        .find_iter(sample)
        .map(|m| m.as_str().to_owned())
        .collect();
    let groups = regex
        .captures(sample)
        .map(|captures| {
            regex
                .capture_names()
                .enumerate()
                .map(|(index, name)| Group {
                    index,
                    name: name.map(str::to_owned),
                    text: captures.get(index).map(|m| m.as_str().to_owned()),
                })
                .collect()
        })
        .unwrap_or_default();
    SampleResult {
        matched: !matches.is_empty(),
        tried_on: sample.to_owned(),
        matches,
        groups,
        problem: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(kind: PatternKind, pattern: &str, sample: &str) -> SampleResult {
        test(kind, pattern, &[sample.to_owned()]).unwrap().remove(0)
    }

    #[test]
    fn a_regex_is_searched_with_rust_syntax_and_gives_its_groups() {
        let r = one(
            PatternKind::Regex,
            r"(?i)\b(?P<what>outage|down)\b",
            "Server DOWN since 9",
        );
        assert!(r.matched);
        assert_eq!(r.matches, vec!["DOWN"]);
        assert_eq!(r.groups[1].name.as_deref(), Some("what"));
        assert_eq!(r.groups[1].text.as_deref(), Some("DOWN"));
        assert!(!one(PatternKind::Regex, "outage", "Outage").matched);
        // Lookaround is JavaScript's, not the profile's: refused as the check refuses it.
        let refused = test(PatternKind::Regex, "a(?=b)", &[]).unwrap_err();
        assert!(refused.starts_with("invalid regex:"), "{refused}");
    }

    #[test]
    fn an_address_pattern_is_tried_on_the_address_or_its_domain() {
        let domain = one(
            PatternKind::Address,
            "*.partner.example",
            "Ann@EU.Partner.example",
        );
        assert!(domain.matched);
        assert_eq!(domain.tried_on, "eu.partner.example");
        assert!(
            one(
                PatternKind::Address,
                "re:^(news|noreply)@",
                "news@x.example"
            )
            .matched
        );
        assert!(!one(PatternKind::Address, "*@example.com", "a@example.com.evil").matched);
        let bad = one(PatternKind::Address, "*@example.com", "not an address");
        assert!(!bad.matched);
        assert!(bad.problem.is_some());
        assert_eq!(
            test(PatternKind::Address, " ", &[]).unwrap_err(),
            "empty pattern"
        );
    }

    #[test]
    fn a_key_pattern_finds_whole_keys_only() {
        let r = one(
            PatternKind::IssueKey,
            "[A-Z][A-Z0-9_]+-[1-9][0-9]*",
            "Re: SUP-12 and xSUP-3",
        );
        assert_eq!(r.matches, vec!["SUP-12"]);
    }
}
