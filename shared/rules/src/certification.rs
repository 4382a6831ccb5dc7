//! Certifications: their validated fields, validity and expiry arithmetic (SPEC 1.2).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{double_option, not_null, Invalid, Problems};
use crate::locale::Locale;

mod validity;

pub use validity::{expires_on, Validity, ValidityInput, ValidityUnit};

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
pub const ISSUER_MAX: usize = 200;
/// At most this many reminder offsets, each 1..=[`REMINDER_DAYS_MAX`] days (SPEC 1.2).
pub const REMINDERS_MAX: usize = 3;
pub const REMINDER_DAYS_MAX: i64 = 365;

/// A new certification's reminders: 30 days before expiry.
pub fn default_reminders() -> Vec<u16> {
    vec![30]
}

/// `expiry_reminders_days` as sent: 0 to 3 distinct integers 1-365, kept largest first.
fn reminders(p: &mut Problems, raw: &[i64]) -> Vec<u16> {
    if raw.len() > REMINDERS_MAX {
        p.add(
            "expiry_reminders_days",
            format!("must hold at most {REMINDERS_MAX} offsets"),
        );
    }
    let mut days = Vec::new();
    for (i, &day) in raw.iter().enumerate() {
        if !(1..=REMINDER_DAYS_MAX).contains(&day) {
            p.add(
                &format!("expiry_reminders_days[{i}]"),
                format!("must be between 1 and {REMINDER_DAYS_MAX} days"),
            );
        } else if days.contains(&(day as u16)) {
            p.add(&format!("expiry_reminders_days[{i}]"), "must not repeat an offset");
        } else {
            days.push(day as u16);
        }
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    days
}

/// The fields an admin sets on a certification, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationFields {
    pub name: String,
    pub description: String,
    pub issuer_name: String,
    pub validity: Option<Validity>,
    /// Days before a certificate's expiry its holder is reminded, largest first (SPEC
    /// 1.14); read when a reminder is due. Stored before reminders existed: the default.
    #[serde(default = "default_reminders")]
    pub expiry_reminders_days: Vec<u16>,
    /// The language of its certificates (SPEC 1.17); `None`: the workspace's.
    #[serde(default)]
    pub locale: Option<Locale>,
}

/// Body of `POST /certifications`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificationInput {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub issuer_name: Option<String>,
    pub validity: Option<ValidityInput>,
    #[serde(default, deserialize_with = "not_null")]
    pub expiry_reminders_days: Option<Vec<i64>>,
    /// A supported tag; absent or null: the workspace's.
    pub locale: Option<String>,
}

impl CertificationInput {
    pub fn parse(&self) -> Result<CertificationFields, Invalid> {
        let mut p = Problems::new();
        let name = p.required_text("name", self.name.as_deref(), NAME_MAX);
        let description = p.optional_text("description", self.description.as_deref(), DESCRIPTION_MAX, true);
        let issuer_name = p.optional_text("issuer_name", self.issuer_name.as_deref(), ISSUER_MAX, false);
        let validity = self.validity.as_ref().and_then(|v| v.parse(&mut p));
        let expiry_reminders_days = match &self.expiry_reminders_days {
            Some(raw) => reminders(&mut p, raw),
            None => default_reminders(),
        };
        let locale = p.optional_locale("locale", self.locale.as_deref());
        p.finish(|| CertificationFields {
            name,
            description,
            issuer_name,
            validity,
            expiry_reminders_days,
            locale,
        })
    }
}

/// Body of `PATCH /certifications/{id}`: absent fields stay; `validity: null` means
/// "never expires"; `null` for any other field is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificationPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub issuer_name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub validity: Option<Option<ValidityInput>>,
    #[serde(default, deserialize_with = "not_null")]
    pub expiry_reminders_days: Option<Vec<i64>>,
    /// A supported tag; `null` clears it (the workspace's again).
    #[serde(default, deserialize_with = "double_option")]
    pub locale: Option<Option<String>>,
}

impl CertificationPatch {
    /// The fields after this patch, or every problem with it.
    pub fn apply(&self, current: &CertificationFields) -> Result<CertificationFields, Invalid> {
        let mut p = Problems::new();
        let name = match &self.name {
            Some(name) => p.required_text("name", Some(name), NAME_MAX),
            None => current.name.clone(),
        };
        let description = match &self.description {
            Some(d) => p.optional_text("description", Some(d), DESCRIPTION_MAX, true),
            None => current.description.clone(),
        };
        let issuer_name = match &self.issuer_name {
            Some(i) => p.optional_text("issuer_name", Some(i), ISSUER_MAX, false),
            None => current.issuer_name.clone(),
        };
        let validity = match &self.validity {
            None => current.validity,
            Some(None) => None,
            Some(Some(v)) => v.parse(&mut p),
        };
        let expiry_reminders_days = match &self.expiry_reminders_days {
            Some(raw) => reminders(&mut p, raw),
            None => current.expiry_reminders_days.clone(),
        };
        let locale = match &self.locale {
            None => current.locale,
            Some(None) => None,
            Some(Some(raw)) => p.optional_locale("locale", Some(raw)),
        };
        p.finish(|| CertificationFields {
            name,
            description,
            issuer_name,
            validity,
            expiry_reminders_days,
            locale,
        })
    }
}

/// A stored certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certification {
    pub id: String,
    #[serde(flatten)]
    pub fields: CertificationFields,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
    /// Set when deleted: gone from lists, no longer linkable, certificates stay valid.
    pub archived_at: Option<DateTime<Utc>>,
}

impl Certification {
    /// A new certification from an admin's validated fields: version 1, not archived.
    pub fn create(id: String, fields: CertificationFields, now: DateTime<Utc>) -> Certification {
        Certification {
            id,
            fields,
            created_at: now,
            updated_at: now,
            version: 1,
            archived_at: None,
        }
    }

    pub fn is_archived(&self) -> bool {
        self.archived_at.is_some()
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, NaiveDate};
    use proptest::prelude::*;

    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn months(n: u32) -> Validity {
        Validity::new(n, ValidityUnit::Months).unwrap()
    }

    #[test]
    fn null_for_a_certification_text_is_refused_and_null_validity_never_expires() {
        for body in [
            r#"{"name": null}"#,
            r#"{"description": null}"#,
            r#"{"issuer_name": null}"#,
        ] {
            let refused = serde_json::from_str::<CertificationPatch>(body).unwrap_err();
            assert!(refused.to_string().starts_with("must not be null"), "{body}: {refused}");
        }
        let never: CertificationPatch = serde_json::from_str(r#"{"validity": null}"#).unwrap();
        assert_eq!(never.validity, Some(None));
    }

    #[test]
    fn one_month_after_january_31st_of_a_leap_year_is_february_29th() {
        assert_eq!(months(1).expires_on(date("2024-01-31")), date("2024-02-29"));
    }

    #[test]
    fn one_year_after_february_29th_is_february_28th() {
        let year = Validity::new(1, ValidityUnit::Years).unwrap();
        assert_eq!(year.expires_on(date("2024-02-29")), date("2025-02-28"));
    }

    #[test]
    fn one_month_after_january_31st_of_a_common_year_is_february_28th() {
        assert_eq!(months(1).expires_on(date("2025-01-31")), date("2025-02-28"));
    }

    #[test]
    fn days_are_added_across_month_and_year_ends() {
        let days = Validity::new(30, ValidityUnit::Days).unwrap();
        assert_eq!(days.expires_on(date("2026-12-15")), date("2027-01-14"));
    }

    #[test]
    fn no_validity_never_expires() {
        assert_eq!(expires_on(date("2026-11-28"), None), None);
    }

    #[test]
    fn validity_ranges_are_ten_years_in_every_unit() {
        assert!(Validity::new(3650, ValidityUnit::Days).is_ok());
        assert!(Validity::new(3651, ValidityUnit::Days).is_err());
        assert!(Validity::new(120, ValidityUnit::Months).is_ok());
        assert!(Validity::new(121, ValidityUnit::Months).is_err());
        assert!(Validity::new(10, ValidityUnit::Years).is_ok());
        assert!(Validity::new(11, ValidityUnit::Years).is_err());
        assert!(Validity::new(0, ValidityUnit::Days).is_err());
    }

    #[test]
    fn creating_reports_every_problem_at_once() {
        let input: CertificationInput = serde_json::from_str(
            r#"{"name": "  ", "issuer_name": "x\u0007", "validity": {"count": 0, "unit": "weeks"}}"#,
        )
        .unwrap();
        let err = input.parse().unwrap_err();
        assert_eq!(err.fields(), ["name", "issuer_name", "validity.unit"]);
        let input: CertificationInput =
            serde_json::from_str(r#"{"name": "A", "validity": {"count": 121, "unit": "months"}}"#).unwrap();
        assert_eq!(input.parse().unwrap_err().fields(), ["validity.count"]);
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = serde_json::from_str::<CertificationInput>(r#"{"name": "A", "colour": "red"}"#);
        assert!(err.unwrap_err().to_string().contains("unknown field `colour`"));
    }

    #[test]
    fn a_valid_certification_is_trimmed() {
        let input: CertificationInput =
            serde_json::from_str(r#"{"name": " Leadership Essentials ", "validity": {"count": 2, "unit": "years"}}"#)
                .unwrap();
        let fields = input.parse().unwrap();
        assert_eq!(fields.name, "Leadership Essentials");
        assert_eq!(fields.validity, Some(Validity::new(2, ValidityUnit::Years).unwrap()));
    }

    #[test]
    fn a_patch_keeps_absent_fields_and_clears_validity_with_null() {
        let current = CertificationFields {
            name: "Old".into(),
            description: "d".into(),
            issuer_name: "i".into(),
            validity: Some(months(6)),
            expiry_reminders_days: vec![30],
            locale: None,
        };
        let patch: CertificationPatch = serde_json::from_str(r#"{"name": "New"}"#).unwrap();
        let next = patch.apply(&current).unwrap();
        assert_eq!((next.name.as_str(), next.validity), ("New", Some(months(6))));
        let patch: CertificationPatch = serde_json::from_str(r#"{"validity": null}"#).unwrap();
        assert_eq!(patch.apply(&current).unwrap().validity, None);
        let patch: CertificationPatch = serde_json::from_str(r#"{"name": ""}"#).unwrap();
        assert_eq!(patch.apply(&current).unwrap_err().fields(), ["name"]);
    }

    #[test]
    fn a_certifications_locale_is_a_supported_tag_or_none_and_a_patch_null_clears_it() {
        let create = |body: &str| serde_json::from_str::<CertificationInput>(body).unwrap().parse();
        assert_eq!(create(r#"{"name": "L"}"#).unwrap().locale, None);
        assert_eq!(create(r#"{"name": "L", "locale": null}"#).unwrap().locale, None);
        assert_eq!(
            create(r#"{"name": "L", "locale": "ar"}"#).unwrap().locale,
            Some(Locale::Ar)
        );
        let refused = create(r#"{"name": "", "locale": "xx"}"#).unwrap_err();
        assert_eq!(refused.fields(), ["name", "locale"]);
        assert!(refused.0[1].problem.starts_with("unsupported_locale"), "{refused}");

        let current = create(r#"{"name": "L", "locale": "de"}"#).unwrap();
        let patch = |body: &str| {
            serde_json::from_str::<CertificationPatch>(body)
                .unwrap()
                .apply(&current)
        };
        assert_eq!(patch(r#"{"name": "M"}"#).unwrap().locale, Some(Locale::De));
        assert_eq!(patch(r#"{"locale": "ja"}"#).unwrap().locale, Some(Locale::Ja));
        assert_eq!(patch(r#"{"locale": null}"#).unwrap().locale, None);
        assert_eq!(patch(r#"{"locale": "en-US"}"#).unwrap_err().fields(), ["locale"]);
        // Stored before locales existed: the workspace's.
        let stored = serde_json::json!({
            "name": "L", "description": "", "issuer_name": "", "validity": null,
        });
        let old: CertificationFields = serde_json::from_value(stored).unwrap();
        assert_eq!(old.locale, None);
    }

    #[test]
    fn a_created_certification_is_at_version_one_unarchived_and_stamped_now() {
        let fields = CertificationFields {
            name: "Leadership Essentials".into(),
            description: "d".into(),
            issuer_name: "Exec".into(),
            validity: Some(months(6)),
            expiry_reminders_days: vec![30],
            locale: None,
        };
        let now: DateTime<Utc> = "2026-10-01T09:30:00Z".parse().unwrap();
        let c = Certification::create("c1".into(), fields.clone(), now);
        assert_eq!((c.id.as_str(), &c.fields), ("c1", &fields));
        assert_eq!((c.version, c.archived_at, c.is_archived()), (1, None, false));
        assert_eq!((c.created_at, c.updated_at), (now, now));
    }

    #[test]
    fn reminder_offsets_are_up_to_three_distinct_days_of_a_year_largest_first() {
        let create = |days: serde_json::Value| {
            serde_json::from_value::<CertificationInput>(
                serde_json::json!({"name": "L", "expiry_reminders_days": days}),
            )
            .map(|input| input.parse())
        };
        assert_eq!(
            create(serde_json::json!([7, 30]))
                .unwrap()
                .unwrap()
                .expiry_reminders_days,
            [30, 7]
        );
        assert!(create(serde_json::json!([]))
            .unwrap()
            .unwrap()
            .expiry_reminders_days
            .is_empty());
        let input: CertificationInput = serde_json::from_value(serde_json::json!({"name": "L"})).unwrap();
        assert_eq!(input.parse().unwrap().expiry_reminders_days, [30], "the default");
        let refused = |days: serde_json::Value| -> Vec<String> {
            let invalid = create(days).unwrap().unwrap_err();
            invalid.fields().iter().map(|f| f.to_string()).collect()
        };
        assert_eq!(refused(serde_json::json!([1, 2, 3, 4])), ["expiry_reminders_days"]);
        assert_eq!(
            refused(serde_json::json!([0, 366])),
            ["expiry_reminders_days[0]", "expiry_reminders_days[1]"]
        );
        assert_eq!(refused(serde_json::json!([30, 30])), ["expiry_reminders_days[1]"]);
        assert!(create(serde_json::json!(null)).is_err(), "null is refused");
        assert!(create(serde_json::json!([1.5])).is_err());

        let current = CertificationInput {
            name: Some("L".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let patch: CertificationPatch =
            serde_json::from_value(serde_json::json!({"expiry_reminders_days": [60, 7]})).unwrap();
        assert_eq!(patch.apply(&current).unwrap().expiry_reminders_days, [60, 7]);
        let untouched: CertificationPatch = serde_json::from_value(serde_json::json!({"name": "M"})).unwrap();
        assert_eq!(untouched.apply(&current).unwrap().expiry_reminders_days, [30]);
        let stored_before: CertificationFields = serde_json::from_value(
            serde_json::json!({"name": "L", "description": "", "issuer_name": "", "validity": null}),
        )
        .unwrap();
        assert_eq!(
            stored_before.expiry_reminders_days,
            [30],
            "stored before reminders existed"
        );
    }

    proptest! {
        #[test]
        fn expiry_never_precedes_issue(days in 0i64..60_000, count in 1u32..=3650, unit in 0usize..3) {
            let unit = [ValidityUnit::Days, ValidityUnit::Months, ValidityUnit::Years][unit];
            let count = count.min(unit.max_count());
            let issued = date("1990-01-01") + Duration::days(days);
            let expires = Validity::new(count, unit).unwrap().expires_on(issued);
            prop_assert!(expires > issued);
        }
    }

    #[test]
    fn a_new_certifications_optional_fields_may_be_left_out_but_never_null() {
        assert!(serde_json::from_str::<CertificationInput>(r#"{"name": "Leadership"}"#).is_ok());
        for field in ["description", "issuer_name", "expiry_reminders_days"] {
            let body = format!(r#"{{"name": "Leadership", "{field}": null}}"#);
            assert!(
                serde_json::from_str::<CertificationInput>(&body).is_err(),
                "{field}: null was taken"
            );
        }
    }
}
