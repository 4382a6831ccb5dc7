//! What an invocation did, as it answers it and as its metrics and log line say it.

use certify_rules::{ProgramState, RunRecord};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{metrics, Trigger, TriggerError};

/// What one program's handling left behind.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramReport {
    pub workspace_id: String,
    pub program_id: String,
    pub state: ProgramState,
    /// The run record as this invocation left it (`None`: another holds the run).
    pub run: Option<RunRecord>,
}

/// What an invocation did: one program, or every program a sweep took on.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub programs: Vec<ProgramReport>,
    /// Nudge emails sent (SPEC 1.9).
    pub nudges_sent: usize,
    /// Expiry reminders sent (SPEC 1.14).
    pub reminders_sent: usize,
    /// Certificates regenerated (SPEC 1.13).
    pub regenerated: u64,
    /// History entries published as events (SPEC 1.15).
    pub events_published: usize,
    /// Sweep errors, per program (`workspace/program: error`).
    pub errors: Vec<String>,
}

impl Trigger {
    /// Emits an invocation's metrics and its one log line (from `started`), and starts
    /// the next invocation's counts afresh.
    pub(crate) fn account(&self, report: &Result<Report, TriggerError>, started: DateTime<Utc>) {
        let tally = self.tally.take();
        if let Ok(report) = report {
            metrics::emit(report, &tally, started);
            tracing::info!(
                programs = report.programs.len(),
                certificates_issued = tally.issued,
                emails_sent = tally.emails_sent,
                emails_failed = tally.emails_failed,
                nudges_sent = report.nudges_sent,
                reminders_sent = report.reminders_sent,
                regenerated = report.regenerated,
                events_published = report.events_published,
                errors = report.errors.len(),
                "invocation done"
            );
        }
    }
}
