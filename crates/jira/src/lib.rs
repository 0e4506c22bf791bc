//! postroom's Jira adapter: the [`Tracker`](postroom_core::ports::tracker::Tracker) port
//! over Jira's REST API, for Jira Cloud (v3, ADF) and Jira Data Center (v2, wiki markup).
//!
//! It is written to be a good citizen of a shared Jira: one [`JiraClient`] per tenant
//! learns what the site allows (an adaptive rate per endpoint and an adaptive concurrency),
//! honours `Retry-After` and `X-RateLimit-Reset` in the scope Jira names, serves an agent
//! before live mail and live mail before a bulk import ([`Priority`]), retries only what is
//! safe to retry, and never creates an issue twice (see `api::create`).

mod api;
mod auth;
mod check;
mod client;
mod config;
mod errors;
mod headers;
mod limiter;
mod tracker_impl;
mod transport;

pub use auth::{Auth, FORGE_TOKEN_WAIT, OAuthTokens, SystemToken};
pub use check::{CheckReport, ProjectCheck, check};
pub use client::JiraClient;
pub use config::{Fleet, JiraConfig, Politeness};
pub use limiter::{AppBudget, EndpointPace, PaceReport, Priority};
/// The one secret type of the project, re-exported for the client's configuration.
pub use postroom_core::secret::Secret;
