//! Certificates (SPEC 1.10-1.11): a participant's own, one by id, download and preview
//! links, revocation, public verification, the completion banner and the run record.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use certify_blobs::{certificate_key, FileKind};
use certify_rules::{
    revocation_reason, Certificate, CertificateStatus, CertificationSnapshot, HistoryEntry, ProgramRef, PublicLinks,
    Role, RunRecord,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::extract::{JsonBody, Paging, Path};
use crate::identity::{CertifyingAdmin, Member};
use crate::respond::{ListPage, Redirect};
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
        .route("/certificates/{id}/history", get(history))
        .route("/programs/{id}/run", get(run))
}

#[derive(Serialize)]
pub(crate) struct CertificateView {
    pub(crate) id: String,
    pub(crate) status: CertificateStatus,
    pub(crate) user_id: String,
    pub(crate) holder_name: String,
    pub(crate) certification: CertificationSnapshot,
    /// `null` for a certificate an admin issued by hand.
    pub(crate) program: Option<ProgramRef>,
    pub(crate) issued_on: NaiveDate,
    pub(crate) expires_on: Option<NaiveDate>,
    pub(crate) revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    pub(crate) revoked_reason: Option<String>,
    pub(crate) replaced_by: Option<String>,
    /// The public verification page (SPEC 1.12).
    pub(crate) verify_url: String,
    /// LinkedIn's "Add to profile" form, filled in (SPEC 1.12).
    pub(crate) linkedin_url: String,
    /// The admin's internal note: in admins' answers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) note: Option<String>,
}

/// How certificates of one workspace are shown: today's date and its public links.
pub(crate) struct Viewer {
    today: NaiveDate,
    public_url: String,
    linkedin_organization_id: Option<String>,
    /// Whether the caller is an admin, who alone sees a certificate's note.
    admin: bool,
}

impl Viewer {
    pub(crate) async fn of(deps: &Deps, ws: &str, role: Role) -> Result<Viewer, ApiError> {
        Ok(Viewer {
            today: deps.now().date_naive(),
            public_url: deps.public_url.clone(),
            linkedin_organization_id: deps.store.settings(ws).await?.linkedin_organization_id,
            admin: role == Role::Admin,
        })
    }

    pub(crate) fn view(&self, c: Certificate) -> CertificateView {
        let links = PublicLinks::new(&self.public_url, &c, self.linkedin_organization_id.as_deref());
        CertificateView {
            verify_url: links.verify,
            linkedin_url: links.linkedin,
            status: c.status(self.today),
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
            note: c.note.filter(|_| self.admin),
        }
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
    let viewer = Viewer::of(&deps, member.ws(), member.role()).await?;
    let certificates = deps.store.certificates_of(member.ws(), member.user_id()).await?;
    Ok(Json(certificates.into_iter().map(|c| viewer.view(c)).collect()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    member: Member,
    Path(id): Path<String>,
) -> Result<Json<CertificateView>, ApiError> {
    let certificate = visible(&deps, &member, &id).await?;
    Ok(Json(
        Viewer::of(&deps, member.ws(), member.role()).await?.view(certificate),
    ))
}

/// 302 to a short-lived link to one of a certificate's files.
pub(crate) async fn file_link(deps: &Deps, ws: &str, c: &Certificate, kind: FileKind) -> Result<Redirect, ApiError> {
    let key = certificate_key(ws, &c.id, kind);
    // The preview is drawn when first asked for (SPEC 1.8 step 2 keeps the run to the PDF).
    if kind == FileKind::Png && !deps.blobs.exists(&key).await? {
        deps.issuer.preview(ws, c).await.map_err(ApiError::internal)?;
    }
    let url = deps.blobs.presigned_get(&key, LINK_LIFETIME).await?;
    Ok(Redirect(url))
}

/// The certificate's preview: as stored, or drawn now (and stored) when it was never
/// asked for before.
pub(crate) async fn preview_png(deps: &Deps, ws: &str, c: &Certificate) -> Result<Vec<u8>, ApiError> {
    let stored = deps.blobs.get(&certificate_key(ws, &c.id, FileKind::Png)).await?;
    match stored {
        Some(png) => Ok(png),
        None => deps.issuer.preview(ws, c).await.map_err(ApiError::internal),
    }
}

/// A file of a certificate the caller may see.
async fn link(deps: &Deps, member: &Member, id: &str, kind: FileKind) -> Result<Redirect, ApiError> {
    let certificate = visible(deps, member, id).await?;
    file_link(deps, member.ws(), &certificate, kind).await
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
    let revoked = deps
        .store
        .revoke_certificate(admin.ws(), &id, &reason, now, &admin.actor())
        .await?;
    Ok(Json(Viewer::of(&deps, admin.ws(), admin.role()).await?.view(revoked)))
}

/// The certificate's history, oldest first (SPEC 1.15).
async fn history(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    Paging(page): Paging,
) -> Result<Json<ListPage<HistoryEntry>>, ApiError> {
    let page = deps.store.certificate_history(admin.ws(), &id, &page).await?;
    Ok(Json(page.into()))
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
