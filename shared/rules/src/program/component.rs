//! A program's components (SPEC 1.3): their kinds, which of them count towards
//! certification, and the fields an admin sets on them. A position is 0-10000 (SPEC
//! 1.1), so no position arithmetic can overflow.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{double_option, not_null, Invalid, Problems};

pub const TITLE_MAX: usize = 200;
/// The highest display position a component may take; the lowest is 0.
pub const POSITION_MAX: i64 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComponentKind {
    Announcement,
    GroupMeeting,
    CoachingIntro,
    CoachingSession,
    Lesson,
    Assignment,
    Survey,
    Reflection,
    LiveEvent,
    Other,
}

impl ComponentKind {
    pub const ALL: [ComponentKind; 10] = [
        ComponentKind::Announcement,
        ComponentKind::GroupMeeting,
        ComponentKind::CoachingIntro,
        ComponentKind::CoachingSession,
        ComponentKind::Lesson,
        ComponentKind::Assignment,
        ComponentKind::Survey,
        ComponentKind::Reflection,
        ComponentKind::LiveEvent,
        ComponentKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Announcement => "announcement",
            ComponentKind::GroupMeeting => "group_meeting",
            ComponentKind::CoachingIntro => "coaching_intro",
            ComponentKind::CoachingSession => "coaching_session",
            ComponentKind::Lesson => "lesson",
            ComponentKind::Assignment => "assignment",
            ComponentKind::Survey => "survey",
            ComponentKind::Reflection => "reflection",
            ComponentKind::LiveEvent => "live_event",
            ComponentKind::Other => "other",
        }
    }

    /// Whether a required component of this kind can decide certification.
    pub fn can_count(self) -> bool {
        !matches!(
            self,
            ComponentKind::Announcement | ComponentKind::GroupMeeting | ComponentKind::CoachingIntro
        )
    }
}

impl FromStr for ComponentKind {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        ComponentKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// A stored component of a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    pub id: String,
    pub title: String,
    pub kind: ComponentKind,
    pub optional: bool,
    pub starts_at: Option<DateTime<Utc>>,
    /// Its due time; `None` is never past due.
    pub ends_at: Option<DateTime<Utc>>,
    pub position: i64,
}

impl Component {
    pub fn new(id: String, fields: ComponentFields) -> Component {
        Component {
            id,
            title: fields.title,
            kind: fields.kind,
            optional: fields.optional,
            starts_at: fields.starts_at,
            ends_at: fields.ends_at,
            position: fields.position,
        }
    }

    /// A counted component decides certification: required, and not an announcement,
    /// group meeting or coaching intro.
    pub fn is_counted(&self) -> bool {
        !self.optional && self.kind.can_count()
    }

    /// Everything but announcements shows in the in-program grid.
    pub fn in_grid(&self) -> bool {
        self.kind != ComponentKind::Announcement
    }
}

/// The fields an admin sets on a component, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentFields {
    pub title: String,
    pub kind: ComponentKind,
    pub optional: bool,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub position: i64,
}

/// Body of `POST /programs/{id}/components`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentInput {
    pub title: Option<String>,
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub optional: Option<bool>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "not_null")]
    pub position: Option<i64>,
}

fn parse_kind(p: &mut Problems, raw: &str) -> ComponentKind {
    raw.parse().unwrap_or_else(|()| {
        let all: Vec<_> = ComponentKind::ALL.iter().map(|k| k.as_str()).collect();
        p.add("kind", format!("must be one of {}", all.join(", ")));
        ComponentKind::Other
    })
}

fn check_position(p: &mut Problems, position: i64) {
    if !(0..=POSITION_MAX).contains(&position) {
        p.add("position", format!("must be a whole number from 0 to {POSITION_MAX}"));
    }
}

/// Where a component given no position goes: after the `last` one (the highest position
/// a program's components hold now), or first in an empty program. Computed without
/// overflow whatever `last` holds; past [`POSITION_MAX`] is a problem with `position`.
fn next_position(p: &mut Problems, last: Option<i64>) -> i64 {
    let next = last.map_or(0, |last| last.saturating_add(1).max(0));
    if next > POSITION_MAX {
        p.add(
            "position",
            format!("is required here: the last component is at {POSITION_MAX}, the highest position"),
        );
    }
    next
}

fn check_window(p: &mut Problems, starts_at: Option<DateTime<Utc>>, ends_at: Option<DateTime<Utc>>) {
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            p.add("ends_at", "must be later than starts_at");
        }
    }
}

impl ComponentInput {
    /// `last` is the highest position the program's components hold now (`None`: it
    /// has none); a component given no position goes after it.
    pub fn parse(&self, last: Option<i64>) -> Result<ComponentFields, Invalid> {
        let mut p = Problems::new();
        let title = p.required_text("title", self.title.as_deref(), TITLE_MAX);
        let kind = match self.kind.as_deref() {
            None => {
                p.add("kind", "is required");
                ComponentKind::Other
            }
            Some(raw) => parse_kind(&mut p, raw),
        };
        p.check_time_opt("starts_at", self.starts_at);
        p.check_time_opt("ends_at", self.ends_at);
        check_window(&mut p, self.starts_at, self.ends_at);
        let position = match self.position {
            Some(position) => {
                check_position(&mut p, position);
                position
            }
            None => next_position(&mut p, last),
        };
        p.finish(|| ComponentFields {
            title,
            kind,
            optional: self.optional.unwrap_or(false),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            position,
        })
    }
}

/// Body of `PATCH /programs/{id}/components/{cid}`; `null` clears a time and is refused
/// for any other field.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentPatch {
    #[serde(default, deserialize_with = "not_null")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    pub optional: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "not_null")]
    pub position: Option<i64>,
}

impl ComponentPatch {
    pub fn apply(&self, current: &Component) -> Result<ComponentFields, Invalid> {
        let mut p = Problems::new();
        let title = match &self.title {
            Some(t) => p.required_text("title", Some(t), TITLE_MAX),
            None => current.title.clone(),
        };
        let kind = match self.kind.as_deref() {
            Some(raw) => parse_kind(&mut p, raw),
            None => current.kind,
        };
        p.check_time_opt("starts_at", self.starts_at.flatten());
        p.check_time_opt("ends_at", self.ends_at.flatten());
        let starts_at = self.starts_at.unwrap_or(current.starts_at);
        let ends_at = self.ends_at.unwrap_or(current.ends_at);
        check_window(&mut p, starts_at, ends_at);
        if let Some(position) = self.position {
            check_position(&mut p, position);
        }
        p.finish(|| ComponentFields {
            title,
            kind,
            optional: self.optional.unwrap_or(current.optional),
            starts_at,
            ends_at,
            position: self.position.unwrap_or(current.position),
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::fixtures::{at, component};

    fn lesson(position: Option<i64>) -> ComponentInput {
        ComponentInput {
            title: Some("Lesson".into()),
            kind: Some("lesson".into()),
            position,
            ..ComponentInput::default()
        }
    }

    #[test]
    fn only_required_components_of_countable_kinds_are_counted() {
        for kind in ComponentKind::ALL {
            let expected = !matches!(
                kind,
                ComponentKind::Announcement | ComponentKind::GroupMeeting | ComponentKind::CoachingIntro
            );
            assert_eq!(component(kind, false).is_counted(), expected, "{kind:?}");
            assert!(!component(kind, true).is_counted(), "optional {kind:?}");
        }
    }

    #[test]
    fn a_position_is_zero_to_ten_thousand() {
        for good in [0, 1, POSITION_MAX] {
            assert_eq!(lesson(Some(good)).parse(None).unwrap().position, good);
        }
        for bad in [-1, POSITION_MAX + 1, i64::MAX, i64::MIN] {
            assert_eq!(
                lesson(Some(bad)).parse(None).unwrap_err().fields(),
                ["position"],
                "{bad}"
            );
            let patch = ComponentPatch {
                position: Some(bad),
                ..ComponentPatch::default()
            };
            let current = component(ComponentKind::Lesson, false);
            assert_eq!(patch.apply(&current).unwrap_err().fields(), ["position"], "{bad}");
        }
    }

    #[test]
    fn a_component_without_a_position_goes_after_the_last_without_overflow() {
        assert_eq!(lesson(None).parse(None).unwrap().position, 0);
        assert_eq!(lesson(None).parse(Some(4)).unwrap().position, 5);
        assert_eq!(lesson(None).parse(Some(-3)).unwrap().position, 0);
        for full in [POSITION_MAX, i64::MAX] {
            let refused = lesson(None).parse(Some(full)).unwrap_err();
            assert_eq!(refused.fields(), ["position"]);
            assert_eq!(
                refused.0[0].problem,
                "is required here: the last component is at 10000, the highest position"
            );
        }
    }

    #[test]
    fn component_times_outside_1970_to_9999_are_refused() {
        let input = ComponentInput {
            starts_at: Some(at("1969-12-31T23:59:59Z")),
            ends_at: Some(at("+10000-01-01T00:00:00Z")),
            ..lesson(None)
        };
        assert_eq!(input.parse(None).unwrap_err().fields(), ["starts_at", "ends_at"]);
        let patch: ComponentPatch = serde_json::from_str(r#"{"ends_at": "+10000-01-01T00:00:00Z"}"#).unwrap();
        let current = component(ComponentKind::Lesson, false);
        assert_eq!(patch.apply(&current).unwrap_err().fields(), ["ends_at"]);
    }

    #[test]
    fn null_clears_a_component_time_and_is_refused_for_its_other_fields() {
        let cleared: ComponentPatch = serde_json::from_str(r#"{"ends_at": null}"#).unwrap();
        let current = component(ComponentKind::Lesson, false);
        assert_eq!(cleared.apply(&current).unwrap().ends_at, None);
        for body in [
            r#"{"title": null}"#,
            r#"{"kind": null}"#,
            r#"{"optional": null}"#,
            r#"{"position": null}"#,
        ] {
            let refused = serde_json::from_str::<ComponentPatch>(body).unwrap_err();
            assert!(refused.to_string().starts_with("must not be null"), "{body}: {refused}");
        }
    }

    proptest! {
        /// Any sequence of creations, with any positions or none, parses without a
        /// panic and only ever yields positions within 0-10000.
        #[test]
        fn no_sequence_of_component_creations_overflows(
            positions in proptest::collection::vec(proptest::option::of(any::<i64>()), 1..40),
            start in proptest::option::of(any::<i64>()),
        ) {
            let mut last = start;
            for position in positions {
                if let Ok(fields) = lesson(position).parse(last) {
                    prop_assert!((0..=POSITION_MAX).contains(&fields.position));
                    last = Some(last.map_or(fields.position, |l| l.max(fields.position)));
                }
            }
        }
    }

    #[test]
    fn a_new_components_optional_and_position_may_be_left_out_but_never_null() {
        let read = |body: &str| serde_json::from_str::<ComponentInput>(body);
        assert!(read(r#"{"title": "Module 1", "kind": "lesson"}"#).is_ok());
        assert!(read(r#"{"title": "Module 1", "kind": "lesson", "ends_at": null}"#).is_ok());
        for field in ["optional", "position"] {
            let body = format!(r#"{{"title": "Module 1", "kind": "lesson", "{field}": null}}"#);
            assert!(read(&body).is_err(), "{field}: null was taken");
        }
    }
}
