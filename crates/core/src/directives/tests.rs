use super::*;
use crate::plan::tests::example;

fn sender() -> EmailAddress {
    EmailAddress::parse("agent@example.com").unwrap()
}

fn read_as(text: &str, sender: &EmailAddress, auth: AuthResult) -> Directives {
    read(text, Some(sender), auth, &example())
}

#[test]
fn allowed_authentic_sender_gets_directives_applied_and_removed_from_text() {
    let text = "#priority=High\n#labels= a, b ,\n\n#prio=Low\n#issue=sup-12\n#Kunde=ACME\n#duedate=2026-12-01\nPlease fix.\n#labels=not-a-directive-any-more\n";
    let d = read_as(text, &sender(), AuthResult::Pass);
    assert_eq!(d.text, "Please fix.\n#labels=not-a-directive-any-more\n");
    assert_eq!(d.applied["priority"], "High");
    assert_eq!(d.applied["labels"], "a,b");
    assert_eq!(d.applied["Customer"], "ACME");
    assert_eq!(d.applied["duedate"], "2026-12-01");
    assert_eq!(d.issue(), Some("SUP-12"));
    assert_eq!(
        d.rejected,
        [Rejected {
            name: "prio".into(),
            reason: "given twice; the first one counts".into()
        }]
    );
    assert_eq!(d.found.len(), 6);
}

#[test]
fn unknown_and_invalid_directives_are_reported_not_applied() {
    let text = "#colour=red\n#duedate=2026-13-01\n#assignee=nobody\n#issue=ABC-1\n#labels=a b\nhi";
    let d = read_as(text, &sender(), AuthResult::Pass);
    assert!(d.applied.is_empty(), "{:?}", d.applied);
    let reasons: Vec<&str> = d.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(
        reasons,
        [
            "unknown directive",
            "not a date (YYYY-MM-DD)",
            "not an e-mail address",
            "not a known issue key",
            "a label cannot contain spaces",
        ]
    );
    assert_eq!(d.text, "hi");
}

#[test]
fn forbidden_senders_get_nothing_applied_but_lines_still_removed() {
    let stranger = EmailAddress::parse("eve@evil.example").unwrap();
    let d = read_as("#priority=High\nhi\n", &stranger, AuthResult::Pass);
    assert!(d.applied.is_empty());
    assert_eq!(
        d.rejected[0].reason,
        "the sender is not allowed to use directives"
    );
    assert_eq!(d.text, "hi\n");
    let forged = read_as("#priority=High\nhi\n", &sender(), AuthResult::None);
    assert_eq!(
        forged.rejected[0].reason,
        "the sender's authenticity did not pass"
    );
    let none = read("#priority=High\n", None, AuthResult::Pass, &example());
    assert_eq!(none.rejected[0].reason, "the message has no valid sender");
}

#[test]
fn disabled_directives_leave_the_text_alone_and_plain_text_has_none() {
    let mut profile =
        crate::profile::Profile::from_json(include_str!("../../../../examples/profile.json"))
            .unwrap();
    profile.directives.enabled = false;
    let p = profile.check().unwrap();
    let d = read("#priority=High\nhi", Some(&sender()), AuthResult::Pass, &p);
    assert!(d.found.is_empty());
    assert_eq!(d.text, "#priority=High\nhi");
    let plain = read_as("Hello #priority=High\n", &sender(), AuthResult::Pass);
    assert!(plain.found.is_empty());
    assert_eq!(read_as("", &sender(), AuthResult::Pass).text, "");
    assert_eq!(
        read_as("#priority=High", &sender(), AuthResult::Pass).text,
        ""
    );
}
