//! What a load run measured and found, printed as a summary, and the problems in it
//! (anything that makes the run a failure).

use std::fmt;
use std::time::Duration;

use crate::check::EndOutcome;

/// The figures and findings of one run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub clients: usize,
    /// How long the clients ran, measured.
    pub elapsed: Duration,
    /// Requests that got an answer.
    pub requests: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Per kind of request: (kind, requests, p50 ms, p99 ms).
    pub by_kind: Vec<(String, usize, f64, f64)>,
    pub errors: u64,
    pub error_samples: Vec<String>,
    /// Requests cut off by the kill or sent while the server was down: never
    /// acknowledged, so not errors.
    pub gap_failures: u64,
    pub acknowledged_writes: u64,
    pub lost_writes: Vec<String>,
    /// Half-written state the API showed: a list that does not parse, a listed
    /// certificate whose PDF does not download.
    pub half_written: Vec<String>,
    /// Certificates whose PDF was downloaded in the checks.
    pub pdfs_checked: usize,
    pub kill: Option<KillReport>,
}

/// What the hard kill came to.
#[derive(Debug, Clone, Default)]
pub struct KillReport {
    /// From SIGKILL to the restarted server listening.
    pub downtime: Duration,
    /// How far the ended program's run had got when the kill fell: its certificate
    /// PDFs on disk and its emails in the outbox.
    pub pdfs_at_kill: usize,
    pub emails_at_kill: usize,
    pub end: EndOutcome,
}

impl Report {
    pub fn per_second(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.requests as f64 / seconds
        } else {
            0.0
        }
    }

    /// Every way the run failed; empty when it passed.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.errors > 0 {
            problems.push(format!("{} errors, e.g. {:?}", self.errors, self.error_samples));
        }
        if !self.lost_writes.is_empty() {
            problems.push(format!(
                "{} lost writes, e.g. {:?}",
                self.lost_writes.len(),
                &self.lost_writes[..self.lost_writes.len().min(10)]
            ));
        }
        if !self.half_written.is_empty() {
            problems.push(format!("half-written state: {:?}", self.half_written));
        }
        if let Some(kill) = &self.kill {
            let end = &kill.end;
            if end.run_state != "completed" {
                problems.push(format!("the run ended at the kill did not complete: {}", end.run));
            }
            if !end.wrong_certificates.is_empty() || end.certificates != end.passing {
                problems.push(format!(
                    "{} certificates for {} passed participants: {:?}",
                    end.certificates, end.passing, end.wrong_certificates
                ));
            }
            if !end.missing_pdfs.is_empty() {
                problems.push(format!("certificates without a PDF: {:?}", end.missing_pdfs));
            }
            if !end.wrong_emails.is_empty() {
                problems.push(format!("emails out of 1..=2: {:?}", end.wrong_emails));
            }
        }
        problems
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "clients              {}", self.clients)?;
        writeln!(f, "duration             {:.1} s", self.elapsed.as_secs_f64())?;
        writeln!(f, "requests             {}", self.requests)?;
        writeln!(f, "throughput           {:.0} requests/s", self.per_second())?;
        writeln!(
            f,
            "latency              p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            self.p50_ms, self.p99_ms, self.max_ms
        )?;
        for (kind, requests, p50, p99) in &self.by_kind {
            writeln!(
                f,
                "  {kind:<18} {requests:>7} requests, p50 {p50:.1} ms, p99 {p99:.1} ms"
            )?;
        }
        writeln!(f, "errors               {}", self.errors)?;
        for sample in &self.error_samples {
            writeln!(f, "  {sample}")?;
        }
        writeln!(f, "acknowledged writes  {}", self.acknowledged_writes)?;
        writeln!(f, "lost writes          {}", self.lost_writes.len())?;
        for lost in self.lost_writes.iter().take(10) {
            writeln!(f, "  {lost}")?;
        }
        writeln!(
            f,
            "half-written         {} ({} PDFs downloaded)",
            self.half_written.len(),
            self.pdfs_checked
        )?;
        for half in &self.half_written {
            writeln!(f, "  {half}")?;
        }
        if let Some(kill) = &self.kill {
            let end = &kill.end;
            writeln!(f, "hard kill")?;
            writeln!(
                f,
                "  gap failures       {} (no answer while down; not acknowledged)",
                self.gap_failures
            )?;
            writeln!(
                f,
                "  downtime           {:.2} s (SIGKILL to listening again)",
                kill.downtime.as_secs_f64()
            )?;
            writeln!(
                f,
                "  at the kill        {} PDFs written, {} emails sent, of {} participants",
                kill.pdfs_at_kill,
                kill.emails_at_kill,
                end.participants_len()
            )?;
            writeln!(
                f,
                "  run                {} (certified {}, did_not_pass {}, notified {}, failed {})",
                end.run_state, end.run["certified"], end.run["did_not_pass"], end.run["notified"], end.run["failed"]
            )?;
            writeln!(
                f,
                "  certificates       {} for {} passed ({} wrong, {} without a PDF)",
                end.certificates,
                end.passing,
                end.wrong_certificates.len(),
                end.missing_pdfs.len()
            )?;
            writeln!(
                f,
                "  emails             {}..{} per participant ({} outside 1..2)",
                end.emails_min,
                end.emails_max,
                end.wrong_emails.len()
            )?;
        }
        let problems = self.problems();
        if problems.is_empty() {
            writeln!(f, "result               ok")
        } else {
            writeln!(f, "result               FAILED")?;
            for problem in problems {
                writeln!(f, "  {problem}")?;
            }
            Ok(())
        }
    }
}

impl EndOutcome {
    /// Participants of the ended program (the run record's count).
    fn participants_len(&self) -> String {
        self.run["participants"].to_string()
    }
}
