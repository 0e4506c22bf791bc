//! What to do with a failed job: a pure function of the failure, the attempt and a random
//! draw, so the policy is tested without a clock or a database.

/// Why a job failed, as the handler classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// May succeed later (network, timeout, 5xx): retry with backoff.
    Transient,
    /// Will never succeed (malformed input, 4xx): park as dead at once.
    Permanent,
    /// The remote asked to wait: retry not before this many milliseconds. Does not count as
    /// an attempt, so a long rate limit does not kill the job.
    RateLimited { retry_after_ms: i64 },
}

/// How hard to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// A job that failed transiently this many times is parked as dead.
    pub max_attempts: i64,
    /// The delay after the first failure; doubles with each further attempt.
    pub base_ms: i64,
    /// The longest delay.
    pub cap_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            base_ms: 1_000,
            cap_ms: 3_600_000,
        }
    }
}

/// The decision on a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Take again at this time; `counts` says whether this failure used up an attempt.
    RetryAt {
        run_at_ms: i64,
        counts: bool,
    },
    Dead,
}

/// The delay before retry number `attempt` (1 = after the first failure): exponential from
/// `base_ms`, capped, with "equal jitter" so many jobs failing together spread out while each
/// still waits at least half the nominal delay. `random` is a draw in `[0, 1)`.
pub fn backoff_ms(policy: &RetryPolicy, attempt: i64, random: f64) -> i64 {
    let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 62)).unwrap_or(62);
    let nominal = policy
        .base_ms
        .saturating_mul(2_i64.saturating_pow(exponent))
        .min(policy.cap_ms)
        .max(0);
    let half = nominal / 2;
    let random = if random.is_finite() {
        random.clamp(0.0, 1.0)
    } else {
        0.0
    };
    // Truncation is intended: jitter is a whole number of milliseconds below `half`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let jitter = (half as f64 * random) as i64;
    nominal - half + jitter
}

/// Decides what happens to a job that failed on its `attempts`-th take.
pub fn verdict(
    policy: &RetryPolicy,
    failure: Failure,
    attempts: i64,
    now_ms: i64,
    random: f64,
) -> Verdict {
    match failure {
        Failure::Permanent => Verdict::Dead,
        Failure::RateLimited { retry_after_ms } => Verdict::RetryAt {
            run_at_ms: now_ms.saturating_add(retry_after_ms.max(0)),
            counts: false,
        },
        Failure::Transient if attempts >= policy.max_attempts => Verdict::Dead,
        Failure::Transient => Verdict::RetryAt {
            run_at_ms: now_ms.saturating_add(backoff_ms(policy, attempts, random)),
            counts: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: RetryPolicy = RetryPolicy {
        max_attempts: 5,
        base_ms: 1_000,
        cap_ms: 60_000,
    };

    #[test]
    fn delays_grow_then_cap() {
        let lows: Vec<i64> = (1..=8).map(|a| backoff_ms(&P, a, 0.0)).collect();
        assert_eq!(
            lows,
            [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]
        );
        let highs: Vec<i64> = (1..=3).map(|a| backoff_ms(&P, a, 0.999_999)).collect();
        assert_eq!(highs, [999, 1_999, 3_999]);
    }

    #[test]
    fn odd_inputs_stay_in_range() {
        assert_eq!(backoff_ms(&P, 0, 0.5), backoff_ms(&P, 1, 0.5));
        assert_eq!(backoff_ms(&P, i64::MAX, 0.0), 30_000);
        assert_eq!(backoff_ms(&P, -3, f64::NAN), 500);
        assert_eq!(backoff_ms(&P, 2, 7.0), 2_000);
    }

    #[test]
    fn verdicts_follow_the_failure_kind() {
        assert_eq!(verdict(&P, Failure::Permanent, 1, 10, 0.0), Verdict::Dead);
        assert_eq!(
            verdict(&P, Failure::Transient, 1, 10, 0.0),
            Verdict::RetryAt {
                run_at_ms: 510,
                counts: true
            }
        );
        assert_eq!(verdict(&P, Failure::Transient, 5, 10, 0.0), Verdict::Dead);
        assert_eq!(
            verdict(
                &P,
                Failure::RateLimited {
                    retry_after_ms: 90_000
                },
                5,
                10,
                0.0
            ),
            Verdict::RetryAt {
                run_at_ms: 90_010,
                counts: false
            }
        );
        assert_eq!(
            verdict(&P, Failure::RateLimited { retry_after_ms: -5 }, 1, 10, 0.0),
            Verdict::RetryAt {
                run_at_ms: 10,
                counts: false
            }
        );
    }
}
