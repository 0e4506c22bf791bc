//! The REST calls behind each `Tracker` method, grouped by resource.

pub(crate) mod attachments;
pub(crate) mod comments;
pub(crate) mod create;
pub(crate) mod issues;
pub(crate) mod jsm;
pub(crate) mod meta;
pub(crate) mod properties;
pub(crate) mod search;
pub(crate) mod users;
