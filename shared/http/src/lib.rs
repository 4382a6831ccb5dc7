//! Certify's HTTP API (SPEC 2-3): one axum router that every API Lambda function runs
//! through lambda_http, and that the local server runs too, so no handler exists twice.
//! Extraction (identity, bodies, paging, `If-Match`) and errors are written once
//! ([`extract`], [`error`]); a handler reads as its use case.

mod certificates;
mod certifications;
pub mod error;
pub mod extract;
mod nudges;
mod pipeline;
mod programs;
mod settings;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use std::future::Future;
use std::pin::Pin;

pub use certify_store::AppStore;
use chrono::{DateTime, Utc};

pub use error::ApiError;
pub use extract::{Identity, Role, VerifiedClaims};

/// The names of the claims that carry the workspace and the role (Cognito custom claims
/// are `custom:...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    pub workspace: String,
    pub role: String,
}

impl Default for ClaimNames {
    fn default() -> Self {
        ClaimNames {
            workspace: "workspace_id".into(),
            role: "role".into(),
        }
    }
}

pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What the handlers need, built once per cold start.
pub struct Deps {
    pub store: Arc<dyn AppStore>,
    /// Certificate PDFs and PNG previews, under `certificates/{workspace}/{id}.pdf|png`.
    pub blobs: Arc<dyn certify_blobs::BlobStore>,
    /// Reminders (nudges); the program-ended trigger sends its results the same way.
    pub mailer: Arc<dyn certify_mail::Mailer>,
    pub claims: ClaimNames,
    pub clock: Clock,
    /// Starts the program-ended trigger for a program an admin just ended.
    pub ender: Arc<dyn ProgramEnder>,
}

/// Starts the program-ended trigger for one program without waiting for it: an
/// asynchronous Lambda invoke on AWS, a background task locally.
#[async_trait::async_trait]
pub trait ProgramEnder: Send + Sync {
    async fn program_ending(&self, ws: &str, program_id: &str) -> anyhow::Result<()>;
}

type RunFn = dyn Fn(String, String) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Runs the trigger in this process as a background task (the local server, the
/// tests): `run(workspace, program)` is the trigger's own code.
pub struct Background {
    run: Box<RunFn>,
    tasks: tokio::sync::Mutex<tokio::task::JoinSet<()>>,
}

impl Background {
    pub fn new<F, Fut>(run: F) -> Background
    where
        F: Fn(String, String) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Background {
            run: Box::new(move |ws, id| Box::pin(run(ws, id))),
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
impl ProgramEnder for Background {
    async fn program_ending(&self, ws: &str, program_id: &str) -> anyhow::Result<()> {
        let mut tasks = self.tasks.lock().await;
        // Forget the finished ones, so a long-lived server keeps no list.
        while tasks.try_join_next().is_some() {}
        tasks.spawn((self.run)(ws.to_string(), program_id.to_string()));
        Ok(())
    }
}

impl Deps {
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// The parts of the API, one Lambda function each (so each has only the permissions
/// and the cold start its routes need).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Health, workspace settings, certification CRUD.
    Certifications,
    /// Programs, components, participants, progress, extensions.
    Programs,
    /// The pipeline view, its CSV, the in-program card, nudges.
    Pipeline,
    /// Certificates, verification, the completion banner, run records.
    Certificates,
}

impl Area {
    pub const ALL: [Area; 4] = [Area::Certifications, Area::Programs, Area::Pipeline, Area::Certificates];

    fn routes(self) -> Router<Arc<Deps>> {
        match self {
            Area::Certifications => Router::new()
                .route("/health", get(health))
                .merge(settings::routes())
                .merge(certifications::routes()),
            Area::Programs => programs::routes(),
            Area::Pipeline => pipeline::routes().merge(nudges::routes()),
            Area::Certificates => certificates::routes(),
        }
    }
}

fn finish(routes: Router<Arc<Deps>>, deps: Arc<Deps>) -> Router {
    routes
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .with_state(deps)
}

/// The routes of one area: what its Lambda function serves.
pub fn area_router(area: Area, deps: Arc<Deps>) -> Router {
    finish(area.routes(), deps)
}

/// The whole API in one router (the local server).
pub fn router(deps: Arc<Deps>) -> Router {
    let all = Area::ALL.iter().fold(Router::new(), |r, area| r.merge(area.routes()));
    finish(all, deps)
}

async fn health() -> (StatusCode, Json<serde_json::Value>) {
    (StatusCode::OK, Json(serde_json::json!({"status": "ok"})))
}

/// Certifications must be enabled in the caller's workspace (any role). Answers it.
pub(crate) async fn certifying<'a>(deps: &Deps, identity: &'a Identity) -> Result<&'a str, ApiError> {
    let ws = identity.workspace_id.as_str();
    if !deps.store.settings(ws).await?.certifications_enabled {
        return Err(ApiError::certifications_disabled());
    }
    Ok(ws)
}

/// An admin of a workspace where certifications are enabled: the gate of every
/// certification, pipeline and certificate route. Answers the workspace.
pub(crate) async fn certifying_admin<'a>(deps: &Deps, identity: &'a Identity) -> Result<&'a str, ApiError> {
    identity.require(&[Role::Admin])?;
    certifying(deps, identity).await
}
