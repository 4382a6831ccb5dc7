//! The storage traits implemented once over a [`Table`], one module per trait; here the
//! [`Store`] itself and what several of them share: decoding, paging and cursors,
//! writes guarded by the program being active, and state transitions.

mod certificates;
mod certifications;
mod credentials;
mod events;
mod history;
mod nudges;
mod programs;
mod regenerations;
mod reminders;
mod roster;
mod runs;
mod settings;

use base64::Engine;
use certify_rules::{Program, ProgramState};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::items::*;
use crate::table::{key_attributes, path, Cond, Item, Key, Query, Table, TableError, Write, PK, SK};
use crate::{Conflict, Lease, Page, PageRequest, ProgramStore, Result, StoreError};

/// Most writes in one transaction: DynamoDB's limit.
const TRANSACTION_MAX: usize = 100;

/// The storage traits over one table (DynamoDB or embedded).
#[derive(Clone)]
pub struct Store<T: Table> {
    table: T,
}

fn active() -> Cond {
    Cond::Eq(attr::STATE, state::ACTIVE.into())
}

fn encode_cursor(key: &Item) -> Result<String> {
    let json = serde_json::to_vec(key).map_err(anyhow::Error::from)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
}

/// The key a cursor resumes `query` after. A cursor is the client's to hold, so it is
/// checked before it reaches the table: exactly the key attributes of the query's table
/// or index, every one a string, in the query's partition (and under its sort-key
/// prefix). Anything else is [`StoreError::BadCursor`].
fn decode_cursor(cursor: &str, query: &Query) -> Result<Item> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::BadCursor)?;
    let key: Item = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    let mut names = vec![PK, SK];
    if let Some(index) = query.index {
        names.extend([index.pk, index.sk]);
    }
    let (partition, sort) = match query.index {
        Some(index) => (index.pk, index.sk),
        None => (PK, SK),
    };
    let text = |name: &str| key.get(name).and_then(Value::as_str);
    let well_formed = key.len() == names.len() && names.iter().all(|name| text(name).is_some());
    let in_partition = text(partition) == Some(query.pk.as_str());
    let under_prefix = query
        .sk_prefix
        .as_deref()
        .is_none_or(|prefix| text(sort).is_some_and(|s| s.starts_with(prefix)));
    if well_formed && in_partition && under_prefix {
        Ok(key)
    } else {
        Err(StoreError::BadCursor)
    }
}

/// A key built from ids that may not be ids at all: such a key names nothing.
fn lookup<K>(key: Result<K>) -> Result<Option<K>> {
    match key {
        Ok(key) => Ok(Some(key)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

impl<T: Table> Store<T> {
    /// Puts an item that must not exist yet; `false` when it did (nothing is written).
    async fn put_new(&self, item: Item) -> Result<bool> {
        match self
            .table
            .write(Write::Put {
                item,
                cond: Some(Cond::Absent),
            })
            .await
        {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub fn new(table: T) -> Self {
        Store { table }
    }

    pub fn table(&self) -> &T {
        &self.table
    }

    /// The item at a key that may name nothing, decoded.
    async fn get_decoded<D: serde::de::DeserializeOwned>(&self, key: Result<Key>) -> Result<Option<D>> {
        let Some(key) = lookup(key)? else { return Ok(None) };
        self.table.get(&key).await?.map(decode).transpose()
    }

    /// Every item of a query, following pages; with the requests it cost.
    async fn query_all(&self, mut query: Query) -> Result<(Vec<Item>, usize)> {
        let mut items = Vec::new();
        let mut requests = 0;
        loop {
            let page = self.table.query(&query).await?;
            requests += page.requests;
            items.extend(page.items);
            match page.last {
                Some(last) => query.after = Some(last),
                None => return Ok((items, requests)),
            }
        }
    }

    /// One page of a list: `limit` kept items and a cursor after the last one when more
    /// may follow.
    async fn list(&self, mut query: Query, page: &PageRequest, keep: impl Fn(&Item) -> bool) -> Result<Page<Item>> {
        let limit = page.limit.max(1);
        query.after = page
            .cursor
            .as_deref()
            .map(|cursor| decode_cursor(cursor, &query))
            .transpose()?;
        let mut items = Vec::new();
        loop {
            // A whole page each time, however many the filter kept so far: the cursor
            // is the last kept item's key, so what a read holds past it is read again.
            query.limit = Some(limit + 1);
            let read = self.table.query(&query).await?;
            items.extend(read.items.into_iter().filter(&keep));
            match read.last {
                Some(last) if items.len() <= limit => query.after = Some(last),
                _ => break,
            }
        }
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = match items.last() {
            Some(last) if more => Some(encode_cursor(&key_attributes(last, query.index))?),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }

    /// Why a write guarded by "the program is active" (position 0 of its transaction)
    /// was refused: no program, a program no longer active, or else the write's own
    /// target (`target` says what its failed condition means).
    async fn refusal(&self, ws: &str, program_id: &str, error: TableError, target: StoreError) -> StoreError {
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

    async fn program_state(&self, ws: &str, program_id: &str) -> Result<Option<ProgramState>> {
        Ok(self.program(ws, program_id).await?.map(|p| p.state))
    }

    async fn guarded(&self, ws: &str, program_id: &str, write: Write, target: StoreError) -> Result<()> {
        let check = Write::Check {
            key: program_key(ws, program_id)?,
            cond: active(),
        };
        match self.table.transact(vec![check, write]).await {
            Ok(()) => Ok(()),
            Err(e) => Err(self.refusal(ws, program_id, e, target).await),
        }
    }

    /// A conditional update on an enrollment that answers whether it applied, telling a
    /// failed condition apart from a missing enrollment.
    async fn enrollment_mark(&self, key: Key, write: Write) -> Result<bool> {
        self.enrollment_marks(key, vec![write]).await
    }

    /// [`Store::enrollment_mark`] with what goes with the mark (its first write) in the
    /// same transaction.
    async fn enrollment_marks(&self, key: Key, writes: Vec<Write>) -> Result<bool> {
        match self.transact_or_write(writes).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => self.marked_before(&key).await,
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => self.marked_before(&key).await,
            Err(e) => Err(e.into()),
        }
    }

    /// Why a mark's condition failed: set before (`false`), or no enrollment.
    async fn marked_before(&self, key: &Key) -> Result<bool> {
        match self.table.get(key).await? {
            Some(_) => Ok(false),
            None => Err(StoreError::NotFound),
        }
    }

    /// One write alone, or several in a transaction.
    async fn transact_or_write(&self, mut writes: Vec<Write>) -> Result<(), TableError> {
        if writes.len() == 1 {
            self.table.write(writes.remove(0)).await
        } else {
            self.table.transact(writes).await
        }
    }

    /// Moves the program out of state `from` with `write`, and `also` in the same
    /// transaction.
    async fn transition(
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

impl<T: Table> Store<T> {
    /// Takes the lease on the item at `key` unless another holds it until after `now`:
    /// the item as it was read, or `None` when it is gone, held elsewhere, or taken by
    /// another meanwhile.
    async fn take_lease(&self, key: Key, lease: &Lease, now: DateTime<Utc>) -> Result<Option<Item>> {
        let Some(item) = self.table.get(&key).await? else {
            return Ok(None);
        };
        if held_elsewhere(&item, attr::LEASE_OWNER, attr::LEASE_UNTIL, lease, now) {
            return Ok(None);
        }
        let write = Write::update(key)
            .set(path(&[attr::LEASE_OWNER]), lease.owner.clone().into())
            .set(path(&[attr::LEASE_UNTIL]), json(&lease.until)?)
            .when(Cond::All(vec![
                Cond::Exists,
                still(attr::LEASE_OWNER, item.get(attr::LEASE_OWNER)),
            ]));
        match self.table.write(write).await {
            Ok(()) => Ok(Some(item)),
            Err(TableError::ConditionFailed) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// The workspace an item of a global partition (a certificate) or of the sweep's index
/// belongs to.
pub(super) fn workspace_of(item: &Item) -> Result<String> {
    Ok(item
        .get(attr::WORKSPACE_ID)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("an item without its workspace"))?
        .to_string())
}

/// A time attribute of an item, read back.
pub(super) fn time_of(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    item.get(name)
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
}

/// The condition that an attribute still holds what was read (or is still absent).
pub(super) fn still(name: &'static str, read: Option<&Value>) -> Cond {
    match read {
        Some(value) => Cond::Eq(name, value.clone()),
        None => Cond::AttrAbsent(name),
    }
}

/// Whether `item`'s lease (or claim) is held by someone other than `lease` until after
/// `now`.
pub(super) fn held_elsewhere(item: &Item, owner: &str, until: &str, lease: &Lease, now: DateTime<Utc>) -> bool {
    let holder = item.get(owner).and_then(Value::as_str);
    holder.is_some_and(|h| h != lease.owner) && time_of(item, until).is_some_and(|u| u > now)
}

fn json<T: serde::Serialize>(value: &T) -> Result<Value> {
    Ok(serde_json::to_value(value).map_err(anyhow::Error::from)?)
}
