use serde_json::{Value, json};

use super::to_adf;
use crate::adf::validate;

fn adf(markdown: &str) -> Value {
    let doc = to_adf(markdown);
    assert_eq!(validate(&doc), Ok(()), "{markdown:?}");
    serde_json::to_value(&doc).unwrap()["content"].clone()
}

fn text(t: &str) -> Value {
    json!({"type": "text", "text": t})
}

fn marked(t: &str, marks: Value) -> Value {
    json!({"type": "text", "text": t, "marks": marks})
}

fn para(content: Value) -> Value {
    json!({"type": "paragraph", "content": content})
}

#[test]
fn empty_and_blank_input_give_an_empty_document() {
    assert_eq!(adf(""), json!([]));
    assert_eq!(adf("  \n\n \n"), json!([]));
}

#[test]
fn paragraphs_and_line_breaks() {
    assert_eq!(
        adf("Hi Ada,\nthanks.\n\nBye"),
        json!([
            para(json!([text("Hi Ada,"), {"type": "hardBreak"}, text("thanks.")])),
            para(json!([text("Bye")])),
        ])
    );
}

#[test]
fn bold_italic_and_both() {
    assert_eq!(
        adf("**b** *i* ***bi***"),
        json!([para(json!([
            marked("b", json!([{"type": "strong"}])),
            text(" "),
            marked("i", json!([{"type": "em"}])),
            text(" "),
            marked("bi", json!([{"type": "strong"}, {"type": "em"}])),
        ]))])
    );
}

#[test]
fn safe_links_keep_their_target_and_others_lose_it() {
    assert_eq!(
        adf(
            "[docs](https://x.test/a) [mail](mailto:a@x.test) [bad](javascript:alert(1)) [](https://x.test/e) <https://x.test/auto>"
        ),
        json!([para(json!([
            marked(
                "docs",
                json!([{"type": "link", "attrs": {"href": "https://x.test/a"}}])
            ),
            text(" "),
            marked(
                "mail",
                json!([{"type": "link", "attrs": {"href": "mailto:a@x.test"}}])
            ),
            text(" bad "),
            marked(
                "https://x.test/e",
                json!([{"type": "link", "attrs": {"href": "https://x.test/e"}}])
            ),
            text(" "),
            marked(
                "https://x.test/auto",
                json!([{"type": "link", "attrs": {"href": "https://x.test/auto"}}])
            ),
        ]))])
    );
}

#[test]
fn code_spans_combine_only_with_links() {
    assert_eq!(
        adf("**see `x` [`y`](https://x.test)**"),
        json!([para(json!([
            marked("see ", json!([{"type": "strong"}])),
            marked("x", json!([{"type": "code"}])),
            marked(" ", json!([{"type": "strong"}])),
            marked(
                "y",
                json!([{"type": "code"}, {"type": "link", "attrs": {"href": "https://x.test"}}])
            ),
        ]))])
    );
}

#[test]
fn lists_nest_and_numbered_lists_keep_their_start() {
    assert_eq!(
        adf("- a\n  - b\n- c\n\n3. x\n4. y"),
        json!([
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [
                    para(json!([text("a")])),
                    {"type": "bulletList", "content": [
                        {"type": "listItem", "content": [para(json!([text("b")]))]}
                    ]}
                ]},
                {"type": "listItem", "content": [para(json!([text("c")]))]}
            ]},
            {"type": "orderedList", "attrs": {"order": 3}, "content": [
                {"type": "listItem", "content": [para(json!([text("x")]))]},
                {"type": "listItem", "content": [para(json!([text("y")]))]}
            ]}
        ])
    );
}

#[test]
fn empty_items_and_items_opening_with_a_list_get_a_paragraph_first() {
    let out = adf("- \n- - deep");
    assert_eq!(
        out[0]["content"][0]["content"],
        json!([{"type": "paragraph"}])
    );
    assert_eq!(
        out[0]["content"][1]["content"][0],
        json!({"type": "paragraph"})
    );
    assert_eq!(out[0]["content"][1]["content"][1]["type"], "bulletList");
}

#[test]
fn code_blocks_keep_text_verbatim_and_a_plain_language() {
    assert_eq!(
        adf("```rust\nfn **x**() {}\n<b>\n```\n\n    indented\n\n```evil\"><x\n```"),
        json!([
            {"type": "codeBlock", "attrs": {"language": "rust"}, "content": [text("fn **x**() {}\n<b>")]},
            {"type": "codeBlock", "content": [text("indented")]},
            {"type": "codeBlock"},
        ])
    );
}

#[test]
fn raw_html_is_shown_as_typed() {
    assert_eq!(
        adf("a <b onclick=\"x\">b</b>\n\n<script>\nalert(1)\n</script>"),
        json!([
            para(json!([text("a <b onclick=\"x\">b</b>")])),
            para(
                json!([text("<script>"), {"type": "hardBreak"}, text("alert(1)"), {"type": "hardBreak"}, text("</script>")])
            ),
        ])
    );
}

#[test]
fn images_become_links_labelled_with_their_alt_text() {
    assert_eq!(
        adf(
            "![logo](https://x.test/l.png) ![](https://x.test/m.png) ![x](data:image/png;base64,AA)"
        ),
        json!([para(json!([
            marked(
                "logo",
                json!([{"type": "link", "attrs": {"href": "https://x.test/l.png"}}])
            ),
            text(" "),
            marked(
                "https://x.test/m.png",
                json!([{"type": "link", "attrs": {"href": "https://x.test/m.png"}}])
            ),
            text(" x"),
        ]))])
    );
}

#[test]
fn headings_quotes_and_rules() {
    assert_eq!(
        adf("## Steps\n\n> quoted\n> > deeper\n> # head\n\n---"),
        json!([
            {"type": "heading", "attrs": {"level": 2}, "content": [text("Steps")]},
            {"type": "blockquote", "content": [
                para(json!([text("quoted")])),
                para(json!([text("deeper")])),
                para(json!([text("head")])),
            ]},
            {"type": "rule"},
        ])
    );
}

#[test]
fn headings_and_rules_inside_list_items_are_reshaped() {
    let out = adf("- # title\n\n  ---\n  > q");
    assert_eq!(
        out[0]["content"][0]["content"],
        json!([para(json!([text("title")])), para(json!([text("q")]))])
    );
}

#[test]
fn tables_stay_text() {
    assert_eq!(
        adf("| a | b |\n|---|---|\n| 1 | 2 |")[0]["type"],
        "paragraph"
    );
}
