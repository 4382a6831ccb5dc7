//! Certificates, run records and the completion banner (SPEC 1.8.3-5, 1.10, 1.11).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::certification::{expires_on, Certification};
use crate::credential::StatusEntry;
use crate::field::Invalid;
use crate::participant::Participant;
use crate::program::{Program, ProgramState};
use crate::roster::Outcome;
use crate::view::ProgramRef;

/// What a certificate keeps of its certification, whatever happens to it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationSnapshot {
    pub id: String,
    pub name: String,
    pub description: String,
    pub issuer_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Active,
    Revoked,
    Expired,
}

impl CertificateStatus {
    /// The serde name (a test holds them equal).
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Active => "active",
            CertificateStatus::Revoked => "revoked",
            CertificateStatus::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: String,
    pub user_id: String,
    pub holder_name: String,
    pub certification: CertificationSnapshot,
    /// The program whose end issued it; `None` for one an admin issued by hand.
    pub program: Option<ProgramRef>,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub replaced_by: Option<String>,
    /// An admin's internal note (SPEC 1.13): shown to admins only, never on the
    /// certificate, its verification page or to its holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where its expiry reminders go (SPEC 1.14): the holder's address when it was
    /// issued. Never shown: not in any view, page, file or event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_email: Option<String>,
    /// Its entry in the revocation status lists (SPEC 1.12), given when it is issued;
    /// `None` on a certificate issued before credentials were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusEntry>,
}

impl Certificate {
    /// The certificate a program's end issues to one passed participant: dated at the
    /// program's end, expiring by the certification's settings at that time.
    pub fn issue(
        id: String,
        holder: &Participant,
        certification: &Certification,
        program: &Program,
        ended_at: DateTime<Utc>,
    ) -> Certificate {
        let issued_on = ended_at.date_naive();
        Certificate {
            id,
            user_id: holder.user_id.clone(),
            holder_name: holder.name.clone(),
            certification: CertificationSnapshot {
                id: certification.id.clone(),
                name: certification.fields.name.clone(),
                description: certification.fields.description.clone(),
                issuer_name: certification.fields.issuer_name.clone(),
            },
            program: Some(ProgramRef {
                id: program.id.clone(),
                name: program.name.clone(),
            }),
            issued_on,
            expires_on: expires_on(issued_on, certification.fields.validity.as_ref()),
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
            note: None,
            holder_email: Some(holder.email.clone()),
            status: None,
        }
    }

    /// Revoked wins; an active certificate whose expiry is before `today` is expired.
    pub fn status(&self, today: NaiveDate) -> CertificateStatus {
        if self.revoked_at.is_some() {
            CertificateStatus::Revoked
        } else if self.expires_on.is_some_and(|d| d < today) {
            CertificateStatus::Expired
        } else {
            CertificateStatus::Active
        }
    }
}

/// Longest reason an admin may give for revoking a certificate, in characters.
pub const REASON_MAX: usize = 500;

/// The reason for a revocation as the admin gave it: at most [`REASON_MAX`] characters
/// as sent, not blank, trimmed.
pub fn revocation_reason(raw: Option<&str>) -> Result<String, Invalid> {
    let raw = raw.unwrap_or("");
    let reason = raw.trim();
    if reason.is_empty() || raw.chars().count() > REASON_MAX {
        return Err(Invalid::one("reason", format!("must be 1 to {REASON_MAX} characters")));
    }
    Ok(reason.to_string())
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
        }
    }

    /// Records how a try of the run ended: when `failures`, one more failed try and the
    /// next after [`crate::retry_delay`]; else none in a row and the next at once. Answers when
    /// the sweep may try the run again.
    pub fn schedule_next(&mut self, failures: bool, now: DateTime<Utc>) -> DateTime<Utc> {
        if failures {
            self.failed_attempts = self.failed_attempts.saturating_add(1);
            self.next_attempt_at = Some(now + crate::retry_delay(self.failed_attempts));
        } else {
            self.failed_attempts = 0;
            self.next_attempt_at = None;
        }
        self.next_attempt_at.unwrap_or(now)
    }

    /// Keeps the latest errors only.
    pub fn push_error(&mut self, error: RunError) {
        self.errors.push(error);
        let excess = self.errors.len().saturating_sub(RUN_ERRORS_KEPT);
        self.errors.drain(..excess);
    }
}

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
    use crate::certification::{CertificationFields, Validity, ValidityUnit};
    use crate::fixtures::{at, day, now, person, program};

    fn certification(validity: Option<Validity>) -> Certification {
        Certification {
            id: "c1".into(),
            fields: CertificationFields {
                name: "Leadership Essentials".into(),
                description: "d".into(),
                issuer_name: "Exec".into(),
                validity,
                expiry_reminders_days: vec![30],
            },
            created_at: now(),
            updated_at: now(),
            version: 3,
            archived_at: None,
        }
    }

    #[test]
    fn a_status_reads_as_its_serde_name() {
        for status in [
            CertificateStatus::Active,
            CertificateStatus::Revoked,
            CertificateStatus::Expired,
        ] {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json.as_str(), Some(status.as_str()));
        }
    }

    #[test]
    fn a_certificate_is_dated_at_the_program_end_with_the_current_validity() {
        let validity = Validity::new(1, ValidityUnit::Months).unwrap();
        let c = Certificate::issue(
            "x".into(),
            &person("u1", "Ana"),
            &certification(Some(validity)),
            &program("p1", "P"),
            at("2024-01-31T23:30:00Z"),
        );
        assert_eq!(
            (c.issued_on, c.expires_on),
            (day("2024-01-31"), Some(day("2024-02-29")))
        );
        assert_eq!(c.certification.name, "Leadership Essentials");
        assert_eq!(c.status(day("2024-02-29")), CertificateStatus::Active);
        assert_eq!(c.status(day("2024-03-01")), CertificateStatus::Expired);
        let revoked = Certificate {
            revoked_at: Some(now()),
            ..c
        };
        assert_eq!(revoked.status(day("2024-02-01")), CertificateStatus::Revoked);
    }

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

    #[test]
    fn a_revocation_reason_is_trimmed_and_holds_one_to_five_hundred_characters() {
        assert_eq!(
            revocation_reason(Some("  left the company \n")).unwrap(),
            "left the company"
        );
        assert_eq!(
            revocation_reason(Some(&"é".repeat(REASON_MAX)))
                .unwrap()
                .chars()
                .count(),
            500
        );
        for bad in [None, Some(""), Some("   "), Some(&*"é".repeat(REASON_MAX + 1))] {
            let err = revocation_reason(bad).unwrap_err();
            assert_eq!(err.fields(), ["reason"], "{bad:?}");
            assert_eq!(err.0[0].problem, "must be 1 to 500 characters");
        }
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
