//! The bounds every render runs within, so that a template written by anyone with the right
//! to save one can never hang a worker or exhaust its memory.

/// Longest template source accepted at save time (64 KiB): far more than any reply needs.
pub const MAX_SOURCE_BYTES: usize = 64 * 1024;

/// Longest rendered text (64 KiB). Jira refuses comments over 32,767 characters, so a longer
/// result is a mistake; the render stops as soon as it is passed.
pub const MAX_OUTPUT_BYTES: usize = 64 * 1024;

/// minijinja fuel per render: about one unit per instruction and per 64 bytes of data
/// created, so this bounds both time (a typical canned response uses a few hundred) and
/// the memory a template can allocate (a few MB).
pub const FUEL: u64 = 100_000;

/// Nesting depth: loops and conditions count one level, a macro call about ten.
pub const RECURSION_LIMIT: usize = 100;
