//! A program's roster and what the rules read from it: evaluation (SPEC 1.8.2), pipeline
//! status (1.4), expected date (1.5) and the in-program card (1.7).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::certificate::Certificate;
use crate::program::component::{Component, ComponentKind};
use crate::program::participant::Participant;
use crate::program::progress::ProgressStatus;
use crate::program::Program;
use crate::text::search_key;

/// A participant's result, recorded once by the program's run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// The counted components (ids) that were not completed.
    DidNotPass {
        not_completed: Vec<String>,
    },
}

impl Outcome {
    pub fn passed(&self) -> bool {
        matches!(self, Outcome::Passed)
    }
}

/// One enrollment as storage holds it: the participant, their progress and extensions
/// keyed by component id, and what the run and nudges recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentRecord {
    pub participant: Participant,
    #[serde(default)]
    pub progress: BTreeMap<String, ProgressStatus>,
    #[serde(default)]
    pub extensions: BTreeMap<String, DateTime<Utc>>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// The certificate id fixed with a passed outcome (issued under this id).
    #[serde(default)]
    pub certificate_id: Option<String>,
    /// The certificate as claimed with a passed outcome: everything it shows (holder,
    /// certification, program, dates), fixed when the run first claimed the participant,
    /// so every retry renders, stores and emails the same (SPEC 1.8.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    #[serde(default)]
    pub last_nudged_at: Option<DateTime<Utc>>,
    /// When the run's result email was handed to the mail service, or given up on.
    #[serde(default)]
    pub notified_at: Option<DateTime<Utc>>,
    /// Why the result email could never be sent (the address was refused).
    #[serde(default)]
    pub notify_error: Option<String>,
    /// When the run first failed this participant (SPEC 1.8.8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<DateTime<Utc>>,
    /// When the run gave this participant up at the certificate step, still failing 24
    /// hours after `failing_since`: no certificate, no email, counted in `failed`. (Given
    /// up at the email step, the certificate stands and `notify_error` says why.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_up_at: Option<DateTime<Utc>>,
}

impl EnrollmentRecord {
    pub fn new(participant: Participant) -> Self {
        EnrollmentRecord {
            participant,
            progress: BTreeMap::new(),
            extensions: BTreeMap::new(),
            outcome: None,
            certificate_id: None,
            certificate: None,
            last_nudged_at: None,
            notified_at: None,
            notify_error: None,
            failing_since: None,
            given_up_at: None,
        }
    }
}

/// A participant's state for one component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub status: ProgressStatus,
    pub extension: Option<DateTime<Utc>>,
}

/// An enrollment resolved against its program's components.
#[derive(Debug, Clone)]
pub struct Enrollment {
    pub participant: Participant,
    pub outcome: Option<Outcome>,
    pub last_nudged_at: Option<DateTime<Utc>>,
    name_key: String,
    cells: Vec<Cell>,
}

impl Enrollment {
    /// The folded name used for searching and sorting.
    pub fn name_key(&self) -> &str {
        &self.name_key
    }
}

/// A program with its components (in display order) and enrollments, resolved once so
/// that every rule reads each participant in one pass over the components.
#[derive(Debug, Clone)]
pub struct Roster {
    program: Program,
    components: Vec<Component>,
    enrollments: Vec<Enrollment>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PipelineStatus {
    Enrolled,
    OnTrack,
    OffTrack,
    DidNotPass,
    Certified,
}

impl PipelineStatus {
    pub const ALL: [PipelineStatus; 5] = [
        PipelineStatus::Enrolled,
        PipelineStatus::OnTrack,
        PipelineStatus::OffTrack,
        PipelineStatus::DidNotPass,
        PipelineStatus::Certified,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PipelineStatus::Enrolled => "enrolled",
            PipelineStatus::OnTrack => "on_track",
            PipelineStatus::OffTrack => "off_track",
            PipelineStatus::DidNotPass => "did_not_pass",
            PipelineStatus::Certified => "certified",
        }
    }

    /// Position when sorting by status: did_not_pass, off_track, enrolled, on_track,
    /// certified.
    pub fn sort_rank(self) -> u8 {
        match self {
            PipelineStatus::DidNotPass => 0,
            PipelineStatus::OffTrack => 1,
            PipelineStatus::Enrolled => 2,
            PipelineStatus::OnTrack => 3,
            PipelineStatus::Certified => 4,
        }
    }

    /// The in-program card's label for this status.
    pub fn label(self) -> Label {
        match self {
            PipelineStatus::Enrolled => Label::NotStarted,
            PipelineStatus::OnTrack => Label::OnTrack,
            PipelineStatus::OffTrack => Label::OffTrack,
            PipelineStatus::DidNotPass => Label::CriteriaNotMet,
            PipelineStatus::Certified => Label::Certified,
        }
    }
}

impl std::str::FromStr for PipelineStatus {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        PipelineStatus::ALL.into_iter().find(|k| k.as_str() == s).ok_or(())
    }
}

/// The in-program card's overall label per participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    NotStarted,
    OnTrack,
    OffTrack,
    CriteriaNotMet,
    Certified,
}

impl Label {
    pub fn text(self) -> &'static str {
        match self {
            Label::NotStarted => "Not Started",
            Label::OnTrack => "On Track",
            Label::OffTrack => "Off Track",
            Label::CriteriaNotMet => "Certification Criteria Not Met",
            Label::Certified => "Certified",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    Completed,
    InProgress,
    NotStarted,
    Failed,
}

impl From<ProgressStatus> for Badge {
    fn from(status: ProgressStatus) -> Self {
        match status {
            ProgressStatus::Completed => Badge::Completed,
            ProgressStatus::InProgress => Badge::InProgress,
            ProgressStatus::NotStarted => Badge::NotStarted,
            _ => Badge::Failed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridCell {
    pub component_id: String,
    pub badge: Badge,
    pub past_due: bool,
    pub counted: bool,
}

/// A certification as the cards and rows name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificationRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardComponent {
    pub id: String,
    pub title: String,
    pub kind: ComponentKind,
    pub counted: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCounts {
    pub not_started: usize,
    pub on_track: usize,
    pub off_track: usize,
    pub criteria_not_met: usize,
    pub certified: usize,
}

impl LabelCounts {
    fn add(&mut self, label: Label) {
        match label {
            Label::NotStarted => self.not_started += 1,
            Label::OnTrack => self.on_track += 1,
            Label::OffTrack => self.off_track += 1,
            Label::CriteriaNotMet => self.criteria_not_met += 1,
            Label::Certified => self.certified += 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardParticipant {
    pub user_id: String,
    pub name: String,
    pub avatar_url: Option<String>,
    pub label: Label,
    pub grid: Vec<GridCell>,
}

/// The in-program pipeline card (SPEC 1.7): `components` and `summary` cover everyone,
/// `participants` one page of them by name (1.16, [`crate::card_page`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramCard {
    pub certification: Option<CertificationRef>,
    pub components: Vec<CardComponent>,
    pub summary: LabelCounts,
    pub participants: Vec<CardParticipant>,
    pub next_cursor: Option<String>,
}

/// A counted component past its effective due time and not completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastDue {
    pub component_id: String,
    pub title: String,
    pub due_at: DateTime<Utc>,
}

fn effective_due(component: &Component, cell: &Cell) -> Option<DateTime<Utc>> {
    cell.extension.or(component.ends_at)
}

fn is_past_due(component: &Component, cell: &Cell, now: DateTime<Utc>) -> bool {
    cell.status != ProgressStatus::Completed && effective_due(component, cell).is_some_and(|due| now > due)
}

impl Roster {
    /// Resolves records against the components; progress or extensions naming a
    /// component the program no longer has are ignored.
    pub fn new(program: Program, mut components: Vec<Component>, records: Vec<EnrollmentRecord>) -> Self {
        components.sort_by(|a, b| a.position.cmp(&b.position).then_with(|| a.id.cmp(&b.id)));
        let index: HashMap<&str, usize> = components.iter().enumerate().map(|(i, c)| (c.id.as_str(), i)).collect();
        let blank = Cell {
            status: ProgressStatus::NotStarted,
            extension: None,
        };
        let enrollments = records
            .into_iter()
            .map(|record| {
                let mut cells = vec![blank; components.len()];
                for (component_id, status) in &record.progress {
                    if let Some(&i) = index.get(component_id.as_str()) {
                        cells[i].status = *status;
                    }
                }
                for (component_id, due_at) in &record.extensions {
                    if let Some(&i) = index.get(component_id.as_str()) {
                        cells[i].extension = Some(*due_at);
                    }
                }
                Enrollment {
                    name_key: search_key(&record.participant.name),
                    participant: record.participant,
                    outcome: record.outcome,
                    last_nudged_at: record.last_nudged_at,
                    cells,
                }
            })
            .collect();
        Roster {
            program,
            components,
            enrollments,
        }
    }

    pub fn program(&self) -> &Program {
        &self.program
    }

    /// Components in display order (`position`, then id).
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    pub fn enrollments(&self) -> &[Enrollment] {
        &self.enrollments
    }

    pub fn enrollment(&self, user_id: &str) -> Option<&Enrollment> {
        self.enrollments.iter().find(|e| e.participant.user_id == user_id)
    }

    fn cells<'a>(&'a self, e: &'a Enrollment) -> impl Iterator<Item = (&'a Component, &'a Cell)> {
        self.components.iter().zip(&e.cells)
    }

    /// Passed iff every counted component is completed; a program without counted
    /// components passes everyone.
    pub fn evaluate(&self, e: &Enrollment) -> Outcome {
        let not_completed: Vec<String> = self
            .cells(e)
            .filter(|(c, cell)| c.is_counted() && cell.status != ProgressStatus::Completed)
            .map(|(c, _)| c.id.clone())
            .collect();
        if not_completed.is_empty() {
            Outcome::Passed
        } else {
            Outcome::DidNotPass { not_completed }
        }
    }

    /// Pipeline status at `now`; the first rule that applies wins (SPEC 1.4).
    pub fn status(&self, e: &Enrollment, now: DateTime<Utc>) -> PipelineStatus {
        if self.program.state.is_over() {
            match &e.outcome {
                Some(Outcome::Passed) => return PipelineStatus::Certified,
                Some(Outcome::DidNotPass { .. }) => return PipelineStatus::DidNotPass,
                None => {}
            }
        }
        let mut past_due = false;
        let mut begun = false;
        for (c, cell) in self.cells(e) {
            if c.is_counted() {
                if cell.status.is_failure() {
                    return PipelineStatus::DidNotPass;
                }
                past_due |= is_past_due(c, cell, now);
            }
            begun |= c.in_grid() && cell.status != ProgressStatus::NotStarted;
        }
        if past_due {
            PipelineStatus::OffTrack
        } else if !begun {
            PipelineStatus::Enrolled
        } else {
            PipelineStatus::OnTrack
        }
    }

    /// The date of the latest effective due time among counted components, or of the
    /// program's end when none has one (SPEC 1.5).
    pub fn expected_on(&self, e: &Enrollment) -> NaiveDate {
        self.cells(e)
            .filter(|(c, _)| c.is_counted())
            .filter_map(|(c, cell)| effective_due(c, cell))
            .max()
            .unwrap_or(self.program.ends_at)
            .date_naive()
    }

    /// Counted components past due and not completed, in display order.
    pub fn past_due(&self, e: &Enrollment, now: DateTime<Utc>) -> Vec<PastDue> {
        self.cells(e)
            .filter(|(c, cell)| c.is_counted() && is_past_due(c, cell, now))
            .filter_map(|(c, cell)| {
                Some(PastDue {
                    component_id: c.id.clone(),
                    title: c.title.clone(),
                    due_at: effective_due(c, cell)?,
                })
            })
            .collect()
    }

    /// One cell per component except announcements.
    pub fn grid(&self, e: &Enrollment, now: DateTime<Utc>) -> Vec<GridCell> {
        self.cells(e)
            .filter(|(c, _)| c.in_grid())
            .map(|(c, cell)| GridCell {
                component_id: c.id.clone(),
                badge: cell.status.into(),
                past_due: is_past_due(c, cell, now),
                counted: c.is_counted(),
            })
            .collect()
    }

    /// The in-program card; participants ordered by name, then user id.
    /// The card with every participant, by folded name then user id.
    pub fn card(&self, certification: Option<CertificationRef>, now: DateTime<Utc>) -> ProgramCard {
        let mut order: Vec<&Enrollment> = self.enrollments.iter().collect();
        order.sort_by(|a, b| {
            a.name_key
                .cmp(&b.name_key)
                .then_with(|| a.participant.user_id.cmp(&b.participant.user_id))
        });
        let mut summary = LabelCounts::default();
        let participants = order
            .into_iter()
            .map(|e| {
                let label = self.status(e, now).label();
                summary.add(label);
                CardParticipant {
                    user_id: e.participant.user_id.clone(),
                    name: e.participant.name.clone(),
                    avatar_url: e.participant.avatar_url.clone(),
                    label,
                    grid: self.grid(e, now),
                }
            })
            .collect();
        ProgramCard {
            certification,
            components: self
                .components
                .iter()
                .filter(|c| c.in_grid())
                .map(|c| CardComponent {
                    id: c.id.clone(),
                    title: c.title.clone(),
                    kind: c.kind,
                    counted: c.is_counted(),
                })
                .collect(),
            summary,
            participants,
            next_cursor: None,
        }
    }
}

pub mod completion;

#[cfg(test)]
mod tests;
