//! Programs, their components and participants, progress and extensions (SPEC 1.3).

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::field::{double_option, Invalid, Problems};

pub const NAME_MAX: usize = 200;
pub const TITLE_MAX: usize = 200;
pub const USER_ID_MAX: usize = 128;
pub const GROUP_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const URL_MAX: usize = 2048;
/// Most participants one enrollment request may carry.
pub const ENROLL_BATCH_MAX: usize = 100;

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
        if self.starts_at.is_none() {
            p.add("starts_at", "is required");
        }
        if self.ends_at.is_none() {
            p.add("ends_at", "is required");
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

/// Body of `PATCH /programs/{id}`: absent fields stay; `certification_id: null` unlinks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgramPatch {
    pub name: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
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

/// An enrolled user as the admin entered them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub avatar_url: Option<String>,
    pub group: Option<String>,
}

/// One participant in `POST /programs/{id}/participants`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub group: Option<String>,
}

impl ParticipantInput {
    pub fn parse(&self) -> Result<Participant, Invalid> {
        self.parse_with(Problems::new())
    }

    fn parse_with(&self, mut p: Problems) -> Result<Participant, Invalid> {
        let user_id = p.required_text("user_id", self.user_id.as_deref(), USER_ID_MAX);
        let name = p.required_text("name", self.name.as_deref(), NAME_MAX);
        let email = match self.email.as_deref().map(str::trim) {
            None => {
                p.add("email", "is required");
                String::new()
            }
            Some(email) => {
                if let Err(problem) = check_email(email) {
                    p.add("email", problem);
                }
                email.to_string()
            }
        };
        let avatar_url = match self.avatar_url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(url) => {
                if let Err(problem) = check_https_url(url) {
                    p.add("avatar_url", problem);
                }
                Some(url.to_string())
            }
        };
        let group = p.optional_text("group", self.group.as_deref(), GROUP_MAX, false);
        p.finish(|| Participant {
            user_id,
            name,
            email,
            avatar_url,
            group: (!group.is_empty()).then_some(group),
        })
    }
}

/// Body of the enroll route: one participant, or up to 100 under `participants`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EnrollInput {
    Many { participants: Vec<ParticipantInput> },
    One(ParticipantInput),
}

impl EnrollInput {
    /// Every participant, or every problem (fields named `participants[i].field`); a
    /// user id given twice is refused.
    pub fn parse(&self) -> Result<Vec<Participant>, Invalid> {
        match self {
            EnrollInput::One(one) => one.parse().map(|p| vec![p]),
            EnrollInput::Many { participants } => {
                let mut p = Problems::new();
                if participants.is_empty() {
                    p.add("participants", "must not be empty");
                }
                if participants.len() > ENROLL_BATCH_MAX {
                    p.add(
                        "participants",
                        format!(
                            "must hold at most {ENROLL_BATCH_MAX} participants (got {})",
                            participants.len()
                        ),
                    );
                    return p.finish(Vec::new);
                }
                let mut parsed = Vec::with_capacity(participants.len());
                let mut seen = std::collections::HashSet::new();
                for (i, input) in participants.iter().enumerate() {
                    match input.parse_with(Problems::prefixed(format!("participants[{i}]."))) {
                        Ok(one) => {
                            if !seen.insert(one.user_id.clone()) {
                                p.add(&format!("participants[{i}].user_id"), "appears twice in this request");
                            }
                            parsed.push(one);
                        }
                        Err(invalid) => p.extend(invalid),
                    }
                }
                p.finish(|| parsed)
            }
        }
    }
}

/// A deliberately plain address check: what SES would refuse outright, we refuse first.
fn check_email(email: &str) -> Result<(), &'static str> {
    if email.is_empty() {
        return Err("must not be empty");
    }
    if email.len() > EMAIL_MAX {
        return Err("must be at most 254 characters");
    }
    let Some((local, domain)) = email.rsplit_once('@') else {
        return Err("must be an email address like name@example.com");
    };
    let bad_char = |c: char| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"');
    let labels_ok = domain
        .split('.')
        .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    if local.is_empty()
        || local.len() > 64
        || local.contains('@')
        || !domain.contains('.')
        || !labels_ok
        || email.chars().any(bad_char)
    {
        return Err("must be an email address like name@example.com");
    }
    Ok(())
}

fn check_https_url(url: &str) -> Result<(), &'static str> {
    if url.len() > URL_MAX {
        return Err("must be at most 2048 characters");
    }
    let Some(rest) = url.strip_prefix("https://") else {
        return Err("must be an https:// URL");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || host.contains('@') || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must be an https:// URL with a host");
    }
    Ok(())
}

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
    /// An extension must move the component's due time later; a component without a
    /// due time is never past due and has nothing to extend.
    pub fn parse(&self, component: &Component) -> Result<DateTime<Utc>, Invalid> {
        let due_at = self.due_at.ok_or_else(|| Invalid::one("due_at", "is required"))?;
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

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn component(kind: ComponentKind, optional: bool) -> Component {
        Component {
            id: "k".into(),
            title: "t".into(),
            kind,
            optional,
            starts_at: None,
            ends_at: Some(at("2026-12-01T00:00:00Z")),
            position: 0,
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
    fn participant_problems_are_all_reported() {
        let input = ParticipantInput {
            user_id: Some("u".repeat(129)),
            name: Some(" ".into()),
            email: Some("not-an-email".into()),
            avatar_url: Some("http://example.com/a.png".into()),
            group: Some("g".repeat(101)),
        };
        assert_eq!(
            input.parse().unwrap_err().fields(),
            ["user_id", "name", "email", "avatar_url", "group"]
        );
    }

    #[test]
    fn a_valid_participant_is_trimmed_and_an_empty_group_is_none() {
        let input = ParticipantInput {
            user_id: Some("u1".into()),
            name: Some(" Ana Ávila ".into()),
            email: Some("ana@example.com".into()),
            avatar_url: Some("https://cdn.example.com/ana.png".into()),
            group: Some("".into()),
        };
        let p = input.parse().unwrap();
        assert_eq!((p.name.as_str(), p.group), ("Ana Ávila", None));
    }

    #[test]
    fn email_addresses_are_checked() {
        for good in ["a@b.co", "first.last+tag@sub.example.org"] {
            assert!(check_email(good).is_ok(), "{good}");
        }
        for bad in ["", "a@b", "@b.co", "a b@c.co", "a@b..co", "a@-b.co", "<a@b.co>"] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_batch_names_the_index_of_each_problem_and_refuses_duplicates() {
        let body = r#"{"participants": [
            {"user_id": "u1", "name": "A", "email": "a@x.io"},
            {"user_id": "u2", "name": "", "email": "b@x.io"},
            {"user_id": "u1", "name": "C", "email": "c@x.io"}]}"#;
        let input: EnrollInput = serde_json::from_str(body).unwrap();
        assert_eq!(
            input.parse().unwrap_err().fields(),
            ["participants[1].name", "participants[2].user_id"]
        );
        let one: EnrollInput = serde_json::from_str(r#"{"user_id": "u1", "name": "A", "email": "a@x.io"}"#).unwrap();
        assert_eq!(one.parse().unwrap().len(), 1);
    }

    #[test]
    fn a_batch_over_one_hundred_is_refused() {
        let many = EnrollInput::Many {
            participants: vec![ParticipantInput::default(); 101],
        };
        assert_eq!(many.parse().unwrap_err().fields(), ["participants"]);
    }

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
