//! Regeneration (SPEC 1.13): the sweep works each running regeneration a few pages at a
//! time, after every due program and run, so that no regeneration delays a program end
//! (1.8.8). Per certificate: claim (the mark, the new snapshot when refreshed and the
//! `regenerated` entry in one transaction) -> draw and store both files under the same
//! keys -> clear the mark. A crash at any point leaves the mark set, so the next sweep,
//! resuming from the last checkpoint, draws the same certificate again from the same
//! record into the same files; a certificate drawn already is counted, not drawn again.
//! A page where some certificate failed is tried again later, as a run's participant is
//! (SPEC 1.8.8), so every file comes to match its record or is reported given up.

use certify_blobs::FileKind;
use certify_rules::{
    PageOutcome, Regeneration, RegenerationErrorCode, RegenerationState, RegistryQuery, RegistrySort, RunErrorCode,
};
use certify_store::{Lease, PageRequest, RegenerationClaim, StoreError};
use chrono::{DateTime, Utc};
use futures::StreamExt;

use crate::run::Step;
use crate::{Deadline, Report, Trigger};

/// What became of one certificate.
enum Drawn {
    /// Counted as done: drawn now, or by this regeneration before.
    Done,
    /// Revoked or gone: not counted.
    Skipped,
    Failed(RegenerationErrorCode),
}

impl Trigger {
    /// Works the running regenerations, oldest first, a few at once, into `report`.
    pub(crate) async fn regenerate_due(&self, deadline: Deadline, report: &mut Report) {
        let due = match self
            .store
            .due_regenerations(self.now(), self.settings.sweep_limit)
            .await
        {
            Ok(due) => due,
            Err(e) => {
                report.errors.push(format!("regenerations: {e}"));
                return;
            }
        };
        let results: Vec<_> = futures::stream::iter(due)
            .map(|(ws, regeneration)| async move {
                let result = self.regenerate_within(&ws, &regeneration, deadline).await;
                (ws, regeneration.id, result)
            })
            .buffer_unordered(self.settings.programs_at_once.max(1))
            .collect()
            .await;
        for (ws, id, result) in results {
            match result {
                Ok(drawn) => report.regenerated += drawn,
                // Another invocation took it over.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => {
                    tracing::error!(workspace = %ws, regeneration = %id, error = ?e, "a regeneration failed");
                    report.errors.push(format!("{ws}: regeneration {id}: {e}"));
                }
            }
        }
    }

    /// Works one regeneration for at most [`crate::Settings::regeneration_pages`] pages
    /// (fewer when the deadline nears), checkpointing after each; answers how many
    /// certificates it counted done. One held elsewhere, or completed, is left alone.
    pub async fn regenerate(
        &self,
        ws: &str,
        regeneration: &Regeneration,
        deadline: Option<DateTime<Utc>>,
    ) -> Result<u64, StoreError> {
        self.regenerate_within(ws, regeneration, self.deadline(deadline)).await
    }

    async fn regenerate_within(
        &self,
        ws: &str,
        regeneration: &Regeneration,
        deadline: Deadline,
    ) -> Result<u64, StoreError> {
        let Some(mut work) = RegenerationWork::open(self, ws, regeneration).await? else {
            return Ok(0);
        };
        for worked_pages in 0..self.settings.regeneration_pages.max(1) {
            if deadline.is_near(self.now()) {
                break;
            }
            if worked_pages > 0 {
                work.checkpoint().await?;
            }
            if work.step().await? == Step::Done {
                break;
            }
        }
        work.close().await
    }

    /// One certificate: claim, draw and store, clear the mark.
    async fn draw_again(&self, ws: &str, certificate_id: &str, job: &Regeneration) -> Result<Drawn, StoreError> {
        let certificate = match self.store.claim_regeneration(certificate_id, job, self.now()).await {
            Ok(RegenerationClaim::Draw(certificate)) => certificate,
            Ok(RegenerationClaim::Done) => return Ok(Drawn::Done),
            Ok(RegenerationClaim::Revoked) | Err(StoreError::NotFound) => return Ok(Drawn::Skipped),
            Err(e) => return Err(e),
        };
        // Both files: a preview drawn before would show the old snapshot.
        let stored = match self.store_file(ws, certificate.as_ref(), FileKind::Pdf).await {
            Ok(()) => self.store_file(ws, certificate.as_ref(), FileKind::Png).await,
            failed => failed,
        };
        if let Err((code, error)) = stored {
            tracing::warn!(workspace = ws, certificate = certificate_id, error = ?error, "a certificate was not regenerated");
            let code = match code {
                RunErrorCode::RenderFailed => RegenerationErrorCode::RenderFailed,
                _ => RegenerationErrorCode::StorageFailed,
            };
            return Ok(Drawn::Failed(code));
        }
        self.store.finish_regeneration(certificate_id, &job.id).await?;
        Ok(match certificate.revoked_at {
            Some(_) => Drawn::Skipped,
            None => Drawn::Done,
        })
    }
}

/// A regeneration whose lease this invocation holds, worked as a run is: [`open`]
/// takes the lease, each [`step`] draws one page of certificates and checkpoints it,
/// [`close`] releases the lease (or completes the record).
///
/// [`open`]: RegenerationWork::open
/// [`step`]: RegenerationWork::step
/// [`close`]: RegenerationWork::close
struct RegenerationWork<'a> {
    trigger: &'a Trigger,
    ws: &'a str,
    job: Regeneration,
    lease: Lease,
    /// Certificates counted done by this invocation.
    drawn: u64,
}

impl<'a> RegenerationWork<'a> {
    /// Takes the regeneration's lease; `None` when another invocation holds it or it is
    /// completed.
    async fn open(
        trigger: &'a Trigger,
        ws: &'a str,
        regeneration: &Regeneration,
    ) -> Result<Option<RegenerationWork<'a>>, StoreError> {
        let lease = Lease {
            owner: uuid::Uuid::new_v4().to_string(),
            until: trigger.now() + trigger.settings.lease,
        };
        let cid = regeneration.certification_id.as_str();
        let Some(mut job) = trigger
            .store
            .take_regeneration(ws, cid, &regeneration.id, &lease, trigger.now())
            .await?
        else {
            return Ok(None);
        };
        if job.total.is_none() {
            job.total = Some(trigger.store.count_regenerable(ws, cid).await?);
        }
        Ok(Some(RegenerationWork {
            trigger,
            ws,
            job,
            lease,
            drawn: 0,
        }))
    }

    /// Saves the record as reached, renewing the lease.
    async fn checkpoint(&mut self) -> Result<(), StoreError> {
        self.lease.until = self.trigger.now() + self.trigger.settings.lease;
        self.trigger
            .store
            .save_regeneration(self.ws, &self.job, &self.lease)
            .await
    }

    /// Draws the next page of certificates; `Done` once the last page completed the
    /// regeneration, or a page had failures (it waits for its next try).
    async fn step(&mut self) -> Result<Step, StoreError> {
        let trigger = self.trigger;
        let (ws, cid) = (self.ws, self.job.certification_id.as_str());
        let page = PageRequest {
            limit: trigger.settings.chunk.max(1),
            cursor: self.job.cursor.clone(),
        };
        // Every status, oldest issue first: a revoked certificate may still have
        // files to draw from an earlier, interrupted regeneration.
        let all = RegistryQuery {
            status: None,
            user_id: None,
            expires_before: None,
            sort: RegistrySort::IssuedOn,
            descending: false,
        };
        let page = trigger
            .store
            .registry(ws, cid, &all, trigger.now().date_naive(), &page)
            .await?;
        let ids: Vec<String> = page.items.iter().map(|c| c.id.clone()).collect();
        let claimed = &self.job;
        let outcomes: Vec<_> = futures::stream::iter(ids)
            .map(|id| async move {
                let outcome = trigger.draw_again(ws, &id, claimed).await;
                (id, outcome)
            })
            .buffer_unordered(trigger.settings.concurrency.max(1))
            .collect()
            .await;
        let mut worked = PageOutcome {
            next_cursor: page.next_cursor,
            ..PageOutcome::default()
        };
        for (id, outcome) in outcomes {
            match outcome? {
                Drawn::Done => worked.done += 1,
                Drawn::Skipped => {}
                Drawn::Failed(code) => worked.failures.push((id, code)),
            }
        }
        self.drawn += worked.done;
        // A page with failures waits for its next try; the last page completes it.
        let go_on = self.job.page(worked, trigger.now()) && self.job.state != RegenerationState::Completed;
        Ok(if go_on { Step::Progressed } else { Step::Done })
    }

    /// Saves the record: released for the next sweep (or the next try of a failing
    /// page) while running. Answers how many certificates this invocation counted done.
    async fn close(mut self) -> Result<u64, StoreError> {
        if self.job.state == RegenerationState::Running {
            self.lease.until = self.trigger.now();
        }
        self.trigger
            .store
            .save_regeneration(self.ws, &self.job, &self.lease)
            .await?;
        Ok(self.drawn)
    }
}
