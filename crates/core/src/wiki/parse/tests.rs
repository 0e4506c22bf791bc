use serde_json::json;

use super::*;
use crate::adf::validate;

fn parse(markup: &str) -> serde_json::Value {
    let doc = to_adf(markup);
    validate(&doc).unwrap_or_else(|e| panic!("{markup}: {e}"));
    serde_json::to_value(doc).unwrap()["content"].clone()
}

#[test]
fn paragraphs_marks_links_and_mentions() {
    assert_eq!(
        parse(
            "*bold* _em_ -gone- +u+ {{co*de*}} [site|https://s.test] [~accountid:a1]\nnext\\\\line\n\nsecond"
        ),
        json!([
            {"type":"paragraph","content":[
                {"type":"text","text":"bold","marks":[{"type":"strong"}]},{"type":"text","text":" "},
                {"type":"text","text":"em","marks":[{"type":"em"}]},{"type":"text","text":" "},
                {"type":"text","text":"gone","marks":[{"type":"strike"}]},{"type":"text","text":" "},
                {"type":"text","text":"u","marks":[{"type":"underline"}]},{"type":"text","text":" "},
                {"type":"text","text":"co*de*","marks":[{"type":"code"}]},{"type":"text","text":" "},
                {"type":"text","text":"site","marks":[{"type":"link","attrs":{"href":"https://s.test"}}]},{"type":"text","text":" "},
                {"type":"mention","attrs":{"id":"accountid:a1","text":"@a1"}},
                {"type":"hardBreak"},{"type":"text","text":"next"},{"type":"hardBreak"},{"type":"text","text":"line"}]},
            {"type":"paragraph","content":[{"type":"text","text":"second"}]}
        ])
    );
}

#[test]
fn marks_need_word_boundaries() {
    assert_eq!(
        parse("a*b*c 2026-11-23 snake_case_name"),
        json!([{"type":"paragraph","content":[
        {"type":"text","text":"a*b*c 2026-11-23 snake_case_name"}]}])
    );
    assert_eq!(
        parse("x{*}mid{*}y")[0]["content"][1],
        json!({"type":"text","text":"mid","marks":[{"type":"strong"}]})
    );
}

#[test]
fn headings_lists_quotes_code_rules_tables_images() {
    let v = parse(
        "h3. Title\n* a\n*# b\n** c\n# d\nbq. quoted\n{quote}\nq1\n\nq2\n{quote}\n{code:java}\nint *x*;\n{code}\n{noformat}raw{noformat}\n----\n||H1||H2||\n|1|[a|https://x.test]|\nsee !shot.png|thumbnail! here",
    );
    assert_eq!(
        v[0],
        json!({"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"Title"}]})
    );
    assert_eq!(v[1]["type"], "bulletList");
    assert_eq!(v[1]["content"][0]["content"][1]["type"], "orderedList");
    assert_eq!(v[1]["content"][0]["content"][2]["type"], "bulletList");
    assert_eq!(v[2]["type"], "orderedList");
    assert_eq!(v[3]["type"], "blockquote");
    assert_eq!(v[4]["content"].as_array().unwrap().len(), 2);
    assert_eq!(
        v[5],
        json!({"type":"codeBlock","attrs":{"language":"java"},"content":[{"type":"text","text":"int *x*;"}]})
    );
    assert_eq!(v[6]["content"][0]["text"], "raw");
    assert_eq!(v[7]["type"], "rule");
    assert_eq!(v[8]["content"][0]["content"][0]["type"], "tableHeader");
    assert_eq!(
        v[8]["content"][1]["content"][1]["content"][0]["content"][0]["marks"][0]["attrs"]["href"],
        "https://x.test"
    );
    assert_eq!(v[9]["content"][0]["text"], "see ");
    assert_eq!(v[10]["type"], "mediaSingle");
    assert_eq!(v[10]["content"][0]["attrs"]["alt"], "shot.png");
}

#[test]
fn unterminated_and_odd_markup_stays_text() {
    let v = parse("{code}never closed\n*unclosed bold\n[no link");
    assert_eq!(v[0]["type"], "codeBlock");
    assert_eq!(
        parse("*unclosed [x|javascript:alert(1)]")[0]["content"][0]["text"],
        "*unclosed x"
    );
    assert_eq!(parse(""), json!([]));
    assert_eq!(parse("h1. x")[0]["type"], "heading");
    assert_eq!(parse("h1. ")[0]["content"][0]["text"], "h1. ");
}
