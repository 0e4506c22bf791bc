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
    judged_by(&with_people(people_json), on_issue, sender, false)
}

fn judged_by(
    profile: &CheckedProfile,
    on_issue: &IssuePeople,
    sender: SenderInJira<'_>,
    released: bool,
) -> Plan {
    let mut plan = reply(profile);
    assert_eq!(plan.action.kind(), "add_comment");
    judge_reply(&mut plan, profile, on_issue, sender, released);
    plan
}

/// A profile whose replies may be internal: comments restricted to a role by default.
fn internal() -> CheckedProfile {
    crate::profile::Profile::from_json(
        r#"{"own": {"addresses": ["support@example.com"]},
            "default": {"project": "SUP", "issue_type": "Task",
                        "comment_visibility": "Service Desk Team"},
            "people": {"strangers": "internal"}}"#,
    )
    .unwrap()
    .check()
    .unwrap()
}

const NOBODY: SenderInJira<'static> = SenderInJira {
    account: None,
    auth: AuthResult::None,
    browses: None,
};

/// Ann's address is on the issue (the e-mail field), and so is Bob's.
fn ann_and_bob() -> IssuePeople {
    let mut on = IssuePeople::default();
    on.add_email_field("Ann <ann@customer.example>, Bob <BOB@customer.example>");
    on
}

fn participants_of(plan: &Plan) -> Vec<String> {
    match &plan.action {
        Action::AddComment { participants, .. } => participants.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_stranger_is_held_by_default_or_as_people_strangers_says() {
    for (people, setting, kind) in [
        ("{}", "hold", "hold"),
        (r#"{"strangers": "hold"}"#, "hold", "hold"),
        (r#"{"strangers": "reject"}"#, "reject", "reject"),
        (r#"{"strangers": "comment"}"#, "comment", "add_comment"),
    ] {
        let plan = judged(people, &IssuePeople::default(), NOBODY);
        assert_eq!(plan.action.kind(), kind, "{setting}");
        let line = format!(
            "people: the sender is not a participant of SUP-7; people.strangers is {setting}"
        );
        assert!(plan.report.contains(&line), "{:?}", plan.report);
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

#[test]
fn a_strangers_cc_never_joins_the_issue_whatever_becomes_of_the_reply() {
    for people in [
        r#"{"strangers": "comment"}"#,
        r#"{"strangers": "hold"}"#,
        r#"{"strangers": "reject"}"#,
    ] {
        let plan = judged(people, &IssuePeople::default(), NOBODY);
        if let Action::AddComment { participants, .. } = &plan.action {
            assert!(participants.is_empty(), "{people}: {participants:?}");
        }
        assert!(
            plan.report.contains(
                &"people: 2 other recipient(s) not added: only the reporter or a participant of SUP-7 may add people by e-mail"
                    .to_owned()
            ),
            "{people}: {:?}",
            plan.report
        );
    }
    let plan = judged_by(&internal(), &IssuePeople::default(), NOBODY, false);
    assert!(participants_of(&plan).is_empty());
    let released = judged_by(&with_people("{}"), &IssuePeople::default(), NOBODY, true);
    assert!(participants_of(&released).is_empty());
}

#[test]
fn an_administrators_release_makes_the_held_reply_a_comment() {
    let plan = judged_by(
        &with_people(r#"{"strangers": "hold"}"#),
        &IssuePeople::default(),
        NOBODY,
        true,
    );
    assert_eq!(plan.action.kind(), "add_comment");
    assert_eq!(
        plan.report.last().unwrap(),
        "people: released by an administrator from its hold; carried out as a comment"
    );
}

#[test]
fn internal_is_an_internal_note_on_a_service_project_and_restricted_elsewhere() {
    let profile = internal();
    let desk = IssuePeople {
        service_desk: true,
        ..IssuePeople::default()
    };
    let plan = judged_by(&profile, &desk, NOBODY, false);
    let Action::AddComment {
        internal,
        visibility,
        ..
    } = &plan.action
    else {
        panic!("{:?}", plan.action)
    };
    assert!(*internal);
    assert_eq!(visibility.as_deref(), Some("Service Desk Team"));
    assert_eq!(
        plan.report.last().unwrap(),
        "people: SUP-7 is in a service project: an internal comment"
    );

    let plan = judged_by(&profile, &IssuePeople::default(), NOBODY, false);
    let Action::AddComment { internal, .. } = &plan.action else {
        panic!("{:?}", plan.action)
    };
    assert!(!*internal);
    assert_eq!(
        plan.report.last().unwrap(),
        "people: a comment visible to Service Desk Team only (the rule's comment_visibility)"
    );

    let plan = judged_by(&profile, &ann_and_bob(), NOBODY, false);
    let Action::AddComment {
        internal,
        participants,
        ..
    } = &plan.action
    else {
        panic!("{:?}", plan.action)
    };
    assert!(!*internal, "a participant's reply is an ordinary comment");
    assert_eq!(participants, &["carl@elsewhere.example"]);
}

#[test]
fn a_participants_address_whose_authentication_failed_is_a_strangers() {
    let strict = r#"{"strangers": "hold"}"#;
    let forged = SenderInJira {
        account: None,
        auth: AuthResult::Fail,
        browses: None,
    };
    let plan = judged(strict, &ann_and_bob(), forged);
    assert_eq!(plan.action.kind(), "hold");
    assert!(plan.report.contains(
        &"people: the sender's address is on SUP-7, but the mail's authentication failed; people.strangers is hold"
            .to_owned()
    ));
    let unsaid = judged(strict, &ann_and_bob(), NOBODY);
    assert_eq!(unsaid.action.kind(), "add_comment", "`none` is accepted");
    let passed = SenderInJira {
        account: None,
        auth: AuthResult::Pass,
        browses: None,
    };
    assert_eq!(
        judged(strict, &ann_and_bob(), passed).action.kind(),
        "add_comment"
    );
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
    let plan = judged_by(&profile, &IssuePeople::default(), NOBODY, false);
    assert_eq!(notice_of(&plan), Some(true));

    let off = with_people(r#"{"strangers": "reject"}"#);
    let plan = judged_by(&off, &IssuePeople::default(), NOBODY, false);
    assert_eq!(notice_of(&plan), Some(false), "notice.enabled is off");

    let automatic = REPLY.replace("Subject:", "Auto-Submitted: auto-replied\nSubject:");
    let mut plan = plan_of(&automatic, &profile, &Answers::unknown());
    assert_eq!(plan.action.kind(), "add_comment");
    judge_reply(&mut plan, &profile, &IssuePeople::default(), NOBODY, false);
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
        auth: AuthResult::None,
        browses: None,
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
    assert!(
        plan.report.contains(
            &"people: the sender is a participant of SUP-7; trusted to comment".to_owned()
        )
    );
}

#[test]
fn another_jira_user_is_trusted_only_when_authentic_and_allowed_to_see_the_issue() {
    let strict = r#"{"strangers": "hold"}"#;
    let agent = |auth, browses| SenderInJira {
        account: Some("acc-agent"),
        auth,
        browses,
    };
    let plan = judged(
        strict,
        &IssuePeople::default(),
        agent(AuthResult::Pass, Some(true)),
    );
    assert_eq!(plan.action.kind(), "add_comment");
    assert!(plan.report.contains(
        &"people: the sender is an authenticated Jira user who may see SUP-7; trusted to comment"
            .to_owned()
    ));
    assert!(
        participants_of(&plan).is_empty(),
        "not the reporter nor a participant"
    );
    let unseen = judged(
        strict,
        &IssuePeople::default(),
        agent(AuthResult::Pass, Some(false)),
    );
    assert_eq!(unseen.action.kind(), "hold");
    assert!(
        unseen.report.contains(
            &"people: the sender is a Jira user who may not see SUP-7; people.strangers is hold"
                .to_owned()
        )
    );
    assert_eq!(
        judged(
            strict,
            &IssuePeople::default(),
            agent(AuthResult::Pass, None)
        )
        .action
        .kind(),
        "hold",
        "never asked is never trusted"
    );
    for auth in [AuthResult::None, AuthResult::Fail] {
        assert_eq!(
            judged(strict, &IssuePeople::default(), agent(auth, Some(true)))
                .action
                .kind(),
            "hold"
        );
    }
}

#[test]
fn jira_is_asked_who_may_see_the_issue_only_for_an_authentic_jira_user_not_on_it() {
    let profile = with_people(r#"{"strangers": "hold"}"#);
    let plan = reply(&profile);
    let sender = |account, auth| SenderInJira {
        account,
        auth,
        browses: None,
    };
    let mut on_issue = IssuePeople::default();
    assert!(wants_browse_check(
        &plan,
        &on_issue,
        &sender(Some("acc-agent"), AuthResult::Pass)
    ));
    for (account, auth) in [
        (None, AuthResult::Pass),
        (Some("acc-agent"), AuthResult::None),
        (Some("acc-agent"), AuthResult::Fail),
    ] {
        assert!(!wants_browse_check(
            &plan,
            &on_issue,
            &sender(account, auth)
        ));
    }
    on_issue.add_account("acc-agent", None);
    assert!(
        !wants_browse_check(
            &plan,
            &on_issue,
            &sender(Some("acc-agent"), AuthResult::Pass)
        ),
        "someone on the issue needs no question"
    );
}

#[test]
fn a_participants_reply_adds_only_the_newcomers() {
    let plan = judged("{}", &ann_and_bob(), NOBODY);
    assert_eq!(participants_of(&plan), ["carl@elsewhere.example"]);
}

#[test]
fn the_dry_run_says_the_sender_was_not_judged_and_what_a_stranger_would_get() {
    for (people, setting, becomes) in [
        (r#"{"strangers": "reject"}"#, "reject", "rejected"),
        ("{}", "hold", "held for an administrator"),
        (r#"{"strangers": "comment"}"#, "comment", "a comment"),
    ] {
        let profile = with_people(people);
        assert_eq!(
            unchecked(&reply(&profile), &profile),
            Some(format!(
                "people: not checked in a dry run: whether the sender is a participant of SUP-7; \
                 if not, people.strangers is {setting}: the reply is {becomes} and adds nobody to the issue"
            ))
        );
    }
    let profile = internal();
    assert!(
        unchecked(&reply(&profile), &profile)
            .unwrap()
            .ends_with("the reply is an internal comment and adds nobody to the issue")
    );
}

#[test]
fn people_are_read_only_when_something_depends_on_them() {
    let lenient = with_people(r#"{"strangers": "comment"}"#);
    assert!(
        needs_issue_people(&reply(&lenient), &lenient),
        "Cc'd people may join, if the sender is a participant"
    );
    let quiet = with_people(r#"{"participants": false, "strangers": "comment"}"#);
    assert!(!needs_issue_people(&reply(&quiet), &quiet));
    let capped = with_people(r#"{"max_participants": 0, "strangers": "comment"}"#);
    assert!(!needs_issue_people(&reply(&capped), &capped));
    let strict = with_people(r#"{"participants": false}"#);
    assert!(
        needs_issue_people(&reply(&strict), &strict),
        "held by default"
    );
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
