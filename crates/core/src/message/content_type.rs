//! The MIME type of a message or part, with its parameters.

use serde::Serialize;

/// A MIME type such as `multipart/report; report-type=delivery-status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContentType {
    /// `type/subtype`, lower-cased.
    pub mime: String,
    /// Parameters as sent (names lower-cased), e.g. `("report-type", "delivery-status")`.
    pub parameters: Vec<(String, String)>,
}

impl ContentType {
    /// The value of a parameter, by case-insensitive name.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// True when the type is `mime` (case-insensitive).
    pub fn is(&self, mime: &str) -> bool {
        self.mime.eq_ignore_ascii_case(mime)
    }

    pub(crate) fn from_parser(ct: Option<&mail_parser::ContentType<'_>>, default: &str) -> Self {
        let Some(ct) = ct else {
            return Self {
                mime: default.to_owned(),
                parameters: Vec::new(),
            };
        };
        let mime = match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_owned(),
        }
        .to_ascii_lowercase();
        let parameters = ct
            .attributes()
            .unwrap_or_default()
            .iter()
            .map(|a| (a.name.to_ascii_lowercase(), a.value.to_string()))
            .collect();
        Self { mime, parameters }
    }
}

/// RFC 2045: a message without a Content-Type is plain text.
impl Default for ContentType {
    fn default() -> Self {
        Self {
            mime: "text/plain".to_owned(),
            parameters: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_lookup_is_case_insensitive() {
        let ct = ContentType {
            mime: "multipart/report".into(),
            parameters: vec![("report-type".into(), "delivery-status".into())],
        };
        assert_eq!(ct.parameter("Report-Type"), Some("delivery-status"));
        assert_eq!(ct.parameter("boundary"), None);
        assert!(ct.is("Multipart/Report"));
    }

    #[test]
    fn missing_content_type_falls_back_to_the_given_default() {
        let ct = ContentType::from_parser(None, "message/rfc822");
        assert_eq!(ct.mime, "message/rfc822");
        assert!(ct.parameters.is_empty());
    }
}
