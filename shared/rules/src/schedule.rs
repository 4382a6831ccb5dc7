//! When programs end, whether their run certifies anyone (SPEC 1.8.1-2), and when a
//! run that keeps failing is tried again or gives a participant up (SPEC 1.8.8).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::program::{Program, ProgramState};

/// An `active` program whose end time has come is due for the sweep.
pub fn is_due(program: &Program, now: DateTime<Utc>) -> bool {
    program.state == ProgramState::Active && program.ends_at <= now
}

/// The end date recorded for a program ended at `now`: the earlier of `now` and
/// `ends_at`, so a late sweep still dates the end at `ends_at`.
pub fn ended_at(program: &Program, now: DateTime<Utc>) -> DateTime<Utc> {
    now.min(program.ends_at)
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunSkipReason {
    CertificationsDisabled,
    NoCertification,
}

impl RunSkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RunSkipReason::CertificationsDisabled => "certifications_disabled",
            RunSkipReason::NoCertification => "no_certification",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunDecision<'a> {
    /// End the program and record a `skipped` run with this reason.
    Skip(RunSkipReason),
    /// Evaluate every participant against this certification.
    Certify { certification_id: &'a str },
}

/// Whether an ending program's run certifies anyone.
pub fn decide_run(certifications_enabled: bool, program: &Program) -> RunDecision<'_> {
    match (certifications_enabled, program.certification_id.as_deref()) {
        (false, _) => RunDecision::Skip(RunSkipReason::CertificationsDisabled),
        (true, None) => RunDecision::Skip(RunSkipReason::NoCertification),
        (true, Some(certification_id)) => RunDecision::Certify { certification_id },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{at, now, program};

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

    #[test]
    fn a_late_sweep_dates_the_end_at_ends_at_and_an_early_end_at_now() {
        let p = program("p1", "P");
        assert_eq!(ended_at(&p, at("2026-12-21T09:00:00Z")), p.ends_at);
        assert_eq!(ended_at(&p, now()), now());
    }

    #[test]
    fn only_active_programs_past_their_end_are_due() {
        let mut p = program("p1", "P");
        assert!(!is_due(&p, now()));
        assert!(is_due(&p, p.ends_at));
        p.state = ProgramState::Ending;
        assert!(!is_due(&p, at("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn runs_skip_when_disabled_or_unlinked() {
        let mut p = program("p1", "P");
        assert_eq!(
            decide_run(false, &p),
            RunDecision::Skip(RunSkipReason::CertificationsDisabled)
        );
        assert_eq!(decide_run(true, &p), RunDecision::Certify { certification_id: "c1" });
        p.certification_id = None;
        assert_eq!(decide_run(true, &p), RunDecision::Skip(RunSkipReason::NoCertification));
        assert_eq!(RunSkipReason::NoCertification.as_str(), "no_certification");
    }
}
