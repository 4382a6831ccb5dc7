//! A program's components (SPEC 1.3): their kinds, which of them count towards
//! certification, and the fields an admin sets on them.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{double_option, Invalid, Problems};

pub const TITLE_MAX: usize = 200;

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
    pub optional: Option<bool>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub position: Option<i64>,
}

fn parse_kind(p: &mut Problems, raw: &str) -> ComponentKind {
    raw.parse().unwrap_or_else(|()| {
        let all: Vec<_> = ComponentKind::ALL.iter().map(|k| k.as_str()).collect();
        p.add("kind", format!("must be one of {}", all.join(", ")));
        ComponentKind::Other
    })
}

fn check_window(p: &mut Problems, starts_at: Option<DateTime<Utc>>, ends_at: Option<DateTime<Utc>>) {
    if let (Some(s), Some(e)) = (starts_at, ends_at) {
        if e <= s {
            p.add("ends_at", "must be later than starts_at");
        }
    }
}

impl ComponentInput {
    /// `next_position` is used when the body gives none (the component goes last).
    pub fn parse(&self, next_position: i64) -> Result<ComponentFields, Invalid> {
        let mut p = Problems::new();
        let title = p.required_text("title", self.title.as_deref(), TITLE_MAX);
        let kind = match self.kind.as_deref() {
            None => {
                p.add("kind", "is required");
                ComponentKind::Other
            }
            Some(raw) => parse_kind(&mut p, raw),
        };
        check_window(&mut p, self.starts_at, self.ends_at);
        p.finish(|| ComponentFields {
            title,
            kind,
            optional: self.optional.unwrap_or(false),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            position: self.position.unwrap_or(next_position),
        })
    }
}

/// Body of `PATCH /programs/{id}/components/{cid}`; `null` clears a time.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentPatch {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub optional: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub ends_at: Option<Option<DateTime<Utc>>>,
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
        let starts_at = self.starts_at.unwrap_or(current.starts_at);
        let ends_at = self.ends_at.unwrap_or(current.ends_at);
        check_window(&mut p, starts_at, ends_at);
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
    use super::*;
    use crate::fixtures::component;

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
}
