//! Mail I/O: where raw messages come from and go to (files, and later IMAP, SMTP, LMTP).
//!
//! Parsing and every decision about a message live in `postroom-core`; this crate only
//! moves bytes.

pub mod files;
