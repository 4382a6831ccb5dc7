//! Programs: [`ProgramStore`] over the table (program items, their index attributes and
//! links, and imports), the writes guarded by the program being active, and its state
//! transitions.

use async_trait::async_trait;
use certify_rules::{Component, EnrollmentRecord, Program, ProgramFields, ProgramState};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::items::*;
use crate::table::{path, Cond, Item, Query, Table, TableError, Write, BY_CERTIFICATION, BY_WORKSPACE};
use crate::{Conflict, Page, PageRequest, Result, Store, StoreError};

#[async_trait]
pub trait ProgramStore: Send + Sync {
    /// MUST refuse a taken id with `Conflict(AlreadyExists)` and a link to a missing or
    /// archived certification with `Conflict(CertificationUnavailable)`.
    async fn create_program(&self, ws: &str, program: &Program) -> Result<()>;
    /// A missing one MUST be `Ok(None)`, not `NotFound`.
    async fn program(&self, ws: &str, id: &str) -> Result<Option<Program>>;
    /// By id. MUST answer `BadCursor` for a cursor that does not decode as one a list
    /// gave out.
    async fn programs(&self, ws: &str, page: &PageRequest) -> Result<Page<Program>>;
    /// Stores `fields` over `current` with the next version. MUST answer `NotFound`,
    /// `Conflict(StaleVersion)`, `Conflict(ProgramEnded)` (not `active`), or
    /// `Conflict(CertificationUnavailable)` for a new link to a missing or archived
    /// certification; nothing changes then.
    async fn update_program(
        &self,
        ws: &str,
        current: &Program,
        fields: &ProgramFields,
        now: DateTime<Utc>,
    ) -> Result<Program>;
    /// Every program of the workspace linking the certification, whatever its state.
    async fn programs_linking(&self, ws: &str, certification_id: &str) -> Result<Vec<Program>>;
    /// Creates a program with its whole roster at once (a seed, an import): the
    /// program item first, as `create_program` (same refusals), marked as importing,
    /// then its components and enrollments by BatchWriteItem (nothing there to
    /// overwrite: the partition is new), then the mark is cleared. Calling it again for
    /// a program whose import did not finish resumes it; for a finished one it MUST
    /// answer `Conflict(AlreadyExists)`. A user id twice MUST answer
    /// `Conflict(AlreadyEnrolled)` with those ids, before anything is written.
    async fn import_program(
        &self,
        ws: &str,
        program: &Program,
        components: &[Component],
        enrollments: &[EnrollmentRecord],
    ) -> Result<()>;
}

impl<T: Table> Store<T> {
    pub(crate) fn program_write(ws: &str, program: &Program, write: Write) -> Result<Write> {
        let mut write = set_fields(write, program, &[attr::CERTIFICATION_ID, attr::ENDED_AT])?;
        let (set, remove) = program_index_attributes(ws, program);
        for (name, value) in set {
            write = write.set(vec![name], value);
        }
        for name in remove {
            write = write.remove(path(&[name]));
        }
        Ok(write.set(path(&[attr::WORKSPACE_ID]), ws.into()))
    }

    /// Creates the program item (`extra` adds attributes), counting its link.
    pub(crate) async fn create(&self, ws: &str, program: &Program, extra: impl FnOnce(Write) -> Write) -> Result<()> {
        let key = program_key(ws, &program.id)?;
        let put = extra(Self::program_write(ws, program, Write::update(key))?).when(Cond::Absent);
        let result = match &program.certification_id {
            None => self.table.write(put).await,
            Some(cid) => self.table.transact(vec![Self::link(ws, cid)?, put]).await,
        };
        match result {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::AlreadyExists)),
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {
                Err(StoreError::Conflict(Conflict::CertificationUnavailable))
            }
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&1) => {
                Err(StoreError::Conflict(Conflict::AlreadyExists))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Counts one more open program linking a certification; refused when it is missing
    /// or archived.
    pub(crate) fn link(ws: &str, certification_id: &str) -> Result<Write> {
        Ok(Write::update(certification_key(ws, certification_id)?)
            .add(attr::OPEN_LINKS, 1)
            .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::ARCHIVED_AT)])))
    }

    /// Counts one open program fewer (unlinked, or ended).
    pub(crate) fn unlink(ws: &str, certification_id: &str) -> Result<Write> {
        Ok(Write::update(certification_key(ws, certification_id)?)
            .add(attr::OPEN_LINKS, -1)
            .when(Cond::Exists))
    }
}

#[async_trait]
impl<T: Table> ProgramStore for Store<T> {
    async fn create_program(&self, ws: &str, program: &Program) -> Result<()> {
        self.create(ws, program, |w| w).await
    }

    async fn program(&self, ws: &str, id: &str) -> Result<Option<Program>> {
        self.get_decoded(program_key(ws, id)).await
    }

    async fn programs(&self, ws: &str, page: &PageRequest) -> Result<Page<Program>> {
        let query = Query {
            index: Some(BY_WORKSPACE),
            pk: programs_of(id(ws)?),
            ..Default::default()
        };
        let page = self.list(query, page, |_| true).await?;
        Ok(Page {
            items: page.items.into_iter().map(decode).collect::<Result<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    async fn update_program(
        &self,
        ws: &str,
        current: &Program,
        fields: &ProgramFields,
        now: DateTime<Utc>,
    ) -> Result<Program> {
        let next = Program {
            name: fields.name.clone(),
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            certification_id: fields.certification_id.clone(),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let write =
            Self::program_write(ws, &next, Write::update(program_key(ws, &current.id)?))?.when(Cond::All(vec![
                Cond::Exists,
                active(),
                Cond::Eq(attr::VERSION, current.version.into()),
            ]));
        let mut writes = vec![write];
        let relinked = next.certification_id != current.certification_id;
        if let Some(cid) = next.certification_id.as_deref().filter(|_| relinked) {
            writes.push(Self::link(ws, cid)?);
        }
        if let Some(cid) = current.certification_id.as_deref().filter(|_| relinked) {
            writes.push(Self::unlink(ws, cid)?);
        }
        match self.transact_or_write(writes).await {
            Ok(()) => return Ok(next),
            Err(TableError::ConditionFailed) => {}
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {}
            Err(TableError::TransactionCancelled { failed })
                if failed.contains(&1) && next.certification_id.is_some() =>
            {
                return Err(StoreError::Conflict(Conflict::CertificationUnavailable))
            }
            Err(e) => return Err(e.into()),
        }
        match self.program(ws, &current.id).await? {
            None => Err(StoreError::NotFound),
            Some(p) if p.state != ProgramState::Active => Err(StoreError::Conflict(Conflict::ProgramEnded)),
            Some(_) => Err(StoreError::Conflict(Conflict::StaleVersion)),
        }
    }

    async fn import_program(
        &self,
        ws: &str,
        program: &Program,
        components: &[Component],
        enrollments: &[EnrollmentRecord],
    ) -> Result<()> {
        let mut seen = std::collections::HashSet::new();
        let twice: Vec<String> = enrollments
            .iter()
            .map(|e| e.participant.user_id.clone())
            .filter(|u| !seen.insert(u.clone()))
            .collect();
        if !twice.is_empty() {
            return Err(StoreError::Conflict(Conflict::AlreadyEnrolled(twice)));
        }
        let key = program_key(ws, &program.id)?;
        let mut items = Vec::with_capacity(components.len() + enrollments.len());
        for c in components {
            items.push(keyed(attributes(c)?, &component_key(ws, &program.id, &c.id)?));
        }
        for e in enrollments {
            let mut item = keyed(
                attributes(e)?,
                &enrollment_key(ws, &program.id, &e.participant.user_id)?,
            );
            item.entry(attr::EXTENSIONS)
                .or_insert_with(|| Value::Object(Item::new()));
            items.push(item);
        }
        match self
            .create(ws, program, |w| w.set(path(&[attr::IMPORTING]), true.into()))
            .await
        {
            Ok(()) => {}
            Err(StoreError::Conflict(Conflict::AlreadyExists)) => {
                let unfinished = self
                    .table
                    .get(&key)
                    .await?
                    .is_some_and(|i| i.contains_key(attr::IMPORTING));
                if !unfinished {
                    return Err(StoreError::Conflict(Conflict::AlreadyExists));
                }
            }
            Err(e) => return Err(e),
        }
        self.table.put_batch(items).await?;
        let done = Write::update(key).remove(path(&[attr::IMPORTING])).when(Cond::Exists);
        Ok(self.table.write(done).await?)
    }

    async fn programs_linking(&self, ws: &str, certification_id: &str) -> Result<Vec<Program>> {
        let query = Query {
            index: Some(BY_CERTIFICATION),
            pk: linking(id(ws)?, id(certification_id)?),
            ..Default::default()
        };
        let (items, _) = self.query_all(query).await?;
        items.into_iter().map(decode).collect()
    }
}

/// The condition that the program is `active`.
pub(crate) fn active() -> Cond {
    Cond::Eq(attr::STATE, state::ACTIVE.into())
}

impl<T: Table> Store<T> {
    /// Why a write guarded by "the program is active" (position 0 of its transaction)
    /// was refused: no program, a program no longer active, or else the write's own
    /// target (`target` says what its failed condition means).
    pub(crate) async fn refusal(
        &self,
        ws: &str,
        program_id: &str,
        error: TableError,
        target: StoreError,
    ) -> StoreError {
        match error {
            TableError::TransactionCancelled { failed } if !failed.is_empty() => {
                if failed.contains(&0) {
                    match self.program_state(ws, program_id).await {
                        Ok(None) => StoreError::NotFound,
                        Ok(Some(_)) => StoreError::Conflict(Conflict::ProgramEnded),
                        Err(e) => e,
                    }
                } else {
                    target
                }
            }
            other => other.into(),
        }
    }

    pub(crate) async fn program_state(&self, ws: &str, program_id: &str) -> Result<Option<ProgramState>> {
        Ok(self.program(ws, program_id).await?.map(|p| p.state))
    }

    pub(crate) async fn guarded(&self, ws: &str, program_id: &str, write: Write, target: StoreError) -> Result<()> {
        let check = Write::Check {
            key: program_key(ws, program_id)?,
            cond: active(),
        };
        match self.table.transact(vec![check, write]).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.refusal(ws, program_id, e, target).await),
        }
    }

    /// Moves the program out of state `from` with `write`, and `also` in the same
    /// transaction.
    pub(crate) async fn transition(
        &self,
        ws: &str,
        program_id: &str,
        from: &str,
        write: Write,
        also: Vec<Write>,
    ) -> Result<Program> {
        let key = program_key(ws, program_id)?;
        let mut writes = vec![write.when(Cond::Eq(attr::STATE, from.into()))];
        writes.extend(also);
        match self.transact_or_write(writes).await {
            Ok(()) => return self.program(ws, program_id).await?.ok_or(StoreError::NotFound),
            Err(TableError::ConditionFailed) => {}
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {}
            Err(e) => return Err(e.into()),
        }
        match self.table.get(&key).await? {
            Some(_) => Err(StoreError::Conflict(Conflict::ProgramEnded)),
            None => Err(StoreError::NotFound),
        }
    }
}
