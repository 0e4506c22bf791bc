//! Property tests: whatever postroom converts must be valid ADF and keep the words.

use proptest::prelude::*;

use super::{MediaRef, from_html, from_text, to_text, validate};

/// Text with the characters that matter to the converters: markup, URLs, line breaks.
pub(super) fn texty() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9éß]{1,8}",
            Just(" ".to_owned()),
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("\r\n".to_owned()),
            Just("https://x.test/a?b=1".to_owned()),
            Just("mailto:a@b.test".to_owned()),
            "[*_\\-+^~{}\\[\\]|!#\\\\.,:;()<>&\"']",
            Just("h1. ".to_owned()),
            Just("{code}".to_owned()),
            Just("----".to_owned()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// HTML made of the tags mail clients use, nested and unbalanced at random.
pub(super) fn htmly() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            "[a-z ]{0,6}",
            "<(p|div|b|i|s|u|code|pre|blockquote|ul|ol|li|h[1-6]|table|tr|td|th|thead|span|a href=\"https://x.test\"|a href=\"mention:u1\"|a href=\"javascript:x\")>",
            "</(p|div|b|i|s|u|code|pre|blockquote|ul|ol|li|h[1-6]|table|tr|td|th|thead|span|a)>",
            Just("<br>".to_owned()),
            Just("<hr>".to_owned()),
            Just("<img src=\"cid:1\">".to_owned()),
            Just("<img src=\"x\" alt=\"pic\">".to_owned()),
            Just("&amp;&lt;".to_owned()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

pub(super) fn resolve(src: &str) -> Option<MediaRef> {
    (src == "cid:1").then(|| MediaRef {
        id: "m1".to_owned(),
        file_name: "one.png".to_owned(),
    })
}

fn words(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

proptest! {
    #[test]
    fn adf_from_text_is_valid(text in texty()) {
        let doc = from_text(&text);
        prop_assert!(validate(&doc).is_ok(), "{:?}", validate(&doc));
    }

    #[test]
    fn adf_from_html_is_valid(html in htmly()) {
        let doc = from_html(&html, &resolve);
        prop_assert!(validate(&doc).is_ok(), "{html}: {:?}", validate(&doc));
    }

    #[test]
    fn text_to_adf_to_text_keeps_the_words(text in texty()) {
        prop_assert_eq!(words(&to_text(&from_text(&text))), words(&text));
    }

    #[test]
    fn text_to_wiki_to_text_keeps_the_words(text in texty()) {
        let wiki = crate::wiki::from_text(&text);
        prop_assert_eq!(words(&crate::wiki::to_text(&wiki)), words(&text), "{}", wiki);
    }

    #[test]
    fn wiki_parsing_never_panics_and_renders(markup in texty()) {
        let doc = crate::wiki::to_adf(&markup);
        let _ = to_text(&doc);
        let _ = super::to_html(&doc);
    }
}
