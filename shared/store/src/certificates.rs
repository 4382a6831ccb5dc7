//! Certificates: [`CertificateStore`] over the table (issue, revocation, the registry,
//! `Idempotency-Key` claims).

use async_trait::async_trait;
use certify_rules::{
    Actor, Certificate, CertificateStatus, Change, HistoryEntry, RegistryQuery, RegistrySort, StatusEntry,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use crate::history::{certificate_entry, entry};
use crate::items::*;
use crate::reminders::{first_look, look_sort_key};
use crate::table::{
    path, Cond, Item, Key, Query, Table, TableError, Write, BY_USER, OPEN_PROGRAMS, REGISTRY_EXPIRY, REGISTRY_ISSUED,
};
use crate::{CertificationStore, Conflict, Page, PageRequest, Result, Store, StoreError};

/// How long an `Idempotency-Key` is kept (SPEC 1.13).
pub const REQUEST_KEY_HOURS: i64 = 24;

/// What an `Idempotency-Key` was first claimed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub fingerprint: String,
    pub certificate_id: String,
}

/// Certificates, stored by id with the workspace they belong to.
#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// In one transaction: stores the certificate (once: an existing id answers
    /// `Ok(false)` and changes nothing), makes it the user's active certificate for its
    /// certification, and revokes the one that was active (`revoked_at`,
    /// `replaced_by`). A first certificate costs that one request. A concurrent swap
    /// MUST make this fail with `Conflict(StaleVersion)` rather than leave two active.
    /// Records `issued` by `actor` (and `replaced` on the one it replaces) in the same
    /// transaction.
    async fn issue_certificate(
        &self,
        ws: &str,
        certificate: &Certificate,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<bool>;
    /// By id alone (public verification), with its workspace; a missing one MUST be
    /// `Ok(None)`, not `NotFound`.
    async fn certificate(&self, id: &str) -> Result<Option<(String, Certificate)>>;
    /// A user's certificates in a workspace, newest issue first.
    async fn certificates_of(&self, ws: &str, user_id: &str) -> Result<Vec<Certificate>>;
    /// The id of the user's active certificate for a certification.
    async fn active_certificate(&self, ws: &str, user_id: &str, certification_id: &str) -> Result<Option<String>>;
    /// Revokes it (and clears the active pointer when it points at it). MUST answer
    /// `NotFound` for another workspace's or a missing one and `Conflict(AlreadyRevoked)`
    /// when it is revoked already, also when it got revoked (or replaced) between the
    /// read and the write. Records `revoked` by `actor` in the same transaction.
    async fn revoke_certificate(
        &self,
        ws: &str,
        id: &str,
        reason: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certificate>;
    /// One page of a certification's registry (SPEC 1.13): its certificates that `query`
    /// shows on `today`, in its order, read by an index (never every certificate of the
    /// workspace). MUST answer `NotFound` when the workspace has no such certification
    /// and `BadCursor` for a cursor a page of the same sort did not give out.
    async fn registry(
        &self,
        ws: &str,
        certification_id: &str,
        query: &RegistryQuery,
        today: NaiveDate,
        page: &PageRequest,
    ) -> Result<Page<Certificate>>;
    /// Records that the holder was sent the result email of a certificate issued by
    /// hand (a run records it with its notified mark instead).
    async fn record_emailed(&self, ws: &str, certificate_id: &str, at: DateTime<Utc>, actor: &Actor) -> Result<()>;
    /// Claims a workspace's `Idempotency-Key` for a request (its `fingerprint`) that
    /// will issue `certificate_id`, kept [`REQUEST_KEY_HOURS`] from `now`: the first
    /// claim stands and every later one, racing or retried, answers it; an expired
    /// claim is replaced.
    async fn claim_request_key(
        &self,
        ws: &str,
        key: &str,
        fingerprint: &str,
        certificate_id: &str,
        now: DateTime<Utc>,
    ) -> Result<RequestKey>;
    /// Its history, oldest first. MUST answer `NotFound` for another workspace's or a
    /// missing one and `BadCursor` for a cursor a page did not give out.
    async fn certificate_history(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<HistoryEntry>>;
}

/// The certificate an active pointer points at, and its status-list entry (kept on the
/// pointer so that a replacement sets its bit without reading it).
type Pointed = (String, Option<StatusEntry>);

fn pointed(item: &Item) -> Option<Pointed> {
    let id = item.get(attr::CERTIFICATE_ID).and_then(Value::as_str)?;
    let status = item
        .get(attr::STATUS)
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    Some((id.to_string(), status))
}

/// The write that sets a status-list entry's revoked bit.
fn revoked_bit(entry: &StatusEntry, certificate_id: &str) -> Write {
    let mut item = keyed(Item::new(), &status_bit_key(entry));
    item.insert(attr::CERTIFICATE_ID.into(), certificate_id.into());
    Write::Put { item, cond: None }
}

/// Stores a certificate, points the active pointer at it (expecting `previous`) and
/// revokes `previous` (setting its status bit), with their history entries; write 0 is
/// the certificate, 1 the pointer.
fn issue_writes(
    ws: &str,
    certificate: &Certificate,
    previous: Option<&Pointed>,
    at: DateTime<Utc>,
    actor: &Actor,
) -> Result<Vec<Write>> {
    let mut item = keyed(attributes(certificate)?, &certificate_key(&certificate.id)?);
    item.insert(attr::WORKSPACE_ID.into(), ws.into());
    item.insert(BY_USER.pk.into(), user_pk(ws, &certificate.user_id)?.into());
    item.insert(
        BY_USER.sk.into(),
        user_sort_key(certificate.issued_on, &certificate.id).into(),
    );
    item.insert(
        REGISTRY_ISSUED.pk.into(),
        registry_pk(ws, &certificate.certification.id)?.into(),
    );
    item.insert(
        REGISTRY_ISSUED.sk.into(),
        user_sort_key(certificate.issued_on, &certificate.id).into(),
    );
    item.insert(
        REGISTRY_EXPIRY.sk.into(),
        expiry_sort_key(certificate.expires_on, &certificate.id).into(),
    );
    if let Some(at) = first_look(certificate) {
        item.insert(OPEN_PROGRAMS.pk.into(), REMINDERS.into());
        item.insert(OPEN_PROGRAMS.sk.into(), look_sort_key(&certificate.id, at)?.into());
    }
    let pointer = active_key(ws, &certificate.user_id, &certificate.certification.id)?;
    let mut pointer_item = keyed(Item::new(), &pointer);
    pointer_item.insert(attr::CERTIFICATE_ID.into(), certificate.id.clone().into());
    if let Some(status) = &certificate.status {
        pointer_item.insert(attr::STATUS.into(), json(status)?);
    }
    let mut writes = vec![
        Write::Put {
            item,
            cond: Some(Cond::Absent),
        },
        Write::Put {
            item: pointer_item,
            cond: Some(match previous {
                None => Cond::Absent,
                Some((old, _)) => Cond::Eq(attr::CERTIFICATE_ID, old.as_str().into()),
            }),
        },
    ];
    if let Some((old, old_status)) = previous {
        if let Some(entry) = old_status {
            writes.push(revoked_bit(entry, old));
        }
        writes.push(
            Write::update(certificate_key(old)?)
                .set(path(&[attr::REVOKED_AT]), json(&at)?)
                .set(path(&[attr::REVOKED_REASON]), REPLACED.into())
                .set(path(&[attr::REPLACED_BY]), certificate.id.clone().into())
                .remove(path(&[OPEN_PROGRAMS.pk]))
                .remove(path(&[OPEN_PROGRAMS.sk]))
                .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::REVOKED_AT)])),
        );
        let replaced = Change::Replaced {
            by: certificate.id.clone(),
        };
        writes.push(certificate_entry(ws, old, &entry(at, replaced, actor))?);
    }
    let issued = Change::Issued {
        program: certificate.program.clone(),
    };
    writes.push(certificate_entry(ws, &certificate.id, &entry(at, issued, actor))?);
    Ok(writes)
}

#[async_trait]
impl<T: Table> CertificateStore for Store<T> {
    async fn issue_certificate(
        &self,
        ws: &str,
        certificate: &Certificate,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<bool> {
        // Optimistic: most holders have no active certificate yet, so the first attempt
        // expects none and costs one request; a refused pointer says which one to revoke.
        let pointer = active_key(ws, &certificate.user_id, &certificate.certification.id)?;
        let mut previous: Option<Pointed> = None;
        for _ in 0..3 {
            match self
                .table
                .transact(issue_writes(ws, certificate, previous.as_ref(), at, actor)?)
                .await
            {
                Ok(()) => return Ok(true),
                Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => return Ok(false),
                Err(TableError::TransactionCancelled { failed }) if failed.contains(&1) => {
                    previous = self.table.get(&pointer).await?.as_ref().and_then(pointed);
                }
                Err(TableError::TransactionCancelled { failed }) if !failed.is_empty() => {
                    return Err(StoreError::Conflict(Conflict::StaleVersion))
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(Conflict::StaleVersion))
    }

    async fn certificate(&self, id: &str) -> Result<Option<(String, Certificate)>> {
        let Some(key) = lookup(certificate_key(id))? else {
            return Ok(None);
        };
        let Some(item) = self.table.get(&key).await? else {
            return Ok(None);
        };
        Ok(Some((workspace_of(&item)?, decode(item)?)))
    }

    async fn certificates_of(&self, ws: &str, user_id: &str) -> Result<Vec<Certificate>> {
        let (items, _) = self
            .query_all(Query {
                index: Some(BY_USER),
                pk: user_pk(ws, user_id)?,
                ..Default::default()
            })
            .await?;
        let mut certificates: Vec<Certificate> = items.into_iter().map(decode).collect::<Result<_>>()?;
        certificates.reverse();
        Ok(certificates)
    }

    async fn active_certificate(&self, ws: &str, user_id: &str, certification_id: &str) -> Result<Option<String>> {
        let item = self.table.get(&active_key(ws, user_id, certification_id)?).await?;
        Ok(item.and_then(|i| i.get(attr::CERTIFICATE_ID).and_then(Value::as_str).map(String::from)))
    }

    async fn revoke_certificate(
        &self,
        ws: &str,
        id: &str,
        reason: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certificate> {
        let (owner, certificate) = self.certificate(id).await?.ok_or(StoreError::NotFound)?;
        if owner != ws {
            return Err(StoreError::NotFound);
        }
        if certificate.revoked_at.is_some() {
            return Err(StoreError::Conflict(Conflict::AlreadyRevoked));
        }
        let pointer = active_key(ws, &certificate.user_id, &certificate.certification.id)?;
        let mut writes = vec![Write::update(certificate_key(id)?)
            .set(path(&[attr::REVOKED_AT]), json(&at)?)
            .set(path(&[attr::REVOKED_REASON]), reason.into())
            .remove(path(&[OPEN_PROGRAMS.pk]))
            .remove(path(&[OPEN_PROGRAMS.sk]))
            .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::REVOKED_AT)]))];
        if self
            .active_certificate(ws, &certificate.user_id, &certificate.certification.id)
            .await?
            .as_deref()
            == Some(id)
        {
            writes.push(Write::Delete {
                key: pointer,
                cond: Some(Cond::Eq(attr::CERTIFICATE_ID, id.into())),
            });
        }
        if let Some(status) = &certificate.status {
            writes.push(revoked_bit(status, id));
        }
        let revoked = Change::Revoked {
            reason: reason.to_string(),
        };
        writes.push(certificate_entry(ws, id, &entry(at, revoked, actor))?);
        match self.table.transact(writes).await {
            Ok(()) => Ok(Certificate {
                revoked_at: Some(at),
                revoked_reason: Some(reason.to_string()),
                ..certificate
            }),
            // Either condition fails only once it is revoked: the pointer moves off it
            // only by a revocation or a newer certificate, which revokes it in the same
            // transaction.
            Err(TableError::TransactionCancelled { failed }) if !failed.is_empty() => {
                Err(StoreError::Conflict(Conflict::AlreadyRevoked))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn registry(
        &self,
        ws: &str,
        certification_id: &str,
        query: &RegistryQuery,
        today: NaiveDate,
        page: &PageRequest,
    ) -> Result<Page<Certificate>> {
        if self.certification(ws, certification_id).await?.is_none() {
            return Err(StoreError::NotFound);
        }
        let index = match query.sort {
            RegistrySort::IssuedOn => REGISTRY_ISSUED,
            RegistrySort::ExpiresOn => REGISTRY_EXPIRY,
        };
        // By expiry, "before a day" is a range of the index: keys are `{day}#{id}`, so
        // every key of that day sorts after the bare day.
        let before = match query.status {
            Some(CertificateStatus::Expired) => Some(query.expires_before.map_or(today, |d| d.min(today))),
            _ => query.expires_before,
        };
        let sk_at_most = before
            .filter(|_| query.sort == RegistrySort::ExpiresOn)
            .map(|day| day.to_string());
        let read = match (&query.user_id, query.sort) {
            // One holder's: their few certificates, by issue day (the user's index).
            (Some(user_id), RegistrySort::IssuedOn) => Query {
                index: Some(BY_USER),
                pk: user_pk(ws, user_id)?,
                descending: query.descending,
                ..Default::default()
            },
            _ => Query {
                index: Some(index),
                pk: registry_pk(ws, certification_id)?,
                sk_at_most,
                descending: query.descending,
                ..Default::default()
            },
        };
        let shown = |item: &Item| {
            decode::<Certificate>(item.clone())
                .is_ok_and(|c| c.certification.id == certification_id && query.shows(&c, today))
        };
        let page = self.list(read, page, shown).await?;
        Ok(Page {
            items: page.items.into_iter().map(decode).collect::<Result<_>>()?,
            next_cursor: page.next_cursor,
        })
    }

    async fn record_emailed(&self, ws: &str, certificate_id: &str, at: DateTime<Utc>, actor: &Actor) -> Result<()> {
        let write = certificate_entry(ws, certificate_id, &entry(at, Change::Emailed {}, actor))?;
        Ok(self.table.write(write).await?)
    }

    async fn claim_request_key(
        &self,
        ws: &str,
        key: &str,
        fingerprint: &str,
        certificate_id: &str,
        now: DateTime<Utc>,
    ) -> Result<RequestKey> {
        let at = Key::new(workspace_pk(ws)?, format!("{IDEM}{}", id(key)?));
        let mut item = keyed(Item::new(), &at);
        item.insert(attr::FINGERPRINT.into(), fingerprint.into());
        item.insert(attr::CERTIFICATE_ID.into(), certificate_id.into());
        let ttl = (now + chrono::Duration::hours(REQUEST_KEY_HOURS)).timestamp();
        item.insert(attr::TTL.into(), ttl.into());
        let mine = RequestKey {
            fingerprint: fingerprint.into(),
            certificate_id: certificate_id.into(),
        };
        let mut expect = Cond::Absent;
        // A claim that stands, or an expired one replaced once; a racing replacement wins.
        for _ in 0..2 {
            let put = Write::Put {
                item: item.clone(),
                cond: Some(expect),
            };
            match self.table.write(put).await {
                Ok(()) => return Ok(mine),
                Err(TableError::ConditionFailed) => {}
                Err(e) => return Err(e.into()),
            }
            let stored = self
                .table
                .get(&at)
                .await?
                .ok_or(StoreError::Conflict(Conflict::StaleVersion))?;
            let text = |name: &str| stored.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
            let stored_ttl = stored.get(attr::TTL).and_then(Value::as_i64).unwrap_or(i64::MAX);
            if stored_ttl > now.timestamp() {
                return Ok(RequestKey {
                    fingerprint: text(attr::FINGERPRINT),
                    certificate_id: text(attr::CERTIFICATE_ID),
                });
            }
            expect = Cond::Eq(attr::TTL, stored_ttl.into());
        }
        Err(StoreError::Conflict(Conflict::StaleVersion))
    }

    async fn certificate_history(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<HistoryEntry>> {
        match self.certificate(id).await? {
            Some((owner, _)) if owner == ws => {}
            _ => return Err(StoreError::NotFound),
        }
        self.history(certificate_key(id)?.pk, HIST.into(), page).await
    }
}
