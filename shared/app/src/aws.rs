//! The AWS side of the wiring (feature `aws`, which every Lambda function enables and
//! the local server does not): the SDK's configuration and clients, the handlers'
//! dependencies and the trigger from the environment, and the Lambda loops.

mod http_client;

use std::sync::Arc;

use anyhow::Context;
use certify_blobs::BlobStore;
use certify_http::{Area, Deps, StartTrigger};
use certify_rules::Work;
use certify_store::{AppStore, DynamoStore, DynamoTable};
use certify_trigger::{Settings, Trigger};

use crate::{Config, Ports};

/// DynamoDB and S3: what every API function reads and writes.
fn store_and_files(sdk: &aws_config::SdkConfig, config: &Config) -> (Arc<dyn AppStore>, Arc<dyn BlobStore>) {
    let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(sdk), config.table_name.clone());
    let blobs = certify_blobs::S3Blobs::new(aws_sdk_s3::Client::new(sdk), config.bucket_name.clone());
    (Arc::new(DynamoStore::new(table)), Arc::new(blobs))
}

impl Ports {
    /// DynamoDB, S3 and SES, with the real clock, and no publisher: the certificates
    /// API issues by hand and draws, and publishes nothing. The trigger adds its
    /// publisher ([`trigger_from_env`]), so only its binary links EventBridge.
    pub fn aws(sdk: &aws_config::SdkConfig, config: &Config) -> Ports {
        let (store, blobs) = store_and_files(sdk, config);
        Ports {
            store,
            blobs,
            mailer: Arc::new(certify_mail::SesMailer::new(
                aws_sdk_sesv2::Client::new(sdk),
                config.sender.clone(),
            )),
            events: None,
            clock: Arc::new(chrono::Utc::now),
            signer: Arc::new(crate::SignsNothing),
        }
    }
}

/// The SDK configuration with the one HTTP client every AWS client shares (hyper and
/// rustls with ring; the SDK crates are built without a default client).
///
/// Built from what Lambda puts in the environment, not by `aws_config`'s loader: the
/// role's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
/// `AWS_SESSION_TOKEN`), `AWS_REGION`, and `AWS_ENDPOINT_URL` when set (the cold-start
/// bench points it at moto). The loader's discovery chains (profile files, SSO, STS web
/// identity, ECS, IMDS) find nothing more in a Lambda sandbox, yet linking them cost
/// every function 1.1-1.4 MB of binary (docs/benchmarks.md, "Cold start and package size").
/// Retries, timeouts and stalled-stream protection are the SDK's defaults for the
/// latest behaviour version, as the loader would set them.
pub fn sdk_config() -> anyhow::Result<aws_config::SdkConfig> {
    sdk_config_from(|name| std::env::var(name).ok())
}

/// [`sdk_config`] with the region and endpoint looked up by `lookup` (the credentials
/// are always the process environment's).
fn sdk_config_from(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<aws_config::SdkConfig> {
    let endpoint = lookup("AWS_ENDPOINT_URL");
    let http = http_client::shared(endpoint.as_deref())?;
    let region = lookup("AWS_REGION").context("AWS_REGION is not set (Lambda sets it)")?;
    let credentials = aws_config::environment::EnvironmentVariableCredentialsProvider::new();
    let mut config = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            credentials,
        ))
        .retry_config(aws_config::retry::RetryConfig::standard())
        .http_client(http);
    if let Some(endpoint) = endpoint {
        config = config.endpoint_url(endpoint);
    }
    Ok(config.build())
}

/// How the API starts the trigger: `TRIGGER_FUNCTION` invoked, or the next sweep.
fn starter(sdk: &aws_config::SdkConfig, config: &Config) -> Arc<dyn StartTrigger> {
    match &config.trigger_function {
        Some(function) => Arc::new(InvokeTrigger {
            client: aws_sdk_lambda::Client::new(sdk),
            function: function.clone(),
        }),
        None => Arc::new(SweepWillRun),
    }
}

/// The dependencies of an API function that neither issues nor draws, from the
/// environment: DynamoDB and S3, no SES, no renderer.
pub async fn deps_from_env() -> anyhow::Result<Arc<Deps>> {
    let config = Config::from_env()?;
    let sdk = sdk_config()?;
    let (store, blobs) = store_and_files(&sdk, &config);
    Ok(Arc::new(crate::deps_without_drawing(
        store,
        blobs,
        Arc::new(chrono::Utc::now),
        config.claims.clone(),
        &config.public_url,
        starter(&sdk, &config),
    )))
}

/// The dependencies of the API function that issues by hand and draws previews, from
/// the environment: DynamoDB, S3, SES and the renderer (made on first use). No Lambda
/// client: only the programs and pipeline areas start the trigger (ending a program,
/// sending nudges), so the certificates API does not link one.
pub async fn drawing_deps_from_env() -> anyhow::Result<Arc<Deps>> {
    let config = Config::from_env()?;
    let sdk = sdk_config()?;
    Ok(Arc::new(Ports::aws(&sdk, &config).deps(
        config.claims.clone(),
        &config.public_url,
        Arc::new(SweepWillRun),
    )))
}

/// The dependencies of the API function that signs credentials and status lists:
/// [`deps_from_env`]'s with the KMS key `SIGNING_KEY_ID` (and the earlier keys
/// `PREVIOUS_SIGNING_KEY_IDS` for the DID document), read on first use.
pub async fn signing_deps_from_env() -> anyhow::Result<Arc<Deps>> {
    let config = Config::from_env()?;
    let sdk = sdk_config()?;
    let key_id = config
        .signing_key_id
        .clone()
        .context("the environment variable SIGNING_KEY_ID must be set")?;
    let signer = certify_sign::KmsSigner::new(
        aws_sdk_kms::Client::new(&sdk),
        key_id,
        config.previous_signing_key_ids.clone(),
    );
    let (store, blobs) = store_and_files(&sdk, &config);
    let mut deps = crate::deps_without_drawing(
        store,
        blobs,
        Arc::new(chrono::Utc::now),
        config.claims.clone(),
        &config.public_url,
        Arc::new(SweepWillRun),
    );
    deps.signer = Arc::new(signer);
    Ok(Arc::new(deps))
}

/// Starts the trigger by an asynchronous Lambda invoke (InvocationType `Event`) with a
/// direct event: `{"workspace_id", "program_id"}` or `{"workspace_id", "nudge_jobs"}`.
pub struct InvokeTrigger {
    pub client: aws_sdk_lambda::Client,
    pub function: String,
}

#[async_trait::async_trait]
impl StartTrigger for InvokeTrigger {
    async fn start(&self, work: Work) -> anyhow::Result<()> {
        self.client
            .invoke()
            .function_name(&self.function)
            .invocation_type(aws_sdk_lambda::types::InvocationType::Event)
            .payload(aws_sdk_lambda::primitives::Blob::new(serde_json::to_vec(&work)?))
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
    async fn start(&self, work: Work) -> anyhow::Result<()> {
        tracing::warn!(?work, "TRIGGER_FUNCTION is not set; the sweep will do it");
        Ok(())
    }
}

/// The program-ended trigger on AWS, from the environment.
pub async fn trigger_from_env() -> anyhow::Result<Trigger> {
    let config = Config::from_env()?;
    let sdk = sdk_config()?;
    let settings = Settings {
        public_url: config.public_url.clone(),
        send_rate: config.send_rate,
        ..Settings::default()
    };
    let events =
        certify_events::EventBridgePublisher::new(aws_sdk_eventbridge::Client::new(&sdk), config.event_bus.clone());
    let ports = Ports {
        events: Some(Arc::new(events)),
        ..Ports::aws(&sdk, &config)
    };
    Ok(ports.trigger(settings))
}

/// The program-ended Lambda function: the trigger built once per cold start, each
/// event handled before the invocation's deadline (read as time left, placed on the
/// trigger's clock). A refused event fails the invocation with its kind as the error
/// type (and, invoked asynchronously, goes to the on-failure destination).
pub async fn serve_trigger() -> Result<(), lambda_runtime::Error> {
    lambda_runtime::tracing::init_default_subscriber();
    certify_metrics::init_lambda();
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

/// A Lambda function serving one area of the API that neither issues nor draws
/// certificates (`Area::draws`) nor signs (`Area::signs`), so it links no renderer, no
/// mail and no KMS: JSON logs tagged with the request id (JSON with the template's
/// `LogFormat: JSON`), metrics as EMF lines, dependencies built once per cold start,
/// then the area's router. `AREA` is `Area::X as u8`, so the binary holds only that
/// area's handlers. An area that draws or signs fails the cold start, naming
/// [`serve_drawing`] or [`serve_signing`].
pub async fn serve<const AREA: u8>() -> Result<(), lambda_http::Error> {
    let area = const { Area::numbered(AREA) };
    if area.draws() {
        return Err(format!(
            "{} issues and draws certificates: its main must call certify_app::serve_drawing",
            area.function()
        )
        .into());
    }
    if area.signs() {
        return Err(format!(
            "{} signs credentials: its main must call certify_app::serve_signing",
            area.function()
        )
        .into());
    }
    lambda_http::tracing::init_default_subscriber();
    certify_metrics::init_lambda();
    lambda_http::run(certify_http::area_router_of::<AREA>(deps_from_env().await?)).await
}

/// [`serve`] for the area that signs (the credentials API): with the KMS key. Only this
/// function links the KMS client.
pub async fn serve_signing<const AREA: u8>() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    certify_metrics::init_lambda();
    lambda_http::run(certify_http::area_router_of::<AREA>(signing_deps_from_env().await?)).await
}

/// [`serve`] for the area that issues and draws certificates (the certificates API):
/// with SES and the renderer.
pub async fn serve_drawing<const AREA: u8>() -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    certify_metrics::init_lambda();
    lambda_http::run(certify_http::area_router_of::<AREA>(drawing_deps_from_env().await?)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_http::ClaimNames;

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
    async fn the_sdk_configuration_comes_from_lambdas_environment() {
        let err = sdk_config_from(|_| None).unwrap_err();
        assert!(err.to_string().contains("AWS_REGION"), "{err}");

        // The role's credentials, as Lambda sets them; moto accepts any.
        for name in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
            std::env::set_var(name, "testing");
        }
        let endpoint = certify_testkit::moto().endpoint();
        let sdk = sdk_config_from(|name| match name {
            "AWS_REGION" => Some("eu-west-1".into()),
            "AWS_ENDPOINT_URL" => Some(endpoint.clone()),
            _ => None,
        })
        .unwrap();
        assert_eq!(sdk.region().map(|r| r.as_ref()), Some("eu-west-1"));
        // A real call on the wire: signed with those credentials, sent to that endpoint.
        let table = certify_testkit::unique("sdk-config");
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        certify_store::TableSchema::from_template(include_str!("../../../template.yaml"), "Table")
            .unwrap()
            .create(&dynamodb, &table)
            .await
            .unwrap();
        let described = dynamodb.describe_table().table_name(&table).send().await.unwrap();
        let arn = described.table().and_then(|t| t.table_arn()).unwrap();
        assert!(arn.starts_with("arn:aws:dynamodb:eu-west-1:"), "{arn}");
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
        starter.start(Work::end_program("ws-acme", "p1")).await.unwrap();
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
            certify_trigger::Invocation::parse(&event).unwrap(),
            certify_trigger::Invocation::Work(Work::end_program("ws-acme", "p1")),
            "the trigger accepts what the route sends"
        );
    }

    #[tokio::test]
    async fn serve_refuses_the_areas_that_draw_or_sign_naming_their_own() {
        let err = serve::<{ Area::Certificates as u8 }>().await.unwrap_err();
        assert!(err.to_string().contains("certify_app::serve_drawing"), "{err}");
        let err = serve::<{ Area::Credentials as u8 }>().await.unwrap_err();
        assert!(err.to_string().contains("certify_app::serve_signing"), "{err}");
        let signing: Vec<Area> = Area::ALL.into_iter().filter(|a| a.signs()).collect();
        assert_eq!(signing, [Area::Credentials]);
    }

    #[test]
    fn only_the_area_that_draws_reaches_the_issuer() {
        let drawing: Vec<Area> = Area::ALL.into_iter().filter(|a| a.draws()).collect();
        assert_eq!(drawing, [Area::Certificates]);
        // The modules of the other areas' routes (certify_http::Area::routes) never ask
        // the issuer, directly or through the certificates module's drawing links.
        let others = [
            include_str!("../../http/src/certifications.rs"),
            include_str!("../../http/src/settings.rs"),
            include_str!("../../http/src/programs.rs"),
            include_str!("../../http/src/pipeline.rs"),
            include_str!("../../http/src/export.rs"),
            include_str!("../../http/src/nudges.rs"),
        ];
        for source in others {
            for call in [".issuer", "file_link(", "preview_png("] {
                assert!(
                    !source.contains(call),
                    "{call} in a module of an area that does not draw"
                );
            }
        }
    }

    #[test]
    fn only_the_programs_and_pipeline_areas_start_the_trigger() {
        // The certificates API is built without a Lambda client (drawing_deps_from_env).
        let certificates_area = [
            include_str!("../../http/src/certificates.rs"),
            include_str!("../../http/src/by_hand.rs"),
            include_str!("../../http/src/public.rs"),
            include_str!("../../http/src/registry.rs"),
            include_str!("../../http/src/export.rs"),
            include_str!("../../http/src/regeneration.rs"),
        ];
        for source in certificates_area {
            assert!(!source.contains(".starter"), "the certificates area starts the trigger");
        }
        for starts in [
            include_str!("../../http/src/programs.rs"),
            include_str!("../../http/src/nudges.rs"),
        ] {
            assert!(starts.contains("deps.starter.start("));
        }
    }

    #[test]
    fn the_trigger_reads_back_every_direct_event_the_api_sends() {
        for work in [
            Work::end_program("ws-acme", "p1"),
            Work::send_nudges("ws-acme", vec!["j1".into(), "j2".into()]),
        ] {
            let event = serde_json::to_value(&work).unwrap();
            assert_eq!(
                certify_trigger::Invocation::parse(&event).unwrap(),
                certify_trigger::Invocation::Work(work)
            );
        }
    }
}
