//! The ports: small traits through which the engine reaches the world. Adapters implement
//! them; core's own logic never awaits them.

pub mod budget_ledger;
pub mod mail_sender;
pub mod mailbox;
pub mod tracker;
