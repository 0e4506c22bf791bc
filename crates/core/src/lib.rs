//! postroom's pure domain logic.
//!
//! Everything here is deterministic: no I/O, no async runtime, no clock reads. The engine
//! hands in what the world knows (time, stored state) and carries out what this crate
//! decides, so every business rule is testable without a socket, a database or a clock.

pub mod message;
pub mod redact;
pub mod tenant;
