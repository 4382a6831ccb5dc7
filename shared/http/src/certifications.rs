//! Certification CRUD (SPEC 1.2): `/certifications` and `/certifications/{id}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use certify_rules::{Certification, CertificationInput, CertificationPatch, HistoryEntry, Invalid};

use crate::extract::{IfMatch, JsonBody, Paging, Path, Query};
use crate::identity::CertifyingAdmin;
use crate::respond::{Created, ListPage, NoContent, Tagged};
use crate::{new_id, ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/certifications", get(list).post(create))
        .route("/certifications/{id}", get(read).patch(update).delete(archive))
        .route("/certifications/{id}/history", get(history))
}

async fn create(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    JsonBody(input): JsonBody<CertificationInput>,
) -> Result<Created<Certification>, ApiError> {
    let certification = Certification::create(new_id(), input.parse()?, deps.now());
    deps.store
        .create_certification(admin.ws(), &certification, &admin.actor())
        .await?;
    Ok(Created {
        location: format!("/certifications/{}", certification.id),
        version: Some(certification.version),
        body: certification,
    })
}

async fn list(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Paging(page): Paging,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Json<ListPage<Certification>>, ApiError> {
    let include_archived = match query.get("include_archived").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Invalid::one("include_archived", "must be true or false").into()),
    };
    let page = deps.store.certifications(admin.ws(), include_archived, &page).await?;
    Ok(Json(page.into()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
) -> Result<Tagged<Certification>, ApiError> {
    let certification = deps
        .store
        .certification(admin.ws(), &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(certification.into())
}

async fn update(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<CertificationPatch>,
) -> Result<Tagged<Certification>, ApiError> {
    let current = deps.store.certification(admin.ws(), &id).await?;
    let current = current.filter(|c| !c.is_archived()).ok_or_else(ApiError::not_found)?;
    // The body is judged before the version: a request that is wrong twice hears 400.
    let fields = patch.apply(&current.fields)?;
    if_match.admit(current.version)?;
    let next = if_match.written(
        deps.store
            .update_certification(admin.ws(), &current, &fields, deps.now(), &admin.actor())
            .await,
    )?;
    Ok(next.into())
}

async fn archive(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<NoContent, ApiError> {
    let archived = deps
        .store
        .archive_certification(admin.ws(), &id, if_match.0, deps.now(), &admin.actor())
        .await;
    if_match.written(archived)?;
    Ok(NoContent)
}

/// The certification's history, oldest first (SPEC 1.15).
async fn history(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    Paging(page): Paging,
) -> Result<Json<ListPage<HistoryEntry>>, ApiError> {
    let page = deps.store.certification_history(admin.ws(), &id, &page).await?;
    Ok(Json(page.into()))
}
