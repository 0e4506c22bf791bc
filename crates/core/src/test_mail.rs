//! The short plain message an administrator sends from Settings to check that the site's
//! mail leaves: through its transport in force, with its bounce address and DKIM key, so
//! that what the test shows is what notifications will meet.

use mail_builder::MessageBuilder;
use mail_builder::headers::raw::Raw;

use crate::classify::LOOP_HEADER;
use crate::message::EmailAddress;

/// The subject of every test message, so that a recipient (and the Sent page) knows it.
pub const SUBJECT: &str = "postroom test message";

/// What a test message needs: who it is from and to, the site that sends it, its
/// Message-ID and time.
#[derive(Debug, Clone)]
pub struct TestMail<'a> {
    pub from: &'a EmailAddress,
    pub to: &'a EmailAddress,
    /// The site's name, said in the body.
    pub site: &'a str,
    /// The Message-ID without angle brackets.
    pub message_id: &'a str,
    pub date_ms: i64,
}

/// Writes the message. It is marked auto-generated and carries postroom's loop header with
/// the site's name, so that a test sent to one of the site's own addresses is recognised
/// as postroom's own mail and not taken in as a new issue.
pub fn compose(mail: &TestMail<'_>) -> Result<Vec<u8>, std::io::Error> {
    let body = format!(
        "This is a test message from postroom for the site {site}, sent from the console's \
         Settings page to check that its mail leaves and arrives.\r\n\r\nNo answer is needed.\r\n",
        site = mail.site
    );
    MessageBuilder::new()
        .from(("postroom", mail.from.as_str()))
        .to(mail.to.as_str())
        .subject(SUBJECT)
        .message_id(mail.message_id)
        .date(mail.date_ms.div_euclid(1000))
        .header("Auto-Submitted", Raw::new("auto-generated"))
        .header(LOOP_HEADER, Raw::new(mail.site.to_owned()))
        .text_body(body)
        .write_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_message_names_the_site_and_marks_itself_automatic() {
        let from = EmailAddress::parse("help@acme.example").unwrap();
        let to = EmailAddress::parse("ann@example.org").unwrap();
        let bytes = compose(&TestMail {
            from: &from,
            to: &to,
            site: "acme",
            message_id: "test.1@acme.example",
            date_ms: 1_700_000_000_000,
        })
        .unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("Subject: postroom test message"), "{text}");
        assert!(text.contains("<ann@example.org>"), "{text}");
        assert!(text.contains("Auto-Submitted: auto-generated"), "{text}");
        assert!(text.contains("<test.1@acme.example>"), "{text}");
        assert!(text.contains("the site acme"), "{text}");
    }
}
