//! Per-peer-IP token buckets: a single sender cannot open connections or start messages
//! faster than the configured rate. Time is passed in, so the arithmetic is tested
//! without a clock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Instant;

use super::config::RateLimit;

/// Peers remembered before full (idle) buckets are forgotten; bounds memory under a flood
/// of distinct source addresses.
const PRUNE_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of every peer seen recently.
#[derive(Debug)]
pub(crate) struct PeerRates {
    limit: RateLimit,
    buckets: HashMap<IpAddr, Bucket>,
}

impl PeerRates {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: HashMap::new(),
        }
    }

    /// Takes one token from `peer`'s bucket; `false` when it is empty.
    pub(crate) fn allow(&mut self, peer: IpAddr, now: Instant) -> bool {
        if self.buckets.len() > PRUNE_ABOVE {
            self.prune(now);
        }
        let burst = f64::from(self.limit.burst);
        let bucket = self.buckets.entry(peer).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled = refill(self.limit, *bucket, now);
        *bucket = Bucket {
            tokens: refilled,
            at: now,
        };
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets peers whose bucket has refilled completely: they would start afresh anyway.
    fn prune(&mut self, now: Instant) {
        let burst = f64::from(self.limit.burst);
        let full: Vec<IpAddr> = self
            .buckets
            .iter()
            .filter(|(_, b)| refill(self.limit, **b, now) >= burst)
            .map(|(ip, _)| *ip)
            .collect();
        for ip in full {
            self.buckets.remove(&ip);
        }
    }
}

/// The bucket's tokens at `now`: what it held plus the refill since, capped at the burst.
fn refill(limit: RateLimit, bucket: Bucket, now: Instant) -> f64 {
    let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
    let added = elapsed * f64::from(limit.per_minute) / 60.0;
    (bucket.tokens + added).min(f64::from(limit.burst))
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    #[test]
    fn burst_is_spent_then_refilled_at_the_rate() {
        let mut rates = PeerRates::new(RateLimit {
            burst: 3,
            per_minute: 60,
        });
        let t0 = Instant::now();
        assert!((0..3).all(|_| rates.allow(ip(1), t0)));
        assert!(!rates.allow(ip(1), t0));
        assert!(!rates.allow(ip(1), t0 + Duration::from_millis(500)));
        assert!(rates.allow(ip(1), t0 + Duration::from_millis(1600)));
        assert!(!rates.allow(ip(1), t0 + Duration::from_millis(1700)));
    }

    #[test]
    fn peers_do_not_share_a_bucket() {
        let mut rates = PeerRates::new(RateLimit {
            burst: 1,
            per_minute: 1,
        });
        let t0 = Instant::now();
        assert!(rates.allow(ip(1), t0));
        assert!(!rates.allow(ip(1), t0));
        assert!(rates.allow(ip(2), t0));
    }

    #[test]
    fn zero_burst_refuses_everything_and_refill_never_exceeds_burst() {
        let mut none = PeerRates::new(RateLimit {
            burst: 0,
            per_minute: 1000,
        });
        let t0 = Instant::now();
        assert!(!none.allow(ip(1), t0 + Duration::from_secs(3600)));

        let mut rates = PeerRates::new(RateLimit {
            burst: 2,
            per_minute: 60,
        });
        assert!(rates.allow(ip(1), t0));
        let later = t0 + Duration::from_secs(3600);
        assert!(rates.allow(ip(1), later) && rates.allow(ip(1), later));
        assert!(!rates.allow(ip(1), later));
    }

    #[test]
    fn a_flood_of_peers_is_pruned_once_their_buckets_refill() {
        let mut rates = PeerRates::new(RateLimit {
            burst: 1,
            per_minute: 60,
        });
        let t0 = Instant::now();
        for n in 0..=PRUNE_ABOVE as u32 {
            rates.allow(IpAddr::V4(Ipv4Addr::from(n)), t0);
        }
        assert!(rates.buckets.len() > PRUNE_ABOVE);
        assert!(rates.allow(ip(1), t0 + Duration::from_secs(2)));
        assert_eq!(rates.buckets.len(), 1);
    }
}
