//! Wiring, written once: [`Ports`] (the store, files, mail and clock) and what is built
//! from them, the trigger and the handlers' [`Deps`], for the Lambda functions, the
//! local server and the tests alike. For the Lambda functions: configuration read once
//! from the environment into typed values ([`Config`]; a missing variable fails the
//! cold start, naming it), AWS clients built once. Local endpoints come from the SDK's own
//! `AWS_ENDPOINT_URL`; nothing here knows whether it runs locally.

use std::sync::{Arc, OnceLock};

use certify_blobs::BlobStore;
use certify_events::Publisher;
use certify_http::{Background, ClaimNames, Deps, IssueAndDraw, StartTrigger};
use certify_mail::Mailer;
use certify_rules::Clock;
use certify_sign::Signer;
use certify_store::AppStore;
use certify_trigger::{Settings, Trigger};

#[cfg(feature = "aws")]
mod aws;
mod config;
#[cfg(feature = "aws")]
pub use aws::{
    deps_from_env, drawing_deps_from_env, sdk_config, serve, serve_drawing, serve_signing, serve_trigger,
    signing_deps_from_env, trigger_from_env, InvokeTrigger,
};
pub use config::Config;

/// The ports every part of Certify runs on (the store, the files, the mail, the events
/// and the clock) and what is built from them: the trigger and the API's dependencies. The
/// Lambda functions, the local server and the tests all wire through here, so each is
/// wired once.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn AppStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    /// Where the trigger publishes committed history as events; `None` where a trigger
    /// never sweeps (the certificates API issues by hand and draws, and publishes nothing).
    pub events: Option<Arc<dyn Publisher>>,
    pub clock: Clock,
    /// Signs the Open Badges credentials and status lists.
    pub signer: Arc<dyn Signer>,
}

/// The API with the trigger in the same process (the local server, the tests): an
/// ended program runs as a background task.
pub struct InProcess {
    pub deps: Arc<Deps>,
    pub trigger: Arc<Trigger>,
    /// The background runs `POST /programs/{id}/end` starts ([`Background::settle`]
    /// waits for them).
    pub starter: Arc<Background>,
}

impl Ports {
    /// The program-ended trigger over these ports, drawing certificates with the
    /// bundled template.
    pub fn trigger(&self, settings: Settings) -> Trigger {
        let trigger = Trigger::new(
            self.store.clone(),
            self.blobs.clone(),
            self.mailer.clone(),
            Arc::new(certify_render::Renderer::new()),
            settings,
            self.clock.clone(),
        );
        match &self.events {
            Some(publisher) => trigger.with_publisher(publisher.clone()),
            None => trigger,
        }
    }

    /// The API's dependencies; `starter` starts the trigger's work (a program an admin
    /// ended, nudges queued). Certifying by hand and previews go through a trigger made
    /// on first use.
    pub fn deps(&self, claims: ClaimNames, public_url: &str, starter: Arc<dyn StartTrigger>) -> Deps {
        let mut deps = deps_without_drawing(
            self.store.clone(),
            self.blobs.clone(),
            self.clock.clone(),
            claims,
            public_url,
            starter,
        );
        deps.signer = self.signer.clone();
        let settings = Settings {
            public_url: deps.public_url.clone(),
            ..Settings::default()
        };
        deps.issuer = Arc::new(TriggerIssuer {
            ports: self.clone(),
            settings,
            trigger: OnceLock::new(),
        });
        deps
    }

    /// The API and the trigger in this process; a failed background run is logged and
    /// left for the sweep, as on AWS.
    pub fn in_process(&self, claims: ClaimNames, settings: Settings) -> InProcess {
        let settings_url = settings.public_url.clone();
        let trigger = Arc::new(self.trigger(settings));
        let runs = trigger.clone();
        let starter = Arc::new(Background::new(move |work| {
            let trigger = runs.clone();
            async move {
                // The same dispatch as the Lambda function's (`Trigger::work`).
                match trigger.work(work.clone(), None).await {
                    Ok(report) => tracing::info!(
                        ?work,
                        states = ?report.programs.iter().map(|p| p.state).collect::<Vec<_>>(),
                        nudges_sent = report.nudges_sent,
                        errors = ?report.errors,
                        "background work done"
                    ),
                    Err(e) => tracing::error!(?work, error = ?e, "background work failed; the sweep retries it"),
                }
            }
        }));
        let mut deps = self.deps(claims, &settings_url, starter.clone());
        // Certifying by hand goes through this process's trigger, with its settings.
        deps.issuer = Arc::new(TriggerIssuer {
            ports: self.clone(),
            settings: trigger.settings.clone(),
            trigger: OnceLock::from(trigger.clone()),
        });
        let deps = Arc::new(deps);
        InProcess { deps, trigger, starter }
    }
}

/// The trigger, in this process, issuing certificates admins make by hand and drawing
/// previews when first asked for; made on first use, so an API function that does
/// neither never loads the renderer.
struct TriggerIssuer {
    ports: Ports,
    settings: Settings,
    trigger: OnceLock<Arc<Trigger>>,
}

impl TriggerIssuer {
    fn trigger(&self) -> &Trigger {
        self.trigger
            .get_or_init(|| Arc::new(self.ports.trigger(self.settings.clone())))
    }
}

#[async_trait::async_trait]
impl IssueAndDraw for TriggerIssuer {
    async fn issue_by_hand(
        &self,
        ws: &str,
        certificate: &certify_rules::Certificate,
        holder: &certify_rules::Participant,
        notify: bool,
        actor: &certify_rules::Actor,
    ) -> anyhow::Result<bool> {
        self.trigger()
            .issue_by_hand(ws, certificate, holder, notify, actor)
            .await
    }

    async fn preview(&self, ws: &str, certificate: &certify_rules::Certificate) -> anyhow::Result<Vec<u8>> {
        self.trigger().preview(ws, certificate).await
    }

    fn draw_warning(&self, certificate: &certify_rules::Certificate) -> Option<certify_rules::DrawWarning> {
        self.trigger().draw_warning(certificate)
    }
}

/// The API's dependencies for a function whose routes neither issue nor draw
/// certificates (`Area::draws`): the store and the files, no renderer, no mail.
pub fn deps_without_drawing(
    store: Arc<dyn AppStore>,
    blobs: Arc<dyn BlobStore>,
    clock: Clock,
    claims: ClaimNames,
    public_url: &str,
    starter: Arc<dyn StartTrigger>,
) -> Deps {
    Deps {
        issuer: Arc::new(DrawsNothing),
        public_url: public_url.trim_end_matches('/').to_string(),
        store,
        blobs,
        claims,
        clock,
        starter,
        signer: Arc::new(SignsNothing),
        status_lists: Default::default(),
    }
}

/// The signer of a function that serves no route signing credentials: an error if ever
/// asked, which the routes of its area never do.
pub struct SignsNothing;

#[async_trait::async_trait]
impl Signer for SignsNothing {
    async fn public_key(&self) -> anyhow::Result<certify_sign::PublicKey> {
        anyhow::bail!("this function holds no signing key (SIGNING_KEY_ID)")
    }

    async fn previous_keys(&self) -> anyhow::Result<Vec<certify_sign::PublicKey>> {
        anyhow::bail!("this function holds no signing key (SIGNING_KEY_ID)")
    }

    async fn sign(&self, _message: &[u8]) -> anyhow::Result<[u8; 64]> {
        anyhow::bail!("this function holds no signing key (SIGNING_KEY_ID)")
    }
}

/// The issuer of a function that serves no route issuing or drawing certificates: an
/// error if ever asked, which the routes of its area never do.
struct DrawsNothing;

#[async_trait::async_trait]
impl IssueAndDraw for DrawsNothing {
    async fn issue_by_hand(
        &self,
        _: &str,
        _: &certify_rules::Certificate,
        _: &certify_rules::Participant,
        _: bool,
        _: &certify_rules::Actor,
    ) -> anyhow::Result<bool> {
        anyhow::bail!("this function does not issue certificates (certify_http::Area::draws)")
    }

    async fn preview(&self, _: &str, _: &certify_rules::Certificate) -> anyhow::Result<Vec<u8>> {
        anyhow::bail!("this function does not draw certificates (certify_http::Area::draws)")
    }

    /// Nothing is drawn, so nothing warns.
    fn draw_warning(&self, _: &certify_rules::Certificate) -> Option<certify_rules::DrawWarning> {
        None
    }
}
