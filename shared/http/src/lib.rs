//! Certify's HTTP API (SPEC 2-3): one axum router that every API Lambda function runs
//! through lambda_http, and that the local server runs too, so no handler exists twice.
//! Who may call a handler is in its signature ([`identity`]: `Admin`, `CertifyingAdmin`,
//! `Member`, `Operator`, `Staff`); extraction of bodies, paging and `If-Match`
//! ([`extract`]), the answers ([`respond`]) and errors ([`error`]) are written once; a
//! handler reads as its use case, and the longer use cases (the completion banner,
//! nudges) are functions of their own over the ports.

mod area;
mod by_hand;
mod certificates;
mod certifications;
mod completion;
mod credentials;
mod deps;
pub mod error;
mod export;
pub mod extract;
pub mod identity;
mod nudges;
mod observe;
mod page;
mod pipeline;
mod programs;
mod public;
mod regeneration;
mod registry;
pub mod respond;
mod settings;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::Router;
pub use certify_store::AppStore;

pub use area::{area_router, area_router_of, is_public, Area, PUBLIC_ROUTES};
pub use completion::{completion_banner, Banner};
pub use deps::{ClaimNames, Deps, IssueAndDraw};
pub use error::ApiError;
pub use identity::{Identity, VerifiedClaims};
pub use nudges::{queue_nudges, NudgeAnswer};

/// Work the API hands the trigger, started without waiting for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerWork {
    /// End this program (already `ending`) and run its certification.
    EndProgram { ws: String, program_id: String },
    /// Send these queued nudge jobs.
    SendNudges { ws: String, job_ids: Vec<String> },
}

/// Starts the trigger: an asynchronous Lambda invoke on AWS, a background task locally.
/// When it cannot, the sweep does the work within a minute.
#[async_trait::async_trait]
pub trait StartTrigger: Send + Sync {
    async fn start(&self, work: TriggerWork) -> anyhow::Result<()>;
}

type RunFn = dyn Fn(TriggerWork) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Runs the trigger in this process as a background task (the local server, the
/// tests): `run(work)` is the trigger's own code.
pub struct Background {
    run: Box<RunFn>,
    tasks: tokio::sync::Mutex<tokio::task::JoinSet<()>>,
}

impl Background {
    pub fn new<F, Fut>(run: F) -> Background
    where
        F: Fn(TriggerWork) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Background {
            run: Box::new(move |work| Box::pin(run(work))),
            tasks: tokio::sync::Mutex::new(tokio::task::JoinSet::new()),
        }
    }

    /// Waits until every run started so far has finished.
    pub async fn settle(&self) {
        let mut tasks = self.tasks.lock().await;
        while tasks.join_next().await.is_some() {}
    }
}

#[async_trait::async_trait]
impl StartTrigger for Background {
    async fn start(&self, work: TriggerWork) -> anyhow::Result<()> {
        let mut tasks = self.tasks.lock().await;
        // Forget the finished ones, so a long-lived server keeps no list.
        while tasks.try_join_next().is_some() {}
        tasks.spawn((self.run)(work));
        Ok(())
    }
}

/// The whole API in one router (the local server).
pub fn router(deps: Arc<Deps>) -> Router {
    let all = Area::ALL.iter().fold(Router::new(), |r, area| r.merge(area.routes()));
    area::finish(all, deps)
}

/// A fresh random id for a new resource.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
