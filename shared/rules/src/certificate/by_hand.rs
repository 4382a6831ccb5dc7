//! Certifying by hand (SPEC 1.13): an admin issues a certificate to someone who finished
//! outside any program run, under the same rules as a run's (snapshot, expiry, files,
//! the replace rule, history), with no program and an internal note.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::certificate::{Certificate, CertificationSnapshot};
use crate::certification::{expires_on, Certification};
use crate::field::{not_null, Invalid, Problems};
use crate::locale::Locale;
use crate::program::participant::{Participant, ParticipantInput};

/// Longest internal note, in characters.
pub const NOTE_MAX: usize = 1000;

/// The body of `POST /certifications/{id}/certificates`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByHandInput {
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `YYYY-MM-DD`, today when absent (never `null`); never in the future.
    #[serde(default, deserialize_with = "not_null")]
    pub issued_on: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub note: Option<String>,
    /// Whether the holder gets the result email (default true; never `null`).
    #[serde(default, deserialize_with = "not_null")]
    pub notify: Option<bool>,
}

/// A checked request to certify by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByHand {
    pub holder: Participant,
    pub issued_on: NaiveDate,
    pub note: Option<String>,
    pub notify: bool,
}

impl ByHandInput {
    pub fn parse(&self, today: NaiveDate) -> Result<ByHand, Invalid> {
        let holder = ParticipantInput {
            user_id: self.user_id.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            avatar_url: None,
            group: None,
            locale: None,
        }
        .parse();
        let mut p = Problems::new();
        let issued_on = match self.issued_on.as_deref() {
            None => today,
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(day) if day > today => {
                    p.add("issued_on", "must not be in the future");
                    today
                }
                Ok(day) if day < crate::TIME_MIN.date_naive() => {
                    p.add("issued_on", "must be 1970-01-01 or later");
                    today
                }
                Ok(day) => day,
                Err(_) => {
                    p.add("issued_on", "must be a date, YYYY-MM-DD");
                    today
                }
            },
        };
        let note = p.optional_text("note", self.note.as_deref(), NOTE_MAX, true);
        let rest = p.finish(|| (issued_on, (!note.is_empty()).then_some(note)));
        match (holder, rest) {
            (Ok(holder), Ok((issued_on, note))) => Ok(ByHand {
                holder,
                issued_on,
                note,
                notify: self.notify.unwrap_or(true),
            }),
            (holder, rest) => {
                let mut problems = holder.err().map(|i| i.0).unwrap_or_default();
                problems.extend(rest.err().map(|i| i.0).unwrap_or_default());
                Err(Invalid(problems))
            }
        }
    }
}

impl Certificate {
    /// The certificate an admin issues by hand: the certification as it is now, dated
    /// `issued_on` and expiring by its validity from then; no program. Its locale is the
    /// certification's, else `workspace_locale`.
    pub fn by_hand(
        id: String,
        by_hand: &ByHand,
        certification: &Certification,
        workspace_locale: Locale,
    ) -> Certificate {
        Certificate {
            id,
            user_id: by_hand.holder.user_id.clone(),
            holder_name: by_hand.holder.name.clone(),
            certification: CertificationSnapshot::of(certification, workspace_locale),
            program: None,
            issued_on: by_hand.issued_on,
            expires_on: expires_on(by_hand.issued_on, certification.fields.validity.as_ref()),
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
            note: by_hand.note.clone(),
            holder_email: Some(by_hand.holder.email.clone()),
            status: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::day;

    fn input() -> ByHandInput {
        ByHandInput {
            user_id: Some("u-ana".into()),
            name: Some("Ana Ávila".into()),
            email: Some("ana@example.com".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_request_defaults_to_today_and_notifying() {
        let today = day("2026-11-28");
        let by_hand = input().parse(today).unwrap();
        assert_eq!((by_hand.issued_on, by_hand.notify, by_hand.note), (today, true, None));
        let dated = ByHandInput {
            issued_on: Some("2026-06-30".into()),
            note: Some("  Finished the 2025 cohort offline. ".into()),
            notify: Some(false),
            ..input()
        };
        let by_hand = dated.parse(today).unwrap();
        assert_eq!(by_hand.issued_on, day("2026-06-30"));
        assert_eq!(by_hand.note.as_deref(), Some("Finished the 2025 cohort offline."));
        assert!(!by_hand.notify);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ByHandInput {
            user_id: Some("u#1".into()),
            name: None,
            email: Some("not an address".into()),
            issued_on: Some("2026-11-29".into()),
            note: Some("n".repeat(NOTE_MAX + 1)),
            notify: None,
        };
        let invalid = bad.parse(day("2026-11-28")).unwrap_err();
        let fields: Vec<&str> = invalid.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["user_id", "name", "email", "issued_on", "note"]);
    }

    #[test]
    fn optional_fields_may_be_left_out_but_never_null() {
        let read = |body: &str| serde_json::from_str::<ByHandInput>(body);
        assert!(read(r#"{"user_id": "u-ana", "name": "Ana", "email": "ana@example.com"}"#).is_ok());
        for field in ["issued_on", "note", "notify"] {
            let body = format!(r#"{{"user_id": "u-ana", "name": "Ana", "email": "ana@example.com", "{field}": null}}"#);
            assert!(read(&body).is_err(), "{field}: null was taken");
        }
    }
}
