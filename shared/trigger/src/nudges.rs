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

use crate::Trigger;

/// Targets sent between two checkpoints of a job (each renews its lease).
const CHECKPOINT_EVERY: usize = 20;

impl Trigger {
    /// Works one queued job until it is done (then removed) or the deadline nears (then
    /// checkpointed and released for the next sweep); answers how many emails went out.
    /// A job another invocation holds is left alone.
    pub(crate) async fn send_nudges(
        &self,
        ws: &str,
        job_id: &str,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<usize, StoreError> {
        let mut lease = Lease {
            owner: uuid::Uuid::new_v4().to_string(),
            until: self.now() + self.settings.lease,
        };
        let Some(mut job) = self.store.take_nudge_job(ws, job_id, &lease, self.now()).await? else {
            return Ok(0);
        };
        let mut sent = 0;
        while job.done < job.targets.len() {
            if deadline.is_some_and(|d| self.now() + self.settings.margin >= d) {
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
                    let accepted = match self.send_email(&nudge_email(target, &job.certification_name)).await {
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
