//! Certify's business rules, pure: no I/O, no clock (`now` is always an argument), no
//! AWS. Everything the functions decide is decided here; the other crates fetch, store
//! and send.
//!
//! - [`identity`]: a caller's role, and the clock type the edges read `now` from.
//! - [`certification`]: validated certification fields, validity and expiry arithmetic.
//! - [`program`]: programs, their state and the checks on their fields.
//! - [`component`]: a program's components, their kinds and which of them count.
//! - [`participant`]: participants as enrolled, one or a batch, and their bounds.
//! - [`progress`]: a participant's progress on a component, and extensions.
//! - [`roster`]: a program's roster and the rules read from it: evaluation, pipeline
//!   status, expected date, grid and in-program card.
//! - [`view`]: the certification's pipeline view: filters, sort, cursors, stats.
//! - [`paging`]: a program's participant list, paged by user id, and the in-program
//!   card's participants, paged by name.
//! - [`nudge`]: who a reminder reaches.
//! - [`public`]: the certificate's public links and its LinkedIn "Add to profile" link.
//! - [`credential`]: the Open Badges 3.0 credential, the issuer's DID document and the
//!   revocation status lists.
//! - [`regeneration`]: re-drawing a certification's certificates, and its record.
//! - [`reminder`]: which expiry reminder is due, and when to look again.
//! - [`events`]: what each committed history entry is told to the platform as.
//! - [`schedule`]: when programs end and whether their run certifies.
//! - [`certificate`]: certificates, revocation reasons, run records and the completion
//!   banner.
//!
//! Inputs arrive as `*Input` / `*Patch` types (what a request body holds, every field
//! optional) and are turned into validated values by `parse`/`apply`, which report
//! every problem at once as an [`Invalid`]. Every timestamp they accept lies within
//! [`TIME_MIN`]..=[`TIME_MAX`] and every integer within a documented range (SPEC 1.1).

pub mod certificate;
pub mod certification;
mod cursor;
mod field;
pub mod identity;
pub mod nudge;
pub mod paging;
pub mod program;
pub mod record;
pub mod roster;
pub mod run;
pub mod text;
pub mod view;

#[cfg(test)]
pub(crate) mod fixtures;

pub use certificate::by_hand::{ByHand, ByHandInput, NOTE_MAX};
pub use certificate::public::{linkedin_organization_id, linkedin_url, verify_url, PublicLinks};
pub use certificate::regeneration::{
    PageOutcome, Regeneration, RegenerationError, RegenerationErrorCode, RegenerationInput, RegenerationState,
    REGENERATION_ERRORS_MAX,
};
pub use certificate::registry::{RegistryQuery, RegistryQueryInput, RegistrySort};
pub use certificate::reminder::{day_start, due_reminder, first_look, next_look, Reminder};
pub use certificate::{
    revocation_reason, Certificate, CertificateStatus, CertificationSnapshot, StatusEntry, REASON_MAX, STATUS_LIST_SIZE,
};
pub use certification::{
    default_reminders, expires_on, Certification, CertificationFields, CertificationInput, CertificationPatch,
    Validity, ValidityUnit, REMINDERS_MAX, REMINDER_DAYS_MAX,
};
pub use field::{FieldError, Invalid, TIME_MAX, TIME_MIN};
pub use identity::{check_identity, Clock, Role, UserId, IDENTITY_MAX};
pub use nudge::{plan_nudges, NudgeInput, NudgeJob, NudgePlan, NudgeRequest, NUDGE_JOB_MAX};
pub use paging::{card_page, participants_page};
pub use program::component::{Component, ComponentFields, ComponentInput, ComponentKind, ComponentPatch, POSITION_MAX};
pub use program::participant::{EnrollBatch, EnrollInput, Participant, ParticipantInput};
pub use program::progress::{ExtensionInput, ProgressInput, ProgressStatus};
pub use program::schedule::{ended_at, is_due};
pub use program::{Program, ProgramFields, ProgramInput, ProgramPatch, ProgramRef, ProgramState};
pub use record::events::{batches, EventSubject, OutEvent, EVENT_SOURCE};
pub use record::history::{changed_fields, Actor, Change, FieldChange, HistoryEntry, RunSummary};
pub use roster::completion::{completion, Completion};
pub use roster::{EnrollmentRecord, Label, Outcome, PipelineStatus, ProgramCard, Roster};
pub use run::backoff::{gives_up, retry_delay, GIVE_UP_AFTER, RETRY_DELAY_MAX};
pub use run::{decide_run, RunDecision, RunError, RunErrorCode, RunRecord, RunSkipReason, RunState, RunStep};
pub use view::{pipeline_page, pipeline_rows, PipelinePage, PipelineQuery, PipelineQueryInput, PipelineRow};
