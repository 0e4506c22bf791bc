//! The dry-run outcome carries the reply's visible text beside the whole body, and reports
//! what the reply stage cut and whether the message was a forward.

#![allow(
    clippy::unwrap_used,
    reason = "fixed test messages; a panic is the failure report"
)]

use postroom_core::message::{Message, ParseLimits};
use postroom_core::outcome::{Outcome, Source};

fn outcome(raw: &str) -> Outcome {
    let parsed = Message::parse(raw.as_bytes(), &ParseLimits::default()).unwrap();
    Outcome::read_only(
        Source {
            path: "x.eml".into(),
            index: 0,
        },
        &parsed,
    )
}

#[test]
fn visible_text_is_the_reply_and_body_text_stays_whole() {
    let got = outcome(concat!(
        "From: Jane Roe <jane@example.com>\r\nSubject: Re: Order 1234\r\n\r\n",
        "It arrived, thanks.\r\n\r\nBest regards,\r\nJane\r\n\r\n",
        "On Tue, Apr 11, 2017 at 10:07 PM Support <support@example.com> wrote:\r\n",
        "> Your order has shipped.\r\n",
    ));
    assert_eq!(
        got.visible_text,
        "It arrived, thanks.\n\nBest regards,\nJane"
    );
    assert!(got.body_text.contains("> Your order has shipped."));
    assert_eq!(got.report, ["reply: quoted history removed (quote_header)"]);
}

#[test]
fn a_forward_is_reported_and_kept_whole() {
    let got = outcome(concat!(
        "From: Jane Roe <jane@example.com>\r\nSubject: Fwd: Outage\r\n\r\n",
        "FYI\r\n\r\n---------- Forwarded message ---------\r\n",
        "From: Ann <ann@example.com>\r\nDate: Tue, Apr 11, 2017\r\nSubject: Outage\r\n\r\n",
        "The site is down.\r\n",
    ));
    assert!(got.visible_text.starts_with("FYI"));
    assert!(got.visible_text.ends_with("The site is down."));
    assert!(
        got.report
            .iter()
            .any(|line| line.contains("forwarded message kept whole"))
    );
}

#[test]
fn html_only_reply_is_cut_at_the_gmail_quote() {
    let got = outcome(concat!(
        "From: Jane Roe <jane@example.com>\r\nSubject: Re: Order\r\n",
        "Content-Type: text/html; charset=utf-8\r\n\r\n",
        "<div dir=\"ltr\">It arrived.</div><div class=\"gmail_quote\">",
        "<div class=\"gmail_attr\">On Tue, Apr 11, 2017 at 10:07 PM Support wrote:</div>",
        "<blockquote class=\"gmail_quote\">Shipped.</blockquote></div>\r\n",
    ));
    assert_eq!(got.visible_text, "It arrived.");
    assert!(got.body_text.contains("Shipped."));
}
