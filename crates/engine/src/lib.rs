//! postroom's flows, run as jobs of the durable queue.
//!
//! [`intake`] takes raw mail in from every source. [`worker`] is the loop that takes jobs from the queue, runs the handler registered for
//! their kind and settles them (complete, retry later, or dead).

pub mod intake;
pub mod worker;
