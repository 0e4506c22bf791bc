//! The caller's access to every template of a prepared copy, decided once per distinct
//! scope instead of once per template.
//!
//! A site's 10,000 templates share a handful of scopes (global, a few projects, a few
//! groups, personal), and access depends only on the scope and on whether the caller owns
//! the template (`postroom_core::canned::access`). So a search decides each distinct scope
//! twice (owner or not) per request, and checking a match is two array reads. The decisions
//! are those of `access`, made with this request's facts: nothing is kept between requests.

use std::collections::HashMap;

use postroom_core::canned::{Access, CallerFacts, Scope, Template, access};

/// Which distinct scope and owner each template has (built with the prepared copy).
#[derive(Debug, Default)]
pub struct ScopeClasses {
    scopes: Vec<Scope>,
    owners: Vec<String>,
    /// Per template: (index into `scopes`, index into `owners`).
    of: Vec<(u32, u32)>,
}

/// One request's decisions: per distinct scope, the access of a non-owner and of the
/// owner, and whether it fits the project.
#[derive(Debug)]
pub struct Decided<'a> {
    classes: &'a ScopeClasses,
    access: Vec<[Access; 2]>,
    fits: Vec<bool>,
    caller: Option<u32>,
}

impl ScopeClasses {
    /// The classes of `templates`, in their order.
    pub fn new(templates: &[Template]) -> Self {
        let mut classes = Self::default();
        let mut scope_ids: HashMap<&Scope, u32> = HashMap::new();
        let mut owner_ids: HashMap<&str, u32> = HashMap::new();
        for t in templates {
            let scope = *scope_ids.entry(&t.draft.scope).or_insert_with(|| {
                classes.scopes.push(t.draft.scope.clone());
                index(classes.scopes.len() - 1)
            });
            let owner = *owner_ids.entry(t.owner.as_str()).or_insert_with(|| {
                classes.owners.push(t.owner.clone());
                index(classes.owners.len() - 1)
            });
            classes.of.push((scope, owner));
        }
        classes
    }

    /// The caller's access to each class, and which fit `project` (project templates of
    /// other projects do not; everything fits when no project is given).
    pub fn decide(&self, facts: &CallerFacts, project: Option<&str>) -> Decided<'_> {
        let access = self
            .scopes
            .iter()
            .map(|scope| {
                // `access` compares the owner with the caller; an empty owner is no one's.
                [
                    access(scope, "", facts),
                    access(scope, &facts.account_id, facts),
                ]
            })
            .collect();
        let fits = self
            .scopes
            .iter()
            .map(|scope| match (scope, project) {
                (Scope::Projects(keys), Some(project)) => keys.iter().any(|k| k == project),
                _ => true,
            })
            .collect();
        let caller = self
            .owners
            .iter()
            .position(|o| !o.is_empty() && *o == facts.account_id)
            .map(index);
        Decided {
            classes: self,
            access,
            fits,
            caller,
        }
    }
}

impl Decided<'_> {
    /// The caller's access to the template at `position`.
    pub fn access(&self, position: usize) -> Access {
        match self.classes.of.get(position) {
            Some(&(scope, owner)) => {
                self.access[scope as usize][usize::from(Some(owner) == self.caller)]
            }
            None => Access::Invisible,
        }
    }

    /// Whether the template at `position` may be offered: visible to the caller and
    /// fitting the project.
    pub fn offers(&self, position: usize) -> bool {
        self.classes
            .of
            .get(position)
            .is_some_and(|&(scope, _)| self.fits[scope as usize])
            && self.access(position).visible()
    }
}

fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use postroom_core::canned::{Draft, ProjectFacts};

    use super::*;

    fn template(scope: Scope, owner: &str) -> Template {
        Template {
            id: String::new(),
            draft: Draft {
                name: String::new(),
                body: String::new(),
                description: String::new(),
                folder: None,
                tags: Vec::new(),
                scope,
            },
            owner: owner.to_owned(),
            created_ms: 0,
            updated_ms: 0,
            usage_count: 0,
            last_used_ms: None,
        }
    }

    #[test]
    fn decisions_per_class_equal_those_per_template() {
        let scopes = [
            Scope::Personal,
            Scope::Global,
            Scope::Projects(vec!["SUP".into()]),
            Scope::Projects(vec!["OPS".into(), "SUP".into()]),
            Scope::Projects(vec!["OPS".into()]),
            Scope::Groups(vec!["tier-2".into()]),
            Scope::Groups(vec!["billing".into()]),
        ];
        let owners = ["me", "someone", ""];
        let templates: Vec<Template> = scopes
            .iter()
            .flat_map(|s| owners.iter().map(|o| template(s.clone(), o)))
            .collect();
        let classes = ScopeClasses::new(&templates);
        let mut member = CallerFacts {
            account_id: "me".into(),
            ..CallerFacts::default()
        };
        member.groups.insert("tier-2".into());
        member.projects.insert(
            "SUP".into(),
            ProjectFacts {
                member: true,
                ..ProjectFacts::default()
            },
        );
        let admin = CallerFacts {
            account_id: "someone".into(),
            jira_admin: true,
            ..CallerFacts::default()
        };
        let nobody = CallerFacts::default();
        for facts in [&member, &admin, &nobody] {
            for project in [None, Some("SUP"), Some("OPS")] {
                let decided = classes.decide(facts, project);
                for (i, t) in templates.iter().enumerate() {
                    let expected = access(&t.draft.scope, &t.owner, facts);
                    assert_eq!(decided.access(i), expected, "{t:?} for {facts:?}");
                    let fits = match (&t.draft.scope, project) {
                        (Scope::Projects(keys), Some(p)) => keys.iter().any(|k| k == p),
                        _ => true,
                    };
                    assert_eq!(decided.offers(i), fits && expected.visible(), "{t:?}");
                }
                assert_eq!(decided.access(templates.len()), Access::Invisible);
            }
        }
    }
}
