//! postroom's pure domain logic.
//!
//! Everything here is deterministic: no I/O, no async runtime, no clock reads. The engine
//! hands in what the world knows (time, stored state) and carries out what this crate
//! decides, so every business rule is testable without a socket, a database or a clock.

pub mod tenant;
pub mod message;
pub mod html;
pub mod outcome;
pub mod reply;
pub mod adf;
pub mod connect_jwt;
pub mod ports;
pub mod wiki;
pub mod classify;
pub mod profile;
pub mod subject;
pub mod directives;
pub mod thread;
pub mod route;
pub mod plan;
