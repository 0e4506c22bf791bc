//! The raw header list of a message, so that classifiers can read any header by name.

use serde::Serialize;

/// One header field as it appeared in the message: the name as written and the value
/// unfolded (line breaks removed) and trimmed.
///
/// The value is not RFC 2047 decoded: classifiers match on tokens such as
/// `Auto-Submitted: auto-replied` or `Precedence: bulk`, which are never encoded. Decoded
/// values of the headers that carry human text are in the typed fields of
/// [`Message`](super::Message) (subject, display names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeaderField {
    /// Field name, with the capitalisation used by the sender.
    pub name: String,
    /// Unfolded value; bytes that are not UTF-8 are replaced by U+FFFD.
    pub value: String,
}

impl HeaderField {
    /// Case-insensitive name comparison, as RFC 5322 requires.
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Unfolds a raw header value: CR and LF are dropped (a fold continues with its
/// whitespace), leading and trailing whitespace is trimmed.
pub(crate) fn unfold(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\r' && c != '\n' {
            out.push(c);
        }
    }
    let trimmed = out.trim();
    if trimmed.len() == out.len() {
        out
    } else {
        trimmed.to_owned()
    }
}

/// Looks up fields by name in a header list.
pub(crate) fn find<'a, 'n>(
    fields: &'a [HeaderField],
    name: &'n str,
) -> impl Iterator<Item = &'a HeaderField> + use<'a, 'n> {
    fields.iter().filter(move |f| f.is(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfold_joins_continuation_lines_and_trims() {
        assert_eq!(
            unfold(b" auto-replied;\r\n\tfoo=bar \r\n"),
            "auto-replied;\tfoo=bar"
        );
        assert_eq!(unfold(b""), "");
    }

    #[test]
    fn unfold_replaces_invalid_utf8() {
        assert_eq!(unfold(b"caf\xe9"), "caf\u{fffd}");
    }

    #[test]
    fn find_is_case_insensitive_and_keeps_duplicates_in_order() {
        let fields = vec![
            HeaderField {
                name: "Received".into(),
                value: "a".into(),
            },
            HeaderField {
                name: "X-Other".into(),
                value: "b".into(),
            },
            HeaderField {
                name: "RECEIVED".into(),
                value: "c".into(),
            },
        ];
        let values: Vec<_> = find(&fields, "received")
            .map(|f| f.value.as_str())
            .collect();
        assert_eq!(values, ["a", "c"]);
    }
}
