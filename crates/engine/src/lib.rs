//! postroom's flows, run as jobs of the durable queue.
//!
//! [`worker`] is the loop that takes jobs from the queue, runs the handler registered for
//! their kind and settles them (complete, retry later, or dead).

pub mod responses;
pub mod worker;
