use super::*;
use crate::classify::classify;
use crate::plan::tests::{example, msg};

fn rule_of(raw: &str) -> String {
    let p = example();
    let m = msg(raw);
    let c = classify(&m, &p.classify_context());
    match route(&m, &c, &p) {
        Route::NotOurs => "not ours".to_owned(),
        Route::Rule(r) => r.name.clone(),
    }
}

#[test]
fn first_matching_rule_wins_in_order() {
    let raw = "From: ann@x.example\nTo: billing@example.com\nSubject: outage\n\nhi\n";
    assert_eq!(rule_of(raw), "billing");
    let raw = "From: ann@x.example\nTo: support@example.com\nSubject: Server DOWN\n\nhi\n";
    assert_eq!(rule_of(raw), "outage");
}

#[test]
fn sender_domain_glob_and_header_must_both_hold() {
    let with = "From: a@eu.partner.example\nTo: support@example.com\nX-Partner-Ticket: INC1\nSubject: x\n\nhi\n";
    assert_eq!(rule_of(with), "partner");
    let without = "From: a@eu.partner.example\nTo: support@example.com\nSubject: x\n\nhi\n";
    assert_eq!(rule_of(without), "default");
}

#[test]
fn classification_condition_limits_a_rule() {
    let auto = "From: ann@x.example\nTo: support@example.com\nAuto-Submitted: auto-replied\nSubject: outage\n\nhi\n";
    assert_eq!(rule_of(auto), "default");
}

#[test]
fn own_addresses_include_sub_addresses_domains_and_delivered_to() {
    assert_eq!(
        rule_of("From: a@x.example\nTo: Support+SUP-1@Example.com\n\nhi\n"),
        "default"
    );
    assert_eq!(
        rule_of("From: a@x.example\nTo: anyone@help.example.com\n\nhi\n"),
        "default"
    );
    assert_eq!(
        rule_of("Delivered-To: support@example.com\nFrom: a@x.example\nTo: list@x.example\n\nhi\n"),
        "default"
    );
    assert_eq!(
        rule_of("From: a@x.example\nTo: support@example.com.evil\n\nhi\n"),
        "not ours"
    );
    assert_eq!(rule_of("From: a@x.example\n\nno recipients\n"), "not ours");
}

#[test]
fn a_rule_switched_off_is_checked_but_never_matches() {
    let raw = "From: ann@x.example\nTo: billing@example.com\nSubject: outage\n\nhi\n";
    let mut profile = example().profile;
    profile.rules[0].enabled = false;
    let off = profile.clone().check().unwrap();
    let m = msg(raw);
    let c = classify(&m, &off.classify_context());
    let Route::Rule(rule) = route(&m, &c, &off) else {
        panic!("ours")
    };
    assert_eq!(rule.name, "outage", "the next rule decides");
    // Written out only when off, so that documents without it keep their bytes.
    let text = serde_json::to_string(&profile.rules[0]).unwrap();
    assert!(text.contains(r#""enabled":false"#), "{text}");
    assert!(
        !serde_json::to_string(&profile.rules[1])
            .unwrap()
            .contains("enabled")
    );
    // Still checked while off.
    profile.rules[0].matches.subject = Some("(".to_owned());
    let errors = profile.check().unwrap_err();
    assert_eq!(errors.0[0].path, "rules[0].match.subject");
}
