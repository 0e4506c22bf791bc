//! "Try it": one mail's dry run under a candidate profile and under the profile in force,
//! side by side, so that an administrator sees what a change of the profile does to a real
//! mail before saving it (the console's Rules page, `POST /api/v1/profile/try`).
//!
//! Each side is exactly the dry run of `postroom process --dry-run` ([`plan::outcome`],
//! lookups unanswered), and the difference is the one a test case reports
//! ([`Snapshot::diff`]): the decision's fields by path. Nothing is stored or sent.

use serde::Serialize;

use crate::message::{Message, ParseError, ParseLimits};
use crate::outcome::{ActionSummary, Classification, FromField, Outcome, Source};
use crate::plan;
use crate::profile::CheckedProfile;
use crate::testcase::{Change, Snapshot};

/// The mail as read, the same under either profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TriedMail {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// The author.
    pub from: FromField,
    /// The subject as sent.
    pub subject: Option<String>,
    /// Attachments by name (`(unnamed)` when they have none).
    pub attachments: Vec<String>,
    /// Problems found while reading it.
    pub warnings: Vec<String>,
}

/// The decision one profile makes for the mail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// What postroom would do: `kind`, `reason` and the action's other keys (`project`,
    /// `issue_type`, `issue_key`, …).
    pub action: ActionSummary,
    /// The class of the mail and why.
    pub classification: Classification,
    /// The issue the mail threads to, when it does.
    pub thread: Option<serde_json::Value>,
    /// Directives obeyed.
    pub directives: serde_json::Map<String, serde_json::Value>,
    /// Each stage's line, in order (which rule decided, and why).
    pub report: Vec<String>,
    /// The decision flattened to `path → value`, as a test case records it.
    pub fields: Snapshot,
}

impl Decision {
    fn of(outcome: Outcome) -> Self {
        let fields = Snapshot::of(&outcome);
        Self {
            action: outcome.action,
            classification: outcome.classification,
            thread: outcome.thread,
            directives: outcome.directives,
            report: outcome.report,
            fields,
        }
    }
}

/// One mail tried under two profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tried {
    /// The mail as read.
    pub mail: TriedMail,
    /// Under the candidate profile, when one was given.
    pub candidate: Option<Decision>,
    /// Under the profile in force, when there is one.
    pub in_force: Option<Decision>,
    /// The decision's fields that differ, `expected` being the profile in force and
    /// `actual` the candidate; empty when either side is missing.
    pub differs: Vec<Change>,
}

/// Reads `raw` once and runs the dry run under `candidate` and under `in_force`.
pub fn try_mail(
    raw: &[u8],
    limits: &ParseLimits,
    candidate: Option<&CheckedProfile>,
    in_force: Option<&CheckedProfile>,
) -> Result<Tried, ParseError> {
    let parsed = Message::parse(raw, limits)?;
    let source = || Source {
        path: "try".to_owned(),
        index: 0,
    };
    let decide = |profile: &CheckedProfile| plan::outcome(source(), &parsed, profile);
    let candidate = candidate.map(decide);
    let in_force = in_force.map(decide);
    let seen = candidate
        .as_ref()
        .or(in_force.as_ref())
        .cloned()
        .unwrap_or_else(|| Outcome::read_only(source(), &parsed));
    let differs = match (&candidate, &in_force) {
        (Some(candidate), Some(in_force)) => Snapshot::of(in_force).diff(&Snapshot::of(candidate)),
        _ => Vec::new(),
    };
    Ok(Tried {
        mail: TriedMail {
            message_id: seen.message_id,
            from: seen.from,
            subject: seen.subject,
            attachments: seen
                .attachments
                .iter()
                .map(|a| a.name.clone().unwrap_or_else(|| "(unnamed)".to_owned()))
                .collect(),
            warnings: seen.warnings,
        },
        candidate: candidate.map(Decision::of),
        in_force: in_force.map(Decision::of),
        differs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    const MAIL: &[u8] = b"From: Ann <ann@customer.example>\r\nTo: billing@example.com\r\n\
        Subject: Invoice 42 is wrong\r\nMessage-ID: <t1@customer.example>\r\n\r\nPlease fix it.\r\n";

    fn example() -> Profile {
        Profile::from_json(include_str!("../../../examples/profile.json")).unwrap()
    }

    #[test]
    fn a_rule_change_shows_as_the_fields_it_changes() {
        let in_force = example().check().unwrap();
        let mut edited = example();
        edited.rules[0].then.project = Some("FIN".to_owned());
        let candidate = edited.check().unwrap();
        let tried = try_mail(
            MAIL,
            &ParseLimits::default(),
            Some(&candidate),
            Some(&in_force),
        )
        .unwrap();
        assert_eq!(tried.mail.subject.as_deref(), Some("Invoice 42 is wrong"));
        let now = tried.in_force.unwrap();
        let then = tried.candidate.unwrap();
        assert_eq!(now.action.kind, "create_issue");
        assert_eq!(now.action.detail["project"], "BIL");
        assert_eq!(then.action.detail["project"], "FIN");
        assert!(
            then.report.iter().any(|l| l.contains("billing")),
            "{:?}",
            then.report
        );
        let project = tried
            .differs
            .iter()
            .find(|c| c.field == "action.project")
            .unwrap();
        assert_eq!(project.expected, "BIL");
        assert_eq!(project.actual, "FIN");
        assert!(
            tried.differs.iter().all(|c| c.field.starts_with("action.")),
            "only the action changes: {:?}",
            tried.differs
        );
    }

    #[test]
    fn one_side_alone_and_the_same_profile_twice() {
        let profile = example().check().unwrap();
        let alone = try_mail(MAIL, &ParseLimits::default(), None, Some(&profile)).unwrap();
        assert!(alone.candidate.is_none());
        assert!(alone.differs.is_empty());
        let same = try_mail(
            MAIL,
            &ParseLimits::default(),
            Some(&profile),
            Some(&profile),
        )
        .unwrap();
        assert!(same.differs.is_empty());
        assert_eq!(same.candidate, same.in_force);
        assert!(try_mail(b"", &ParseLimits::default(), None, Some(&profile)).is_err());
    }
}
