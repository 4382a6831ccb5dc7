//! Expiry reminders (SPEC 1.14): which reminder a certificate's holder is due on a day,
//! and when to look at the certificate next. The certification's offsets are read when
//! a reminder is due, so a change reaches every reminder not yet sent.
//!
//! A certificate expiring on E is in the window of offset N from E - N on, until the
//! window of the next smaller offset opens; from E + 1 it is expired. The reminder due
//! is that of the window it is in, unless sent: a certificate issued inside a window,
//! or looked at late (the system was down), gets that window's reminder at once, and
//! the larger windows it skipped are never sent.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use crate::certification::REMINDER_DAYS_MAX;
use serde::{Deserialize, Serialize};

/// One reminder of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reminder {
    /// `n` days before expiry.
    Before(u16),
    /// The day after it expired.
    Expired,
}

impl Reminder {
    /// Its name among a certificate's sent reminders (`30`, `expired`).
    pub fn key(self) -> String {
        match self {
            Reminder::Before(days) => days.to_string(),
            Reminder::Expired => "expired".into(),
        }
    }

    /// The reminder a [`Reminder::key`] names.
    pub fn from_key(key: &str) -> Option<Reminder> {
        match key {
            "expired" => Some(Reminder::Expired),
            days => days.parse().ok().map(Reminder::Before),
        }
    }

    /// The first day it is due for a certificate expiring on `expires_on`.
    pub fn opens(self, expires_on: NaiveDate) -> NaiveDate {
        match self {
            Reminder::Before(days) => expires_on
                .checked_sub_days(Days::new(days.into()))
                .unwrap_or(NaiveDate::MIN),
            Reminder::Expired => expires_on.succ_opt().unwrap_or(NaiveDate::MAX),
        }
    }
}

/// The first look at a certificate: the earliest day any reminder could be due (offsets
/// are at most [`REMINDER_DAYS_MAX`] days), or the day it was issued if that is later.
pub fn first_look(issued_on: NaiveDate, expires_on: NaiveDate) -> NaiveDate {
    Reminder::Before(REMINDER_DAYS_MAX as u16)
        .opens(expires_on)
        .max(issued_on)
}

/// When a look on `day` is due: its first instant (UTC).
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// The reminder due `today` for a certificate expiring on `expires_on`, under `offsets`
/// (any order), given the `sent` ones. No offsets: no reminder at all, not even the
/// expired one (an admin who set none asked for silence).
pub fn due_reminder(expires_on: NaiveDate, offsets: &[u16], sent: &[Reminder], today: NaiveDate) -> Option<Reminder> {
    if offsets.is_empty() {
        return None;
    }
    let expired = Reminder::Expired;
    let current = if today >= expired.opens(expires_on) {
        Some(expired)
    } else {
        offsets
            .iter()
            .copied()
            .filter(|&days| today >= Reminder::Before(days).opens(expires_on))
            .min()
            .map(Reminder::Before)
    };
    current.filter(|reminder| !sent.contains(reminder))
}

/// When to look at the certificate next, after `today`'s reminder (if any) was sent:
/// the next window to open under `offsets`, or the day after expiry; `None` once the
/// expired reminder is sent (or its day has passed with no offsets). Never before
/// tomorrow, whatever is due today, so the caller can key it there.
pub fn next_look(expires_on: NaiveDate, offsets: &[u16], sent: &[Reminder], today: NaiveDate) -> Option<NaiveDate> {
    if sent.contains(&Reminder::Expired) {
        return None;
    }
    let tomorrow = today.succ_opt()?;
    let expired = Reminder::Expired.opens(expires_on);
    if expired < tomorrow {
        // Past expiry: one more look tomorrow only if the expired reminder is still owed.
        return (!offsets.is_empty() && due_reminder(expires_on, offsets, sent, today).is_some()).then_some(tomorrow);
    }
    offsets
        .iter()
        .map(|&days| Reminder::Before(days).opens(expires_on))
        .filter(|&opens| opens >= tomorrow)
        .chain(std::iter::once(expired))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::day;

    #[test]
    fn each_window_is_due_once_and_a_late_look_sends_the_current_one() {
        let expires = day("2027-01-31");
        let offsets = [30, 7];
        let due = |today: &str, sent: &[Reminder]| due_reminder(expires, &offsets, sent, day(today));
        assert_eq!(due("2026-12-31", &[]), None, "before every window");
        assert_eq!(due("2027-01-01", &[]), Some(Reminder::Before(30)));
        assert_eq!(due("2027-01-10", &[Reminder::Before(30)]), None, "sent");
        assert_eq!(due("2027-01-24", &[Reminder::Before(30)]), Some(Reminder::Before(7)));
        assert_eq!(
            due("2027-01-31", &[Reminder::Before(7)]),
            None,
            "valid through its last day"
        );
        assert_eq!(due("2027-02-01", &[Reminder::Before(7)]), Some(Reminder::Expired));
        assert_eq!(due("2027-02-01", &[Reminder::Expired]), None);
        // Issued (or looked at) inside the 7-day window: that one, never the 30-day one.
        assert_eq!(due("2027-01-27", &[]), Some(Reminder::Before(7)));
        // Down for a while: late, once, the window it is in.
        assert_eq!(due("2027-03-15", &[Reminder::Before(30)]), Some(Reminder::Expired));
        assert_eq!(due_reminder(expires, &[], &[], day("2027-02-01")), None, "silenced");
    }

    #[test]
    fn a_first_look_is_a_year_before_expiry_or_at_issue_and_keys_read_back() {
        assert_eq!(first_look(day("2026-01-01"), day("2028-01-01")), day("2027-01-01"));
        assert_eq!(first_look(day("2026-06-01"), day("2026-07-01")), day("2026-06-01"));
        for r in [Reminder::Before(30), Reminder::Before(365), Reminder::Expired] {
            assert_eq!(Reminder::from_key(&r.key()), Some(r));
        }
        assert_eq!(Reminder::from_key(""), None);
        assert_eq!(day_start(day("2026-06-01")).to_rfc3339(), "2026-06-01T00:00:00+00:00");
    }

    #[test]
    fn the_next_look_is_the_next_window_or_the_day_after_expiry() {
        let expires = day("2027-01-31");
        let offsets = [30, 7];
        let next = |today: &str, sent: &[Reminder]| next_look(expires, &offsets, sent, day(today));
        assert_eq!(next("2026-11-01", &[]), Some(day("2027-01-01")));
        assert_eq!(next("2027-01-01", &[Reminder::Before(30)]), Some(day("2027-01-24")));
        assert_eq!(next("2027-01-24", &[Reminder::Before(7)]), Some(day("2027-02-01")));
        assert_eq!(next("2027-02-01", &[Reminder::Expired]), None, "done");
        assert_eq!(
            next("2027-02-03", &[]),
            Some(day("2027-02-04")),
            "the expired one still owed"
        );
        assert_eq!(
            next_look(expires, &[], &[], day("2027-02-03")),
            None,
            "silenced after expiry"
        );
        assert_eq!(
            next_look(expires, &[], &[], day("2026-11-01")),
            Some(day("2027-02-01")),
            "looked at again once expired, should offsets be set by then"
        );
        assert_eq!(
            next_look(expires, &[60], &[], day("2026-11-01")),
            Some(day("2026-12-02"))
        );
    }

    #[test]
    fn a_forty_day_certificate_with_30_and_7_gets_three_emails_over_sixty_days() {
        // The issue's scenario: issued day 0 with 40 days of validity, looked at daily.
        let issued = day("2027-03-01");
        let expires = issued + chrono::Duration::days(40);
        let offsets = [30, 7];
        let mut sent = Vec::new();
        let mut on_days = Vec::new();
        for d in 0..=60 {
            let today = issued + chrono::Duration::days(d);
            if let Some(reminder) = due_reminder(expires, &offsets, &sent, today) {
                sent.push(reminder);
                on_days.push((d, reminder));
            }
        }
        assert_eq!(
            on_days,
            [
                (10, Reminder::Before(30)),
                (33, Reminder::Before(7)),
                (41, Reminder::Expired)
            ]
        );
    }
}
