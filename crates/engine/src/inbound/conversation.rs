//! A mail's turn in its conversation: it is planned only once the earlier mails of the same
//! conversation are carried out, and while no other worker carries one out (see
//! [`postroom_core::conversation`]). This is what keeps a reply that is taken before its
//! original from opening a second issue, with any number of workers and instances.
//!
//! Waiting never blocks unrelated mail: only this job is put back, for a short while, and
//! it waits at most `thread_wait` after it was taken in; then it is carried out anyway and
//! its report says why.

use std::time::Duration;

use postroom_core::conversation::Place;
use postroom_store::TenantStore;
use postroom_store::conversations::Claim;

use super::report::Report;
use super::{Failure, transient};
use crate::worker::JobError;

/// How long a mail waits at most for the earlier mails of its conversation, by default.
pub const DEFAULT_THREAD_WAIT: Duration = Duration::from_secs(600);

/// The first pause of a waiting mail; it grows with the time waited, up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(2);

/// The mail whose turn is asked for.
pub(super) struct Asking<'a> {
    pub tenant: &'a TenantStore,
    pub intake_id: &'a str,
    pub received_at_ms: i64,
    pub place: &'a Place,
}

/// Returns once it is this mail's turn; a [`JobError::Waiting`] puts the job back while an
/// earlier mail of the conversation is not carried out, or another worker holds it.
pub(super) async fn take_turn(
    asking: &Asking<'_>,
    thread_wait: Duration,
    now_ms: i64,
    report: &mut Report,
) -> Result<(), Failure> {
    let wait_ms = i64::try_from(thread_wait.as_millis()).unwrap_or(i64::MAX);
    let waited_ms = now_ms.saturating_sub(asking.received_at_ms).max(0);
    let patient = waited_ms < wait_ms;
    let tenant = asking.tenant;
    let earlier = tenant
        .earlier_in_conversation(asking.intake_id, asking.place, asking.received_at_ms)
        .await
        .map_err(transient)?;
    if let Some(earlier) = earlier {
        if patient {
            return Err(wait(
                waited_ms,
                format!("mail {earlier} of its conversation is not carried out yet"),
            ));
        }
        report.lines.push(format!(
            "conversation: waited {} s, the longest allowed, for mail {earlier} of the same \
             conversation; carried out before it",
            waited_ms / 1000
        ));
    }
    let claim = tenant
        .claim_conversation(
            &asking.place.thread,
            asking.intake_id,
            now_ms,
            now_ms.saturating_sub(wait_ms),
        )
        .await
        .map_err(transient)?;
    match claim {
        Claim::Ours => Ok(()),
        Claim::HeldBy(_) | Claim::Busy if !patient => {
            report.lines.push(format!(
                "conversation: waited {} s, the longest allowed, while another mail of the \
                 same conversation was being carried out; carried out alongside it",
                waited_ms / 1000
            ));
            Ok(())
        }
        Claim::HeldBy(holder) => Err(wait(
            waited_ms,
            format!("mail {holder} of its conversation is being carried out"),
        )),
        Claim::Busy => Err(wait(waited_ms, "its conversation changed hands".to_owned())),
    }
}

/// Puts the job back for a pause that grows with the time already waited: a reply whose
/// original is being created goes on moments after it, one behind a long outage polls
/// seldom.
fn wait(waited_ms: i64, reason: String) -> Failure {
    let quarter = Duration::from_millis(u64::try_from(waited_ms / 4).unwrap_or(0));
    Failure::Retry(JobError::Waiting {
        retry_after: quarter.clamp(FIRST_PAUSE, LONGEST_PAUSE),
        reason: format!("waiting: {reason}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pause(f: &Failure) -> Duration {
        match f {
            Failure::Retry(JobError::Waiting { retry_after, .. }) => *retry_after,
            other => panic!("not a wait: {other:?}"),
        }
    }

    #[test]
    fn the_pause_grows_with_the_wait_and_stays_bounded() {
        assert_eq!(pause(&wait(0, String::new())), FIRST_PAUSE);
        assert_eq!(pause(&wait(-5, String::new())), FIRST_PAUSE);
        assert_eq!(
            pause(&wait(2_000, String::new())),
            Duration::from_millis(500)
        );
        assert_eq!(pause(&wait(i64::MAX, String::new())), LONGEST_PAUSE);
    }
}
