//! Escaping of inserted values, so that text from Jira reads literally in a Markdown body.

/// Characters that open or close an inline construct anywhere in a line: emphasis, code,
/// links and images, autolinks and HTML, entities, and the table and strike syntax of
/// Markdown dialects a reader may paste into.
const INLINE: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '!', '&', '~', '|'];

/// Characters that start a block (heading, list, setext underline) at the start of a line.
const LINE_START: &[char] = &['#', '-', '+', '='];

/// Appends `value` to `out` with a backslash before every character that the Markdown subset
/// could read as formatting, so that a summary like `**Urgent** [click](https://x.test)`
/// shows its characters rather than bold text and a link. CommonMark allows a backslash
/// before any ASCII punctuation, so the escapes disappear in the converted text, except
/// inside a code span or code block, where Markdown shows them as typed. Spaces and tabs
/// that start a line of the value are dropped: a paragraph does not show them, and four of
/// them would start a code block.
pub fn escape_into(value: &str, out: &mut String) {
    out.reserve(value.len());
    let mut line_start = true;
    let mut chars = value.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if line_start && (c == ' ' || c == '\t') {
            continue;
        }
        let starts_line = std::mem::replace(&mut line_start, c == '\n');
        if INLINE.contains(&c) || (starts_line && LINE_START.contains(&c)) {
            out.push('\\');
            out.push(c);
            continue;
        }
        if starts_line && c.is_ascii_digit() {
            let digits_end = value[at..]
                .find(|d: char| !d.is_ascii_digit())
                .map_or(value.len(), |n| at + n);
            out.push_str(&value[at..digits_end]);
            while chars.peek().is_some_and(|&(i, _)| i < digits_end) {
                chars.next();
            }
            if let Some(&(_, marker @ ('.' | ')'))) = chars.peek() {
                out.push('\\');
                out.push(marker);
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adf::to_text;
    use crate::markup::to_adf;

    fn escaped(value: &str) -> String {
        let mut out = String::new();
        escape_into(value, &mut out);
        out
    }

    #[test]
    fn plain_words_and_keys_are_untouched() {
        assert_eq!(escaped("SUP-12 is ready."), "SUP-12 is ready.");
        assert_eq!(escaped(""), "");
        assert_eq!(escaped("Grüße, Ada"), "Grüße, Ada");
    }

    #[test]
    fn formatting_characters_are_escaped() {
        assert_eq!(escaped("**a** _b_"), "\\*\\*a\\*\\* \\_b\\_");
        assert_eq!(escaped("[x](https://e.test)"), "\\[x\\](https://e.test)");
        assert_eq!(escaped("<b>&amp;"), "\\<b\\>\\&amp;");
        assert_eq!(
            escaped("# one\n- two\n  3. three\n10) ten\n    code"),
            "\\# one\n\\- two\n3\\. three\n10\\) ten\ncode"
        );
        assert_eq!(escaped("a - b 3. c"), "a - b 3. c");
    }

    #[test]
    fn escaped_values_read_back_as_the_same_text() {
        for value in [
            "**Urgent** [click](https://evil.test) <script>x</script>",
            "# not a heading\n- not a list\n1. not numbered\n===",
            "a_b_c `code` ~~strike~~ | pipe | &lt; \\ back",
            "![img](https://x.test/p.png)",
        ] {
            let doc = to_adf(&escaped(value));
            assert_eq!(to_text(&doc).trim_end(), value, "{value:?}");
            let json = serde_json::to_string(&doc).unwrap();
            assert!(
                !json.contains("\"marks\""),
                "{value:?} gained marks: {json}"
            );
            assert!(
                !json.contains("\"type\":\"heading") && !json.contains("List\""),
                "{json}"
            );
        }
    }
}
