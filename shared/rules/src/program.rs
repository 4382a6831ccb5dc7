//! Programs (SPEC 1.3): their state, the fields an admin sets and the checks on them,
//! and what a program holds:
//!
//! - [`component`]: its components, their kinds and which of them count.
//! - [`participant`]: its participants as enrolled, one or a batch, and their bounds.
//! - [`progress`]: a participant's progress on a component, and extensions.
//! - [`schedule`]: when it ends: which programs are due for the sweep, and the end date.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{double_option, not_null, Invalid, Problems};

pub mod component;
pub mod participant;
pub mod progress;
pub mod schedule;

/// A program's name, in characters.
pub const NAME_MAX: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgramState {
    Active,
    Ending,
    Ended,
}

impl ProgramState {
    /// `ending` or `ended`: the program is over and its roster is frozen.
    pub fn is_over(self) -> bool {
        !matches!(self, ProgramState::Active)
    }
}

/// A stored program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Program {
    pub id: String,
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub certification_id: Option<String>,
    pub state: ProgramState,
    pub ended_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl Program {
    /// A new program from an admin's validated fields: active, not ended, version 1.
    pub fn create(id: String, fields: ProgramFields, now: DateTime<Utc>) -> Program {
        Program {
            id,
            name: fields.name,
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            certification_id: fields.certification_id,
            state: ProgramState::Active,
            ended_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// When it ends or ended: `ended_at` once recorded, else `ends_at`.
    pub fn end_time(&self) -> DateTime<Utc> {
        self.ended_at.unwrap_or(self.ends_at)
    }
}

/// A program as the certificates, rows and history entries name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramRef {
    pub id: String,
    pub name: String,
}

/// The fields an admin sets on a program, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramFields {
    pub name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub certification_id: Option<String>,
}

/// Body of `POST /programs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub certification_id: Option<String>,
}

impl ProgramInput {
    pub fn parse(&self) -> Result<ProgramFields, Invalid> {
        let mut p = Problems::new();
        let name = p.required_text("name", self.name.as_deref(), NAME_MAX);
        match self.starts_at {
            None => p.add("starts_at", "is required"),
            Some(starts_at) => p.check_time("starts_at", starts_at),
        }
        match self.ends_at {
            None => p.add("ends_at", "is required"),
            Some(ends_at) => p.check_time("ends_at", ends_at),
        }
        let certification_id = self.certification_id.as_deref().map(|id| {
            let id = id.trim();
            if id.is_empty() {
                p.add("certification_id", "must not be empty (omit it or send null)");
            }
            id.to_string()
        });
        match (self.starts_at, self.ends_at) {
            (Some(starts_at), Some(ends_at)) => {
                check_dates(&mut p, starts_at, ends_at);
                p.finish(|| ProgramFields {
                    name,
                    starts_at,
                    ends_at,
                    certification_id,
                })
            }
            _ => Err(p.finish(|| ()).expect_err("a missing date was reported")),
        }
    }
}

fn check_dates(p: &mut Problems, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) {
    if ends_at <= starts_at {
        p.add("ends_at", "must be later than starts_at");
    }
}

/// Body of `PATCH /programs/{id}`: absent fields stay; `certification_id: null` unlinks;
/// `null` for any other field is refused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "not_null")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "double_option")]
    pub certification_id: Option<Option<String>>,
}

impl ProgramPatch {
    pub fn apply(&self, current: &Program) -> Result<ProgramFields, Invalid> {
        let mut p = Problems::new();
        let name = match &self.name {
            Some(name) => p.required_text("name", Some(name), NAME_MAX),
            None => current.name.clone(),
        };
        p.check_time_opt("starts_at", self.starts_at);
        p.check_time_opt("ends_at", self.ends_at);
        let starts_at = self.starts_at.unwrap_or(current.starts_at);
        let ends_at = self.ends_at.unwrap_or(current.ends_at);
        check_dates(&mut p, starts_at, ends_at);
        let certification_id = match &self.certification_id {
            None => current.certification_id.clone(),
            Some(None) => None,
            Some(Some(id)) if id.trim().is_empty() => {
                p.add("certification_id", "must not be empty (send null to unlink)");
                None
            }
            Some(Some(id)) => Some(id.trim().to_string()),
        };
        p.finish(|| ProgramFields {
            name,
            starts_at,
            ends_at,
            certification_id,
        })
    }

    /// Whether applying this patch changes the linked certification.
    pub fn changes_link(&self, current: &Program) -> bool {
        match &self.certification_id {
            None => false,
            Some(next) => next.as_deref().map(str::trim) != current.certification_id.as_deref(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::at;

    #[test]
    fn program_must_end_after_it_starts() {
        let input = ProgramInput {
            name: Some("Spring".into()),
            starts_at: Some(at("2026-12-01T00:00:00Z")),
            ends_at: Some(at("2026-12-01T00:00:00Z")),
            certification_id: None,
        };
        assert_eq!(input.parse().unwrap_err().fields(), ["ends_at"]);
        let missing = ProgramInput::default().parse().unwrap_err();
        assert_eq!(missing.fields(), ["name", "starts_at", "ends_at"]);
    }

    #[test]
    fn program_patch_null_unlinks_and_reports_link_changes() {
        let program = Program {
            id: "p".into(),
            name: "P".into(),
            starts_at: at("2026-01-01T00:00:00Z"),
            ends_at: at("2026-02-01T00:00:00Z"),
            certification_id: Some("c1".into()),
            state: ProgramState::Active,
            ended_at: None,
            created_at: at("2026-01-01T00:00:00Z"),
            updated_at: at("2026-01-01T00:00:00Z"),
            version: 1,
        };
        let unlink: ProgramPatch = serde_json::from_str(r#"{"certification_id": null}"#).unwrap();
        assert!(unlink.changes_link(&program));
        assert_eq!(unlink.apply(&program).unwrap().certification_id, None);
        let rename: ProgramPatch = serde_json::from_str(r#"{"name": "Q"}"#).unwrap();
        assert!(!rename.changes_link(&program));
        let bad: ProgramPatch = serde_json::from_str(r#"{"ends_at": "2025-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(bad.apply(&program).unwrap_err().fields(), ["ends_at"]);
    }

    #[test]
    fn program_dates_outside_1970_to_9999_are_refused_on_create_and_patch() {
        let input = ProgramInput {
            name: Some("Spring".into()),
            starts_at: Some(at("1969-12-31T00:00:00Z")),
            ends_at: Some(at("+10000-01-01T00:00:00Z")),
            certification_id: None,
        };
        assert_eq!(input.parse().unwrap_err().fields(), ["starts_at", "ends_at"]);
        let program = Program::create("p1".into(), fields(), at("2026-10-01T00:00:00Z"));
        let far: ProgramPatch = serde_json::from_str(r#"{"ends_at": "+10000-01-01T00:00:00Z"}"#).unwrap();
        assert_eq!(far.apply(&program).unwrap_err().fields(), ["ends_at"]);
    }

    #[test]
    fn null_for_a_program_field_other_than_its_link_is_refused() {
        for body in [r#"{"name": null}"#, r#"{"starts_at": null}"#, r#"{"ends_at": null}"#] {
            let refused = serde_json::from_str::<ProgramPatch>(body).unwrap_err();
            assert!(refused.to_string().starts_with("must not be null"), "{body}: {refused}");
        }
    }

    fn fields() -> ProgramFields {
        ProgramFields {
            name: "Spring".into(),
            starts_at: at("2026-11-01T00:00:00Z"),
            ends_at: at("2026-12-20T00:00:00Z"),
            certification_id: Some("c1".into()),
        }
    }

    #[test]
    fn a_created_program_is_active_at_version_one_and_stamped_now() {
        let now = at("2026-10-01T09:30:00Z");
        let p = Program::create("p1".into(), fields(), now);
        assert_eq!(
            (p.id.as_str(), p.name.as_str(), p.certification_id.as_deref()),
            ("p1", "Spring", Some("c1"))
        );
        assert_eq!((p.starts_at, p.ends_at), (fields().starts_at, fields().ends_at));
        assert_eq!((p.state, p.ended_at, p.version), (ProgramState::Active, None, 1));
        assert_eq!((p.created_at, p.updated_at), (now, now));
    }

    #[test]
    fn a_program_ends_at_its_end_time_unless_it_ended_at_another() {
        let mut p = Program::create("p1".into(), fields(), at("2026-10-01T00:00:00Z"));
        assert_eq!(p.end_time(), at("2026-12-20T00:00:00Z"));
        p.ended_at = Some(at("2026-12-10T08:00:00Z"));
        assert_eq!(p.end_time(), at("2026-12-10T08:00:00Z"));
    }
}
