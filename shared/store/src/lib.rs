//! Certify's storage port (SPEC 5): narrow traits in domain terms, implemented once by
//! [`Store`] over a single [`table::Table`] that either DynamoDB ([`DynamoStore`]) or an
//! embedded redb file ([`EmbeddedStore`]) holds, with the same keys, conditions and
//! transactions. Every state change is a conditional write: a refused condition is a
//! [`StoreError::Conflict`] or [`StoreError::NotFound`], never a silent overwrite.
//!
//! Ids handed to the store are opaque, but never hold `#` or control characters (they
//! are parts of keys): such an id reads as not found.

mod credentials;
#[cfg(feature = "aws")]
pub mod dynamo;
pub mod embedded;
mod events;
mod items;
mod regenerations;
mod reminders;
#[cfg(feature = "aws")]
mod schema;
mod store;
pub mod table;

use async_trait::async_trait;
use certify_rules::{
    Actor, Certificate, Certification, CertificationFields, Component, EnrollmentRecord, HistoryEntry, NudgeJob,
    Outcome, Participant, Program, ProgramFields, ProgressStatus, RegistryQuery, RunRecord,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use credentials::CredentialStore;
#[cfg(feature = "aws")]
pub use dynamo::DynamoTable;
pub use embedded::EmbeddedTable;
pub use events::{EventStore, PendingEvent};
pub use regenerations::{RegenerationClaim, RegenerationStore};
pub use reminders::{ClaimedReminder, ReminderLook, ReminderSent, ReminderStore};
#[cfg(feature = "aws")]
pub use schema::TableSchema;
pub use store::Store;

#[cfg(feature = "aws")]
pub type DynamoStore = Store<DynamoTable>;
pub type EmbeddedStore = Store<EmbeddedTable>;

/// Why a conditional write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The id is taken.
    AlreadyExists,
    /// The stored version is not the one the change was made against.
    StaleVersion,
    /// The program is `ending` or `ended`: its roster and links are frozen.
    ProgramEnded,
    /// The certification to link is missing or archived.
    CertificationUnavailable,
    /// A program that has not ended links the certification.
    CertificationInUse,
    /// These users are enrolled already.
    AlreadyEnrolled(Vec<String>),
    /// The certificate is revoked already.
    AlreadyRevoked,
    /// A regeneration of the certification is still running (its id).
    RegenerationRunning(String),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The item, or the program, enrollment or component it belongs to, does not exist
    /// in this workspace.
    #[error("not found")]
    NotFound,
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A list cursor this store did not give out.
    #[error("not a cursor this list gave out")]
    BadCursor,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<table::TableError> for StoreError {
    fn from(e: table::TableError) -> Self {
        match e {
            table::TableError::Unexpected(e) => StoreError::Unexpected(e),
            other => StoreError::Unexpected(anyhow::Error::new(other).context("an unclassified conflict")),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    pub certifications_enabled: bool,
    /// The workspace's LinkedIn organization (digits), named in "Add to profile" links
    /// instead of the issuer's name (SPEC 1.12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_organization_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_cursor: Option<String>,
}

/// A program's partition as one Query returns it.
#[derive(Debug, Clone)]
pub struct StoredRoster {
    pub program: Program,
    /// In display order (position, then id).
    pub components: Vec<Component>,
    pub enrollments: Vec<EnrollmentRecord>,
    pub run: Option<RunRecord>,
    /// DynamoDB requests (Query pages) the read cost.
    pub requests: usize,
}

/// Everything the store offers, as one object the handlers and the trigger share.
pub trait AppStore:
    SettingsStore
    + CertificationStore
    + ProgramStore
    + RosterStore
    + RunStore
    + CertificateStore
    + NudgeStore
    + RegenerationStore
    + ReminderStore
    + EventStore
    + CredentialStore
{
}

impl<T> AppStore for T where
    T: SettingsStore
        + CertificationStore
        + ProgramStore
        + RosterStore
        + RunStore
        + CertificateStore
        + NudgeStore
        + RegenerationStore
        + ReminderStore
        + EventStore
        + CredentialStore
{
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// A workspace never configured has the defaults (certifications disabled).
    async fn settings(&self, ws: &str) -> Result<WorkspaceSettings>;
    /// Replaces the settings unconditionally: the last write wins, so it MUST NOT answer
    /// a `Conflict`.
    async fn put_settings(&self, ws: &str, settings: &WorkspaceSettings) -> Result<()>;
}

#[async_trait]
pub trait CertificationStore: Send + Sync {
    /// MUST refuse a taken id with `Conflict(AlreadyExists)`. Records `created` by
    /// `actor` in the same transaction, as every change below records its entry.
    async fn create_certification(&self, ws: &str, certification: &Certification, actor: &Actor) -> Result<()>;
    /// Archived ones too (certificates keep pointing at them). A missing one MUST be
    /// `Ok(None)`, not `NotFound`.
    async fn certification(&self, ws: &str, id: &str) -> Result<Option<Certification>>;
    /// By id; archived ones only with `include_archived`. MUST answer `BadCursor` for a
    /// cursor that does not decode as one a list gave out.
    async fn certifications(&self, ws: &str, include_archived: bool, page: &PageRequest)
        -> Result<Page<Certification>>;
    /// Stores `fields` over `current` with the next version. MUST answer `NotFound` when
    /// it is missing or archived and `Conflict(StaleVersion)` when its version moved.
    async fn update_certification(
        &self,
        ws: &str,
        current: &Certification,
        fields: &CertificationFields,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certification>;
    /// Archives it. MUST answer `NotFound` when missing or archived already,
    /// `Conflict(StaleVersion)` when `expected_version` is given and differs, and
    /// `Conflict(CertificationInUse)` while a program that has not ended links it, also
    /// when such a link is made concurrently.
    async fn archive_certification(
        &self,
        ws: &str,
        id: &str,
        expected_version: Option<u64>,
        now: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certification>;
    /// Its history, oldest first (archived ones too). MUST answer `NotFound` when the
    /// workspace has no such certification and `BadCursor` for a cursor a page did not
    /// give out.
    async fn certification_history(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<HistoryEntry>>;
}

#[async_trait]
pub trait ProgramStore: Send + Sync {
    /// MUST refuse a taken id with `Conflict(AlreadyExists)` and a link to a missing or
    /// archived certification with `Conflict(CertificationUnavailable)`.
    async fn create_program(&self, ws: &str, program: &Program) -> Result<()>;
    /// A missing one MUST be `Ok(None)`, not `NotFound`.
    async fn program(&self, ws: &str, id: &str) -> Result<Option<Program>>;
    /// By id. MUST answer `BadCursor` for a cursor that does not decode as one a list
    /// gave out.
    async fn programs(&self, ws: &str, page: &PageRequest) -> Result<Page<Program>>;
    /// Stores `fields` over `current` with the next version. MUST answer `NotFound`,
    /// `Conflict(StaleVersion)`, `Conflict(ProgramEnded)` (not `active`), or
    /// `Conflict(CertificationUnavailable)` for a new link to a missing or archived
    /// certification; nothing changes then.
    async fn update_program(
        &self,
        ws: &str,
        current: &Program,
        fields: &ProgramFields,
        now: DateTime<Utc>,
    ) -> Result<Program>;
    /// Every program of the workspace linking the certification, whatever its state.
    async fn programs_linking(&self, ws: &str, certification_id: &str) -> Result<Vec<Program>>;
    /// Creates a program with its whole roster at once (a seed, an import): the
    /// program item first, as `create_program` (same refusals), marked as importing,
    /// then its components and enrollments by BatchWriteItem (nothing there to
    /// overwrite: the partition is new), then the mark is cleared. Calling it again for
    /// a program whose import did not finish resumes it; for a finished one it MUST
    /// answer `Conflict(AlreadyExists)`. A user id twice MUST answer
    /// `Conflict(AlreadyEnrolled)` with those ids, before anything is written.
    async fn import_program(
        &self,
        ws: &str,
        program: &Program,
        components: &[Component],
        enrollments: &[EnrollmentRecord],
    ) -> Result<()>;
}

/// Changes to a program's roster. Each MUST answer `NotFound` when the program (or the
/// enrollment or component it names) is missing and `Conflict(ProgramEnded)` when the
/// program is not `active`, checked in the same transaction as the change.
#[async_trait]
pub trait RosterStore: Send + Sync {
    /// MUST refuse a taken component id with `Conflict(AlreadyExists)`.
    async fn add_component(&self, ws: &str, program_id: &str, component: &Component) -> Result<()>;
    async fn update_component(&self, ws: &str, program_id: &str, component: &Component) -> Result<()>;
    async fn remove_component(&self, ws: &str, program_id: &str, component_id: &str) -> Result<()>;
    /// Up to 100 participants. MUST refuse users already enrolled with
    /// `Conflict(AlreadyEnrolled(ids))`, enrolling none of the request.
    async fn enroll(&self, ws: &str, program_id: &str, participants: &[Participant]) -> Result<()>;
    async fn unenroll(&self, ws: &str, program_id: &str, user_id: &str) -> Result<()>;
    async fn set_progress(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        component_id: &str,
        status: ProgressStatus,
    ) -> Result<()>;
    /// `None` removes the extension.
    async fn set_extension(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        component_id: &str,
        due_at: Option<DateTime<Utc>>,
    ) -> Result<()>;
    /// The program's whole partition in one paginated Query; a missing program MUST be
    /// `Ok(None)`, not `NotFound`.
    async fn roster(&self, ws: &str, program_id: &str) -> Result<Option<StoredRoster>>;
    /// The program and its components (display order), without its enrollments; a
    /// missing program MUST be `Ok(None)`.
    async fn program_with_components(&self, ws: &str, program_id: &str) -> Result<Option<(Program, Vec<Component>)>>;
}

/// A participant's recorded outcome and, when passed, the certificate fixed with it:
/// its id and everything it shows. Every retry reuses it, so a participant never gets
/// two certificates from one program and an issued certificate never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub outcome: Outcome,
    pub certificate: Option<Certificate>,
}

/// The right to work a running run until `until`: only its holder checkpoints the run
/// and sends its emails, so racing invocations never email a participant twice. A
/// crashed holder's lease runs out and the next sweep takes the run over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub owner: String,
    pub until: DateTime<Utc>,
}

/// How long an `Idempotency-Key` is kept (SPEC 1.13).
pub const REQUEST_KEY_HOURS: i64 = 24;

/// What an `Idempotency-Key` was first claimed for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub fingerprint: String,
    pub certificate_id: String,
}

/// A participant whose result email went to the mail service, or never can (`error`).
/// With the certificate the email announced, whose history records `emailed` in the
/// same transaction as the mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifyMark {
    pub user_id: String,
    pub error: Option<String>,
    pub certificate_id: Option<String>,
}

/// Program end, the run record and the per-participant marks of a run (SPEC 1.8).
#[async_trait]
pub trait RunStore: Send + Sync {
    /// `active` -> `ending` with `ended_at`, which also dates the program in the
    /// open-programs index (an early end is swept from then on). MUST answer
    /// `Conflict(ProgramEnded)` when the program is not `active` (exactly one of racing
    /// callers wins) and `NotFound` when missing.
    async fn begin_end(&self, ws: &str, program_id: &str, ended_at: DateTime<Utc>) -> Result<Program>;
    /// `ending` -> `ended`, leaving the open-programs index. MUST answer
    /// `Conflict(ProgramEnded)` unless the program is `ending`, and `NotFound` when
    /// missing.
    async fn finish_end(&self, ws: &str, program_id: &str) -> Result<Program>;
    /// `active` programs whose `ends_at` is at or before `until`, in due order, as
    /// (workspace, program): the sweep's due programs. (An `ending` program stored before
    /// runs were kept apart may be among them.)
    async fn due_programs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>>;
    /// `ending` programs whose run is to be tried at or before `until` (from `ended_at`,
    /// then as [`RunStore::schedule_run`] set), oldest first: the sweep's unfinished runs.
    async fn due_runs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Program)>>;
    /// When the sweep tries an `ending` program's run next (SPEC 1.8.8). Answers `false`
    /// when the program is no longer `ending` (its run finished); MUST answer `NotFound`
    /// when missing.
    async fn schedule_run(&self, ws: &str, program_id: &str, at: DateTime<Utc>) -> Result<bool>;
    /// Creates the run record unless one exists; answers the stored one either way, so
    /// it MUST NOT answer a `Conflict`.
    async fn start_run(&self, ws: &str, record: &RunRecord) -> Result<RunRecord>;
    async fn run(&self, ws: &str, program_id: &str) -> Result<Option<RunRecord>>;
    /// Takes the lease of a `running` run when no one else holds a live one (at `now`)
    /// and answers the record; `None` when the run is finished or another holds it. MUST
    /// answer `NotFound` when the program has no run record.
    async fn take_run(
        &self,
        ws: &str,
        program_id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<RunRecord>>;
    /// Checkpoints the record and, with a lease, renews it. MUST answer
    /// `Conflict(StaleVersion)` once the stored record is `completed` or `skipped` (a
    /// finished run is never reopened) or another holds the lease.
    async fn save_run(&self, ws: &str, record: &RunRecord, lease: Option<&Lease>) -> Result<()>;
    /// Records the participant's outcome once; a second claim (a retry, a racing run)
    /// MUST answer the first claim unchanged, and `NotFound` when not enrolled.
    async fn claim_outcome(&self, ws: &str, program_id: &str, user_id: &str, claim: &Claim) -> Result<Claim>;
    /// [`RunStore::claim_outcome`] for many participants, answered in order, in as few
    /// requests as the table allows (one transaction per 100 when none was claimed
    /// before). MUST answer `NotFound` when one is not enrolled; claims before it may
    /// stand then (each is recorded once all the same).
    async fn claim_outcomes(&self, ws: &str, program_id: &str, claims: &[(String, Claim)]) -> Result<Vec<Claim>>;
    /// Marks participants notified (with the error, if the email can never go); a mark
    /// is never overwritten. Answers how many marks this call set. MUST answer
    /// `NotFound` when one is not enrolled; marks before it may stand then.
    async fn mark_notified(&self, ws: &str, program_id: &str, marks: &[NotifyMark], at: DateTime<Utc>)
        -> Result<usize>;
    /// Marks when the run first failed each participant (`failing_since`); a mark is
    /// never overwritten. Answers how many this call set. MUST answer `NotFound` when one
    /// is not enrolled; marks before it may stand then.
    async fn mark_failing(&self, ws: &str, program_id: &str, user_ids: &[String], at: DateTime<Utc>) -> Result<usize>;
    /// Marks participants given up (`given_up_at`), as [`RunStore::mark_failing`] does.
    async fn give_up(&self, ws: &str, program_id: &str, user_ids: &[String], at: DateTime<Utc>) -> Result<usize>;
}

/// Queued nudges (SPEC 1.9): jobs the sweep finds without a scan, each worked under a
/// lease, and per participant a claim taken before the send and settled after it, so
/// the 24-hour mark is set only once the mail service accepted the email.
#[async_trait]
pub trait NudgeStore: Send + Sync {
    /// Stores a job for the sweep; MUST answer `Conflict` when its id exists.
    async fn queue_nudges(&self, ws: &str, job: &NudgeJob) -> Result<()>;
    /// Jobs queued at or before `until`, oldest first, as (workspace, job).
    async fn due_nudge_jobs(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, NudgeJob)>>;
    /// Takes the job's lease unless another holder's is live at `now`; `None` then, or
    /// when the job is gone (done).
    async fn take_nudge_job(&self, ws: &str, id: &str, lease: &Lease, now: DateTime<Utc>) -> Result<Option<NudgeJob>>;
    /// Checkpoints the job's `done` and the lease's `until`; MUST answer `Conflict` when
    /// the lease is no longer this one's.
    async fn save_nudge_job(&self, ws: &str, job: &NudgeJob, lease: &Lease) -> Result<()>;
    /// Removes a finished job; MUST answer `Conflict` when the lease is no longer this
    /// one's.
    async fn finish_nudge_job(&self, ws: &str, id: &str, lease: &Lease) -> Result<()>;
    /// Claims a participant's nudge with `claim` while their mark still reads `previous`
    /// and no other live claim holds it; `false` otherwise. MUST answer `NotFound` when
    /// not enrolled.
    async fn claim_nudge(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        previous: Option<DateTime<Utc>>,
        claim: &Lease,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Ends `claim`: with `sent_at`, the email was handed to the mail service and the mark
    /// is set; without, the participant stays nudgeable. `false` when the claim is no
    /// longer this one. MUST answer `NotFound` when not enrolled.
    async fn settle_nudge(
        &self,
        ws: &str,
        program_id: &str,
        user_id: &str,
        claim: &Lease,
        sent_at: Option<DateTime<Utc>>,
    ) -> Result<bool>;
}

/// Certificates, stored by id with the workspace they belong to.
#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// In one transaction: stores the certificate (once: an existing id answers
    /// `Ok(false)` and changes nothing), makes it the user's active certificate for its
    /// certification, and revokes the one that was active (`revoked_at`,
    /// `replaced_by`). A first certificate costs that one request. A concurrent swap
    /// MUST make this fail with `Conflict(StaleVersion)` rather than leave two active.
    /// Records `issued` by `actor` (and `replaced` on the one it replaces) in the same
    /// transaction.
    async fn issue_certificate(
        &self,
        ws: &str,
        certificate: &Certificate,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<bool>;
    /// By id alone (public verification), with its workspace; a missing one MUST be
    /// `Ok(None)`, not `NotFound`.
    async fn certificate(&self, id: &str) -> Result<Option<(String, Certificate)>>;
    /// A user's certificates in a workspace, newest issue first.
    async fn certificates_of(&self, ws: &str, user_id: &str) -> Result<Vec<Certificate>>;
    /// The id of the user's active certificate for a certification.
    async fn active_certificate(&self, ws: &str, user_id: &str, certification_id: &str) -> Result<Option<String>>;
    /// Revokes it (and clears the active pointer when it points at it). MUST answer
    /// `NotFound` for another workspace's or a missing one and `Conflict(AlreadyRevoked)`
    /// when it is revoked already, also when it got revoked (or replaced) between the
    /// read and the write. Records `revoked` by `actor` in the same transaction.
    async fn revoke_certificate(
        &self,
        ws: &str,
        id: &str,
        reason: &str,
        at: DateTime<Utc>,
        actor: &Actor,
    ) -> Result<Certificate>;
    /// One page of a certification's registry (SPEC 1.13): its certificates that `query`
    /// shows on `today`, in its order, read by an index (never every certificate of the
    /// workspace). MUST answer `NotFound` when the workspace has no such certification
    /// and `BadCursor` for a cursor a page of the same sort did not give out.
    async fn registry(
        &self,
        ws: &str,
        certification_id: &str,
        query: &RegistryQuery,
        today: NaiveDate,
        page: &PageRequest,
    ) -> Result<Page<Certificate>>;
    /// Records that the holder was sent the result email of a certificate issued by
    /// hand (a run records it with its notified mark instead).
    async fn record_emailed(&self, ws: &str, certificate_id: &str, at: DateTime<Utc>, actor: &Actor) -> Result<()>;
    /// Claims a workspace's `Idempotency-Key` for a request (its `fingerprint`) that
    /// will issue `certificate_id`, kept [`REQUEST_KEY_HOURS`] from `now`: the first
    /// claim stands and every later one, racing or retried, answers it; an expired
    /// claim is replaced.
    async fn claim_request_key(
        &self,
        ws: &str,
        key: &str,
        fingerprint: &str,
        certificate_id: &str,
        now: DateTime<Utc>,
    ) -> Result<RequestKey>;
    /// Its history, oldest first. MUST answer `NotFound` for another workspace's or a
    /// missing one and `BadCursor` for a cursor a page did not give out.
    async fn certificate_history(&self, ws: &str, id: &str, page: &PageRequest) -> Result<Page<HistoryEntry>>;
}
