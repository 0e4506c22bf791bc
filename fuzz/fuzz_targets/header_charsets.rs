//! Header decoding: raw 8-bit bytes, encoded words (split characters, missing padding,
//! wrong labels) and a leading blank line, wrapped in a message so that the bytes land in the
//! header block. Must never panic or hang.
//!
//! Run with `cargo +nightly fuzz run header_charsets` from the repository root; CI runs it for a few
//! seconds from `fuzz/seeds/header_charsets` on stable (`scripts/fuzz-smoke`).

#![no_main]

use libfuzzer_sys::fuzz_target;
use postroom_core::message::{Message, ParseLimits};

fuzz_target!(|data: &[u8]| {
    let mut raw = Vec::with_capacity(data.len() + 96);
    if data.first().is_some_and(|b| b % 2 == 0) {
        raw.extend_from_slice(b"   \r\n");
    }
    raw.extend_from_slice(b"From: a@example.com\r\nSubject: ");
    raw.extend_from_slice(data);
    raw.extend_from_slice(b"\r\nContent-Type: text/plain; charset=Shift_JIS\r\n\r\nbody\r\n");
    let _ = Message::parse(&raw, &ParseLimits::default());
});
