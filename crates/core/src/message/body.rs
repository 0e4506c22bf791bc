//! The text views of a message that every later stage reads.

use super::Message;
use crate::html;

impl Message {
    /// The whole text body: the text/plain alternative when there is one, else the HTML
    /// converted to text, else empty; inline images as placeholders either way
    /// ([`crate::inline_image`]).
    pub fn body_text(&self) -> String {
        match (&self.text_body, &self.html_body) {
            (Some(text), _) => self.text_with_images(text).into_owned(),
            (None, Some(html_body)) => html::html_to_text(html_body),
            (None, None) => String::new(),
        }
    }

    /// `text` (an alternative of this message) with its client's inline-image marks as
    /// placeholders.
    pub fn text_with_images<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        crate::inline_image::from_text_marks(text, &self.attachments)
    }

    /// The HTML alternative converted to text, `None` when the message has no HTML.
    pub fn html_text(&self) -> Option<String> {
        self.html_body.as_deref().map(html::html_to_text)
    }

    /// The HTML alternative with active content removed, for conversion to Jira markup.
    pub fn sanitized_html(&self) -> Option<String> {
        self.html_body.as_deref().map(html::sanitize)
    }
}

#[cfg(test)]
mod tests {
    use crate::message::{Message, ParseLimits};

    fn parse(raw: &str) -> Message {
        Message::parse(raw.as_bytes(), &ParseLimits::default())
            .unwrap()
            .message
    }

    #[test]
    fn plain_alternative_wins_over_html() {
        let m = parse(concat!(
            "Content-Type: multipart/alternative; boundary=b\r\n\r\n",
            "--b\r\nContent-Type: text/plain\r\n\r\nplain words\r\n",
            "--b\r\nContent-Type: text/html\r\n\r\n<p>html <b>words</b></p>\r\n--b--\r\n"
        ));
        assert_eq!(m.body_text().trim(), "plain words");
        assert_eq!(m.html_text().as_deref(), Some("html words"));
    }

    #[test]
    fn html_only_mail_is_converted_for_the_body() {
        let m = parse("Content-Type: text/html\r\n\r\n<p>Hi<br>there</p><script>x</script>");
        assert_eq!(m.body_text(), "Hi\nthere");
        assert_eq!(m.sanitized_html().as_deref(), Some("<p>Hi<br>there</p>"));
    }

    #[test]
    fn no_body_gives_empty_text_and_no_html() {
        let m = parse("Subject: empty\r\n\r\n");
        assert_eq!(m.body_text(), "");
        assert_eq!(m.html_text(), None);
    }
}
