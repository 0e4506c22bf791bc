//! Properties of reply extraction on arbitrary text: it never panics, never invents text
//! (every visible line is an input line or the start of one), and never returns nothing
//! for a text that has words in it.

use postroom_core::reply::{ReplyInput, extract};
use proptest::prelude::*;

/// Lines built from the pieces reply extraction reacts to, mixed with free text.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.:;!?<>@()\\-_*]{0,60}",
        "\\PC{0,40}",
        Just("> quoted".to_owned()),
        Just("-- ".to_owned()),
        Just("--".to_owned()),
        Just("```".to_owned()),
        Just("On Tue, Apr 11, 2017 at 10:07 PM John <john@example.com> wrote:".to_owned()),
        Just("Am 11.04.2017 um 22:07 schrieb John <".to_owned()),
        Just("john@example.com>:".to_owned()),
        Just("From: John <john@example.com>".to_owned()),
        Just("Sent: Tuesday, April 11, 2017 10:07 PM".to_owned()),
        Just("Subject: FW: order".to_owned()),
        Just("-----Original Message-----".to_owned()),
        Just("---------- Forwarded message ---------".to_owned()),
        Just("________________________________".to_owned()),
        Just("Sent from my iPhone".to_owned()),
        Just("Thanks,".to_owned()),
        Just("John".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn extraction_only_keeps_input_text(lines in prop::collection::vec(line(), 0..30)) {
        let text = lines.join("\n");
        let got = extract(&ReplyInput {
            text: &text,
            sender_name: Some("John Smith"),
            subject: Some("Re: order"),
            ..ReplyInput::default()
        });
        for visible in got.visible_text.lines() {
            let visible = visible.trim_end_matches(['-', ' ', '\t']).trim_end();
            prop_assert!(
                text.lines().any(|input| input.starts_with(visible) || input.trim_end() == visible),
                "invented line {visible:?}"
            );
        }
        if text.split_whitespace().next().is_some() {
            prop_assert!(!got.visible_text.trim().is_empty());
        }
    }
}
