//! When a run whose participants keep failing is tried again, and when it gives a
//! participant up (SPEC 1.8.8): the wait doubles from a minute to at most an hour, and a
//! participant still failing a day after the first failure is given up. A certification's
//! regeneration backs off by the same rules.

use chrono::{DateTime, Duration, Utc};

/// The longest wait between two tries of a run whose participants keep failing.
pub const RETRY_DELAY_MAX: Duration = Duration::hours(1);

/// A participant still failing this long after their first failure is given up.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);

/// The wait before the next try of a run that failed `failed_attempts` times in a row:
/// 1, 2, 4 ... minutes, at most [`RETRY_DELAY_MAX`].
pub fn retry_delay(failed_attempts: u32) -> Duration {
    let doublings = failed_attempts.saturating_sub(1).min(6);
    Duration::minutes(1 << doublings).min(RETRY_DELAY_MAX)
}

/// Whether a participant failing since `failing_since` is given up at `now`.
pub fn gives_up(failing_since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - failing_since >= GIVE_UP_AFTER
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::now;

    #[test]
    fn a_failing_run_waits_1_2_4_minutes_and_at_most_an_hour() {
        let minutes: Vec<i64> = (0..=9).map(|n| retry_delay(n).num_minutes()).collect();
        assert_eq!(minutes, [1, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(retry_delay(u32::MAX), RETRY_DELAY_MAX);
    }

    #[test]
    fn a_participant_is_given_up_24_hours_after_the_first_failure() {
        let since = now();
        assert!(!gives_up(since, since));
        assert!(!gives_up(since, since + Duration::hours(24) - Duration::seconds(1)));
        assert!(gives_up(since, since + Duration::hours(24)));
    }
}
