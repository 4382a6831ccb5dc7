//! The events-out port (SPEC 1.15): [`EventStore`] over the table, the `EVENTS`
//! partition of the sweep's index.

use async_trait::async_trait;
use certify_rules::{EventSubject, HistoryEntry, OutEvent};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::items::*;
use crate::table::{path, Cond, Key, Table, Write, OPEN_PROGRAMS, PK, SK};
use crate::{Result, Store, TRANSACTION_MAX};

/// A committed history entry not yet published, as its event.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEvent {
    pub event: OutEvent,
    /// Where the entry is, to mark it published.
    pub(crate) key: Key,
}

/// The outbox: every history entry (and each program's end and run's completion) is
/// written with the change it records, and waits in the sweep's index until it is
/// marked published. Nothing is published that was not committed, and nothing
/// committed is lost; one published but not yet marked goes out again (consumers
/// deduplicate on the event's `id`).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Entries committed at or before `until` (to the second) not yet published, oldest
    /// first across workspaces (so in order per subject); at most `limit`.
    async fn pending_events(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<PendingEvent>>;
    /// Marks them published: they leave the outbox.
    async fn mark_published(&self, events: &[PendingEvent]) -> Result<()>;
}

#[async_trait]
impl<T: Table> EventStore for Store<T> {
    async fn pending_events(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<PendingEvent>> {
        let items = self.open_items(EVENTS, until, limit).await?;
        items
            .into_iter()
            .map(|(ws, item)| {
                let text = |name: &str| item.get(name).and_then(Value::as_str).map(String::from);
                let (Some(pk), Some(sk)) = (text(PK), text(SK)) else {
                    return Err(anyhow::anyhow!("a pending event without its key").into());
                };
                let subject: EventSubject = serde_json::from_value(item.get(attr::EVENT_SUBJECT).cloned().into())
                    .map_err(anyhow::Error::from)?;
                let subject_id = text(attr::EVENT_SUBJECT_ID)
                    .ok_or_else(|| anyhow::anyhow!("a pending event without its subject"))?;
                let entry: HistoryEntry = decode(item)?;
                Ok(PendingEvent {
                    event: OutEvent::of_entry(&ws, subject, &subject_id, &entry),
                    key: Key::new(pk, sk),
                })
            })
            .collect()
    }

    async fn mark_published(&self, events: &[PendingEvent]) -> Result<()> {
        for chunk in events.chunks(TRANSACTION_MAX) {
            let writes = chunk
                .iter()
                .map(|pending| {
                    Write::update(pending.key.clone())
                        .remove(path(&[OPEN_PROGRAMS.pk]))
                        .remove(path(&[OPEN_PROGRAMS.sk]))
                        .when(Cond::Exists)
                })
                .collect();
            self.transact_or_write(writes).await?;
        }
        Ok(())
    }
}
