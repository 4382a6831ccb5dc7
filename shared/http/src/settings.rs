//! `GET|PUT /workspace/settings`.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use certify_rules::{linkedin_organization_id, locale_field, FieldError, Invalid};
use certify_store::WorkspaceSettings;
use serde::Deserialize;

use crate::extract::JsonBody;
use crate::identity::{Operator, Staff};
use crate::{ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new().route("/workspace/settings", get(read).put(write))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsInput {
    certifications_enabled: Option<bool>,
    /// Replaced as a whole, as PUT does: absent or null means none.
    linkedin_organization_id: Option<String>,
    /// A supported tag; absent or null means the default, `en`.
    locale: Option<String>,
}

async fn read(State(deps): State<Arc<Deps>>, staff: Staff) -> Result<Json<WorkspaceSettings>, ApiError> {
    Ok(Json(deps.store.settings(staff.ws()).await?))
}

async fn write(
    State(deps): State<Arc<Deps>>,
    operator: Operator,
    JsonBody(input): JsonBody<SettingsInput>,
) -> Result<Json<WorkspaceSettings>, ApiError> {
    let mut problems = Vec::new();
    if input.certifications_enabled.is_none() {
        problems.push(FieldError {
            field: "certifications_enabled".into(),
            problem: "is required".into(),
        });
    }
    let linkedin_organization_id = input
        .linkedin_organization_id
        .as_deref()
        .map(linkedin_organization_id)
        .transpose()
        .unwrap_or_else(|e| {
            problems.push(e);
            None
        });
    let locale = input
        .locale
        .as_deref()
        .map(|raw| locale_field("locale", raw))
        .transpose()
        .unwrap_or_else(|e| {
            problems.push(e);
            None
        })
        .unwrap_or_default();
    let (Some(enabled), true) = (input.certifications_enabled, problems.is_empty()) else {
        return Err(Invalid(problems).into());
    };
    let settings = WorkspaceSettings {
        certifications_enabled: enabled,
        linkedin_organization_id,
        locale,
    };
    deps.store.put_settings(operator.ws(), &settings).await?;
    Ok(Json(settings))
}
