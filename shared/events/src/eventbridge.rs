//! [`Publisher`] on Amazon EventBridge `PutEvents`.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use certify_rules::{OutEvent, EVENT_SOURCE};

use crate::{Publisher, BATCH_MAX};

/// [`Publisher`] on Amazon EventBridge: `source` `certify`, the event's `detail-type`,
/// its `detail` as JSON, on the configured bus.
#[derive(Clone, Debug)]
pub struct EventBridgePublisher {
    client: aws_sdk_eventbridge::Client,
    bus: String,
}

impl EventBridgePublisher {
    /// `bus`: the bus's name or ARN (`default`: the account's default bus).
    pub fn new(client: aws_sdk_eventbridge::Client, bus: impl Into<String>) -> Self {
        Self {
            client,
            bus: bus.into(),
        }
    }
}

#[async_trait]
impl Publisher for EventBridgePublisher {
    async fn publish(&self, events: &[OutEvent]) -> anyhow::Result<Vec<bool>> {
        anyhow::ensure!(events.len() <= BATCH_MAX, "at most {BATCH_MAX} events per PutEvents");
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let entries = events
            .iter()
            .map(|event| {
                PutEventsRequestEntry::builder()
                    .source(EVENT_SOURCE)
                    .detail_type(&event.detail_type)
                    .detail(event.detail.to_string())
                    .event_bus_name(&self.bus)
                    .build()
            })
            .collect();
        let output = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .context("EventBridge PutEvents")?;
        // One result per entry, in order; an entry with an error code was not accepted.
        let results = output.entries();
        anyhow::ensure!(
            results.len() == events.len(),
            "PutEvents answered {} results for {} entries",
            results.len(),
            events.len()
        );
        Ok(results.iter().map(|r| r.error_code().is_none()).collect())
    }
}
