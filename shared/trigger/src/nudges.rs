//! Queued nudges (SPEC 1.9): the request plans and queues them; the sweep sends them at
//! the sending rate. Per target: claim (while the mark still reads what the plan read,
//! so a participant nudged since, or being nudged by another job, is left alone), send,
//! then settle: the 24-hour mark is set only once the mail service accepted the email,
//! and a failed send leaves the participant nudgeable. A crash between the send and the
//! settle sends again after the claim runs out: the mail service's own window, as in a
//! run.

use certify_mail::templates::nudge_email;
use certify_store::{Lease, StoreError};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::{Deadline, Report, Trigger};

/// Targets sent between two checkpoints of a job (each renews its lease).
const CHECKPOINT_EVERY: usize = 20;

impl Trigger {
    /// Sends the queued nudge jobs the API just queued in `ws` (a job the sweep or
    /// another invocation holds, or already done, is left alone).
    pub async fn send_nudge_jobs(&self, ws: &str, job_ids: Vec<String>, deadline: Option<DateTime<Utc>>) -> Report {
        let mut report = Report::default();
        let jobs = job_ids.into_iter().map(|id| (ws.to_string(), id));
        self.send_jobs(jobs, self.deadline(deadline), &mut report).await;
        report
    }

    /// Sends queued nudge jobs (`(workspace, job id)`), a few at once, into `report`; a
    /// job another invocation holds, or already done, is left alone.
    pub(crate) async fn send_jobs(
        &self,
        jobs: impl Iterator<Item = (String, String)>,
        deadline: Deadline,
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

    /// Works one queued job until it is done (then removed) or the deadline nears (then
    /// checkpointed and released for the next sweep); answers how many emails went out.
    /// A job another invocation holds is left alone.
    async fn send_nudges(&self, ws: &str, job_id: &str, deadline: Deadline) -> Result<usize, StoreError> {
        let mut lease = Lease {
            owner: uuid::Uuid::new_v4().to_string(),
            until: self.now() + self.settings.lease,
        };
        let Some(mut job) = self.store.take_nudge_job(ws, job_id, &lease, self.now()).await? else {
            return Ok(0);
        };
        let mut sent = 0;
        while job.done < job.targets.len() {
            if deadline.is_near(self.now()) {
                break;
            }
            let target = &job.targets[job.done];
            let claim = Lease {
                owner: lease.owner.clone(),
                until: self.now() + self.settings.lease,
            };
            let store = &self.store;
            let (program, user) = (target.program_id.as_str(), target.user_id.as_str());
            match store
                .claim_nudge(ws, program, user, target.previous_nudge, &claim, self.now())
                .await
            {
                Ok(true) => {
                    // SPEC 1.17: the participant's locale, then the job's (the
                    // certification's, else the workspace's).
                    let email = nudge_email(target.locale.unwrap_or(job.locale), target, &job.certification_name);
                    let accepted = match self.send_email(&email).await {
                        Ok(None) => Some(self.now()),
                        Ok(Some(reason)) => {
                            tracing::warn!(
                                workspace = ws,
                                program,
                                user,
                                reason,
                                "nudge refused by the mail service"
                            );
                            None
                        }
                        Err(error) => {
                            tracing::warn!(workspace = ws, program, user, error = ?error, "nudge not sent; the participant stays nudgeable");
                            None
                        }
                    };
                    sent += usize::from(accepted.is_some());
                    store.settle_nudge(ws, program, user, &claim, accepted).await?;
                }
                // Nudged since the plan, or another sender holds the claim.
                Ok(false) => {}
                // Unenrolled since.
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
            job.done += 1;
            if job.done % CHECKPOINT_EVERY == 0 && job.done < job.targets.len() {
                lease.until = self.now() + self.settings.lease;
                self.store.save_nudge_job(ws, &job, &lease).await?;
            }
        }
        if job.done == job.targets.len() {
            self.store.finish_nudge_job(ws, job_id, &lease).await?;
        } else {
            lease.until = self.now();
            self.store.save_nudge_job(ws, &job, &lease).await?;
        }
        Ok(sent)
    }
}
