//! The registry of a certification (SPEC 1.13): its certificates, filtered by status,
//! holder and expiry, sorted by issue or expiry day. The store reads them by an index in
//! the chosen order; the rules decide which are shown.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::certificate::{Certificate, CertificateStatus};
use crate::field::{one_of, Invalid, Problems};
use crate::identity::check_identity;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrySort {
    IssuedOn,
    ExpiresOn,
}

/// A registry request, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryQuery {
    pub status: Option<CertificateStatus>,
    pub user_id: Option<String>,
    /// Only certificates expiring before this day (never-expiring ones are left out).
    pub expires_before: Option<NaiveDate>,
    pub sort: RegistrySort,
    /// Newest (or latest expiring) first: the default.
    pub descending: bool,
}

/// The registry's query parameters as they came (paging is read apart, so other
/// parameters are left for it).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistryQueryInput {
    pub status: Option<String>,
    pub user_id: Option<String>,
    pub expires_before: Option<String>,
    pub sort: Option<String>,
    pub order: Option<String>,
}

impl RegistryQueryInput {
    pub fn parse(&self) -> Result<RegistryQuery, Invalid> {
        let mut p = Problems::new();
        let statuses = [
            ("active", Some(CertificateStatus::Active)),
            ("expired", Some(CertificateStatus::Expired)),
            ("revoked", Some(CertificateStatus::Revoked)),
        ];
        let status = one_of(&mut p, "status", self.status.as_deref(), &statuses, None);
        let sorts = [
            ("issued_on", RegistrySort::IssuedOn),
            ("expires_on", RegistrySort::ExpiresOn),
        ];
        let sort = one_of(&mut p, "sort", self.sort.as_deref(), &sorts, RegistrySort::IssuedOn);
        let orders = [("asc", false), ("desc", true)];
        let descending = one_of(&mut p, "order", self.order.as_deref(), &orders, true);
        if let Some(Err(problem)) = self.user_id.as_deref().map(check_identity) {
            p.add("user_id", problem);
        }
        let expires_before = match self.expires_before.as_deref() {
            None => None,
            Some(raw) => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(day) => Some(day),
                Err(_) => {
                    p.add("expires_before", "must be a date, YYYY-MM-DD");
                    None
                }
            },
        };
        p.finish(|| RegistryQuery {
            status,
            user_id: self.user_id.clone(),
            expires_before,
            sort,
            descending,
        })
    }
}

impl RegistryQuery {
    /// Whether `certificate` is shown on `today` (the store may hand over more).
    pub fn shows(&self, certificate: &Certificate, today: NaiveDate) -> bool {
        self.status.is_none_or(|s| certificate.status(today) == s)
            && self.user_id.as_deref().is_none_or(|u| certificate.user_id == u)
            && self
                .expires_before
                .is_none_or(|before| certificate.expires_on.is_some_and(|d| d < before))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::CertificationSnapshot;
    use crate::fixtures::day;
    use crate::program::ProgramRef;

    fn input(pairs: &[(&str, &str)]) -> RegistryQueryInput {
        let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string());
        RegistryQueryInput {
            status: get("status"),
            user_id: get("user_id"),
            expires_before: get("expires_before"),
            sort: get("sort"),
            order: get("order"),
        }
    }

    #[test]
    fn the_default_is_newest_issue_first_and_every_bad_field_is_named() {
        let q = input(&[]).parse().unwrap();
        assert_eq!((q.sort, q.descending, q.status), (RegistrySort::IssuedOn, true, None));
        let q = input(&[("sort", "expires_on"), ("order", "asc"), ("status", "expired")])
            .parse()
            .unwrap();
        assert_eq!(
            (q.sort, q.descending, q.status),
            (RegistrySort::ExpiresOn, false, Some(CertificateStatus::Expired))
        );
        let bad = input(&[
            ("status", "lapsed"),
            ("sort", "name"),
            ("order", "up"),
            ("user_id", "u#1"),
            ("expires_before", "2026-13-01"),
        ])
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["status", "sort", "order", "user_id", "expires_before"]);
    }

    #[test]
    fn a_certificate_is_shown_when_every_filter_admits_it() {
        let mut c = Certificate {
            id: "x".into(),
            user_id: "u-ana".into(),
            holder_name: "Ana".into(),
            certification: CertificationSnapshot {
                id: "c1".into(),
                name: "L".into(),
                description: String::new(),
                issuer_name: "E".into(),
                locale: Default::default(),
            },
            program: Some(ProgramRef {
                id: "p1".into(),
                name: "P".into(),
            }),
            issued_on: day("2026-01-31"),
            expires_on: Some(day("2027-01-31")),
            revoked_at: None,
            revoked_reason: None,
            replaced_by: None,
            note: None,
            holder_email: None,
            status: None,
        };
        let today = day("2026-12-02");
        let q = |pairs: &[(&str, &str)]| input(pairs).parse().unwrap();
        assert!(q(&[]).shows(&c, today));
        assert!(q(&[("status", "active"), ("user_id", c.user_id.as_str())]).shows(&c, today));
        assert!(!q(&[("status", "expired")]).shows(&c, today));
        assert!(q(&[("status", "expired")]).shows(&c, day("2027-02-01")));
        assert!(q(&[("expires_before", "2027-02-01")]).shows(&c, today));
        assert!(
            !q(&[("expires_before", "2027-01-31")]).shows(&c, today),
            "valid through its day"
        );
        assert!(!q(&[("user_id", "someone-else")]).shows(&c, today));
        c.expires_on = None;
        assert!(
            !q(&[("expires_before", "9999-12-31")]).shows(&c, today),
            "never expires"
        );
    }
}
