//! What an invocation of the trigger tells CloudWatch (embedded metric format, by
//! function): certificates issued, emails sent and failed, nudges, reminders,
//! regenerated certificates and events published, and for each run it completed, its
//! duration and its participants failed (what the "runs with failed participants" alarm
//! watches).

use std::sync::atomic::{AtomicU64, Ordering};

use certify_metrics::Metric;
use certify_rules::RunState;
use chrono::{DateTime, Utc};

use crate::Report;

/// Counters the work bumps as it goes; [`Tally::take`] reads and clears them once per
/// invocation (a Lambda sandbox runs one at a time).
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub issued: AtomicU64,
    pub emails_sent: AtomicU64,
    pub emails_failed: AtomicU64,
}

/// A [`Tally`] as read.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub issued: u64,
    pub emails_sent: u64,
    pub emails_failed: u64,
}

impl Tally {
    pub fn take(&self) -> Counts {
        Counts {
            issued: self.issued.swap(0, Ordering::Relaxed),
            emails_sent: self.emails_sent.swap(0, Ordering::Relaxed),
            emails_failed: self.emails_failed.swap(0, Ordering::Relaxed),
        }
    }
}

/// The line of certificates issued and emails sent and failed.
pub(crate) fn emit_counts(counts: &Counts) {
    certify_metrics::emit(None, &count_metrics(counts));
}

fn count_metrics(counts: &Counts) -> [Metric; 3] {
    [
        Metric::count("CertificatesIssued", counts.issued),
        Metric::count("EmailsSent", counts.emails_sent),
        Metric::count("EmailsFailed", counts.emails_failed),
    ]
}

/// The metric lines of an invocation that started at `started`.
pub(crate) fn emit(report: &Report, counts: &Counts, started: DateTime<Utc>) {
    let mut metrics = count_metrics(counts).to_vec();
    metrics.extend([
        Metric::count("NudgesSent", report.nudges_sent as u64),
        Metric::count("RemindersSent", report.reminders_sent as u64),
        Metric::count("CertificatesRegenerated", report.regenerated),
        Metric::count("EventsPublished", report.events_published as u64),
        Metric::count("SweepErrors", report.errors.len() as u64),
    ]);
    certify_metrics::emit(None, &metrics);
    // Each run this invocation completed: one line, so that every duration counts.
    for run in report.programs.iter().filter_map(|p| p.run.as_ref()) {
        let Some(finished) = run
            .finished_at
            .filter(|f| run.state == RunState::Completed && *f >= started)
        else {
            continue;
        };
        let duration = (finished - run.started_at).num_milliseconds().max(0) as f64;
        certify_metrics::emit(
            None,
            &[
                Metric::millis("RunDuration", duration),
                Metric::count("RunsCompleted", 1),
                Metric::count("ParticipantsFailed", run.failed),
            ],
        );
    }
}
