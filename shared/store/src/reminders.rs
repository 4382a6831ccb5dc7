//! Expiry reminders (SPEC 1.14): [`ReminderStore`] over the table: certificates in the
//! sweep index's `REMINDERS` partition by the day of their next look, the reminders sent
//! as one text attribute (so that a condition can hold it unchanged), and a claim while
//! one is being sent.

use async_trait::async_trait;
use certify_rules::{day_start, Actor, Certificate, Change, Reminder};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::history::{certificate_entry, entry};
use crate::items::*;
use crate::leases::held_elsewhere;
use crate::table::{path, Cond, Item, Table, TableError, Write, OPEN_PROGRAMS};
use crate::{Lease, Result, Store, StoreError};

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

/// The first look at a certificate being issued, when it expires and has an address.
pub(crate) fn first_look(certificate: &Certificate) -> Option<DateTime<Utc>> {
    let expires_on = certificate.expires_on?;
    certificate.holder_email.as_ref()?;
    Some(day_start(certify_rules::first_look(certificate.issued_on, expires_on)))
}

/// Puts a certificate's next look on `write` (or takes it out of the index).
pub(crate) fn keyed_for_look(write: Write, certificate_id: &str, next: Option<DateTime<Utc>>) -> Result<Write> {
    Ok(match next {
        Some(at) => write
            .set(path(&[OPEN_PROGRAMS.pk]), REMINDERS.into())
            .set(path(&[OPEN_PROGRAMS.sk]), look_sort_key(certificate_id, at)?.into()),
        None => write
            .remove(path(&[OPEN_PROGRAMS.pk]))
            .remove(path(&[OPEN_PROGRAMS.sk])),
    })
}

/// The index's sort key of a look: its time, then the certificate (the workspace is on
/// the item).
pub(crate) fn look_sort_key(certificate_id: &str, at: DateTime<Utc>) -> Result<String> {
    Ok(open_sort_key("-", id(certificate_id)?, at))
}

fn sent_of(item: &Item) -> Vec<Reminder> {
    let text = item
        .get(attr::REMINDERS_SENT)
        .and_then(Value::as_str)
        .unwrap_or_default();
    text.split(',').filter_map(Reminder::from_key).collect()
}

fn sent_text(sent: &[Reminder]) -> String {
    sent.iter().map(|r| r.key()).collect::<Vec<_>>().join(",")
}

#[async_trait]
impl<T: Table> ReminderStore for Store<T> {
    async fn due_reminder_looks(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, ReminderLook)>> {
        let items = self.open_items(REMINDERS, until, limit).await?;
        items
            .into_iter()
            .map(|(ws, item)| {
                let sent = sent_of(&item);
                let certificate = decode(item)?;
                Ok((ws, ReminderLook { certificate, sent }))
            })
            .collect()
    }

    async fn claim_reminder(
        &self,
        certificate_id: &str,
        reminder: Reminder,
        claim: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Reminder>>> {
        let key = certificate_key(certificate_id)?;
        let item = self.table.get(&key).await?.ok_or(StoreError::NotFound)?;
        let sent = sent_of(&item);
        let revoked = item.contains_key(attr::REVOKED_AT);
        let held = held_elsewhere(
            &item,
            attr::REMINDER_CLAIM_OWNER,
            attr::REMINDER_CLAIM_UNTIL,
            claim,
            now,
        );
        if revoked || held || sent.contains(&reminder) {
            return Ok(None);
        }
        let write = Write::update(key)
            .set(path(&[attr::REMINDER_CLAIM_OWNER]), claim.owner.clone().into())
            .set(path(&[attr::REMINDER_CLAIM_UNTIL]), json(&claim.until)?)
            .when(Cond::All(vec![
                Cond::Exists,
                Cond::AttrAbsent(attr::REVOKED_AT),
                still(attr::REMINDERS_SENT, item.get(attr::REMINDERS_SENT)),
                still(attr::REMINDER_CLAIM_OWNER, item.get(attr::REMINDER_CLAIM_OWNER)),
            ]));
        match self.table.write(write).await {
            Ok(()) => Ok(Some(sent)),
            Err(TableError::ConditionFailed) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn settle_reminder(
        &self,
        claimed: &ClaimedReminder<'_>,
        sent: ReminderSent,
        next: Option<DateTime<Utc>>,
    ) -> Result<bool> {
        let ClaimedReminder {
            ws,
            certificate_id,
            reminder,
            claim,
            sent_before,
        } = *claimed;
        // While the claim holds, nobody else changes the marks: no read is needed.
        let key = certificate_key(certificate_id)?;
        let mut marks = sent_before.to_vec();
        if sent != ReminderSent::NotSent && !marks.contains(&reminder) {
            marks.push(reminder);
        }
        let write = Write::update(key)
            .remove(path(&[attr::REMINDER_CLAIM_OWNER]))
            .remove(path(&[attr::REMINDER_CLAIM_UNTIL]))
            .set(path(&[attr::REMINDERS_SENT]), sent_text(&marks).into());
        let write = keyed_for_look(write, certificate_id, next)?.when(Cond::All(vec![
            Cond::Exists,
            Cond::Eq(attr::REMINDER_CLAIM_OWNER, claim.owner.clone().into()),
        ]));
        let mut writes = vec![write];
        if let ReminderSent::Accepted(at) = sent {
            let change = match reminder {
                Reminder::Before(offset_days) => Change::Reminded { offset_days },
                Reminder::Expired => Change::Expired {},
            };
            writes.push(certificate_entry(
                ws,
                certificate_id,
                &entry(at, change, &Actor::System),
            )?);
        }
        match self.transact_or_write(writes).await {
            Ok(()) => Ok(true),
            Err(TableError::ConditionFailed) => Ok(false),
            Err(TableError::TransactionCancelled { failed }) if failed.contains(&0) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn look_again(&self, certificate_id: &str, next: Option<DateTime<Utc>>) -> Result<()> {
        let key = certificate_key(certificate_id)?;
        let write = keyed_for_look(Write::update(key), certificate_id, next)?
            .when(Cond::All(vec![Cond::Exists, Cond::AttrAbsent(attr::REVOKED_AT)]));
        match self.table.write(write).await {
            Ok(()) | Err(TableError::ConditionFailed) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}
