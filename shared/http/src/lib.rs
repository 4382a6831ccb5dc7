//! Certify's HTTP API (SPEC 2-3): one axum router that every API Lambda function runs
//! through lambda_http, and that the local server runs too, so no handler exists twice.
//! Who may call a handler is in its signature ([`identity`]: `Admin`, `CertifyingAdmin`,
//! `Member`, `Operator`, `Staff`); extraction of bodies, paging and `If-Match`
//! ([`extract`]), the answers ([`respond`]) and errors ([`error`]) are written once; a
//! handler reads as its use case, and the longer use cases (the completion banner,
//! nudges) are functions of their own over the ports.

mod by_hand;
mod certificates;
mod certifications;
mod completion;
mod credentials;
pub mod error;
pub mod extract;
pub mod identity;
mod nudges;
mod observe;
mod page;
mod pipeline;
mod programs;
mod public;
mod regenerations;
mod registry;
pub mod respond;
mod settings;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use certify_rules::Work;
pub use certify_store::AppStore;
use chrono::{DateTime, Utc};

pub use completion::{completion_banner, Banner};
pub use error::ApiError;
pub use identity::{Identity, VerifiedClaims};
pub use nudges::{queue_nudges, NudgeAnswer};

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

/// What the handlers need, built once per cold start.
pub struct Deps {
    pub store: Arc<dyn AppStore>,
    /// Certificate PDFs and PNG previews (`certificates/{workspace}/{id}.pdf|png`) and
    /// exports (`exports/{workspace}/...`).
    pub blobs: Arc<dyn certify_blobs::BlobStore>,
    pub claims: ClaimNames,
    /// The API's base URL (`PUBLIC_URL`), for the certificate's public links.
    pub public_url: String,
    pub clock: certify_rules::Clock,
    /// Starts the trigger's work the API hands over: a program an admin just ended,
    /// nudges just queued.
    pub starter: Arc<dyn StartTrigger>,
    /// Issues certificates admins make by hand (the trigger's own code, in process).
    pub issuer: Arc<dyn IssueByHand>,
    /// Signs the Open Badges credentials and status lists (KMS on AWS, a key file locally).
    pub signer: Arc<dyn certify_sign::Signer>,
    /// Status lists signed lately, served again for a few seconds.
    pub status_lists: credentials::StatusLists,
}

/// Issues a certificate an admin made by hand: files, record, history and, when
/// `notify`, the result email; answers whether this call issued it (`false`: issued
/// already, by a retried or racing request with the same `Idempotency-Key`).
#[async_trait::async_trait]
pub trait IssueByHand: Send + Sync {
    async fn issue_by_hand(
        &self,
        ws: &str,
        certificate: &certify_rules::Certificate,
        holder: &certify_rules::Participant,
        notify: bool,
        actor: &certify_rules::Actor,
    ) -> anyhow::Result<bool>;

    /// Draws a certificate's preview and stores it: the run stores only the PDF, and the
    /// preview is made when first asked for (the verification page, the preview links).
    async fn preview(&self, ws: &str, certificate: &certify_rules::Certificate) -> anyhow::Result<Vec<u8>>;
}

/// Starts the trigger: an asynchronous Lambda invoke on AWS, a background task locally.
/// When it cannot, the sweep does the work within a minute.
#[async_trait::async_trait]
pub trait StartTrigger: Send + Sync {
    async fn start(&self, work: Work) -> anyhow::Result<()>;
}

type RunFn = dyn Fn(Work) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync;

/// Runs the trigger in this process as a background task (the local server, the
/// tests): `run(work)` is the trigger's own code.
pub struct Background {
    run: Box<RunFn>,
    tasks: tokio::sync::Mutex<tokio::task::JoinSet<()>>,
}

impl Background {
    pub fn new<F, Fut>(run: F) -> Background
    where
        F: Fn(Work) -> Fut + Send + Sync + 'static,
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
    async fn start(&self, work: Work) -> anyhow::Result<()> {
        let mut tasks = self.tasks.lock().await;
        // Forget the finished ones, so a long-lived server keeps no list.
        while tasks.try_join_next().is_some() {}
        tasks.spawn((self.run)(work));
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
#[repr(u8)]
pub enum Area {
    /// Health, workspace settings, certification CRUD.
    Certifications = 0,
    /// Programs, components, participants, progress, extensions.
    Programs = 1,
    /// The pipeline view, its CSV, the in-program card, nudges.
    Pipeline = 2,
    /// Certificates, verification, the completion banner, run records, the registry,
    /// certifying by hand, regenerations.
    Certificates = 3,
    /// The Open Badges credentials, the issuer's DID document and the status lists: the
    /// one area that signs (`Area::signs`), so only its function may use the key.
    Credentials = 4,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::Certifications,
        Area::Programs,
        Area::Pipeline,
        Area::Certificates,
        Area::Credentials,
    ];

    /// The area numbered `n` (`Area::X as u8`): how a Lambda function names its area as
    /// a constant, for [`area_router_of`].
    ///
    /// # Panics
    /// When no area has that number (at compile time, in a constant).
    pub const fn numbered(n: u8) -> Area {
        match n {
            0 => Area::Certifications,
            1 => Area::Programs,
            2 => Area::Pipeline,
            3 => Area::Certificates,
            4 => Area::Credentials,
            _ => panic!("no area has this number"),
        }
    }

    /// The Lambda function serving the area: its package, binary and template resource stem.
    pub fn function(self) -> &'static str {
        match self {
            Area::Certifications => "certifications-api",
            Area::Programs => "programs-api",
            Area::Pipeline => "pipeline-api",
            Area::Certificates => "certificates-api",
            Area::Credentials => "credentials-api",
        }
    }

    /// Whether the area's routes issue or draw certificates (certifying by hand, a preview
    /// drawn when first asked for). Only its function links the renderer and the mail
    /// (`certify_app::serve_drawing`); the others are served without them
    /// (`certify_app::serve`), so they start faster and ship smaller.
    pub fn draws(self) -> bool {
        matches!(self, Area::Certificates)
    }

    /// Whether the area's routes sign (the credentials and status lists): only its
    /// function holds the signing key (`SIGNING_KEY_ID`).
    pub fn signs(self) -> bool {
        matches!(self, Area::Credentials)
    }

    // Inlined so that, called with a constant (`area_router_of`), only that area's arm
    // (and its handlers) is compiled into the function.
    #[inline(always)]
    fn routes(self) -> Router<Arc<Deps>> {
        match self {
            Area::Certifications => Router::new()
                .route("/health", get(health))
                .merge(settings::routes())
                .merge(certifications::routes()),
            Area::Programs => programs::routes(),
            Area::Pipeline => pipeline::routes().merge(nudges::routes()),
            Area::Certificates => certificates::routes()
                .merge(public::routes())
                .merge(registry::routes())
                .merge(regenerations::routes()),
            Area::Credentials => credentials::routes(),
        }
    }
}

fn finish(routes: Router<Arc<Deps>>, deps: Arc<Deps>) -> Router {
    routes
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(deps.clone(), observe::observe))
        .with_state(deps)
}

/// The routes of one area: what its Lambda function serves.
pub fn area_router(area: Area, deps: Arc<Deps>) -> Router {
    finish(area.routes(), deps)
}

/// [`area_router`] for an area fixed when the function is compiled (`Area::X as u8`):
/// a Lambda function's binary then holds only its own area's handlers, not every
/// area's (the certificates API's package would grow past 5 MB with them).
pub fn area_router_of<const AREA: u8>(deps: Arc<Deps>) -> Router {
    finish(const { Area::numbered(AREA) }.routes(), deps)
}

/// The whole API in one router (the local server).
pub fn router(deps: Arc<Deps>) -> Router {
    let all = Area::ALL.iter().fold(Router::new(), |r, area| r.merge(area.routes()));
    finish(all, deps)
}

async fn health() -> (StatusCode, Json<serde_json::Value>) {
    (StatusCode::OK, Json(serde_json::json!({"status": "ok"})))
}

/// The routes API Gateway serves without its authorizer (SPEC 3, "public"); every other
/// route needs a signed-in caller. The template's `Authorizer: NONE` events are held to
/// this list by a test.
pub const PUBLIC_ROUTES: [&str; 7] = [
    "/health",
    "/verify/{id}",
    "/verify/{id}/certificate.pdf",
    "/verify/{id}/preview.png",
    "/verify/{id}/credential",
    "/.well-known/did.json",
    "/status/{list}",
];

/// Whether a request path is one of [`PUBLIC_ROUTES`] (a `{name}` segment matches any
/// one segment).
pub fn is_public(path: &str) -> bool {
    PUBLIC_ROUTES.iter().any(|route| {
        let (mut want, mut have) = (route.split('/'), path.split('/'));
        loop {
            match (want.next(), have.next()) {
                (None, None) => return true,
                (Some(w), Some(h)) if w == h || (w.starts_with('{') && !h.is_empty()) => {}
                _ => return false,
            }
        }
    })
}

/// A fresh random id for a new resource.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_paths_are_health_and_verification_only() {
        assert!(is_public("/health"));
        assert!(is_public("/verify/abc"));
        assert!(is_public("/verify/abc/certificate.pdf") && is_public("/verify/abc/preview.png"));
        assert!(is_public("/verify/abc/credential") && is_public("/.well-known/did.json") && is_public("/status/1"));
        for path in [
            "/verify/",
            "/verify/a/b",
            "/verify/a/certificate.png",
            "/verify",
            "/status",
            "/status/1/x",
            "/.well-known/other.json",
            "/healthz",
            "/certificates/abc",
            "/",
        ] {
            assert!(!is_public(path), "{path}");
        }
    }
}
