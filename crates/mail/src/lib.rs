//! Mail I/O: where raw messages come from and go to (files, the SMTP/LMTP listener, the
//! IMAP poller, the SMTP sender).
//!
//! Parsing and every decision about a message live in `postroom-core`; this crate only
//! moves bytes.

pub mod files;
pub mod imap;
pub mod send;
pub mod smtp;
