//! Certifications: [`CertificationStore`] over the table.

use async_trait::async_trait;
use certify_rules::{changed_fields, Actor, Certification, CertificationFields, Change, HistoryEntry};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::history::{certification_entry, entry};
use crate::items::*;
use crate::table::{path, Cond, Query, Table, TableError, Write};
use crate::{Conflict, Page, PageRequest, Result, Store, StoreError};

#[async_trait]
pub trait CertificationStore: Send + Sync {
    /// MUST refuse a taken id with `Conflict(AlreadyExists)`. Records `created` by
    /// `actor` in the same transaction, as every change below records its entry.
    async fn create_certification(&self, ws: &str, certification: &Certification, actor: &Actor) -> Result<()>;
    /// Archived ones too (certificates keep pointing at them). A missing one MUST be
    /// `Ok(None)`, not `NotFound`.
    async fn certification(&self, ws: &str, id: &str) -> Result<Option<Certification>>;
    /// By id; archived ones only with `include_archived`. MUST answer `BadCursor` for a
    /// cursor that does not decode as one a list gave out.
    async fn certifications(&self, ws: &str, include_archived: bool, page: &PageRequest)
        -> Result<Page<Certification>>;
    /// Stores `fields` over `current` with the next version. MUST answer `NotFound` when
    /// it is missing or archived and `Conflict(StaleVersion)` when its version moved.
    async fn update_certification(
        &self,
        ws: &str,
        current: &Certification,
        fields: &CertificationFields,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certification>;
    /// Archives it. MUST answer `NotFound` when missing or archived already,
    /// `Conflict(StaleVersion)` when `expected_version` is given and differs, and
    /// `Conflict(CertificationInUse)` while a program that has not ended links it, also
    /// when such a link is made concurrently.
    async fn archive_certification(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<u64>,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certification>;
    /// Its history, oldest first (archived ones too). MUST answer `NotFound` when the
    /// workspace has no such certification and `BadCursor` for a cursor a page did not
    /// give out.
    async fn certification_history(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<HistoryEntry>>;
}

/// A refused transaction whose first write (the certification's) failed its condition.
fn first_refused(e: &TableError) -> bool {
    matches!(e, TableError::TransactionCancelled { failed } if failed.contains(&0))
}

#[async_trait]
impl<T: Table> CertificationStore for Store<T> {
    async fn create_certification(&self, ws: &str, certification: &Certification, actor: &Actor) -> Result<()> {
        let key = certification_key(ws, &certification.id)?;
        let mut item = keyed(attributes(certification)?, &key);
        item.insert(attr::OPEN_LINKS.into(), 0.into());
        let created = entry(certification.created_at, Change::Created {}, actor);
        let writes = vec![
            Write::Put {
                item,
                cond: Some(Cond::Absent),
            },
            certification_entry(ws, &certification.id, &created)?,
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(()),
            Err(e) if first_refused(&e) => Err(StoreError::Conflict(Conflict::AlreadyExists)),
            Err(e) => Err(e.into()),
        }
    }

    async fn certification(&self, ws: &str, id: &str) -> Result<Option<Certification>> {
        self.get_decoded(certification_key(ws, id)).await
    }

    async fn certifications(
        &self,
        ws: &str,
        include_archived: bool,
        page: &PageRequest,
    ) -> Result<Page<Certification>> {
        let query = Query {
            pk: workspace_pk(ws)?,
            sk_prefix: Some(CERT.into()),
            ..Default::default()
        };
        let page = self
            .list(query, page, |item| {
                include_archived || !item.contains_key(attr::ARCHIVED_AT)
            })
            .await?;
        Ok(Page {
            items: page.items.into_iter().map(decode).collect::<Result<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    async fn update_certification(
        &self,
        ws: &str,
        current: &Certification,
        fields: &CertificationFields,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certification> {
        let next = Certification {
            fields: fields.clone(),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        let write = set_fields(
            Write::update(certification_key(ws, &current.id)?),
            &next,
            &[attr::VALIDITY, attr::LOCALE, attr::ARCHIVED_AT],
        )?
        .when(Cond::All(vec![
            Cond::Exists,
            Cond::AttrAbsent(attr::ARCHIVED_AT),
            Cond::Eq(attr::VERSION, current.version.into()),
        ]));
        let updated = Change::Updated {
            fields: changed_fields(&current.fields, fields),
        };
        let writes = vec![
            write,
            certification_entry(ws, &current.id, &entry(now, updated, actor))?,
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(next),
            Err(e) if first_refused(&e) => match self.certification(ws, &current.id).await? {
                Some(c) if !c.is_archived() => Err(StoreError::Conflict(Conflict::StaleVersion)),
                _ => Err(StoreError::NotFound),
            },
            Err(e) => Err(e.into()),
        }
    }

    async fn archive_certification(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<u64>,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certification> {
        let key = certification_key(ws, id)?;
        let current = self.get_decoded::<Certification>(Ok(key.clone())).await?;
        let current = current.filter(|c| !c.is_archived()).ok_or(StoreError::NotFound)?;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(StoreError::Conflict(Conflict::StaleVersion));
        }
        let next = Certification {
            archived_at: Some(now),
            updated_at: now,
            version: current.version + 1,
            ..current.clone()
        };
        // The open-link count changes in the same transactions as links and program
        // ends, so this condition sees every link, however recent.
        let write = Write::update(key.clone())
            .set(path(&[attr::ARCHIVED_AT]), json(&now)?)
            .set(path(&[attr::UPDATED_AT]), json(&now)?)
            .set(path(&[attr::VERSION]), next.version.into())
            .when(Cond::All(vec![
                Cond::Eq(attr::VERSION, current.version.into()),
                Cond::Eq(attr::OPEN_LINKS, 0.into()),
            ]));
        let writes = vec![
            write,
            certification_entry(ws, id, &entry(now, Change::Archived {}, actor))?,
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(next),
            Err(e) if first_refused(&e) => {
                let item = self.table.get(&key).await?.ok_or(StoreError::NotFound)?;
                match item.get(attr::OPEN_LINKS).and_then(Value::as_i64) {
                    _ if item.contains_key(attr::ARCHIVED_AT) => Err(StoreError::NotFound),
                    Some(open) if open > 0 => Err(StoreError::Conflict(Conflict::CertificationInUse)),
                    _ => Err(StoreError::Conflict(Conflict::StaleVersion)),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn certification_history(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<HistoryEntry>> {
        if self.certification(ws, id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        self.history(workspace_pk(ws)?, certification_history_prefix(id)?, page)
            .await
    }
}
