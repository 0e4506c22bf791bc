//! Canned responses: reply templates that agents pick, fill in from an issue and post as a
//! comment in one step.
//!
//! This module holds the decisions, free of I/O: the template model ([`model`]), who may see,
//! use and change a template ([`access`]), how templates are ranked for a search
//! ([`search`]) and the versioned JSON format teams move templates between sites with
//! ([`exchange`]). The store keeps templates, the engine resolves the caller's facts
//! through the `Tracker` and carries the decisions out.

pub mod access;
pub mod exchange;
pub mod model;
pub mod search;

pub use access::{Access, Action, CallerFacts, ProjectFacts, access, may_create};
pub use exchange::{EXPORT_FORMAT, EXPORT_VERSION, Export, ImportError, parse_import};
pub use model::{Draft, Problem, Scope, Template, body_problems};
pub use search::{Hit, Mine, RecentUse, SearchIndex};

#[cfg(test)]
mod access_tests;
