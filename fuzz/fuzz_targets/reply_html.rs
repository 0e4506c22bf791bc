//! HTML reply extraction on arbitrary markup (quotation markers, broken tags, huge
//! attributes): must never panic or hang.
//!
//! Run with `cargo +nightly fuzz run reply_html` from the repository root; CI runs it for a few
//! seconds from `fuzz/seeds/reply_html` on stable (`scripts/fuzz-smoke`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use postroom_core::reply::{ReplyInput, extract};

fuzz_target!(|html: &str| {
    let got = extract(&ReplyInput {
        text: "",
        html: Some(html),
        sender_name: Some("Jane Roe"),
        subject: Some("Re: fuzz"),
    });
    let _ = got.report();
});
