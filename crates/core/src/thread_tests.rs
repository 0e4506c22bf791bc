use super::*;
use crate::plan::tests::{example, msg};
use crate::profile::Profile;

fn head(extra: &str) -> String {
    format!("From: ann@customer.example\nTo: support@example.com\n{extra}\nbody\n")
}

fn known() -> Answers {
    let mut a = Answers {
        looked_up: true,
        ..Answers::default()
    };
    a.existing_keys
        .extend(["SUP-12".to_owned(), "SUP-3".to_owned(), "BIL-9".to_owned()]);
    a.message_ids
        .insert("ref1@example.com".into(), "SUP-3".into());
    a.message_ids
        .insert("irt@example.com".into(), "BIL-9".into());
    a.foreign_keys.insert("INC0012345".into(), "SUP-12".into());
    a
}

fn by(raw: &str, profile: &CheckedProfile, answers: &Answers) -> Option<(String, ThreadBy)> {
    let m = msg(raw);
    let d = Directives::default();
    decide(&m, &d, profile, answers, &mut Vec::new()).map(|t| (t.issue_key, t.by))
}

#[test]
fn lookups_list_ids_keys_and_foreign_keys_once_each() {
    let raw = head(
        "To: support+sup-12@example.com\nIn-Reply-To: <irt@example.com>\nReferences: <ref1@example.com> <irt@example.com>\nSubject: Re: SUP-3 and INC0012345",
    );
    let l = lookups(&msg(&raw), &Directives::default(), &example());
    assert_eq!(l.issue_keys, ["SUP-12", "SUP-3"]);
    assert_eq!(l.message_ids, ["irt@example.com", "ref1@example.com"]);
    assert_eq!(l.foreign_keys, ["INC0012345"]);
}

#[test]
fn precedence_follows_the_configured_order() {
    let p = example();
    let all = "To: support+SUP-12@example.com\nIn-Reply-To: <irt@example.com>\nReferences: <ref1@example.com>\nSubject: SUP-3";
    assert_eq!(
        by(&head(all), &p, &known()),
        Some(("SUP-12".into(), ThreadBy::SubAddress))
    );
    let no_sub = "In-Reply-To: <irt@example.com>\nReferences: <ref1@example.com>\nSubject: SUP-3";
    assert_eq!(
        by(&head(no_sub), &p, &known()),
        Some(("BIL-9".into(), ThreadBy::InReplyTo))
    );
    let refs = "In-Reply-To: <unknown@x>\nReferences: <ref1@example.com>\nSubject: SUP-3";
    assert_eq!(
        by(&head(refs), &p, &known()),
        Some(("SUP-3".into(), ThreadBy::References))
    );
    assert_eq!(
        by(&head("Subject: Re: INC0012345"), &p, &known()),
        Some(("SUP-12".into(), ThreadBy::ForeignKey))
    );
}

#[test]
fn switched_off_methods_are_skipped() {
    let mut profile = Profile::from_json(include_str!("../../../examples/profile.json")).unwrap();
    profile.threading.order = vec![ThreadBy::Subject];
    let p = profile.check().unwrap();
    let raw =
        head("To: support+SUP-12@example.com\nIn-Reply-To: <irt@example.com>\nSubject: SUP-3");
    assert_eq!(
        by(&raw, &p, &known()),
        Some(("SUP-3".into(), ThreadBy::Subject))
    );
}

#[test]
fn the_left_most_known_key_in_the_subject_wins_and_unknown_projects_do_not_count() {
    let p = example();
    let raw = head("Subject: Re: ABC-1 then SUP-12 then SUP-3");
    assert_eq!(
        by(&raw, &p, &known()),
        Some(("SUP-12".into(), ThreadBy::Subject))
    );
    assert_eq!(
        by(&head("Subject: XSUP-12 and SUP-120x"), &p, &known()),
        None
    );
}

#[test]
fn a_key_in_the_body_or_quoted_text_does_not_thread() {
    let raw = "From: ann@customer.example\nTo: support@example.com\nSubject: hello\n\n> on SUP-12 you wrote\nSUP-3\n";
    assert_eq!(by(raw, &example(), &known()), None);
}

#[test]
fn a_key_that_does_not_exist_falls_through_and_a_dry_run_trusts_keys() {
    let p = example();
    let raw = head("To: support+SUP-99@example.com\nSubject: SUP-3");
    assert_eq!(
        by(&raw, &p, &known()),
        Some(("SUP-3".into(), ThreadBy::Subject))
    );
    let mut report = Vec::new();
    let m = msg(&head("In-Reply-To: <irt@example.com>\nSubject: SUP-3"));
    let t = decide(
        &m,
        &Directives::default(),
        &p,
        &Answers::unknown(),
        &mut report,
    )
    .unwrap();
    assert_eq!(t.by, ThreadBy::Subject);
    assert!(report[0].contains("not looked up"), "{report:?}");
}

#[test]
fn a_sub_address_of_someone_else_is_no_thread() {
    let raw = head("To: bob+SUP-12@customer.example, support@example.com");
    assert_eq!(by(&raw, &example(), &known()), None);
}

#[test]
fn an_original_whose_reply_came_first_joins_the_replys_issue() {
    let p = example();
    let raw = head("Message-ID: <orig@customer.example>\nSubject: printer");
    let l = lookups(&msg(&raw), &Directives::default(), &p);
    assert_eq!(l.message_ids, ["orig@customer.example"]);
    assert_eq!(by(&raw, &p, &known()), None, "its own id is not in the map");
    let mut answers = known();
    answers
        .message_ids
        .insert("orig@customer.example".into(), "SUP-12".into());
    let mut report = Vec::new();
    let found = decide(
        &msg(&raw),
        &Directives::default(),
        &p,
        &answers,
        &mut report,
    );
    assert_eq!(
        found.map(|t| (t.issue_key, t.by)),
        Some(("SUP-12".into(), ThreadBy::References))
    );
    assert!(
        report.iter().any(|l| l.contains("carried out before it")),
        "{report:?}"
    );
    // A known reference still wins over the mail's own id.
    let both = head("Message-ID: <orig@customer.example>\nReferences: <ref1@example.com>");
    assert_eq!(
        by(&both, &p, &answers),
        Some(("SUP-3".into(), ThreadBy::References))
    );
    // A dry run says nothing about it.
    let mut report = Vec::new();
    decide(
        &msg(&raw),
        &Directives::default(),
        &p,
        &Answers::unknown(),
        &mut report,
    );
    assert!(
        !report.iter().any(|l| l.contains("references")),
        "{report:?}"
    );
}
