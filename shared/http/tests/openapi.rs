//! The OpenAPI document (`openapi.json` at the workspace root) holds the router to it:
//! the router serves exactly the documented paths and methods, and no other method.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use common::{event, Api};
use serde_json::Value;

const DOCUMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi.json");
const SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

fn document() -> Value {
    let text = std::fs::read_to_string(DOCUMENT).unwrap_or_else(|e| panic!("cannot read {DOCUMENT}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{DOCUMENT} is not JSON: {e}"))
}

/// Every documented (path, method), the method in upper case.
fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
    let paths = doc["paths"].as_object().expect("the document has paths");
    let mut found = Vec::new();
    for (path, item) in paths {
        for (key, operation) in item.as_object().unwrap() {
            if METHODS.contains(&key.to_uppercase().as_str()) {
                found.push((path.clone(), key.to_uppercase(), operation));
            }
        }
    }
    found
}

/// The string literals that follow `route(` in one source file.
fn routes_in(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = source;
    while let Some(at) = rest.find("route(") {
        rest = &rest[at + "route(".len()..];
        let after = rest.trim_start();
        if let Some(literal) = after.strip_prefix('"') {
            if let Some(end) = literal.find('"') {
                found.push(literal[..end].to_string());
            }
        }
    }
    found
}

/// Every path the router's source declares.
fn router_paths() -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    for entry in std::fs::read_dir(SOURCES).unwrap() {
        let file = entry.unwrap().path();
        if file.extension().is_some_and(|e| e == "rs") {
            paths.extend(routes_in(&std::fs::read_to_string(&file).unwrap()));
        }
    }
    paths
}

#[test]
fn the_route_scan_reads_literals_across_lines() {
    let source = "Router::new()\n  .route(\"/a\", get(x))\n  .route(\n    \"/b/{id}\",\n    post(y),\n  )\n  .fallback(|| no_route())";
    assert_eq!(routes_in(source), ["/a", "/b/{id}"]);
}

#[test]
fn the_document_is_openapi_3_1_with_an_error_schema() {
    let doc = document();
    let version = doc["openapi"].as_str().unwrap_or("");
    assert!(version.starts_with("3.1"), "openapi is {version:?}, not 3.1");
    let operations = operations(&doc);
    assert!(!operations.is_empty(), "the document describes no operation");
    let mut ids = BTreeSet::new();
    for (path, method, operation) in &operations {
        let id = operation["operationId"].as_str().unwrap_or("");
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        assert!(
            ids.insert(id.to_string()),
            "{method} {path}: operationId {id} is used twice"
        );
        let responses = operation["responses"].as_object();
        assert!(
            responses.is_some_and(|r| !r.is_empty()),
            "{method} {path} has no response"
        );
    }
    let error = &doc["components"]["schemas"]["Error"];
    assert!(error.is_object(), "components.schemas.Error is missing");
    let inner = &error["properties"]["error"]["properties"];
    for field in ["code", "message", "details"] {
        assert!(inner[field].is_object(), "the Error schema has no error.{field}");
    }
}

/// The documented path with sample ids in place of its parameters.
fn concrete(path: &str) -> String {
    path.replace("{id}", "x1").replace("{cid}", "k1").replace("{uid}", "u1")
}

#[tokio::test]
async fn the_router_serves_exactly_the_documented_routes() {
    let doc = document();
    let operations = operations(&doc);
    let documented: BTreeSet<String> = operations.iter().map(|(path, _, _)| path.clone()).collect();
    let declared = router_paths();
    assert_eq!(
        declared.difference(&documented).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "paths the router serves that the document does not describe"
    );
    assert_eq!(
        documented.difference(&declared).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "paths the document describes that the router does not serve"
    );

    let api = Api::enabled().await;
    for path in &documented {
        let url = concrete(path);
        for method in METHODS {
            let is_documented = operations.iter().any(|(p, m, _)| p == path && m == method);
            let mut request = event("certifications-get.json");
            request.0["rawPath"] = url.as_str().into();
            request.0["requestContext"]["http"]["path"] = url.as_str().into();
            request.0["requestContext"]["http"]["method"] = method.into();
            request.0["routeKey"] = format!("{method} {path}").into();
            request.0["requestContext"]["routeKey"] = format!("{method} {path}").into();
            if matches!(method, "POST" | "PUT" | "PATCH") {
                request.0["body"] = "{}".into();
            }
            let reply = api.send(request).await;
            let message = reply.body["error"]["message"].as_str().unwrap_or("");
            if is_documented {
                assert_ne!(
                    reply.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is documented but the router refuses the method: {}",
                    reply.body
                );
                assert!(
                    !(reply.status == StatusCode::NOT_FOUND && message == "no such route"),
                    "{method} {path} is documented but the router has no such route: {}",
                    reply.body
                );
            } else {
                assert_eq!(
                    (reply.status, reply.code()),
                    (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
                    "{method} {path} is not documented, so it must answer 405: {}",
                    reply.body
                );
            }
        }
    }
}
