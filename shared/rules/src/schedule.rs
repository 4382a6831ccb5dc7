//! When programs end and whether their run certifies anyone (SPEC 1.8.1-2).

use chrono::{DateTime, Utc};
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
