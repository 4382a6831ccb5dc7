//! Metrics as CloudWatch embedded metric format (EMF) lines: one JSON object per line on
//! standard output, which CloudWatch Logs turns into metrics with no API call. Namespace
//! [`NAMESPACE`], dimensioned by function (never by workspace: one series per workspace
//! would cost per series and grow with the customers), and by route for the API's
//! latency. In a Lambda function [`init_lambda`] turns them on; elsewhere (the local
//! server, the tests) they go nowhere unless a test [`capture`]s them.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Map, Value};

/// The CloudWatch namespace of every metric.
pub const NAMESPACE: &str = "Certify";

/// A metric's unit, as CloudWatch names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
        }
    }
}

/// One value of one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub value: f64,
    pub unit: Unit,
}

impl Metric {
    pub fn count(name: &'static str, value: u64) -> Metric {
        Metric {
            name,
            value: value as f64,
            unit: Unit::Count,
        }
    }

    pub fn millis(name: &'static str, value: f64) -> Metric {
        Metric {
            name,
            value,
            unit: Unit::Milliseconds,
        }
    }
}

enum Sink {
    Stdout,
    Memory(Arc<Mutex<Vec<String>>>),
}

struct Emitter {
    function: String,
    sink: Sink,
}

static EMITTER: OnceLock<Emitter> = OnceLock::new();

/// Turns metrics on in a Lambda function: lines to standard output, dimensioned by
/// `AWS_LAMBDA_FUNCTION_NAME`. Without that variable (not in Lambda), nothing.
pub fn init_lambda() {
    if let Ok(function) = std::env::var("AWS_LAMBDA_FUNCTION_NAME") {
        let _ = EMITTER.set(Emitter {
            function,
            sink: Sink::Stdout,
        });
    }
}

/// For a test: every line from now on, as function `function`, kept in the answer.
/// `None` when metrics were turned on already (once per process).
pub fn capture(function: &str) -> Option<Arc<Mutex<Vec<String>>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    EMITTER
        .set(Emitter {
            function: function.into(),
            sink: Sink::Memory(lines.clone()),
        })
        .ok()
        .map(|_| lines)
}

/// Emits `metrics` (zeros included: an alarm then has data to judge), with the `route`
/// dimension when given.
pub fn emit(route: Option<&str>, metrics: &[Metric]) {
    let Some(emitter) = EMITTER.get() else {
        return;
    };
    let Some(line) = line(&emitter.function, route, metrics, chrono::Utc::now().timestamp_millis()) else {
        return;
    };
    match &emitter.sink {
        Sink::Stdout => {
            // One write of the whole line, so that it never interleaves with a log line.
            let _ = std::io::stdout().lock().write_all(format!("{line}\n").as_bytes());
        }
        Sink::Memory(lines) => {
            if let Ok(mut lines) = lines.lock() {
                lines.push(line.to_string());
            }
        }
    }
}

/// One EMF line: the `_aws` metadata naming the metrics, their dimensions and units,
/// then the dimension and metric values as top-level fields.
pub fn line(function: &str, route: Option<&str>, metrics: &[Metric], timestamp_ms: i64) -> Option<Value> {
    if metrics.is_empty() {
        return None;
    }
    let dimensions = match route {
        Some(_) => json!([["Function"], ["Function", "Route"]]),
        None => json!([["Function"]]),
    };
    let definitions: Vec<Value> = metrics
        .iter()
        .map(|m| json!({"Name": m.name, "Unit": m.unit.as_str()}))
        .collect();
    let mut object = Map::new();
    object.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{"Namespace": NAMESPACE, "Dimensions": dimensions, "Metrics": definitions}],
        }),
    );
    object.insert("Function".into(), function.into());
    if let Some(route) = route {
        object.insert("Route".into(), route.into());
    }
    for m in metrics {
        object.insert(m.name.into(), json!(m.value));
    }
    Some(Value::Object(object))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_line_is_emf_by_function_and_route() {
        let metrics = [
            Metric::millis("Latency", 12.5),
            Metric::count("Requests", 1),
            Metric::count("ServerErrors", 0),
        ];
        let by_route = line(
            "certify-pipeline-api",
            Some("GET /certifications/{id}/pipeline"),
            &metrics,
            1_700_000_000_000,
        );
        assert_eq!(
            by_route,
            Some(json!({
                "_aws": {"Timestamp": 1_700_000_000_000_i64, "CloudWatchMetrics": [{
                    "Namespace": "Certify",
                    "Dimensions": [["Function"], ["Function", "Route"]],
                    "Metrics": [{"Name": "Latency", "Unit": "Milliseconds"}, {"Name": "Requests", "Unit": "Count"},
                        {"Name": "ServerErrors", "Unit": "Count"}]}]},
                "Function": "certify-pipeline-api",
                "Route": "GET /certifications/{id}/pipeline",
                "Latency": 12.5,
                "Requests": 1.0,
                "ServerErrors": 0.0,
            }))
        );
        let plain = line("f", None, &[Metric::count("EmailsSent", 0)], 0).unwrap();
        assert_eq!(
            plain["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Function"]])
        );
        assert_eq!(line("f", None, &[], 0), None, "no metric, no line");
    }
}
