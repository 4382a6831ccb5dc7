//! Certification CRUD (SPEC 1.2): `/certifications` and `/certifications/{id}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Router;
use certify_rules::{Certification, CertificationInput, CertificationPatch, Invalid};

use crate::extract::{Created, Identity, IfMatch, JsonBody, ListPage, NoContent, Paging, Tagged};
use crate::{certifying_admin, ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/certifications", get(list).post(create))
        .route("/certifications/{id}", get(read).patch(update).delete(archive))
}

async fn create(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    JsonBody(input): JsonBody<CertificationInput>,
) -> Result<Created<Certification>, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    let fields = input.parse()?;
    let now = deps.now();
    let certification = Certification {
        id: uuid::Uuid::new_v4().to_string(),
        fields,
        created_at: now,
        updated_at: now,
        version: 1,
        archived_at: None,
    };
    deps.store.create_certification(ws, &certification).await?;
    Ok(Created {
        location: format!("/certifications/{}", certification.id),
        version: certification.version,
        body: certification,
    })
}

async fn list(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Paging(page): Paging,
    Query(query): Query<HashMap<String, String>>,
) -> Result<axum::Json<ListPage<Certification>>, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    let include_archived = match query.get("include_archived").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(Invalid::one("include_archived", "must be true or false").into()),
    };
    let page = deps.store.certifications(ws, include_archived, &page).await?;
    Ok(axum::Json(page.into()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
) -> Result<Tagged<Certification>, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    let certification = deps
        .store
        .certification(ws, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    Ok(Tagged(certification.version, certification))
}

async fn update(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<CertificationPatch>,
) -> Result<Tagged<Certification>, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    let current = deps.store.certification(ws, &id).await?;
    let current = current.filter(|c| !c.is_archived()).ok_or_else(ApiError::not_found)?;
    if if_match.0.is_some_and(|v| v != current.version) {
        return Err(ApiError::precondition_failed());
    }
    let fields = patch.apply(&current.fields)?;
    let next = deps
        .store
        .update_certification(ws, &current, &fields, deps.now())
        .await
        .map_err(|e| if_match.conflict(e.into()))?;
    Ok(Tagged(next.version, next))
}

async fn archive(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<NoContent, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    deps.store
        .archive_certification(ws, &id, if_match.0, deps.now())
        .await
        .map_err(|e| if_match.conflict(e.into()))?;
    Ok(NoContent)
}
