//! Certify's business rules, pure: no I/O, no clock (`now` is always an argument), no
//! AWS. Everything the functions decide is decided here; the other crates fetch, store
//! and send.
//!
//! The modules, by what they decide (each file's place under `src/` is its module's);
//! none uses, directly or through others, a module that uses it back (the `layering`
//! test reads the sources to hold the crate to it):
//!
//! - [`identity`]: a caller's role, the rule every identity value obeys, and the clock
//!   type the edges read `now` from.
//! - `field` (within the crate): field problems, collected, and the bounds every input
//!   obeys.
//! - [`text`]: the keys names are searched and sorted by, in any script.
//! - [`locale`]: the languages Certify speaks, and the choice of one for a reader.
//! - [`certification`]: validated certification fields, validity and expiry arithmetic.
//! - [`program`]: programs, their state and the checks on their fields; their
//!   components, participants and progress, and when they end.
//! - [`run`]: a program's run: whether it certifies anyone, its record, and when a
//!   failing run is tried again or gives a participant up.
//! - [`record`]: the history of each change, and the events told of it.
//! - [`certificate`]: certificates and their status entries, and what becomes of them:
//!   by hand, regeneration, expiry reminders, public links, the Open Badges credential
//!   and status lists, the registry.
//! - [`roster`]: a program's roster and the rules read from it: evaluation, pipeline
//!   status, expected date, grid and in-program card, and the completion banner.
//! - [`pipeline`]: the certification's pipeline view (filters, sort, cursors, stats),
//!   and the paging of a program's participants and of its card.
//! - [`nudge`]: who a nudge reaches.
//! - [`work`]: the one message the API hands to the background (SPEC 4).
//!
//! Inputs arrive as `*Input` / `*Patch` types (what a request body holds, every field
//! optional) and are turned into validated values by `parse`/`apply`, which report
//! every problem at once as an [`Invalid`]. Every timestamp they accept lies within
//! [`TIME_MIN`]..=[`TIME_MAX`] and every integer within a documented range (SPEC 1.1).

pub mod certificate;
pub mod certification;
mod field;
pub mod identity;
pub mod locale;
pub mod nudge;
pub mod pipeline;
pub mod program;
pub mod record;
pub mod roster;
pub mod run;
pub mod text;
pub mod work;

#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod layering;

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
pub use field::{locale_field, FieldError, Invalid, TIME_MAX, TIME_MIN};
pub use identity::{check_identity, Clock, Role, UserId, IDENTITY_MAX};
pub use locale::{Direction, Locale, UNSUPPORTED_LOCALE};
pub use nudge::{plan_nudges, NudgeInput, NudgeJob, NudgePlan, NudgeRequest, NUDGE_JOB_MAX};
pub use pipeline::{
    card_page, participants_page, pipeline_page, pipeline_rows, PipelinePage, PipelineQuery, PipelineQueryInput,
    PipelineRow,
};
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
pub use run::{
    decide_run, DrawWarning, RunDecision, RunError, RunErrorCode, RunRecord, RunSkipReason, RunState, RunStep,
    RunWarning,
};
pub use work::{BadWork, Work};
