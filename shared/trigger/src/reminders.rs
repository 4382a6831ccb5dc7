//! Expiry reminders (SPEC 1.14): the sweep looks at the certificates whose next look is
//! due, after every due program and run and the queued nudges, a bounded number per
//! sweep at the sending rate. Per certificate: the certification's offsets as they are
//! now -> the reminder due today, if any -> claim, send, settle (mark and history entry
//! once the mail service accepted it) -> the next look. A crash between the send and
//! the settle sends again once the claim ran out: the mail service's own window, as in
//! a run.

use std::collections::HashMap;

use certify_mail::templates::reminder_email;
use certify_rules::{day_start, due_reminder, next_look, Certificate, PublicLinks, Reminder};
use certify_store::{ClaimedReminder, Lease, ReminderLook, ReminderSent, StoreError};
use chrono::Duration;
use futures::StreamExt;

use crate::{Deadline, Report, Trigger};

/// A reminder not sent (a failure that may pass) is tried again this much later.
const RETRY_AFTER: Duration = Duration::minutes(5);

impl Trigger {
    /// Looks at the certificates due a look, into `report`.
    pub(crate) async fn send_reminders(&self, deadline: Deadline, report: &mut Report) {
        let looks = match self
            .store
            .due_reminder_looks(self.now(), self.settings.reminders_per_sweep)
            .await
        {
            Ok(looks) => looks,
            Err(e) => {
                report.errors.push(format!("reminders: {e}"));
                return;
            }
        };
        // Each certification's offsets, read once per sweep.
        let mut offsets: HashMap<(String, String), Option<Vec<u16>>> = HashMap::new();
        for (ws, look) in &looks {
            let key = (ws.clone(), look.certificate.certification.id.clone());
            if let std::collections::hash_map::Entry::Vacant(slot) = offsets.entry(key) {
                match self.store.certification(ws, &look.certificate.certification.id).await {
                    Ok(c) => slot.insert(c.map(|c| c.fields.expiry_reminders_days)),
                    Err(e) => {
                        report.errors.push(format!("{ws}: reminders: {e}"));
                        return;
                    }
                };
            }
        }
        let offsets = &offsets;
        let results: Vec<_> = futures::stream::iter(looks)
            .map(|(ws, look)| async move {
                let key = (ws.clone(), look.certificate.certification.id.clone());
                let days = offsets.get(&key).cloned().flatten().unwrap_or_default();
                let result = self.look_at(&ws, look, &days, deadline).await;
                (ws, result)
            })
            .buffer_unordered(self.settings.concurrency.max(1))
            .collect()
            .await;
        for (ws, result) in results {
            match result {
                Ok(sent) => report.reminders_sent += usize::from(sent),
                Err(e) => {
                    tracing::error!(workspace = %ws, error = ?e, "a reminder look failed");
                    report.errors.push(format!("{ws}: reminders: {e}"));
                }
            }
        }
    }

    /// One certificate: send what is due today, then key its next look. Answers whether
    /// an email went out.
    async fn look_at(
        &self,
        ws: &str,
        look: ReminderLook,
        offsets: &[u16],
        deadline: Deadline,
    ) -> Result<bool, StoreError> {
        let certificate = &look.certificate;
        let (Some(expires_on), Some(_)) = (certificate.expires_on, certificate.holder_email.as_ref()) else {
            self.store.look_again(&certificate.id, None).await?;
            return Ok(false);
        };
        let today = self.now().date_naive();
        let Some(reminder) = due_reminder(expires_on, offsets, &look.sent, today) else {
            let next = next_look(expires_on, offsets, &look.sent, today).map(day_start);
            self.store.look_again(&certificate.id, next).await?;
            return Ok(false);
        };
        if deadline.is_near(self.now()) {
            return Ok(false); // the next sweep finds it still due
        }
        let claim = Lease {
            owner: uuid::Uuid::new_v4().to_string(),
            until: self.now() + self.settings.lease,
        };
        let claimed = self.store.claim_reminder(&certificate.id, reminder, &claim, self.now());
        let sent_before = match claimed.await {
            Ok(Some(sent_before)) => sent_before,
            // Revoked, sent meanwhile, or another sender holds it.
            Ok(None) | Err(StoreError::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        let sent = self.send_reminder(ws, certificate, reminder).await;
        let next = match sent {
            ReminderSent::NotSent => Some(self.now() + RETRY_AFTER),
            _ => {
                let mut marked = sent_before.clone();
                marked.push(reminder);
                next_look(expires_on, offsets, &marked, today).map(day_start)
            }
        };
        let claimed = ClaimedReminder {
            ws,
            certificate_id: &certificate.id,
            reminder,
            claim: &claim,
            sent_before: &sent_before,
        };
        self.store.settle_reminder(&claimed, sent, next).await?;
        Ok(matches!(sent, ReminderSent::Accepted(_)))
    }

    async fn send_reminder(&self, ws: &str, certificate: &Certificate, reminder: Reminder) -> ReminderSent {
        let links = PublicLinks::new(&self.settings.public_url, certificate, None);
        // SPEC 1.17: the certificate's locale (a reminder goes to the address the
        // certificate keeps, not to a participant of a program).
        let Some(email) = reminder_email(certificate.certification.locale, certificate, reminder, &links) else {
            return ReminderSent::Refused;
        };
        match self.send_email(&email).await {
            Ok(None) => ReminderSent::Accepted(self.now()),
            Ok(Some(reason)) => {
                tracing::warn!(workspace = ws, certificate = %certificate.id, reason, "a reminder was refused for good");
                ReminderSent::Refused
            }
            Err(error) => {
                tracing::warn!(workspace = ws, certificate = %certificate.id, error = ?error, "a reminder was not sent; tried again later");
                ReminderSent::NotSent
            }
        }
    }
}
