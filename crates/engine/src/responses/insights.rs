//! Insights: how often the templates a person manages are used — per template, per agent
//! and per week, the templates nobody used in 90 days, and the most used in each project.
//!
//! Counts only, never content. A person sees the figures of the templates they may
//! administer and nothing else: a Jira administrator those of every shared template, a
//! project administrator those of their projects' templates, and everyone their own
//! personal templates. Another person's personal template is never administered by anyone
//! but its owner (a Jira administrator may only delete it, unseen), so its name and figures
//! reach nobody else. Counts of deleted templates are left out: nothing can name them.

use std::collections::{BTreeMap, HashMap, HashSet};

use postroom_core::canned::{Access, Scope, Template};
use postroom_core::ports::tracker::Tracker;
use postroom_store::usage::WeekOfUse;

use super::{Responses, ResponsesError};

/// A template is unused when nobody inserted or posted it for this long.
pub const UNUSED_AFTER_MS: i64 = 90 * 86_400_000;

/// Times inserted into a reply and times posted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub inserted: i64,
    pub posted: i64,
}

impl Counts {
    fn add(&mut self, week: &WeekOfUse) {
        self.inserted += week.inserted;
        self.posted += week.posted;
    }

    /// Inserts and posts together: what the rankings order by.
    pub fn uses(self) -> i64 {
        self.inserted + self.posted
    }
}

/// One template's use over the kept year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateUse {
    pub template: Template,
    pub counts: Counts,
}

/// The most used template of one project (scoped to it) over the kept year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectTop {
    pub project: String,
    pub template_id: String,
    pub name: String,
    pub counts: Counts,
}

/// What the caller may see of the use of the templates they administer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Insights {
    /// Every template the caller administers, most used first.
    pub templates: Vec<TemplateUse>,
    /// Per agent (Jira account id), most active first.
    pub agents: Vec<(String, Counts)>,
    /// Per week (its Monday, Unix ms), newest first.
    pub weeks: Vec<(i64, Counts)>,
    /// Templates older than 90 days that nobody used in the last 90 days, oldest use first.
    pub unused: Vec<Template>,
    /// Per project key, its most used template.
    pub top_by_project: Vec<ProjectTop>,
}

impl<T: Tracker> Responses<'_, T> {
    /// The Insights of the templates the caller administers, from the tenant's weekly
    /// counts `weeks`; agents and weeks narrowed to template `only` when given (one the
    /// caller administers, else `NotFound`).
    pub async fn insights(
        &self,
        weeks: &[WeekOfUse],
        only: Option<&str>,
        now_ms: i64,
    ) -> Result<Insights, ResponsesError> {
        let managed: Vec<Template> = self
            .list()
            .await?
            .into_iter()
            .filter(|v| v.access == Access::Administer)
            .map(|v| v.template)
            .collect();
        if let Some(id) = only
            && !managed.iter().any(|t| t.id == id)
        {
            return Err(ResponsesError::NotFound(id.to_owned()));
        }
        Ok(aggregate(managed, weeks, only, now_ms))
    }
}

/// The Insights of `managed` templates from the weekly counts: rows of other templates
/// are never looked at.
pub fn aggregate(
    managed: Vec<Template>,
    weeks: &[WeekOfUse],
    only: Option<&str>,
    now_ms: i64,
) -> Insights {
    let mut per_template: HashMap<&str, Counts> = HashMap::new();
    let mut per_agent: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut per_week: BTreeMap<i64, Counts> = BTreeMap::new();
    let mut recent: HashSet<&str> = HashSet::new();
    let recent_from = postroom_core::usage::week_start(now_ms - UNUSED_AFTER_MS);
    let ids: HashSet<&str> = managed.iter().map(|t| t.id.as_str()).collect();
    for week in weeks {
        if !ids.contains(week.template_id.as_str()) {
            continue;
        }
        per_template
            .entry(week.template_id.as_str())
            .or_default()
            .add(week);
        if week.week_ms >= recent_from && week.inserted + week.posted > 0 {
            recent.insert(week.template_id.as_str());
        }
        if only.is_none_or(|id| id == week.template_id) {
            per_agent
                .entry(week.account_id.as_str())
                .or_default()
                .add(week);
            per_week.entry(week.week_ms).or_default().add(week);
        }
    }
    let counts_of = |t: &Template| per_template.get(t.id.as_str()).copied().unwrap_or_default();
    let cutoff = now_ms - UNUSED_AFTER_MS;
    let mut unused: Vec<Template> = managed
        .iter()
        .filter(|t| {
            t.created_ms <= cutoff
                && t.last_used_ms.is_none_or(|at| at < cutoff)
                && !recent.contains(t.id.as_str())
        })
        .cloned()
        .collect();
    unused.sort_by(|a, b| {
        a.last_used_ms
            .cmp(&b.last_used_ms)
            .then(a.draft.name.cmp(&b.draft.name))
    });
    let mut top: BTreeMap<&str, ProjectTop> = BTreeMap::new();
    for template in &managed {
        let Scope::Projects(keys) = &template.draft.scope else {
            continue;
        };
        let counts = counts_of(template);
        if counts.uses() == 0 {
            continue;
        }
        for key in keys {
            let better = top
                .get(key.as_str())
                .is_none_or(|best| counts.uses() > best.counts.uses());
            if better {
                top.insert(
                    key.as_str(),
                    ProjectTop {
                        project: key.clone(),
                        template_id: template.id.clone(),
                        name: template.draft.name.clone(),
                        counts,
                    },
                );
            }
        }
    }
    let mut templates: Vec<TemplateUse> = managed
        .iter()
        .map(|t| TemplateUse {
            template: t.clone(),
            counts: counts_of(t),
        })
        .collect();
    templates.sort_by(|a, b| {
        b.counts
            .uses()
            .cmp(&a.counts.uses())
            .then(a.template.draft.name.cmp(&b.template.draft.name))
    });
    let mut agents: Vec<(String, Counts)> = per_agent
        .into_iter()
        .map(|(a, c)| (a.to_owned(), c))
        .collect();
    agents.sort_by(|a, b| b.1.uses().cmp(&a.1.uses()).then(a.0.cmp(&b.0)));
    Insights {
        templates,
        agents,
        weeks: per_week.into_iter().rev().collect(),
        unused,
        top_by_project: top.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use postroom_core::canned::Draft;

    const DAY: i64 = 86_400_000;
    const NOW: i64 = 400 * DAY;

    fn template(id: &str, scope: Scope, created_ms: i64, last_used_ms: Option<i64>) -> Template {
        Template {
            id: id.into(),
            draft: Draft {
                name: format!("name {id}"),
                body: "x".into(),
                description: String::new(),
                folder: None,
                tags: vec![],
                scope,
            },
            owner: "owner".into(),
            created_ms,
            updated_ms: created_ms,
            usage_count: 0,
            last_used_ms,
        }
    }

    fn week(
        week_ms: i64,
        template_id: &str,
        account_id: &str,
        inserted: i64,
        posted: i64,
    ) -> WeekOfUse {
        WeekOfUse {
            week_ms,
            template_id: template_id.into(),
            account_id: account_id.into(),
            inserted,
            posted,
        }
    }

    #[test]
    fn counts_only_the_managed_templates_per_template_agent_and_week() {
        let managed = vec![
            template("a", Scope::Projects(vec!["SUP".into()]), 0, None),
            template(
                "b",
                Scope::Projects(vec!["SUP".into(), "OPS".into()]),
                0,
                None,
            ),
        ];
        let w1 = postroom_core::usage::week_start(NOW - 7 * DAY);
        let w2 = postroom_core::usage::week_start(NOW);
        let weeks = [
            week(w2, "a", "ann", 2, 1),
            week(w2, "b", "bob", 0, 1),
            week(w1, "a", "bob", 1, 0),
            week(w2, "someone's personal", "eve", 50, 50),
        ];
        let got = aggregate(managed, &weeks, None, NOW);
        let per_template: Vec<(&str, i64, i64)> = got
            .templates
            .iter()
            .map(|t| (t.template.id.as_str(), t.counts.inserted, t.counts.posted))
            .collect();
        assert_eq!(per_template, [("a", 3, 1), ("b", 0, 1)]);
        let agents: Vec<(&str, i64)> = got
            .agents
            .iter()
            .map(|(a, c)| (a.as_str(), c.uses()))
            .collect();
        assert_eq!(
            agents,
            [("ann", 3), ("bob", 2)],
            "eve used no managed template"
        );
        let weeks: Vec<(i64, i64)> = got.weeks.iter().map(|(w, c)| (*w, c.uses())).collect();
        assert_eq!(weeks, [(w2, 4), (w1, 1)]);
        let top: Vec<(&str, &str)> = got
            .top_by_project
            .iter()
            .map(|p| (p.project.as_str(), p.template_id.as_str()))
            .collect();
        assert_eq!(top, [("OPS", "b"), ("SUP", "a")]);
    }

    #[test]
    fn one_template_narrows_agents_and_weeks_but_not_the_totals() {
        let managed = vec![
            template("a", Scope::Global, 0, None),
            template("b", Scope::Global, 0, None),
        ];
        let w = postroom_core::usage::week_start(NOW);
        let weeks = [week(w, "a", "ann", 1, 0), week(w, "b", "bob", 0, 4)];
        let got = aggregate(managed, &weeks, Some("a"), NOW);
        assert_eq!(got.agents.len(), 1);
        assert_eq!(got.agents[0].0, "ann");
        assert_eq!(
            got.weeks,
            [(
                w,
                Counts {
                    inserted: 1,
                    posted: 0
                }
            )]
        );
        assert_eq!(got.templates.len(), 2);
    }

    #[test]
    fn unused_are_old_templates_without_a_use_in_90_days() {
        let managed = vec![
            template("never", Scope::Global, 0, None),
            template("long ago", Scope::Global, 0, Some(NOW - 200 * DAY)),
            template("lately", Scope::Global, 0, Some(NOW - 10 * DAY)),
            template("new", Scope::Global, NOW - 5 * DAY, None),
            template("inserted only", Scope::Global, 0, None),
        ];
        let weeks = [week(
            postroom_core::usage::week_start(NOW - 3 * DAY),
            "inserted only",
            "ann",
            1,
            0,
        )];
        let got = aggregate(managed, &weeks, None, NOW);
        let unused: Vec<&str> = got.unused.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(unused, ["never", "long ago"]);
    }
}
