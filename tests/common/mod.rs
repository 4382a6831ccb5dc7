//! What every API test shares: sample events from `events/`, sent through the Lambda
//! handler as lambda_http makes requests on AWS, to the router over DynamoDB on moto.

#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it

use std::sync::Arc;

use axum::http::StatusCode;
use axum::Router;
use certify_app::{InProcess, Ports};
use certify_blobs::BlobStore;
use certify_http::{router, AppStore, Background, ClaimNames, Deps};
use certify_store::{DynamoStore, DynamoTable, TableSchema};
use certify_trigger::Settings;
use chrono::{DateTime, Utc};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub mod fixtures;

pub const EVENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../events");
const TEMPLATE: &str = include_str!("../../template.yaml");

pub fn now() -> DateTime<Utc> {
    certify_fixtures::sample::now()
}

/// A sample event, to adjust before sending.
pub struct Event(pub Value);

/// `events/{name}` with the first `from` in its path replaced by `to` (a real id).
pub fn aimed(name: &str, from: &str, to: &str) -> Event {
    let mut e = event(name);
    let path = e.0["rawPath"].as_str().unwrap().replacen(from, to, 1);
    e.0["rawPath"] = path.clone().into();
    e.0["requestContext"]["http"]["path"] = path.into();
    e
}

pub fn event(name: &str) -> Event {
    let text = std::fs::read_to_string(format!("{EVENTS}/{name}")).unwrap();
    Event(serde_json::from_str(&text).unwrap())
}

impl Event {
    pub fn path(mut self, path: &str) -> Self {
        self.0["rawPath"] = path.into();
        self.0["requestContext"]["http"]["path"] = path.into();
        if let Some(id) = path.rsplit('/').next() {
            if self.0.get("pathParameters").is_some() {
                self.0["pathParameters"]["id"] = id.into();
            }
        }
        self
    }

    pub fn body(mut self, body: &str) -> Self {
        self.0["body"] = body.into();
        self
    }

    pub fn query(mut self, query: &str) -> Self {
        self.0["rawQueryString"] = query.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.0["headers"][name] = value.into();
        self
    }

    pub fn claim(mut self, name: &str, value: &str) -> Self {
        self.0["requestContext"]["authorizer"]["jwt"]["claims"][name] = value.into();
        self
    }

    pub fn as_(mut self, workspace: &str, role: &str) -> Self {
        let claims = &mut self.0["requestContext"]["authorizer"]["jwt"]["claims"];
        claims["workspace_id"] = workspace.into();
        claims["role"] = role.into();
        self
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    pub fn fields(&self) -> Vec<&str> {
        let details = self.body["error"]["details"]
            .as_array()
            .unwrap_or_else(|| panic!("{}, not an error with details: {}", self.status, self.body));
        details.iter().map(|d| d["field"].as_str().unwrap()).collect()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
    }
}

pub struct Api {
    pub endpoint: String,
    pub sender: String,
    /// The program-ended trigger, run in the background by `POST /programs/{id}/end`.
    pub starter: Arc<Background>,
    pub deps: Arc<Deps>,
    /// The trigger in this process: its sweep sends queued nudges.
    pub trigger: Arc<certify_trigger::Trigger>,
    pub router: Router,
    pub store: Arc<dyn AppStore>,
    pub blobs: Arc<dyn BlobStore>,
    /// Every DynamoDB request the API (and the in-process trigger) made so far.
    pub dynamo_requests: DynamoRequests,
}

/// Counts the DynamoDB requests sent (an SDK interceptor), so that a test can bound the
/// work of one request without timing it.
#[derive(Debug, Clone, Default)]
pub struct DynamoRequests(Arc<std::sync::atomic::AtomicUsize>);

impl DynamoRequests {
    /// The count since the last call.
    pub fn take(&self) -> usize {
        self.0.swap(0, std::sync::atomic::Ordering::SeqCst)
    }
}

impl aws_smithy_runtime_api::client::interceptors::Intercept for DynamoRequests {
    fn name(&self) -> &'static str {
        "count-dynamodb-requests"
    }

    fn read_before_transmit(
        &self,
        _: &aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef<'_>,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }
}

impl Api {
    pub async fn new() -> Api {
        let endpoint = certify_testkit::moto().endpoint();
        let config = certify_testkit::sdk_config(&endpoint).await;
        let dynamo_requests = DynamoRequests::default();
        let client = aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&config)
                .interceptor(dynamo_requests.clone())
                .build(),
        );
        let table = certify_testkit::unique("api");
        TableSchema::from_template(TEMPLATE, "Table")
            .unwrap()
            .create(&client, &table)
            .await
            .unwrap();
        let store: Arc<dyn AppStore> = Arc::new(DynamoStore::new(DynamoTable::new(client, table)));
        let s3 = certify_blobs::S3Blobs::client_from(&config, true);
        let bucket = certify_testkit::unique("files");
        s3.create_bucket().bucket(&bucket).send().await.unwrap();
        let blobs: Arc<dyn BlobStore> = Arc::new(certify_blobs::S3Blobs::new(s3, bucket));
        let ses = aws_sdk_sesv2::Client::new(&config);
        let sender = format!("{}@certify.example", certify_testkit::unique("no-reply"));
        ses.create_email_identity()
            .email_identity(&sender)
            .send()
            .await
            .unwrap();
        let ports = Ports {
            store: store.clone(),
            blobs: blobs.clone(),
            mailer: Arc::new(certify_mail::SesMailer::new(ses, sender.clone())),
            events: Some(Arc::new(certify_events::EventBridgePublisher::new(
                aws_sdk_eventbridge::Client::new(&config),
                "default",
            ))),
            clock: Arc::new(now),
            signer: Arc::new(signing_key(&config).await),
        };
        let settings = Settings {
            public_url: "https://certify.example".into(),
            send_rate: 0.0,
            ..Settings::default()
        };
        let InProcess { deps, starter, trigger } = ports.in_process(ClaimNames::default(), settings);
        Api {
            endpoint,
            sender,
            starter,
            deps: deps.clone(),
            trigger,
            router: router(deps),
            store,
            blobs,
            dynamo_requests,
        }
    }

    /// An API whose sample workspace has certifications enabled.
    pub async fn enabled() -> Api {
        let api = Api::new().await;
        assert_eq!(api.send(event("settings-put.json")).await.status, StatusCode::OK);
        api
    }

    /// This API with requests that start no trigger work (as when the asynchronous
    /// invoke fails): only the sweep does it.
    pub fn sweep_only(mut self) -> Api {
        let deps = self.deps_with(Arc::new(Background::new(|_| async {})), self.deps.signer.clone());
        self.router = router(deps.clone());
        self.deps = deps;
        self
    }

    /// This API's dependencies (its store, files, clock and issuer) with another starter
    /// and signer.
    pub fn deps_with(
        &self,
        starter: Arc<dyn certify_http::StartTrigger>,
        signer: Arc<dyn certify_sign::Signer>,
    ) -> Arc<Deps> {
        Arc::new(Deps {
            store: self.deps.store.clone(),
            blobs: self.deps.blobs.clone(),
            claims: self.deps.claims.clone(),
            public_url: self.deps.public_url.clone(),
            clock: self.deps.clock.clone(),
            starter,
            issuer: self.deps.issuer.clone(),
            signer,
            status_lists: Default::default(),
        })
    }

    pub async fn send(&self, event: Event) -> Reply {
        self.send_to(&self.router, event).await
    }

    /// The event through `router` (one area's, say) as lambda_http hands it over.
    pub async fn send_to(&self, router: &Router, event: Event) -> Reply {
        let request = lambda_http::request::from_str(&event.0.to_string()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        // JSON, or the text of anything else (CSV).
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned().into())
        };
        Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        }
    }

    pub async fn create(&self, name: &str) -> Reply {
        let body = json!({"name": name, "validity": {"count": 6, "unit": "months"}}).to_string();
        let reply = self.send(event("certifications-create.json").body(&body)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        reply
    }
}

/// A P-256 signing key made in moto's KMS, and the signer over it: the API signs
/// credentials through KMS on the wire, as on AWS.
pub async fn signing_key(config: &aws_config::SdkConfig) -> certify_sign::KmsSigner {
    let kms = aws_sdk_kms::Client::new(config);
    let id = kms_key(&kms).await;
    certify_sign::KmsSigner::new(kms, id, Vec::new())
}

/// A new P-256 signing key in moto's KMS, by id.
pub async fn kms_key(kms: &aws_sdk_kms::Client) -> String {
    let key = kms
        .create_key()
        .key_spec(aws_sdk_kms::types::KeySpec::EccNistP256)
        .key_usage(aws_sdk_kms::types::KeyUsageType::SignVerify)
        .send()
        .await
        .unwrap();
    key.key_metadata().unwrap().key_id().to_string()
}
