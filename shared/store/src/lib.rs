//! Certify's storage port (SPEC 5): narrow traits in domain terms, implemented once by
//! [`Store`] over a single [`table::Table`] that either DynamoDB ([`DynamoStore`]) or an
//! embedded redb file ([`EmbeddedStore`]) holds, with the same keys, conditions and
//! transactions. Every state change is a conditional write: a refused condition is a
//! [`StoreError::Conflict`] or [`StoreError::NotFound`], never a silent overwrite.
//!
//! Ids handed to the store are opaque, but never hold `#` or control characters (they
//! are parts of keys): such an id reads as not found.
//!
//! One module per aggregate, each with its trait, its values and the trait's
//! implementation over the table; the item layout in `items`, the table and its two
//! backends in [`table`].

mod certificates;
mod certifications;
mod credentials;
mod error;
mod events;
mod history;
mod items;
mod leases;
mod nudges;
mod pages;
mod programs;
mod regeneration;
mod reminders;
mod roster;
mod runs;
mod settings;
pub mod table;

pub use certificates::{CertificateStore, RequestKey, REQUEST_KEY_HOURS};
pub use certifications::CertificationStore;
pub use credentials::CredentialStore;
pub use error::{Conflict, Result, StoreError};
pub use events::{EventStore, PendingEvent};
pub use leases::Lease;
pub use nudges::NudgeStore;
pub use pages::{Page, PageRequest};
pub use programs::ProgramStore;
pub use regeneration::{RegenerationClaim, RegenerationStore};
pub use reminders::{ClaimedReminder, ReminderLook, ReminderSent, ReminderStore};
pub use roster::{RosterStore, StoredRoster};
pub use runs::{Claim, NotifyMark, RunStore};
pub use settings::{SettingsStore, WorkspaceSettings};
pub use table::EmbeddedTable;
#[cfg(feature = "aws")]
pub use table::{DynamoTable, TableSchema};

use items::{decode, lookup};
use table::{Cond, Item, Key, Table, TableError, Write};

#[cfg(feature = "aws")]
pub type DynamoStore = Store<DynamoTable>;
pub type EmbeddedStore = Store<EmbeddedTable>;

/// Most writes in one transaction: DynamoDB's limit.
const TRANSACTION_MAX: usize = 100;

/// The storage traits over one table (DynamoDB or embedded).
#[derive(Clone)]
pub struct Store<T: Table> {
    table: T,
}

impl<T: Table> Store<T> {
    pub fn new(table: T) -> Self {
        Store { table }
    }

    pub fn table(&self) -> &T {
        &self.table
    }

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

    /// The item at a key that may name nothing, decoded.
    async fn get_decoded<D: serde::de::DeserializeOwned>(&self, key: Result<Key>) -> Result<Option<D>> {
        let Some(key) = lookup(key)? else { return Ok(None) };
        self.table.get(&key).await?.map(decode).transpose()
    }

    /// One write alone, or several in a transaction.
    async fn transact_or_write(&self, mut writes: Vec<Write>) -> Result<(), TableError> {
        if writes.len() == 1 {
            self.table.write(writes.remove(0)).await
        } else {
            self.table.transact(writes).await
        }
    }
}

/// Everything the store offers, as one object the handlers and the trigger share.
pub trait AppStore:
    SettingsStore
    + CertificationStore
    + ProgramStore
    + RosterStore
    + RunStore
    + CertificateStore
    + NudgeStore
    + RegenerationStore
    + ReminderStore
    + EventStore
    + CredentialStore
{
}

impl<T> AppStore for T where
    T: SettingsStore
        + CertificationStore
        + ProgramStore
        + RosterStore
        + RunStore
        + CertificateStore
        + NudgeStore
        + RegenerationStore
        + ReminderStore
        + EventStore
        + CredentialStore
{
}
