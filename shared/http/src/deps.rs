//! What the handlers are given: [`Deps`], built once per cold start, the claim names
//! they read the caller from, and the port to the trigger's code that issues
//! certificates by hand and draws previews ([`IssueAndDraw`]).

use std::sync::Arc;

use certify_store::AppStore;
use chrono::{DateTime, Utc};

use crate::{credentials, StartTrigger};

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
}
