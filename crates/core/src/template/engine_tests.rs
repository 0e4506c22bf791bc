use serde_json::json;

use super::*;
use crate::template::limits;

fn context() -> RenderContext {
    let mut c = RenderContext::new();
    c.insert(
        "issue",
        json!({"key": "SUP-12", "summary": "Printer **on fire**", "due_date": "2026-11-30",
               "created": "2026-11-23T07:04:09.123+0100", "labels": ["a", "b"],
               "fields": {"customfield_1": "x", "Customer Tier": "Gold", "empty": null}}),
    );
    c.insert(
        "reporter",
        json!({"first_name": "Ada", "display_name": "Ada Lovelace"}),
    );
    c.insert("assignee", json!({}));
    c.insert("today", json!("2026-11-23"));
    c
}

fn text(source: &str) -> Result<Rendered, TemplateError> {
    render(source, Format::Text, &context())
}

fn schema() -> Schema {
    Schema::new(
        [
            "issue.key",
            "issue.summary",
            "reporter.first_name",
            "assignee.display_name",
            "today",
        ]
        .map(str::to_owned),
    )
}

#[test]
fn variables_conditionals_and_defaults_render() {
    let out = text(
        "Hi {{ reporter.first_name | default(\"there\") }},\n\
         {% if assignee.display_name %}{{ assignee.display_name }}{% else %}nobody{% endif %} has {{ issue.key }}.",
    )
    .unwrap();
    assert_eq!(out.text, "Hi Ada,\nnobody has SUP-12.");
    assert_eq!(out.missing, ["assignee.display_name"]);
}

#[test]
fn missing_values_are_reported_with_their_full_path() {
    let out = text(
        "{{ nothing }}{{ issue.nope }}{{ issue.fields.empty }}{{ issue.fields[\"No Such\"] }}\
         {{ reporter.email | default(\"?\") }}{{ nothing.deeper.still }}{{ issue.key }}",
    )
    .unwrap();
    assert_eq!(out.text, "?SUP-12");
    assert_eq!(
        out.missing,
        [
            "issue.fields.empty",
            "issue.fields[\"No Such\"]",
            "issue.nope",
            "nothing",
            "reporter.email"
        ]
    );
}

#[test]
fn globals_loop_variables_and_sets_are_not_missing() {
    let out = text(
        "{% set n = namespace(c=0) %}{% for l in issue.labels %}{{ loop.index }}{{ l }}{% set n.c = n.c + 1 %}{% endfor %}\
         {{ n.c }}{{ dict(a=1).a }}",
    )
    .unwrap();
    assert_eq!(out.text, "1a2b21");
    assert!(out.missing.is_empty(), "{:?}", out.missing);
}

#[test]
fn fields_answer_to_ids_and_names() {
    let out =
        text("{{ issue.fields.customfield_1 }}/{{ issue.fields[\"Customer Tier\"] }}").unwrap();
    assert_eq!(out.text, "x/Gold");
}

#[test]
fn markup_format_escapes_inserted_values_but_not_the_template() {
    let out = render(
        "**{{ issue.summary }}** {{ '<b>' | safe }}",
        Format::Markup,
        &context(),
    )
    .unwrap();
    assert_eq!(out.text, "**Printer \\*\\*on fire\\*\\*** <b>");
    let plain = text("{{ issue.summary }}").unwrap();
    assert_eq!(plain.text, "Printer **on fire**");
}

#[test]
fn date_filter_formats_dates_and_keeps_missing_values_missing() {
    let out = text(
        "{{ issue.due_date | date(\"%A %-d %B %Y\") }}|{{ today | date }}|{{ issue.created | date }}|\
         {{ issue.created | date(\"%H:%M %z\") }}|{{ issue.resolved | date(\"%d\") | default(\"open\") }}",
    )
    .unwrap();
    assert_eq!(
        out.text,
        "Monday 30 November 2026|2026-11-23|2026-11-23 07:04|07:04 +0100|open"
    );
}

#[test]
fn date_filter_errors_are_render_errors_with_a_line() {
    let err = text("ok\n{{ issue.summary | date }}").unwrap_err();
    assert!(
        matches!(err, TemplateError::Render { line: Some(2), .. }),
        "{err}"
    );
    assert!(err.to_string().contains("ISO 8601"), "{err}");
    let err = text("{{ today | date(\"%H\") }}").unwrap_err();
    assert!(err.to_string().contains("time of day"), "{err}");
    let err = text("{{ issue.labels | date }}").unwrap_err();
    assert!(err.to_string().contains("needs text"), "{err}");
}

#[test]
fn block_tags_on_their_own_lines_leave_no_blank_lines() {
    let out = text("a\n{% if true %}\nb\n{% endif %}\nc").unwrap();
    assert_eq!(out.text, "a\nb\nc");
}

#[test]
fn include_import_and_extends_are_refused_at_compile_time() {
    for (source, statement) in [
        ("x\n{% include \"secrets.txt\" %}", "include"),
        ("{% import \"m.j2\" as m %}", "import"),
        ("{% from \"m.j2\" import x %}", "from"),
        ("{% extends \"/etc/passwd\" %}", "extends"),
        ("{% block a %}{% endblock %}", "block"),
    ] {
        let err = Compiled::new(source, Format::Markup).unwrap_err();
        assert!(
            matches!(&err, TemplateError::Forbidden { statement: s, .. } if s == statement),
            "{source}: {err}"
        );
        assert!(validate(source, &schema()).is_err());
    }
    let err = Compiled::new("x\n{% include \"a\" %}", Format::Text).unwrap_err();
    assert_eq!(
        err,
        TemplateError::Forbidden {
            statement: "include".to_owned(),
            line: 2
        }
    );
}

#[test]
fn loops_that_never_end_run_out_of_fuel() {
    let err =
        text("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}")
            .unwrap_err();
    assert_eq!(err, TemplateError::TooMuchWork { line: Some(1) });
    let err = text("{% for i in range(999999999) %}x{% endfor %}").unwrap_err();
    assert!(
        matches!(&err, TemplateError::Render { message, .. } if message.contains("too many")),
        "{err}"
    );
}

#[test]
fn recursion_through_macros_is_bounded() {
    let err = text("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}").unwrap_err();
    assert!(matches!(err, TemplateError::TooDeep { .. }), "{err}");
    assert!(err.to_string().contains("nests too deeply"), "{err}");
    let shallow = text(
        "{% macro f(n) %}{% if n < 5 %}{{ n }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}",
    )
    .unwrap();
    assert_eq!(shallow.text, "01234");
}

#[test]
fn output_and_memory_blow_ups_are_refused() {
    let err = text("{% for i in range(10000) %}{{ 'x' * 50 }}{% endfor %}").unwrap_err();
    assert_eq!(err, TemplateError::OutputTooLarge);
    let err = text("{% set x = 'x' * 1000000000 %}{{ x | length }}").unwrap_err();
    assert!(matches!(err, TemplateError::TooMuchWork { .. }), "{err}");
    let err = text(
        "{% set n = namespace(s='xx') %}{% for i in range(64) %}{% set n.s = n.s ~ n.s %}{% endfor %}{{ n.s | length }}",
    )
    .unwrap_err();
    assert!(matches!(err, TemplateError::TooMuchWork { .. }), "{err}");
    let exactly = text(&"y".repeat(limits::MAX_OUTPUT_BYTES)).unwrap();
    assert_eq!(exactly.text.len(), limits::MAX_OUTPUT_BYTES);
}

#[test]
fn oversized_sources_are_refused_before_parsing() {
    let err = Compiled::new(&"a".repeat(limits::MAX_SOURCE_BYTES + 1), Format::Text).unwrap_err();
    assert_eq!(
        err,
        TemplateError::TooLong {
            len: limits::MAX_SOURCE_BYTES + 1
        }
    );
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let err = validate("Hello\n  {{ issue.key }\nbye", &schema()).unwrap_err();
    let TemplateError::Syntax { line, column, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(*line, 2);
    assert!(column.is_some_and(|c| c >= 3), "{err}");
    assert!(
        err.to_string()
            .starts_with("syntax error at line 2, column"),
        "{err}"
    );
    for bad in [
        "{% if x %}",
        "{{ }}",
        "{% endfor %}",
        "{{ a | }}",
        "{% for %}",
        "{{ 'é",
    ] {
        assert!(
            matches!(validate(bad, &schema()), Err(TemplateError::Syntax { .. })),
            "{bad}"
        );
    }
}

#[test]
fn validation_names_unknown_variables_with_their_line() {
    let err = validate(
        "Hi {{ reporter.frist_name }}\n{{ issue.key }} {{ isue.summary }}\n\
         {% for x in issue.labels %}{{ x }}{% endfor %}{{ range(2) | list }}",
        &schema(),
    )
    .unwrap_err();
    let TemplateError::UnknownVariables(unknown) = &err else {
        panic!("{err}");
    };
    let named: Vec<(&str, Option<usize>)> =
        unknown.iter().map(|u| (u.name.as_str(), u.line)).collect();
    assert_eq!(
        named,
        [
            ("issue.labels", Some(3)),
            ("isue.summary", Some(2)),
            ("reporter.frist_name", Some(1))
        ]
    );
    assert!(
        err.to_string().contains("reporter.frist_name (line 1)"),
        "{err}"
    );
    assert_eq!(validate("{{ issue.key }} {{ today }}", &schema()), Ok(()));
    assert_eq!(validate("", &schema()), Ok(()));
}

#[test]
fn the_environment_has_exactly_the_expected_globals() {
    let env = super::sandbox(Format::Text);
    let mut names: Vec<&str> = env.globals().map(|(name, _)| name).collect();
    names.sort_unstable();
    assert_eq!(names, crate::template::context::GLOBALS);
}

#[test]
fn a_compiled_template_renders_many_times_with_fresh_missing_lists() {
    let compiled = Compiled::new("{{ issue.key }}{{ x }}", Format::Text).unwrap();
    let first = compiled.render(&context()).unwrap();
    let second = compiled.render(&context()).unwrap();
    assert_eq!(first, second);
    assert_eq!(second.missing, ["x"]);
}

#[test]
fn compiled_templates_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Compiled>();
    shareable::<RenderContext>();
}

#[test]
fn html_format_escapes_inserted_values_but_not_the_template() {
    let mut context = RenderContext::new();
    context.insert(
        "issue",
        serde_json::json!({"summary": "<b>bold</b> & \"quoted\""}),
    );
    let out = render("<p>{{ issue.summary }}</p>", Format::Html, &context)
        .map(|r| r.text)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        out,
        "<p>&lt;b&gt;bold&lt;&#x2f;b&gt; &amp; &quot;quoted&quot;</p>"
    );
    let safe = render("{{ issue.summary | safe }}", Format::Html, &context)
        .map(|r| r.text)
        .unwrap_or_default();
    assert_eq!(safe, "<b>bold</b> & \"quoted\"");
}

#[test]
fn an_agent_fills_missing_variables_but_never_overrides_the_issue() {
    let mut c = context();
    assert!(c.fill("assignee.display_name", "Grace"));
    assert!(c.fill("issue.fields.empty", "filled"));
    assert!(c.fill("customer.tier", "Gold"));
    assert!(!c.fill("reporter.first_name", "Mallory"), "a value is kept");
    assert!(!c.fill("issue", "x"), "an object is not a gap");
    assert!(!c.fill("issue.fields[\"Customer Tier\"]", "x"));
    let out = render(
        "{{ reporter.first_name }} {{ assignee.display_name }} {{ issue.fields.empty }} {{ customer.tier }}",
        Format::Text,
        &c,
    )
    .unwrap();
    assert_eq!(out.text, "Ada Grace filled Gold");
    assert!(out.missing.is_empty(), "{:?}", out.missing);
}
