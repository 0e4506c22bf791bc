use super::*;
use crate::classify::classify;
use crate::message::ParseLimits;
use crate::profile::Profile;

/// The example profile shipped in the repository.
pub(crate) fn example() -> CheckedProfile {
    Profile::from_json(include_str!("../../../examples/profile.json"))
        .unwrap()
        .check()
        .unwrap()
}

/// A minimal profile (project SUP, type Task) with `people` as its `people` section.
pub(crate) fn with_people(people: &str) -> CheckedProfile {
    Profile::from_json(&format!(
        r#"{{"own": {{"addresses": ["support@example.com"]}},
            "default": {{"project": "SUP", "issue_type": "Task"}},
            "people": {people}}}"#
    ))
    .unwrap()
    .check()
    .unwrap()
}

/// Parses a message written with `\n` line ends.
pub(crate) fn msg(raw: &str) -> Message {
    let raw = raw.replace('\n', "\r\n");
    Message::parse(raw.as_bytes(), &ParseLimits::default())
        .unwrap()
        .message
}

/// The whole plan of a message under a profile, nothing looked up.
pub(crate) fn plan_of(raw: &str, profile: &CheckedProfile, answers: &Answers) -> Plan {
    let message = msg(raw);
    let classification = classify(&message, &profile.classify_context());
    let text = message.text_body.clone().unwrap_or_default();
    let input = PlanInput {
        message: &message,
        classification: &classification,
        visible_text: &text,
    };
    let prepared = prepare(&input, profile);
    decide(&input, prepared, profile, answers)
}

const NEW: &str = "From: Ann <ann@customer.example>\nTo: support@example.com\nCc: bob@customer.example, desk@help.example.com\nSubject: AW: Printer on fire\nMessage-ID: <n1@customer.example>\n\nIt burns.\n";

#[test]
fn a_new_human_mail_creates_an_issue_from_the_default_rule() {
    let plan = plan_of(NEW, &example(), &Answers::unknown());
    let Action::CreateIssue {
        project,
        issue_type,
        summary,
        participants,
        reporter,
        reporter_policy,
        body,
        ..
    } = &plan.action
    else {
        panic!("{:?}", plan.action)
    };
    assert_eq!((project.as_str(), issue_type.as_str()), ("SUP", "Task"));
    assert_eq!(summary, "Printer on fire");
    assert_eq!(participants, &["bob@customer.example"]);
    assert_eq!(reporter.as_deref(), Some("ann@customer.example"));
    assert_eq!(reporter_policy.as_deref(), Some("customer"));
    assert_eq!(body, "It burns.\n");
    assert_eq!(
        plan.report.last().unwrap(),
        "action: create_issue — no existing issue; new issue by rule \"default\""
    );
}

#[test]
fn a_reply_with_a_known_in_reply_to_becomes_a_comment() {
    let raw = NEW.replace(
        "Message-ID: <n1@customer.example>",
        "In-Reply-To: <root@example.com>",
    );
    let mut answers = Answers {
        looked_up: true,
        ..Answers::default()
    };
    answers
        .message_ids
        .insert("root@example.com".into(), "SUP-7".into());
    let plan = plan_of(&raw, &example(), &answers);
    assert_eq!(plan.action.kind(), "add_comment");
    assert_eq!(plan.thread.as_ref().unwrap().issue_key, "SUP-7");
    let json = serde_json::to_value(&plan.action).unwrap();
    assert_eq!(json["issue_key"], "SUP-7");
    assert_eq!(json["attribution"], "ann@customer.example");
}

#[test]
fn mail_to_none_of_our_addresses_is_rejected() {
    let raw = NEW.replace(
        "To: support@example.com\nCc: bob@customer.example, desk@help.example.com",
        "To: someone@else.example",
    );
    let plan = plan_of(&raw, &example(), &Answers::unknown());
    assert_eq!(
        plan.action,
        Action::Reject {
            reason: "addressed to none of postroom's own addresses".into(),
            notice: false,
        }
    );
}

#[test]
fn automatic_mail_never_creates_an_issue() {
    let raw = NEW.replace("Subject:", "Auto-Submitted: auto-replied\nSubject:");
    let plan = plan_of(&raw, &example(), &Answers::unknown());
    assert_eq!(plan.action.kind(), "ignore");
    assert!(
        plan.action.reason().contains("threads to no issue"),
        "{}",
        plan.action.reason()
    );
}

#[test]
fn the_builtin_profile_ignores_everything_saying_no_profile_was_given() {
    let profile = Profile::builtin().check().unwrap();
    let plan = plan_of(NEW, &profile, &Answers::unknown());
    assert_eq!(
        plan.action,
        Action::Ignore {
            reason: "no profile was given (--profile FILE)".into()
        }
    );
}

#[test]
fn a_rule_that_says_ignore_is_obeyed_with_its_reason() {
    let raw = NEW.replace("ann@customer.example", "news@shop.example");
    let plan = plan_of(&raw, &example(), &Answers::unknown());
    assert_eq!(
        plan.action,
        Action::Ignore {
            reason: "newsletters are not support requests".into()
        }
    );
    assert!(
        plan.report
            .iter()
            .any(|l| l == "route: rule \"newsletters\" decides")
    );
}

#[test]
fn a_loop_is_ignored_even_when_not_addressed_to_us() {
    let raw = "From: support@help.example.com\nTo: someone@else.example\nMessage-ID: <x@help.example.com>\nSubject: Re: SUP-1\n\nhi\n";
    let plan = plan_of(raw, &example(), &Answers::unknown());
    assert_eq!(plan.action.kind(), "ignore", "{:?}", plan.report);
    assert!(
        plan.report[0].starts_with("classification: loop"),
        "{:?}",
        plan.report
    );
}

#[test]
fn a_dry_run_reports_each_unanswered_method_once() {
    let raw = NEW.replace(
        "Message-ID: <n1@customer.example>",
        "References: <a@x> <b@x> <c@x>",
    );
    let plan = plan_of(&raw, &example(), &Answers::unknown());
    let lines = plan
        .report
        .iter()
        .filter(|l| l.contains("references not looked up"))
        .count();
    assert_eq!(lines, 1, "{:?}", plan.report);
}

#[test]
fn kept_attachments_point_at_their_part_even_when_names_repeat() {
    let raw = "From: Ann <ann@customer.example>\nTo: support@example.com\nSubject: two images\n\
               Message-ID: <a1@customer.example>\nMIME-Version: 1.0\n\
               Content-Type: multipart/mixed; boundary=\"m\"\n\n\
               --m\nContent-Type: text/plain\n\nSee the image.\n\
               --m\nContent-Type: image/png\nContent-Disposition: inline; filename=\"image.png\"\n\
               Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n\
               --m\nContent-Type: image/png\nContent-Disposition: attachment; filename=\"image.png\"\n\
               Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--m--\n";
    let plan = plan_of(raw, &example(), &Answers::unknown());
    let Action::CreateIssue { attachments, .. } = &plan.action else {
        panic!("{:?}", plan.action)
    };
    assert_eq!(
        attachments,
        &[Kept {
            index: 1,
            name: "image.png".to_owned()
        }],
        "the inline logo (index 0) is left out, the attached file of the same name kept"
    );
    assert!(
        plan.report
            .iter()
            .any(|l| l.starts_with("attachment \"image.png\": left out")),
        "{:?}",
        plan.report
    );
    let json = serde_json::to_value(&plan.action).unwrap();
    assert_eq!(json["attachments"], serde_json::json!(["image.png"]));
}

#[test]
fn a_sender_who_may_not_open_issues_is_refused_but_may_still_reply() {
    let profile = with_people(r#"{"create": {"allow": ["*@staff.example"], "refused": "hold"}}"#);
    let plan = plan_of(NEW, &profile, &Answers::unknown());
    assert_eq!(plan.action.kind(), "hold");
    assert_eq!(
        plan.report.last().unwrap(),
        "action: hold — the sender may not open issues by mail (matched by no pattern of people.create.allow)"
    );
    let reply = NEW.replace("AW: Printer on fire", "Re: SUP-7 Printer on fire");
    let plan = plan_of(&reply, &profile, &Answers::unknown());
    assert_eq!(plan.action.kind(), "add_comment", "{:?}", plan.report);
    let staff = NEW.replace("ann@customer.example", "ann@staff.example");
    assert_eq!(
        plan_of(&staff, &profile, &Answers::unknown()).action.kind(),
        "create_issue"
    );
}

#[test]
fn the_notice_note_says_why_a_refusal_is_or_is_not_answered() {
    let profile = |extra: &str| {
        Profile::from_json(&format!(
            r#"{{"own": {{"addresses": ["support@example.com"]}},
                "default": {{"project": "SUP", "issue_type": "Task"}},
                "people": {{"create": {{"deny": ["*@customer.example"]}}}}{extra}}}"#
        ))
        .unwrap()
        .check()
        .unwrap()
    };
    let on = profile(r#", "notice": {"enabled": true}"#);
    let note = |raw: &str, p: &CheckedProfile| plan_of(raw, p, &Answers::unknown()).notice_note(p);
    assert_eq!(
        note(NEW, &on).as_deref(),
        Some("notice: the sender is told why (notice.enabled)")
    );
    assert_eq!(
        note(NEW, &profile("")).as_deref(),
        Some("notice: not sent: notice.enabled is off")
    );
    let elsewhere = NEW.replace(
        "To: support@example.com\nCc: bob@customer.example, desk@help.example.com",
        "To: someone@else.example",
    );
    assert_eq!(
        note(&elsewhere, &on).as_deref(),
        Some("notice: not sent: only refusals by people.create and people.strangers are answered"),
        "mail not addressed to postroom is never answered"
    );
    let allowed = NEW.replace("ann@customer.example", "ann@partner.example");
    assert_eq!(note(&allowed, &on), None, "no refusal, no note");
}
