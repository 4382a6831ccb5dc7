//! Field-level validation problems, collected so that every problem is reported at once.

use serde::{Deserialize, Serialize};

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

    /// A required single-line text: trimmed, 1..=max characters.
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
                self.check_text(field, text, max, false);
                text.to_string()
            }
        }
    }

    /// An optional text: trimmed, 0..=max characters; `multiline` allows line breaks and tabs.
    pub(crate) fn optional_text(&mut self, field: &str, raw: Option<&str>, max: usize, multiline: bool) -> String {
        let text = raw.unwrap_or("").trim();
        self.check_text(field, text, max, multiline);
        text.to_string()
    }

    fn check_text(&mut self, field: &str, text: &str, max: usize, multiline: bool) {
        let count = text.chars().count();
        if count > max {
            self.add(field, format!("must be at most {max} characters (got {count})"));
        }
        let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
        if text.chars().any(|c| c.is_control() && !allowed(c)) {
            self.add(field, "must not contain control characters");
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
