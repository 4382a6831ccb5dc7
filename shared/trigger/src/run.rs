//! One program's certification run (SPEC 1.8.2-7), as steps.
//!
//! [`Run::open`] reads the roster once, starts the run record (or finds it finished, or
//! held by another invocation) and takes the run's lease. Each [`Run::step`] then works
//! the next chunk of participants not yet notified: claim the chunk's outcomes (one
//! transaction), per passed participant, a few at once, render -> put PDF and PNG ->
//! issue; checkpoint (renewing the lease); email each one, paced; mark the chunk notified
//! (one transaction). [`Run::close`] checkpoints what was reached: `completed` once
//! everyone is notified, else the lease is released for the next sweep. Counts are
//! derived from what each participant has reached, so a resumed run counts the same as
//! one clean run.

use std::collections::{HashMap, VecDeque};

use anyhow::Context;
use certify_blobs::{certificate_key, FileKind};
use certify_mail::templates::{did_not_pass_email, passed_email};
use certify_mail::Email;
use certify_rules::{
    decide_run, Certificate, Certification, EnrollmentRecord, Outcome, Program, RunDecision, RunError, RunErrorCode,
    RunRecord, RunState, RunStep,
};
use certify_store::{Claim, Lease, NotifyMark, StoreError};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::pace::emails_per_minute;
use crate::Trigger;

/// What one [`Run::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A chunk was worked; more may follow.
    Progressed,
    /// No chunk is left for this invocation.
    Done,
}

/// What [`Run::open`] found.
pub enum Opened<'a> {
    /// Nothing to work: the run is completed or skipped (the program is `ended` now).
    Finished(RunRecord),
    /// Another invocation holds the run's lease.
    HeldElsewhere,
    /// This invocation holds the lease: step it.
    Ready(Box<Run<'a>>),
}

/// A participant as the run works them.
struct Candidate {
    record: EnrollmentRecord,
    /// What the rules say now (used unless an outcome is claimed already).
    evaluated: Outcome,
    /// The certificate is stored and issued (in this invocation).
    issued: bool,
    /// Failed in this invocation; the next sweep retries.
    failed: bool,
    /// Claimed by an earlier invocation: its certificate may be issued already.
    claimed_before: bool,
}

impl Candidate {
    fn passed(&self) -> bool {
        self.record.outcome.as_ref().is_some_and(Outcome::passed)
    }

    fn user_id(&self) -> &str {
        &self.record.participant.user_id
    }
}

/// A run whose lease this invocation holds.
pub struct Run<'a> {
    trigger: &'a Trigger,
    ws: &'a str,
    program: &'a Program,
    certification: Certification,
    /// Component titles by id, for the did-not-pass email.
    titles: HashMap<String, String>,
    candidates: Vec<Candidate>,
    /// Chunks of `candidates` (indexes) not yet worked by this invocation.
    chunks: VecDeque<Vec<usize>>,
    record: RunRecord,
    lease: Lease,
}

impl<'a> Run<'a> {
    /// Starts or resumes the run of an `ending` program.
    pub async fn open(trigger: &'a Trigger, ws: &'a str, program: &'a Program) -> Result<Opened<'a>, StoreError> {
        let now = trigger.now();
        let stored = trigger
            .store
            .roster(ws, &program.id)
            .await?
            .ok_or(StoreError::NotFound)?;
        match &stored.run {
            Some(run) if run.state != RunState::Running => {
                trigger.finish(ws, &program.id).await?;
                return Ok(Opened::Finished(run.clone()));
            }
            Some(_) => {}
            None => {
                let settings = trigger.store.settings(ws).await?;
                let fresh = RunRecord {
                    participants: stored.enrollments.len() as u64,
                    ..RunRecord::start(&program.id, now)
                };
                let record = match decide_run(settings.certifications_enabled, program) {
                    RunDecision::Skip(reason) => {
                        let skipped = RunRecord {
                            state: RunState::Skipped,
                            reason: Some(reason.as_str().into()),
                            finished_at: Some(now),
                            ..fresh
                        };
                        trigger.store.start_run(ws, &skipped).await?
                    }
                    RunDecision::Certify { .. } => trigger.store.start_run(ws, &fresh).await?,
                };
                if record.state != RunState::Running {
                    trigger.finish(ws, &program.id).await?;
                    return Ok(Opened::Finished(record));
                }
            }
        }
        let lease = Lease {
            owner: uuid::Uuid::new_v4().to_string(),
            until: now + trigger.settings.lease,
        };
        let Some(record) = trigger.store.take_run(ws, &program.id, &lease, now).await? else {
            return Ok(Opened::HeldElsewhere);
        };
        let certification = match &program.certification_id {
            Some(id) => trigger.store.certification(ws, id).await?,
            None => None,
        };
        let certification =
            certification.with_context(|| format!("the certification linked to program {} is missing", program.id))?;

        let roster = certify_rules::Roster::new(program.clone(), stored.components, stored.enrollments.clone());
        let titles = roster
            .components()
            .iter()
            .map(|c| (c.id.clone(), c.title.clone()))
            .collect();
        let candidates: Vec<Candidate> = stored
            .enrollments
            .into_iter()
            .zip(roster.enrollments())
            .map(|(record, e)| Candidate {
                claimed_before: record.outcome.is_some(),
                record,
                evaluated: roster.evaluate(e),
                issued: false,
                failed: false,
            })
            .collect();
        let pending: Vec<usize> = (0..candidates.len())
            .filter(|&i| candidates[i].record.notified_at.is_none())
            .collect();
        let chunks = pending
            .chunks(
                trigger
                    .settings
                    .chunk
                    .clamp(1, emails_per_minute(trigger.settings.send_rate)),
            )
            .map(<[usize]>::to_vec)
            .collect();
        Ok(Opened::Ready(Box::new(Run {
            trigger,
            ws,
            program,
            certification,
            titles,
            candidates,
            chunks,
            record,
            lease,
        })))
    }

    /// Works the next chunk: claim, issue, checkpoint, notify, mark notified.
    pub async fn step(&mut self) -> Result<Step, StoreError> {
        let Some(chunk) = self.chunks.pop_front() else {
            return Ok(Step::Done);
        };
        self.claim(&chunk).await?;
        self.issue(&chunk).await;
        self.lease.until = self.trigger.now() + self.trigger.settings.lease;
        tally(&mut self.record, &self.candidates);
        self.trigger
            .store
            .save_run(self.ws, &self.record, Some(&self.lease))
            .await?;
        let marks = self.notify(&chunk).await;
        let at = self.trigger.now();
        self.trigger
            .store
            .mark_notified(self.ws, &self.program.id, &marks, at)
            .await?;
        for mark in marks {
            if let Some(&i) = chunk.iter().find(|&&i| self.candidates[i].user_id() == mark.user_id) {
                self.candidates[i].record.notified_at = Some(at);
                self.candidates[i].record.notify_error = mark.error;
            }
        }
        Ok(if self.chunks.is_empty() {
            Step::Done
        } else {
            Step::Progressed
        })
    }

    /// Checkpoints what was reached: `completed` once everyone is notified (and the
    /// program `ended`), otherwise the lease is released so the next sweep resumes at
    /// once. Answers the record as stored.
    pub async fn close(mut self) -> Result<Option<RunRecord>, StoreError> {
        let trigger = self.trigger;
        tally(&mut self.record, &self.candidates);
        let done = self.candidates.iter().all(|c| c.record.notified_at.is_some());
        if done {
            self.record.state = RunState::Completed;
            self.record.finished_at = Some(trigger.now());
        } else {
            self.lease.until = trigger.now();
        }
        match trigger.store.save_run(self.ws, &self.record, Some(&self.lease)).await {
            Ok(()) => {}
            // A racing invocation took over (our lease ran out) or finished it.
            Err(StoreError::Conflict(_)) => return trigger.store.run(self.ws, &self.program.id).await,
            Err(e) => return Err(e),
        }
        if done {
            trigger.finish(self.ws, &self.program.id).await?;
        }
        Ok(Some(self.record))
    }

    /// Claims the outcome of every participant of the chunk that has none: a passed one
    /// gets their certificate fixed here, a fresh id and everything it shows, from the
    /// certification as it is now; every retry reuses it, and a racing run's claim stands.
    async fn claim(&mut self, chunk: &[usize]) -> Result<(), StoreError> {
        let unclaimed: Vec<usize> = chunk
            .iter()
            .copied()
            .filter(|&i| self.candidates[i].record.outcome.is_none())
            .collect();
        let claims: Vec<(String, Claim)> = unclaimed
            .iter()
            .map(|&i| {
                let outcome = self.candidates[i].evaluated.clone();
                let certificate = outcome.passed().then(|| {
                    let id = uuid::Uuid::new_v4().simple().to_string();
                    self.issue_to(id, &self.candidates[i])
                });
                let claim = Claim { outcome, certificate };
                (self.candidates[i].user_id().to_string(), claim)
            })
            .collect();
        if claims.is_empty() {
            return Ok(());
        }
        let standing = self
            .trigger
            .store
            .claim_outcomes(self.ws, &self.program.id, &claims)
            .await?;
        for (i, claim) in unclaimed.into_iter().zip(standing) {
            let record = &mut self.candidates[i].record;
            record.outcome = Some(claim.outcome);
            record.certificate_id = claim.certificate.as_ref().map(|c| c.id.clone());
            record.certificate = claim.certificate;
        }
        Ok(())
    }

    /// The certificate issued under `id` to a candidate, from the certification as it is
    /// now: what a claim fixes.
    fn issue_to(&self, id: String, candidate: &Candidate) -> Certificate {
        Certificate::issue(
            id,
            &candidate.record.participant,
            &self.certification,
            self.program,
            self.program.end_time(),
        )
    }

    /// The certificate a passed candidate's claim fixed. (A claim stored before claims
    /// kept the whole certificate has only its id: drawn from the certification now.)
    fn certificate(&self, candidate: &Candidate) -> Option<Certificate> {
        match (&candidate.record.certificate, &candidate.record.certificate_id) {
            (Some(claimed), _) => Some(claimed.clone()),
            (None, Some(id)) => Some(self.issue_to(id.clone(), candidate)),
            (None, None) => None,
        }
    }

    /// Renders, stores and issues the certificate of every passed participant of the
    /// chunk, a few at once; a failure is counted and left for the next sweep.
    async fn issue(&mut self, chunk: &[usize]) {
        let jobs: Vec<(usize, Certificate, bool)> = chunk
            .iter()
            .copied()
            .filter(|&i| self.candidates[i].passed())
            .filter_map(|i| {
                let candidate = &self.candidates[i];
                Some((i, self.certificate(candidate)?, candidate.claimed_before))
            })
            .collect();
        let this = &*self;
        let results: Vec<(usize, Result<(), Failure>)> = futures::stream::iter(jobs)
            .map(|(i, certificate, retried)| async move { (i, this.store_and_issue(certificate, retried).await) })
            .buffer_unordered(self.trigger.settings.concurrency.max(1))
            .collect()
            .await;
        for (i, result) in results {
            match result {
                Ok(()) => self.candidates[i].issued = true,
                Err(failure) => self.failed(i, RunStep::Certificate, failure),
            }
        }
    }

    /// Renders the certificate, stores its files, then issues it (files first: no record
    /// without its PDF). A `retried` claim whose certificate is issued already has its
    /// files: nothing to redo.
    async fn store_and_issue(&self, certificate: Certificate, retried: bool) -> Result<(), Failure> {
        let issue_failed = |e| Failure(RunErrorCode::IssueFailed, anyhow::Error::new(e).context("issuing"));
        if retried
            && self
                .trigger
                .store
                .certificate(&certificate.id)
                .await
                .map_err(issue_failed)?
                .is_some()
        {
            return Ok(());
        }
        let verify_url = self.trigger.verify_url(&certificate.id);
        let render = self.trigger.render.clone();
        let drawn = certificate.clone();
        let (pdf, png) = tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
            Ok((render.pdf(&drawn, &verify_url)?, render.png(&drawn, &verify_url)?))
        })
        .await
        .context("the renderer stopped")
        .and_then(|drawn| drawn.context("rendering"))
        .map_err(|e| Failure(RunErrorCode::RenderFailed, e))?;
        for (kind, bytes) in [(FileKind::Pdf, pdf), (FileKind::Png, png)] {
            let key = certificate_key(self.ws, &certificate.id, kind);
            self.trigger
                .blobs
                .put(&key, bytes, kind.content_type())
                .await
                .with_context(|| format!("storing the {} at {key}", kind.extension().to_uppercase()))
                .map_err(|e| Failure(RunErrorCode::StorageFailed, e))?;
        }
        // `false`: issued already (a retry, or a racing run); either way it stands.
        self.trigger
            .store
            .issue_certificate(self.ws, &certificate, self.trigger.now())
            .await
            .map_err(issue_failed)?;
        Ok(())
    }

    /// Emails every participant of the chunk whose result is ready, paced, while the
    /// lease holds; answers the marks to record.
    async fn notify(&mut self, chunk: &[usize]) -> Vec<NotifyMark> {
        let jobs: Vec<(usize, Email)> = chunk
            .iter()
            .copied()
            .filter(|&i| !self.candidates[i].failed)
            .filter_map(|i| Some((i, self.email(&self.candidates[i])?)))
            .collect();
        // Stop sending well before another invocation may take the run over.
        let safe_until = self.lease.until - chrono::Duration::seconds(10);
        let this = &*self;
        let results: Vec<(usize, Result<Option<String>, Failure>)> = futures::stream::iter(jobs)
            .map(|(i, email)| async move {
                if this.trigger.now() >= safe_until {
                    let late = anyhow::anyhow!("the run's lease ran out before this email");
                    return (i, Err(Failure(RunErrorCode::LeaseExpired, late)));
                }
                (
                    i,
                    this.trigger
                        .send_email(&email)
                        .await
                        .map_err(|e| Failure(RunErrorCode::EmailFailed, e)),
                )
            })
            .buffer_unordered(self.trigger.settings.concurrency.max(1))
            .collect()
            .await;
        let mut marks = Vec::new();
        for (i, result) in results {
            let user_id = self.candidates[i].user_id().to_string();
            match result {
                Ok(None) => marks.push(NotifyMark { user_id, error: None }),
                Ok(Some(reason)) => {
                    tracing::warn!(workspace = self.ws, program = %self.program.id, user = %user_id, reason = %reason, "the result email was refused for good");
                    let refused = RunError::new(&user_id, RunStep::Email, RunErrorCode::EmailRefused);
                    self.record.push_error(refused);
                    marks.push(NotifyMark {
                        user_id,
                        error: Some(reason),
                    });
                }
                Err(failure) => self.failed(i, RunStep::Email, failure),
            }
        }
        marks
    }

    /// The result email of a participant whose outcome is settled and, when passed,
    /// whose certificate is issued.
    fn email(&self, candidate: &Candidate) -> Option<Email> {
        let holder = &candidate.record.participant;
        match candidate.record.outcome.as_ref()? {
            Outcome::Passed if candidate.issued => {
                let certificate = self.certificate(candidate)?;
                Some(passed_email(
                    holder,
                    &certificate,
                    &self.trigger.download_url(&certificate.id),
                    &self.trigger.verify_url(&certificate.id),
                ))
            }
            Outcome::Passed => None,
            Outcome::DidNotPass { not_completed } => {
                let titles: Vec<String> = not_completed
                    .iter()
                    .map(|id| self.titles.get(id).unwrap_or(id).clone())
                    .collect();
                Some(did_not_pass_email(
                    holder,
                    &self.certification.fields.name,
                    &self.program.name,
                    &titles,
                ))
            }
        }
    }

    /// Records a participant's failure: the detail (paths, keys, the service's own
    /// words) to the logs with the program; a stable code and a plain message to the run
    /// record (SPEC 1.8.8).
    fn failed(&mut self, i: usize, step: RunStep, Failure(code, error): Failure) {
        let user_id = self.candidates[i].user_id().to_string();
        tracing::warn!(workspace = self.ws, program = %self.program.id, user = %user_id, ?step, ?code, error = ?error, "a participant failed; the next sweep retries");
        self.record.push_error(RunError::new(&user_id, step, code));
        self.candidates[i].failed = true;
    }
}

/// A participant's failure at a step: its stable code, and the detail for the logs.
struct Failure(RunErrorCode, anyhow::Error);

/// Runs or resumes the run of an `ending` program, a step at a time until it is done or
/// the deadline (read on the trigger's clock) is within the margin; `None` when another
/// invocation holds it.
pub(crate) async fn run(
    trigger: &Trigger,
    ws: &str,
    program: &Program,
    deadline: Option<DateTime<Utc>>,
) -> Result<Option<RunRecord>, StoreError> {
    let mut run = match Run::open(trigger, ws, program).await? {
        Opened::Finished(record) => return Ok(Some(record)),
        Opened::HeldElsewhere => return Ok(None),
        Opened::Ready(run) => run,
    };
    loop {
        if deadline.is_some_and(|d| trigger.now() + trigger.settings.margin >= d) {
            break;
        }
        if run.step().await? == Step::Done {
            break;
        }
    }
    run.close().await
}

/// Counts from what each participant reached (SPEC 1.8.5).
fn tally(record: &mut RunRecord, candidates: &[Candidate]) {
    let count = |f: &dyn Fn(&Candidate) -> bool| candidates.iter().filter(|c| f(c)).count() as u64;
    record.participants = candidates.len() as u64;
    record.evaluated = count(&|c| c.record.outcome.is_some());
    record.certified = count(&|c| c.passed() && (c.issued || c.record.notified_at.is_some()));
    record.did_not_pass = count(&|c| c.record.outcome.as_ref().is_some_and(|o| !o.passed()));
    record.notified = count(&|c| c.record.notified_at.is_some() && c.record.notify_error.is_none());
    record.failed = count(&|c| c.failed || c.record.notify_error.is_some());
}
