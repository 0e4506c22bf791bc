//! postroom's pure domain logic.
//!
//! Everything here is deterministic: no I/O, no async runtime, no clock reads. The engine
//! hands in what the world knows (time, stored state) and carries out what this crate
//! decides, so every business rule is testable without a socket, a database or a clock.

pub mod adf;
pub mod attachments;
pub mod auto_reply;
pub mod canned;
pub mod classify;
pub mod conversation;
pub mod directives;
pub mod html;
pub mod inline_image;
pub mod markup;
pub mod message;
pub mod notify;
pub mod outcome;
pub mod plan;
pub mod ports;
pub mod post;
pub mod profile;
pub mod redact;
pub mod reply;
pub mod route;
pub mod scrub;
pub mod secret;
pub mod subject;
pub mod template;
pub mod tenant;
pub mod test_mail;
pub mod testcase;
pub mod thread;
pub mod try_it;
pub mod usage;
pub mod verp;
pub mod wiki;
