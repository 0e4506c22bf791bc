//! HTML replies: the quotation is cut where each client marks it, before conversion, when the
//! text alternative is missing or lost the quotation's structure.

use postroom_core::reply::{Note, QuoteRule, ReplyInput, extract};

fn from_html(html: &str) -> (String, Option<QuoteRule>, bool) {
    let got = extract(&ReplyInput {
        text: "",
        html: Some(html),
        ..ReplyInput::default()
    });
    (got.visible_text, got.quote_found_by, got.is_forward)
}

/// Reply markup as each client writes it, with its quotation below the new text.
const CLIENTS: &[(&str, &str, QuoteRule)] = &[
    (
        "gmail",
        r#"<div dir="ltr">Thanks, it works now.</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Tue, Apr 11, 2017 at 10:07 PM John Smith &lt;<a href="mailto:john@example.com">john@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Please retry.</blockquote></div>"#,
        QuoteRule::HtmlGmailQuote,
    ),
    (
        "apple mail",
        r#"<html><body dir="auto">Thanks, it works now.<div><br><blockquote type="cite"><div>On 11 Apr 2017, at 22:07, John Smith &lt;john@example.com&gt; wrote:</div><div>Please retry.</div></blockquote></div></body></html>"#,
        QuoteRule::HtmlCiteBlockquote,
    ),
    (
        "thunderbird",
        r#"<html><body><p>Thanks, it works now.</p><div class="moz-cite-prefix">On 11/04/2017 22:07, John Smith wrote:<br></div><blockquote type="cite" cite="mid:1@example.com">Please retry.</blockquote></body></html>"#,
        QuoteRule::HtmlMozCitePrefix,
    ),
    (
        "outlook web",
        r#"<div dir="ltr"><p>Thanks, it works now.</p></div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> John Smith &lt;john@example.com&gt;<br><b>Sent:</b> Tuesday, April 11, 2017 10:07 PM<br><b>Subject:</b> Order</div><div>Please retry.</div>"#,
        QuoteRule::HtmlOutlookAppendOnSend,
    ),
    (
        "outlook new",
        r#"<div><p>Thanks, it works now.</p></div><hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> John<br><b>Sent:</b> Tuesday</div><div>Please retry.</div>"#,
        QuoteRule::HtmlOutlookReplyDiv,
    ),
    (
        "outlook desktop",
        r#"<div class="WordSection1"><p class="MsoNormal">Thanks, it works now.</p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> John Smith &lt;john@example.com&gt;<br><b>Sent:</b> Tuesday, April 11, 2017 10:07 PM</p></div></div><p class="MsoNormal">Please retry.</p></div>"#,
        QuoteRule::HtmlOutlookBorderTop,
    ),
    (
        "yahoo",
        r#"<div class="ydp1"><div>Thanks, it works now.</div></div><div id="yahoo_quoted_0123" class="yahoo_quoted"><div>On Tuesday, April 11, 2017, 10:07 PM, John Smith &lt;john@example.com&gt; wrote:</div><div>Please retry.</div></div>"#,
        QuoteRule::HtmlYahooQuoted,
    ),
    (
        "proton",
        r#"<div>Thanks, it works now.</div><div class="protonmail_quote">On Tuesday, April 11th, 2017 at 10:07 PM, John Smith &lt;john@example.com&gt; wrote:<blockquote class="protonmail_quote">Please retry.</blockquote></div>"#,
        QuoteRule::HtmlWebmailQuote,
    ),
];

#[test]
fn each_clients_html_quotation_is_cut_before_conversion() {
    for (client, html, rule) in CLIENTS {
        let (visible, found, forward) = from_html(html);
        assert_eq!(visible, "Thanks, it works now.", "{client}");
        assert_eq!(found, Some(*rule), "{client}");
        assert!(!forward, "{client}");
    }
}

#[test]
fn html_is_used_when_the_text_alternative_lost_the_quote() {
    let (_, gmail, _) = CLIENTS[0];
    let poor_text = "Thanks, it works now.\n\nPlease retry.";
    let got = extract(&ReplyInput {
        text: poor_text,
        html: Some(gmail),
        ..ReplyInput::default()
    });
    assert_eq!(got.visible_text, "Thanks, it works now.");
    assert!(got.notes.contains(&Note::UsedHtml));
}

#[test]
fn a_good_text_alternative_wins_over_the_html() {
    let (_, gmail, _) = CLIENTS[0];
    let text = "Thanks!\n\nOn Tue, Apr 11, 2017 at 10:07 PM John Smith <john@example.com> wrote:\n> Please retry.";
    let got = extract(&ReplyInput {
        text,
        html: Some(gmail),
        ..ReplyInput::default()
    });
    assert_eq!(got.visible_text, "Thanks!");
    assert_eq!(got.quote_found_by, Some(QuoteRule::QuoteHeader));
    assert!(got.notes.is_empty());
}

#[test]
fn gmail_forward_in_html_is_kept_whole() {
    let html = r#"<div dir="ltr">FYI</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>From: <b>Ann</b> &lt;ann@example.com&gt;<br>Date: Tue, Apr 11, 2017<br>Subject: Outage<br></div><div>The site is down.</div></div>"#;
    let got = extract(&ReplyInput {
        text: "",
        html: Some(html),
        ..ReplyInput::default()
    });
    assert!(got.is_forward);
    assert!(got.visible_text.starts_with("FYI"));
    assert!(got.visible_text.contains("The site is down."));
}

#[test]
fn html_without_marker_and_without_text_is_converted_whole() {
    let (visible, found, _) = from_html("<p>Hello</p><ul><li>one</li><li>two</li></ul>");
    assert!(visible.starts_with("Hello"));
    assert!(visible.contains("one") && visible.contains("two"));
    assert_eq!(found, None);
}

#[test]
fn html_blockquote_without_client_marker_is_read_as_quoting() {
    let html = "<p>Agreed.</p><p>On 11/04/2017 22:07, John Smith wrote:</p><blockquote>Shall we?</blockquote>";
    let (visible, found, _) = from_html(html);
    assert_eq!(visible, "Agreed.");
    assert_eq!(found, Some(QuoteRule::QuoteHeader));
}

#[test]
fn malformed_html_does_not_fail() {
    let (visible, _, _) = from_html("<div class=\"gmail_quote\"<<<>>><p>unclosed");
    assert!(visible.len() < 100);
    let (visible, _, _) = from_html("<p>Reply<div class='gmail_quote'>");
    assert_eq!(visible, "Reply");
}

#[test]
fn huge_html_without_marker_is_capped_and_says_so() {
    let html = "<p>The quick brown fox jumps over the lazy dog.</p>\n".repeat(60_000);
    let got = extract(&ReplyInput {
        text: "",
        html: Some(&html),
        ..ReplyInput::default()
    });
    assert!(got.visible_text.starts_with("The quick brown fox"));
    assert!(
        got.visible_text.len() > 2_500_000,
        "the writer's words past the inspection cap are kept"
    );
    assert!(
        got.notes
            .iter()
            .any(|n| matches!(n, Note::InspectionCapped { .. }))
    );
}

#[test]
fn a_blockquote_without_marker_or_attribution_is_the_writers_quotation() {
    let html = "<p>The manual says:</p><blockquote>Restart the service after each upgrade.</blockquote><p>Did I miss a step?</p>";
    let (visible, found, _) = from_html(html);
    assert!(visible.contains("Restart the service"), "{visible}");
    assert!(visible.contains("Did I miss a step?"), "{visible}");
    assert_eq!(found, None);
}

#[test]
fn an_hr_above_a_header_block_starts_the_quotation() {
    let html = "<div>Approved.</div><hr><b>From:</b> Ann &lt;ann@example.com&gt;<br><b>Sent:</b> Tuesday, April 11, 2017 10:07 PM<br><b>Subject:</b> Budget<br><br>Please approve.";
    let (visible, found, _) = from_html(html);
    assert_eq!(visible, "Approved.");
    assert_eq!(found, Some(QuoteRule::HtmlRuleAndHeader));
}

#[test]
fn the_closing_and_name_of_an_html_reply_stay_and_its_card_goes() {
    let html = "<div>It works now.</div><div><br></div><div>Thanks,</div><div>Maria</div><div>Support Lead | Acme Ltd</div><div>+49 30 1234567</div><div class=\"gmail_quote\">On Tue, Apr 11, 2017 at 10:07 PM Bob wrote:<blockquote class=\"gmail_quote\">old</blockquote></div>";
    let (visible, _, _) = from_html(html);
    assert_eq!(visible, "It works now.\n\nThanks,\nMaria");
}
