//! [`CredentialStore`] over the table: the status-list counter, the revoked entries of
//! a list, a certificate's signed credential and a holder's subject id.

use async_trait::async_trait;
use certify_rules::{StatusEntry, STATUS_LIST_SIZE};
use serde_json::Value;

use super::{lookup, Store};
use crate::items::*;
use crate::table::{Cond, Item, Key, Query, Table, TableError, Write};
use crate::{CredentialStore, Result, StoreError};

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
