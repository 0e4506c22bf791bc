//! The plan: the one action postroom takes for a message, and the report of why.
//!
//! Everything before this point finds facts (class, directives, thread, rule); this module
//! turns them into a single [`Action`] the engine carries out, and an ordered, readable
//! report an administrator can follow line by line to see which rule decided what.
//! Like thread matching it works in two steps: [`prepare`] says what to look up, [`decide`]
//! decides on the answers.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::attachments::{self, Kept};
use crate::classify::{Classification, Kind};
use crate::directives::{self, Directives};
use crate::message::Message;
use crate::profile::{CheckedProfile, Handle, OnClosedRule, RuleAction, Then};
use crate::route::{self, Route};
use crate::subject;
use crate::thread::{self, Answers, Lookups, ThreadMatch};

mod action;
mod admit;
mod controls;
mod dry_run;
pub mod email_field;
mod trust;

pub use action::{Action, OnClosed};
pub use dry_run::{apply, outcome, plan_message};
pub use trust::{IssuePeople, SenderInJira, judge_reply, needs_issue_people, wants_browse_check};

/// The message and what earlier stages found in it.
#[derive(Debug, Clone, Copy)]
pub struct PlanInput<'a> {
    /// The parsed message.
    pub message: &'a Message,
    /// Its class.
    pub classification: &'a Classification,
    /// The new text of the message (quoted history and signature removed).
    pub visible_text: &'a str,
}

/// The result of the first step: directives read and what to look up.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The directives.
    pub directives: Directives,
    /// What the engine must look up.
    pub lookups: Lookups,
}

/// The decision for one message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The issue the message threads to.
    pub thread: Option<ThreadMatch>,
    /// The directives found, applied and rejected.
    pub directives: Directives,
    /// What to do.
    pub action: Action,
    /// What was found and which rule decided what, in order.
    pub report: Vec<String>,
    /// False when the mail must get no automatic answer (see
    /// [`Classification::suppress_acknowledgement`]); kept for a refusal decided later,
    /// when the engine has read the issue's people.
    #[serde(skip)]
    pub answerable: bool,
}

impl Plan {
    /// The report's line on the notice of a reject: whether the sender is told why, and if
    /// not, why not. `None` for any other action.
    pub fn notice_note(&self, profile: &CheckedProfile) -> Option<String> {
        let Action::Reject { notice, .. } = &self.action else {
            return None;
        };
        let line = if *notice {
            "notice: the sender is told why (notice.enabled)"
        } else if !profile.profile.notice.enabled {
            "notice: not sent: notice.enabled is off"
        } else if !self.answerable {
            "notice: not sent: the mail must get no automatic answer (automatic, bulk or list \
             mail, a null return path or failed authentication)"
        } else {
            "notice: not sent: only refusals by people.create and people.strangers are \
             answered"
        };
        Some(line.to_owned())
    }
}

/// Step one: read the directives and list what must be looked up.
pub fn prepare(input: &PlanInput<'_>, profile: &CheckedProfile) -> Prepared {
    let sender = input.message.from.as_ref().map(|m| &m.address);
    let auth = input.classification.auth.result;
    let directives = directives::read(input.visible_text, sender, auth, profile);
    let lookups = thread::lookups(input.message, &directives, profile);
    Prepared {
        directives,
        lookups,
    }
}

/// Step two: decide on the engine's answers.
pub fn decide(
    input: &PlanInput<'_>,
    prepared: Prepared,
    profile: &CheckedProfile,
    answers: &Answers,
) -> Plan {
    let class = input.classification;
    let answerable = !class.suppress_acknowledgement;
    let mut report = vec![format!(
        "classification: {} ({})",
        class.kind.as_str(),
        class.reason
    )];
    let directives = prepared.directives;
    report_directives(&directives, &mut report);
    let thread = thread::decide(input.message, &directives, profile, answers, &mut report);
    if class.kind == Kind::Loop {
        let reason = "postroom's own mail came back; never processed".to_owned();
        report.push(format!("action: ignore — {reason}"));
        return finish(
            thread,
            directives,
            Action::Ignore { reason },
            report,
            answerable,
        );
    }
    let rule = match route::route(input.message, class, profile) {
        Route::NotOurs => {
            let reason = "addressed to none of postroom's own addresses".to_owned();
            report.push(format!("route: {reason}"));
            let action = Action::Reject {
                reason,
                notice: false,
            };
            return finish(thread, directives, action, report, answerable);
        }
        Route::Rule(rule) => rule,
    };
    report.push(format!("route: rule {:?} decides", rule.name));
    let then = &rule.then;
    let mut action = if let Some(hold) = class.hold {
        let reason = format!(
            "sender sent {} mails, over the limit of {}",
            hold.recent, hold.threshold
        );
        automatic(
            then.handling.flood.unwrap_or(Handle::Hold),
            reason,
            &thread,
            &directives,
            input,
            then,
            profile,
        )
    } else if let Some(handle) = automatic_handle(class.kind, then) {
        let reason = format!("{} mail ({})", class.kind.as_str(), class.reason);
        automatic(handle, reason, &thread, &directives, input, then, profile)
    } else {
        human(
            &rule.name,
            then,
            thread.as_ref(),
            &directives,
            input,
            profile,
        )
    };
    choose_attachments(&mut action, input.message, then, &mut report);
    report.push(format!("action: {} — {}", action.kind(), action.reason()));
    finish(thread, directives, action, report, answerable)
}

fn finish(
    thread: Option<ThreadMatch>,
    directives: Directives,
    action: Action,
    mut report: Vec<String>,
    answerable: bool,
) -> Plan {
    let action = controls::strip(action, &mut report);
    Plan {
        thread,
        directives,
        action,
        report,
        answerable,
    }
}

/// A refusal whose reason is written for the sender: with the profile's notice when it is
/// enabled and the mail may be answered.
fn refusal(reason: String, profile: &CheckedProfile, answerable: bool) -> Action {
    Action::Reject {
        reason,
        notice: answerable && profile.profile.notice.enabled,
    }
}

fn report_directives(directives: &Directives, report: &mut Vec<String>) {
    for (name, value) in &directives.applied {
        report.push(format!("directive: #{name}={value} applied"));
    }
    for r in &directives.rejected {
        report.push(format!("directive: #{} not applied: {}", r.name, r.reason));
    }
}

/// The handling of an automatic class under this rule; `None` for human mail.
fn automatic_handle(kind: Kind, then: &Then) -> Option<Handle> {
    let h = &then.handling;
    let chosen = match kind {
        Kind::Human | Kind::Loop => return None,
        Kind::Bounce => h.bounce,
        Kind::AutoReply => h.auto_reply,
        Kind::List => h.list,
        Kind::Spam => h.spam,
    };
    Some(chosen.unwrap_or(Handle::Ignore))
}

fn automatic(
    handle: Handle,
    reason: String,
    thread: &Option<ThreadMatch>,
    directives: &Directives,
    input: &PlanInput<'_>,
    then: &Then,
    profile: &CheckedProfile,
) -> Action {
    match (handle, thread) {
        (Handle::Ignore, _) => Action::Ignore { reason },
        (Handle::Hold, _) => Action::Hold { reason },
        (Handle::Reject, _) => Action::Reject {
            reason,
            notice: false,
        },
        (Handle::Comment, Some(t)) => comment(
            t,
            format!("{reason}; handling is comment"),
            directives,
            input,
            then,
            profile,
        ),
        (Handle::Comment, None) => Action::Ignore {
            reason: format!(
                "{reason}; handling is comment but it threads to no issue, and automatic mail never creates one"
            ),
        },
    }
}

fn human(
    rule: &str,
    then: &Then,
    thread: Option<&ThreadMatch>,
    directives: &Directives,
    input: &PlanInput<'_>,
    profile: &CheckedProfile,
) -> Action {
    let said = |what: &str| {
        then.reason
            .clone()
            .unwrap_or_else(|| format!("rule {rule:?} says {what}"))
    };
    match then.action.unwrap_or(RuleAction::Process) {
        RuleAction::Ignore => Action::Ignore {
            reason: said("ignore"),
        },
        RuleAction::Hold => Action::Hold {
            reason: said("hold"),
        },
        RuleAction::Reject => Action::Reject {
            reason: said("reject"),
            notice: false,
        },
        RuleAction::Process => match thread {
            Some(t) => comment(
                t,
                format!("reply to {} (by {})", t.issue_key, t.by.as_str()),
                directives,
                input,
                then,
                profile,
            ),
            None => {
                let sender = input.message.from.as_ref().map(|m| &m.address);
                match admit::may_create(sender, profile) {
                    Ok(()) => create(rule, then, directives, input, profile),
                    Err(reason) => {
                        let answerable = !input.classification.suppress_acknowledgement;
                        admit::refuse(profile, reason, answerable)
                    }
                }
            }
        },
    }
}

fn comment(
    t: &ThreadMatch,
    reason: String,
    directives: &Directives,
    input: &PlanInput<'_>,
    then: &Then,
    profile: &CheckedProfile,
) -> Action {
    Action::AddComment {
        reason,
        issue_key: t.issue_key.clone(),
        body: body(then, directives, input, profile),
        attribution: sender(input),
        visibility: then.comment_visibility.clone(),
        internal: false,
        attachments: Vec::new(),
        fields: directive_fields(directives),
        attach_original: then.attach_original.unwrap_or(false),
        on_closed: on_closed(then, input.message),
        participants: participants(input.message, profile),
    }
}

/// The other people on the mail: To and Cc, neither postroom's own nor the sender, each
/// address once.
fn participants(message: &Message, profile: &CheckedProfile) -> Vec<String> {
    let from = message.from.as_ref().map(|m| &m.address);
    route::recipients(message)
        .filter(|a| !profile.is_own(a) && Some(*a) != from)
        .map(|a| a.as_str().to_owned())
        .fold(Vec::new(), |mut acc, a| {
            if !acc.contains(&a) {
                acc.push(a);
            }
            acc
        })
}

fn create(
    rule: &str,
    then: &Then,
    directives: &Directives,
    input: &PlanInput<'_>,
    profile: &CheckedProfile,
) -> Action {
    let mut fields: BTreeMap<String, serde_json::Value> = then.fields.clone().unwrap_or_default();
    let mut set = |k: &str, v: serde_json::Value| {
        fields.insert(k.to_owned(), v);
    };
    if let Some(p) = &then.priority {
        set("priority", p.clone().into());
    }
    if let Some(l) = &then.labels {
        set("labels", l.clone().into());
    }
    if let Some(c) = &then.components {
        set("components", c.clone().into());
    }
    fields.extend(directive_fields(directives));
    let issue_type = directives
        .applied
        .get("issuetype")
        .or(then.issue_type.as_ref())
        .cloned()
        .unwrap_or_default();
    fields.remove("issuetype");
    let message = input.message;
    Action::CreateIssue {
        reason: format!("no existing issue; new issue by rule {rule:?}"),
        project: then.project.clone().unwrap_or_default(),
        issue_type,
        request_type: then.request_type.clone(),
        summary: subject::summary(message.subject.as_deref()),
        body: body(then, directives, input, profile),
        fields,
        attachments: Vec::new(),
        participants: participants(message, profile),
        reporter: sender(input),
        reporter_policy: then.reporter.clone(),
        attach_original: then.attach_original.unwrap_or(false),
        acknowledge: then
            .acknowledge
            .unwrap_or(profile.profile.acknowledgement.enabled)
            && !input.classification.suppress_acknowledgement,
    }
}

/// The rule's choice for replies to closed issues, made concrete.
fn on_closed(then: &Then, message: &Message) -> OnClosed {
    match then.on_closed.unwrap_or(OnClosedRule::Comment) {
        OnClosedRule::Comment => OnClosed::Comment,
        OnClosedRule::Reopen => OnClosed::Reopen {
            transition: then
                .reopen_transition
                .clone()
                .unwrap_or_else(|| "Reopen".to_owned()),
        },
        OnClosedRule::NewIssue => OnClosed::NewIssue {
            project: then.project.clone().unwrap_or_default(),
            issue_type: then.issue_type.clone().unwrap_or_default(),
            summary: subject::summary(message.subject.as_deref()),
        },
    }
}

/// The text posted: the new text of the mail, or its whole text when the rule says so;
/// directive lines removed either way.
fn body(
    then: &Then,
    directives: &Directives,
    input: &PlanInput<'_>,
    profile: &CheckedProfile,
) -> String {
    if then.full_text.unwrap_or(false) {
        directives::strip(&input.message.body_text(), profile).to_owned()
    } else {
        directives.text.clone()
    }
}

/// Applied directives as Jira fields (list directives become arrays; `#issue` is threading).
fn directive_fields(directives: &Directives) -> BTreeMap<String, serde_json::Value> {
    directives
        .applied
        .iter()
        .filter(|(k, _)| k.as_str() != "issue")
        .map(|(k, v)| {
            let value = match k.as_str() {
                "labels" | "components" => {
                    v.split(',').map(str::to_owned).collect::<Vec<_>>().into()
                }
                _ => v.clone().into(),
            };
            (k.clone(), value)
        })
        .collect()
}

fn sender(input: &PlanInput<'_>) -> Option<String> {
    input
        .message
        .from
        .as_ref()
        .map(|m| m.address.as_str().to_owned())
}

/// Fills a create or comment with the attachments the rule's policy uploads, and reports
/// each one it leaves out with the reason.
fn choose_attachments(
    action: &mut Action,
    message: &Message,
    then: &Then,
    report: &mut Vec<String>,
) {
    let (Action::CreateIssue { attachments, .. } | Action::AddComment { attachments, .. }) = action
    else {
        return;
    };
    let policy = then.attachments.clone().unwrap_or_default();
    for choice in attachments::choose(message, &policy) {
        match choice.verdict {
            Ok(()) => attachments.push(Kept {
                index: choice.index,
                name: choice.name,
            }),
            Err(skip) => report.push(format!("attachment {:?}: left out: {skip}", choice.name)),
        }
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
pub(crate) mod tests;
