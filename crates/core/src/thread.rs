//! Thread matching: which existing issue does a message belong to?
//!
//! Core cannot read the Message-ID map or ask Jira whether a key exists, so it works in the
//! two steps of DESIGN.md §3: [`lookups`] lists what the engine must look up, the engine
//! answers in [`Answers`], and [`decide`] picks the first method in the profile's order
//! that gives an issue. Keys are read from the subject and the recipients only, never from
//! the body, so a key in quoted history or in a forwarded part does not count.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::directives::Directives;
use crate::message::Message;
use crate::profile::{CheckedProfile, ThreadBy};

/// What the engine must look up before [`decide`] can run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Lookups {
    /// Message-IDs (without brackets) to find in the Message-ID ↔ issue map.
    pub message_ids: Vec<String>,
    /// Issue keys whose existence to check.
    pub issue_keys: Vec<String>,
    /// Partner ticket numbers to map to issue keys.
    pub foreign_keys: Vec<String>,
}

/// The engine's answers to [`Lookups`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Answers {
    /// False in a dry run: nothing was looked up, so keys are taken on trust and ids and
    /// foreign keys cannot match.
    pub looked_up: bool,
    /// Message-ID → issue key, for the ids that are in the map.
    pub message_ids: HashMap<String, String>,
    /// The issue keys that exist.
    pub existing_keys: HashSet<String>,
    /// Foreign key → issue key, for those that are known.
    pub foreign_keys: HashMap<String, String>,
}

impl Answers {
    /// Nothing known: what a dry run without a store has.
    pub fn unknown() -> Self {
        Self::default()
    }
}

/// The issue a message threads to, and the method that found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThreadMatch {
    /// e.g. `SUP-12`.
    pub issue_key: String,
    /// e.g. `in_reply_to`.
    pub by: ThreadBy,
}

enum Clue {
    Key(String),
    Id(String),
    Foreign(String),
    /// The message's own Message-ID: in the map only when a reply to it was carried out
    /// before it (the reply came first), which makes the reply's issue this one's.
    Own(String),
}

/// The candidate clues in the profile's order, each with the method that produced it.
fn clues(
    message: &Message,
    directives: &Directives,
    profile: &CheckedProfile,
) -> Vec<(ThreadBy, Clue)> {
    let mut out = Vec::new();
    let subject = message.subject.as_deref().unwrap_or_default();
    for &by in &profile.profile.threading.order {
        match by {
            ThreadBy::Directive => {
                if let Some(key) = directives.issue() {
                    out.push((by, Clue::Key(key.to_owned())));
                }
            }
            ThreadBy::SubAddress => {
                out.extend(sub_address_keys(message, profile).map(|k| (by, Clue::Key(k))));
            }
            ThreadBy::InReplyTo => {
                out.extend(
                    message
                        .in_reply_to
                        .iter()
                        .map(|id| (by, Clue::Id(id.as_str().to_owned()))),
                );
            }
            ThreadBy::References => {
                out.extend(
                    message
                        .references
                        .iter()
                        .rev()
                        .map(|id| (by, Clue::Id(id.as_str().to_owned()))),
                );
                out.extend(
                    message
                        .message_id
                        .iter()
                        .map(|id| (by, Clue::Own(id.as_str().to_owned()))),
                );
            }
            ThreadBy::Subject => {
                if let Some(m) = profile.key.find(subject) {
                    out.push((by, Clue::Key(m.as_str().to_owned())));
                }
            }
            ThreadBy::ForeignKey => {
                if let Some(m) = profile.foreign_key.as_ref().and_then(|re| re.find(subject)) {
                    out.push((by, Clue::Foreign(m.as_str().to_owned())));
                }
            }
        }
    }
    out
}

/// Keys written as the sub-address of one of postroom's own addresses
/// (`support+SUP-12@example.com`).
fn sub_address_keys<'a>(
    message: &'a Message,
    profile: &'a CheckedProfile,
) -> impl Iterator<Item = String> + 'a {
    let recipients = message.to.iter().chain(&message.cc).map(|m| &m.address);
    recipients
        .chain(&message.delivered_to)
        .filter_map(|address| {
            let (local, tag) = address.local_part().split_once('+')?;
            let domain = address.domain();
            let own = profile
                .own_addresses
                .iter()
                .any(|(l, d)| l.eq_ignore_ascii_case(local) && d.eq_ignore_ascii_case(domain));
            let key = tag.to_ascii_uppercase();
            let whole = profile.key.find(&key).is_some_and(|m| m.len() == key.len());
            (own && whole).then_some(key)
        })
}

/// Step one: what must be looked up for this message.
pub fn lookups(message: &Message, directives: &Directives, profile: &CheckedProfile) -> Lookups {
    let mut out = Lookups::default();
    for (_, clue) in clues(message, directives, profile) {
        let (list, value) = match clue {
            Clue::Key(k) => (&mut out.issue_keys, k),
            Clue::Id(i) | Clue::Own(i) => (&mut out.message_ids, i),
            Clue::Foreign(f) => (&mut out.foreign_keys, f),
        };
        if !list.contains(&value) {
            list.push(value);
        }
    }
    out
}

/// Step two: the first clue, in the profile's order, that the answers confirm. Each clue
/// tried adds a line to `report`.
pub fn decide(
    message: &Message,
    directives: &Directives,
    profile: &CheckedProfile,
    answers: &Answers,
    report: &mut Vec<String>,
) -> Option<ThreadMatch> {
    for (by, clue) in clues(message, directives, profile) {
        let found = match &clue {
            Clue::Key(key) if !answers.looked_up => {
                report.push(format!(
                    "thread: {key} from {} (existence not checked in a dry run)",
                    by.as_str()
                ));
                Some(key.clone())
            }
            Clue::Key(key) if answers.existing_keys.contains(key) => Some(key.clone()),
            Clue::Key(key) => {
                report.push(format!("thread: {key} from {} does not exist", by.as_str()));
                None
            }
            Clue::Id(_) | Clue::Foreign(_) if !answers.looked_up => {
                let line = format!("thread: {} not looked up in a dry run", by.as_str());
                if !report.contains(&line) {
                    report.push(line);
                }
                None
            }
            // Nothing to say in a dry run: a mail's own id is rarely in the map.
            Clue::Own(_) if !answers.looked_up => None,
            Clue::Id(id) => answers.message_ids.get(id).cloned(),
            Clue::Own(id) => {
                let found = answers.message_ids.get(id).cloned();
                if let Some(key) = &found {
                    report.push(format!(
                        "thread: a reply to this mail was carried out before it, on {key}"
                    ));
                }
                found
            }
            Clue::Foreign(f) => answers.foreign_keys.get(f).cloned(),
        };
        if let Some(issue_key) = found {
            report.push(format!("thread: matched {issue_key} by {}", by.as_str()));
            return Some(ThreadMatch { issue_key, by });
        }
    }
    report.push("thread: no existing issue matched".to_owned());
    None
}

#[cfg(test)]
#[path = "thread_tests.rs"]
mod tests;
