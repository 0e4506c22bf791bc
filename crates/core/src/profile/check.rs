//! Validation of a profile into its compiled, ready-to-use form.

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use regex::Regex;

use super::pattern::Pattern;
use super::{Profile, RuleAction, Then};
use crate::auto_reply::{AutoReply, AutoReplyError, ReplyKind};
use crate::classify::{AuthResult, Kind};
use crate::message::EmailAddress;
use crate::notify::CompiledNotifications;

/// One mistake in a profile, located by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// e.g. `rules[3].match.subject`.
    pub path: String,
    /// e.g. `invalid regex: unclosed group`.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Every mistake found in a profile, in document order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProfileErrors(pub Vec<ValidationError>);

impl fmt::Display for ProfileErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "profile is invalid ({} errors)", self.0.len())?;
        for e in &self.0 {
            write!(f, "\n  {e}")?;
        }
        Ok(())
    }
}

/// A rule with its patterns compiled and its `then` completed from the profile's default.
#[derive(Debug, Clone)]
pub struct CheckedRule {
    /// The rule's name, or `rules[i]`.
    pub name: String,
    /// False for a rule switched off (`enabled: false`): checked, never matched.
    pub(crate) enabled: bool,
    pub(crate) recipient: Vec<Pattern>,
    pub(crate) sender: Vec<Pattern>,
    pub(crate) subject: Option<Regex>,
    pub(crate) headers: Vec<(String, Regex)>,
    pub(crate) classification: Vec<Kind>,
    pub(crate) authenticity: Option<AuthResult>,
    /// What the rule decides, default values filled in.
    pub then: Then,
}

/// A valid profile, compiled once and used for every message.
#[derive(Debug, Clone)]
pub struct CheckedProfile {
    /// The document as read.
    pub profile: Profile,
    pub(crate) own_addresses: Vec<(String, String)>,
    pub(crate) rules: Vec<CheckedRule>,
    pub(crate) default_rule: CheckedRule,
    pub(crate) directive_senders: Vec<Pattern>,
    pub(crate) create_allow: Vec<Pattern>,
    pub(crate) create_deny: Vec<Pattern>,
    pub(crate) key: Regex,
    pub(crate) foreign_key: Option<Regex>,
    pub(crate) acknowledgement: Option<Arc<AutoReply>>,
    pub(crate) notice: Option<Arc<AutoReply>>,
    pub(crate) notifications: Option<Arc<CompiledNotifications>>,
}

/// The directive names postroom understands.
pub(crate) const DIRECTIVES: [&str; 7] = [
    "priority",
    "labels",
    "components",
    "issuetype",
    "assignee",
    "duedate",
    "issue",
];

pub(super) struct Errors(Vec<ValidationError>);

impl Errors {
    pub(super) fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(ValidationError {
            path: path.into(),
            message: message.into(),
        });
    }
    fn regex(&mut self, path: String, source: &str) -> Option<Regex> {
        Regex::new(source)
            .map_err(|e| self.push(path, format!("invalid regex: {}", one_line(&e.to_string()))))
            .ok()
    }
    fn patterns(&mut self, path: &str, list: &[String]) -> Vec<Pattern> {
        let mut out = Vec::new();
        for (i, text) in list.iter().enumerate() {
            match Pattern::parse(text) {
                Ok(p) => out.push(p),
                Err(e) => self.push(format!("{path}[{i}]"), one_line(&e)),
            }
        }
        out
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Profile {
    /// Checks the whole document and compiles it; returns every error found, each with its
    /// JSON path.
    pub fn check(self) -> Result<CheckedProfile, ProfileErrors> {
        let mut errors = Errors(Vec::new());
        let own_addresses = check_own(&self, &mut errors);
        let rules = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                let path = format!("rules[{i}]");
                let name = rule.name.clone().unwrap_or_else(|| path.clone());
                let then = merge(&self.default, &rule.then);
                check_then(&format!("{path}.then"), &then, &mut errors);
                check_internal(&self, &format!("{path}.then"), &then, &mut errors);
                let mut checked = check_rule(&path, name, &rule.matches, then, &mut errors);
                checked.enabled = rule.enabled;
                checked
            })
            .collect::<Vec<_>>();
        let mut names = HashSet::new();
        for (i, rule) in self.rules.iter().enumerate() {
            if let Some(name) = &rule.name
                && !names.insert(name.as_str())
            {
                errors.push(
                    format!("rules[{i}].name"),
                    format!("duplicate rule name {name:?}"),
                );
            }
        }
        check_then("default", &self.default, &mut errors);
        check_internal(&self, "default", &self.default, &mut errors);
        let default_rule = CheckedRule {
            name: "default".to_owned(),
            enabled: true,
            recipient: Vec::new(),
            sender: Vec::new(),
            subject: None,
            headers: Vec::new(),
            classification: Vec::new(),
            authenticity: None,
            then: self.default.clone(),
        };
        let directive_senders = errors.patterns(
            "directives.allowed_senders",
            &self.directives.allowed_senders,
        );
        for (alias, target) in &self.directives.aliases {
            let known = DIRECTIVES.contains(&target.to_ascii_lowercase().as_str())
                || self.directives.custom_fields.iter().any(|f| f == target);
            if !known {
                errors.push(
                    format!("directives.aliases.{alias}"),
                    format!("{target:?} is neither a directive nor a listed custom field"),
                );
            }
        }
        let create = &self.people.create;
        let create_allow = errors.patterns("people.create.allow", &create.allow);
        let create_deny = errors.patterns("people.create.deny", &create.deny);
        let (key, foreign_key) = check_threading(&self, &mut errors);
        check_thresholds(&self, &mut errors);
        let (acknowledgement, notice) = check_outbound(&self, &rules, &mut errors);
        let notifications = check_notifications(&self, &mut errors);
        super::mailboxes::check(&self, &mut errors);
        match (errors.0.is_empty(), key) {
            (true, Some(key)) => Ok(CheckedProfile {
                profile: self,
                own_addresses,
                rules,
                default_rule,
                directive_senders,
                create_allow,
                create_deny,
                key,
                foreign_key,
                acknowledgement,
                notice,
                notifications,
            }),
            _ => Err(ProfileErrors(errors.0)),
        }
    }
}

fn check_own(profile: &Profile, errors: &mut Errors) -> Vec<(String, String)> {
    let own = &profile.own;
    let mut out = Vec::new();
    for (i, text) in own.addresses.iter().enumerate() {
        match EmailAddress::parse(text) {
            Ok(a) => out.push((
                a.local_part().to_ascii_lowercase(),
                a.domain().to_ascii_lowercase(),
            )),
            Err(e) => errors.push(format!("own.addresses[{i}]"), e.to_string()),
        }
    }
    for (i, domain) in own.domains.iter().enumerate() {
        if domain.trim().is_empty() || domain.contains('@') || domain.contains(char::is_whitespace)
        {
            errors.push(
                format!("own.domains[{i}]"),
                format!("not a domain: {domain:?}"),
            );
        }
    }
    if own.addresses.is_empty() && own.domains.is_empty() && !own.accept_any_recipient {
        errors.push(
            "own",
            "list at least one address or domain that is postroom's own",
        );
    }
    out
}

fn check_rule(
    path: &str,
    name: String,
    m: &super::Match,
    then: Then,
    errors: &mut Errors,
) -> CheckedRule {
    let recipient = errors.patterns(&format!("{path}.match.recipient"), &m.recipient);
    let sender = errors.patterns(&format!("{path}.match.sender"), &m.sender);
    let subject = m
        .subject
        .as_ref()
        .and_then(|s| errors.regex(format!("{path}.match.subject"), s));
    let headers = m
        .headers
        .iter()
        .filter_map(|(h, re)| {
            let regex = errors.regex(format!("{path}.match.headers.{h}"), re)?;
            Some((h.clone(), regex))
        })
        .collect();
    let mut classification = Vec::new();
    for (i, k) in m.classification.iter().enumerate() {
        match kind(k) {
            Some(k) => classification.push(k),
            None => errors.push(
                format!("{path}.match.classification[{i}]"),
                format!("unknown kind {k:?} (human, auto_reply, bounce, list, spam, loop)"),
            ),
        }
    }
    let authenticity = m.authenticity.as_deref().and_then(|a| match a {
        "pass" => Some(AuthResult::Pass),
        "fail" => Some(AuthResult::Fail),
        "none" => Some(AuthResult::None),
        other => {
            errors.push(
                format!("{path}.match.authenticity"),
                format!("unknown value {other:?} (pass, fail, none)"),
            );
            None
        }
    });
    CheckedRule {
        name,
        enabled: true,
        recipient,
        sender,
        subject,
        headers,
        classification,
        authenticity,
        then,
    }
}

fn kind(name: &str) -> Option<Kind> {
    [
        Kind::Human,
        Kind::AutoReply,
        Kind::Bounce,
        Kind::List,
        Kind::Spam,
        Kind::Loop,
    ]
    .into_iter()
    .find(|k| k.as_str() == name)
}

fn check_then(path: &str, then: &Then, errors: &mut Errors) {
    let processes = matches!(then.action, None | Some(RuleAction::Process));
    match &then.project {
        Some(p) if !is_project_key(p) => {
            errors.push(
                format!("{path}.project"),
                format!("not a project key: {p:?}"),
            );
        }
        None if processes => errors.push(
            format!("{path}.project"),
            "required (here or in default) when the action is process",
        ),
        _ => {}
    }
    if processes && then.issue_type.is_none() {
        errors.push(
            format!("{path}.issue_type"),
            "required (here or in default) when the action is process",
        );
    }
}

/// Under `people.strangers: internal`, a stranger's reply outside a service project is a
/// comment restricted by the rule's `comment_visibility`: without one it would be public,
/// which is what the setting is there to prevent.
fn check_internal(profile: &Profile, path: &str, then: &Then, errors: &mut Errors) {
    let comments = matches!(then.action, None | Some(RuleAction::Process));
    if comments
        && profile.people.strangers == super::Strangers::Internal
        && then.comment_visibility.is_none()
    {
        errors.push(
            format!("{path}.comment_visibility"),
            "required (here or in default) when people.strangers is internal: outside \
             service projects a stranger's reply is a comment visible to this role or group",
        );
    }
}

fn is_project_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && key.len() >= 2
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn check_threading(profile: &Profile, errors: &mut Errors) -> (Option<Regex>, Option<Regex>) {
    let t = &profile.threading;
    let mut seen = HashSet::new();
    for (i, by) in t.order.iter().enumerate() {
        if !seen.insert(*by) {
            errors.push(
                format!("threading.order[{i}]"),
                format!("{} listed twice", by.as_str()),
            );
        }
    }
    for (i, key) in t.project_keys.iter().enumerate() {
        if !is_project_key(key) {
            errors.push(
                format!("threading.project_keys[{i}]"),
                format!("not a project key: {key:?}"),
            );
        }
    }
    let key = if t.project_keys.is_empty() {
        errors.regex(
            "threading.key_pattern".to_owned(),
            &format!(r"\b(?:{})\b", t.key_pattern),
        )
    } else {
        let keys = t
            .project_keys
            .iter()
            .map(|k| regex::escape(k))
            .collect::<Vec<_>>();
        Regex::new(&format!(r"\b(?:{})-[1-9][0-9]*\b", keys.join("|"))).ok()
    };
    let foreign = t
        .foreign_key
        .as_ref()
        .and_then(|re| errors.regex("threading.foreign_key".to_owned(), re));
    (key, foreign)
}

fn check_thresholds(profile: &Profile, errors: &mut Errors) {
    let t = &profile.thresholds;
    if t.flood_max_per_sender.is_some() != t.flood_window_minutes.is_some() {
        errors.push(
            "thresholds",
            "flood_max_per_sender and flood_window_minutes go together",
        );
    }
    if t.flood_window_minutes == Some(0) {
        errors.push("thresholds.flood_window_minutes", "must be at least 1");
    }
    if t.spam_score_header.is_some() != t.spam_score_threshold.is_some() {
        errors.push(
            "thresholds",
            "spam_score_header and spam_score_threshold go together",
        );
    }
    if t.spam_score_threshold.is_some_and(|s| !s.is_finite()) {
        errors.push("thresholds.spam_score_threshold", "must be a finite number");
    }
}

/// Compiles the acknowledgement and notice templates (always, so that switching them on
/// later cannot reveal a broken template), and requires a `From` only when they are sent.
fn check_outbound(
    profile: &Profile,
    rules: &[CheckedRule],
    errors: &mut Errors,
) -> (Option<Arc<AutoReply>>, Option<Arc<AutoReply>>) {
    if profile.bounces.soft_limit == 0 {
        errors.push("bounces.soft_limit", "must be at least 1");
    }
    let ack = &profile.acknowledgement;
    let enabled = |then: &Then| then.acknowledge.unwrap_or(ack.enabled);
    let used = enabled(&profile.default) || rules.iter().any(|r| enabled(&r.then));
    let own_first = profile.own.addresses.first().map(String::as_str);
    let mut compile =
        |kind: ReplyKind, letter, used: bool| match AutoReply::new(kind, letter, own_first) {
            Ok(templates) => Some(Arc::new(templates)),
            Err(AutoReplyError::NoFrom(_)) if !used => None,
            Err(AutoReplyError::Template {
                section,
                part,
                source,
            }) => {
                errors.push(format!("{section}.{part}"), source.to_string());
                None
            }
            Err(e) => {
                errors.push(format!("{}.from", kind.as_str()), e.to_string());
                None
            }
        };
    let acknowledgement = compile(ReplyKind::Acknowledgement, ack.letter(), used);
    let notice = &profile.notice;
    let notice = compile(ReplyKind::Notice, notice.letter(ack), notice.enabled);
    (acknowledgement, notice)
}

/// Compiles the notification rules and templates: a template error shows when the profile
/// is imported, never when a customer should have been told.
fn check_notifications(
    profile: &Profile,
    errors: &mut Errors,
) -> Option<Arc<CompiledNotifications>> {
    let own_first = profile.own.addresses.first().map(String::as_str);
    match CompiledNotifications::new(&profile.notifications, own_first) {
        Ok(compiled) => Some(Arc::new(compiled)),
        Err(found) => {
            for e in found {
                errors.push(format!("notifications.{}", e.path), e.message);
            }
            None
        }
    }
}

/// The rule's own values over the profile's default.
fn merge(base: &Then, over: &Then) -> Then {
    let h = &over.handling;
    let b = &base.handling;
    Then {
        comment: None,
        action: over.action.or(base.action),
        reason: over.reason.clone().or_else(|| base.reason.clone()),
        project: over.project.clone().or_else(|| base.project.clone()),
        issue_type: over.issue_type.clone().or_else(|| base.issue_type.clone()),
        request_type: over
            .request_type
            .clone()
            .or_else(|| base.request_type.clone()),
        priority: over.priority.clone().or_else(|| base.priority.clone()),
        labels: over.labels.clone().or_else(|| base.labels.clone()),
        components: over.components.clone().or_else(|| base.components.clone()),
        fields: over.fields.clone().or_else(|| base.fields.clone()),
        reporter: over.reporter.clone().or_else(|| base.reporter.clone()),
        full_text: over.full_text.or(base.full_text),
        attach_original: over.attach_original.or(base.attach_original),
        acknowledge: over.acknowledge.or(base.acknowledge),
        on_closed: over.on_closed.or(base.on_closed),
        reopen_transition: over
            .reopen_transition
            .clone()
            .or_else(|| base.reopen_transition.clone()),
        attachments: over
            .attachments
            .clone()
            .or_else(|| base.attachments.clone()),
        comment_visibility: over
            .comment_visibility
            .clone()
            .or_else(|| base.comment_visibility.clone()),
        handling: super::Handling {
            bounce: h.bounce.or(b.bounce),
            auto_reply: h.auto_reply.or(b.auto_reply),
            list: h.list.or(b.list),
            spam: h.spam.or(b.spam),
            flood: h.flood.or(b.flood),
        },
    }
}
