//! JSON representations of site records, in the shapes Jira's REST API returns.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use crate::app::App;
use crate::richtext::{ApiVersion, render};
use crate::state::Site;
use crate::state::model::{Attachment, Comment, Issue, User};
use crate::time::format_jira;

/// Which fields of an issue to include (`fields=` parameter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldSelection {
    /// Every field (`*all`, or `*navigable`, which the sandbox treats alike).
    All,
    /// Only these field ids; `-id` entries of the request are removed from `All`.
    Some(BTreeSet<String>),
    /// No fields (the `/search/jql` default).
    None,
}

impl FieldSelection {
    /// Parses Jira's `fields` list: ids, `*all`, `*navigable`, and `-id` exclusions.
    pub fn parse<'a>(
        items: impl IntoIterator<Item = &'a str>,
        default: FieldSelection,
    ) -> FieldSelection {
        let items: Vec<&str> = items
            .into_iter()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        if items.is_empty() {
            return default;
        }
        let all = items.iter().any(|i| matches!(*i, "*all" | "*navigable"));
        if all {
            let excluded: BTreeSet<String> = items
                .iter()
                .filter_map(|i| i.strip_prefix('-'))
                .map(str::to_owned)
                .collect();
            if excluded.is_empty() {
                return FieldSelection::All;
            }
            let every = ALL_FIELDS.iter().map(|f| (*f).to_owned());
            return FieldSelection::Some(every.filter(|f| !excluded.contains(f)).collect());
        }
        FieldSelection::Some(
            items
                .iter()
                .filter(|i| !i.starts_with('-'))
                .map(|i| (*i).to_owned())
                .collect(),
        )
    }

    fn wants(&self, field: &str) -> bool {
        match self {
            FieldSelection::All => true,
            FieldSelection::Some(set) => set.contains(field),
            FieldSelection::None => false,
        }
    }
}

const ALL_FIELDS: &[&str] = &[
    "summary",
    "description",
    "issuetype",
    "project",
    "status",
    "priority",
    "labels",
    "creator",
    "reporter",
    "assignee",
    "created",
    "updated",
    "resolution",
    "resolutiondate",
    "comment",
    "watches",
    "attachment",
    "issuelinks",
    "customfield_10050",
];

/// A user, with `emailAddress` only when the site shows addresses.
pub fn user(app: &App, version: ApiVersion, u: &User) -> Value {
    let avatar = format!("{}/_sandbox/avatar.png", app.base_url);
    let mut body = json!({
        "self": app.api_url(version, &format!("user?accountId={}", u.account_id)),
        "accountId": u.account_id,
        "accountType": u.account_type,
        "displayName": u.display_name,
        "active": u.active,
        "timeZone": "Etc/UTC",
        "avatarUrls": {"48x48": avatar, "24x24": avatar, "16x16": avatar, "32x32": avatar},
    });
    if app.config.show_email_addresses {
        body["emailAddress"] = json!(u.email);
    }
    body
}

/// A user by account id, or `null` if unknown.
pub fn user_ref(app: &App, site: &Site, version: ApiVersion, account_id: Option<&str>) -> Value {
    account_id
        .and_then(|id| site.user(id))
        .map_or(Value::Null, |u| user(app, version, u))
}

/// Whether `viewer` may read a comment with a visibility restriction.
pub fn can_see(site: &Site, viewer: &str, comment: &Comment) -> bool {
    comment.visibility.as_ref().is_none_or(|v| {
        site.is_member(viewer, &v.kind, &v.value) || site.user(viewer).is_some_and(|u| u.site_admin)
    })
}

/// A comment.
pub fn comment(
    app: &App,
    site: &Site,
    version: ApiVersion,
    issue: &Issue,
    c: &Comment,
    properties: bool,
) -> Value {
    let mut body = json!({
        "self": app.api_url(version, &format!("issue/{}/comment/{}", issue.id, c.id)),
        "id": c.id.to_string(),
        "author": user_ref(app, site, version, Some(&c.author)),
        "body": render(&c.body, version),
        "updateAuthor": user_ref(app, site, version, Some(&c.update_author)),
        "created": format_jira(c.created),
        "updated": format_jira(c.updated),
        "jsdPublic": c.jsd_public(),
    });
    if let Some(v) = &c.visibility {
        body["visibility"] = json!({"type": v.kind, "value": v.value, "identifier": v.value});
    }
    if properties {
        let list: Vec<Value> = c
            .properties
            .iter()
            .map(|(k, v)| json!({"key": k, "value": v}))
            .collect();
        body["properties"] = json!(list);
    }
    body
}

/// An attachment's metadata.
pub fn attachment(app: &App, site: &Site, version: ApiVersion, a: &Attachment) -> Value {
    json!({
        "self": app.api_url(version, &format!("attachment/{}", a.id)),
        "id": a.id.to_string(),
        "filename": a.filename,
        "author": user_ref(app, site, version, Some(&a.author)),
        "created": format_jira(a.created),
        "size": a.size,
        "mimeType": a.mime_type,
        "content": app.api_url(version, &format!("attachment/content/{}", a.id)),
    })
}

fn status(app: &App, site: &Site, version: ApiVersion, id: &str) -> Value {
    let Some(s) = site.status(id) else {
        return Value::Null;
    };
    let (cat_id, color, cat_name) = match s.category.as_str() {
        "new" => (2, "blue-gray", "To Do"),
        "done" => (3, "green", "Done"),
        _ => (4, "yellow", "In Progress"),
    };
    json!({
        "self": app.api_url(version, &format!("status/{}", s.id)),
        "id": s.id, "name": s.name, "description": "",
        "iconUrl": format!("{}/_sandbox/status.png", app.base_url),
        "statusCategory": {
            "self": app.api_url(version, &format!("statuscategory/{cat_id}")),
            "id": cat_id, "key": s.category, "colorName": color, "name": cat_name,
        },
    })
}

/// An issue type of a project.
pub fn issue_type(app: &App, version: ApiVersion, id: &str, name: &str) -> Value {
    json!({
        "self": app.api_url(version, &format!("issuetype/{id}")),
        "id": id, "name": name, "description": "", "subtask": false, "hierarchyLevel": 0,
        "iconUrl": format!("{}/_sandbox/issuetype.png", app.base_url),
    })
}

/// A project reference as embedded in an issue.
pub fn project_ref(app: &App, site: &Site, version: ApiVersion, key: &str) -> Value {
    let Some(p) = site.project(key) else {
        return Value::Null;
    };
    json!({
        "self": app.api_url(version, &format!("project/{}", p.id)),
        "id": p.id, "key": p.key, "name": p.name,
        "projectTypeKey": "service_desk", "simplified": false,
    })
}

/// An issue with the selected fields; `properties` lists entity property keys to include.
pub fn issue(
    app: &App,
    site: &Site,
    version: ApiVersion,
    viewer: &str,
    i: &Issue,
    fields: &FieldSelection,
    properties: &[String],
) -> Value {
    let mut f = Map::new();
    let mut put = |name: &str, value: Value| {
        if fields.wants(name) {
            f.insert(name.to_owned(), value);
        }
    };
    put("summary", json!(i.summary));
    put(
        "description",
        i.description
            .as_ref()
            .map_or(Value::Null, |d| render(d, version)),
    );
    let type_name = site
        .project(&i.project)
        .and_then(|p| p.issue_types.iter().find(|t| t.id == i.issue_type))
        .map(|t| t.name.clone())
        .unwrap_or_default();
    put(
        "issuetype",
        issue_type(app, version, &i.issue_type, &type_name),
    );
    put("project", project_ref(app, site, version, &i.project));
    put("status", status(app, site, version, &i.status));
    put(
        "priority",
        site.priority(&i.priority).map_or(Value::Null, |p| {
            json!({
        "self": app.api_url(version, &format!("priority/{}", p.id)), "id": p.id, "name": p.name,
        "iconUrl": format!("{}/_sandbox/priority.png", app.base_url)})
        }),
    );
    put("labels", json!(i.labels));
    put("creator", user_ref(app, site, version, Some(&i.creator)));
    put("reporter", user_ref(app, site, version, Some(&i.reporter)));
    put(
        "assignee",
        user_ref(app, site, version, i.assignee.as_deref()),
    );
    put("created", json!(format_jira(i.created)));
    put("updated", json!(format_jira(i.updated)));
    put("resolution", i.resolved.map_or(Value::Null, |_| json!({"id": "10000", "name": "Done", "description": "", "self": app.api_url(version, "resolution/10000")})));
    put(
        "resolutiondate",
        i.resolved.map_or(Value::Null, |t| json!(format_jira(t))),
    );
    let visible: Vec<Value> = i
        .comments
        .iter()
        .filter(|c| can_see(site, viewer, c))
        .map(|c| comment(app, site, version, i, c, false))
        .collect();
    let total = visible.len();
    put(
        "comment",
        json!({"comments": visible, "self": app.api_url(version, &format!("issue/{}/comment", i.id)), "maxResults": total, "total": total, "startAt": 0}),
    );
    put(
        "watches",
        json!({"self": app.api_url(version, &format!("issue/{}/watchers", i.key)), "watchCount": i.watchers.len(), "isWatching": i.watchers.iter().any(|w| w == viewer)}),
    );
    put(
        "attachment",
        json!(
            site.attachments
                .values()
                .filter(|a| a.issue_id == i.id)
                .map(|a| attachment(app, site, version, a))
                .collect::<Vec<_>>()
        ),
    );
    put(
        "issuelinks",
        json!(crate::routes::links::links_of(app, site, version, i.id)),
    );
    for cf in &site.custom_fields {
        put(&cf.id, i.custom.get(&cf.id).cloned().unwrap_or(Value::Null));
    }
    let mut body = json!({
        "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
        "id": i.id.to_string(),
        "self": app.api_url(version, &format!("issue/{}", i.id)),
        "key": i.key,
    });
    if *fields != FieldSelection::None {
        body["fields"] = Value::Object(f);
    }
    if !properties.is_empty() {
        let props: Map<String, Value> = i
            .properties
            .iter()
            .filter(|(k, _)| properties.iter().any(|p| p == *k || p == "*all"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        body["properties"] = Value::Object(props);
    }
    body
}
