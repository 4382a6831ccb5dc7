//! The events-out port (SPEC 1.15), beside the others in the crate's root.

use async_trait::async_trait;
use certify_rules::OutEvent;
use chrono::{DateTime, Utc};

use crate::table::Key;
use crate::Result;

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
