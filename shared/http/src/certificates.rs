//! Certificates (SPEC 1.10-1.11): a participant's own, one by id, download and preview
//! links, revocation, public verification, the completion banner and the run record.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use certify_blobs::{certificate_key, FileKind};
use certify_rules::{
    revocation_reason, Certificate, CertificateStatus, CertificationSnapshot, ProgramRef, Role, RunRecord,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::{JsonBody, Path};
use crate::identity::{CertifyingAdmin, Member};
use crate::respond::Redirect;
use crate::{completion_banner, ApiError, Banner, Deps};

/// How long a download or preview link works.
pub const LINK_LIFETIME: Duration = Duration::from_secs(5 * 60);

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
async fn visible(deps: &Deps, member: &Member, id: &str) -> Result<Certificate, ApiError> {
    let (owner, certificate) = deps.store.certificate(id).await?.ok_or_else(ApiError::not_found)?;
    let allowed = owner == member.ws() && (member.role() == Role::Admin || certificate.user_id == member.user_id());
    if allowed {
        Ok(certificate)
    } else {
        Err(ApiError::not_found())
    }
}

async fn mine(State(deps): State<Arc<Deps>>, member: Member) -> Result<Json<Vec<CertificateView>>, ApiError> {
    let today = deps.now().date_naive();
    let certificates = deps.store.certificates_of(member.ws(), member.user_id()).await?;
    Ok(Json(certificates.into_iter().map(|c| view(c, today)).collect()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    let certificate = visible(&deps, &member, &id).await?;
    Ok(Json(view(certificate, deps.now().date_naive())))
}

/// 302 to a short-lived link to one of the certificate's files.
async fn link(deps: &Deps, member: &Member, id: &str, kind: FileKind) -> Result<Redirect, ApiError> {
    let certificate = visible(deps, member, id).await?;
    let key = certificate_key(member.ws(), &certificate.id, kind);
    let url = deps
        .blobs
        .presigned_get(&key, LINK_LIFETIME)
        .await
        .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    Ok(Redirect(url))
}

async fn download(State(deps): State<Arc<Deps>>, member: Member, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    link(&deps, &member, &id, FileKind::Pdf).await
}

async fn preview(State(deps): State<Arc<Deps>>, member: Member, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    link(&deps, &member, &id, FileKind::Png).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeInput {
    reason: Option<String>,
}

async fn revoke(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RevokeInput>,
) -> Result<Json<CertificateView>, ApiError> {
    let reason = revocation_reason(input.reason.as_deref())?;
    let now = deps.now();
    let revoked = deps.store.revoke_certificate(admin.ws(), &id, &reason, now).await?;
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

/// The run record: certification data, so behind the certifications-enabled gate.
async fn run(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
) -> Result<Json<RunRecord>, ApiError> {
    let run = deps.store.run(admin.ws(), &id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(run))
}

/// The completion banner of the caller in a program that has ended.
async fn banner(
    State(deps): State<Arc<Deps>>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<Banner>, ApiError> {
    Ok(Json(
        completion_banner(&deps, member.ws(), member.user_id(), &id).await?,
    ))
}
