//! A participant's progress on a component and the extensions of its due time
//! (SPEC 1.3).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{Invalid, Problems};
use crate::program::component::Component;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    #[default]
    NotStarted,
    InProgress,
    Completed,
    DidNotFinish,
    DidNotPass,
    NoResponse,
    Missed,
}

impl ProgressStatus {
    pub const ALL: [ProgressStatus; 7] = [
        ProgressStatus::NotStarted,
        ProgressStatus::InProgress,
        ProgressStatus::Completed,
        ProgressStatus::DidNotFinish,
        ProgressStatus::DidNotPass,
        ProgressStatus::NoResponse,
        ProgressStatus::Missed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgressStatus::NotStarted => "not_started",
            ProgressStatus::InProgress => "in_progress",
            ProgressStatus::Completed => "completed",
            ProgressStatus::DidNotFinish => "did_not_finish",
            ProgressStatus::DidNotPass => "did_not_pass",
            ProgressStatus::NoResponse => "no_response",
            ProgressStatus::Missed => "missed",
        }
    }

    /// `did_not_finish`, `did_not_pass`, `no_response` and `missed`.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            ProgressStatus::DidNotFinish
                | ProgressStatus::DidNotPass
                | ProgressStatus::NoResponse
                | ProgressStatus::Missed
        )
    }
}

impl FromStr for ProgressStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        ProgressStatus::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// Body of `PUT .../progress/{cid}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressInput {
    pub status: Option<String>,
}

impl ProgressInput {
    pub fn parse(&self) -> Result<ProgressStatus, Invalid> {
        let raw = self
            .status
            .as_deref()
            .ok_or_else(|| Invalid::one("status", "is required"))?;
        raw.parse().map_err(|()| {
            let all: Vec<_> = ProgressStatus::ALL.iter().map(|s| s.as_str()).collect();
            Invalid::one("status", format!("must be one of {}", all.join(", ")))
        })
    }
}

/// Body of `PUT .../extensions/{cid}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    pub due_at: Option<DateTime<Utc>>,
}

impl ExtensionInput {
    /// An extension must move the component's due time later, to no later than
    /// 9999-12-31; a component without a due time is never past due and has nothing to
    /// extend.
    pub fn parse(&self, component: &Component) -> Result<DateTime<Utc>, Invalid> {
        let due_at = self.due_at.ok_or_else(|| Invalid::one("due_at", "is required"))?;
        let mut p = Problems::new();
        p.check_time("due_at", due_at);
        p.finish(|| ())?;
        match component.ends_at {
            None => Err(Invalid::one("due_at", "the component has no due time to extend")),
            Some(ends_at) if due_at <= ends_at => Err(Invalid::one(
                "due_at",
                format!("must be later than the component's due time ({})", ends_at.to_rfc3339()),
            )),
            Some(_) => Ok(due_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{at, component};
    use crate::program::component::ComponentKind;

    #[test]
    fn an_extension_must_be_later_than_the_due_time() {
        let c = component(ComponentKind::Lesson, false);
        let early = ExtensionInput {
            due_at: Some(at("2026-11-30T00:00:00Z")),
        };
        assert_eq!(early.parse(&c).unwrap_err().fields(), ["due_at"]);
        let later = ExtensionInput {
            due_at: Some(at("2026-12-05T00:00:00Z")),
        };
        assert_eq!(later.parse(&c).unwrap(), at("2026-12-05T00:00:00Z"));
        let no_due = Component { ends_at: None, ..c };
        assert!(later.parse(&no_due).is_err());
    }

    #[test]
    fn an_extension_past_9999_is_refused() {
        let c = component(ComponentKind::Lesson, false);
        let far: ExtensionInput = serde_json::from_str(r#"{"due_at": "+10000-01-01T00:00:00Z"}"#).unwrap();
        let refused = far.parse(&c).unwrap_err();
        assert_eq!(
            (refused.fields(), refused.0[0].problem.as_str()),
            (vec!["due_at"], "must lie between 1970-01-01 and 9999-12-31")
        );
    }

    #[test]
    fn progress_status_names_round_trip_and_unknown_ones_are_refused() {
        for s in ProgressStatus::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(s.as_str().parse::<ProgressStatus>(), Ok(s));
        }
        let bad = ProgressInput {
            status: Some("done".into()),
        };
        assert_eq!(bad.parse().unwrap_err().fields(), ["status"]);
    }
}
