//! Raw bytes → `Message` → dry-run line: must never panic, hang or grow without bound.
//!
//! Run with `cargo +nightly fuzz run parse_message fuzz/corpus/parse_message` from the
//! repository root.

#![no_main]

use libfuzzer_sys::fuzz_target;
use postroom_core::message::{Message, ParseLimits};
use postroom_core::outcome::{Outcome, Source};

fuzz_target!(|raw: &[u8]| {
    let limits = ParseLimits {
        max_size: 1 << 20,
        ..ParseLimits::default()
    };
    if let Ok(parsed) = Message::parse(raw, &limits) {
        let source = Source {
            path: "fuzz".to_owned(),
            index: 0,
        };
        let outcome = Outcome::read_only(source, &parsed);
        // Serialization is part of the contract; it must hold for any parsed message.
        let _ = serde_json::to_string(&outcome);
        let _ = parsed.message.sanitized_html();
    }
});
