//! Field-level validation problems, collected so that every problem is reported at once,
//! and the bounds every input obeys (SPEC 1.1): timestamps within 1970-01-01 to
//! 9999-12-31, identity values of one character set, and `null` only where it means
//! something.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::identity::check_identity;

mod hostile;

use crate::locale::{Locale, UNSUPPORTED_LOCALE};
use hostile::hostile;

/// The earliest timestamp a request may carry.
pub const TIME_MIN: DateTime<Utc> = DateTime::<Utc>::UNIX_EPOCH;

/// The latest timestamp a request may carry: the last instant of 9999-12-31. Every
/// accepted timestamp has a four-digit year, so its RFC 3339 text is fixed-width and
/// sorts as text exactly as it sorts in time (index keys rely on it).
pub const TIME_MAX: DateTime<Utc> = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(day) => match day.and_hms_nano_opt(23, 59, 59, 999_999_999) {
        Some(last) => last.and_utc(),
        None => panic!("23:59:59.999999999 is a time of day"),
    },
    None => panic!("9999-12-31 is a date"),
};

/// One problem with one input field, as listed in an error's `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub problem: String,
}

/// Input refused: every problem found, never only the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid input ({} problem(s), first: {}: {})", .0.len(), .0[0].field, .0[0].problem)]
pub struct Invalid(pub Vec<FieldError>);

impl Invalid {
    pub fn one(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Invalid(vec![FieldError {
            field: field.into(),
            problem: problem.into(),
        }])
    }

    /// The fields named, in order; handy in tests and logs.
    pub fn fields(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.field.as_str()).collect()
    }
}

/// Collects problems while an input is parsed.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    list: Vec<FieldError>,
    prefix: String,
}

impl Problems {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Problems whose field names start with `prefix` (e.g. `participants[3].`).
    pub(crate) fn prefixed(prefix: impl Into<String>) -> Self {
        Problems {
            list: Vec::new(),
            prefix: prefix.into(),
        }
    }

    pub(crate) fn add(&mut self, field: &str, problem: impl Into<String>) {
        self.list.push(FieldError {
            field: format!("{}{}", self.prefix, field),
            problem: problem.into(),
        });
    }

    pub(crate) fn extend(&mut self, other: Invalid) {
        self.list.extend(other.0);
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// `Ok(value)` when no problem was found.
    pub(crate) fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Invalid> {
        if self.list.is_empty() {
            Ok(value())
        } else {
            Err(Invalid(self.list))
        }
    }

    /// A required single-line text: at most `max` characters as sent, not blank, trimmed.
    pub(crate) fn required_text(&mut self, field: &str, raw: Option<&str>, max: usize) -> String {
        match raw {
            None => {
                self.add(field, "is required");
                String::new()
            }
            Some(raw) => {
                let text = raw.trim();
                if text.is_empty() {
                    self.add(field, "must not be empty");
                }
                self.check_text(field, raw, text, max, false);
                text.to_string()
            }
        }
    }

    /// An optional text: at most `max` characters as sent, trimmed; `multiline` allows line
    /// breaks and tabs.
    pub(crate) fn optional_text(&mut self, field: &str, raw: Option<&str>, max: usize, multiline: bool) -> String {
        let raw = raw.unwrap_or("");
        let text = raw.trim();
        self.check_text(field, raw, text, max, multiline);
        text.to_string()
    }

    /// An optional locale tag (SPEC 1.17): `None` when absent or null; an unsupported tag
    /// is a problem starting with `unsupported_locale`.
    pub(crate) fn optional_locale(&mut self, field: &str, raw: Option<&str>) -> Option<Locale> {
        let raw = raw?;
        match locale_field(field, raw) {
            Ok(locale) => Some(locale),
            Err(e) => {
                self.add(field, e.problem);
                None
            }
        }
    }

    /// A timestamp within [`TIME_MIN`]..=[`TIME_MAX`].
    pub(crate) fn check_time(&mut self, field: &str, time: DateTime<Utc>) {
        if !(TIME_MIN..=TIME_MAX).contains(&time) {
            self.add(field, "must lie between 1970-01-01 and 9999-12-31");
        }
    }

    /// [`Problems::check_time`] on a timestamp that may be absent.
    pub(crate) fn check_time_opt(&mut self, field: &str, time: Option<DateTime<Utc>>) {
        if let Some(time) = time {
            self.check_time(field, time);
        }
    }

    /// A required user id, obeying [`check_identity`] as given (never trimmed: it must
    /// match the token's `sub` exactly).
    pub(crate) fn user_id(&mut self, field: &str, raw: Option<&str>) -> String {
        match raw {
            None => self.add(field, "is required"),
            Some(raw) => {
                if let Err(problem) = check_identity(raw) {
                    self.add(field, problem);
                }
            }
        }
        raw.unwrap_or_default().to_string()
    }

    /// `max` bounds the text as sent (`raw`), as the OpenAPI document's `maxLength` does;
    /// control characters are looked for in what is kept (`text`, trimmed).
    fn check_text(&mut self, field: &str, raw: &str, text: &str, max: usize, multiline: bool) {
        let count = raw.chars().count();
        if count > max {
            self.add(field, format!("must be at most {max} characters (got {count})"));
        }
        let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
        if text.chars().any(|c| c.is_control() && !allowed(c)) {
            self.add(field, "must not contain control characters");
        }
        if let Some(problem) = hostile(text) {
            self.add(field, problem);
        }
    }
}

/// The locale a request's `field` names by its tag `raw`, or the problem that refuses it:
/// it starts with [`UNSUPPORTED_LOCALE`] and lists the supported tags.
pub fn locale_field(field: &str, raw: &str) -> Result<Locale, FieldError> {
    Locale::parse(raw).ok_or_else(|| {
        let tags: Vec<_> = Locale::ALL.iter().map(|l| l.tag()).collect();
        FieldError {
            field: field.to_string(),
            problem: format!(
                "{UNSUPPORTED_LOCALE}: {raw:?} is not a supported locale (supported: {})",
                tags.join(", ")
            ),
        }
    })
}

/// The option named `raw` (the `default` when absent), one of `options`; another name is
/// a problem that lists the names allowed.
pub(crate) fn one_of<T: Copy>(
    p: &mut Problems,
    field: &str,
    raw: Option<&str>,
    options: &[(&str, T)],
    default: T,
) -> T {
    let Some(raw) = raw else { return default };
    match options.iter().find(|(name, _)| *name == raw) {
        Some((_, value)) => *value,
        None => {
            let names: Vec<_> = options.iter().map(|(n, _)| *n).collect();
            p.add(field, format!("must be one of {}", names.join(", ")));
            default
        }
    }
}

/// Deserializes a field that may be absent (`None`), `null` (`Some(None)`) or a value, for
/// PATCH bodies where `null` means "clear".
pub(crate) fn double_option<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Deserializes a field that may be absent (`None`) but never `null`: for fields that
/// cannot be null (a PATCH's name, say), where `null` would otherwise read as "absent"
/// and be ignored without a word. The error names the field (SPEC 2).
pub(crate) fn not_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(
            "must not be null (omit it to leave it as it is)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use chrono::SecondsFormat;
    use proptest::prelude::*;

    use super::*;
    use crate::fixtures::{at, component};
    use crate::program::component::{Component, ComponentInput, ComponentKind};
    use crate::program::progress::ExtensionInput;
    use crate::program::ProgramInput;

    #[test]
    fn required_text_is_trimmed_and_bounded() {
        let mut p = Problems::new();
        assert_eq!(p.required_text("name", Some("  Ana  "), 200), "Ana");
        assert!(p.is_empty());
        p.required_text("name", Some("   "), 200);
        p.required_text("title", None, 200);
        p.required_text("long", Some(&"é".repeat(201)), 200);
        let err = p.finish(|| ()).unwrap_err();
        assert_eq!(err.fields(), ["name", "title", "long"]);
        assert_eq!(err.0[2].problem, "must be at most 200 characters (got 201)");
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut p = Problems::new();
        p.required_text("name", Some(&"Ж".repeat(200)), 200);
        assert!(p.is_empty());
    }

    #[test]
    fn lengths_count_the_text_as_sent_as_the_documents_max_length_does() {
        let mut p = Problems::new();
        p.required_text("name", Some(&format!("  {}", "a".repeat(199))), 200);
        let err = p.finish(|| ()).unwrap_err();
        assert_eq!(err.0[0].problem, "must be at most 200 characters (got 201)");
    }

    #[test]
    fn single_line_text_refuses_control_characters_but_descriptions_keep_newlines() {
        let mut p = Problems::new();
        p.required_text("name", Some("Ana\nÁvila"), 200);
        assert_eq!(
            p.finish(|| ()).unwrap_err().0[0].problem,
            "must not contain control characters"
        );
        let mut p = Problems::new();
        p.optional_text("description", Some("line one\nline two"), 4000, true);
        assert!(p.is_empty());
    }

    #[test]
    fn an_unsupported_tag_names_the_field_and_the_supported_tags() {
        assert_eq!(locale_field("locale", "PT-br"), Ok(Locale::PtBr));
        let err = locale_field("participants[2].locale", "pt_BR").unwrap_err();
        assert_eq!(err.field, "participants[2].locale");
        assert_eq!(
            err.problem,
            "unsupported_locale: \"pt_BR\" is not a supported locale (supported: en, es, fr, de, pt-BR, it, nl, pl, tr, ja, ko, zh-Hans, ar, he, hi)"
        );
    }

    #[test]
    fn timestamps_are_bounded_to_four_digit_years_from_1970() {
        let mut p = Problems::new();
        for good in [
            "1970-01-01T00:00:00Z",
            "2026-11-28T19:00:00Z",
            "9999-12-31T23:59:59.999Z",
        ] {
            p.check_time("at", at(good));
        }
        assert!(p.is_empty());
        for bad in [
            "1969-12-31T23:59:59Z",
            "+10000-01-01T00:00:00Z",
            "-0001-01-01T00:00:00Z",
        ] {
            p.check_time("at", at(bad));
        }
        let err = p.finish(|| ()).unwrap_err();
        assert_eq!(err.fields(), ["at", "at", "at"]);
        assert_eq!(err.0[0].problem, "must lie between 1970-01-01 and 9999-12-31");
        assert_eq!(TIME_MAX.to_rfc3339(), "9999-12-31T23:59:59.999999999+00:00");
    }

    #[test]
    fn a_user_id_is_required_and_checked_as_given() {
        let mut p = Problems::new();
        assert_eq!(p.user_id("user_id", Some("u-ana")), "u-ana");
        assert!(p.is_empty());
        p.user_id("user_id", None);
        p.user_id("user_id", Some(" u-ana"));
        p.user_id("user_id", Some("u#1"));
        assert_eq!(p.finish(|| ()).unwrap_err().fields(), ["user_id"; 3]);
    }

    #[test]
    fn null_is_refused_where_it_means_nothing_and_absence_is_none() {
        #[derive(Deserialize, Debug)]
        struct Patch {
            #[serde(default, deserialize_with = "not_null")]
            name: Option<String>,
        }
        assert_eq!(serde_json::from_str::<Patch>("{}").unwrap().name, None);
        assert_eq!(
            serde_json::from_str::<Patch>(r#"{"name": "A"}"#)
                .unwrap()
                .name
                .as_deref(),
            Some("A")
        );
        let refused = serde_json::from_str::<Patch>(r#"{"name": null}"#).unwrap_err();
        assert!(refused.to_string().starts_with("must not be null"), "{refused}");
    }

    /// Any instant chrono holds, with the bounds and 1970 sampled closely.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        let secs = prop_oneof![
            -8_000_000_000_000i64..8_000_000_000_000,
            -100_000i64..100_000,
            253_402_200_000i64..253_402_400_000,
        ];
        (secs, 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).expect("within chrono's range"))
    }

    /// The timestamps among `a` and `b` that some parser accepts, each arriving as JSON
    /// text the way a request carries it.
    fn accepted(a: DateTime<Utc>, b: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        let text = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let (a_text, b_text) = (text(a), text(b));
        let mut times = Vec::new();
        let program = format!(r#"{{"name": "P", "starts_at": "{a_text}", "ends_at": "{b_text}"}}"#);
        if let Ok(input) = serde_json::from_str::<ProgramInput>(&program) {
            if let Ok(fields) = input.parse() {
                times.extend([fields.starts_at, fields.ends_at]);
            }
        }
        let window = format!(r#"{{"title": "T", "kind": "lesson", "starts_at": "{a_text}", "ends_at": "{b_text}"}}"#);
        if let Ok(input) = serde_json::from_str::<ComponentInput>(&window) {
            if let Ok(fields) = input.parse(None) {
                times.extend(fields.starts_at.into_iter().chain(fields.ends_at));
            }
        }
        let due = Component {
            ends_at: Some(a),
            ..component(ComponentKind::Lesson, false)
        };
        if let Ok(input) = serde_json::from_str::<ExtensionInput>(&format!(r#"{{"due_at": "{b_text}"}}"#)) {
            times.extend(input.parse(&due));
        }
        times
    }

    proptest! {
        /// Every accepted timestamp lies within the bounds, and its RFC 3339 text at
        /// seconds precision (as index keys write it) is fixed-width, so it sorts as
        /// text exactly as it sorts in time.
        #[test]
        fn every_accepted_timestamp_is_bounded_and_sorts_as_text_as_in_time(a in instant(), b in instant()) {
            let times = accepted(a, b);
            let key = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
            for t in &times {
                prop_assert!((TIME_MIN..=TIME_MAX).contains(t), "{t}");
                prop_assert_eq!(key(t).len(), "1970-01-01T00:00:00Z".len(), "{}", key(t));
            }
            for x in &times {
                for y in &times {
                    if x < y {
                        prop_assert!(key(x) <= key(y), "{} after {}", key(x), key(y));
                    }
                    if key(x) < key(y) {
                        prop_assert!(x < y);
                    }
                }
            }
        }
    }
}
