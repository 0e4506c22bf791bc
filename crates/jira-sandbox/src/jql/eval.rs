//! Evaluates a parsed query against the site.

use std::cmp::Ordering;

use serde_json::Value;

use super::JqlError;
use super::parse::{Clause, Expr, Field, Operand, parse};
use super::values::{date, text};
use crate::richtext::plain;
use crate::state::Site;
use crate::state::model::Issue;

/// Who searches, and when.
#[derive(Debug, Clone, Copy)]
pub struct SearchContext<'a> {
    /// The site.
    pub site: &'a Site,
    /// Account id that `currentUser()` stands for.
    pub account_id: &'a str,
    /// Current time, epoch ms.
    pub now_ms: i64,
    /// Issues created less than this long ago are not yet indexed.
    pub index_lag_ms: i64,
}

/// Runs `jql` and returns matching issue ids in result order.
pub fn search(jql: &str, ctx: &SearchContext<'_>) -> Result<Vec<u64>, JqlError> {
    let query = parse(jql)?;
    for item in &query.order {
        if !matches!(
            item.field.as_str(),
            "created" | "updated" | "key" | "issuekey" | "id"
        ) {
            return Err(JqlError::Unsupported(format!(
                "Field '{}' does not support sorting in the sandbox.",
                item.field
            )));
        }
    }
    if let Some(expr) = &query.expr {
        check(expr, ctx)?;
    }
    let mut hits: Vec<&Issue> = Vec::new();
    for issue in ctx.site.issues.values() {
        if issue.created + ctx.index_lag_ms > ctx.now_ms {
            continue;
        }
        let matched = match &query.expr {
            Some(expr) => eval(expr, issue, ctx)?,
            None => true,
        };
        if matched {
            hits.push(issue);
        }
    }
    hits.sort_by(|a, b| {
        for item in &query.order {
            let ord = match item.field.as_str() {
                "created" => a.created.cmp(&b.created),
                "updated" => a.updated.cmp(&b.updated),
                _ => a.id.cmp(&b.id),
            };
            let ord = if item.descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        // Ties (same millisecond) follow creation order in the direction asked for.
        let newest_first = query.order.first().is_none_or(|o| o.descending);
        if newest_first {
            b.id.cmp(&a.id)
        } else {
            a.id.cmp(&b.id)
        }
    });
    Ok(hits.into_iter().map(|i| i.id).collect())
}

/// Validates every clause once, so a bad query fails even when the site has no issues.
fn check(expr: &Expr, ctx: &SearchContext<'_>) -> Result<(), JqlError> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => check(a, ctx).and(check(b, ctx)),
        Expr::Clause(c) => clause(c, &probe(), ctx).map(|_| ()),
    }
}

/// An empty issue to run clause validation against.
fn probe() -> Issue {
    Issue {
        id: 0,
        key: String::new(),
        project: String::new(),
        issue_type: String::new(),
        summary: String::new(),
        description: None,
        status: String::new(),
        priority: String::new(),
        labels: Vec::new(),
        creator: String::new(),
        reporter: String::new(),
        assignee: None,
        created: 0,
        updated: 0,
        resolved: None,
        custom: Default::default(),
        properties: Default::default(),
        comments: Vec::new(),
        watchers: Vec::new(),
        participants: Vec::new(),
    }
}

fn eval(expr: &Expr, issue: &Issue, ctx: &SearchContext<'_>) -> Result<bool, JqlError> {
    match expr {
        Expr::And(a, b) => Ok(eval(a, issue, ctx)? && eval(b, issue, ctx)?),
        Expr::Or(a, b) => Ok(eval(a, issue, ctx)? || eval(b, issue, ctx)?),
        Expr::Clause(c) => clause(c, issue, ctx),
    }
}

pub(super) fn not_supported(op: &str, field: &str) -> JqlError {
    JqlError::Unknown(format!(
        "The operator '{op}' is not supported by the '{field}' field."
    ))
}

fn no_value(value: &str, field: &str) -> JqlError {
    JqlError::Unknown(format!(
        "The value '{value}' does not exist for the field '{field}'."
    ))
}

fn values(operand: &Operand) -> Vec<&str> {
    match operand {
        Operand::Value(v) | Operand::Function(v) => vec![v.as_str()],
        Operand::List(vs) => vs.iter().map(String::as_str).collect(),
    }
}

/// Equality-style clause (`=`, `!=`, `in`) given a resolver from operand to canonical value.
fn equality(
    c: &Clause,
    name: &str,
    actual: Option<&str>,
    resolve: impl Fn(&str) -> Option<String>,
) -> Result<bool, JqlError> {
    if !matches!(c.op, "=" | "!=" | "in") {
        return Err(not_supported(c.op, name));
    }
    let mut any = false;
    for v in values(&c.operand) {
        let wanted = resolve(v).ok_or_else(|| no_value(v, name))?;
        any |= actual.is_some_and(|a| a.eq_ignore_ascii_case(&wanted));
    }
    Ok(if c.op == "!=" { !any } else { any })
}

fn user_clause(
    c: &Clause,
    name: &str,
    actual: Option<&str>,
    ctx: &SearchContext<'_>,
) -> Result<bool, JqlError> {
    if let Operand::Function(f) = &c.operand
        && !f.eq_ignore_ascii_case("currentUser")
    {
        return Err(JqlError::Unsupported(format!(
            "Unable to find JQL function '{f}()'."
        )));
    }
    let resolve = |v: &str| {
        if matches!(c.operand, Operand::Function(_)) {
            return Some(ctx.account_id.to_owned());
        }
        let user = ctx.site.user(v).or_else(|| ctx.site.user_by_email(v))?;
        Some(user.account_id.clone())
    };
    equality(c, name, actual, resolve)
}

fn clause(c: &Clause, issue: &Issue, ctx: &SearchContext<'_>) -> Result<bool, JqlError> {
    let site = ctx.site;
    let name = match &c.field {
        Field::Property { key, path } => return property(c, key, path, issue, ctx),
        Field::Named(n) => n.as_str(),
    };
    if let Operand::Function(f) = &c.operand
        && !matches!(
            name.to_ascii_lowercase().as_str(),
            "creator" | "reporter" | "assignee"
        )
    {
        return Err(JqlError::Unsupported(format!(
            "Unable to find JQL function '{f}()' for field '{name}'."
        )));
    }
    match name.to_ascii_lowercase().as_str() {
        "project" => equality(c, name, Some(&issue.project), |v| {
            site.project(v).map(|p| p.key.clone()).or_else(|| {
                site.projects
                    .iter()
                    .find(|p| p.name.eq_ignore_ascii_case(v))
                    .map(|p| p.key.clone())
            })
        }),
        "key" | "issuekey" | "issue" | "id" => {
            if !matches!(c.op, "=" | "!=" | "in") {
                return Err(not_supported(c.op, name));
            }
            if let Some(v) = values(&c.operand)
                .into_iter()
                .find(|v| site.issue_id(v).is_none())
            {
                return Err(JqlError::Unknown(format!(
                    "An issue with key '{v}' does not exist for field '{name}'."
                )));
            }
            let actual = issue.id.to_string();
            equality(c, name, Some(&actual), |v| {
                site.issue_id(v).map(|id| id.to_string())
            })
        }
        "status" => equality(c, name, Some(&issue.status), |v| {
            site.statuses
                .iter()
                .find(|s| s.id == v || s.name.eq_ignore_ascii_case(v))
                .map(|s| s.id.clone())
        }),
        "issuetype" | "type" => equality(c, name, Some(&issue.issue_type), |v| {
            site.projects
                .iter()
                .flat_map(|p| &p.issue_types)
                .find(|t| t.id == v || t.name.eq_ignore_ascii_case(v))
                .map(|t| t.id.clone())
        }),
        "priority" => equality(c, name, Some(&issue.priority), |v| {
            site.priority(v).map(|p| p.id.clone())
        }),
        "labels" => {
            let mut any = false;
            for label in &issue.labels {
                any |= equality(c, name, Some(label), |v| Some(v.to_owned()))?;
            }
            Ok(any)
        }
        "creator" => user_clause(c, name, Some(&issue.creator), ctx),
        "reporter" => user_clause(c, name, Some(&issue.reporter), ctx),
        "assignee" => user_clause(c, name, issue.assignee.as_deref(), ctx),
        "created" | "createddate" => date(c, name, issue.created, ctx.now_ms),
        "updated" | "updateddate" => date(c, name, issue.updated, ctx.now_ms),
        "summary" => text(c, name, &issue.summary),
        "description" => text(
            c,
            name,
            &issue.description.as_ref().map(plain).unwrap_or_default(),
        ),
        "comment" => text(
            c,
            name,
            &issue
                .comments
                .iter()
                .map(|cm| plain(&cm.body))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        "text" => {
            let mut all = vec![issue.summary.clone()];
            all.extend(issue.description.as_ref().map(plain));
            all.extend(issue.comments.iter().map(|cm| plain(&cm.body)));
            text(c, name, &all.join("\n"))
        }
        _ => custom(c, name, issue, ctx),
    }
}

fn custom(
    c: &Clause,
    name: &str,
    issue: &Issue,
    ctx: &SearchContext<'_>,
) -> Result<bool, JqlError> {
    let lower = name.to_ascii_lowercase();
    let by_number = lower
        .strip_prefix("cf[")
        .and_then(|r| r.strip_suffix(']'))
        .map(|n| format!("customfield_{n}"));
    let field = ctx.site.custom_fields.iter().find(|f| {
        f.name.eq_ignore_ascii_case(name)
            || f.id == lower
            || by_number.as_deref() == Some(f.id.as_str())
    });
    let Some(field) = field else {
        return Err(JqlError::Unknown(format!(
            "Field '{name}' does not exist or you do not have permission to view it."
        )));
    };
    let value = issue
        .custom
        .get(&field.id)
        .and_then(Value::as_str)
        .unwrap_or("");
    text(c, name, value)
}

fn property(
    c: &Clause,
    key: &str,
    path: &str,
    issue: &Issue,
    ctx: &SearchContext<'_>,
) -> Result<bool, JqlError> {
    if !ctx.site.indexed_properties.iter().any(|k| k == key) {
        return Err(JqlError::Unknown(format!(
            "Field 'issue.property[{key}].{path}' does not exist or you do not have permission to view it."
        )));
    }
    let mut value = issue.properties.get(key);
    for step in path.split('.').filter(|s| !s.is_empty()) {
        value = value.and_then(|v| v.get(step));
    }
    let actual = value.map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    let label = format!("issue.property[{key}].{path}");
    equality(c, &label, actual.as_deref(), |v| Some(v.to_owned()))
}
