//! One program's certification run (SPEC 1.8.2-7), as steps.
//!
//! [`Run::open`] starts the run record (or finds it finished, or held by another
//! invocation), takes the run's lease and only then reads the roster, once. Each [`Run::step`] then works
//! the next chunk of participants not yet notified: claim the chunk's outcomes (one
//! transaction), per passed participant, a few at once, render -> put PDF and PNG ->
//! issue; checkpoint (renewing the lease); email each one, paced; mark the chunk notified
//! (one transaction). [`Run::close`] checkpoints what was reached: `completed` once
//! everyone is notified (or given up), else the lease is released and the run is swept
//! again at once, or after a backoff while participants keep failing (SPEC 1.8.8).
//! Counts are derived from what each participant has reached, so a resumed run counts
//! the same as one clean run.

mod issue;
mod notify;

use std::collections::{HashMap, VecDeque};

use anyhow::Context;
use certify_rules::{
    decide_run, gives_up, Certification, EnrollmentRecord, Outcome, Program, RunDecision, RunError, RunErrorCode,
    RunRecord, RunState, RunStep,
};
use certify_store::{Lease, NotifyMark, StoreError};

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
    /// Failed in this invocation, at this step with this code; the next sweep retries.
    failed: Option<(RunStep, RunErrorCode)>,
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

    /// The step this participant failed at in this invocation, for a failure of their
    /// own (a run out of time is not one: it backs nothing off and gives no one up).
    fn failing(&self) -> Option<RunStep> {
        match self.failed {
            Some((step, code)) if code != RunErrorCode::LeaseExpired => Some(step),
            _ => None,
        }
    }

    /// Nothing left to do for them: notified (or refused for good), or given up.
    fn settled(&self) -> bool {
        self.record.notified_at.is_some() || self.record.given_up_at.is_some()
    }
}

/// A run whose lease this invocation holds.
pub struct Run<'a> {
    trigger: &'a Trigger,
    ws: &'a str,
    program: &'a Program,
    certification: Certification,
    /// The workspace's LinkedIn organization, for the "Add to profile" link.
    linkedin_organization_id: Option<String>,
    /// The workspace's locale: its certificates', unless the certification has one.
    workspace_locale: certify_rules::Locale,
    /// Component titles by id, for the did-not-pass email.
    titles: HashMap<String, String>,
    candidates: Vec<Candidate>,
    /// Chunks of `candidates` (indexes) not yet worked by this invocation.
    chunks: VecDeque<Vec<usize>>,
    record: RunRecord,
    lease: Lease,
}

impl<'a> Run<'a> {
    /// Starts or resumes the run of an `ending` program. The lease is taken before the
    /// roster is read, so a run another invocation holds costs no roster read.
    pub async fn open(trigger: &'a Trigger, ws: &'a str, program: &'a Program) -> Result<Opened<'a>, StoreError> {
        let now = trigger.now();
        let lease = Lease {
            owner: uuid::Uuid::new_v4().to_string(),
            until: now + trigger.settings.lease,
        };
        let (mut read, mut settings) = (None, None);
        let taken = match trigger.store.take_run(ws, &program.id, &lease, now).await {
            Err(StoreError::NotFound) => {
                // The first try: the record counts the roster it starts from.
                let stored = trigger
                    .store
                    .roster(ws, &program.id)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let fresh = RunRecord {
                    participants: stored.enrollments.len() as u64,
                    ..RunRecord::start(&program.id, now)
                };
                let workspace = trigger.store.settings(ws).await?;
                let record = match decide_run(workspace.certifications_enabled, program) {
                    RunDecision::Skip(reason) => RunRecord {
                        state: RunState::Skipped,
                        reason: Some(reason.as_str().into()),
                        finished_at: Some(now),
                        ..fresh
                    },
                    RunDecision::Certify { .. } => fresh,
                };
                (read, settings) = (Some(stored), Some(workspace));
                // A racing first try started it already: its record is answered.
                let started = trigger.store.start_run(ws, &record).await?;
                if started.state != RunState::Running {
                    trigger.finish(ws, &program.id).await?;
                    return Ok(Opened::Finished(started));
                }
                trigger.store.take_run(ws, &program.id, &lease, now).await?
            }
            taken => taken?,
        };
        let Some(record) = taken else {
            // Finished, or held by another invocation: the record says which.
            return match trigger.store.run(ws, &program.id).await?.ok_or(StoreError::NotFound)? {
                finished if finished.state != RunState::Running => {
                    trigger.finish(ws, &program.id).await?;
                    Ok(Opened::Finished(finished))
                }
                _ => Ok(Opened::HeldElsewhere),
            };
        };
        let settings = match settings {
            Some(settings) => settings,
            None => trigger.store.settings(ws).await?,
        };
        let stored = match read {
            Some(stored) => stored,
            None => trigger
                .store
                .roster(ws, &program.id)
                .await?
                .ok_or(StoreError::NotFound)?,
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
                failed: None,
            })
            .collect();
        let pending: Vec<usize> = (0..candidates.len()).filter(|&i| !candidates[i].settled()).collect();
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
            linkedin_organization_id: settings.linkedin_organization_id,
            workspace_locale: settings.locale,
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
        let mut marks = self.notify(&chunk).await;
        self.settle_failures(&chunk, &mut marks).await?;
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
        tally(&mut self.record, &self.candidates);
        let r = &self.record;
        tracing::info!(
            workspace = self.ws,
            run = %self.program.id,
            participants = chunk.len(),
            certified = r.certified,
            did_not_pass = r.did_not_pass,
            notified = r.notified,
            failed = r.failed,
            chunks_left = self.chunks.len(),
            "run step"
        );
        Ok(if self.chunks.is_empty() {
            Step::Done
        } else {
            Step::Progressed
        })
    }

    /// Checkpoints what was reached: `completed` once everyone is notified or given up
    /// (and the program `ended`); otherwise the lease is released and the run is swept
    /// again at once or, when participants failed in a try that reached them all, after
    /// its backoff. Answers the record as stored.
    pub async fn close(mut self) -> Result<Option<RunRecord>, StoreError> {
        let trigger = self.trigger;
        let now = trigger.now();
        tally(&mut self.record, &self.candidates);
        let done = self.candidates.iter().all(Candidate::settled);
        let failed_try = self.chunks.is_empty() && self.candidates.iter().any(|c| c.failing().is_some());
        let next_try = self.record.schedule_next(failed_try, now);
        if done {
            self.record.state = RunState::Completed;
            self.record.finished_at = Some(now);
            self.record.next_attempt_at = None;
        } else {
            self.lease.until = now;
        }
        match trigger.store.save_run(self.ws, &self.record, Some(&self.lease)).await {
            Ok(()) => {}
            // A racing invocation took over (our lease ran out) or finished it.
            Err(StoreError::Conflict(_)) => return trigger.store.run(self.ws, &self.program.id).await,
            Err(e) => return Err(e),
        }
        let r = &self.record;
        tracing::info!(
            workspace = self.ws,
            run = %self.program.id,
            state = ?r.state,
            certified = r.certified,
            did_not_pass = r.did_not_pass,
            notified = r.notified,
            failed = r.failed,
            "run checkpoint"
        );
        if done {
            trigger.finish(self.ws, &self.program.id).await?;
        } else {
            trigger.store.schedule_run(self.ws, &self.program.id, next_try).await?;
        }
        Ok(Some(self.record))
    }

    /// Dates each participant's first failure and gives up those still failing 24 hours
    /// after it (SPEC 1.8.8): at the certificate step no certificate is issued to them;
    /// at the email step their certificate stands and the mark says no email will go.
    async fn settle_failures(&mut self, chunk: &[usize], marks: &mut Vec<NotifyMark>) -> Result<(), StoreError> {
        let now = self.trigger.now();
        let (mut first, mut no_certificate) = (Vec::new(), Vec::new());
        for &i in chunk {
            let candidate = &self.candidates[i];
            let Some(step) = candidate.failing() else {
                continue;
            };
            let user_id = candidate.user_id().to_string();
            match candidate.record.failing_since {
                None => first.push(i),
                Some(since) if gives_up(since, now) => {
                    tracing::warn!(workspace = self.ws, program = %self.program.id, user = %user_id, ?step, %since, "a participant still failing a day later is given up");
                    self.record
                        .push_error(RunError::new(&user_id, step, RunErrorCode::GivenUp));
                    match step {
                        RunStep::Certificate => no_certificate.push(i),
                        RunStep::Email => marks.push(NotifyMark {
                            user_id,
                            error: Some(RunErrorCode::GivenUp.message().into()),
                            certificate_id: None,
                        }),
                    }
                }
                Some(_) => {}
            }
        }
        let store = &self.trigger.store;
        if !first.is_empty() {
            store
                .mark_failing(self.ws, &self.program.id, &self.user_ids(&first), now)
                .await?;
            for &i in &first {
                self.candidates[i].record.failing_since = Some(now);
            }
        }
        if !no_certificate.is_empty() {
            store
                .give_up(self.ws, &self.program.id, &self.user_ids(&no_certificate), now)
                .await?;
            for &i in &no_certificate {
                self.candidates[i].record.given_up_at = Some(now);
            }
        }
        Ok(())
    }

    fn user_ids(&self, indexes: &[usize]) -> Vec<String> {
        indexes
            .iter()
            .map(|&i| self.candidates[i].user_id().to_string())
            .collect()
    }

    /// Records a participant's failure: the detail (paths, keys, the service's own
    /// words) to the logs with the program; a stable code and a plain message to the run
    /// record (SPEC 1.8.8).
    fn failed(&mut self, i: usize, step: RunStep, Failure(code, error): Failure) {
        let user_id = self.candidates[i].user_id().to_string();
        tracing::warn!(workspace = self.ws, program = %self.program.id, user = %user_id, ?step, ?code, error = ?error, "a participant failed; the next sweep retries");
        self.record.push_error(RunError::new(&user_id, step, code));
        self.candidates[i].failed = Some((step, code));
    }
}

/// A participant's failure at a step: its stable code, and the detail for the logs.
struct Failure(RunErrorCode, anyhow::Error);

/// Counts from what each participant reached (SPEC 1.8.5).
fn tally(record: &mut RunRecord, candidates: &[Candidate]) {
    let count = |f: &dyn Fn(&Candidate) -> bool| candidates.iter().filter(|c| f(c)).count() as u64;
    record.participants = candidates.len() as u64;
    record.evaluated = count(&|c| c.record.outcome.is_some());
    record.certified = count(&|c| c.passed() && (c.issued || c.record.notified_at.is_some()));
    record.did_not_pass = count(&|c| c.record.outcome.as_ref().is_some_and(|o| !o.passed()));
    record.notified = count(&|c| c.record.notified_at.is_some() && c.record.notify_error.is_none());
    record.failed = count(&|c| c.failed.is_some() || c.record.notify_error.is_some() || c.record.given_up_at.is_some());
}
