//! Regeneration (SPEC 1.13): re-drawing the PDF and PNG of every non-revoked certificate
//! of a certification, after its template or a typo changed. Ids, dates and history are
//! kept; with `refresh_snapshot` the certificates first take the certification's name,
//! description and issuer as they were when the admin asked. The work goes on in the
//! background, a page of certificates at a time; the record says how far it got.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::certificate::{Certificate, CertificationSnapshot};
use crate::certification::Certification;
use crate::field::{not_null, Invalid};
use crate::locale::Locale;
use crate::record::history::Actor;
use crate::run::backoff::{gives_up, retry_delay};

/// Errors a record keeps (the counts keep counting past them).
pub const REGENERATION_ERRORS_MAX: usize = 20;

/// Body of `POST /certifications/{id}/regenerations`: may be empty or omit the field,
/// never `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegenerationInput {
    #[serde(default, deserialize_with = "not_null")]
    pub refresh_snapshot: Option<bool>,
}

impl RegenerationInput {
    /// Whether to refresh the snapshot (`false` when omitted). Every body that reads is
    /// valid; the `Result` keeps the shape of the other inputs.
    pub fn parse(&self) -> Result<bool, Invalid> {
        Ok(self.refresh_snapshot.unwrap_or(false))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegenerationState {
    Running,
    Completed,
}

/// Why one certificate was not regenerated, as a stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegenerationErrorCode {
    RenderFailed,
    StorageFailed,
}

impl RegenerationErrorCode {
    /// What it means, in words free of internals (the detail goes to the logs).
    pub fn message(self) -> &'static str {
        match self {
            RegenerationErrorCode::RenderFailed => {
                "the certificate could not be drawn; tried again later, given up after 24 hours"
            }
            RegenerationErrorCode::StorageFailed => {
                "the certificate's files could not be stored; tried again later, given up after 24 hours"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegenerationError {
    pub certificate_id: String,
    pub code: RegenerationErrorCode,
    pub message: String,
}

/// A regeneration and how far it got. A page of certificates counts once all of it is
/// drawn: a page with failures is tried again after 1, 2, 4 ... minutes (at most an
/// hour), its failures shown meanwhile, and given up 24 hours after its first failure
/// (its failures then count as `failed`). `cursor` (where the next page starts) and the
/// retry marks are the worker's, not shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regeneration {
    pub id: String,
    pub certification_id: String,
    pub refresh_snapshot: bool,
    /// With `refresh_snapshot`: what every certificate takes, the certification as it
    /// was when asked (so all of them agree, whatever is edited meanwhile).
    pub snapshot: Option<CertificationSnapshot>,
    pub state: RegenerationState,
    pub requested_at: DateTime<Utc>,
    pub requested_by: Actor,
    pub finished_at: Option<DateTime<Utc>>,
    /// Non-revoked certificates found when the work began; `None` until then.
    pub total: Option<u64>,
    pub done: u64,
    /// Given up.
    pub failed: u64,
    /// Of the given up, then of the page being tried again (the first few).
    #[serde(default)]
    pub errors: Vec<RegenerationError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// How many of `errors` (the last ones) are of the page being tried again.
    #[serde(default)]
    pub retrying: usize,
    /// When the page being tried again first failed, how often it failed, and when it
    /// is tried next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    #[serde(default)]
    pub failed_attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// One page of a regeneration as worked: certificates drawn (or drawn before), and the
/// ones that failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageOutcome {
    pub done: u64,
    pub failures: Vec<(String, RegenerationErrorCode)>,
    /// Where the next page starts; `None` after the last.
    pub next_cursor: Option<String>,
}

impl Regeneration {
    /// A regeneration an admin asked for, not begun: one that refreshes the snapshot
    /// takes the certification as it is now, in its locale, else `workspace_locale`.
    pub fn request(
        id: String,
        certification: &Certification,
        workspace_locale: Locale,
        refresh_snapshot: bool,
        actor: Actor,
        now: DateTime<Utc>,
    ) -> Regeneration {
        Regeneration {
            id,
            certification_id: certification.id.clone(),
            refresh_snapshot,
            snapshot: refresh_snapshot.then(|| CertificationSnapshot::of(certification, workspace_locale)),
            state: RegenerationState::Running,
            requested_at: now,
            requested_by: actor,
            finished_at: None,
            total: None,
            done: 0,
            failed: 0,
            errors: Vec::new(),
            cursor: None,
            retrying: 0,
            failing_since: None,
            failed_attempts: 0,
            next_attempt_at: None,
        }
    }

    /// Accounts for a page worked at `now`: counted and passed when it had no failure
    /// or its failures are given up (answers `true`); else kept to try again later.
    pub fn page(&mut self, page: PageOutcome, now: DateTime<Utc>) -> bool {
        self.errors
            .truncate(self.errors.len() - self.retrying.min(self.errors.len()));
        self.retrying = 0;
        let give_up = self.failing_since.is_some_and(|since| gives_up(since, now));
        if !page.failures.is_empty() && !give_up {
            self.failing_since.get_or_insert(now);
            self.failed_attempts += 1;
            self.next_attempt_at = Some(now + retry_delay(self.failed_attempts));
            let before = self.errors.len();
            for (id, code) in &page.failures {
                self.push_error(id, *code);
            }
            self.retrying = self.errors.len() - before;
            return false;
        }
        self.done += page.done;
        self.failed += page.failures.len() as u64;
        for (id, code) in &page.failures {
            self.push_error(id, *code);
        }
        self.failing_since = None;
        self.failed_attempts = 0;
        self.next_attempt_at = None;
        self.cursor = page.next_cursor;
        if self.cursor.is_none() {
            self.state = RegenerationState::Completed;
            self.finished_at = Some(now);
        }
        true
    }

    /// The certificate as this regeneration draws it: with the new snapshot when it
    /// refreshes one, else as it is.
    pub fn target(&self, certificate: &Certificate) -> Certificate {
        match &self.snapshot {
            Some(snapshot) if certificate.revoked_at.is_none() => Certificate {
                certification: snapshot.clone(),
                ..certificate.clone()
            },
            _ => certificate.clone(),
        }
    }

    fn push_error(&mut self, certificate_id: &str, code: RegenerationErrorCode) {
        if self.errors.len() < REGENERATION_ERRORS_MAX {
            self.errors.push(RegenerationError {
                certificate_id: certificate_id.to_string(),
                code,
                message: code.message().to_string(),
            });
        }
    }
}

impl CertificationSnapshot {
    /// What a certificate keeps of `certification` as it is now, in its locale, else
    /// `workspace_locale` (the workspace's settings now).
    pub fn of(certification: &Certification, workspace_locale: Locale) -> CertificationSnapshot {
        CertificationSnapshot {
            id: certification.id.clone(),
            name: certification.fields.name.clone(),
            description: certification.fields.description.clone(),
            issuer_name: certification.fields.issuer_name.clone(),
            locale: certification.fields.locale.unwrap_or(workspace_locale),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    fn certification() -> Certification {
        let fields = crate::CertificationFields {
            name: "Leadership, Fixed".into(),
            description: "Leads teams through change.".into(),
            issuer_name: "Exec Coaching".into(),
            validity: None,
            expiry_reminders_days: vec![30],
            locale: None,
        };
        Certification::create("c1".into(), fields, fixtures::now())
    }

    #[test]
    fn the_body_may_be_empty_but_never_null_or_unknown() {
        let parse = |body: &str| serde_json::from_str::<RegenerationInput>(body).map(|i| i.parse().unwrap());
        assert!(!parse("{}").unwrap());
        assert!(parse(r#"{"refresh_snapshot": true}"#).unwrap());
        assert!(parse(r#"{"refresh_snapshot": null}"#).is_err());
        assert!(parse(r#"{"refresh_snapshot": "yes"}"#).is_err());
        assert!(parse(r#"{"refresh": true}"#).is_err());
    }

    #[test]
    fn a_refresh_takes_the_certification_as_it_was_when_asked() {
        let now = fixtures::now();
        let kept = Regeneration::request("r1".into(), &certification(), Locale::En, false, Actor::System, now);
        assert_eq!(kept.snapshot, None);
        let certificate = fixtures::certificate("x1", "u1");
        assert_eq!(kept.target(&certificate), certificate);

        let refresh = Regeneration::request(
            "r2".into(),
            &certification(),
            Locale::En,
            true,
            Actor::admin("u-admin"),
            now,
        );
        let target = refresh.target(&certificate);
        assert_eq!(target.certification.name, "Leadership, Fixed");
        assert_eq!(
            (target.id.as_str(), target.issued_on, target.expires_on),
            (certificate.id.as_str(), certificate.issued_on, certificate.expires_on),
            "ids and dates are kept"
        );
        let revoked = Certificate {
            revoked_at: Some(now),
            ..certificate.clone()
        };
        assert_eq!(
            refresh.target(&revoked),
            revoked,
            "a revoked certificate keeps its snapshot"
        );
    }

    #[test]
    fn a_refresh_takes_the_locale_as_it_is_now_and_a_plain_one_keeps_the_certificates() {
        let now = fixtures::now();
        let certificate = fixtures::certificate("x1", "u1");
        let kept = Regeneration::request("r1".into(), &certification(), Locale::Fr, false, Actor::System, now);
        assert_eq!(
            kept.target(&certificate).certification.locale,
            certificate.certification.locale
        );
        let refresh = Regeneration::request("r2".into(), &certification(), Locale::Fr, true, Actor::System, now);
        assert_eq!(refresh.target(&certificate).certification.locale, Locale::Fr);
        let mut hebrew = certification();
        hebrew.fields.locale = Some(Locale::He);
        let refresh = Regeneration::request("r3".into(), &hebrew, Locale::Fr, true, Actor::System, now);
        assert_eq!(refresh.target(&certificate).certification.locale, Locale::He);
    }

    fn failing(ids: &[&str], next: Option<&str>) -> PageOutcome {
        PageOutcome {
            done: 1,
            failures: ids
                .iter()
                .map(|id| (id.to_string(), RegenerationErrorCode::StorageFailed))
                .collect(),
            next_cursor: next.map(String::from),
        }
    }

    #[test]
    fn a_page_with_failures_is_tried_again_with_backoff_then_given_up() {
        let t0 = fixtures::now();
        let mut r = Regeneration::request("r1".into(), &certification(), Locale::En, false, Actor::System, t0);
        assert!(r.page(failing(&[], Some("p2")), t0));
        assert_eq!((r.done, r.cursor.as_deref()), (1, Some("p2")));

        assert!(!r.page(failing(&["x1", "x2"], Some("p3")), t0), "kept to try again");
        assert_eq!(
            (r.done, r.failed, r.cursor.as_deref()),
            (1, 0, Some("p2")),
            "nothing counted"
        );
        assert_eq!(r.next_attempt_at, Some(t0 + chrono::Duration::minutes(1)));
        assert_eq!(r.errors.len(), 2, "shown while tried again");
        let t1 = t0 + chrono::Duration::minutes(1);
        assert!(!r.page(failing(&["x2"], Some("p3")), t1));
        assert_eq!(
            r.next_attempt_at,
            Some(t1 + chrono::Duration::minutes(2)),
            "backing off"
        );
        assert_eq!(r.errors.len(), 1, "the last attempt's errors only");

        let late = t0 + chrono::Duration::hours(24);
        assert!(r.page(failing(&["x2"], None), late), "given up after a day");
        assert_eq!((r.done, r.failed, r.state), (2, 1, RegenerationState::Completed));
        assert_eq!((r.failing_since, r.next_attempt_at, r.retrying), (None, None, 0));
        assert_eq!(r.errors[0].message, RegenerationErrorCode::StorageFailed.message());
        assert_eq!(r.finished_at, Some(late));
    }

    #[test]
    fn errors_kept_are_bounded_but_every_failure_is_counted() {
        let t0 = fixtures::now();
        let mut r = Regeneration::request("r1".into(), &certification(), Locale::En, false, Actor::System, t0);
        let many: Vec<String> = (0..REGENERATION_ERRORS_MAX + 5).map(|i| format!("x{i}")).collect();
        let ids: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(!r.page(failing(&ids, None), t0));
        assert!(r.page(failing(&ids, None), t0 + chrono::Duration::hours(25)));
        assert_eq!(r.failed as usize, REGENERATION_ERRORS_MAX + 5);
        assert_eq!(r.errors.len(), REGENERATION_ERRORS_MAX);
    }
}
