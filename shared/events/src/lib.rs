//! Certify's events-out port (SPEC 1.15): [`Publisher`] puts a batch of events on a bus,
//! with two adapters: [`EventBridgePublisher`] (Amazon EventBridge `PutEvents`, on AWS)
//! and [`JsonlPublisher`] (one JSON line per event appended to `events.jsonl`, for the
//! local server). What goes out, and when, is the trigger's: it publishes the history
//! entries the store committed, oldest first, and marks each one published once the
//! bus accepted it.

use std::path::PathBuf;

use anyhow::Context;
use async_trait::async_trait;
use certify_rules::{OutEvent, EVENT_SOURCE};
use tokio::io::AsyncWriteExt;

/// The most events one [`Publisher::publish`] takes (`PutEvents` takes ten entries).
pub const BATCH_MAX: usize = 10;

/// Puts events on the platform's bus.
#[async_trait]
pub trait Publisher: Send + Sync {
    /// Publishes at most [`BATCH_MAX`] events in one request. `Ok`: for each event, in
    /// order, whether the bus accepted it (one it refused is published again later).
    /// An error: the request failed, and none of them counts as accepted.
    async fn publish(&self, events: &[OutEvent]) -> anyhow::Result<Vec<bool>>;
}

#[cfg(feature = "aws")]
mod eventbridge;
#[cfg(feature = "aws")]
pub use eventbridge::EventBridgePublisher;

/// [`Publisher`] to a file of JSON lines, each an event as EventBridge would deliver it
/// (`id`, `source`, `detail-type`, `detail`): the local server's `events.jsonl`.
#[derive(Clone, Debug)]
pub struct JsonlPublisher {
    path: PathBuf,
}

impl JsonlPublisher {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// One event's line.
    pub fn line(event: &OutEvent) -> String {
        serde_json::json!({
            "id": event.id,
            "source": EVENT_SOURCE,
            "detail-type": event.detail_type,
            "detail": event.detail,
        })
        .to_string()
    }
}

#[async_trait]
impl Publisher for JsonlPublisher {
    async fn publish(&self, events: &[OutEvent]) -> anyhow::Result<Vec<bool>> {
        let mut text = String::new();
        for event in events {
            text.push_str(&Self::line(event));
            text.push('\n');
        }
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .with_context(|| format!("opening {}", self.path.display()))?;
        // One write of whole lines, then to disk: accepted means kept.
        file.write_all(text.as_bytes()).await?;
        file.sync_data().await?;
        Ok(vec![true; events.len()])
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use certify_rules::{Actor, Change, EventSubject, HistoryEntry};

    #[tokio::test]
    async fn the_file_gets_one_line_per_event_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let publisher = JsonlPublisher::new(&path);
        let entry = |id: &str| {
            let at = "2026-12-01T09:00:00Z".parse().unwrap();
            HistoryEntry::new(id.into(), at, Change::Emailed {}, Actor::System)
        };
        let event = |id: &str| OutEvent::of_entry("ws1", EventSubject::Certificate, "c1", &entry(id));
        assert_eq!(publisher.publish(&[event("h1")]).await.unwrap(), vec![true]);
        assert_eq!(
            publisher.publish(&[event("h2"), event("h3")]).await.unwrap(),
            vec![true, true]
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let ids: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["h1", "h2", "h3"]);
        assert_eq!(lines[0]["source"], "certify");
        assert_eq!(lines[0]["detail-type"], "certificate.emailed");
        assert_eq!(lines[0]["detail"]["certificate_id"], "c1");
    }
}
