//! The answers that carry more than a JSON body: a version as `ETag`, a `Location`, a
//! redirect, no content; and the list page shape (SPEC 2).

use axum::http::header::{ETAG, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// 200 with the resource's version as `ETag`.
pub struct Tagged<T> {
    pub version: u64,
    pub body: T,
}

/// A resource that carries its version (SPEC 2: `ETag`, `If-Match`).
pub trait Versioned {
    fn version(&self) -> u64;
}

impl Versioned for certify_rules::Certification {
    fn version(&self) -> u64 {
        self.version
    }
}

impl Versioned for certify_rules::Program {
    fn version(&self) -> u64 {
        self.version
    }
}

impl<T: Versioned> From<T> for Tagged<T> {
    fn from(body: T) -> Self {
        Tagged {
            version: body.version(),
            body,
        }
    }
}

impl<T: Serialize> IntoResponse for Tagged<T> {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        headers.insert(ETAG, etag(self.version));
        (headers, Json(self.body)).into_response()
    }
}

/// 201 with `Location` and, for a versioned resource, `ETag`.
pub struct Created<T> {
    pub location: String,
    /// The `ETag`, for a resource that has versions.
    pub version: Option<u64>,
    pub body: T,
}

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if let Some(version) = self.version {
            headers.insert(ETAG, etag(version));
        }
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

/// 302 to a short-lived link (a certificate's file).
pub struct Redirect(pub String);

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        (StatusCode::FOUND, [(LOCATION, self.0)]).into_response()
    }
}

/// 303 to a short-lived link to a file just written for this request (an export).
pub struct SeeOther(pub String);

impl IntoResponse for SeeOther {
    fn into_response(self) -> Response {
        (StatusCode::SEE_OTHER, [(LOCATION, self.0)]).into_response()
    }
}
