//! What an operator sees (SPEC 5, issue 17): the logs of an API scenario and a program's
//! end through the Lambda handlers, written as the Lambda functions write them (JSON
//! lines, INFO), hold no email address, token, name or note; every request has its line
//! (request id, workspace, route, status, latency) and every run step its counts; the
//! metrics are CloudWatch embedded metric format lines, by function and route.
//!
//! One test in its own binary: it installs the process's log subscriber and metric sink.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use common::fixtures::{ana_and_ben, ana_completes_a_lesson};
use common::{aimed, Api};
use serde_json::{json, Value};

/// A token as a browser would send it; no log line may carry it.
const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1LWFkbWluIn0.c2VjcmV0LXNpZ25hdHVyZQ";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_address_or_token_and_metrics_are_emf_lines() {
    let captured = Captured::default();
    let writer = captured.clone();
    // As lambda_runtime's default subscriber writes them with the template's LogFormat
    // JSON: JSON lines at INFO.
    tracing_subscriber::fmt()
        .json()
        .with_target(false)
        .without_time()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .init();
    let metrics = certify_metrics::capture("certify-test").expect("metrics on once");

    let api = Api::enabled().await;
    let (c, p) = ana_and_ben(&api, "2026-12-20T17:00:00Z").await;
    ana_completes_a_lesson(&api, &p).await;
    let by_hand =
        aimed("certify-by-hand.json", "/c1/", &format!("/{c}/")).header("authorization", &format!("Bearer {TOKEN}"));
    assert_eq!(api.send(by_hand).await.status, StatusCode::CREATED);
    let refused = aimed("certify-by-hand.json", "/c1/", &format!("/{c}/"))
        .header("idempotency-key", "another")
        .body(r#"{"user_id": "u-x", "name": "X", "email": "not-an-address@"}"#);
    assert_eq!(api.send(refused).await.status, StatusCode::BAD_REQUEST);
    let report = api
        .trigger
        .handle(json!({"workspace_id": "ws-acme", "program_id": p}), None)
        .await
        .unwrap();
    assert_eq!(report.programs[0].run.as_ref().unwrap().certified, 1);

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for secret in [
        "@example.com",
        "not-an-address",
        TOKEN,
        "Bearer",
        "Dana Petrova",
        "Ana Ávila",
        "HR file",
    ] {
        assert!(!text.contains(secret), "{secret} in the logs:\n{text}");
    }
    let logged = lines(&text);
    let request = logged
        .iter()
        .find(|l| l["fields"]["route"] == "POST /certifications/{id}/certificates" && l["fields"]["status"] == 201)
        .unwrap_or_else(|| panic!("no request line in\n{text}"));
    assert_eq!(request["fields"]["workspace"], "ws-acme");
    assert!(request["fields"]["latency_ms"].as_f64().unwrap() > 0.0);
    assert!(request["fields"]["request_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    let step = logged
        .iter()
        .find(|l| l["fields"]["message"] == "run step")
        .unwrap_or_else(|| panic!("no run step line in\n{text}"));
    assert_eq!(
        (step["fields"]["run"].as_str(), step["fields"]["certified"].as_u64()),
        (Some(p.as_str()), Some(1))
    );

    let metrics = lines(&metrics.lock().unwrap().join("\n"));
    for line in &metrics {
        let names = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(names["Namespace"], "Certify");
        assert_eq!(line["Function"], "certify-test");
        assert!(
            line.get("workspace").is_none() && line.get("Workspace").is_none(),
            "never by workspace"
        );
        for metric in names["Metrics"].as_array().unwrap() {
            assert!(line[metric["Name"].as_str().unwrap()].is_number(), "{line}");
        }
    }
    let latency = metrics
        .iter()
        .find(|l| l["Route"] == "POST /certifications/{id}/certificates")
        .expect("a latency line by route");
    assert!(latency["Latency"].as_f64().unwrap() > 0.0);
    // By hand (in the API's invocation), then the program's end (the trigger's).
    let counted: Vec<(Option<f64>, Option<f64>)> = metrics
        .iter()
        .filter(|l| l.get("CertificatesIssued").is_some())
        .map(|l| (l["CertificatesIssued"].as_f64(), l["EmailsSent"].as_f64()))
        .collect();
    assert_eq!(counted, [(Some(1.0), Some(1.0)), (Some(1.0), Some(2.0))]);
    let run = metrics
        .iter()
        .find(|l| l.get("RunDuration").is_some())
        .expect("the run's line");
    assert_eq!(run["ParticipantsFailed"].as_f64(), Some(0.0));

    // Every Certify metric the template's alarms and dashboard read is one the code
    // writes (a renamed metric would leave an alarm that never fires).
    let emitted: std::collections::BTreeSet<&str> = metrics
        .iter()
        .flat_map(|l| l["_aws"]["CloudWatchMetrics"][0]["Metrics"].as_array().unwrap())
        .map(|m| m["Name"].as_str().unwrap())
        .collect();
    let read = template_metrics();
    assert!(read.len() >= 10, "{read:?}");
    for name in &read {
        assert!(
            emitted.contains(name.as_str()),
            "the template reads {name}, which nothing writes ({emitted:?})"
        );
    }
}

/// The Certify metrics `template.yaml` reads: alarms (`Namespace: Certify` then
/// `MetricName`), dashboard widgets (`["Certify", "Name", ...]`) and searches
/// (`{Certify,...} MetricName=\"Name\"`).
fn template_metrics() -> std::collections::BTreeSet<String> {
    let template = include_str!("../template.yaml");
    let mut names = std::collections::BTreeSet::new();
    let mut lines = template.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() == "Namespace: Certify" {
            if let Some(name) = lines.peek().and_then(|l| l.trim().strip_prefix("MetricName: ")) {
                names.insert(name.to_string());
            }
        }
        for piece in line.split(r#"["Certify", ""#).skip(1) {
            names.insert(piece.split('"').next().unwrap().to_string());
        }
        for piece in line.split("{Certify,").skip(1) {
            let name = piece
                .split(r#"MetricName=\""#)
                .nth(1)
                .and_then(|rest| rest.split('\\').next());
            names.insert(name.unwrap().to_string());
        }
    }
    names
}
