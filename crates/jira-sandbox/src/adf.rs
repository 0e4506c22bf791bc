//! Atlassian Document Format validation, written from Atlassian's ADF structure
//! documentation (the OpenAPI file has no ADF schema). v3 rejects what this rejects.

use serde_json::{Map, Value};

/// Jira's message when a v3 rich-text field is not a valid ADF document.
pub const NOT_ADF: &str =
    "Operation value must be an Atlassian Document (see the Atlassian Document Format)";

const BLOCKS: &[&str] = &[
    "paragraph",
    "heading",
    "bulletList",
    "orderedList",
    "codeBlock",
    "blockquote",
    "rule",
    "panel",
    "table",
    "mediaSingle",
    "mediaGroup",
    "expand",
    "taskList",
    "decisionList",
];
const INLINES: &[&str] = &[
    "text",
    "hardBreak",
    "mention",
    "emoji",
    "inlineCard",
    "date",
    "status",
    "mediaInline",
];
const MARKS: &[&str] = &[
    "strong",
    "em",
    "code",
    "link",
    "strike",
    "underline",
    "textColor",
    "subsup",
    "backgroundColor",
];

/// Checks that `doc` is a version-1 ADF document; the error says what is wrong (for tests
/// and logs; the HTTP answer uses Jira's fixed [`NOT_ADF`] message).
pub fn validate(doc: &Value) -> Result<(), String> {
    let obj = doc.as_object().ok_or("document is not a JSON object")?;
    if obj.get("type").and_then(Value::as_str) != Some("doc") {
        return Err("root type is not \"doc\"".into());
    }
    if obj.get("version").and_then(Value::as_u64) != Some(1) {
        return Err("root version is not 1".into());
    }
    children(obj, "doc", |t| BLOCKS.contains(&t))
}

fn children(
    obj: &Map<String, Value>,
    parent: &str,
    allowed: impl Fn(&str) -> bool,
) -> Result<(), String> {
    let Some(content) = obj.get("content") else {
        return Ok(());
    };
    let items = content
        .as_array()
        .ok_or_else(|| format!("{parent}.content is not an array"))?;
    for item in items {
        let child = item
            .as_object()
            .ok_or_else(|| format!("a child of {parent} is not an object"))?;
        let kind = child
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("a child of {parent} has no type"))?;
        if !allowed(kind) {
            return Err(format!("{kind} is not allowed in {parent}"));
        }
        node(child, kind)?;
    }
    Ok(())
}

fn attr<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.get("attrs").and_then(|a| a.get(name))
}

fn inline(t: &str) -> bool {
    INLINES.contains(&t)
}

fn node(obj: &Map<String, Value>, kind: &str) -> Result<(), String> {
    match kind {
        "paragraph" => children(obj, kind, inline),
        "heading" => {
            let level = attr(obj, "level").and_then(Value::as_u64);
            if !matches!(level, Some(1..=6)) {
                return Err("heading.attrs.level must be 1..6".into());
            }
            children(obj, kind, inline)
        }
        "bulletList" | "orderedList" => children(obj, kind, |t| t == "listItem"),
        "listItem" => children(obj, kind, |t| {
            matches!(
                t,
                "paragraph" | "bulletList" | "orderedList" | "codeBlock" | "mediaSingle"
            )
        }),
        "codeBlock" => children(obj, kind, |t| t == "text"),
        "blockquote" => children(obj, kind, |t| {
            matches!(
                t,
                "paragraph"
                    | "bulletList"
                    | "orderedList"
                    | "codeBlock"
                    | "mediaGroup"
                    | "mediaSingle"
            )
        }),
        "panel" | "expand" => children(obj, kind, |t| BLOCKS.contains(&t) && t != "expand"),
        "table" => children(obj, kind, |t| t == "tableRow"),
        "tableRow" => children(obj, kind, |t| matches!(t, "tableHeader" | "tableCell")),
        "tableHeader" | "tableCell" => children(obj, kind, |t| BLOCKS.contains(&t)),
        "mediaSingle" | "mediaGroup" => {
            let count = obj
                .get("content")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if kind == "mediaSingle" && count != 1 {
                return Err("mediaSingle must hold exactly one media node".into());
            }
            children(obj, kind, |t| t == "media")
        }
        "media" => media(obj),
        "text" => text(obj),
        "mention" => attr(obj, "id")
            .and_then(Value::as_str)
            .map(|_| ())
            .ok_or_else(|| "mention.attrs.id missing".into()),
        "taskList" => children(obj, kind, |t| t == "taskItem"),
        "taskItem" => children(obj, kind, inline),
        "decisionList" => children(obj, kind, |t| t == "decisionItem"),
        "decisionItem" => children(obj, kind, inline),
        _ => Ok(()),
    }
}

fn media(obj: &Map<String, Value>) -> Result<(), String> {
    match attr(obj, "type").and_then(Value::as_str) {
        Some("file" | "link") => {
            let has_id = attr(obj, "id")
                .and_then(Value::as_str)
                .is_some_and(|s| !s.is_empty());
            let has_collection = attr(obj, "collection").is_some_and(Value::is_string);
            if has_id && has_collection {
                Ok(())
            } else {
                Err("media.attrs needs a Media Services id and a collection".into())
            }
        }
        Some("external") => attr(obj, "url")
            .and_then(Value::as_str)
            .map(|_| ())
            .ok_or_else(|| "external media needs attrs.url".into()),
        _ => Err("media.attrs.type must be file, link or external".into()),
    }
}

fn text(obj: &Map<String, Value>) -> Result<(), String> {
    let body = obj
        .get("text")
        .and_then(Value::as_str)
        .ok_or("text node without text")?;
    if body.is_empty() {
        return Err("text node with empty text".into());
    }
    let Some(marks) = obj.get("marks") else {
        return Ok(());
    };
    for mark in marks.as_array().ok_or("marks is not an array")? {
        let kind = mark
            .get("type")
            .and_then(Value::as_str)
            .ok_or("mark without type")?;
        if !MARKS.contains(&kind) {
            return Err(format!("unknown mark {kind}"));
        }
        if kind == "link"
            && mark
                .get("attrs")
                .and_then(|a| a.get("href"))
                .and_then(Value::as_str)
                .is_none()
        {
            return Err("link mark without attrs.href".into());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn para(text: &str) -> Value {
        json!({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":text}]}]})
    }

    #[test]
    fn accepts_common_documents() {
        let docs = [
            para("hello"),
            json!({"type":"doc","version":1,"content":[]}),
            json!({"type":"doc","version":1,"content":[
                {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"T","marks":[{"type":"strong"}]}]},
                {"type":"bulletList","content":[{"type":"listItem","content":[{"type":"paragraph","content":[
                    {"type":"text","text":"a link","marks":[{"type":"link","attrs":{"href":"https://example.com"}}]},
                    {"type":"hardBreak"},
                    {"type":"mention","attrs":{"id":"557058:abc"}}]}]}]},
                {"type":"codeBlock","attrs":{"language":"rust"},"content":[{"type":"text","text":"fn main(){}"}]},
                {"type":"mediaSingle","content":[{"type":"media","attrs":{"type":"file","id":"6e7c7f2c","collection":""}}]},
                {"type":"rule"}]}),
        ];
        for doc in docs {
            assert_eq!(validate(&doc), Ok(()), "{doc}");
        }
    }

    #[test]
    fn rejects_malformed_documents() {
        let cases = [
            json!("plain string"),
            json!({"type":"doc","content":[]}),
            json!({"type":"doc","version":2,"content":[]}),
            json!({"type":"paragraph","version":1}),
            json!({"type":"doc","version":1,"content":{}}),
            json!({"type":"doc","version":1,"content":[{"type":"text","text":"inline at top"}]}),
            json!({"type":"doc","version":1,"content":[{"type":"frobnicate"}]}),
            para(""),
            json!({"type":"doc","version":1,"content":[{"type":"heading","attrs":{"level":7},"content":[]}]}),
            json!({"type":"doc","version":1,"content":[{"type":"bulletList","content":[{"type":"paragraph"}]}]}),
            json!({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"blink"}]}]}]}),
            json!({"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"link"}]}]}]}),
            json!({"type":"doc","version":1,"content":[{"type":"mediaSingle","content":[{"type":"media","attrs":{"type":"file"}}]}]}),
            json!({"type":"doc","version":1,"content":[{"type":"mediaSingle","content":[]}]}),
        ];
        for doc in cases {
            assert!(validate(&doc).is_err(), "accepted {doc}");
        }
    }

    #[test]
    fn deep_nesting_is_checked_all_the_way_down() {
        let mut inner = json!({"type":"paragraph","content":[{"type":"text","text":""}]});
        for _ in 0..50 {
            inner = json!({"type":"bulletList","content":[{"type":"listItem","content":[inner]}]});
        }
        let doc = json!({"type":"doc","version":1,"content":[inner]});
        assert!(validate(&doc).is_err());
    }
}
