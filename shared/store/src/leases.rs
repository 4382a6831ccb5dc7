//! Leases: the right to work an item (a run, a nudge job, a regeneration) or to send
//! one email (a claim) until a time, so that racing invocations never do it twice.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::items::{attr, json, still, time_of};
use crate::table::{path, Cond, Item, Key, Table, TableError, Write};
use crate::{Result, Store};

/// The right to work a running run until `until`: only its holder checkpoints the run
/// and sends its emails, so racing invocations never email a participant twice. A
/// crashed holder's lease runs out and the next sweep takes the run over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

impl<T: Table> Store<T> {
    /// Takes the lease on the item at `key` unless another holds it until after `now`:
    /// the item as it was read, or `None` when it is gone, held elsewhere, or taken by
    /// another meanwhile.
    pub(crate) async fn take_lease(&self, key: Key, lease: &Lease, now: DateTime<Utc>) -> Result<Option<Item>> {
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

/// Whether `item`'s lease (or claim) is held by someone other than `lease` until after
/// `now`.
pub(crate) fn held_elsewhere(item: &Item, owner: &str, until: &str, lease: &Lease, now: DateTime<Utc>) -> bool {
    let holder = item.get(owner).and_then(Value::as_str);
    holder.is_some_and(|h| h != lease.owner) && time_of(item, until).is_some_and(|u| u > now)
}
