//! Regeneration (SPEC 1.13): `POST /certifications/{id}/regenerations` asks for the PDF
//! and PNG of every non-revoked certificate of a certification to be drawn again (with
//! `refresh_snapshot`, under the certification's current name, description and issuer);
//! the trigger's sweep does the work, a page at a time, and
//! `GET /certifications/{id}/regenerations/{rid}` tells how far it got. One runs at a
//! time per certification (409 `regeneration_running`).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use certify_rules::{Actor, Regeneration, RegenerationError, RegenerationInput, RegenerationState};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::extract::{JsonBody, Path};
use crate::identity::CertifyingAdmin;
use crate::respond::Accepted;
use crate::{new_id, ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/certifications/{id}/regenerations", post(start))
        .route("/certifications/{id}/regenerations/{rid}", get(read))
}

/// A regeneration as an admin sees it: the record without the worker's snapshot and
/// cursor.
#[derive(Debug, Clone, Serialize)]
pub struct RegenerationView {
    pub id: String,
    pub certification_id: String,
    pub refresh_snapshot: bool,
    pub state: RegenerationState,
    pub requested_at: DateTime<Utc>,
    pub requested_by: Actor,
    pub finished_at: Option<DateTime<Utc>>,
    /// Non-revoked certificates found when the work began; null until then.
    pub total: Option<u64>,
    pub done: u64,
    pub failed: u64,
    pub errors: Vec<RegenerationError>,
}

impl From<Regeneration> for RegenerationView {
    fn from(r: Regeneration) -> Self {
        RegenerationView {
            id: r.id,
            certification_id: r.certification_id,
            refresh_snapshot: r.refresh_snapshot,
            state: r.state,
            requested_at: r.requested_at,
            requested_by: r.requested_by,
            finished_at: r.finished_at,
            total: r.total,
            done: r.done,
            failed: r.failed,
            errors: r.errors,
        }
    }
}

/// Starts a regeneration of a certification of the caller's workspace (an archived one
/// too: its certificates are still shown and verified); the sweep works it.
async fn start(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<RegenerationInput>,
) -> Result<Accepted<RegenerationView>, ApiError> {
    let refresh_snapshot = input.parse()?;
    let ws = admin.ws();
    let certification = deps
        .store
        .certification(ws, &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    // A refreshed snapshot takes the locale as it is now (SPEC 1.17).
    let workspace_locale = deps.store.settings(ws).await?.locale;
    let regeneration = Regeneration::request(
        new_id(),
        &certification,
        workspace_locale,
        refresh_snapshot,
        admin.actor(),
        deps.now(),
    );
    // Another still running: 409 `regeneration_running`.
    deps.store.start_regeneration(ws, &regeneration).await?;
    Ok(Accepted {
        location: format!("/certifications/{id}/regenerations/{}", regeneration.id),
        body: regeneration.into(),
    })
}

async fn read(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path((id, rid)): Path<(String, String)>,
) -> Result<Json<RegenerationView>, ApiError> {
    let regeneration = deps.store.regeneration(admin.ws(), &id, &rid).await?;
    let regeneration = regeneration.ok_or_else(ApiError::not_found)?;
    Ok(Json(regeneration.into()))
}
