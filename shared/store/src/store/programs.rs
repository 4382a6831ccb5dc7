//! [`ProgramStore`] over the table: program items, their index attributes and links, and imports.

use async_trait::async_trait;
use certify_rules::{Component, EnrollmentRecord, Program, ProgramFields, ProgramState};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{active, Store};
use crate::items::*;
use crate::table::{path, Cond, Item, Query, Table, TableError, Write, BY_CERTIFICATION, BY_WORKSPACE};
use crate::{Conflict, Page, PageRequest, ProgramStore, Result, StoreError};

impl<T: Table> Store<T> {
    pub(super) fn program_write(ws: &str, program: &Program, write: Write) -> Result<Write> {
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
    pub(super) async fn create(&self, ws: &str, program: &Program, extra: impl FnOnce(Write) -> Write) -> Result<()> {
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
    pub(super) fn link(ws: &str, certification_id: &str) -> Result<Write> {
        Ok(Write::update(certification_key(ws, certification_id)?)
            .add(attr::OPEN_LINKS, 1)
            .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::ARCHIVED_AT)])))
    }

    /// Counts one open program fewer (unlinked, or ended).
    pub(super) fn unlink(ws: &str, certification_id: &str) -> Result<Write> {
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
