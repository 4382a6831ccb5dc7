//! Certificates (SPEC 1.8.3-5, 1.10, 1.11): what one shows, its status, its entry in the
//! revocation status lists and the reason for a revocation; and what becomes of one:
//!
//! - [`by_hand`]: certifying by hand, outside any program run.
//! - [`regeneration`]: re-drawing a certification's certificates, and its record.
//! - [`reminder`]: which expiry reminder is due, and when to look again.
//! - [`public`]: its public links and its LinkedIn "Add to profile" link.
//! - [`credential`]: the Open Badges 3.0 credential, the issuer's DID document and the
//!   revocation status lists.
//! - [`registry`]: a certification's registry of certificates: filters and sort.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::certification::{expires_on, Certification};
use crate::field::Invalid;
use crate::locale::Locale;
use crate::program::participant::Participant;
use crate::program::{Program, ProgramRef};

pub mod by_hand;
pub mod credential;
pub mod public;
pub mod regeneration;
pub mod registry;
pub mod reminder;

/// What a certificate keeps of its certification, whatever happens to it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationSnapshot {
    pub id: String,
    pub name: String,
    pub description: String,
    pub issuer_name: String,
    /// The language its certificate is drawn in (SPEC 1.17): the certification's, else
    /// the workspace's, when it was issued. Stored before locales existed: English, the
    /// language those certificates were drawn in.
    #[serde(default)]
    pub locale: Locale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Active,
    Revoked,
    Expired,
}

impl CertificateStatus {
    /// The serde name (a test holds them equal).
    pub fn as_str(self) -> &'static str {
        match self {
            CertificateStatus::Active => "active",
            CertificateStatus::Revoked => "revoked",
            CertificateStatus::Expired => "expired",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: String,
    pub user_id: String,
    pub holder_name: String,
    pub certification: CertificationSnapshot,
    /// The program whose end issued it; `None` for one an admin issued by hand.
    pub program: Option<ProgramRef>,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_reason: Option<String>,
    pub replaced_by: Option<String>,
    /// An admin's internal note (SPEC 1.13): shown to admins only, never on the
    /// certificate, its verification page or to its holder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where its expiry reminders go (SPEC 1.14): the holder's address when it was
    /// issued. Never shown: not in any view, page, file or event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder_email: Option<String>,
    /// Its entry in the revocation status lists (SPEC 1.12), given when it is issued;
    /// `None` on a certificate issued before credentials were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StatusEntry>,
}

impl Certificate {
    /// The certificate a program's end issues to one passed participant: dated at the
    /// program's end, expiring by the certification's settings at that time, in its
    /// locale, else `workspace_locale`.
    pub fn issue(
        id: String,
        holder: &Participant,
        certification: &Certification,
        workspace_locale: Locale,
        program: &Program,
        ended_at: DateTime<Utc>,
    ) -> Certificate {
        let issued_on = ended_at.date_naive();
        Certificate {
            id,
            user_id: holder.user_id.clone(),
            holder_name: holder.name.clone(),
            certification: CertificationSnapshot::of(certification, workspace_locale),
            program: Some(ProgramRef {
                id: program.id.clone(),
                name: program.name.clone(),
            }),
            issued_on,
            expires_on: expires_on(issued_on, certification.fields.validity.as_ref()),
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
            note: None,
            holder_email: Some(holder.email.clone()),
            status: None,
        }
    }

    /// Revoked wins; an active certificate whose expiry is before `today` is expired.
    pub fn status(&self, today: NaiveDate) -> CertificateStatus {
        if self.revoked_at.is_some() {
            CertificateStatus::Revoked
        } else if self.expires_on.is_some_and(|d| d < today) {
            CertificateStatus::Expired
        } else {
            CertificateStatus::Active
        }
    }
}

/// Entries of one status list: W3C's minimum (16 KiB, so that one revoked credential
/// hides among many).
pub const STATUS_LIST_SIZE: u64 = 131_072;

/// A credential's place in the revocation status lists: list `list` (from 1), bit
/// `index`. Allocated once, when the certificate is issued, and kept through renewals
/// of its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    pub list: u64,
    pub index: u64,
}

impl StatusEntry {
    /// The entry of position `n` (from 0) of the one counter every list is cut from.
    pub fn at(n: u64) -> StatusEntry {
        StatusEntry {
            list: n / STATUS_LIST_SIZE + 1,
            index: n % STATUS_LIST_SIZE,
        }
    }

    /// The `count` entries a counter that now stands at `counter` has just given out.
    pub fn taken(counter: u64, count: u64) -> Vec<StatusEntry> {
        (counter.saturating_sub(count)..counter).map(StatusEntry::at).collect()
    }
}

/// Longest reason an admin may give for revoking a certificate, in characters.
pub const REASON_MAX: usize = 500;

/// The reason for a revocation as the admin gave it: at most [`REASON_MAX`] characters
/// as sent, not blank, trimmed.
pub fn revocation_reason(raw: Option<&str>) -> Result<String, Invalid> {
    let raw = raw.unwrap_or("");
    let reason = raw.trim();
    if reason.is_empty() || raw.chars().count() > REASON_MAX {
        return Err(Invalid::one("reason", format!("must be 1 to {REASON_MAX} characters")));
    }
    Ok(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certification::{CertificationFields, Validity, ValidityUnit};
    use crate::fixtures::{at, day, now, person, program};

    fn certification(validity: Option<Validity>) -> Certification {
        Certification {
            id: "c1".into(),
            fields: CertificationFields {
                name: "Leadership Essentials".into(),
                description: "d".into(),
                issuer_name: "Exec".into(),
                validity,
                expiry_reminders_days: vec![30],
                locale: None,
            },
            created_at: now(),
            updated_at: now(),
            version: 3,
            archived_at: None,
        }
    }

    #[test]
    fn a_status_reads_as_its_serde_name() {
        for status in [
            CertificateStatus::Active,
            CertificateStatus::Revoked,
            CertificateStatus::Expired,
        ] {
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json.as_str(), Some(status.as_str()));
        }
    }

    #[test]
    fn a_certificate_is_dated_at_the_program_end_with_the_current_validity() {
        let validity = Validity::new(1, ValidityUnit::Months).unwrap();
        let c = Certificate::issue(
            "x".into(),
            &person("u1", "Ana"),
            &certification(Some(validity)),
            Locale::En,
            &program("p1", "P"),
            at("2024-01-31T23:30:00Z"),
        );
        assert_eq!(
            (c.issued_on, c.expires_on),
            (day("2024-01-31"), Some(day("2024-02-29")))
        );
        assert_eq!(c.certification.name, "Leadership Essentials");
        assert_eq!(c.status(day("2024-02-29")), CertificateStatus::Active);
        assert_eq!(c.status(day("2024-03-01")), CertificateStatus::Expired);
        let revoked = Certificate {
            revoked_at: Some(now()),
            ..c
        };
        assert_eq!(revoked.status(day("2024-02-01")), CertificateStatus::Revoked);
    }

    #[test]
    fn a_certificate_speaks_its_certifications_locale_else_the_workspaces() {
        let issue = |certification: &Certification, workspace: Locale| {
            Certificate::issue(
                "x".into(),
                &person("u1", "Ana"),
                certification,
                workspace,
                &program("p1", "P"),
                at("2026-12-07T10:00:00Z"),
            )
            .certification
            .locale
        };
        let unset = certification(None);
        assert_eq!(issue(&unset, Locale::De), Locale::De);
        let mut japanese = certification(None);
        japanese.fields.locale = Some(Locale::Ja);
        assert_eq!(issue(&japanese, Locale::De), Locale::Ja);
        assert_eq!(CertificationSnapshot::of(&japanese, Locale::Ar).locale, Locale::Ja);
    }

    #[test]
    fn entries_are_cut_from_one_counter_into_lists_of_131072() {
        assert_eq!(StatusEntry::at(0), StatusEntry { list: 1, index: 0 });
        assert_eq!(
            StatusEntry::at(131_071),
            StatusEntry {
                list: 1,
                index: 131_071
            }
        );
        assert_eq!(StatusEntry::at(131_072), StatusEntry { list: 2, index: 0 });
        // A chunk that crosses a list's end takes the first entries of the next list.
        assert_eq!(
            StatusEntry::taken(131_074, 4),
            vec![
                StatusEntry {
                    list: 1,
                    index: 131_070
                },
                StatusEntry {
                    list: 1,
                    index: 131_071
                },
                StatusEntry { list: 2, index: 0 },
                StatusEntry { list: 2, index: 1 },
            ]
        );
    }

    #[test]
    fn a_revocation_reason_is_trimmed_and_holds_one_to_five_hundred_characters() {
        assert_eq!(
            revocation_reason(Some("  left the company \n")).unwrap(),
            "left the company"
        );
        assert_eq!(
            revocation_reason(Some(&"é".repeat(REASON_MAX)))
                .unwrap()
                .chars()
                .count(),
            500
        );
        for bad in [None, Some(""), Some("   "), Some(&*"é".repeat(REASON_MAX + 1))] {
            let err = revocation_reason(bad).unwrap_err();
            assert_eq!(err.fields(), ["reason"], "{bad:?}");
            assert_eq!(err.0[0].problem, "must be 1 to 500 characters");
        }
    }
}
