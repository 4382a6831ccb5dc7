//! A program's certification run (SPEC 1.8): whether it certifies anyone (1.8.2), the
//! record that checkpoints it, and the errors it keeps of the participants it failed
//! (1.8.8). When a failing run is tried again, and when it gives a participant up, is
//! [`backoff`]'s.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::program::Program;

pub mod backoff;

use backoff::retry_delay;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    Running,
    Completed,
    Skipped,
}

/// A program's certification run, kept up to date as its checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    pub program_id: String,
    pub state: RunState,
    pub reason: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub participants: u64,
    pub evaluated: u64,
    pub certified: u64,
    pub did_not_pass: u64,
    pub notified: u64,
    pub failed: u64,
    /// The latest errors, one per participant and step.
    #[serde(default, deserialize_with = "run_errors")]
    pub errors: Vec<RunError>,
    /// Tries in a row in which a participant failed (0 once a try fails no one).
    #[serde(default)]
    pub failed_attempts: u32,
    /// When the sweep tries a failing run again (SPEC 1.8.8); none while it is not
    /// backing off.
    #[serde(default)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The latest certificates drawn with characters no bundled font has (SPEC 1.17),
    /// one per participant: issued all the same.
    #[serde(default)]
    pub warnings: Vec<RunWarning>,
}

/// The step of a run a participant failed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStep {
    /// Drawing, storing and recording the certificate.
    Certificate,
    /// The result email.
    Email,
}

/// Why a participant failed, as a stable code an admin or a script can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunErrorCode {
    RenderFailed,
    StorageFailed,
    IssueFailed,
    EmailRefused,
    EmailFailed,
    LeaseExpired,
    /// Still failing 24 hours after the first failure: no more tries.
    GivenUp,
}

impl RunErrorCode {
    /// What it means, in words free of internals (the detail goes to the logs).
    pub fn message(self) -> &'static str {
        match self {
            RunErrorCode::RenderFailed => "the certificate could not be drawn; the next sweep tries again",
            RunErrorCode::StorageFailed => "the certificate's files could not be stored; the next sweep tries again",
            RunErrorCode::IssueFailed => "the certificate could not be recorded; the next sweep tries again",
            RunErrorCode::EmailRefused => "the mail service refused the address for good; no email will be sent",
            RunErrorCode::EmailFailed => "the email could not be sent; the next sweep tries again",
            RunErrorCode::LeaseExpired => "the run's time to send ran out before this email; the next sweep sends it",
            RunErrorCode::GivenUp => "still failing 24 hours after the first failure; given up, no more tries",
        }
    }
}

/// One participant's failure in a run (SPEC 1.8.8): who, at which step, a stable code
/// and a plain message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunError {
    pub user_id: String,
    pub step: RunStep,
    pub code: RunErrorCode,
    pub message: String,
}

impl RunError {
    pub fn new(user_id: &str, step: RunStep, code: RunErrorCode) -> RunError {
        RunError {
            user_id: user_id.to_string(),
            step,
            code,
            message: code.message().to_string(),
        }
    }
}

/// What was drawn in place of characters no bundled font has (SPEC 1.17): each shows as
/// a visible replacement glyph (never the font's empty box) and the text layer keeps the
/// character itself. Told to the admin in the run record and the by-hand answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawWarning {
    /// `uncovered_characters`, the one kind so far.
    pub code: String,
    /// Each character once, as `U+1F9FF`, in the order the texts hold them.
    pub characters: Vec<String>,
    pub message: String,
}

impl DrawWarning {
    /// The warning for `uncovered`, the characters no font has; `None` when there are none.
    pub fn uncovered(uncovered: &[char]) -> Option<DrawWarning> {
        if uncovered.is_empty() {
            return None;
        }
        let mut characters: Vec<String> = Vec::with_capacity(uncovered.len());
        for c in uncovered {
            let code = format!("U+{:04X}", u32::from(*c));
            if !characters.contains(&code) {
                characters.push(code);
            }
        }
        Some(DrawWarning {
            code: "uncovered_characters".to_string(),
            characters,
            message: "no bundled font has these characters: each is drawn as a replacement mark, and the \
                      certificate's text layer keeps the character"
                .to_string(),
        })
    }
}

/// A participant's certificate drawn with a [`DrawWarning`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunWarning {
    pub user_id: String,
    #[serde(flatten)]
    pub warning: DrawWarning,
}

/// Run errors as stored; entries of an older shape (free text) are left out.
fn run_errors<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<RunError>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        Error(RunError),
        Other(serde::de::IgnoredAny),
    }
    let entries = Vec::<Stored>::deserialize(deserializer)?;
    Ok(entries
        .into_iter()
        .filter_map(|entry| match entry {
            Stored::Error(error) => Some(error),
            Stored::Other(_) => None,
        })
        .collect())
}

/// How many errors a run record keeps (the latest).
pub const RUN_ERRORS_KEPT: usize = 20;

impl RunRecord {
    pub fn start(program_id: &str, now: DateTime<Utc>) -> RunRecord {
        RunRecord {
            program_id: program_id.to_string(),
            state: RunState::Running,
            reason: None,
            started_at: now,
            finished_at: None,
            participants: 0,
            evaluated: 0,
            certified: 0,
            did_not_pass: 0,
            notified: 0,
            failed: 0,
            errors: Vec::new(),
            failed_attempts: 0,
            next_attempt_at: None,
            warnings: Vec::new(),
        }
    }

    /// Records how a try of the run ended: when `failures`, one more failed try and the
    /// next after [`retry_delay`]; else none in a row and the next at once. Answers when
    /// the sweep may try the run again.
    pub fn schedule_next(&mut self, failures: bool, now: DateTime<Utc>) -> DateTime<Utc> {
        if failures {
            self.failed_attempts = self.failed_attempts.saturating_add(1);
            self.next_attempt_at = Some(now + retry_delay(self.failed_attempts));
        } else {
            self.failed_attempts = 0;
            self.next_attempt_at = None;
        }
        self.next_attempt_at.unwrap_or(now)
    }

    /// Keeps the latest warning of each participant, and the latest
    /// [`RUN_ERRORS_KEPT`] in all.
    pub fn push_warning(&mut self, user_id: &str, warning: DrawWarning) {
        self.warnings.retain(|w| w.user_id != user_id);
        self.warnings.push(RunWarning {
            user_id: user_id.to_string(),
            warning,
        });
        let excess = self.warnings.len().saturating_sub(RUN_ERRORS_KEPT);
        self.warnings.drain(..excess);
    }

    /// Keeps the latest errors only.
    pub fn push_error(&mut self, error: RunError) {
        self.errors.push(error);
        let excess = self.errors.len().saturating_sub(RUN_ERRORS_KEPT);
        self.errors.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::program;

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

    #[test]
    fn a_warning_names_each_uncovered_character_once_and_keeps_one_per_participant() {
        assert_eq!(DrawWarning::uncovered(&[]), None);
        let warning = DrawWarning::uncovered(&['\u{1F9FF}', 'a', '\u{1F9FF}']).unwrap();
        assert_eq!(warning.code, "uncovered_characters");
        assert_eq!(warning.characters, ["U+1F9FF", "U+0061"]);
        let mut record = RunRecord::start("p1", "2026-11-28T19:00:00Z".parse().unwrap());
        record.push_warning("u1", warning.clone());
        record.push_warning("u1", warning.clone());
        for n in 0..RUN_ERRORS_KEPT {
            record.push_warning(&format!("v{n}"), warning.clone());
        }
        assert_eq!(record.warnings.len(), RUN_ERRORS_KEPT);
        assert!(record.warnings.iter().all(|w| w.user_id != "u1"));
        let stored = serde_json::to_value(&record.warnings[0]).unwrap();
        assert_eq!(stored["user_id"], "v0");
        assert_eq!(stored["characters"][0], "U+1F9FF");
        let read: RunRecord = serde_json::from_value(serde_json::to_value(&record).unwrap()).unwrap();
        assert_eq!(read, record);
    }

    #[test]
    fn run_errors_carry_a_stable_code_and_older_free_text_ones_are_left_out() {
        let error = RunError::new("u1", RunStep::Email, RunErrorCode::EmailFailed);
        assert_eq!(error.message, RunErrorCode::EmailFailed.message());
        let mut record = RunRecord::start("p1", "2026-11-28T19:00:00Z".parse().unwrap());
        record.push_error(error.clone());
        let mut stored = serde_json::to_value(&record).unwrap();
        assert_eq!(
            stored["errors"][0],
            serde_json::json!({"user_id": "u1", "step": "email", "code": "email_failed",
                               "message": RunErrorCode::EmailFailed.message()})
        );
        stored["errors"] = serde_json::json!(["u0: storing the PDF: bucket certify-files", error]);
        let read: RunRecord = serde_json::from_value(stored).unwrap();
        assert_eq!(read.errors, [error]);
    }
}
