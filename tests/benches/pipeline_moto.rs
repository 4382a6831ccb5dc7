//! What one pipeline page costs on DynamoDB (issue 13), counted on moto: the same
//! certification as `pipeline_http` (10 programs x 10,000 enrollments x 20 components
//! by default; `PIPELINE_MOTO_PER_PROGRAM` sets the enrollments per program), and for
//! one first page through the router: the DynamoDB requests by operation, the bytes
//! they answered, and the longest chain of requests one after another (each sent only
//! after the one before it was answered). moto's wall time says little: it is printed,
//! not judged.
//!
//! `cargo bench -p certify-tests --bench pipeline_moto`

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use certify_store::{AppStore, DynamoStore, DynamoTable, TableSchema};
use http_body_util::BodyExt;
use tower::ServiceExt;

mod common;

use common::{app, request, seed, COMPONENTS, PROGRAMS};

const TEMPLATE: &str = include_str!("../../template.yaml");

/// One request as the client saw it: sent, answered, and the answer's length.
#[derive(Debug, Clone)]
struct Sent {
    operation: String,
    sent: Instant,
    answered: Instant,
    bytes: u64,
}

#[derive(Debug, Clone)]
struct SentAt(Instant);

impl Storable for SentAt {
    type Storer = StoreReplace<Self>;
}

/// Records every DynamoDB request the client sends.
#[derive(Debug, Clone, Default)]
struct RequestLog(Arc<Mutex<Vec<Sent>>>);

impl RequestLog {
    fn take(&self) -> Vec<Sent> {
        std::mem::take(&mut *self.0.lock().expect("the log"))
    }
}

impl Intercept for RequestLog {
    fn name(&self) -> &'static str {
        "request-log"
    }

    fn read_before_transmit(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state().store_put(SentAt(Instant::now()));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let answered = Instant::now();
        let sent = cfg.load::<SentAt>().map_or(answered, |s| s.0);
        let operation = cfg.load::<Metadata>().map(|m| m.name().to_string()).unwrap_or_default();
        let bytes = context
            .response()
            .headers()
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        self.0.lock().expect("the log").push(Sent {
            operation,
            sent,
            answered,
            bytes,
        });
        Ok(())
    }
}

/// The most requests in a row where each was sent after the one before was answered.
fn longest_chain(requests: &[Sent]) -> usize {
    let mut by_sent: Vec<&Sent> = requests.iter().collect();
    by_sent.sort_by_key(|r| r.sent);
    let mut chain = vec![1; by_sent.len()];
    for i in 0..by_sent.len() {
        for j in 0..i {
            if by_sent[j].answered <= by_sent[i].sent {
                chain[i] = chain[i].max(chain[j] + 1);
            }
        }
    }
    chain.into_iter().max().unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let per_program: usize = std::env::var("PIPELINE_MOTO_PER_PROGRAM")
        .ok()
        .map(|v| v.parse().expect("PIPELINE_MOTO_PER_PROGRAM: a whole number"))
        .unwrap_or(10_000);
    let endpoint = certify_testkit::moto().endpoint();
    let config = certify_testkit::sdk_config(&endpoint).await;
    let log = RequestLog::default();
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&config)
            .interceptor(log.clone())
            .build(),
    );
    let table = certify_testkit::unique("pipeline");
    TableSchema::from_template(TEMPLATE, "Table")
        .expect("the template's table")
        .create(&client, &table)
        .await
        .expect("the table on moto");
    let store: Arc<dyn AppStore> = Arc::new(DynamoStore::new(DynamoTable::new(client, table)));
    let now = chrono::Utc::now();
    let started = Instant::now();
    let programs = seed(store.as_ref(), per_program, now).await;
    println!(
        "seeded {} enrollments x {COMPONENTS} components on moto in {:.1?}",
        PROGRAMS * per_program,
        started.elapsed()
    );
    let dir = tempfile::tempdir().expect("a temporary folder");
    let app = app(store.clone(), dir.path());
    log.take();
    let started = Instant::now();
    let response = app
        .oneshot(request("/certifications/c1/pipeline", ""))
        .await
        .expect("an answer");
    let status = response.status();
    let body = response.into_body().collect().await.expect("a body").to_bytes();
    let took = started.elapsed();
    assert!(status.is_success(), "the first page: {status}");
    let sent = log.take();
    let mut by_operation: BTreeMap<&str, (usize, u64)> = BTreeMap::new();
    for r in &sent {
        let entry = by_operation.entry(r.operation.as_str()).or_default();
        entry.0 += 1;
        entry.1 += r.bytes;
    }
    let bytes: u64 = sent.iter().map(|r| r.bytes).sum();
    println!(
        "first pipeline page ({} bytes, {took:.1?} on moto): {} DynamoDB requests, {:.1} MiB read, \
         longest chain {}",
        body.len(),
        sent.len(),
        bytes as f64 / (1024.0 * 1024.0),
        longest_chain(&sent)
    );
    for (operation, (count, bytes)) in by_operation {
        println!(
            "  {operation}: {count} request(s), {:.1} MiB",
            bytes as f64 / (1024.0 * 1024.0)
        );
    }
    let roster = store
        .roster(common::WS, &programs[0])
        .await
        .expect("a roster")
        .expect("the first program");
    println!(
        "one program's roster ({} enrollments): {} Query page(s)",
        roster.enrollments.len(),
        roster.requests
    );
}
