//! Mail I/O: where raw messages come from and go to (files, the SMTP/LMTP listener, the
//! SMTP sender, and later IMAP).
//!
//! Parsing and every decision about a message live in `postroom-core`; this crate only
//! moves bytes.

pub mod files;
pub mod send;
pub mod smtp;
