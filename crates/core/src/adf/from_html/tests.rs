use serde_json::json;

use super::*;
use crate::adf::{to_text, validate};

fn no_images(_: &str) -> Option<MediaRef> {
    None
}

fn convert(html: &str) -> serde_json::Value {
    let doc = from_html(html, &no_images);
    validate(&doc).unwrap_or_else(|e| panic!("{html}: {e}"));
    serde_json::to_value(doc).unwrap()["content"].clone()
}

#[test]
fn marks_links_and_breaks() {
    assert_eq!(
        convert(
            "<p>Hi <b>bold <i>both</i></b><br>next <a href='https://x.test'>link</a> <s>gone</s> <code>c</code></p>"
        ),
        json!([{"type":"paragraph","content":[
            {"type":"text","text":"Hi "},
            {"type":"text","text":"bold ","marks":[{"type":"strong"}]},
            {"type":"text","text":"both","marks":[{"type":"strong"},{"type":"em"}]},
            {"type":"hardBreak"},
            {"type":"text","text":"next "},
            {"type":"text","text":"link","marks":[{"type":"link","attrs":{"href":"https://x.test"}}]},
            {"type":"text","text":" "},
            {"type":"text","text":"gone","marks":[{"type":"strike"}]},
            {"type":"text","text":" "},
            {"type":"text","text":"c","marks":[{"type":"code"}]}
        ]}])
    );
}

#[test]
fn code_inside_bold_drops_the_bold_as_adf_requires() {
    let v = convert("<b>x <code>y</code></b>");
    assert_eq!(
        v[0]["content"][1],
        json!({"type":"text","text":"y","marks":[{"type":"code"}]})
    );
}

#[test]
fn lists_nest_and_headings_in_items_become_paragraphs() {
    assert_eq!(
        convert("<ol start='3'><li>one<ul><li><h2>two</h2></li><li></li></ul></li></ol>"),
        json!([{"type":"orderedList","attrs":{"order":3},"content":[
            {"type":"listItem","content":[
                {"type":"paragraph","content":[{"type":"text","text":"one"}]},
                {"type":"bulletList","content":[
                    {"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"two"}]}]},
                    {"type":"listItem","content":[{"type":"paragraph"}]}
                ]}
            ]}
        ]}])
    );
}

#[test]
fn quotes_pre_headings_rules_and_tables() {
    let v = convert(
        "<h3>Title</h3><blockquote><p>said</p></blockquote><pre><code class='language-rust'>fn a() {}\n</code></pre><hr>\
         <table><thead><tr><th>A</th><th></th></tr></thead><tbody><tr><td>1<table><tr><td>inner</td></tr></table></td></tr></tbody></table>",
    );
    assert_eq!(
        v[0],
        json!({"type":"heading","attrs":{"level":3},"content":[{"type":"text","text":"Title"}]})
    );
    assert_eq!(v[1]["type"], "blockquote");
    assert_eq!(
        v[2],
        json!({"type":"codeBlock","attrs":{"language":"rust"},"content":[{"type":"text","text":"fn a() {}"}]})
    );
    assert_eq!(v[3]["type"], "rule");
    assert_eq!(v[4]["content"].as_array().unwrap().len(), 2);
    assert_eq!(
        v[4]["content"][0]["content"][1]["content"],
        json!([{"type":"paragraph"}])
    );
    assert_eq!(
        v[4]["content"][1]["content"][0]["content"][1]["content"][0]["text"],
        "inner"
    );
}

#[test]
fn images_resolve_to_media_or_fall_back_to_alt_text() {
    let resolve = |src: &str| {
        (src == "cid:logo").then(|| MediaRef {
            id: "m-1".to_owned(),
            file_name: "logo.png".to_owned(),
        })
    };
    let doc = from_html(
        "<p>a<img src='cid:logo'>b<img src='https://tracker.test/x.gif' alt='pixel'></p>",
        &resolve,
    );
    validate(&doc).unwrap();
    let v = serde_json::to_value(&doc).unwrap()["content"].clone();
    assert_eq!(v[0]["content"][0]["text"], "a");
    assert_eq!(v[1]["type"], "mediaSingle");
    assert_eq!(v[1]["content"][0]["attrs"]["id"], "m-1");
    assert_eq!(v[2]["content"][0]["text"], "b[pixel]");
}

#[test]
fn mentions_and_unsafe_links() {
    let v = convert("<p><a href='mention:acc-1'>@Ada</a> <a href='javascript:x()'>js</a></p>");
    assert_eq!(
        v[0]["content"][0],
        json!({"type":"mention","attrs":{"id":"acc-1","text":"@Ada"}})
    );
    assert_eq!(v[0]["content"][1], json!({"type":"text","text":" js"}));
}

#[test]
fn scripts_styles_and_whitespace_vanish() {
    assert_eq!(
        convert("<style>p{}</style><script>x()</script><div>\n  a\n   b  </div><p> </p>"),
        json!([{"type":"paragraph","content":[{"type":"text","text":"a b"}]}])
    );
    assert_eq!(convert(""), json!([]));
}

#[test]
fn malformed_html_still_converts() {
    let doc = from_html("<p><b>open <ul><li>x</p></td></table>", &no_images);
    validate(&doc).unwrap();
    assert!(to_text(&doc).contains("open"));
    assert!(to_text(&doc).contains('x'));
}
