//! The route set, held three ways: the router's routes (read from its source, and
//! probed), `openapi.json`'s paths and methods, and `template.yaml`'s `HttpApi` events
//! (which function serves each, and which skip the JWT authorizer). A route the router
//! serves but the template lacks is a 404 in production with every other test green;
//! here it is red.

use std::collections::BTreeSet;

use crate::common::{event, Api, Event};
use axum::http::StatusCode;
use certify_http::{area_router, Area, PUBLIC_ROUTES};
use serde_json::Value;
use serde_yaml_ng::Value as Yaml;

const DOCUMENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.json");
const SOURCES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/http/src");
const TEMPLATE: &str = include_str!("../template.yaml");
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
    path.replace("{id}", "x1")
        .replace("{cid}", "k1")
        .replace("{uid}", "u1")
        .replace("{rid}", "r1")
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
        for method in METHODS {
            let is_documented = operations.iter().any(|(p, m, _)| p == path && m == method);
            let reply = api.send(call(method, path, true)).await;
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

/// One `HttpApi` event of the template.
#[derive(Debug)]
struct TemplateRoute {
    /// The function's binary (`BuildProperties.Binary`): its package, and its area.
    binary: String,
    method: String,
    path: String,
    /// `Auth: {Authorizer: NONE}`: served without a token.
    public: bool,
}

fn text(value: &Yaml) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn template_routes() -> Vec<TemplateRoute> {
    let template: Yaml = serde_yaml_ng::from_str(TEMPLATE).expect("template.yaml is YAML");
    let resources = template["Resources"].as_mapping().expect("the template has Resources");
    let mut routes = Vec::new();
    for resource in resources.values() {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = text(&resource["Metadata"]["BuildProperties"]["Binary"]);
        let Some(events) = resource["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for event in events.values().filter(|e| e["Type"].as_str() == Some("HttpApi")) {
            let properties = &event["Properties"];
            routes.push(TemplateRoute {
                binary: binary.clone(),
                method: text(&properties["Method"]).to_uppercase(),
                path: text(&properties["Path"]),
                public: properties["Auth"]["Authorizer"].as_str() == Some("NONE"),
            });
        }
    }
    routes
}

#[test]
fn the_template_routes_exactly_the_documented_operations() {
    let doc = document();
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(path, method, _)| (method, path))
        .collect();
    let routes = template_routes();
    let routed: BTreeSet<(String, String)> = routes.iter().map(|r| (r.method.clone(), r.path.clone())).collect();
    assert_eq!(
        routes.len(),
        routed.len(),
        "a route is in the template twice: {routes:?}"
    );
    assert_eq!(
        documented.difference(&routed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "operations the document and the router have that template.yaml routes to no function (a 404 on AWS)"
    );
    assert_eq!(
        routed.difference(&documented).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes template.yaml has that the document does not describe"
    );
}

#[test]
fn the_routes_without_the_authorizer_are_exactly_the_public_ones() {
    let public: BTreeSet<String> = PUBLIC_ROUTES.iter().map(|p| p.to_string()).collect();
    let in_template: BTreeSet<String> = template_routes()
        .into_iter()
        .filter(|r| r.public)
        .map(|r| r.path)
        .collect();
    assert_eq!(in_template, public, "template.yaml's Authorizer: NONE routes");
    let doc = document();
    let documented: BTreeSet<String> = operations(&doc)
        .into_iter()
        .filter(|(_, _, operation)| operation["security"].as_array().is_some_and(Vec::is_empty))
        .map(|(path, _, _)| path)
        .collect();
    assert_eq!(documented, public, "openapi.json's operations with `security: []`");
}

/// The sample event `request` as a call of `method path` with sample ids, claims taken
/// away when `signed_in` is false.
fn call(method: &str, path: &str, signed_in: bool) -> Event {
    let url = concrete(path);
    let mut request = event("certifications-get.json");
    request.0["rawPath"] = url.as_str().into();
    request.0["requestContext"]["http"]["path"] = url.as_str().into();
    request.0["requestContext"]["http"]["method"] = method.into();
    request.0["routeKey"] = format!("{method} {path}").into();
    request.0["requestContext"]["routeKey"] = format!("{method} {path}").into();
    if matches!(method, "POST" | "PUT" | "PATCH") {
        request.0["body"] = "{}".into();
    }
    if !signed_in {
        if let Some(context) = request.0["requestContext"].as_object_mut() {
            context.remove("authorizer");
        }
    }
    request
}

#[tokio::test]
async fn each_template_route_is_served_by_its_function_and_only_public_ones_without_a_token() {
    let api = Api::enabled().await;
    for route in template_routes() {
        let area = Area::ALL
            .into_iter()
            .find(|a| a.function() == route.binary)
            .unwrap_or_else(|| panic!("template function {} serves no area", route.binary));
        let router = area_router(area, api.deps.clone());
        let reply = api.send_to(&router, call(&route.method, &route.path, false)).await;
        let message = reply.body["error"]["message"].as_str().unwrap_or("");
        let what = format!(
            "{} {} on {}: {} {}",
            route.method, route.path, route.binary, reply.status, reply.body
        );
        assert!(
            reply.status != StatusCode::METHOD_NOT_ALLOWED && message != "no such route",
            "the function the template routes to does not serve it: {what}"
        );
        assert_eq!(
            reply.status == StatusCode::UNAUTHORIZED,
            !route.public,
            "without a token, only the authorizer's routes answer 401: {what}"
        );
    }
}
