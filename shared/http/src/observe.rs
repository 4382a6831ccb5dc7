//! What each request leaves for an operator: one log line (request id, workspace,
//! route, status, latency) and its latency as a metric by route. Never a header, a
//! body, a path's ids or a query: no token, email address or name reaches a log.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::Response;
use certify_metrics::Metric;

use crate::identity::claims_of;
use crate::Deps;

/// Logs and measures one request (every route, the fallbacks included).
pub async fn observe(State(deps): State<Arc<Deps>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(path) => format!("{} {}", request.method(), path.as_str()),
        None => format!("{} (no route)", request.method()),
    };
    let workspace = claims_of(request.extensions())
        .and_then(|claims| claims.get(&deps.claims.workspace).cloned())
        .filter(|ws| certify_rules::check_identity(ws).is_ok())
        .unwrap_or_default();
    let request_id = request_id(request.extensions());
    let response = next.run(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    tracing::info!(request_id, workspace, route, status, latency_ms, "request");
    certify_metrics::emit(
        Some(&route),
        &[
            Metric::millis("Latency", latency_ms),
            Metric::count("ServerErrors", u64::from(status >= 500)),
        ],
    );
    response
}

/// API Gateway's id of the request (empty without Lambda).
#[cfg(feature = "lambda")]
fn request_id(extensions: &Extensions) -> String {
    match extensions.get::<lambda_http::request::RequestContext>() {
        Some(lambda_http::request::RequestContext::ApiGatewayV2(context)) => {
            context.request_id.clone().unwrap_or_default()
        }
        #[allow(unreachable_patterns)]
        _ => String::new(),
    }
}

#[cfg(not(feature = "lambda"))]
fn request_id(_: &Extensions) -> String {
    String::new()
}
