//! The edges of postroom: the command line, the HTTP server and the wiring of adapters
//! into the engine. `main.rs` only parses arguments and runs [`cli::run`]; everything else
//! lives here so that black-box tests can build the same router in-process.

pub mod app;
pub mod audit;
pub mod backup;
pub mod cli;
pub mod config;
pub mod console;
pub mod forge;
pub mod http;
pub mod inbound;
pub mod keys;
pub mod operator;
pub mod outbound;
pub mod people;
pub mod profiles;
pub mod reference;
pub mod retention;
pub mod sandbox;
pub mod site_mailboxes;
pub mod sites;
pub mod telemetry;
pub mod tenancy;
pub mod test_mail;
pub mod trackers;
