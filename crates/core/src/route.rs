//! Routing: which of the profile's rules decides what becomes of a message.
//!
//! Rules are tried in order and the first whose every condition holds wins; the profile's
//! `default` catches the rest. Before any rule, a message must be addressed to one of
//! postroom's own addresses: mail that only passes through (a Bcc to a list, a misrouted
//! delivery) is rejected with that reason instead of becoming someone's issue.

use crate::classify::Classification;
use crate::message::{EmailAddress, Message};
use crate::profile::{CheckedProfile, CheckedRule};

/// The outcome of routing.
#[derive(Debug, Clone, Copy)]
pub enum Route<'p> {
    /// None of the recipients is postroom's own.
    NotOurs,
    /// This rule decides (the default rule when no other matched).
    Rule(&'p CheckedRule),
}

/// Every recipient of the message: `To`, `Cc`, then `Delivered-To` (which covers `Bcc`).
pub fn recipients(message: &Message) -> impl Iterator<Item = &EmailAddress> {
    message
        .to
        .iter()
        .chain(&message.cc)
        .map(|m| &m.address)
        .chain(&message.delivered_to)
}

impl CheckedProfile {
    /// True when `address` is one of postroom's own: a listed address (also with a
    /// `+tag`), or any address of a listed domain.
    pub fn is_own(&self, address: &EmailAddress) -> bool {
        let domain = address.domain();
        let local = address.local_part();
        let base = local.split_once('+').map_or(local, |(b, _)| b);
        self.own_addresses
            .iter()
            .any(|(l, d)| l.eq_ignore_ascii_case(base) && d.eq_ignore_ascii_case(domain))
            || self
                .profile
                .own
                .domains
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case(domain))
    }
}

/// Picks the rule for a message: the first rule switched on whose conditions all hold.
pub fn route<'p>(
    message: &Message,
    classification: &Classification,
    profile: &'p CheckedProfile,
) -> Route<'p> {
    let ours =
        profile.profile.own.accept_any_recipient || recipients(message).any(|a| profile.is_own(a));
    if !ours {
        return Route::NotOurs;
    }
    let rule = profile
        .rules
        .iter()
        .find(|r| r.enabled && matches(r, message, classification))
        .unwrap_or(&profile.default_rule);
    Route::Rule(rule)
}

fn matches(rule: &CheckedRule, message: &Message, classification: &Classification) -> bool {
    let any_recipient =
        || recipients(message).any(|a| rule.recipient.iter().any(|p| p.matches(a.as_str())));
    let sender = || {
        message
            .from
            .as_ref()
            .is_some_and(|m| rule.sender.iter().any(|p| p.matches(m.address.as_str())))
    };
    (rule.recipient.is_empty() || any_recipient())
        && (rule.sender.is_empty() || sender())
        && rule
            .subject
            .as_ref()
            .is_none_or(|re| message.subject.as_deref().is_some_and(|s| re.is_match(s)))
        && rule
            .headers
            .iter()
            .all(|(name, re)| message.headers_named(name).any(|v| re.is_match(v)))
        && (rule.classification.is_empty() || rule.classification.contains(&classification.kind))
        && rule
            .authenticity
            .is_none_or(|a| a == classification.auth.result)
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
