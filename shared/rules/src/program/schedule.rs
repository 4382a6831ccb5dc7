//! When programs end (SPEC 1.8.1): which are due for the sweep, and the end date recorded.

use chrono::{DateTime, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{at, now, program};

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
}
