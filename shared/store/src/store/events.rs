//! [`EventStore`] over the table: the `EVENTS` partition of the sweep's index.

use async_trait::async_trait;
use certify_rules::{EventSubject, HistoryEntry, OutEvent};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{Store, TRANSACTION_MAX};
use crate::items::*;
use crate::table::{path, Cond, Key, Table, Write, OPEN_PROGRAMS, PK, SK};
use crate::{EventStore, PendingEvent, Result};

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
