//! Wiring, written once: [`Ports`] (the store, files, mail and clock) and what is built
//! from them, the trigger and the handlers' [`Deps`], for the Lambda functions, the
//! local server and the tests alike. For the Lambda functions: configuration read once
//! from the environment into typed values (a missing variable fails the cold start,
//! naming it), AWS clients built once. Local endpoints come from the SDK's own
//! `AWS_ENDPOINT_URL`; nothing here knows whether it runs locally.

use std::sync::{Arc, OnceLock};

use anyhow::Context;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use certify_blobs::BlobStore;
use certify_events::Publisher;
use certify_http::{Area, Background, ClaimNames, Deps, IssueByHand, StartTrigger, TriggerWork};
use certify_mail::Mailer;
use certify_rules::Clock;
use certify_store::{AppStore, DynamoStore, DynamoTable};
use certify_trigger::{Settings, Trigger};

/// Configuration of the API functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table_name: String,
    /// `BUCKET_NAME`: the S3 bucket of certificate files.
    pub bucket_name: String,
    /// `SENDER_EMAIL`: the verified SES identity emails come from.
    pub sender: String,
    /// `WORKSPACE_CLAIM` (default `workspace_id`) and `ROLE_CLAIM` (default `role`).
    pub claims: ClaimNames,
    /// `TRIGGER_FUNCTION`: the program-ended function that `POST /programs/{id}/end` and
    /// `POST /certifications/{id}/nudges` invoke; without it, the next sweep does the work.
    pub trigger_function: Option<String>,
    /// `PUBLIC_URL` (default `http://127.0.0.1:3000`): the API's base URL, for the
    /// links in emails and the certificate's QR code.
    pub public_url: String,
    /// `SEND_RATE` (default 10): emails per second.
    pub send_rate: f64,
    /// `EVENT_BUS` (default `default`): the EventBridge bus, by name or ARN, events go
    /// to (SPEC 1.15).
    pub event_bus: String,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let required = |name: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .with_context(|| format!("the environment variable {name} must be set"))
        };
        let defaults = ClaimNames::default();
        Ok(Config {
            table_name: required("TABLE_NAME")?,
            bucket_name: required("BUCKET_NAME")?,
            sender: required("SENDER_EMAIL")?,
            claims: ClaimNames {
                workspace: lookup("WORKSPACE_CLAIM").unwrap_or(defaults.workspace),
                role: lookup("ROLE_CLAIM").unwrap_or(defaults.role),
            },
            trigger_function: lookup("TRIGGER_FUNCTION").filter(|v| !v.trim().is_empty()),
            public_url: lookup("PUBLIC_URL")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| Settings::default().public_url),
            send_rate: match lookup("SEND_RATE") {
                None => Settings::default().send_rate,
                Some(rate) => rate
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|r| r.is_finite() && *r > 0.0)
                    .with_context(|| {
                        format!("SEND_RATE must be a positive number of emails per second, not {rate:?}")
                    })?,
            },
            event_bus: lookup("EVENT_BUS")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "default".into()),
        })
    }
}

/// The SDK configuration with the one HTTP client every AWS client shares (hyper and
/// rustls with ring; the SDK crates are built without a default client).
pub async fn sdk_config() -> aws_config::SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await
}

/// The ports every part of Certify runs on (the store, the files, the mail, the events
/// and the clock) and what is built from them: the trigger and the API's dependencies. The
/// Lambda functions, the local server and the tests all wire through here, so each is
/// wired once.
#[derive(Clone)]
pub struct Ports {
    pub store: Arc<dyn AppStore>,
    pub blobs: Arc<dyn BlobStore>,
    pub mailer: Arc<dyn Mailer>,
    /// Where the trigger publishes committed history as events.
    pub events: Arc<dyn Publisher>,
    pub clock: Clock,
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
    /// DynamoDB, S3 and SES, with the real clock.
    pub fn aws(sdk: &aws_config::SdkConfig, config: &Config) -> Ports {
        let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(sdk), config.table_name.clone());
        Ports {
            store: Arc::new(DynamoStore::new(table)),
            blobs: Arc::new(certify_blobs::S3Blobs::new(
                aws_sdk_s3::Client::new(sdk),
                config.bucket_name.clone(),
            )),
            mailer: Arc::new(certify_mail::SesMailer::new(
                aws_sdk_sesv2::Client::new(sdk),
                config.sender.clone(),
            )),
            events: Arc::new(certify_events::EventBridgePublisher::new(
                aws_sdk_eventbridge::Client::new(sdk),
                config.event_bus.clone(),
            )),
            clock: Arc::new(chrono::Utc::now),
        }
    }

    /// The program-ended trigger over these ports, drawing certificates with the
    /// bundled template.
    pub fn trigger(&self, settings: Settings) -> Trigger {
        Trigger::new(
            self.store.clone(),
            self.blobs.clone(),
            self.mailer.clone(),
            Arc::new(certify_render::Renderer::new()),
            settings,
            self.clock.clone(),
        )
        .with_publisher(self.events.clone())
    }

    /// The API's dependencies; `starter` starts the trigger's work (a program an admin
    /// ended, nudges queued).
    pub fn deps(&self, claims: ClaimNames, public_url: &str, starter: Arc<dyn StartTrigger>) -> Deps {
        let public_url = public_url.trim_end_matches('/').to_string();
        let settings = Settings {
            public_url: public_url.clone(),
            ..Settings::default()
        };
        Deps {
            issuer: Arc::new(TriggerIssuer {
                ports: self.clone(),
                settings,
                trigger: OnceLock::new(),
            }),
            public_url,
            store: self.store.clone(),
            blobs: self.blobs.clone(),
            claims,
            clock: self.clock.clone(),
            starter,
        }
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
                match work {
                    TriggerWork::EndProgram { ws, program_id: id } => match trigger.end_program(&ws, &id, None).await {
                        Ok(report) => {
                            tracing::info!(workspace = %ws, program = %id, state = ?report.state, "program run")
                        }
                        Err(e) => {
                            tracing::error!(workspace = %ws, program = %id, error = ?e, "program run failed; the sweep retries it")
                        }
                    },
                    TriggerWork::SendNudges { ws, job_ids } => {
                        let report = trigger.send_nudge_jobs(&ws, job_ids, None).await;
                        tracing::info!(workspace = %ws, sent = report.nudges_sent, errors = ?report.errors, "nudges sent");
                    }
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

/// The handlers' dependencies on AWS, from the environment.
pub async fn deps_from_env() -> anyhow::Result<Arc<Deps>> {
    let config = Config::from_env()?;
    let sdk = sdk_config().await;
    let starter: Arc<dyn StartTrigger> = match &config.trigger_function {
        Some(function) => Arc::new(InvokeTrigger {
            client: aws_sdk_lambda::Client::new(&sdk),
            function: function.clone(),
        }),
        None => Arc::new(SweepWillRun),
    };
    Ok(Arc::new(Ports::aws(&sdk, &config).deps(
        config.claims,
        &config.public_url,
        starter,
    )))
}

/// The trigger, in this process, issuing certificates admins make by hand; made on
/// first use, so an API function that never certifies by hand never loads the renderer.
struct TriggerIssuer {
    ports: Ports,
    settings: Settings,
    trigger: OnceLock<Arc<Trigger>>,
}

#[async_trait::async_trait]
impl IssueByHand for TriggerIssuer {
    async fn issue_by_hand(
        &self,
        ws: &str,
        certificate: &certify_rules::Certificate,
        holder: &certify_rules::Participant,
        notify: bool,
        actor: &certify_rules::Actor,
    ) -> anyhow::Result<bool> {
        let trigger = self
            .trigger
            .get_or_init(|| Arc::new(self.ports.trigger(self.settings.clone())));
        trigger.issue_by_hand(ws, certificate, holder, notify, actor).await
    }
}

/// Starts the trigger by an asynchronous Lambda invoke (InvocationType `Event`) with a
/// direct event: `{"workspace_id", "program_id"}` or `{"workspace_id", "nudge_jobs"}`.
pub struct InvokeTrigger {
    pub client: aws_sdk_lambda::Client,
    pub function: String,
}

/// The trigger's direct event for `work` (its `Event::parse` reads it back).
pub fn direct_event(work: &TriggerWork) -> serde_json::Value {
    match work {
        TriggerWork::EndProgram { ws, program_id } => {
            serde_json::json!({"workspace_id": ws, "program_id": program_id})
        }
        TriggerWork::SendNudges { ws, job_ids } => serde_json::json!({"workspace_id": ws, "nudge_jobs": job_ids}),
    }
}

#[async_trait::async_trait]
impl StartTrigger for InvokeTrigger {
    async fn start(&self, work: TriggerWork) -> anyhow::Result<()> {
        let event = direct_event(&work);
        self.client
            .invoke()
            .function_name(&self.function)
            .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
            .payload(aws_sdk_lambda::primitives::Blob::new(serde_json::to_vec(&event)?))
            .send()
            .await
            .with_context(|| format!("invoking {}", self.function))?;
        Ok(())
    }
}

/// No trigger function configured: the sweep does the work within a minute.
struct SweepWillRun;

#[async_trait::async_trait]
impl StartTrigger for SweepWillRun {
    async fn start(&self, work: TriggerWork) -> anyhow::Result<()> {
        tracing::warn!(?work, "TRIGGER_FUNCTION is not set; the sweep will do it");
        Ok(())
    }
}

/// The program-ended trigger on AWS, from the environment.
pub async fn trigger_from_env() -> anyhow::Result<Trigger> {
    let config = Config::from_env()?;
    let sdk = sdk_config().await;
    let settings = Settings {
        public_url: config.public_url.clone(),
        send_rate: config.send_rate,
        ..Settings::default()
    };
    Ok(Ports::aws(&sdk, &config).trigger(settings))
}

/// The program-ended Lambda function: the trigger built once per cold start, each
/// event handled before the invocation's deadline (read as time left, placed on the
/// trigger's clock). A refused event fails the invocation with its kind as the error
/// type (and, invoked asynchronously, goes to the on-failure destination).
pub async fn serve_trigger() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let trigger = Arc::new(trigger_from_env().await?);
    lambda_runtime::run(lambda_runtime::service_fn(
        move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
            let trigger = trigger.clone();
            async move {
                let left = event
                    .context
                    .deadline()
                    .duration_since(std::time::SystemTime::now())
                    .unwrap_or_default();
                let deadline = trigger.now() + chrono::Duration::from_std(left).unwrap_or_default();
                trigger.handle(event.payload, Some(deadline)).await
            }
        },
    ))
    .await
}

/// A Lambda function serving one area of the API: JSON logs tagged with the request
/// id, dependencies built once per cold start, then the area's router.
pub async fn serve(area: Area) -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let deps = deps_from_env().await?;
    lambda_http::run(certify_http::area_router(area, deps)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_table_name_fails_naming_it_and_claim_names_default() {
        let err = Config::from_lookup(|_| None).unwrap_err();
        assert!(err.to_string().contains("TABLE_NAME"), "{err}");
        let err = Config::from_lookup(|n| (n == "TABLE_NAME").then(|| "t".to_string())).unwrap_err();
        assert!(err.to_string().contains("BUCKET_NAME"), "{err}");
        let err =
            Config::from_lookup(|n| matches!(n, "TABLE_NAME" | "BUCKET_NAME").then(|| "t".to_string())).unwrap_err();
        assert!(err.to_string().contains("SENDER_EMAIL"), "{err}");
        let config = Config::from_lookup(|n| {
            matches!(n, "TABLE_NAME" | "BUCKET_NAME" | "SENDER_EMAIL").then(|| "t".to_string())
        })
        .unwrap();
        assert_eq!(config.claims, ClaimNames::default());
        let cognito = Config::from_lookup(|n| match n {
            "TABLE_NAME" | "BUCKET_NAME" | "SENDER_EMAIL" => Some("t".into()),
            "WORKSPACE_CLAIM" => Some("custom:workspace".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(cognito.claims.workspace, "custom:workspace");
    }

    #[tokio::test]
    async fn ending_a_program_invokes_the_trigger_asynchronously_with_the_direct_event() {
        let response = lambda_http::http::Response::builder()
            .status(202)
            .body(aws_smithy_types::body::SdkBody::empty())
            .unwrap();
        let (http, request) = aws_smithy_http_client::test_util::capture_request(Some(response));
        let config = aws_sdk_lambda::Config::builder()
            .http_client(http)
            .region(aws_sdk_lambda::config::Region::new("eu-west-1"))
            .credentials_provider(aws_sdk_lambda::config::Credentials::new("a", "b", None, None, "test"))
            .behavior_version(aws_sdk_lambda::config::BehaviorVersion::latest())
            .build();
        let starter = InvokeTrigger {
            client: aws_sdk_lambda::Client::from_conf(config),
            function: "certify-program-ended".into(),
        };
        let work = TriggerWork::EndProgram {
            ws: "ws-acme".into(),
            program_id: "p1".into(),
        };
        starter.start(work).await.unwrap();
        let sent = request.expect_request();
        assert_eq!(sent.headers().get("x-amz-invocation-type"), Some("Event"));
        assert!(
            sent.uri()
                .ends_with("/2015-03-31/functions/certify-program-ended/invocations"),
            "{}",
            sent.uri()
        );
        let event: serde_json::Value = serde_json::from_slice(sent.body().bytes().unwrap()).unwrap();
        assert_eq!(
            event,
            serde_json::json!({"workspace_id": "ws-acme", "program_id": "p1"})
        );
        assert_eq!(
            certify_trigger::Event::parse(&event).unwrap(),
            certify_trigger::Event::Program {
                workspace_id: "ws-acme".into(),
                program_id: "p1".into()
            },
            "the trigger accepts what the route sends"
        );
    }

    #[test]
    fn the_trigger_reads_back_every_direct_event_the_api_sends() {
        let nudges = TriggerWork::SendNudges {
            ws: "ws-acme".into(),
            job_ids: vec!["j1".into(), "j2".into()],
        };
        assert_eq!(
            certify_trigger::Event::parse(&direct_event(&nudges)).unwrap(),
            certify_trigger::Event::Nudges {
                workspace_id: "ws-acme".into(),
                job_ids: vec!["j1".into(), "j2".into()]
            }
        );
    }
}
