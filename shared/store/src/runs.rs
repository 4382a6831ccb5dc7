//! Runs (SPEC 1.8): [`RunStore`] over the table: a program's end, its run record and the
//! per-participant claims and marks.

use async_trait::async_trait;
use certify_rules::{Actor, Certificate, Change, Outcome, Program, ProgramState, RunRecord, RunState, RunSummary};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::history::{certificate_entry, entry, program_entry};
use crate::items::*;
use crate::leases::held_elsewhere;
use crate::table::{path, Cond, Item, Query, Table, TableError, Write, OPEN_PROGRAMS};
use crate::{Conflict, Lease, ProgramStore, Result, Store, StoreError, TRANSACTION_MAX};

/// A participant's recorded outcome and, when passed, the certificate fixed with it:
/// its id and everything it shows. Every retry reuses it, so a participant never gets
/// two certificates from one program and an issued certificate never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub outcome: Outcome,
    pub certificate: Option<Certificate>,
}

/// A participant whose result email went to the mail service, or never can (`error`).
/// With the certificate the email announced, whose history records `emailed` in the
/// same transaction as the mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyMark {
    pub user_id: String,
    pub error: Option<String>,
    pub certificate_id: Option<String>,
}

/// Program end, the run record and the per-participant marks of a run (SPEC 1.8).
#[async_trait]
pub trait RunStore: Send + Sync {
    /// `active` -> `ending` with `ended_at`, which also dates the program in the
    /// open-programs index (an early end is swept from then on). MUST answer
    /// `Conflict(ProgramEnded)` when the program is not `active` (exactly one of racing
    /// callers wins) and `NotFound` when missing.
    async fn begin_end(&self, ws: &str, program_id: &str, ended_at: DateTime<Utc>) -> Result<Program>;
    /// `ending` -> `ended`, leaving the open-programs index. MUST answer
    /// `Conflict(ProgramEnded)` unless the program is `ending`, and `NotFound` when
    /// missing.
    async fn finish_end(&self, ws: &str, program_id: &str) -> Result<Program>;
    /// `active` programs whose `ends_at` is at or before `until`, in due order, as
    /// (workspace, program): the sweep's due programs. (An `ending` program stored before
    /// runs were kept apart may be among them.)
    async fn due_programs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>>;
    /// `ending` programs whose run is to be tried at or before `until` (from `ended_at`,
    /// then as [`RunStore::schedule_run`] set), oldest first: the sweep's unfinished runs.
    async fn due_runs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>>;
    /// When the sweep tries an `ending` program's run next (SPEC 1.8.8). Answers `false`
    /// when the program is no longer `ending` (its run finished); MUST answer `NotFound`
    /// when missing.
    async fn schedule_run(&self, ws: &str, program_id: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Creates the run record unless one exists; answers the stored one either way, so
    /// it MUST NOT answer a `Conflict`.
    async fn start_run(&self, ws: &str, record: &RunRecord) -> Result<RunRecord>;
    async fn run(&self, ws: &str, program_id: &str) -> Result<Option<RunRecord>>;
    /// Takes the lease of a `running` run when no one else holds a live one (at `now`)
    /// and answers the record; `None` when the run is finished or another holds it. MUST
    /// answer `NotFound` when the program has no run record.
    async fn take_run(
        &self,
        ws: &str,
        program_id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<RunRecord>>;
    /// Checkpoints the record and, with a lease, renews it. MUST answer
    /// `Conflict(StaleVersion)` once the stored record is `completed` or `skipped` (a
    /// finished run is never reopened) or another holds the lease.
    async fn save_run(&self, ws: &str, record: &RunRecord, lease: Option<&Lease>) -> Result<()>;
    /// Records the participant's outcome once; a second claim (a retry, a racing run)
    /// MUST answer the first claim unchanged, and `NotFound` when not enrolled.
    async fn claim_outcome(&self, ws: &str, program_id: &str, user_id: &str, claim: &Claim) -> Result<Claim>;
    /// [`RunStore::claim_outcome`] for many participants, answered in order, in as few
    /// requests as the table allows (one transaction per 100 when none was claimed
    /// before). MUST answer `NotFound` when one is not enrolled; claims before it may
    /// stand then (each is recorded once all the same).
    async fn claim_outcomes(&self, ws: &str, program_id: &str, claims: &[(String, Claim)]) -> Result<Vec<Claim>>;
    /// Marks participants notified (with the error, if the email can never go); a mark
    /// is never overwritten. Answers how many marks this call set. MUST answer
    /// `NotFound` when one is not enrolled; marks before it may stand then.
    async fn mark_notified(&self, ws: &str, program_id: &str, marks: &[NotifyMark], at: DateTime<Utc>)
        -> Result<usize>;
    /// Marks when the run first failed each participant (`failing_since`); a mark is
    /// never overwritten. Answers how many this call set. MUST answer `NotFound` when one
    /// is not enrolled; marks before it may stand then.
    async fn mark_failing(&self, ws: &str, program_id: &str, user_ids: &[String], at: DateTime<Utc>) -> Result<usize>;
    /// Marks participants given up (`given_up_at`), as [`RunStore::mark_failing`] does.
    async fn give_up(&self, ws: &str, program_id: &str, user_ids: &[String], at: DateTime<Utc>) -> Result<usize>;
}

/// Sets the outcome (and the certificate, with its id) of an enrollment that has none.
fn claim_write(ws: &str, program_id: &str, user_id: &str, claim: &Claim) -> Result<Write> {
    let mut write =
        Write::update(enrollment_key(ws, program_id, user_id)?).set(path(&[attr::OUTCOME]), json(&claim.outcome)?);
    if let Some(certificate) = &claim.certificate {
        write = write
            .set(path(&[attr::CERTIFICATE_ID]), certificate.id.clone().into())
            .set(path(&[attr::CERTIFICATE]), json(certificate)?);
    }
    Ok(write.when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::OUTCOME)])))
}

/// Sets the notified mark of an enrollment that has none.
fn notify_write(ws: &str, program_id: &str, mark: &NotifyMark, at: DateTime<Utc>) -> Result<Write> {
    let mut write =
        Write::update(enrollment_key(ws, program_id, &mark.user_id)?).set(path(&[attr::NOTIFIED_AT]), json(&at)?);
    if let Some(error) = &mark.error {
        write = write.set(path(&[attr::NOTIFY_ERROR]), error.clone().into());
    }
    Ok(write.when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::NOTIFIED_AT)])))
}

/// The notified mark and, when the email announced a certificate and went out, the
/// certificate's `emailed` history entry.
fn notify_writes(ws: &str, program_id: &str, mark: &NotifyMark, at: DateTime<Utc>) -> Result<Vec<Write>> {
    let mut writes = vec![notify_write(ws, program_id, mark, at)?];
    if let (Some(certificate_id), None) = (&mark.certificate_id, &mark.error) {
        writes.push(certificate_entry(
            ws,
            certificate_id,
            &entry(at, Change::Emailed {}, &Actor::System),
        )?);
    }
    Ok(writes)
}

/// Sets a time mark on an enrollment that has none.
fn once_write(ws: &str, program_id: &str, user_id: &str, name: &'static str, at: DateTime<Utc>) -> Result<Write> {
    Ok(Write::update(enrollment_key(ws, program_id, user_id)?)
        .set(path(&[name]), json(&at)?)
        .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(name)])))
}

/// Whose enrollment a mark is for.
trait Marked {
    fn user_id(&self) -> &str;
}

impl Marked for NotifyMark {
    fn user_id(&self) -> &str {
        &self.user_id
    }
}

impl Marked for String {
    fn user_id(&self) -> &str {
        self
    }
}

impl<T: Table> Store<T> {
    /// One partition of the sweep's index up to `until`, oldest first, as (workspace,
    /// item): programs, runs or nudge jobs.
    pub(crate) async fn open_partition<V: serde::de::DeserializeOwned>(
        &self,
        partition: &str,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(String, V)>> {
        let items = self.open_items(partition, until, limit).await?;
        items.into_iter().map(|(ws, item)| Ok((ws, decode(item)?))).collect()
    }

    /// The items of a partition of the sweep's index due by `until`, earliest first,
    /// each with its workspace.
    pub(crate) async fn open_items(
        &self,
        partition: &str,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<(String, Item)>> {
        let until = until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let page = self
            .table
            .query(&Query {
                index: Some(OPEN_PROGRAMS),
                pk: partition.into(),
                // `$` sorts right after `#`: every key of that second is included.
                sk_at_most: Some(format!("{until}$")),
                limit: Some(limit.max(1)),
                ..Default::default()
            })
            .await?;
        page.items
            .into_iter()
            .map(|item| Ok((workspace_of(&item)?, item)))
            .collect()
    }

    /// Sets marks that are never overwritten, each by its writes (the mark first, then
    /// what goes with it: a history entry): the marks of a transaction together and,
    /// when one was set before (a resumed or racing run), one by one. Answers how many
    /// this call set.
    async fn set_marks<M: Marked>(
        &self,
        ws: &str,
        program_id: &str,
        marks: &[M],
        writes_of: impl Fn(&M) -> Result<Vec<Write>>,
    ) -> Result<usize> {
        let mut set = 0;
        // At most two writes a mark.
        for chunk in marks.chunks(TRANSACTION_MAX / 2) {
            let mut writes = Vec::new();
            for mark in chunk {
                writes.extend(writes_of(mark)?);
            }
            match self.transact_or_write(writes).await {
                Ok(()) => set += chunk.len(),
                Err(TableError::ConditionFailed | TableError::TransactionCancelled { .. }) => {
                    for mark in chunk {
                        let key = enrollment_key(ws, program_id, mark.user_id())?;
                        if self.enrollment_marks(key, writes_of(mark)?).await? {
                            set += 1;
                        }
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(set)
    }
}

#[async_trait]
impl<T: Table> RunStore for Store<T> {
    async fn begin_end(&self, ws: &str, program_id: &str, ended_at: DateTime<Utc>) -> Result<Program> {
        let write = Write::update(program_key(ws, program_id)?)
            .set(path(&[attr::STATE]), state::ENDING.into())
            .set(path(&[attr::ENDED_AT]), json(&ended_at)?)
            .set(path(&[OPEN_PROGRAMS.pk]), RUNS.into())
            .set(
                path(&[OPEN_PROGRAMS.sk]),
                open_sort_key(ws, program_id, ended_at).into(),
            )
            .add(attr::VERSION, 1);
        let ended = program_entry(ws, program_id, &entry(ended_at, Change::Ended {}, &Actor::System))?;
        self.transition(ws, program_id, state::ACTIVE, write, vec![ended]).await
    }

    async fn finish_end(&self, ws: &str, program_id: &str) -> Result<Program> {
        let write = Write::update(program_key(ws, program_id)?)
            .set(path(&[attr::STATE]), state::ENDED.into())
            .remove(path(&[OPEN_PROGRAMS.pk]))
            .remove(path(&[OPEN_PROGRAMS.sk]))
            .add(attr::VERSION, 1);
        // An ended program stops counting as an open link; its link cannot change once
        // it is ending, so the one read here is the one to release.
        let program = self.program(ws, program_id).await?.ok_or(StoreError::NotFound)?;
        let mut also = match program.certification_id.as_deref() {
            Some(cid) if program.state == ProgramState::Ending => vec![Self::unlink(ws, cid)?],
            _ => Vec::new(),
        };
        // The run is finished (completed or skipped) before its program is `ended`.
        if let Some(run) = self.run(ws, program_id).await? {
            let at = run.finished_at.unwrap_or(run.started_at);
            let completed = Change::Completed(RunSummary::of(&run, program.certification_id.clone()));
            also.push(program_entry(ws, program_id, &entry(at, completed, &Actor::System))?);
        }
        self.transition(ws, program_id, state::ENDING, write, also).await
    }

    async fn due_programs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>> {
        self.open_partition(DUE, until, limit).await
    }

    async fn due_runs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>> {
        self.open_partition(RUNS, until, limit).await
    }

    async fn schedule_run(&self, ws: &str, program_id: &str, at: DateTime<Utc>) -> Result<bool> {
        let write = Write::update(program_key(ws, program_id)?)
            .set(path(&[OPEN_PROGRAMS.pk]), RUNS.into())
            .set(path(&[OPEN_PROGRAMS.sk]), open_sort_key(ws, program_id, at).into())
            .when(Cond::Eq(attr::STATE, state::ENDING.into()));
        match self.table.write(write).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => match self.program_state(ws, program_id).await? {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn start_run(&self, ws: &str, record: &RunRecord) -> Result<RunRecord> {
        let key = run_key(ws, &record.program_id)?;
        let item = keyed(attributes(record)?, &key);
        if self.put_new(item).await? {
            Ok(record.clone())
        } else {
            self.run(ws, &record.program_id).await?.ok_or(StoreError::NotFound)
        }
    }

    async fn run(&self, ws: &str, program_id: &str) -> Result<Option<RunRecord>> {
        self.get_decoded(run_key(ws, program_id)).await
    }

    async fn take_run(
        &self,
        ws: &str,
        program_id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<RunRecord>> {
        let key = run_key(ws, program_id)?;
        let Some(item) = self.table.get(&key).await? else {
            return Err(StoreError::NotFound);
        };
        let record: RunRecord = decode(item.clone())?;
        if record.state != RunState::Running || held_elsewhere(&item, attr::LEASE_OWNER, attr::LEASE_UNTIL, lease, now)
        {
            return Ok(None);
        }
        let held = still(attr::LEASE_OWNER, item.get(attr::LEASE_OWNER));
        let write = Write::update(key)
            .set(path(&[attr::LEASE_OWNER]), lease.owner.clone().into())
            .set(path(&[attr::LEASE_UNTIL]), json(&lease.until)?)
            .when(Cond::All(vec![Cond::Eq(attr::STATE, state::RUNNING.into()), held]));
        match self.table.write(write).await {
            Ok(()) => Ok(Some(record)),
            Err(TableError::ConditionFailed) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn save_run(&self, ws: &str, record: &RunRecord, lease: Option<&Lease>) -> Result<()> {
        let key = run_key(ws, &record.program_id)?;
        let mut item = keyed(attributes(record)?, &key);
        let mut cond = vec![Cond::Eq(attr::STATE, state::RUNNING.into())];
        if let Some(lease) = lease {
            item.insert(attr::LEASE_OWNER.into(), lease.owner.clone().into());
            item.insert(attr::LEASE_UNTIL.into(), json(&lease.until)?);
            cond.push(Cond::Eq(attr::LEASE_OWNER, lease.owner.clone().into()));
        }
        match self
            .table
            .write(Write::Put {
                item,
                cond: Some(Cond::All(cond)),
            })
            .await
        {
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::StaleVersion)),
            other => Ok(other?),
        }
    }

    async fn claim_outcome(&self, ws: &str, program_id: &str, user_id: &str, claim: &Claim) -> Result<Claim> {
        let key = enrollment_key(ws, program_id, user_id)?;
        let write = claim_write(ws, program_id, user_id, claim)?;
        if self.enrollment_mark(key.clone(), write).await? {
            return Ok(claim.clone());
        }
        let item = self.table.get(&key).await?.ok_or(StoreError::NotFound)?;
        let outcome = item
            .get(attr::OUTCOME)
            .cloned()
            .ok_or_else(|| anyhow::anyhow!("a refused claim without a stored outcome"))?;
        let certificate = item
            .get(attr::CERTIFICATE)
            .map(|c| serde_json::from_value(c.clone()))
            .transpose()
            .map_err(anyhow::Error::from)?;
        Ok(Claim {
            outcome: serde_json::from_value(outcome).map_err(anyhow::Error::from)?,
            certificate,
        })
    }

    async fn claim_outcomes(&self, ws: &str, program_id: &str, claims: &[(String, Claim)]) -> Result<Vec<Claim>> {
        let mut answers = Vec::with_capacity(claims.len());
        for chunk in claims.chunks(TRANSACTION_MAX) {
            let writes = chunk
                .iter()
                .map(|(user_id, claim)| claim_write(ws, program_id, user_id, claim))
                .collect::<Result<Vec<_>>>()?;
            match self.transact_or_write(writes).await {
                Ok(()) => answers.extend(chunk.iter().map(|(_, claim)| claim.clone())),
                // Some were claimed before (a resumed or racing run): one by one, each
                // answering the claim that stands.
                Err(TableError::ConditionFailed | TableError::TransactionCancelled { .. }) => {
                    for (user_id, claim) in chunk {
                        answers.push(self.claim_outcome(ws, program_id, user_id, claim).await?);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(answers)
    }

    async fn mark_notified(
        &self,
        ws: &str,
        program_id: &str,
        marks: &[NotifyMark],
        at: DateTime<Utc>,
    ) -> Result<usize> {
        self.set_marks(ws, program_id, marks, |mark| notify_writes(ws, program_id, mark, at))
            .await
    }

    async fn mark_failing(&self, ws: &str, program_id: &str, user_ids: &[String], at: DateTime<Utc>) -> Result<usize> {
        self.set_marks(ws, program_id, user_ids, |user_id| {
            Ok(vec![once_write(ws, program_id, user_id, attr::FAILING_SINCE, at)?])
        })
        .await
    }

    async fn give_up(&self, ws: &str, program_id: &str, user_ids: &[String], at: DateTime<Utc>) -> Result<usize> {
        self.set_marks(ws, program_id, user_ids, |user_id| {
            Ok(vec![once_write(ws, program_id, user_id, attr::GIVEN_UP_AT, at)?])
        })
        .await
    }
}
