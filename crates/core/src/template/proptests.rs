//! Property tests: whatever an author saves, compiling and rendering end in text within the
//! limits or in a typed error, never in a panic, and validation agrees with compilation.

use proptest::prelude::*;
use serde_json::json;

use super::{Compiled, Format, RenderContext, Schema, TemplateError, limits, validate};

/// Template sources made of tags, expressions, filters and text, balanced or not.
fn templatey() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-z ]{0,6}",
            Just("\n".to_owned()),
            Just("{{ issue.key }}".to_owned()),
            Just("{{ reporter.first_name | default(\"there\") }}".to_owned()),
            Just("{{ issue.due_date | date(\"%d %B\") }}".to_owned()),
            Just("{{ x | date }}".to_owned()),
            Just("{% if assignee.display_name %}".to_owned()),
            Just("{% else %}".to_owned()),
            Just("{% endif %}".to_owned()),
            Just("{% for l in issue.labels %}".to_owned()),
            Just("{% for i in range(300) %}".to_owned()),
            Just("{% endfor %}".to_owned()),
            Just("{{ 'ab' * 400 }}".to_owned()),
            Just("{% include 'x' %}".to_owned()),
            Just("{% raw %}".to_owned()),
            Just("{% endraw %}".to_owned()),
            "\\{\\{|\\}\\}|\\{%|%\\}|\\{#|#\\}|\\||\\(|\\)|\"|'",
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

fn context() -> RenderContext {
    let mut c = RenderContext::new();
    c.insert(
        "issue",
        json!({"key": "SUP-1", "due_date": "2026-11-30", "labels": ["a", "b", "c"]}),
    );
    c.insert("reporter", json!({}));
    c.insert("assignee", json!({"display_name": "Grace"}));
    c
}

proptest! {
    #[test]
    fn any_source_compiles_and_renders_or_fails_with_a_typed_error(source in templatey()) {
        let schema = Schema::new(["issue.key".to_owned()]);
        match Compiled::new(&source, Format::Markup) {
            Ok(compiled) => {
                let refused_at_save = matches!(
                    validate(&source, &schema),
                    Err(TemplateError::Syntax { .. } | TemplateError::Forbidden { .. })
                );
                prop_assert!(!refused_at_save, "{source:?}");
                if let Ok(rendered) = compiled.render(&context()) {
                    prop_assert!(rendered.text.len() <= limits::MAX_OUTPUT_BYTES);
                    prop_assert!(rendered.fuel_used <= limits::FUEL);
                }
            }
            Err(err) => {
                let compile_error = matches!(
                    err,
                    TemplateError::Syntax { .. } | TemplateError::Forbidden { .. }
                );
                prop_assert!(compile_error, "{source:?}: {err}");
                prop_assert_eq!(validate(&source, &schema), Err(err));
            }
        }
    }
}
