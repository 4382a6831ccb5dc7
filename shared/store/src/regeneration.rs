//! Regenerations (SPEC 1.13): [`RegenerationStore`] over the table: a record per
//! regeneration under its workspace (in the sweep index's `REGENERATIONS` partition while
//! running), an item naming the certification's running one (so that two never run at
//! once), and on each certificate the mark of the regeneration that last claimed it.

use async_trait::async_trait;
use certify_rules::{Certificate, Change, Regeneration, RegenerationState};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::history::{certificate_entry, entry};
use crate::items::*;
use crate::table::{path, Cond, Item, Key, Query, Table, TableError, Write, OPEN_PROGRAMS, REGISTRY_ISSUED};
use crate::{Conflict, Lease, Result, Store, StoreError};

/// What a regeneration is to do with one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegenerationClaim {
    /// Draw its files from this record (as claimed: with the regeneration's snapshot
    /// when it refreshes one), store them, then [`RegenerationStore::finish_regeneration`].
    Draw(Box<Certificate>),
    /// This regeneration drew it already.
    Done,
    /// Revoked (and its files match its record): left as it is.
    Revoked,
}

/// Regenerations (SPEC 1.13): a record per request, at most one running per
/// certification, in the sweep's index while running; and on each certificate the mark
/// of the regeneration that last claimed it, with whether its files are still to draw.
#[async_trait]
pub trait RegenerationStore: Send + Sync {
    /// Stores a new running regeneration and queues it for the sweep. MUST answer
    /// `Conflict(RegenerationRunning(id))` while another of the same certification runs.
    async fn start_regeneration(&self, ws: &str, regeneration: &Regeneration) -> Result<()>;
    async fn regeneration(&self, ws: &str, certification_id: &str, id: &str) -> Result<Option<Regeneration>>;
    /// Running regenerations due to be worked by `until` (a failing one from its next
    /// try), oldest first, across workspaces.
    async fn due_regenerations(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Regeneration)>>;
    /// Takes its lease unless another holds it (`Ok(None)` then, or when it is gone).
    async fn take_regeneration(
        &self,
        ws: &str,
        certification_id: &str,
        id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<Regeneration>>;
    /// Checkpoints it under `lease` (`Conflict(StaleVersion)` when the lease moved on);
    /// a completed one leaves the sweep's index and lets the certification run another.
    async fn save_regeneration(&self, ws: &str, regeneration: &Regeneration, lease: &Lease) -> Result<()>;
    /// The certification's certificates that are not revoked, counted page by page
    /// through the registry's index.
    async fn count_regenerable(&self, ws: &str, certification_id: &str) -> Result<u64>;
    /// Claims a certificate for `regeneration`: a certificate it claimed before and
    /// whose files are still to draw is drawn again as it was claimed; a non-revoked one
    /// takes the new snapshot (when refreshed) and records `regenerated` by the
    /// regeneration's requester, in the same transaction as the mark; a revoked one
    /// whose files were left to draw by an earlier regeneration is drawn as it is.
    /// MUST answer `NotFound` for a missing one.
    async fn claim_regeneration(
        &self,
        certificate_id: &str,
        regeneration: &Regeneration,
        at: DateTime<Utc>,
    ) -> Result<RegenerationClaim>;
    /// Its files are drawn and stored: clears the mark's "to draw" (unless another
    /// regeneration claimed it since).
    async fn finish_regeneration(&self, certificate_id: &str, regeneration_id: &str) -> Result<()>;
}

/// Claims of one certificate tried before a racing writer is reported.
const CLAIM_ATTEMPTS: usize = 3;

fn running_item(ws: &str, regeneration: &Regeneration) -> Result<Item> {
    let mut item = keyed(
        Item::new(),
        &running_regeneration_key(ws, &regeneration.certification_id)?,
    );
    item.insert(attr::REGENERATION_ID.into(), regeneration.id.clone().into());
    Ok(item)
}

#[async_trait]
impl<T: Table> RegenerationStore for Store<T> {
    async fn start_regeneration(&self, ws: &str, regeneration: &Regeneration) -> Result<()> {
        let key = regeneration_key(ws, &regeneration.certification_id, &regeneration.id)?;
        let mut item = keyed(attributes(regeneration)?, &key);
        item.insert(attr::WORKSPACE_ID.into(), ws.into());
        item.insert(OPEN_PROGRAMS.pk.into(), REGENERATIONS.into());
        item.insert(
            OPEN_PROGRAMS.sk.into(),
            open_sort_key(ws, &regeneration.id, regeneration.requested_at).into(),
        );
        let writes = vec![
            Write::Put {
                item: running_item(ws, regeneration)?,
                cond: Some(Cond::Absent),
            },
            Write::Put {
                item,
                cond: Some(Cond::Absent),
            },
        ];
        match self.table.transact(writes).await {
            Ok(()) => Ok(()),
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {
                let running = running_regeneration_key(ws, &regeneration.certification_id)?;
                let id = self
                    .table
                    .get(&running)
                    .await?
                    .and_then(|i| i.get(attr::REGENERATION_ID).and_then(Value::as_str).map(String::from))
                    .unwrap_or_default();
                Err(StoreError::Conflict(Conflict::RegenerationRunning(id)))
            }
            Err(TableError::TransactionCancelled { failed }) if !failed.is_empty() => {
                Err(StoreError::Conflict(Conflict::AlreadyExists))
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn regeneration(&self, ws: &str, certification_id: &str, id: &str) -> Result<Option<Regeneration>> {
        self.get_decoded(regeneration_key(ws, certification_id, id)).await
    }

    async fn due_regenerations(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Regeneration)>> {
        self.open_partition(REGENERATIONS, until, limit).await
    }

    async fn take_regeneration(
        &self,
        ws: &str,
        certification_id: &str,
        id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<Regeneration>> {
        let key = regeneration_key(ws, certification_id, id)?;
        let Some(item) = self.take_lease(key, lease, now).await? else {
            return Ok(None);
        };
        let regeneration: Regeneration = decode(item)?;
        Ok((regeneration.state == RegenerationState::Running).then_some(regeneration))
    }

    async fn save_regeneration(&self, ws: &str, regeneration: &Regeneration, lease: &Lease) -> Result<()> {
        let key = regeneration_key(ws, &regeneration.certification_id, &regeneration.id)?;
        let held = Cond::Eq(attr::LEASE_OWNER, lease.owner.clone().into());
        let mut item = keyed(attributes(regeneration)?, &key);
        item.insert(attr::WORKSPACE_ID.into(), ws.into());
        item.insert(attr::LEASE_OWNER.into(), lease.owner.clone().into());
        item.insert(attr::LEASE_UNTIL.into(), json(&lease.until)?);
        let result = if regeneration.state == RegenerationState::Running {
            // Found by the sweep again when its failing page is due for another try.
            let due = regeneration.next_attempt_at.unwrap_or(regeneration.requested_at);
            item.insert(OPEN_PROGRAMS.pk.into(), REGENERATIONS.into());
            item.insert(OPEN_PROGRAMS.sk.into(), open_sort_key(ws, &regeneration.id, due).into());
            self.table.write(Write::Put { item, cond: Some(held) }).await
        } else {
            // Out of the sweep's index, and the certification free for the next one.
            let running = running_regeneration_key(ws, &regeneration.certification_id)?;
            let release = Write::Delete {
                key: running,
                cond: Some(Cond::Eq(attr::REGENERATION_ID, regeneration.id.clone().into())),
            };
            match self
                .table
                .transact(vec![Write::Put { item, cond: Some(held) }, release])
                .await
            {
                Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {
                    Err(TableError::ConditionFailed)
                }
                other => other,
            }
        };
        match result {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed) => Err(StoreError::Conflict(Conflict::StaleVersion)),
            Err(e) => Err(e.into()),
        }
    }

    async fn count_regenerable(&self, ws: &str, certification_id: &str) -> Result<u64> {
        let mut query = Query {
            index: Some(REGISTRY_ISSUED),
            pk: registry_pk(ws, certification_id)?,
            ..Default::default()
        };
        let mut count = 0;
        loop {
            let page = self.table.query(&query).await?;
            count += page.items.iter().filter(|i| !i.contains_key(attr::REVOKED_AT)).count() as u64;
            match page.last {
                Some(last) => query.after = Some(last),
                None => return Ok(count),
            }
        }
    }

    async fn claim_regeneration(
        &self,
        certificate_id: &str,
        regeneration: &Regeneration,
        at: DateTime<Utc>,
    ) -> Result<RegenerationClaim> {
        let key = certificate_key(certificate_id)?;
        for _ in 0..CLAIM_ATTEMPTS {
            let item = self.table.get(&key).await?.ok_or(StoreError::NotFound)?;
            let mark = item.get(attr::REGENERATION_ID).and_then(Value::as_str);
            let pending = item.contains_key(attr::REGENERATION_PENDING);
            let certificate: Certificate = decode(item.clone())?;
            let revoked = certificate.revoked_at.is_some();
            if mark == Some(regeneration.id.as_str()) {
                return Ok(match pending {
                    true => RegenerationClaim::Draw(Box::new(certificate)),
                    false => RegenerationClaim::Done,
                });
            }
            if revoked && !pending {
                return Ok(RegenerationClaim::Revoked);
            }
            let target = regeneration.target(&certificate);
            let mut write = Write::update(key.clone())
                .set(path(&[attr::REGENERATION_ID]), regeneration.id.clone().into())
                .set(path(&[attr::REGENERATION_PENDING]), true.into());
            if target.certification != certificate.certification {
                write = write.set(path(&[attr::CERTIFICATION]), json(&target.certification)?);
            }
            let write = write.when(Cond::All(vec![
                Cond::Exists,
                still(attr::REVOKED_AT, item.get(attr::REVOKED_AT)),
                still(attr::REGENERATION_ID, item.get(attr::REGENERATION_ID)),
            ]));
            // A revoked certificate left to draw is drawn as it is, with nothing to record.
            let result = if revoked {
                self.table.write(write).await
            } else {
                let regenerated = Change::Regenerated {
                    regeneration_id: regeneration.id.clone(),
                    snapshot_changed: target.certification != certificate.certification,
                };
                let ws = workspace_of(&item)?;
                let history =
                    certificate_entry(&ws, certificate_id, &entry(at, regenerated, &regeneration.requested_by))?;
                let mut writes = vec![write, history];
                if target.certification != certificate.certification {
                    // The credential shows the snapshot: it is signed again when next asked for.
                    writes.push(Write::Delete {
                        key: Key::new(key.pk.clone(), CREDENTIAL),
                        cond: None,
                    });
                }
                match self.table.transact(writes).await {
                    Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => {
                        Err(TableError::ConditionFailed)
                    }
                    other => other,
                }
            };
            match result {
                Ok(()) => return Ok(RegenerationClaim::Draw(Box::new(target))),
                // Revoked or claimed meanwhile: read it again.
                Err(TableError::ConditionFailed) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(Conflict::StaleVersion))
    }

    async fn finish_regeneration(&self, certificate_id: &str, regeneration_id: &str) -> Result<()> {
        let write = Write::update(certificate_key(certificate_id)?)
            .remove(path(&[attr::REGENERATION_PENDING]))
            .when(Cond::Eq(attr::REGENERATION_ID, regeneration_id.into()));
        match self.table.write(write).await {
            // Claimed by a later regeneration meanwhile: its own claim draws it.
            Ok(()) | Err(TableError::ConditionFailed) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
