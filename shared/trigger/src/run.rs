//! One program's certification run (SPEC 1.8.2-7).
//!
//! The roster is read once. Participants not yet notified are worked in chunks: claim
//! the outcomes of the chunk (one transaction), then per passed participant, a few at
//! once, render -> put PDF and PNG -> issue; checkpoint (renewing the lease); email
//! each one, paced; mark the chunk notified (one transaction). Counts are derived from
//! what each participant has reached, so a resumed run counts the same as one clean run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use certify_blobs::certificate_key;
use certify_mail::MailError;
use certify_rules::{
    decide_run, Certificate, Certification, EnrollmentRecord, Outcome, Program, RunDecision, RunRecord, RunState,
};
use certify_store::{Claim, Lease, NotifyMark, StoreError};
use futures::StreamExt;

use crate::{did_not_pass_email, passed_email, Trigger};

/// A participant's progress through this run.
struct Slot {
    record: EnrollmentRecord,
    /// What the rules say now (used unless an outcome is claimed already).
    evaluated: Outcome,
    /// The certificate is stored and issued (in this invocation).
    issued: bool,
    /// Failed in this invocation; the next sweep retries.
    failed: bool,
}

impl Slot {
    fn passed(&self) -> bool {
        self.record.outcome.as_ref().is_some_and(Outcome::passed)
    }
}

/// Runs or resumes the run of an `ending` program; `None` when another invocation
/// holds it.
pub(crate) async fn run(
    t: &Trigger,
    ws: &str,
    program: &Program,
    deadline: Option<Instant>,
) -> Result<Option<RunRecord>, StoreError> {
    let now = t.now();
    let stored = t.store.roster(ws, &program.id).await?.ok_or(StoreError::NotFound)?;
    match &stored.run {
        Some(run) if run.state != RunState::Running => {
            t.finish(ws, &program.id).await?;
            return Ok(Some(run.clone()));
        }
        Some(_) => {}
        None => {
            let settings = t.store.settings(ws).await?;
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
                    t.store.start_run(ws, &skipped).await?
                }
                RunDecision::Certify { .. } => t.store.start_run(ws, &fresh).await?,
            };
            if record.state != RunState::Running {
                t.finish(ws, &program.id).await?;
                return Ok(Some(record));
            }
        }
    }
    let mut lease = Lease {
        owner: uuid::Uuid::new_v4().to_string(),
        until: now + t.settings.lease,
    };
    let Some(mut record) = t.store.take_run(ws, &program.id, &lease, now).await? else {
        return Ok(None);
    };
    let certification = match &program.certification_id {
        Some(id) => t.store.certification(ws, id).await?,
        None => None,
    };
    let certification =
        certification.with_context(|| format!("the certification linked to program {} is missing", program.id))?;

    let roster = certify_rules::Roster::new(program.clone(), stored.components, stored.enrollments.clone());
    let titles: HashMap<&str, &str> = roster
        .components()
        .iter()
        .map(|c| (c.id.as_str(), c.title.as_str()))
        .collect();
    let mut slots: Vec<Slot> = stored
        .enrollments
        .into_iter()
        .zip(roster.enrollments())
        .map(|(record, e)| Slot {
            record,
            evaluated: roster.evaluate(e),
            issued: false,
            failed: false,
        })
        .collect();
    let pending: Vec<usize> = (0..slots.len())
        .filter(|&i| slots[i].record.notified_at.is_none())
        .collect();
    let mut stopped = false;
    let work = Work {
        t,
        ws,
        program,
        certification: &certification,
        titles: &titles,
    };
    // A chunk's emails must go out well within one lease: at most a minute's worth.
    let per_minute = if t.settings.send_rate > 0.0 {
        (t.settings.send_rate * 60.0).max(1.0) as usize
    } else {
        usize::MAX
    };
    for chunk in pending.chunks(t.settings.chunk.clamp(1, per_minute)) {
        if deadline.is_some_and(|d| Instant::now() + t.settings.margin >= d) {
            stopped = true;
            break;
        }
        work.claim(&mut slots, chunk).await?;
        work.issue(&mut slots, chunk, &mut record).await;
        lease.until = t.now() + t.settings.lease;
        tally(&mut record, &slots);
        t.store.save_run(ws, &record, Some(&lease)).await?;
        let marks = work.notify(&mut slots, chunk, &lease, &mut record).await;
        let at = t.now();
        t.store.mark_notified(ws, &program.id, &marks, at).await?;
        for mark in marks {
            if let Some(i) = chunk
                .iter()
                .copied()
                .find(|&i| slots[i].record.participant.user_id == mark.user_id)
            {
                slots[i].record.notified_at = Some(at);
                slots[i].record.notify_error = mark.error;
            }
        }
    }
    tally(&mut record, &slots);
    let done = !stopped && slots.iter().all(|s| s.record.notified_at.is_some());
    if done {
        record.state = RunState::Completed;
        record.finished_at = Some(t.now());
    } else {
        // Let the next sweep take over at once.
        lease.until = t.now();
    }
    match t.store.save_run(ws, &record, Some(&lease)).await {
        Ok(()) => {}
        // A racing invocation took over (our lease ran out) or finished it.
        Err(StoreError::Conflict(_)) => return t.store.run(ws, &program.id).await,
        Err(e) => return Err(e),
    }
    if done {
        t.finish(ws, &program.id).await?;
    }
    Ok(Some(record))
}

/// Counts from what each participant reached (SPEC 1.8.5).
fn tally(record: &mut RunRecord, slots: &[Slot]) {
    let count = |f: &dyn Fn(&Slot) -> bool| slots.iter().filter(|s| f(s)).count() as u64;
    record.participants = slots.len() as u64;
    record.evaluated = count(&|s| s.record.outcome.is_some());
    record.certified = count(&|s| s.passed() && (s.issued || s.record.notified_at.is_some()));
    record.did_not_pass = count(&|s| s.record.outcome.as_ref().is_some_and(|o| !o.passed()));
    record.notified = count(&|s| s.record.notified_at.is_some() && s.record.notify_error.is_none());
    record.failed = count(&|s| s.failed || s.record.notify_error.is_some());
}

/// What every step of one run shares.
struct Work<'a> {
    t: &'a Trigger,
    ws: &'a str,
    program: &'a Program,
    certification: &'a Certification,
    titles: &'a HashMap<&'a str, &'a str>,
}

impl Work<'_> {
    /// Claims the outcome of every participant of the chunk that has none: a passed one
    /// gets a fresh certificate id, reused by every retry; a racing run's claim stands.
    async fn claim(&self, slots: &mut [Slot], chunk: &[usize]) -> Result<(), StoreError> {
        let unclaimed: Vec<usize> = chunk
            .iter()
            .copied()
            .filter(|&i| slots[i].record.outcome.is_none())
            .collect();
        let claims: Vec<(String, Claim)> = unclaimed
            .iter()
            .map(|&i| {
                let outcome = slots[i].evaluated.clone();
                let certificate_id = outcome.passed().then(|| uuid::Uuid::new_v4().simple().to_string());
                (
                    slots[i].record.participant.user_id.clone(),
                    Claim {
                        outcome,
                        certificate_id,
                    },
                )
            })
            .collect();
        if claims.is_empty() {
            return Ok(());
        }
        let standing = self.t.store.claim_outcomes(self.ws, &self.program.id, &claims).await?;
        for (i, claim) in unclaimed.into_iter().zip(standing) {
            slots[i].record.outcome = Some(claim.outcome);
            slots[i].record.certificate_id = claim.certificate_id;
        }
        Ok(())
    }

    /// Renders, stores and issues the certificate of every passed participant of the
    /// chunk, a few at once; a failure is counted and left for the next sweep.
    async fn issue(&self, slots: &mut [Slot], chunk: &[usize], record: &mut RunRecord) {
        let jobs: Vec<(usize, Certificate)> = chunk
            .iter()
            .copied()
            .filter(|&i| slots[i].passed())
            .filter_map(|i| {
                let id = slots[i].record.certificate_id.clone()?;
                let ended_at = self.program.ended_at.unwrap_or(self.program.ends_at);
                let certificate = Certificate::issue(
                    id,
                    &slots[i].record.participant,
                    self.certification,
                    self.program,
                    ended_at,
                );
                Some((i, certificate))
            })
            .collect();
        let results: Vec<(usize, anyhow::Result<()>)> = futures::stream::iter(jobs)
            .map(|(i, certificate)| async move { (i, self.store_and_issue(certificate).await) })
            .buffer_unordered(self.t.settings.concurrency.max(1))
            .collect()
            .await;
        for (i, result) in results {
            match result {
                Ok(()) => slots[i].issued = true,
                Err(e) => self.failed(&mut slots[i], record, "certificate", e),
            }
        }
    }

    async fn store_and_issue(&self, certificate: Certificate) -> anyhow::Result<()> {
        let verify_url = self.t.verify_url(&certificate.id);
        let render = self.t.render.clone();
        let drawn = certificate.clone();
        let (pdf, png) = tokio::task::spawn_blocking(move || -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
            Ok((render.pdf(&drawn, &verify_url)?, render.png(&drawn, &verify_url)?))
        })
        .await
        .context("the renderer stopped")?
        .context("rendering")?;
        let key = |extension| certificate_key(self.ws, &certificate.id, extension);
        self.t
            .blobs
            .put(&key("pdf"), pdf, "application/pdf")
            .await
            .context("storing the PDF")?;
        self.t
            .blobs
            .put(&key("png"), png, "image/png")
            .await
            .context("storing the PNG")?;
        // `false`: issued already (a retry, or a racing run); either way it stands.
        self.t
            .store
            .issue_certificate(self.ws, &certificate, self.t.now())
            .await
            .context("issuing")?;
        Ok(())
    }

    /// Emails every participant of the chunk whose result is ready, paced, while the
    /// lease holds; answers the marks to record.
    async fn notify(
        &self,
        slots: &mut [Slot],
        chunk: &[usize],
        lease: &Lease,
        record: &mut RunRecord,
    ) -> Vec<NotifyMark> {
        let jobs: Vec<(usize, certify_mail::Email)> = chunk
            .iter()
            .copied()
            .filter(|&i| !slots[i].failed)
            .filter_map(|i| Some((i, self.email(&slots[i])?)))
            .collect();
        // Stop sending well before another invocation may take the run over.
        let safe_until = lease.until - chrono::Duration::seconds(10);
        let results: Vec<(usize, anyhow::Result<Option<String>>)> = futures::stream::iter(jobs)
            .map(|(i, email)| async move {
                if self.t.now() >= safe_until {
                    return (i, Err(anyhow::anyhow!("the run's lease ran out before this email")));
                }
                (i, self.send(&email).await)
            })
            .buffer_unordered(self.t.settings.concurrency.max(1))
            .collect()
            .await;
        let mut marks = Vec::new();
        for (i, result) in results {
            let user_id = slots[i].record.participant.user_id.clone();
            match result {
                Ok(None) => marks.push(NotifyMark { user_id, error: None }),
                Ok(Some(reason)) => {
                    record.push_error(format!("{user_id}: the email was refused for good: {reason}"));
                    marks.push(NotifyMark {
                        user_id,
                        error: Some(reason),
                    });
                }
                Err(e) => self.failed(&mut slots[i], record, "email", e),
            }
        }
        marks
    }

    /// The result email of a participant whose outcome is settled and, when passed,
    /// whose certificate is issued.
    fn email(&self, slot: &Slot) -> Option<certify_mail::Email> {
        let holder = &slot.record.participant;
        match slot.record.outcome.as_ref()? {
            Outcome::Passed if slot.issued => {
                let id = slot.record.certificate_id.as_deref()?;
                let ended_at = self.program.ended_at.unwrap_or(self.program.ends_at);
                let certificate =
                    Certificate::issue(id.to_string(), holder, self.certification, self.program, ended_at);
                Some(passed_email(
                    holder,
                    &certificate,
                    &self.t.download_url(id),
                    &self.t.verify_url(id),
                ))
            }
            Outcome::Passed => None,
            Outcome::DidNotPass { not_completed } => {
                let titles: Vec<String> = not_completed
                    .iter()
                    .map(|id| self.titles.get(id.as_str()).map_or(id.clone(), |t| t.to_string()))
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

    /// Sends one email, retrying throttling with backoff. `Ok(Some(reason))`: refused
    /// for good; an error: may or may not have gone, the next sweep retries.
    async fn send(&self, email: &certify_mail::Email) -> anyhow::Result<Option<String>> {
        let attempts = self.t.settings.send_attempts.max(1);
        for attempt in 0..attempts {
            self.t.pacer.wait().await;
            match self.t.mailer.send(email).await {
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

    fn failed(&self, slot: &mut Slot, record: &mut RunRecord, step: &str, error: anyhow::Error) {
        let user_id = &slot.record.participant.user_id;
        tracing::warn!(workspace = self.ws, program = %self.program.id, user = %user_id, step, error = ?error, "a participant failed; the next sweep retries");
        record.push_error(format!("{user_id}: {step}: {error:#}"));
        slot.failed = true;
    }
}

/// 200 ms, 400 ms, 800 ms, ... up to 5 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200u64.saturating_mul(1 << attempt.min(5))).min(Duration::from_secs(5))
}
