//! A realistic notification for the browser check of the default templates and for the
//! render-and-send benchmark: a long summary with an unbroken error code, a comment of
//! several paragraphs with a long unbroken URL and characters that are special in HTML,
//! for the three events customers are told of most (comment, new issue, status change).

use postroom_core::notify::{self, FileLink, JiraEvent, NotifyTemplates, Reader, Words};
use postroom_core::ports::tracker::{Issue, User};
use postroom_core::profile::EventKind;
use postroom_core::template::{CalendarDate, IssueContext, RenderContext};
use serde_json::json;

pub const ISSUE_KEY: &str = "SUP-4821";
pub const SITE: &str = "https://acme-support.atlassian.net";
pub const SUMMARY: &str = "Invoices for March & April show the wrong VAT rate <19%> and the \
     PDF export fails with ERR_PDF_RENDERER_FONT_SUBSET_0x8007001F on the customer portal";
/// An unbroken line longer than any phone is wide.
pub const LONG_URL: &str = "https://files.acme.example/download/attachments/104823/\
     invoice-export-2026-03-31T23:59:59Z-7f3c9a1e5b2d4c6a8e0f1a3b5c7d9e1f.pdf?token=\
     eyJhbGciOiJIUzI1NiJ9.c3VwcG9ydC1wb3J0YWw";
pub const COMMENT_OPENING: &str = "Hello Frank, thanks for the details & the screenshots.";
pub const COMMENT_MARKUP: &str = "<b>not bold</b> \"quoted\" 'single' & <script>x</script>";
pub const COMMENT_CLOSING: &str = "We will deploy the fix tonight and tell you here.";
/// A file of the comment with a name longer than a phone is wide, attached to the mail.
pub const LONG_FILE_NAME: &str =
    "invoice-export-2026-03-31-all-line-items-with-vat-breakdown-per-country-and-currency.pdf";
/// A file too large to attach, linked instead.
pub const LINKED_FILE_NAME: &str = "screen-recording-2026-11-23.mp4";

/// One event to render.
#[derive(Debug)]
pub struct Sample {
    /// Short name for files: `comment`, `created`, `status`.
    pub name: &'static str,
    pub kind: EventKind,
    pub event: JiraEvent,
    /// The event's files, as the planning job lists them.
    pub files: Vec<FileLink>,
}

pub fn comment_body() -> String {
    format!(
        "{COMMENT_OPENING}\n\nThe export log is here:\n{LONG_URL}\n\n\
         The renderer escaped nothing in your template: {COMMENT_MARKUP}\n\n{COMMENT_CLOSING}\n\n\
         -- \nAda Agent, Acme Support"
    )
}

pub fn samples() -> Vec<Sample> {
    let base = |event: &str| {
        json!({
            "webhookEvent": event,
            "timestamp": 1_795_000_000_000_i64,
            "user": {"accountId": "557058:agent-ada", "displayName": "Ada Agent"},
            "issue": {"id": "104823", "key": ISSUE_KEY, "fields": {"project": {"key": "SUP"}}},
        })
    };
    let mut comment = base("comment_created");
    comment["comment"] = json!({
        "id": "20931",
        "body": comment_body(),
        "author": {"accountId": "557058:agent-ada", "displayName": "Ada Agent"},
    });
    let mut status = base("jira:issue_updated");
    status["changelog"] = json!({
        "id": "88412",
        "items": [{"field": "status", "fieldId": "status",
                   "fromString": "In Progress", "toString": "Waiting for customer"}],
    });
    let parse = |body: serde_json::Value| {
        JiraEvent::parse(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    };
    vec![
        Sample {
            name: "comment",
            kind: EventKind::CommentAdded,
            event: parse(comment),
            files: vec![
                FileLink {
                    name: LONG_FILE_NAME.to_owned(),
                    size: 184_320,
                    link: None,
                    attached: true,
                },
                FileLink {
                    name: LINKED_FILE_NAME.to_owned(),
                    size: 48_000_000,
                    link: Some(format!("{SITE}/rest/api/3/attachment/content/30117")),
                    attached: false,
                },
            ],
        },
        Sample {
            name: "created",
            kind: EventKind::IssueCreated,
            event: parse(base("jira:issue_created")),
            files: Vec::new(),
        },
        Sample {
            name: "status",
            kind: EventKind::StatusChanged,
            event: parse(status),
            files: Vec::new(),
        },
    ]
}

/// The issue's variables, as the planning job builds them from Jira's answer.
pub fn issue_context() -> RenderContext {
    let issue: Issue = serde_json::from_value(json!({
        "id": "104823",
        "key": ISSUE_KEY,
        "fields": {
            "summary": SUMMARY,
            "status": {"name": "Waiting for customer"},
            "priority": {"name": "High"},
            "issuetype": {"name": "Support request"},
            "project": {"key": "SUP", "name": "Support"},
            "reporter": {"accountId": "qm:frank", "displayName": "Frank Müller",
                         "emailAddress": "frank@customer.example"},
            "created": "2026-11-20T09:12:44.000+0000",
        },
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let agent = User {
        account_id: "557058:agent-ada".to_owned(),
        display_name: "Ada Agent".to_owned(),
        email: None,
        active: true,
    };
    IssueContext {
        issue: &issue,
        fields: &[],
        agent: &agent,
        today: CalendarDate::new(2026, 11, 23).unwrap_or_else(|e| panic!("{e}")),
        site_url: SITE,
    }
    .build()
}

impl Sample {
    /// The words the customer Frank gets, rendered by `templates` (postroom's defaults
    /// as the fallback, as in the planning job).
    pub fn render(&self, issue: &RenderContext, templates: &NotifyTemplates) -> Words {
        let reader = Reader {
            name: Some("Frank Müller"),
            address: "frank@customer.example",
            reply_address: Some("support@acme.example"),
        };
        let context = notify::variables(issue, self.kind, &self.event, reader, &self.files);
        templates
            .render(&context, templates)
            .unwrap_or_else(|e| panic!("{e}"))
    }
}
