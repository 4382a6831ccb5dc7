//! The Open Badges credentials' storage (SPEC 1.12, 5): [`CredentialStore`] over the
//! table: the status-list counter, the revoked entries of a list, a certificate's signed
//! credential and a holder's subject id.

use async_trait::async_trait;
use certify_rules::{StatusEntry, STATUS_LIST_SIZE};
use serde_json::Value;

use crate::items::*;
use crate::table::{Cond, Item, Key, Query, Table, TableError, Write};
use crate::{Result, Store, StoreError};

#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Takes `count` status-list entries in one request: unique among every caller,
    /// racing or not (one atomic counter, cut into lists of
    /// [`certify_rules::STATUS_LIST_SIZE`]). An entry taken and never used stays unset.
    async fn take_status_entries(&self, count: usize) -> Result<Vec<StatusEntry>>;
    /// How many status lists have begun (the last one holds the newest entry).
    async fn status_lists(&self) -> Result<u64>;
    /// The revoked indexes of a list (those a revocation or replacement set).
    async fn revoked_entries(&self, list: u64) -> Result<Vec<u64>>;
    /// A certificate's signed credential, once kept.
    async fn credential(&self, certificate_id: &str) -> Result<Option<String>>;
    /// Keeps a certificate's signed credential if the kept one is still `replacing`
    /// (`None`: none is kept): answers the one that stands, so every caller serves the
    /// same credential. A regeneration that refreshes the snapshot drops it (it is
    /// signed again on the next request), and a credential signed from an older snapshot
    /// is replaced (the route compares it with the certificate as it is now).
    async fn keep_credential(&self, certificate_id: &str, jwt: &str, replacing: Option<&str>) -> Result<String>;
    /// A holder's opaque subject id in a workspace: `fresh` the first time, the same
    /// one ever after.
    async fn subject_id(&self, ws: &str, user_id: &str, fresh: &str) -> Result<String>;
}

fn counter_key() -> Key {
    Key::new(STATUS, "NEXT")
}

fn credential_key(certificate_id: &str) -> Result<Key> {
    Ok(Key::new(certificate_key(certificate_id)?.pk, CREDENTIAL))
}

/// Puts an item unless one is there (or, `replacing`, unless its `name` changed since),
/// and answers the attribute `name` of the one that stands (this one, or the one a
/// racing caller put first).
async fn put_once<T: Table>(
    table: &T,
    key: Key,
    name: &'static str,
    value: &str,
    replacing: Option<&str>,
) -> Result<String> {
    let mut item = keyed(Item::new(), &key);
    item.insert(name.into(), value.into());
    let cond = match replacing {
        None => Cond::Absent,
        Some(old) => Cond::Eq(name, old.into()),
    };
    match table.write(Write::Put { item, cond: Some(cond) }).await {
        Ok(()) => Ok(value.to_string()),
        Err(TableError::ConditionFailed) => table
            .get(&key)
            .await?
            .and_then(|i| i.get(name).and_then(Value::as_str).map(String::from))
            .ok_or_else(|| anyhow::anyhow!("{key:?} has no {name}").into()),
        Err(e) => Err(e.into()),
    }
}

#[async_trait]
impl<T: Table> CredentialStore for Store<T> {
    async fn take_status_entries(&self, count: usize) -> Result<Vec<StatusEntry>> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let count = count as i64;
        let counter = self.table.add_returning(&counter_key(), attr::NEXT, count).await?;
        Ok(StatusEntry::taken(counter.max(0) as u64, count as u64))
    }

    async fn status_lists(&self) -> Result<u64> {
        let item = self.table.get(&counter_key()).await?;
        let taken = item
            .and_then(|i| i.get(attr::NEXT).and_then(Value::as_u64))
            .unwrap_or(0);
        Ok(taken.div_ceil(STATUS_LIST_SIZE))
    }

    async fn revoked_entries(&self, list: u64) -> Result<Vec<u64>> {
        let (items, _) = self
            .query_all(Query {
                pk: format!("{STATUS}#{list}"),
                sk_prefix: Some(BIT.into()),
                ..Default::default()
            })
            .await?;
        Ok(items
            .iter()
            .filter_map(|i| i.get(crate::table::SK).and_then(Value::as_str))
            .filter_map(|sk| sk.strip_prefix(BIT)?.parse().ok())
            .collect())
    }

    async fn credential(&self, certificate_id: &str) -> Result<Option<String>> {
        let Some(key) = lookup(credential_key(certificate_id))? else {
            return Ok(None);
        };
        let item = self.table.get(&key).await?;
        Ok(item.and_then(|i| i.get(attr::JWT).and_then(Value::as_str).map(String::from)))
    }

    async fn keep_credential(&self, certificate_id: &str, jwt: &str, replacing: Option<&str>) -> Result<String> {
        let key = credential_key(certificate_id).map_err(|_| StoreError::NotFound)?;
        put_once(&self.table, key, attr::JWT, jwt, replacing).await
    }

    async fn subject_id(&self, ws: &str, user_id: &str, fresh: &str) -> Result<String> {
        let key = Key::new(user_pk(ws, user_id)?, SUBJECT);
        put_once(&self.table, key, attr::SUBJECT_ID, fresh, None).await
    }
}
