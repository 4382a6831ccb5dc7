//! Events out (SPEC 1.15): the last step of a sweep publishes the history entries the
//! store committed (the outbox), oldest first, in batches in which no subject appears
//! twice, and marks each one published once the bus accepted it. A subject whose event
//! the bus refused publishes nothing more in this sweep, so its events go out in the
//! order they happened; a crash between the bus and the mark publishes again, with the
//! same `id`.

use std::collections::HashSet;
use std::sync::Arc;

use certify_events::{Publisher, BATCH_MAX};
use certify_rules::{batches, EventSubject, OutEvent};
use certify_store::PendingEvent;

use crate::{Deadline, Report, Trigger};

/// Entries read from the outbox at a time.
const PAGE: usize = 100;

impl Trigger {
    /// The trigger publishing the committed history to `publisher` at the end of each
    /// sweep (without one, entries wait in the outbox).
    pub fn with_publisher(mut self, publisher: Arc<dyn Publisher>) -> Trigger {
        self.publisher = Some(publisher);
        self
    }

    /// Publishes pending events, a few pages, into `report`.
    pub(crate) async fn publish_events(&self, deadline: Deadline, report: &mut Report) {
        let Some(publisher) = &self.publisher else {
            return;
        };
        let settle = chrono::Duration::from_std(self.settings.event_settle).unwrap_or_default();
        let until = self.now() - settle;
        let mut blocked: HashSet<(EventSubject, String)> = HashSet::new();
        for _ in 0..self.settings.event_pages {
            if deadline.is_near(self.now()) {
                break;
            }
            let pending = match self.store.pending_events(until, PAGE).await {
                Ok(pending) => pending,
                Err(e) => {
                    report.errors.push(format!("events: {e}"));
                    return;
                }
            };
            let last_page = pending.len() < PAGE;
            let pending: Vec<PendingEvent> = pending
                .into_iter()
                .filter(|p| !blocked.contains(&p.event.subject))
                .collect();
            if pending.is_empty() {
                break;
            }
            match self
                .publish_page(publisher.as_ref(), &pending, &mut blocked, report)
                .await
            {
                Ok(true) if last_page => break,
                // Every one accepted: the next page; one refused: read again without
                // its subject.
                Ok(_) => {}
                Err(e) => {
                    tracing::error!(error = ?e, "events: publishing failed; the next sweep publishes them");
                    report.errors.push(format!("events: {e:#}"));
                    return;
                }
            }
        }
    }

    /// Publishes one page, batch by batch, until the bus refuses an event: its subject is
    /// blocked and `Ok(false)` answered (the rest of the page may hold its later events).
    async fn publish_page(
        &self,
        publisher: &dyn Publisher,
        pending: &[PendingEvent],
        blocked: &mut HashSet<(EventSubject, String)>,
        report: &mut Report,
    ) -> anyhow::Result<bool> {
        let events: Vec<OutEvent> = pending.iter().map(|p| p.event.clone()).collect();
        let mut start = 0;
        for len in batches(&events, BATCH_MAX) {
            let (batch, sent) = (&pending[start..start + len], &events[start..start + len]);
            start += len;
            let accepted = publisher.publish(sent).await?;
            let mut published = Vec::with_capacity(len);
            for (pending, accepted) in batch.iter().zip(accepted) {
                if accepted {
                    published.push(pending.clone());
                } else {
                    tracing::warn!(event = %pending.event.id, "events: the bus refused an event; it is tried again");
                    blocked.insert(pending.event.subject.clone());
                }
            }
            self.store.mark_published(&published).await?;
            report.events_published += published.len();
            if published.len() < len {
                return Ok(false);
            }
        }
        Ok(true)
    }
}
