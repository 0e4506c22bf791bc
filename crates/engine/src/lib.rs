//! postroom's flows, run as jobs of the durable queue.
//!
//! [`intake`] takes raw mail in from every source. [`worker`] is the loop that takes jobs
//! from the queue, runs the handler registered for their kind and settles them (complete,
//! retry later, or dead). [`responses`] is the canned-response service the API and CLI call
//! directly (it needs no queue: an agent waits for its comment). [`outbound`] sends the mail
//! postroom writes itself (acknowledgements). [`audit`] and [`retention`] are what
//! administrators see of what was kept, and how it goes.

pub mod audit;
pub mod inbound;
pub mod intake;
pub mod operator;
pub mod outbound;
pub mod people;
pub mod profiles;
pub mod responses;
pub mod retention;
pub mod testcases;
pub mod webhooks;
pub mod worker;
