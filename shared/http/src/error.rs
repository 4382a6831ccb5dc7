//! Every error the API answers, in the SPEC's shape, decided in this one place:
//! `{"error": {"code", "message", "details": [{"field", "problem"}]}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use certify_rules::{FieldError, Invalid};
use certify_store::{Conflict, StoreError};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    details: Vec<FieldError>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    details: &'a [FieldError],
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn details(&self) -> &[FieldError] {
        &self.details
    }

    pub fn invalid(invalid: Invalid) -> Self {
        ApiError {
            details: invalid.0,
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_input",
                "the request is not valid; see details",
            )
        }
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }

    /// A verified token whose workspace or `sub` breaks the identity rule (SPEC 1.1):
    /// 401 `invalid_identity`, naming the claim.
    pub fn invalid_identity(claim: &str, problem: &str) -> Self {
        ApiError {
            details: vec![FieldError {
                field: claim.to_string(),
                problem: problem.to_string(),
            }],
            ..ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_identity",
                "the token's workspace or user id is not one this API accepts",
            )
        }
    }

    pub fn forbidden() -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "your role may not do this")
    }

    pub fn certifications_disabled() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "certifications_disabled",
            "certifications are not enabled for this workspace",
        )
    }

    /// A file link that was not signed here, or has expired (the local server's files).
    pub fn link_refused() -> Self {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "link_refused",
            "this link is not valid or has expired; ask for a new one",
        )
    }

    pub fn not_found() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such resource")
    }

    /// A path no route serves (404 like a missing resource, told apart by its message).
    pub fn no_route() -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
    }

    pub fn method_not_allowed() -> Self {
        ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method",
        )
    }

    pub fn precondition_failed() -> Self {
        ApiError::new(
            StatusCode::PRECONDITION_FAILED,
            "precondition_failed",
            "the resource changed since the version in If-Match",
        )
    }

    /// An `Idempotency-Key` reused with another request (422).
    pub fn idempotency_key_reused() -> Self {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was used with another request",
        )
    }

    /// A state conflict of its own kind (409).
    pub fn conflict(code: &'static str, message: &str) -> Self {
        ApiError::new(StatusCode::CONFLICT, code, message)
    }

    pub fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is over {} KiB", limit / 1024),
        )
    }

    /// A real fault: the cause is logged with its chain, the answer says nothing of it.
    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!(error = ?error, "request failed");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side",
        )
    }
}

impl From<Invalid> for ApiError {
    fn from(invalid: Invalid) -> Self {
        ApiError::invalid(invalid)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        let conflict = |code, message: &str| ApiError::new(StatusCode::CONFLICT, code, message);
        match error {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::BadCursor => ApiError::invalid(Invalid::one("cursor", "is not a cursor this list gave out")),
            StoreError::Conflict(Conflict::AlreadyExists) => conflict("already_exists", "it exists already"),
            StoreError::Conflict(Conflict::StaleVersion) => {
                conflict("version_conflict", "it was changed meanwhile; read it again and retry")
            }
            StoreError::Conflict(Conflict::ProgramEnded) => {
                conflict("program_ended", "the program has ended; it can no longer change")
            }
            StoreError::Conflict(Conflict::CertificationUnavailable) => conflict(
                "certification_unavailable",
                "the certification does not exist or is archived",
            ),
            StoreError::Conflict(Conflict::CertificationInUse) => conflict(
                "certification_in_use",
                "a program that has not ended links this certification",
            ),
            StoreError::Conflict(Conflict::AlreadyRevoked) => {
                conflict("already_revoked", "the certificate is revoked already")
            }
            StoreError::Conflict(Conflict::RegenerationRunning(id)) => conflict(
                "regeneration_running",
                &format!("regeneration {id} of this certification is still running; wait for it to complete"),
            ),
            StoreError::Conflict(Conflict::AlreadyEnrolled(users)) => ApiError {
                details: users
                    .into_iter()
                    .map(|u| FieldError {
                        field: "user_id".into(),
                        problem: format!("{u} is enrolled already"),
                    })
                    .collect(),
                ..conflict("already_enrolled", "some users are enrolled already; see details")
            },
            StoreError::Unexpected(e) => ApiError::internal(e),
        }
    }
}

/// A file that could not be read or written: a real fault (500), never the caller's.
impl From<certify_blobs::BlobError> for ApiError {
    fn from(error: certify_blobs::BlobError) -> Self {
        ApiError::internal(anyhow::Error::new(error))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                details: &self.details,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
