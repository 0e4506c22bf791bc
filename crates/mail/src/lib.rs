//! Mail I/O: where raw messages come from and go to (files, SMTP out, and later IMAP,
//! SMTP and LMTP in).
//!
//! Parsing and every decision about a message live in `postroom-core`; this crate only
//! moves bytes.

pub mod files;
pub mod send;
