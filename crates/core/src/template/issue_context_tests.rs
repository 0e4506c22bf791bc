use serde_json::json;

use super::*;
use crate::template::{Format, TemplateError, render, validate};

fn issue() -> Issue {
    let fields = json!({
        "summary": "Printer on fire",
        "status": {"name": "Waiting for support", "id": "3"},
        "priority": {"name": "High"},
        "issuetype": {"name": "Incident"},
        "resolution": null,
        "project": {"id": "10000", "key": "SUP", "name": "Support"},
        "duedate": "2026-11-30",
        "created": "2026-11-23T07:04:09.123+0100",
        "labels": ["printer", "floor-2"],
        "components": [{"name": "Hardware"}, {"name": "Office"}],
        "description": {"version": 1, "type": "doc", "content": [
            {"type": "paragraph", "content": [{"type": "text", "text": "It smokes."}]}]},
        "reporter": {"accountId": "u-1", "displayName": "Lovelace, Ada", "active": true},
        "assignee": null,
        "customfield_10050": {"value": "Gold", "id": "1"},
        "customfield_10051": {"value": "EU", "child": {"value": "Paris"}},
        "customfield_10052": 42,
        "customfield_10053": [{"accountId": "u-2", "displayName": "Grace Hopper"}],
        "customfield_10054": "",
        "customfield_10055": {"id": "7", "key": "SUP-1", "fields": {}},
        "customfield_10056": "same name A",
        "customfield_10057": "same name B"
    });
    Issue {
        id: "10012".to_owned(),
        key: "SUP-12".to_owned(),
        fields: fields.as_object().unwrap().clone(),
    }
}

fn site_fields() -> Vec<Field> {
    let field = |id: &str, name: &str| Field {
        id: id.to_owned(),
        name: name.to_owned(),
        custom: id.starts_with("customfield_"),
    };
    vec![
        field("summary", "Summary"),
        field("customfield_10050", "Customer Tier"),
        field("customfield_10051", "Region"),
        field("customfield_10052", "Seats"),
        field("customfield_10053", "Watchers"),
        field("customfield_10056", "Team"),
        field("customfield_10057", "Team"),
    ]
}

fn agent() -> User {
    User {
        account_id: "u-9".to_owned(),
        display_name: "Grace Hopper".to_owned(),
        email: Some("grace@example.test".to_owned()),
        active: true,
    }
}

fn render_issue(source: &str) -> crate::template::Rendered {
    let (issue, fields, agent) = (issue(), site_fields(), agent());
    let context = IssueContext {
        issue: &issue,
        fields: &fields,
        agent: &agent,
        today: CalendarDate::new(2026, 11, 23).unwrap(),
        site_url: "https://example.atlassian.net/",
    }
    .build();
    render(source, Format::Text, &context).unwrap()
}

#[test]
fn every_fixed_issue_variable_renders() {
    let out = render_issue(
        "{{ issue.key }}|{{ issue.id }}|{{ issue.summary }}|{{ issue.status }}|{{ issue.priority }}|\
         {{ issue.type }}|{{ issue.project.key }}|{{ issue.project.name }}|{{ issue.due_date }}|\
         {{ issue.created | date(\"%-d %b %H:%M\") }}|{{ issue.labels | join(\", \") }}|\
         {{ issue.components | join(\"+\") }}|{{ issue.description }}|{{ issue.link }}|{{ today }}",
    );
    assert_eq!(
        out.text,
        "SUP-12|10012|Printer on fire|Waiting for support|High|Incident|SUP|Support|2026-11-30|\
         23 Nov 07:04|printer, floor-2|Hardware+Office|It smokes.|\
         https://example.atlassian.net/browse/SUP-12|2026-11-23"
    );
    assert!(out.missing.is_empty(), "{:?}", out.missing);
}

#[test]
fn people_have_names_and_visible_emails_only() {
    let out = render_issue(
        "{{ reporter.display_name }}|{{ reporter.first_name }}|{{ reporter.account_id }}|\
         {{ reporter.email | default(\"hidden\") }}|{{ agent.first_name }} <{{ agent.email }}>|\
         {{ assignee.display_name | default(\"unassigned\") }}",
    );
    assert_eq!(
        out.text,
        "Lovelace, Ada|Ada|u-1|hidden|Grace <grace@example.test>|unassigned"
    );
    assert_eq!(out.missing, ["assignee.display_name", "reporter.email"]);
}

#[test]
fn custom_fields_by_id_and_by_unambiguous_name() {
    let out = render_issue(
        "{{ issue.fields.customfield_10050 }}|{{ issue.fields[\"Customer Tier\"] }}|\
         {{ issue.fields.Region }}|{{ issue.fields.Seats + 1 }}|{{ issue.fields.Watchers | join }}|\
         {{ issue.fields.customfield_10055 }}|{{ issue.fields.Summary }}|{{ issue.fields.Team }}|\
         {{ issue.fields.customfield_10054 }}{{ issue.resolution }}",
    );
    assert_eq!(
        out.text,
        "Gold|Gold|EU - Paris|43|Grace Hopper|SUP-1|Printer on fire||"
    );
    assert_eq!(
        out.missing,
        [
            "issue.fields.Team",
            "issue.fields.customfield_10054",
            "issue.resolution"
        ]
    );
}

#[test]
fn first_names_from_display_names() {
    assert_eq!(first_name("Ada Lovelace"), Some("Ada"));
    assert_eq!(first_name("Lovelace, Ada King"), Some("Ada"));
    assert_eq!(first_name("Plato"), Some("Plato"));
    assert_eq!(first_name("Trailing,"), Some("Trailing,"));
    assert_eq!(first_name("ada@example.test"), None);
    assert_eq!(first_name(""), None);
    assert_eq!(first_name("  "), None);
}

#[test]
fn data_center_users_are_read_by_name() {
    let person = person_from_json(Some(&json!({"name": "ada", "key": "JIRAUSER1",
        "displayName": "Ada Lovelace", "emailAddress": "ada@example.test"})));
    assert_eq!(
        person,
        json!({"account_id": "ada", "display_name": "Ada Lovelace", "first_name": "Ada",
               "email": "ada@example.test"})
    );
    assert_eq!(
        person_from_json(Some(&json!({"displayName": "no id"}))),
        json!({})
    );
    assert_eq!(person_from_json(None), json!({}));
}

#[test]
fn the_schema_accepts_every_documented_variable_and_the_site_fields() {
    let schema = issue_schema(&site_fields());
    let all = "{{ issue.key }}{{ issue.id }}{{ issue.summary }}{{ issue.status }}{{ issue.priority }}\
        {{ issue.type }}{{ issue.resolution }}{{ issue.project.key }}{{ issue.project.name }}\
        {{ issue.due_date }}{{ issue.created }}{{ issue.updated }}{{ issue.labels }}\
        {{ issue.components }}{{ issue.description }}{{ issue.link }}{{ today }}\
        {{ reporter.display_name }}{{ reporter.first_name }}{{ reporter.email }}\
        {{ assignee.account_id }}{{ agent.display_name }}\
        {{ issue.fields.customfield_10050 }}{{ issue.fields.Region }}{{ issue.fields[\"Customer Tier\"] }}";
    assert_eq!(validate(all, &schema), Ok(()));
    let err = validate(
        "{{ issue.fields.customfield_99999 }}{{ reporter.phone }}{{ issue.fields.Team }}",
        &schema,
    )
    .unwrap_err();
    let TemplateError::UnknownVariables(unknown) = err else {
        panic!("{err}");
    };
    let names: Vec<&str> = unknown.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "issue.fields.Team",
            "issue.fields.customfield_99999",
            "reporter.phone"
        ]
    );
}

#[test]
fn without_a_field_list_any_field_is_accepted() {
    assert_eq!(
        validate("{{ issue.fields.customfield_99999 }}", &issue_schema(&[])),
        Ok(())
    );
}
