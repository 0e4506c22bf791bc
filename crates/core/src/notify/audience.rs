//! Who is told of one event: the people the rules name, minus the one who caused it,
//! minus postroom's own addresses and those a restricted comment must not reach, each
//! once, up to the cap.
//!
//! Pure: the engine looks the people up in Jira (and the suppression list) and hands them
//! in; this module decides, and says for each person left out why.

use std::collections::HashSet;

use super::event::Restriction;

/// Where a person came from, which decides what a restricted comment may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    Reporter,
    /// An e-mail-only participant from the participants field.
    Participant,
    Watcher,
    Assignee,
    /// A member of a `group:` of the rule.
    GroupMember,
    /// A fixed `address:` of the rule.
    Fixed,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "reporter",
            Self::Participant => "participant",
            Self::Watcher => "watcher",
            Self::Assignee => "assignee",
            Self::GroupMember => "group member",
            Self::Fixed => "fixed address",
        }
    }
}

/// A person a rule names, as far as Jira told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// `None` when Jira hides the address.
    pub address: Option<String>,
    pub name: Option<String>,
    /// The Jira account, for people who have one.
    pub account_id: Option<String>,
    pub source: Source,
    /// The rule (index) that named them: its templates write their mail.
    pub rule: usize,
    /// For restricted comments: whether Jira says they belong to the group or role.
    pub may_read_restricted: bool,
}

/// Why a person is not told.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOut {
    /// Jira hides their address.
    NoAddress,
    /// They caused the event.
    Actor,
    /// One of postroom's own addresses.
    Own,
    /// The comment is restricted and they are outside the restriction.
    Restricted,
    /// More people than `max_recipients`.
    OverCap,
}

impl LeftOut {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoAddress => "Jira hides their e-mail address",
            Self::Actor => "they caused the event",
            Self::Own => "postroom's own address",
            Self::Restricted => "the comment is restricted and they are outside it",
            Self::OverCap => "over notifications.max_recipients",
        }
    }
}

/// Who caused the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Option<String>,
    pub address: Option<String>,
}

/// The decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chosen {
    /// The people to tell, each address once, in the order the rules named them.
    pub to: Vec<Person>,
    /// The people left out, with why (a duplicate is not listed: it is told once).
    pub left_out: Vec<(Person, LeftOut)>,
}

/// Whether `person` may read a comment under `restriction`. An internal comment reaches
/// agents only: the assignee, watchers and members of a rule's groups with Jira accounts,
/// never the reporter (on a service project, the customer) or e-mail-only participants. A group or role
/// restriction reaches the Jira users inside it, as Jira answered.
fn may_read(person: &Person, restriction: &Restriction) -> bool {
    match restriction {
        Restriction::Public => true,
        Restriction::Internal => {
            person.account_id.is_some()
                && matches!(
                    person.source,
                    Source::Assignee | Source::Watcher | Source::GroupMember
                )
        }
        Restriction::Group(_) | Restriction::Role(_) => {
            person.account_id.is_some() && person.may_read_restricted
        }
    }
}

/// Chooses the recipients among `people` (in rule order). `own` are postroom's own
/// addresses, lower-cased.
pub fn choose(
    people: Vec<Person>,
    actor: &Actor,
    restriction: &Restriction,
    own: &[String],
    cap: usize,
) -> Chosen {
    let mut chosen = Chosen::default();
    let mut seen = HashSet::new();
    let actor_address = actor.address.as_ref().map(|a| a.to_ascii_lowercase());
    for person in people {
        let Some(address) = person
            .address
            .as_ref()
            .map(|a| a.trim().to_ascii_lowercase())
        else {
            chosen.left_out.push((person, LeftOut::NoAddress));
            continue;
        };
        let is_actor = (actor.account_id.is_some() && person.account_id == actor.account_id)
            || actor_address.as_deref() == Some(address.as_str());
        let why = if is_actor {
            Some(LeftOut::Actor)
        } else if own.contains(&address) {
            Some(LeftOut::Own)
        } else if !may_read(&person, restriction) {
            Some(LeftOut::Restricted)
        } else {
            None
        };
        if let Some(why) = why {
            chosen.left_out.push((person, why));
            continue;
        }
        if !seen.insert(address) {
            continue;
        }
        if chosen.to.len() >= cap {
            chosen.left_out.push((person, LeftOut::OverCap));
            continue;
        }
        chosen.to.push(person);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(address: &str, account: Option<&str>, source: Source) -> Person {
        Person {
            address: (!address.is_empty()).then(|| address.to_owned()),
            name: None,
            account_id: account.map(str::to_owned),
            source,
            rule: 0,
            may_read_restricted: false,
        }
    }

    fn addresses(chosen: &Chosen) -> Vec<&str> {
        chosen
            .to
            .iter()
            .filter_map(|p| p.address.as_deref())
            .collect()
    }

    fn everyone() -> Vec<Person> {
        vec![
            person("", Some("cust-1"), Source::Reporter),
            person("frank@customer.example", None, Source::Participant),
            person("Frank@Customer.example", None, Source::Participant),
            person("ada@acme.example", Some("agent-1"), Source::Assignee),
            person("bob@acme.example", Some("agent-2"), Source::Watcher),
            person("support@acme.example", None, Source::Participant),
            person("desk@acme.example", None, Source::Fixed),
        ]
    }

    #[test]
    fn a_public_comment_reaches_everyone_but_the_actor_once_each() {
        let actor = Actor {
            account_id: Some("agent-1".to_owned()),
            address: None,
        };
        let chosen = choose(
            everyone(),
            &actor,
            &Restriction::Public,
            &["support@acme.example".to_owned()],
            10,
        );
        assert_eq!(
            addresses(&chosen),
            vec![
                "frank@customer.example",
                "bob@acme.example",
                "desk@acme.example"
            ]
        );
        let why: Vec<LeftOut> = chosen.left_out.iter().map(|(_, w)| *w).collect();
        assert_eq!(why, vec![LeftOut::NoAddress, LeftOut::Actor, LeftOut::Own]);
    }

    #[test]
    fn the_actor_is_known_by_address_too() {
        let actor = Actor {
            account_id: None,
            address: Some("BOB@acme.example".to_owned()),
        };
        let chosen = choose(everyone(), &actor, &Restriction::Public, &[], 10);
        assert!(!addresses(&chosen).contains(&"bob@acme.example"));
    }

    #[test]
    fn an_internal_comment_reaches_agents_only() {
        let chosen = choose(
            everyone(),
            &Actor::default(),
            &Restriction::Internal,
            &[],
            10,
        );
        assert_eq!(
            addresses(&chosen),
            vec!["ada@acme.example", "bob@acme.example"]
        );
    }

    #[test]
    fn a_restricted_comment_reaches_only_those_jira_lets_in() {
        let mut people = everyone();
        people[4].may_read_restricted = true;
        // An e-mail-only person can never be inside a restriction, whatever is claimed.
        people[1].may_read_restricted = true;
        let chosen = choose(
            people,
            &Actor::default(),
            &Restriction::Group("staff".to_owned()),
            &[],
            10,
        );
        assert_eq!(addresses(&chosen), vec!["bob@acme.example"]);
    }

    #[test]
    fn the_cap_holds_and_says_who_was_left_out() {
        let chosen = choose(everyone(), &Actor::default(), &Restriction::Public, &[], 2);
        assert_eq!(chosen.to.len(), 2);
        assert!(chosen.left_out.iter().any(
            |(p, w)| *w == LeftOut::OverCap && p.address.as_deref() == Some("bob@acme.example")
        ));
    }

    #[test]
    fn nobody_named_means_nobody_told() {
        let chosen = choose(Vec::new(), &Actor::default(), &Restriction::Public, &[], 5);
        assert!(chosen.to.is_empty() && chosen.left_out.is_empty());
    }
}
