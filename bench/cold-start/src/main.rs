//! The measuring side of `scripts/bench-cold-start` (issue 17): each Lambda function,
//! built in release for this host, started again and again against a small fake Lambda
//! Runtime API (the endpoints `lambda_runtime` calls), with the environment the template
//! sets and moto as AWS. For every start it times
//! - **init**: from exec to the runtime's first `GET .../invocation/next`;
//! - the **first** and the **last** (by default the tenth) invocation: from handing out
//!   the event to the function's answer, the sample event from `events/` each time.
//!
//! A bare `lambda_runtime` function built the same way (`bench/lambda-hello`) is the
//! yardstick: absolute times vary with the machine, the ratio is the figure. Every
//! answer is checked (an API answer below 400, no invocation error), so a function that
//! fails is reported, not timed.
//!
//! Usage: `bench-cold-start [--bin-dir target/release] [--starts 20] [--invocations 10]`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use certify_fixtures::{sample, Seed};
use certify_rules::{Certification, CertificationFields, Validity, ValidityUnit};
use certify_store::{DynamoStore, DynamoTable, TableSchema};
use tokio::sync::Notify;

const TEMPLATE: &str = include_str!("../../../template.yaml");
const WORKSPACE: &str = "ws-acme";

/// A function under test: its binary, the sample event it is sent, its own variables.
struct Function {
    name: &'static str,
    event: &'static str,
    env: &'static [(&'static str, &'static str)],
}

const FUNCTIONS: [Function; 6] = [
    Function {
        name: "lambda-hello",
        event: "trigger-sweep.json",
        env: &[],
    },
    Function {
        name: "certifications-api",
        event: "certifications-list.json",
        env: &[],
    },
    Function {
        name: "programs-api",
        event: "programs-list.json",
        env: &[("TRIGGER_FUNCTION", "certify-program-ended")],
    },
    Function {
        name: "pipeline-api",
        event: "pipeline-get.json",
        env: &[("TRIGGER_FUNCTION", "certify-program-ended")],
    },
    Function {
        name: "certificates-api",
        event: "me-certificates.json",
        env: &[],
    },
    Function {
        name: "program-ended",
        event: "trigger-sweep.json",
        env: &[("SEND_RATE", "10"), ("EVENT_BUS", "default")],
    },
];

/// What one start measured.
struct Start {
    init: Duration,
    first: Duration,
    last: Duration,
}

#[derive(Default)]
struct Marks {
    /// When each `GET .../invocation/next` arrived.
    nexts: Vec<Instant>,
    /// When each answer arrived, and whether it was one.
    answers: Vec<(Instant, Result<(), String>)>,
}

/// The fake Runtime API of one start: hands out `invocations` copies of `event`, then
/// keeps the function waiting.
struct Runtime {
    event: serde_json::Value,
    invocations: usize,
    marks: Mutex<Marks>,
    changed: Notify,
}

impl Runtime {
    fn marks(&self) -> std::sync::MutexGuard<'_, Marks> {
        self.marks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn answer(&self, outcome: Result<(), String>) {
        self.marks().answers.push((Instant::now(), outcome));
        self.changed.notify_one();
    }

    fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(self)
    }
}

async fn next(State(runtime): State<Arc<Runtime>>) -> (HeaderMap, String) {
    let n = {
        let mut marks = runtime.marks();
        marks.nexts.push(Instant::now());
        marks.nexts.len()
    };
    if n > runtime.invocations {
        std::future::pending::<()>().await;
    }
    let deadline = chrono::Utc::now().timestamp_millis() + 60_000;
    let mut headers = HeaderMap::new();
    let mut set = |name: &'static str, value: String| {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    };
    set("lambda-runtime-aws-request-id", format!("bench-{n}"));
    set("lambda-runtime-deadline-ms", deadline.to_string());
    set(
        "lambda-runtime-invoked-function-arn",
        "arn:aws:lambda:us-east-1:123456789012:function:bench".into(),
    );
    set("lambda-runtime-trace-id", format!("Root=1-00000000-{n:024}"));
    set("content-type", "application/json".into());
    (headers, runtime.event.to_string())
}

/// An API function's answer is a success below status 400; any other answer is taken
/// as given (the trigger's report).
async fn response(State(runtime): State<Arc<Runtime>>, UrlPath(_id): UrlPath<String>, body: String) -> StatusCode {
    let status = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|answer| answer.get("statusCode").and_then(serde_json::Value::as_u64));
    runtime.answer(match status {
        Some(status) if status >= 400 => Err(format!("answered {status}: {body}")),
        _ => Ok(()),
    });
    StatusCode::ACCEPTED
}

async fn error(State(runtime): State<Arc<Runtime>>, UrlPath(_id): UrlPath<String>, body: String) -> StatusCode {
    runtime.answer(Err(format!("invocation error: {body}")));
    StatusCode::ACCEPTED
}

async fn init_error(State(runtime): State<Arc<Runtime>>, body: String) -> StatusCode {
    runtime.answer(Err(format!("init error: {body}")));
    StatusCode::ACCEPTED
}

/// Starts `binary` once against a fresh fake Runtime API and times it.
async fn start_once(binary: &Path, env: &BTreeMap<String, String>, runtime: Arc<Runtime>) -> anyhow::Result<Start> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = tokio::spawn(std::future::IntoFuture::into_future(axum::serve(
        listener,
        runtime.clone().router(),
    )));
    let log = tempfile::NamedTempFile::new()?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(binary)
        .env_clear()
        .envs(env)
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .stdout(log.reopen()?)
        .stderr(log.reopen()?)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let outcome = loop {
        {
            let marks = runtime.marks();
            if let Some((_, Err(e))) = marks.answers.iter().find(|(_, outcome)| outcome.is_err()) {
                break Err(anyhow::anyhow!("{e}"));
            }
            if marks.answers.len() >= runtime.invocations {
                let answered = |i: usize| marks.answers[i].0 - marks.nexts[i];
                break Ok(Start {
                    init: marks.nexts[0] - started,
                    first: answered(0),
                    last: answered(runtime.invocations - 1),
                });
            }
        }
        tokio::select! {
            _ = runtime.changed.notified() => {}
            status = child.wait() => break Err(anyhow::anyhow!("exited early ({:?})", status.ok())),
            _ = tokio::time::sleep_until(deadline) => break Err(anyhow::anyhow!("no answer within 60 s")),
        }
    };
    let _ = child.kill().await;
    server.abort();
    outcome.with_context(|| {
        let output = std::fs::read_to_string(log.path()).unwrap_or_default();
        let tail: Vec<&str> = output.lines().rev().take(20).collect();
        format!(
            "{}; its last lines:\n{}",
            binary.display(),
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )
    })
}

/// The environment of the template's functions (Globals and each function's own),
/// with Lambda's own variables and moto as every AWS endpoint.
fn environment(function: &Function, moto: &str, table: &str, bucket: &str) -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = [
        ("AWS_LAMBDA_FUNCTION_NAME", format!("certify-{}", function.name)),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512".into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            format!("/aws/lambda/certify-{}", function.name),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/03/[$LATEST]bench".into()),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "testing".into()),
        ("AWS_SECRET_ACCESS_KEY", "testing".into()),
        ("AWS_SESSION_TOKEN", "testing".into()),
        ("AWS_ENDPOINT_URL", moto.into()),
        ("TZ", ":UTC".into()),
        ("TABLE_NAME", table.into()),
        ("BUCKET_NAME", bucket.into()),
        ("SENDER_EMAIL", "no-reply@certify.example".into()),
        ("WORKSPACE_CLAIM", "workspace_id".into()),
        ("ROLE_CLAIM", "role".into()),
        ("PUBLIC_URL", "https://certify.example".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    env.extend(function.env.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// A table and bucket in moto: a workspace with certifications on, and the
/// certification the pipeline event reads (`c1`).
async fn prepare(moto: &str) -> anyhow::Result<(String, String)> {
    let sdk = certify_testkit::sdk_config(moto).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let table = certify_testkit::unique("coldstart");
    TableSchema::from_template(TEMPLATE, "Table")?
        .create(&client, &table)
        .await?;
    let store = DynamoStore::new(DynamoTable::new(client, table.clone()));
    let seed = Seed::new(&store, WORKSPACE);
    seed.certifications_on().await?;
    let fields = CertificationFields {
        description: String::new(),
        validity: Some(Validity::new(1, ValidityUnit::Years).map_err(|e| anyhow::anyhow!("{e:?}"))?),
        ..sample::certification_fields()
    };
    seed.certification(&Certification::create("c1".into(), fields, chrono::Utc::now()))
        .await?;
    // The events used read no file; the bucket only has to be named.
    Ok((table, certify_testkit::unique("files")))
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn median_and_max(mut values: Vec<Duration>) -> (Duration, Duration) {
    values.sort();
    let median = values[values.len() / 2];
    (median, values[values.len() - 1])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut bin_dir = PathBuf::from("target/release");
    let mut starts = 20usize;
    let mut invocations = 10usize;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--bin-dir" => bin_dir = value()?.into(),
            "--starts" => starts = value()?.parse().context("--starts")?,
            "--invocations" => invocations = value()?.parse().context("--invocations")?,
            other => bail!(
                "unknown argument {other}; usage: bench-cold-start [--bin-dir DIR] [--starts N] [--invocations N]"
            ),
        }
    }
    if starts == 0 || invocations == 0 {
        bail!("--starts and --invocations must be at least 1");
    }
    let moto = certify_testkit::moto().endpoint();
    let (table, bucket) = prepare(&moto).await?;

    println!("| function | binary | init median (max) | init / hello | first invocation median (max) | invocation {invocations} median (max) |");
    println!("|---|---|---|---|---|---|");
    let mut hello_init = None;
    for function in &FUNCTIONS {
        let binary = bin_dir.join(function.name);
        let size = std::fs::metadata(&binary)
            .with_context(|| format!("{} is not built (scripts/bench-cold-start builds it)", binary.display()))?
            .len();
        let event_path = Path::new("events").join(function.event);
        let event: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&event_path).with_context(|| format!("reading {}", event_path.display()))?,
        )?;
        let env = environment(function, &moto, &table, &bucket);
        let mut measured = Vec::with_capacity(starts);
        for _ in 0..starts {
            let runtime = Arc::new(Runtime {
                event: event.clone(),
                invocations,
                marks: Mutex::default(),
                changed: Notify::new(),
            });
            measured.push(start_once(&binary, &env, runtime).await?);
        }
        let (init, init_max) = median_and_max(measured.iter().map(|s| s.init).collect());
        let (first, first_max) = median_and_max(measured.iter().map(|s| s.first).collect());
        let (last, last_max) = median_and_max(measured.iter().map(|s| s.last).collect());
        let hello = *hello_init.get_or_insert(init);
        println!(
            "| {} | {:.1} MB | {} ms ({}) | {:.1}x | {} ms ({}) | {} ms ({}) |",
            function.name,
            size as f64 / 1e6,
            ms(init),
            ms(init_max),
            init.as_secs_f64() / hello.as_secs_f64(),
            ms(first),
            ms(first_max),
            ms(last),
            ms(last_max)
        );
    }
    println!(
        "\n{starts} starts each, {invocations} invocations per start, load average {}",
        std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim()
    );
    Ok(())
}
