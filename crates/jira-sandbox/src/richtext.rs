//! Conversions between ADF and wiki text, so an issue written through v2 reads through v3
//! and back, as on a real site (where Jira converts between the two representations).

use serde_json::{Value, json};

use crate::state::model::RichText;

/// The API dialect of a request: v3 speaks ADF, v2 speaks wiki-markup strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    /// `/rest/api/2`.
    V2,
    /// `/rest/api/3`.
    V3,
}

/// Plain text of an ADF node tree: text nodes joined, blocks separated by newlines.
pub fn adf_to_text(node: &Value) -> String {
    let mut out = String::new();
    walk(node, &mut out);
    out.trim_end().to_owned()
}

fn walk(node: &Value, out: &mut String) {
    match node.get("type").and_then(Value::as_str) {
        Some("text") => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        Some("hardBreak") => out.push('\n'),
        Some("mention") => {
            let name = node
                .get("attrs")
                .and_then(|a| a.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("");
            out.push_str(name);
        }
        kind => {
            for child in node
                .get("content")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                walk(child, out);
            }
            if matches!(
                kind,
                Some("paragraph" | "heading" | "codeBlock" | "listItem")
            ) {
                out.push('\n');
            }
        }
    }
}

/// An ADF document with one paragraph per line of `text`.
pub fn text_to_adf(text: &str) -> Value {
    let content: Vec<Value> = text
        .lines()
        .map(|line| {
            if line.is_empty() {
                json!({"type": "paragraph", "content": []})
            } else {
                json!({"type": "paragraph", "content": [{"type": "text", "text": line}]})
            }
        })
        .collect();
    json!({"type": "doc", "version": 1, "content": content})
}

/// Renders stored rich text in the dialect of the request.
pub fn render(text: &RichText, version: ApiVersion) -> Value {
    match (text, version) {
        (RichText::Adf(doc), ApiVersion::V3) => doc.clone(),
        (RichText::Adf(doc), ApiVersion::V2) => Value::String(adf_to_text(doc)),
        (RichText::Wiki(s), ApiVersion::V3) => text_to_adf(s),
        (RichText::Wiki(s), ApiVersion::V2) => Value::String(s.clone()),
    }
}

/// Plain text for searching (`summary ~`, `text ~`).
pub fn plain(text: &RichText) -> String {
    match text {
        RichText::Adf(doc) => adf_to_text(doc),
        RichText::Wiki(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiki_round_trips_through_adf_by_line() {
        let adf = text_to_adf("first\n\nthird");
        assert_eq!(crate::adf::validate(&adf), Ok(()));
        assert_eq!(adf_to_text(&adf), "first\n\nthird");
    }

    #[test]
    fn render_picks_the_dialect() {
        let wiki = RichText::Wiki("*bold*".into());
        assert_eq!(render(&wiki, ApiVersion::V2), json!("*bold*"));
        assert_eq!(render(&wiki, ApiVersion::V3)["type"], "doc");
        assert_eq!(plain(&RichText::Adf(text_to_adf("hi"))), "hi");
    }
}
