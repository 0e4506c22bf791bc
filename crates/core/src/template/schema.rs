//! The variable names a kind of template may use, for validation at save time.

use std::collections::BTreeSet;

/// Known variable paths (`today`, `reporter.first_name`, `issue.fields.customfield_10050`).
///
/// A name the template uses is known when it is a listed path, a parent of one (`issue`,
/// `issue.project`), or below one (`reporter.first_name.upper` below `reporter.first_name`),
/// so that only names the context can never have are reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    paths: BTreeSet<String>,
}

impl Schema {
    /// A schema of the given dotted paths.
    pub fn new(paths: impl IntoIterator<Item = String>) -> Self {
        Self {
            paths: paths.into_iter().collect(),
        }
    }

    /// This schema and `more` paths: the issue variables plus those of one kind of mail.
    pub fn with(mut self, more: impl IntoIterator<Item = String>) -> Self {
        self.paths.extend(more);
        self
    }

    /// The listed paths, sorted: what an editor offers to insert.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }

    /// True when a template may use `path`.
    pub fn knows(&self, path: &str) -> bool {
        if self.paths.contains(path) {
            return true;
        }
        let parent_of = format!("{path}.");
        if self
            .paths
            .range(parent_of.clone()..)
            .next()
            .is_some_and(|p| p.starts_with(&parent_of))
        {
            return true;
        }
        path.match_indices('.')
            .any(|(at, _)| self.paths.contains(&path[..at]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Schema {
        Schema::new(
            [
                "issue.key",
                "issue.project.name",
                "reporter.first_name",
                "today",
            ]
            .map(str::to_owned),
        )
    }

    #[test]
    fn listed_paths_their_parents_and_children_are_known() {
        let s = schema();
        for known in [
            "issue.key",
            "issue",
            "issue.project",
            "issue.project.name",
            "reporter",
            "reporter.first_name.upper",
            "today",
        ] {
            assert!(s.knows(known), "{known}");
        }
    }

    #[test]
    fn near_misses_are_unknown() {
        let s = schema();
        for unknown in [
            "issue.ke",
            "issue.keys",
            "issu",
            "issue.project.nam",
            "reporter.first",
            "todays",
            "",
            "assignee.display_name",
        ] {
            assert!(!s.knows(unknown), "{unknown}");
        }
        assert!(!Schema::default().knows("issue"));
    }
}
