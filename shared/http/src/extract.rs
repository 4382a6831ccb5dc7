//! Request extraction written once: who calls (identity from verified claims), JSON
//! bodies, paging and `If-Match`; and the answers that carry headers.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::header::{ETAG, IF_MATCH, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use certify_rules::{FieldError, Invalid};
use certify_store::PageRequest;
use lambda_http::request::RequestContext;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::ApiError;
use crate::Deps;

/// Largest body a request may carry.
pub const BODY_MAX: usize = 256 * 1024;
pub const LIMIT_DEFAULT: usize = 50;
pub const LIMIT_MAX: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Participant,
    Operator,
}

/// Claims someone in front of the router has verified already. The local server puts
/// them here after checking its token; on AWS, API Gateway's JWT authorizer puts them
/// in the Lambda request context instead.
#[derive(Debug, Clone, Default)]
pub struct VerifiedClaims(pub HashMap<String, String>);

/// Who calls, from verified claims only: never from the path, query or body.
#[derive(Debug, Clone)]
pub struct Identity {
    pub user_id: String,
    pub workspace_id: String,
    pub role: Role,
}

impl Identity {
    /// Refuses any role not listed with 403.
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

fn lambda_claims(parts: &Parts) -> Option<HashMap<String, String>> {
    match parts.extensions.get::<RequestContext>()? {
        RequestContext::ApiGatewayV2(context) => Some(context.authorizer.as_ref()?.jwt.as_ref()?.claims.clone()),
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

impl FromRequestParts<Arc<Deps>> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, deps: &Arc<Deps>) -> Result<Self, ApiError> {
        let claims = match parts.extensions.get::<VerifiedClaims>() {
            Some(verified) => verified.0.clone(),
            None => lambda_claims(parts).ok_or_else(|| ApiError::unauthenticated("sign in first"))?,
        };
        let claim = |name: &str| {
            claims
                .get(name)
                .filter(|v| !v.is_empty())
                .cloned()
                .ok_or_else(|| ApiError::unauthenticated(format!("the token has no {name} claim")))
        };
        let role = match claim(&deps.claims.role)?.as_str() {
            "admin" => Role::Admin,
            "participant" => Role::Participant,
            "operator" => Role::Operator,
            _ => return Err(ApiError::forbidden()),
        };
        Ok(Identity {
            user_id: claim("sub")?,
            workspace_id: claim(&deps.claims.workspace)?,
            role,
        })
    }
}

/// A JSON body of `T`: at most 256 KiB (413), well-formed, of the right types, without
/// unknown fields (400 naming the field).
pub struct JsonBody<T>(pub T);

/// serde's message without the line and column, which mean nothing to a client.
fn problem(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// The path serde reached (it names an unknown field too) for a wrong value; the whole
/// body when it is not JSON at all.
fn field_of(path: &str, error: &serde_json::Error) -> String {
    if path == "." || error.is_syntax() || error.is_eof() {
        "body".to_string()
    } else {
        path.to_string()
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Invalid::one("body", "is required (a JSON object)").into());
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let message = problem(e.inner());
        let field = field_of(&e.path().to_string(), e.inner());
        ApiError::invalid(Invalid(vec![FieldError {
            field,
            problem: message,
        }]))
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let body = request.into_body();
        let bytes = axum::body::to_bytes(body, BODY_MAX)
            .await
            .map_err(|_| ApiError::too_large(BODY_MAX))?;
        let _ = state;
        Ok(JsonBody(parse_json(&bytes)?))
    }
}

/// `limit` (1-500, default 50) and `cursor` from the query string.
pub struct Paging(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(query) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::invalid(Invalid::one("query", "is not a valid query string")))?;
        let limit = match query.get("limit") {
            None => LIMIT_DEFAULT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=LIMIT_MAX).contains(&n) => n,
                _ => return Err(Invalid::one("limit", format!("must be a whole number from 1 to {LIMIT_MAX}")).into()),
            },
        };
        let cursor = query.get("cursor").filter(|c| !c.is_empty()).cloned();
        Ok(Paging(PageRequest { limit, cursor }))
    }
}

/// The version named by `If-Match` (`"3"`, `W/"3"` or `*`), if any.
pub struct IfMatch(pub Option<u64>);

impl IfMatch {
    /// A version conflict is a failed precondition when the caller named a version.
    pub fn conflict(&self, error: ApiError) -> ApiError {
        if self.0.is_some() && error.code() == "version_conflict" {
            ApiError::precondition_failed()
        } else {
            error
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get(IF_MATCH) else {
            return Ok(IfMatch(None));
        };
        let text = raw.to_str().unwrap_or("").trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        let bare = text.trim_start_matches("W/").trim_matches('"');
        bare.parse()
            .map(|v| IfMatch(Some(v)))
            .map_err(|_| Invalid::one("If-Match", "must be an ETag this API gave out, like \"3\"").into())
    }
}

fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// 200 with the resource's version as `ETag`.
pub struct Tagged<T>(pub u64, pub T);

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, etag(self.0));
        (headers, Json(self.1)).into_response()
    }
}

/// 201 with `Location` and `ETag`.
pub struct Created<T> {
    pub location: String,
    pub version: u64,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, etag(self.version));
        if let Ok(location) = HeaderValue::from_str(&self.location) {
            headers.insert(LOCATION, location);
        }
        (StatusCode::CREATED, headers, Json(self.body)).into_response()
    }
}

/// 202 with `Location`: the work goes on elsewhere; the location tells how it goes.
pub struct Accepted<T> {
    pub location: String,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Accepted<T> {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Ok(location) = HeaderValue::from_str(&self.location) {
            headers.insert(LOCATION, location);
        }
        (StatusCode::ACCEPTED, headers, Json(self.body)).into_response()
    }
}

/// 204.
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// A list page: `items` and `next_cursor` (null on the last page).
#[derive(Serialize)]
pub struct ListPage<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> From<certify_store::Page<T>> for ListPage<T> {
    fn from(page: certify_store::Page<T>) -> Self {
        ListPage {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_problems_name_the_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Inner {
            count: Option<i64>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Outer {
            name: Option<String>,
            validity: Option<Inner>,
        }
        let field = |body: &str| {
            let err = parse_json::<Outer>(body.as_bytes()).unwrap_err();
            assert_eq!(err.status(), StatusCode::BAD_REQUEST);
            err.details()[0].field.clone()
        };
        assert_eq!(field(r#"{"colour": 1}"#), "colour");
        assert_eq!(field(r#"{"name": 5}"#), "name");
        assert_eq!(field(r#"{"validity": {"count": "x"}}"#), "validity.count");
        assert_eq!(field(r#"{"validity": {"unit2": 1}}"#), "validity.unit2");
        assert_eq!(field(r#"{"name": "#), "body");
        assert_eq!(field("  "), "body");
    }
}
