//! The expiry reminders port (SPEC 1.14), beside the others in the crate's root.

use async_trait::async_trait;
use certify_rules::{Certificate, Reminder};
use chrono::{DateTime, Utc};

use crate::{Lease, Result};

/// A certificate due a look for an expiry reminder, with the reminders sent so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderLook {
    pub certificate: Certificate,
    pub sent: Vec<Reminder>,
}

/// What became of a claimed reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderSent {
    /// The mail service accepted it then: recorded as sent, with its history entry.
    Accepted(DateTime<Utc>),
    /// Refused for good (the address): recorded as sent, so never tried again, with no
    /// entry (nobody was told).
    Refused,
    /// Not sent (a failure that may pass): still owed.
    NotSent,
}

/// A reminder claimed to be sent, as [`ReminderStore::settle_reminder`] settles it.
#[derive(Debug, Clone, Copy)]
pub struct ClaimedReminder<'a> {
    pub ws: &'a str,
    pub certificate_id: &'a str,
    pub reminder: Reminder,
    pub claim: &'a Lease,
    /// The reminders sent before, as the claim answered them.
    pub sent_before: &'a [Reminder],
}

/// Each certificate that expires waits in a sparse index under the day of its next
/// look (set when it is issued, moved by each look, removed when it is revoked or
/// replaced, or when nothing more is owed). Sending is claimed first and recorded after
/// the mail service accepted it, as nudges are, so each reminder goes once but for a
/// crash between the two.
#[async_trait]
pub trait ReminderStore: Send + Sync {
    /// Certificates whose next look is due by `until`, earliest first, across
    /// workspaces; at most `limit`.
    async fn due_reminder_looks(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, ReminderLook)>>;
    /// Claims it to send `reminder`, answering the reminders sent so far (as the claim
    /// read them); `Ok(None)` when it is revoked, the reminder was sent, or another
    /// holds a claim until after `now`. MUST answer `NotFound` for a missing one.
    async fn claim_reminder(
        &self,
        certificate_id: &str,
        reminder: Reminder,
        claim: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Reminder>>>;
    /// Releases the claim, records what became of the reminder (its history entry, by
    /// the system, in the same transaction) and moves the next look to `next` (`None`:
    /// no more looks). `false` when the claim is no longer this one (nothing changed).
    async fn settle_reminder(
        &self,
        claimed: &ClaimedReminder<'_>,
        sent: ReminderSent,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool>;
    /// Moves the next look to `next` (`None`: no more looks) when nothing is due, unless
    /// it is revoked meanwhile.
    async fn look_again(&self, certificate_id: &str, next: Option<DateTime<Utc>>) -> Result<()>;
}
