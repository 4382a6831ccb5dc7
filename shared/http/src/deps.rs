//! What the handlers are given: [`Deps`], built once per cold start, the claim names
//! they read the caller from, and the two ports to the trigger's code: the one that
//! issues certificates by hand and draws previews ([`IssueAndDraw`]), and the one that
//! starts the background work the API hands over ([`StartTrigger`], with
//! [`Background`] for a trigger in this process).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use certify_store::AppStore;
use chrono::{DateTime, Utc};

use certify_rules::Work;

use crate::credentials;

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
    /// Issues certificates admins make by hand and draws previews (the trigger's own
    /// code, in process).
    pub issuer: Arc<dyn IssueAndDraw>,
    /// Signs the Open Badges credentials and status lists (KMS on AWS, a key file locally).
    pub signer: Arc<dyn certify_sign::Signer>,
    /// Status lists signed lately, served again for a few seconds.
    pub status_lists: credentials::StatusLists,
}

impl Deps {
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }
}

/// The trigger's own code that the API's routes call: issuing the certificates admins
/// make by hand, and drawing a certificate's preview when first asked for.
#[async_trait::async_trait]
pub trait IssueAndDraw: Send + Sync {
    /// Issues a certificate an admin made by hand: files, record, history and, when
    /// `notify`, the result email; answers whether this call issued it (`false`: issued
    /// already, by a retried or racing request with the same `Idempotency-Key`).
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

    /// What drawing the certificate warns of (SPEC 1.17): the characters no bundled font
    /// has, drawn as replacement marks.
    fn draw_warning(&self, certificate: &certify_rules::Certificate) -> Option<certify_rules::DrawWarning>;
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
