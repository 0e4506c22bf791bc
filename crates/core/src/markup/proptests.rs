//! Property tests: whatever a template body says, the converters give valid ADF, and escaped
//! values read back as the text they were.

use proptest::prelude::*;

use super::{escape_into, to_adf, to_wiki};
use crate::adf::{to_text, validate};

/// Markdown made of the constructs of the subset and of those outside it, nested and
/// unbalanced at random.
fn markdowny() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9é]{1,6}",
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("  \n".to_owned()),
            "(\\*|\\*\\*|_|__|`|```|~~~|\\[|\\]|\\(|\\)|!\\[|<|>|&|\\\\)",
            "\n( {0,5})(- |\\* |\\+ |1\\. |7\\) |> |# |### |---|===|    )",
            Just("[l](https://x.test/a)".to_owned()),
            Just("[j](javascript:x)".to_owned()),
            Just("![i](https://x.test/i.png)".to_owned()),
            Just("<div>\n".to_owned()),
            Just("<b>x</b>".to_owned()),
            Just("| a | b |\n|---|---|\n".to_owned()),
            Just("&amp;&#0;&lt;".to_owned()),
        ],
        0..50,
    )
    .prop_map(|parts| parts.concat())
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

proptest! {
    #[test]
    fn markup_to_adf_is_always_valid(markdown in markdowny()) {
        let doc = to_adf(&markdown);
        prop_assert!(validate(&doc).is_ok(), "{markdown:?}: {:?}", validate(&doc));
        let _ = to_wiki(&markdown);
    }

    #[test]
    fn escaped_values_keep_their_words_and_gain_no_formatting(value in markdowny()) {
        let mut escaped = String::new();
        escape_into(&value, &mut escaped);
        let doc = to_adf(&escaped);
        prop_assert!(validate(&doc).is_ok());
        let json = serde_json::to_string(&doc).unwrap_or_default();
        prop_assert!(!json.contains("\"marks\""), "{value:?} → {json}");
        prop_assert!(!json.contains("\"link\""), "{value:?} → {json}");
        for block in ["bulletList", "orderedList", "heading", "codeBlock", "blockquote"] {
            prop_assert!(!json.contains(&format!("\"type\":\"{block}\"")), "{value:?} → {json}");
        }
        prop_assert_eq!(words(&to_text(&doc)), words(&value));
    }
}
