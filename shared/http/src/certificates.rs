//! Certificates (SPEC 1.10-1.11): a participant's own, one by id, download and preview
//! links, revocation, public verification, the completion banner and the run record.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use certify_rules::{
    completion, Certificate, CertificateStatus, CertificationSnapshot, Completion, Invalid, ProgramRef, RunRecord,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::{Identity, JsonBody, Role};
use crate::{certifying, certifying_admin, ApiError, Deps};

/// How long a download or preview link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);
pub const REASON_MAX: usize = 500;

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/me/certificates", get(mine))
        .route("/me/programs/{id}/completion", get(banner))
        .route("/certificates/{id}", get(read))
        .route("/certificates/{id}/download", get(download))
        .route("/certificates/{id}/preview", get(preview))
        .route("/certificates/{id}/revoke", post(revoke))
        .route("/verify/{id}", get(verify))
        .route("/programs/{id}/run", get(run))
}

#[derive(Serialize)]
struct CertificateView {
    id: String,
    status: CertificateStatus,
    user_id: String,
    holder_name: String,
    certification: CertificationSnapshot,
    program: ProgramRef,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    revoked_reason: Option<String>,
    replaced_by: Option<String>,
}

fn view(c: Certificate, today: NaiveDate) -> CertificateView {
    CertificateView {
        status: c.status(today),
        id: c.id,
        user_id: c.user_id,
        holder_name: c.holder_name,
        certification: c.certification,
        program: c.program,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        revoked_at: c.revoked_at,
        revoked_reason: c.revoked_reason,
        replaced_by: c.replaced_by,
    }
}

/// A certificate the caller may see: its holder's, or any of the workspace for an
/// admin. Anything else reads as missing.
async fn visible(deps: &Deps, who: &Identity, id: &str) -> Result<Certificate, ApiError> {
    let ws = certifying(deps, who).await?;
    let (owner, certificate) = deps.store.certificate(id).await?.ok_or_else(ApiError::not_found)?;
    let allowed = owner == ws && (who.role == Role::Admin || certificate.user_id == who.user_id);
    if allowed {
        Ok(certificate)
    } else {
        Err(ApiError::not_found())
    }
}

async fn mine(State(deps): State<Arc<Deps>>, who: Identity) -> Result<Json<Vec<CertificateView>>, ApiError> {
    let ws = certifying(&deps, &who).await?;
    let today = deps.now().date_naive();
    let certificates = deps.store.certificates_of(ws, &who.user_id).await?;
    Ok(Json(certificates.into_iter().map(|c| view(c, today)).collect()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    let certificate = visible(&deps, &who, &id).await?;
    Ok(Json(view(certificate, deps.now().date_naive())))
}

/// 302 to a short-lived link to one of the certificate's files.
struct Redirect(String);

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        (StatusCode::FOUND, [(LOCATION, self.0)]).into_response()
    }
}

async fn link(deps: &Deps, who: &Identity, id: &str, extension: &str) -> Result<Redirect, ApiError> {
    let certificate = visible(deps, who, id).await?;
    let key = certify_blobs::certificate_key(&who.workspace_id, &certificate.id, extension);
    let url = deps
        .blobs
        .presigned_get(&key, LINK_LIFETIME)
        .await
        .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    Ok(Redirect(url))
}

async fn download(State(deps): State<Arc<Deps>>, who: Identity, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    link(&deps, &who, &id, "pdf").await
}

async fn preview(State(deps): State<Arc<Deps>>, who: Identity, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    link(&deps, &who, &id, "png").await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeInput {
    reason: Option<String>,
}

async fn revoke(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RevokeInput>,
) -> Result<Json<CertificateView>, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        return Err(Invalid::one("reason", format!("must be 1 to {REASON_MAX} characters")).into());
    }
    let now = deps.now();
    let revoked = deps.store.revoke_certificate(ws, &id, reason, now).await?;
    Ok(Json(view(revoked, now.date_naive())))
}

/// What anyone may learn of a certificate by its id: nothing about how to reach its holder.
#[derive(Serialize)]
struct Verification {
    certificate_id: String,
    status: CertificateStatus,
    holder_name: String,
    certification_name: String,
    issuer_name: String,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
}

async fn verify(State(deps): State<Arc<Deps>>, Path(id): Path<String>) -> Result<Json<Verification>, ApiError> {
    let (_, c) = deps.store.certificate(&id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(Verification {
        status: c.status(deps.now().date_naive()),
        certificate_id: c.id,
        holder_name: c.holder_name,
        certification_name: c.certification.name,
        issuer_name: c.certification.issuer_name,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
    }))
}

async fn run(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
) -> Result<Json<RunRecord>, ApiError> {
    who.require(&[Role::Admin])?;
    let run = deps
        .store
        .run(&who.workspace_id, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Json(run))
}

#[derive(Serialize)]
struct BannerCertification {
    name: String,
    description: String,
}

#[derive(Serialize)]
struct BannerCertificate {
    id: String,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    preview_url: String,
    download_url: String,
}

#[derive(Serialize)]
struct Banner {
    status: Completion,
    certification: BannerCertification,
    certificate: Option<BannerCertificate>,
}

/// The completion banner of a participant in a program that has ended.
async fn banner(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
) -> Result<Json<Banner>, ApiError> {
    let ws = certifying(&deps, &who).await?;
    let roster = deps.store.roster(ws, &id).await?.ok_or_else(ApiError::not_found)?;
    let enrollment = roster.enrollments.iter().find(|e| e.participant.user_id == who.user_id);
    let enrollment = enrollment.ok_or_else(ApiError::not_found)?;
    if !roster.program.state.is_over() {
        return Err(ApiError::conflict("program_not_ended", "the program has not ended yet"));
    }
    let cid = roster
        .program
        .certification_id
        .as_deref()
        .ok_or_else(ApiError::not_found)?;
    let certification = deps
        .store
        .certification(ws, cid)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let status = completion(
        roster.program.state,
        roster.run.map(|r| r.state),
        enrollment.outcome.as_ref(),
    );
    let certificate = match status {
        Completion::Passed => deps
            .store
            .certificates_of(ws, &who.user_id)
            .await?
            .into_iter()
            .find(|c| c.program.id == id)
            .map(|c| BannerCertificate {
                preview_url: format!("/certificates/{}/preview", c.id),
                download_url: format!("/certificates/{}/download", c.id),
                id: c.id,
                issued_on: c.issued_on,
                expires_on: c.expires_on,
            }),
        _ => None,
    };
    Ok(Json(Banner {
        status,
        certification: BannerCertification {
            name: certification.fields.name,
            description: certification.fields.description,
        },
        certificate,
    }))
}
