//! [`NudgeStore`] over the table: a job item per queued batch (under the workspace, in
//! the sweep index's `NUDGES` partition by when it was queued), a lease on it, and a
//! claim on each enrollment while its email is being sent.

use async_trait::async_trait;
use certify_rules::NudgeJob;
use chrono::{DateTime, Utc};

use crate::items::*;
use crate::leases::held_elsewhere;
use crate::table::{path, Cond, Table, TableError, Write, OPEN_PROGRAMS};
use crate::{Conflict, Lease, Result, Store, StoreError};

/// Queued nudges (SPEC 1.9): jobs the sweep finds without a scan, each worked under a
/// lease, and per participant a claim taken before the send and settled after it, so
/// the 24-hour mark is set only once the mail service accepted the email.
#[async_trait]
pub trait NudgeStore: Send + Sync {
    /// Stores a job for the sweep; MUST answer `Conflict` when its id exists.
    async fn queue_nudges(&self, ws: &str, job: &NudgeJob) -> Result<()>;
    /// Jobs queued at or before `until`, oldest first, as (workspace, job).
    async fn due_nudge_jobs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, NudgeJob)>>;
    /// Takes the job's lease unless another holder's is live at `now`; `None` then, or
    /// when the job is gone (done).
    async fn take_nudge_job(&self, ws: &str, id: &str, lease: &Lease, now: DateTime<Utc>) -> Result<Option<NudgeJob>>;
    /// Checkpoints the job's `done` and the lease's `until`; MUST answer `Conflict` when
    /// the lease is no longer this one's.
    async fn save_nudge_job(&self, ws: &str, job: &NudgeJob, lease: &Lease) -> Result<()>;
    /// Removes a finished job; MUST answer `Conflict` when the lease is no longer this
    /// one's.
    async fn finish_nudge_job(&self, ws: &str, id: &str, lease: &Lease) -> Result<()>;
    /// Claims a participant's nudge with `claim` while their mark still reads `previous`
    /// and no other live claim holds it; `false` otherwise. MUST answer `NotFound` when
    /// not enrolled.
    async fn claim_nudge(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        previous: Option<DateTime<Utc>>,
        claim: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Ends `claim`: with `sent_at`, the email was handed to the mail service and the mark
    /// is set; without, the participant stays nudgeable. `false` when the claim is no
    /// longer this one. MUST answer `NotFound` when not enrolled.
    async fn settle_nudge(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        claim: &Lease,
        sent_at: Option<DateTime<Utc>>,
    ) -> Result<bool>;
}

impl<T: Table> Store<T> {
    /// Writes `write` unless the lease moved on: `Conflict` then, `NotFound` when gone.
    async fn leased_write(&self, write: Write) -> Result<()> {
        match self.table.write(write).await {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::StaleVersion)),
            Err(e) => Err(e.into()),
        }
    }
}

#[async_trait]
impl<T: Table> NudgeStore for Store<T> {
    async fn queue_nudges(&self, ws: &str, job: &NudgeJob) -> Result<()> {
        let key = nudge_job_key(ws, &job.id)?;
        let mut item = keyed(attributes(job)?, &key);
        item.insert(attr::WORKSPACE_ID.into(), ws.into());
        item.insert(OPEN_PROGRAMS.pk.into(), NUDGES.into());
        item.insert(
            OPEN_PROGRAMS.sk.into(),
            open_sort_key(ws, &job.id, job.queued_at).into(),
        );
        match self.put_new(item).await? {
            true => Ok(()),
            false => Err(StoreError::Conflict(Conflict::AlreadyExists)),
        }
    }

    async fn due_nudge_jobs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, NudgeJob)>> {
        self.open_partition(NUDGES, until, limit).await
    }

    async fn take_nudge_job(&self, ws: &str, id: &str, lease: &Lease, now: DateTime<Utc>) -> Result<Option<NudgeJob>> {
        let item = self.take_lease(nudge_job_key(ws, id)?, lease, now).await?;
        item.map(decode).transpose()
    }

    async fn save_nudge_job(&self, ws: &str, job: &NudgeJob, lease: &Lease) -> Result<()> {
        let write = Write::update(nudge_job_key(ws, &job.id)?)
            .set(path(&[attr::DONE]), json(&job.done)?)
            .set(path(&[attr::LEASE_UNTIL]), json(&lease.until)?)
            .when(Cond::Eq(attr::LEASE_OWNER, lease.owner.clone().into()));
        self.leased_write(write).await
    }

    async fn finish_nudge_job(&self, ws: &str, id: &str, lease: &Lease) -> Result<()> {
        let write = Write::Delete {
            key: nudge_job_key(ws, id)?,
            cond: Some(Cond::Eq(attr::LEASE_OWNER, lease.owner.clone().into())),
        };
        self.leased_write(write).await
    }

    async fn claim_nudge(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        previous: Option<DateTime<Utc>>,
        claim: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let key = enrollment_key(ws, program_id, user_id)?;
        let Some(item) = self.table.get(&key).await? else {
            return Err(StoreError::NotFound);
        };
        let unchanged = time_of(&item, attr::LAST_NUDGED_AT) == previous;
        if !unchanged || held_elsewhere(&item, attr::NUDGE_CLAIM_OWNER, attr::NUDGE_CLAIM_UNTIL, claim, now) {
            return Ok(false);
        }
        let write = Write::update(key.clone())
            .set(path(&[attr::NUDGE_CLAIM_OWNER]), claim.owner.clone().into())
            .set(path(&[attr::NUDGE_CLAIM_UNTIL]), json(&claim.until)?)
            .when(Cond::All(vec![
                Cond::Exists,
                still(attr::LAST_NUDGED_AT, item.get(attr::LAST_NUDGED_AT)),
                still(attr::NUDGE_CLAIM_OWNER, item.get(attr::NUDGE_CLAIM_OWNER)),
            ]));
        self.enrollment_mark(key, write).await
    }

    async fn settle_nudge(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        claim: &Lease,
        sent_at: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let key = enrollment_key(ws, program_id, user_id)?;
        let mut write = Write::update(key.clone())
            .remove(path(&[attr::NUDGE_CLAIM_OWNER]))
            .remove(path(&[attr::NUDGE_CLAIM_UNTIL]));
        if let Some(at) = sent_at {
            write = write.set(path(&[attr::LAST_NUDGED_AT]), json(&at)?);
        }
        let write = write.when(Cond::All(vec![
            Cond::Exists,
            Cond::Eq(attr::NUDGE_CLAIM_OWNER, claim.owner.clone().into()),
        ]));
        self.enrollment_mark(key, write).await
    }
}
