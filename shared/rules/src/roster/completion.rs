//! The completion banner (SPEC 1.10): what a participant of an ended program is shown,
//! once the program's run has recorded their outcome.

use serde::{Deserialize, Serialize};

use super::Outcome;
use crate::program::ProgramState;
use crate::run::RunState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    Passed,
    DidNotPass,
    Pending,
}

/// The banner's status for a participant of an ended program: pending until the run
/// has finished, then their recorded outcome.
pub fn completion(program: ProgramState, run: Option<RunState>, outcome: Option<&Outcome>) -> Completion {
    match (program, run, outcome) {
        (ProgramState::Ended, Some(RunState::Completed), Some(Outcome::Passed)) => Completion::Passed,
        (ProgramState::Ended, Some(RunState::Completed), Some(Outcome::DidNotPass { .. })) => Completion::DidNotPass,
        _ => Completion::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_is_pending_until_the_run_completes() {
        let passed = Outcome::Passed;
        assert_eq!(
            completion(ProgramState::Ending, Some(RunState::Running), Some(&passed)),
            Completion::Pending
        );
        assert_eq!(
            completion(ProgramState::Ended, Some(RunState::Completed), Some(&passed)),
            Completion::Passed
        );
        let failed = Outcome::DidNotPass { not_completed: vec![] };
        assert_eq!(
            completion(ProgramState::Ended, Some(RunState::Completed), Some(&failed)),
            Completion::DidNotPass
        );
    }
}
