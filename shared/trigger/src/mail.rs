//! Sending one email for any background work: paced at the sending rate, throttling
//! retried with backoff, the outcome counted once.

use std::sync::atomic::Ordering;

use certify_mail::{Email, MailError};

use crate::pace::backoff;
use crate::Trigger;

impl Trigger {
    /// Sends one email, retrying throttling with backoff. `Ok(Some(reason))`: refused
    /// for good; an error: may or may not have gone, the next sweep retries.
    pub(crate) async fn send_email(&self, email: &Email) -> anyhow::Result<Option<String>> {
        let attempts = self.settings.send_attempts.max(1);
        for attempt in 0..attempts {
            self.pacer.wait().await;
            let sent = self.mailer.send(email).await;
            // Counted once settled: sent, or failed (a throttled one only on its last try).
            let counter = match &sent {
                Ok(_) => Some(&self.tally.emails_sent),
                Err(MailError::Throttled(_)) if attempt + 1 < attempts => None,
                Err(_) => Some(&self.tally.emails_failed),
            };
            if let Some(counter) = counter {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            match sent {
                Ok(_) => return Ok(None),
                Err(MailError::Rejected(reason)) => return Ok(Some(reason)),
                Err(MailError::Throttled(e)) if attempt + 1 == attempts => {
                    return Err(e.context("still throttled after every attempt"))
                }
                Err(MailError::Throttled(_)) => tokio::time::sleep(backoff(attempt)).await,
                Err(MailError::Unexpected(e)) => return Err(e),
            }
        }
        unreachable!("the last attempt returns")
    }
}
