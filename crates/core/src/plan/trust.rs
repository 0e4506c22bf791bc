//! Whose reply may comment: `people.strangers`.
//!
//! A reply from a participant of the issue is trusted; so is one from any other Jira user
//! whose mail authenticated and who may browse the issue (see
//! [`crate::profile::People::strangers`]). Everyone else is a
//! stranger, and their reply becomes what the profile says. The engine reads the issue's
//! people from Jira once ([`IssuePeople`]) and core decides on them, so that the rule can
//! be tested without Jira.

use std::collections::BTreeSet;

use crate::classify::AuthResult;
use crate::profile::{CheckedProfile, Strangers};

use super::email_field;
use super::{Action, Plan};

/// The people of an issue, as the engine read them from Jira for one reply.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssuePeople {
    /// Account ids (user names on Data Center) of the reporter, the assignee, the watchers
    /// and the request participants.
    pub accounts: BTreeSet<String>,
    /// Lower-cased addresses: those Jira shows for the accounts, and those listed in the
    /// profile's e-mail field on the issue.
    pub addresses: BTreeSet<String>,
    /// The issue is in a Jira Service Management project, where a stranger's reply under
    /// `people.strangers: internal` can be an internal comment.
    pub service_desk: bool,
}

impl IssuePeople {
    /// Adds a Jira user on the issue (the address only when Jira shows it).
    pub fn add_account(&mut self, account_id: &str, email: Option<&str>) {
        self.accounts.insert(account_id.to_owned());
        if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
            self.addresses.insert(email.trim().to_ascii_lowercase());
        }
    }

    /// Adds one address (any case): the sender whose mail opened the issue.
    pub fn add_address(&mut self, address: &str) {
        self.addresses.insert(address.trim().to_ascii_lowercase());
    }

    /// Adds every address in the text of the e-mail field (`Name <address>, address`).
    pub fn add_email_field(&mut self, text: &str) {
        self.addresses.extend(email_field::addresses(text));
    }

    /// True when `address` (any case) is on the issue.
    pub fn has_address(&self, address: &str) -> bool {
        self.addresses.contains(&address.to_ascii_lowercase())
    }
}

/// The sender as Jira and the mail's authentication know them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderInJira<'a> {
    /// The one active Jira account with the sender's address, if there is one.
    pub account: Option<&'a str>,
    /// The mail's authenticity at the trusted MTA: `pass` lets a Jira user who may see the
    /// issue comment, `fail` (a forged `From`) makes even a participant's address a
    /// stranger's, `none` leaves the participant trusted (most mail says nothing either
    /// way).
    pub auth: AuthResult,
    /// Whether that account may browse the issue, when the engine asked Jira (see
    /// [`wants_browse_check`]); `None` when it did not need to.
    pub browses: Option<bool>,
}

/// True when judging the reply turns on whether the sender's Jira account may browse the
/// issue: the sender is an authenticated Jira user who is not on it. Only then does the
/// engine spend a Jira call to ask.
pub fn wants_browse_check(plan: &Plan, people: &IssuePeople, sender: &SenderInJira<'_>) -> bool {
    let Action::AddComment { attribution, .. } = &plan.action else {
        return false;
    };
    sender.account.is_some()
        && sender.auth == AuthResult::Pass
        && !listed(people, sender, attribution.as_deref())
}

/// The sender is on the issue: their account or their address.
fn listed(people: &IssuePeople, sender: &SenderInJira<'_>, attribution: Option<&str>) -> bool {
    sender.account.is_some_and(|a| people.accounts.contains(a))
        || attribution.is_some_and(|a| people.has_address(a))
}

/// True when the engine must read the issue's people before carrying out `plan`: a comment
/// whose sender is judged (`people.strangers` other than `comment`), or whose other
/// recipients may join the issue (`people.participants`), which only a participant's
/// reply may do.
pub fn needs_issue_people(plan: &Plan, profile: &CheckedProfile) -> bool {
    let people = &profile.profile.people;
    match &plan.action {
        Action::AddComment { participants, .. } => {
            people.strangers != Strangers::Comment
                || (people.participants && people.max_participants > 0 && !participants.is_empty())
        }
        _ => false,
    }
}

/// The dry run's note that a comment's sender was not judged, since that needs Jira, and
/// what a stranger's reply would become.
pub(super) fn unchecked(plan: &Plan, profile: &CheckedProfile) -> Option<String> {
    let Action::AddComment { issue_key, .. } = &plan.action else {
        return None;
    };
    let strangers = profile.profile.people.strangers;
    let becomes = match strangers {
        Strangers::Hold => "held for an administrator",
        Strangers::Internal => "an internal comment",
        Strangers::Comment => "a comment",
        Strangers::Reject => "rejected",
    };
    Some(format!(
        "people: not checked in a dry run: whether the sender is a participant of {issue_key}; \
         if not, people.strangers is {}: the reply is {becomes} and adds nobody to the issue",
        strangers.as_str()
    ))
}

/// Judges the sender of a comment. Only a participant's reply (the reporter, a watcher,
/// an address in the e-mail field…) may bring other recipients onto the issue, and of
/// those only the newcomers; anyone else's adds nobody. A stranger's comment then becomes
/// what `people.strangers` says — a hold, an internal comment, a comment or a reject
/// with a reason fit to quote in a notice — unless an administrator `released` it from a
/// hold, which makes it a comment. The report says who the sender is to the issue and
/// what followed.
pub fn judge_reply(
    plan: &mut Plan,
    profile: &CheckedProfile,
    people: &IssuePeople,
    sender: SenderInJira<'_>,
    released: bool,
) {
    let Action::AddComment {
        issue_key,
        attribution,
        participants,
        internal,
        visibility,
        ..
    } = &mut plan.action
    else {
        return;
    };
    let key = issue_key.clone();
    let listed = listed(people, &sender, attribution.as_deref());
    let forged = sender.auth == AuthResult::Fail;
    if listed && !forged {
        participants.retain(|p| !people.has_address(p));
        plan.report.push(format!(
            "people: the sender is a participant of {key}; trusted to comment"
        ));
        return;
    }
    if !participants.is_empty() {
        plan.report.push(format!(
            "people: {} other recipient(s) not added: only the reporter or a participant of {key} may add people by e-mail",
            participants.len()
        ));
        participants.clear();
    }
    let jira_user = sender.account.is_some() && sender.auth == AuthResult::Pass;
    if jira_user && sender.browses == Some(true) {
        plan.report.push(format!(
            "people: the sender is an authenticated Jira user who may see {key}; trusted to comment"
        ));
        return;
    }
    let strangers = profile.profile.people.strangers;
    let standing = if listed {
        format!("the sender's address is on {key}, but the mail's authentication failed")
    } else if jira_user {
        format!("the sender is a Jira user who may not see {key}")
    } else {
        format!("the sender is not a participant of {key}")
    };
    plan.report.push(format!(
        "people: {standing}; people.strangers is {}",
        strangers.as_str()
    ));
    if released {
        plan.report.push(
            "people: released by an administrator from its hold; carried out as a comment"
                .to_owned(),
        );
        return;
    }
    let reason = format!(
        "only the people on {key} may add to it by e-mail, and the sender is not one of them"
    );
    let action = match strangers {
        Strangers::Comment => return,
        Strangers::Internal => {
            *internal = people.service_desk;
            plan.report.push(if people.service_desk {
                format!("people: {key} is in a service project: an internal comment")
            } else {
                format!(
                    "people: a comment visible to {} only (the rule's comment_visibility)",
                    visibility.as_deref().unwrap_or("everyone")
                )
            });
            return;
        }
        Strangers::Hold => Action::Hold { reason },
        Strangers::Reject => super::refusal(reason, profile, plan.answerable),
    };
    plan.action = action;
    plan.report.push(format!(
        "action: {} — {}",
        plan.action.kind(),
        plan.action.reason()
    ));
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
