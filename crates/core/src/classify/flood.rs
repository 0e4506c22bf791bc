//! Floods: a misbehaving responder can send hundreds of mails an hour. The engine counts
//! per sender (it owns the clock and the store); the decision to hold is made here.

use serde::Serialize;

use super::FloodCount;

/// The message is held for review instead of processed: the sender went over the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hold {
    /// Mails seen from the sender in the window.
    pub recent: u32,
    /// The limit that was exceeded.
    pub threshold: u32,
}

/// Holds when the count is over the threshold; the threshold-th mail is still processed.
pub(super) fn decide(count: FloodCount) -> Option<Hold> {
    (count.recent > count.threshold).then_some(Hold {
        recent: count.recent,
        threshold: count.threshold,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_the_threshold_is_held_and_at_it_is_not() {
        let at = FloodCount {
            recent: 20,
            threshold: 20,
        };
        assert_eq!(decide(at), None);
        let over = FloodCount {
            recent: 21,
            threshold: 20,
        };
        assert_eq!(
            decide(over),
            Some(Hold {
                recent: 21,
                threshold: 20
            })
        );
        assert_eq!(
            decide(FloodCount {
                recent: 0,
                threshold: 0
            }),
            None
        );
    }
}
