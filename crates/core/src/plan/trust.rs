//! Whose reply may comment: `people.strangers`.
//!
//! A reply from a participant of the issue is trusted; so is one from any other Jira user
//! whose mail authenticated (see [`crate::profile::People::strangers`]). Everyone else is a
//! stranger, and their reply becomes what the profile says. The engine reads the issue's
//! people from Jira once ([`IssuePeople`]) and core decides on them, so that the rule can
//! be tested without Jira.

use std::collections::BTreeSet;

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
}

impl IssuePeople {
    /// Adds a Jira user on the issue (the address only when Jira shows it).
    pub fn add_account(&mut self, account_id: &str, email: Option<&str>) {
        self.accounts.insert(account_id.to_owned());
        if let Some(email) = email.filter(|e| !e.trim().is_empty()) {
            self.addresses.insert(email.trim().to_ascii_lowercase());
        }
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

/// The sender as Jira knows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderInJira<'a> {
    /// The one active Jira account with the sender's address, if there is one.
    pub account: Option<&'a str>,
    /// True when the sender's authenticity passed at the trusted MTA.
    pub authentic: bool,
}

/// True when the engine must read the issue's people before carrying out `plan`: a comment
/// whose sender is judged (`people.strangers` other than `comment`), or whose other
/// recipients may join the issue (`people.participants`).
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

/// The dry run's note that a comment's sender was not judged, since that needs Jira;
/// `None` when `people.strangers` is `comment` (nothing would be judged).
pub(super) fn unchecked(plan: &Plan, profile: &CheckedProfile) -> Option<String> {
    let Action::AddComment { issue_key, .. } = &plan.action else {
        return None;
    };
    let strangers = profile.profile.people.strangers;
    (strangers != Strangers::Comment).then(|| {
        format!(
            "people: not checked in a dry run: whether the sender is a participant of {issue_key} (people.strangers is {})",
            strangers.as_str()
        )
    })
}

/// Judges the sender of a comment: a stranger's comment becomes a hold or a reject under
/// `people.strangers`, with a reason fit to quote in a notice to the sender. Also drops
/// the participants already on the issue, so that only newcomers are added. The report
/// says who the sender is to the issue and what followed.
pub fn judge_reply(
    plan: &mut Plan,
    profile: &CheckedProfile,
    people: &IssuePeople,
    sender: SenderInJira<'_>,
) {
    let Action::AddComment {
        issue_key,
        attribution,
        participants,
        ..
    } = &mut plan.action
    else {
        return;
    };
    participants.retain(|p| !people.has_address(p));
    let key = issue_key.clone();
    let on_issue = sender.account.is_some_and(|a| people.accounts.contains(a))
        || attribution
            .as_deref()
            .is_some_and(|a| people.has_address(a));
    let standing = if on_issue {
        format!("the sender is a participant of {key}")
    } else if sender.account.is_some() && sender.authentic {
        "the sender is an authenticated Jira user".to_owned()
    } else {
        let strangers = profile.profile.people.strangers;
        plan.report.push(format!(
            "people: the sender is not a participant of {key}; people.strangers is {}",
            strangers.as_str()
        ));
        let reason = format!(
            "only the people on {key} may add to it by e-mail, and the sender is not one of them"
        );
        let action = match strangers {
            Strangers::Comment => return,
            Strangers::Hold => Action::Hold { reason },
            Strangers::Reject => super::refusal(reason, profile, plan.answerable),
        };
        plan.action = action;
        plan.report.push(format!(
            "action: {} — {}",
            plan.action.kind(),
            plan.action.reason()
        ));
        return;
    };
    plan.report
        .push(format!("people: {standing}; trusted to comment"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::{plan_of, with_people};
    use crate::thread::Answers;

    const REPLY: &str = "From: Ann <ann@customer.example>\nTo: support@example.com\n\
        Cc: Bob <bob@customer.example>, carl@elsewhere.example\nSubject: Re: SUP-7 printer\n\n\
        More smoke.\n";

    fn reply(profile: &CheckedProfile) -> Plan {
        plan_of(REPLY, profile, &Answers::unknown())
    }

    fn judged(people_json: &str, on_issue: &IssuePeople, sender: SenderInJira<'_>) -> Plan {
        let profile = with_people(people_json);
        let mut plan = reply(&profile);
        assert_eq!(plan.action.kind(), "add_comment");
        judge_reply(&mut plan, &profile, on_issue, sender);
        plan
    }

    const NOBODY: SenderInJira<'static> = SenderInJira {
        account: None,
        authentic: false,
    };

    #[test]
    fn a_stranger_is_held_or_rejected_with_a_reason_for_a_notice() {
        for (setting, kind) in [
            ("hold", "hold"),
            ("reject", "reject"),
            ("comment", "add_comment"),
        ] {
            let plan = judged(
                &format!(r#"{{"strangers": "{setting}"}}"#),
                &IssuePeople::default(),
                NOBODY,
            );
            assert_eq!(plan.action.kind(), kind, "{setting}");
            assert!(
                plan.report
                    .iter()
                    .any(|l| l == &format!("people: the sender is not a participant of SUP-7; people.strangers is {setting}")),
                "{:?}",
                plan.report
            );
            if kind != "add_comment" {
                assert_eq!(
                    plan.action.reason(),
                    "only the people on SUP-7 may add to it by e-mail, and the sender is not one of them"
                );
                assert_eq!(
                    plan.report.last().unwrap(),
                    &format!("action: {kind} — {}", plan.action.reason())
                );
            }
        }
    }

    /// A strict profile with notices on; automatic replies comment (so they reach the
    /// judge).
    fn noticing() -> CheckedProfile {
        crate::profile::Profile::from_json(
            r#"{"own": {"addresses": ["support@example.com"]},
                "default": {"project": "SUP", "issue_type": "Task",
                            "handling": {"auto_reply": "comment"}},
                "people": {"strangers": "reject"},
                "notice": {"enabled": true}}"#,
        )
        .unwrap()
        .check()
        .unwrap()
    }

    fn notice_of(plan: &Plan) -> Option<bool> {
        match &plan.action {
            Action::Reject { notice, .. } => Some(*notice),
            _ => None,
        }
    }

    #[test]
    fn a_strangers_reject_carries_the_notice_only_when_enabled_and_answerable() {
        let profile = noticing();
        let mut plan = reply(&profile);
        judge_reply(&mut plan, &profile, &IssuePeople::default(), NOBODY);
        assert_eq!(notice_of(&plan), Some(true));

        let off = with_people(r#"{"strangers": "reject"}"#);
        let mut plan = reply(&off);
        judge_reply(&mut plan, &off, &IssuePeople::default(), NOBODY);
        assert_eq!(notice_of(&plan), Some(false), "notice.enabled is off");

        let automatic = REPLY.replace("Subject:", "Auto-Submitted: auto-replied\nSubject:");
        let mut plan = plan_of(&automatic, &profile, &Answers::unknown());
        assert_eq!(plan.action.kind(), "add_comment");
        judge_reply(&mut plan, &profile, &IssuePeople::default(), NOBODY);
        assert_eq!(
            notice_of(&plan),
            Some(false),
            "an auto-reply is never answered"
        );
    }

    #[test]
    fn participants_by_account_by_address_or_in_the_email_field_are_trusted() {
        let strict = r#"{"strangers": "reject"}"#;
        let mut by_account = IssuePeople::default();
        by_account.add_account("acc-ann", None);
        let sender = SenderInJira {
            account: Some("acc-ann"),
            authentic: false,
        };
        assert_eq!(
            judged(strict, &by_account, sender).action.kind(),
            "add_comment"
        );

        let mut by_email = IssuePeople::default();
        by_email.add_account("acc-x", Some("ANN@customer.example"));
        assert_eq!(
            judged(strict, &by_email, NOBODY).action.kind(),
            "add_comment"
        );

        let mut in_field = IssuePeople::default();
        in_field.add_email_field("Lee, Ann <ann@Customer.example>, zed@z.example");
        let plan = judged(strict, &in_field, NOBODY);
        assert_eq!(plan.action.kind(), "add_comment");
        assert!(plan.report.contains(
            &"people: the sender is a participant of SUP-7; trusted to comment".to_owned()
        ));
    }

    #[test]
    fn another_jira_user_is_trusted_only_when_authentic() {
        let strict = r#"{"strangers": "hold"}"#;
        let agent = |authentic| SenderInJira {
            account: Some("acc-agent"),
            authentic,
        };
        let plan = judged(strict, &IssuePeople::default(), agent(true));
        assert_eq!(plan.action.kind(), "add_comment");
        assert!(plan.report.contains(
            &"people: the sender is an authenticated Jira user; trusted to comment".to_owned()
        ));
        assert_eq!(
            judged(strict, &IssuePeople::default(), agent(false))
                .action
                .kind(),
            "hold"
        );
    }

    #[test]
    fn participants_already_on_the_issue_are_dropped() {
        let mut on_issue = IssuePeople::default();
        on_issue.add_email_field("Bob <BOB@customer.example>");
        let plan = judged("{}", &on_issue, NOBODY);
        let Action::AddComment { participants, .. } = &plan.action else {
            panic!("{:?}", plan.action)
        };
        assert_eq!(participants, &["carl@elsewhere.example"]);
    }

    #[test]
    fn the_dry_run_says_the_sender_was_not_judged() {
        let strict = with_people(r#"{"strangers": "reject"}"#);
        assert_eq!(
            unchecked(&reply(&strict), &strict).as_deref(),
            Some(
                "people: not checked in a dry run: whether the sender is a participant of SUP-7 (people.strangers is reject)"
            )
        );
        let lenient = with_people("{}");
        assert_eq!(unchecked(&reply(&lenient), &lenient), None);
    }

    #[test]
    fn people_are_read_only_when_something_depends_on_them() {
        let lenient = with_people("{}");
        assert!(
            needs_issue_people(&reply(&lenient), &lenient),
            "Cc'd people may join"
        );
        let quiet = with_people(r#"{"participants": false}"#);
        assert!(!needs_issue_people(&reply(&quiet), &quiet));
        let capped = with_people(r#"{"max_participants": 0}"#);
        assert!(!needs_issue_people(&reply(&capped), &capped));
        let strict = with_people(r#"{"participants": false, "strangers": "hold"}"#);
        assert!(needs_issue_people(&reply(&strict), &strict));
        let alone = REPLY.replace(
            "Cc: Bob <bob@customer.example>, carl@elsewhere.example\n",
            "",
        );
        let plan = plan_of(&alone, &lenient, &Answers::unknown());
        assert!(
            !needs_issue_people(&plan, &lenient),
            "nobody to add, nobody judged"
        );
        let new = plan_of(
            &REPLY.replace("Re: SUP-7 printer", "printer"),
            &strict,
            &Answers::unknown(),
        );
        assert_eq!(new.action.kind(), "create_issue");
        assert!(
            !needs_issue_people(&new, &strict),
            "a new issue has no people yet"
        );
    }
}
