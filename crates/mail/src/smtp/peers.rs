//! Connection slots per peer: one address (or one IPv6 /64, which a single host can draw
//! addresses from at will) cannot hold more than `max_connections_per_peer` sessions, so
//! idle connections from one source cannot take every slot of the listener.
//!
//! A slot is an RAII guard: it is given back when the session's task ends, however it
//! ends (quit, timeout, error or panic), so no path can leave a slot held.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A refused peer is logged at most this often.
const LOG_EVERY: Duration = Duration::from_secs(60);

/// Refusal log times remembered before the stale ones are forgotten.
const PRUNE_ABOVE: usize = 10_000;

/// What counts as one peer: an IPv4 address, or the first 64 bits of an IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PeerKey {
    V4(u32),
    V6Net(u64),
}

impl PeerKey {
    pub(crate) fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self::V4(v4.to_bits()),
            // Truncation intended: the upper half is the /64.
            #[allow(clippy::cast_possible_truncation)]
            IpAddr::V6(v6) => Self::V6Net((v6.to_bits() >> 64) as u64),
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    open: HashMap<PeerKey, usize>,
    logged: HashMap<PeerKey, Instant>,
}

/// The open sessions of every peer of one listener.
#[derive(Debug, Default)]
pub(crate) struct PeerSlots {
    counts: Mutex<Counts>,
}

/// Why a peer got no slot, and whether this refusal should be logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Full {
    pub(crate) log: bool,
}

/// One session's slot; dropping it frees the slot.
#[derive(Debug)]
pub(crate) struct PeerSlot {
    slots: Arc<PeerSlots>,
    key: PeerKey,
}

impl PeerSlots {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        // A poisoned lock only means a holder panicked between two plain integer updates;
        // the counts are still whole.
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a slot for `peer` unless it already holds `max` of them.
    pub(crate) fn take(
        self: &Arc<Self>,
        peer: IpAddr,
        max: usize,
        now: Instant,
    ) -> Result<PeerSlot, Full> {
        let key = PeerKey::of(peer);
        let mut counts = self.lock();
        let open = counts.open.entry(key).or_insert(0);
        if *open < max {
            *open += 1;
            return Ok(PeerSlot {
                slots: Arc::clone(self),
                key,
            });
        }
        if counts.logged.len() > PRUNE_ABOVE {
            counts
                .logged
                .retain(|_, at| now.saturating_duration_since(*at) < LOG_EVERY);
        }
        let log = match counts.logged.get(&key) {
            Some(at) if now.saturating_duration_since(*at) < LOG_EVERY => false,
            _ => {
                counts.logged.insert(key, now);
                true
            }
        };
        Err(Full { log })
    }

    /// Sessions `peer` holds now.
    #[cfg(test)]
    pub(crate) fn open(&self, peer: IpAddr) -> usize {
        self.lock()
            .open
            .get(&PeerKey::of(peer))
            .copied()
            .unwrap_or(0)
    }

    /// Peers holding at least one session.
    #[cfg(test)]
    pub(crate) fn peers(&self) -> usize {
        self.lock().open.len()
    }
}

impl Drop for PeerSlot {
    fn drop(&mut self) {
        let mut counts = self.slots.lock();
        if let Some(open) = counts.open.get_mut(&self.key) {
            *open = open.saturating_sub(1);
            if *open == 0 {
                counts.open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_peer_gets_max_slots_and_one_more_after_giving_one_back() {
        let slots = Arc::new(PeerSlots::default());
        let t0 = Instant::now();
        let held: Vec<_> = (0..3)
            .map(|_| slots.take(ip("192.0.2.1"), 3, t0).unwrap())
            .collect();
        assert_eq!(
            slots.take(ip("192.0.2.1"), 3, t0).unwrap_err(),
            Full { log: true }
        );
        assert!(
            slots.take(ip("192.0.2.2"), 3, t0).is_ok(),
            "others are served"
        );
        drop(held);
        assert_eq!(slots.open(ip("192.0.2.1")), 0);
        assert_eq!(slots.peers(), 0, "nothing is left behind");
        assert!(slots.take(ip("192.0.2.1"), 3, t0).is_ok());
    }

    #[test]
    fn ipv6_peers_share_their_64() {
        let slots = Arc::new(PeerSlots::default());
        let t0 = Instant::now();
        let _a = slots.take(ip("2001:db8:1:2::1"), 2, t0).unwrap();
        let _b = slots.take(ip("2001:db8:1:2:ffff::9"), 2, t0).unwrap();
        assert!(slots.take(ip("2001:db8:1:2::77"), 2, t0).is_err());
        assert!(slots.take(ip("2001:db8:1:3::1"), 2, t0).is_ok());
    }

    #[test]
    fn a_refused_peer_is_logged_once_a_minute() {
        let slots = Arc::new(PeerSlots::default());
        let t0 = Instant::now();
        let peer = ip("::ffff:192.0.2.1");
        let _held = slots.take(peer, 1, t0).unwrap();
        assert!(slots.take(ip("192.0.2.1"), 1, t0).unwrap_err().log);
        let soon = t0 + Duration::from_secs(59);
        assert!(!slots.take(peer, 1, soon).unwrap_err().log);
        let later = t0 + Duration::from_secs(61);
        assert!(slots.take(peer, 1, later).unwrap_err().log);
    }
}
