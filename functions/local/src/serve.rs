//! `certify-local serve`: the API router of the Lambda functions, on 127.0.0.1, over
//! local adapters: the embedded store (redb), files in a folder (served by signed
//! links), an outbox of `.eml` files; the trigger in background tasks and a sweep
//! every few seconds. A layer in front of the router checks local tokens, as API
//! Gateway's JWT authorizer does on AWS.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::{Path as UrlPath, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use certify_app::{InProcess, Ports};
use certify_blobs::{BlobStore, FileKind, FsBlobs};
use certify_events::JsonlPublisher;
use certify_http::{ApiError, AppStore, ClaimNames, Deps, VerifiedClaims};
use certify_mail::OutboxMailer;
use certify_rules::RunState;
use certify_sign::KeyFile;
use certify_store::{EmbeddedStore, EmbeddedTable};
use certify_trigger::{Settings, Trigger};
use chrono::Utc;
use tokio::net::TcpListener;

use crate::token::Keys;

/// The address local emails come from.
pub const SENDER: &str = "certificates@certify.local";

pub struct Options {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub sweep_every: Duration,
    /// Defaults to `http://{the address listened on}`.
    pub public_url: Option<String>,
    pub demo: bool,
}

/// A server ready to serve: its port is bound and its data folder open.
pub struct Server {
    listener: TcpListener,
    app: Router,
    trigger: Arc<Trigger>,
    sweep_every: Duration,
    address: SocketAddr,
    public_url: String,
    data: PathBuf,
    outbox: PathBuf,
}

/// The local adapters under one data folder.
pub struct Local {
    pub store: Arc<dyn AppStore>,
    pub trigger: Arc<Trigger>,
    pub keys: Arc<Keys>,
    pub public_url: String,
}

/// Binds the port and opens the data folder; every failure here names what went wrong
/// (a busy port, a folder that cannot be made or opened).
pub async fn prepare(options: Options) -> anyhow::Result<(Server, Local)> {
    let data = options.data_dir.as_path();
    std::fs::create_dir_all(data).with_context(|| format!("cannot create the data folder {}", data.display()))?;
    let listener = TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("cannot listen on {}", options.listen))?;
    let address = listener.local_addr().context("reading the address listened on")?;
    let public_url = options
        .public_url
        .map(|url| url.trim_end_matches('/').to_string())
        .unwrap_or_else(|| format!("http://{address}"));

    let keys = Arc::new(Keys::load(data)?);
    let database = data.join("certify.redb");
    let table = EmbeddedTable::open(&database).with_context(|| {
        format!(
            "cannot open {} (is another certify-local using it?)",
            database.display()
        )
    })?;
    let store: Arc<dyn AppStore> = Arc::new(EmbeddedStore::new(table));
    let released = release_dead_leases(store.as_ref(), Utc::now())
        .await
        .context("releasing the runs of a server that stopped")?;
    if released > 0 {
        tracing::warn!(runs = released, "resuming runs a server that stopped held");
    }
    let blobs = Arc::new(FsBlobs::new(data.join("files"), public_url.clone()));
    let outbox = data.join("outbox");
    let ports = Ports {
        store,
        blobs: blobs.clone(),
        mailer: Arc::new(OutboxMailer::new(&outbox, SENDER)),
        events: Some(Arc::new(JsonlPublisher::new(data.join("events.jsonl")))),
        clock: Arc::new(Utc::now),
        signer: Arc::new(
            KeyFile::open_or_create(&data.join("signing-key.pem")).context("the credentials' signing key")?,
        ),
    };
    let settings = Settings {
        public_url: public_url.clone(),
        // The outbox is a folder: no sending rate to keep to.
        send_rate: 0.0,
        // The embedded store writes an entry and its place in the index in one
        // transaction: nothing is on its way, so events go out at the next sweep.
        event_settle: Duration::ZERO,
        ..Settings::default()
    };
    let InProcess { deps, trigger, .. } = ports.in_process(ClaimNames::default(), settings);
    let app = app(deps, blobs, keys.clone());
    let server = Server {
        listener,
        app,
        trigger: trigger.clone(),
        sweep_every: options.sweep_every,
        address,
        public_url: public_url.clone(),
        data: data.to_path_buf(),
        outbox,
    };
    let local = Local {
        store: ports.store,
        trigger,
        keys,
        public_url,
    };
    Ok((server, local))
}

/// Unfinished runs looked at when the server starts; more than a local data folder holds.
const RUNS_AT_START: usize = 10_000;

/// Releases the lease of every unfinished run, so that the first sweep resumes it.
///
/// Only one process can have the database open (redb locks the file), so a lease found
/// here was taken by a server that is gone: killed, crashed or powered off mid-run. Left
/// alone, each such run would wait out its lease (two minutes past its last
/// checkpoint) before any sweep could take it over; on AWS that wait is what keeps two
/// live invocations apart, here there is no other invocation to wait for.
async fn release_dead_leases(store: &dyn AppStore, now: chrono::DateTime<Utc>) -> anyhow::Result<usize> {
    let every = now + chrono::Duration::days(3650);
    let mut released = 0;
    for (ws, program) in store.due_runs(every, RUNS_AT_START).await? {
        let Some(run) = store.run(&ws, &program.id).await? else {
            continue;
        };
        if run.state != RunState::Running {
            continue;
        }
        // A checkpoint without a lease writes the record as it is, holder removed.
        store.save_run(&ws, &run, None).await?;
        released += 1;
    }
    Ok(released)
}

impl Server {
    /// Serves until SIGINT or SIGTERM, sweeping meanwhile.
    pub async fn run(self) -> anyhow::Result<()> {
        tracing::info!(
            url = %self.public_url,
            listen = %self.address,
            data = %self.data.display(),
            outbox = %self.outbox.display(),
            "certify-local is serving"
        );
        let sweeper = tokio::spawn(sweep(self.trigger, self.sweep_every));
        let served = axum::serve(self.listener, self.app)
            .with_graceful_shutdown(stopped())
            .await
            .context("serving");
        sweeper.abort();
        tracing::info!("certify-local stopped");
        served
    }
}

/// The whole API, `/files/...` for the signed links, and the token check in front.
fn app(deps: Arc<Deps>, blobs: Arc<FsBlobs>, keys: Arc<Keys>) -> Router {
    let files = Router::new().route("/files/{*key}", get(file)).with_state(blobs);
    certify_http::router(deps)
        .merge(files)
        .layer(axum::middleware::from_fn_with_state(keys, authenticate))
}

/// Routes API Gateway serves without its authorizer, and the local file links: a token
/// there is not looked at.
fn is_public(path: &str) -> bool {
    certify_http::is_public(path) || path.starts_with("/files/")
}

/// Verifies `Authorization: Bearer <token>` and hands the router its claims. Without
/// the header the request goes on without claims and the router answers 401 where a
/// route needs someone; a bad token is answered 401 here, saying what is wrong.
async fn authenticate(State(keys): State<Arc<Keys>>, mut request: Request, next: Next) -> Response {
    if !is_public(request.uri().path()) {
        if let Some(header) = request.headers().get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| "the Authorization header must be `Bearer <token>`".to_string());
            match token.and_then(|t| keys.verify(t)) {
                Ok(claims) => {
                    request.extensions_mut().insert(VerifiedClaims(claims));
                }
                Err(problem) => return ApiError::unauthenticated(problem).into_response(),
            }
        }
    }
    next.run(request).await
}

/// `GET /files/{key}?expires=..&sig=..`: a link [`FsBlobs`] signed, until it expires.
async fn file(
    State(blobs): State<Arc<FsBlobs>>,
    UrlPath(key): UrlPath<String>,
    Query(link): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let expires = link.get("expires").and_then(|e| e.parse::<i64>().ok());
    let (Some(expires), Some(sig)) = (expires, link.get("sig")) else {
        return Err(ApiError::link_refused());
    };
    if !blobs.verify(&key, expires, sig, Utc::now()) {
        return Err(ApiError::link_refused());
    }
    let bytes = blobs
        .get(&key)
        .await
        .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?
        .ok_or_else(ApiError::not_found)?;
    let content_type = FileKind::of_key(&key).map_or("application/octet-stream", FileKind::content_type);
    Ok((
        [(CONTENT_TYPE, content_type), (CACHE_CONTROL, "private, no-store")],
        bytes,
    )
        .into_response())
}

/// Ends due programs and resumes unfinished runs, forever; a failed sweep is logged
/// and the next one tries again.
async fn sweep(trigger: Arc<Trigger>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match trigger.sweep(None).await {
            Ok(report) => {
                if !report.programs.is_empty() {
                    tracing::info!(programs = report.programs.len(), "sweep ran programs");
                }
            }
            Err(e) => tracing::error!(error = ?e, "sweep failed; retrying at the next tick"),
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
async fn stopped() {
    let interrupt = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = ?e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = ?e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_rules::RunRecord;
    use certify_store::{Lease, ProgramStore, RunStore};

    #[tokio::test]
    async fn a_run_held_by_a_server_that_stopped_is_free_at_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::new(EmbeddedTable::open(&dir.path().join("certify.redb")).unwrap());
        let now = Utc::now();
        let program = certify_fixtures::sample::program("p1", None, now);
        store.create_program("acme", &program).await.unwrap();
        store.begin_end("acme", "p1", now).await.unwrap();
        store.start_run("acme", &RunRecord::start("p1", now)).await.unwrap();
        let lease = |owner: &str| Lease {
            owner: owner.into(),
            until: now + chrono::Duration::minutes(2),
        };
        assert!(store
            .take_run("acme", "p1", &lease("killed"), now)
            .await
            .unwrap()
            .is_some());
        let restarted = lease("restarted");
        assert!(store.take_run("acme", "p1", &restarted, now).await.unwrap().is_none());

        assert_eq!(release_dead_leases(&store, now).await.unwrap(), 1);
        let taken = store.take_run("acme", "p1", &restarted, now).await.unwrap();
        assert_eq!(taken.map(|run| run.program_id), Some("p1".to_string()));
    }
}
