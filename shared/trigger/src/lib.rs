//! The program-ended trigger (SPEC 1.8, 4): ends programs (an admin's end, or the
//! sweep finding them due), then runs their certification: evaluate every participant,
//! and per participant claim the outcome -> render the certificate -> store PDF and PNG
//! -> issue it in one transaction -> email -> mark notified.
//!
//! Every step is idempotent or guarded by a conditional write, so a crash at any point
//! and a rerun, or two runs at once, end as one clean run would. Work is checkpointed
//! in the run record per chunk of participants; a run stops before the deadline and
//! the next sweep resumes it. Only the holder of the run's lease sends emails.
//!
//! The same code serves the Lambda function (`functions/program-ended`) and the local
//! server's background task.

mod by_hand;
mod event;
mod metrics;
mod nudges;
mod pace;
mod publish;
mod regenerate;
mod remind;
mod run;

use std::sync::Arc;
use std::time::Duration;

use certify_blobs::BlobStore;
use certify_mail::Mailer;
use certify_rules::{Certificate, Clock, Program, ProgramState, RunRecord};
use certify_store::{AppStore, Conflict, StoreError};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Serialize;

use certify_mail::{Email, MailError};
pub use event::{BadEvent, Event};
use metrics::Tally;
use pace::{backoff, Pacer};
pub use run::{Opened, Run, Step};

/// Draws a certificate's PDF and PNG preview (one template, two outputs).
pub trait Render: Send + Sync {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>>;
    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>>;
}

impl Render for certify_render::Renderer {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(certify_render::Renderer::pdf(self, certificate, verify_url)?)
    }

    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(certify_render::Renderer::png(self, certificate, verify_url)?)
    }
}

/// How the trigger paces and bounds its work.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The API's public base URL: verification and download links, and the QR code.
    pub public_url: String,
    /// Emails handed to the mail service per second (SES accounts have a sending rate).
    pub send_rate: f64,
    /// Participants in flight at once (render, store, issue, email).
    pub concurrency: usize,
    /// Participants per checkpoint of the run record.
    pub chunk: usize,
    /// Programs of one sweep worked at once.
    pub programs_at_once: usize,
    /// Due programs one sweep ends, and unfinished runs it tries (each at most this many).
    pub sweep_limit: usize,
    /// How long a run's lease lasts past each checkpoint.
    pub lease: Duration,
    /// Stop starting chunks this long before the deadline.
    pub margin: Duration,
    /// Sends of one email before a throttled one is left for the next sweep.
    pub send_attempts: u32,
    /// Pages (of `chunk` certificates) one invocation works of each regeneration, so
    /// that a big one goes on over several sweeps and never holds up the next.
    pub regeneration_pages: usize,
    /// Certificates one sweep looks at for expiry reminders (each at most one email).
    pub reminders_per_sweep: usize,
    /// Pages (of 100 events) one sweep publishes at most.
    pub event_pages: usize,
    /// How old an entry must be before it is published: longer than any write takes
    /// to commit and reach the index, so that an earlier entry of the same subject is
    /// never still on its way when a later one is published.
    pub event_settle: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            public_url: "http://127.0.0.1:3000".into(),
            send_rate: 10.0,
            concurrency: 8,
            chunk: 100,
            programs_at_once: 4,
            sweep_limit: 50,
            lease: Duration::from_secs(120),
            margin: Duration::from_secs(60),
            send_attempts: 5,
            regeneration_pages: 10,
            reminders_per_sweep: 300,
            event_pages: 20,
            event_settle: Duration::from_secs(5),
        }
    }
}

/// The trigger's dependencies, built once per cold start.
pub struct Trigger {
    pub store: Arc<dyn AppStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    pub render: Arc<dyn Render>,
    pub settings: Settings,
    pub clock: Clock,
    pacer: Pacer,
    /// What this invocation did, counted as it goes, for its metrics.
    tally: Tally,
    /// Where committed history goes out as events ([`Trigger::with_publisher`]).
    publisher: Option<Arc<dyn certify_events::Publisher>>,
}

/// Why an event could not be handled. Nothing was changed by a [`TriggerError::BadEvent`]
/// or a [`TriggerError::NoSuchProgram`].
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    #[error(transparent)]
    BadEvent(#[from] BadEvent),
    #[error("no program {program_id} in workspace {workspace_id}")]
    NoSuchProgram { workspace_id: String, program_id: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TriggerError {
    /// The error's kind, as CloudWatch shows it for a failed invocation.
    pub fn kind(&self) -> &'static str {
        match self {
            TriggerError::BadEvent(_) => "BadEvent",
            TriggerError::NoSuchProgram { .. } => "NoSuchProgram",
            TriggerError::Store(_) => "StoreError",
        }
    }
}

/// A failed invocation as Lambda reports it: the kind as the error type (not a boxed
/// type name), the message (with its causes) as the message.
#[cfg(feature = "lambda")]
impl From<TriggerError> for lambda_runtime::Diagnostic {
    fn from(error: TriggerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: error.kind().to_string(),
            error_message: format!("{:#}", anyhow::Error::new(error)),
        }
    }
}

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
    pub fn new(
        store: Arc<dyn AppStore>,
        blobs: Arc<dyn BlobStore>,
        mailer: Arc<dyn Mailer>,
        render: Arc<dyn Render>,
        settings: Settings,
        clock: Clock,
    ) -> Trigger {
        let pacer = Pacer::new(settings.send_rate);
        Trigger {
            store,
            blobs,
            mailer,
            render,
            settings,
            clock,
            pacer,
            tally: Tally::default(),
            publisher: None,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Handles a raw event (the Lambda payload): parsed first, so a bad one changes
    /// nothing. `deadline`: when the invocation is stopped, on the trigger's clock (none
    /// locally).
    pub async fn handle(
        &self,
        event: serde_json::Value,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<Report, TriggerError> {
        let started = self.now();
        let report = self.handle_event(event, deadline).await;
        let tally = self.tally.take();
        if let Ok(report) = &report {
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
        report
    }

    async fn handle_event(
        &self,
        event: serde_json::Value,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<Report, TriggerError> {
        match Event::parse(&event)? {
            Event::Sweep => Ok(self.sweep(deadline).await?),
            Event::Program {
                workspace_id,
                program_id,
            } => Ok(Report {
                programs: vec![self.end_program(&workspace_id, &program_id, deadline).await?],
                ..Report::default()
            }),
            Event::Nudges { workspace_id, job_ids } => Ok(self.send_nudge_jobs(&workspace_id, job_ids, deadline).await),
        }
    }

    /// Ends every due `active` program, in due order, then tries every run due to be
    /// tried (SPEC 1.8.8): runs wait in a partition of their own, backing off while they
    /// fail, so none of them delays a due program; then sends queued nudges (1.9) and
    /// expiry reminders (1.14), works running regenerations (1.13) and publishes the
    /// committed history as events (1.15). A few
    /// at once; one program's failure is reported and does not stop the others.
    pub async fn sweep(&self, deadline: Option<DateTime<Utc>>) -> Result<Report, StoreError> {
        let now = self.now();
        let limit = self.settings.sweep_limit;
        let due = self.store.due_programs(now, limit).await?.into_iter().filter(|(ws, program)| {
            // The index said due; the program itself decides (an `ending` one stored
            // before runs were kept apart is run).
            let due = program.state == ProgramState::Ending || certify_rules::is_due(program, now);
            if !due {
                tracing::warn!(workspace = %ws, program = %program.id, ends_at = %program.ends_at, "sweep: indexed as due but not due; left alone");
            }
            due
        });
        let runs = self.store.due_runs(now, limit).await?;
        let results: Vec<_> = futures::stream::iter(due.chain(runs))
            .map(|(ws, program)| async move {
                let result = self.end_and_run(&ws, program, deadline).await;
                (ws, result)
            })
            .buffer_unordered(self.settings.programs_at_once.max(1))
            .collect()
            .await;
        let mut report = Report::default();
        for (ws, result) in results {
            match result {
                Ok(program) => report.programs.push(program),
                Err(e) => {
                    tracing::error!(workspace = %ws, error = ?e, "sweep: a program failed");
                    report.errors.push(format!("{ws}: {e}"));
                }
            }
        }
        // Then queued nudges, oldest first, after every due program and run.
        let jobs = self.store.due_nudge_jobs(now, limit).await?;
        self.send_jobs(jobs.into_iter().map(|(ws, job)| (ws, job.id)), deadline, &mut report)
            .await;
        // Then expiry reminders due (1.14), and regenerations, a few pages of each (1.13).
        self.send_reminders(deadline, &mut report).await;
        self.regenerate_due(deadline, &mut report).await;
        // Last, what all of the above committed goes out as events (1.15).
        self.publish_events(deadline, &mut report).await;
        Ok(report)
    }

    /// Sends the queued nudge jobs the API just queued in `ws` (a job the sweep or
    /// another invocation holds, or already done, is left alone).
    pub async fn send_nudge_jobs(&self, ws: &str, job_ids: Vec<String>, deadline: Option<DateTime<Utc>>) -> Report {
        let mut report = Report::default();
        let jobs = job_ids.into_iter().map(|id| (ws.to_string(), id));
        self.send_jobs(jobs, deadline, &mut report).await;
        report
    }

    /// Sends queued nudge jobs (`(workspace, job id)`), a few at once, into `report`; a
    /// job another invocation holds, or already done, is left alone.
    async fn send_jobs(
        &self,
        jobs: impl Iterator<Item = (String, String)>,
        deadline: Option<DateTime<Utc>>,
        report: &mut Report,
    ) {
        let sent: Vec<_> = futures::stream::iter(jobs)
            .map(|(ws, job_id)| async move {
                let result = self.send_nudges(&ws, &job_id, deadline).await;
                (ws, result)
            })
            .buffer_unordered(self.settings.programs_at_once.max(1))
            .collect()
            .await;
        for (ws, result) in sent {
            match result {
                Ok(n) => report.nudges_sent += n,
                // Another invocation took the job over.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => {
                    tracing::error!(workspace = %ws, error = ?e, "a nudge job failed");
                    report.errors.push(format!("{ws}: {e}"));
                }
            }
        }
    }

    /// Ends the program now if it is `active`, then runs or resumes its certification.
    pub async fn end_program(
        &self,
        ws: &str,
        program_id: &str,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<ProgramReport, TriggerError> {
        let program = self
            .store
            .program(ws, program_id)
            .await?
            .ok_or_else(|| TriggerError::NoSuchProgram {
                workspace_id: ws.to_string(),
                program_id: program_id.to_string(),
            })?;
        Ok(self.end_and_run(ws, program, deadline).await?)
    }

    async fn end_and_run(
        &self,
        ws: &str,
        program: Program,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<ProgramReport, StoreError> {
        let program = if program.state == ProgramState::Active {
            let ended_at = certify_rules::ended_at(&program, self.now());
            match self.store.begin_end(ws, &program.id, ended_at).await {
                Ok(program) => program,
                // Another caller ended it first: go on from what it wrote.
                Err(StoreError::Conflict(Conflict::ProgramEnded)) => {
                    self.store.program(ws, &program.id).await?.ok_or(StoreError::NotFound)?
                }
                Err(e) => return Err(e),
            }
        } else {
            program
        };
        let run = match program.state {
            ProgramState::Ending => run::run(self, ws, &program, deadline).await?,
            _ => self.store.run(ws, &program.id).await?,
        };
        let state = self
            .store
            .program(ws, &program.id)
            .await?
            .map_or(program.state, |p| p.state);
        Ok(ProgramReport {
            workspace_id: ws.to_string(),
            program_id: program.id,
            state,
            run,
        })
    }

    /// `ending` -> `ended` once the run is finished; a racing run may have done it.
    async fn finish(&self, ws: &str, program_id: &str) -> Result<(), StoreError> {
        match self.store.finish_end(ws, program_id).await {
            Ok(_) | Err(StoreError::Conflict(Conflict::ProgramEnded)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Sends one email, retrying throttling with backoff. `Ok(Some(reason))`: refused
    /// for good; an error: may or may not have gone, the next sweep retries.
    pub(crate) async fn send_email(&self, email: &Email) -> anyhow::Result<Option<String>> {
        let attempts = self.settings.send_attempts.max(1);
        for attempt in 0..attempts {
            self.pacer.wait().await;
            let sent = self.mailer.send(email).await;
            // Counted once settled: sent, or failed (a throttled one only on its last try).
            let counter = match &sent {
                Ok(_) => Some(&self.tally.emails_sent),
                Err(MailError::Throttled(_)) if attempt + 1 < attempts => None,
                Err(_) => Some(&self.tally.emails_failed),
            };
            if let Some(counter) = counter {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            match sent {
                Ok(_) => return Ok(None),
                Err(MailError::Rejected(reason)) => return Ok(Some(reason)),
                Err(MailError::Throttled(e)) if attempt + 1 == attempts => {
                    return Err(e.context("still throttled after every attempt"))
                }
                Err(MailError::Throttled(_)) => tokio::time::sleep(backoff(attempt)).await,
                Err(MailError::Unexpected(e)) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }
}
