//! Certify's background work, one crate for all of it (SPEC 1.8-1.15, 4): program ends
//! and their certification runs, queued nudges, expiry reminders, regenerations,
//! certificates by hand, and publishing the committed history as events. The same code
//! serves the Lambda function (`functions/program-ended`) and the local server's
//! background task.
//!
//! - `invocation`: what an invocation is asked ([`Invocation`]: the sweep, or the API's
//!   [`certify_rules::Work`]), and [`Trigger::handle`] / [`Trigger::work`], where every
//!   invocation comes in.
//! - `sweep`: the every-minute sweep, in order of what must not wait.
//! - `program_end` and `run`: a program's end, and its [`Run`] as steps: per participant
//!   claim the outcome -> render the certificate -> store the PDF -> issue it in one
//!   transaction -> email -> mark notified.
//! - `nudges`, `reminders`, `regeneration`, `events`, `by_hand`: the other kinds of
//!   work; `mail`, `pace` and `deadline` how they all send and when they stop.
//! - `report`: what an invocation did ([`Report`]), its metrics and log line.
//!
//! Every step is idempotent or guarded by a conditional write, so a crash at any point
//! and a rerun, or two runs at once, end as one clean run would. Work is checkpointed
//! (a run's per chunk of participants), stops before the deadline, and the next sweep
//! resumes it. Only the holder of a lease sends emails.

mod by_hand;
mod deadline;
mod events;
mod invocation;
mod mail;
mod metrics;
mod nudges;
mod pace;
mod program_end;
mod regeneration;
mod reminders;
mod report;
mod run;
mod settings;
mod sweep;

use std::sync::Arc;

use certify_blobs::BlobStore;
use certify_mail::Mailer;
use certify_rules::{BadWork, Certificate, Clock};
use certify_store::{AppStore, StoreError};
use chrono::{DateTime, Utc};

pub(crate) use deadline::Deadline;
pub use invocation::Invocation;
use metrics::Tally;
use pace::Pacer;
pub use report::{ProgramReport, Report};
pub use run::{Opened, Run, Step};
pub use settings::Settings;

/// Draws a certificate's PDF and PNG preview (one template, two outputs).
pub trait Render: Send + Sync {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>>;
    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>>;
    /// The characters of its texts no bundled font has (SPEC 1.17), each once.
    fn uncovered(&self, certificate: &Certificate, verify_url: &str) -> Vec<char>;
}

impl Render for certify_render::Renderer {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(certify_render::Renderer::pdf(self, certificate, verify_url)?)
    }

    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(certify_render::Renderer::png(self, certificate, verify_url)?)
    }

    fn uncovered(&self, certificate: &Certificate, verify_url: &str) -> Vec<char> {
        certify_render::Renderer::uncovered(self, certificate, verify_url)
    }
}

/// The trigger's dependencies, built once per cold start.
pub struct Trigger {
    pub store: Arc<dyn AppStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    pub render: Arc<dyn Render>,
    pub settings: Settings,
    pub clock: Clock,
    pacer: Pacer,
    /// What this invocation did, counted as it goes, for its metrics.
    tally: Tally,
    /// Where committed history goes out as events ([`Trigger::with_publisher`]).
    publisher: Option<Arc<dyn certify_events::Publisher>>,
}

/// Why an event could not be handled. Nothing was changed by a [`TriggerError::BadEvent`]
/// or a [`TriggerError::NoSuchProgram`].
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    #[error(transparent)]
    BadEvent(#[from] BadWork),
    #[error("no program {program_id} in workspace {workspace_id}")]
    NoSuchProgram { workspace_id: String, program_id: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TriggerError {
    /// The error's kind, as CloudWatch shows it for a failed invocation.
    pub fn kind(&self) -> &'static str {
        match self {
            TriggerError::BadEvent(_) => "BadEvent",
            TriggerError::NoSuchProgram { .. } => "NoSuchProgram",
            TriggerError::Store(_) => "StoreError",
        }
    }
}

/// A failed invocation as Lambda reports it: the kind as the error type (not a boxed
/// type name), the message (with its causes) as the message.
#[cfg(feature = "lambda")]
impl From<TriggerError> for lambda_runtime::Diagnostic {
    fn from(error: TriggerError) -> Self {
        lambda_runtime::Diagnostic {
            error_type: error.kind().to_string(),
            error_message: format!("{:#}", anyhow::Error::new(error)),
        }
    }
}

impl Trigger {
    pub fn new(
        store: Arc<dyn AppStore>,
        blobs: Arc<dyn BlobStore>,
        mailer: Arc<dyn Mailer>,
        render: Arc<dyn Render>,
        settings: Settings,
        clock: Clock,
    ) -> Trigger {
        let pacer = Pacer::new(settings.send_rate);
        Trigger {
            store,
            blobs,
            mailer,
            render,
            settings,
            clock,
            pacer,
            tally: Tally::default(),
            publisher: None,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// An invocation's deadline (`at`, on the trigger's clock; none locally) with the
    /// configured margin.
    pub(crate) fn deadline(&self, at: Option<DateTime<Utc>>) -> Deadline {
        Deadline::new(at, self.settings.margin)
    }
}
