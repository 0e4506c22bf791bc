//! Who may open issues by mail: `people.create.allow` and `people.create.deny`.
//!
//! Only a mail that would create an issue is checked; a reply to an existing issue is
//! judged by [`super::trust`] instead, so that a customer who may not open issues can still
//! answer on one an agent opened for them.

use crate::message::EmailAddress;
use crate::profile::{CheckedProfile, Refused};

use super::Action;

/// `Ok` when `sender` may open an issue; otherwise the reason, worded for the sender (it
/// may be quoted in a notice) and naming the profile entry that decided.
pub(super) fn may_create(
    sender: Option<&EmailAddress>,
    profile: &CheckedProfile,
) -> Result<(), String> {
    let refused = |why: String| Err(format!("the sender may not open issues by mail ({why})"));
    let Some(sender) = sender else {
        if profile.create_allow.is_empty() {
            return Ok(());
        }
        return refused("the mail names no sender, and people.create.allow is set".to_owned());
    };
    let address = sender.as_str();
    if let Some(i) = profile.create_deny.iter().position(|p| p.matches(address)) {
        return refused(format!("matched by people.create.deny[{i}]"));
    }
    if profile.create_allow.is_empty() || profile.create_allow.iter().any(|p| p.matches(address)) {
        return Ok(());
    }
    refused("matched by no pattern of people.create.allow".to_owned())
}

/// The action `people.create.refused` makes of a refused creation; a reject carries the
/// notice when the mail may be answered (`answerable`).
pub(super) fn refuse(profile: &CheckedProfile, reason: String, answerable: bool) -> Action {
    match profile.profile.people.create.refused {
        Refused::Reject => super::refusal(reason, profile, answerable),
        Refused::Hold => Action::Hold { reason },
        Refused::Ignore => Action::Ignore { reason },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::tests::with_people;
    use crate::profile::Profile;

    fn profile(create: &str) -> CheckedProfile {
        with_people(&format!(r#"{{"create": {create}}}"#))
    }

    fn check(create: &str, sender: Option<&str>) -> Result<(), String> {
        let sender = sender.map(|s| EmailAddress::parse(s).unwrap());
        may_create(sender.as_ref(), &profile(create))
    }

    #[test]
    fn an_empty_allow_list_allows_everyone_even_without_a_sender() {
        assert_eq!(check("{}", Some("ann@anywhere.example")), Ok(()));
        assert_eq!(check("{}", None), Ok(()));
    }

    #[test]
    fn allow_takes_globs_bare_domains_and_regexes() {
        let create = r#"{"allow": ["*@customer.example", "partner.example", "re:^boss@"]}"#;
        assert_eq!(check(create, Some("ann@customer.example")), Ok(()));
        assert_eq!(check(create, Some("Eve@PARTNER.example")), Ok(()));
        assert_eq!(check(create, Some("boss@elsewhere.example")), Ok(()));
        assert_eq!(
            check(create, Some("mallory@elsewhere.example")),
            Err("the sender may not open issues by mail (matched by no pattern of people.create.allow)".to_owned())
        );
        assert!(check(create, None).unwrap_err().contains("names no sender"));
    }

    #[test]
    fn deny_wins_over_allow_and_names_its_entry() {
        let create = r#"{"allow": ["customer.example"], "deny": ["x@y.example", "re:^noreply@"]}"#;
        assert_eq!(
            check(create, Some("noreply@customer.example")),
            Err(
                "the sender may not open issues by mail (matched by people.create.deny[1])"
                    .to_owned()
            )
        );
        assert_eq!(check(create, Some("ann@customer.example")), Ok(()));
        assert!(check(r#"{"deny": ["*"]}"#, Some("a@b.example")).is_err());
    }

    #[test]
    fn refused_follows_the_profile_and_defaults_to_reject() {
        let reason = || "why".to_owned();
        assert_eq!(refuse(&profile("{}"), reason(), true).kind(), "reject");
        assert_eq!(
            refuse(&profile(r#"{"refused": "hold"}"#), reason(), true).kind(),
            "hold"
        );
        assert_eq!(
            refuse(&profile(r#"{"refused": "ignore"}"#), reason(), true).kind(),
            "ignore"
        );
    }

    #[test]
    fn a_refused_creation_carries_the_notice_when_enabled_and_answerable() {
        let noticing = crate::profile::Profile::from_json(
            r#"{"own": {"addresses": ["support@example.com"]},
                "default": {"project": "SUP", "issue_type": "Task"},
                "people": {"create": {"deny": ["*"]}},
                "notice": {"enabled": true}}"#,
        )
        .unwrap()
        .check()
        .unwrap();
        let notice = |answerable| match refuse(&noticing, "why".to_owned(), answerable) {
            Action::Reject { notice, .. } => notice,
            other => panic!("{other:?}"),
        };
        assert!(notice(true));
        assert!(!notice(false));
        let Action::Reject { notice, .. } = refuse(&profile("{}"), "why".to_owned(), true) else {
            panic!("not a reject")
        };
        assert!(!notice, "notice.enabled is off by default");
    }

    #[test]
    fn bad_patterns_and_values_are_refused_with_their_path() {
        let errors = Profile::from_json(
            r#"{"own": {"addresses": ["support@example.com"]},
                "default": {"project": "SUP", "issue_type": "Task"},
                "people": {"create": {"allow": ["ok.example", " "], "deny": ["re:("]}}}"#,
        )
        .unwrap()
        .check()
        .unwrap_err();
        let paths: Vec<&str> = errors.0.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["people.create.allow[1]", "people.create.deny[0]"]);
        let wrong = Profile::from_json(r#"{"people": {"create": {"refused": "bounce"}}}"#)
            .unwrap_err()
            .to_string();
        assert!(wrong.contains("people.create.refused"), "{wrong}");
    }
}
