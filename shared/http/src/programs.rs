//! Programs, their certification link, components, participants, progress and
//! extensions (SPEC 1.3): everything under `/programs`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use base64::Engine;
use certify_rules::{
    Component, ComponentInput, ComponentPatch, EnrollInput, EnrollmentRecord, ExtensionInput, Invalid, Participant,
    Program, ProgramInput, ProgramPatch, ProgramState, ProgressInput, ProgressStatus,
};
use certify_store::PageRequest;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::{Created, Identity, IfMatch, JsonBody, ListPage, NoContent, Paging, Role, Tagged};
use crate::{ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/programs", get(list).post(create))
        .route("/programs/{id}", get(read).patch(update))
        .route("/programs/{id}/certification", put(link).delete(unlink))
        .route("/programs/{id}/components", post(add_component))
        .route(
            "/programs/{id}/components/{cid}",
            patch(update_component).delete(remove_component),
        )
        .route("/programs/{id}/participants", get(participants).post(enroll))
        .route("/programs/{id}/participants/{uid}", delete(unenroll))
        .route("/programs/{id}/participants/{uid}/progress/{cid}", put(progress))
        .route(
            "/programs/{id}/participants/{uid}/extensions/{cid}",
            put(extend).delete(unextend),
        )
        .route("/programs/{id}/end", post(end))
}

/// An admin; linking a certification also needs certifications enabled.
async fn admin<'a>(deps: &Deps, who: &'a Identity, links: bool) -> Result<&'a str, ApiError> {
    if links {
        crate::certifying_admin(deps, who).await
    } else {
        who.require(&[Role::Admin])?;
        Ok(who.workspace_id.as_str())
    }
}

async fn program_and_components(deps: &Deps, ws: &str, id: &str) -> Result<(Program, Vec<Component>), ApiError> {
    deps.store
        .program_with_components(ws, id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// A program with its components (`GET /programs/{id}`).
#[derive(Serialize)]
struct ProgramView {
    #[serde(flatten)]
    program: Program,
    components: Vec<Component>,
}

async fn create(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    JsonBody(input): JsonBody<ProgramInput>,
) -> Result<Created<Program>, ApiError> {
    let ws = admin(&deps, &who, input.certification_id.is_some()).await?;
    let fields = input.parse()?;
    let now = deps.now();
    let program = Program {
        id: uuid::Uuid::new_v4().to_string(),
        name: fields.name,
        starts_at: fields.starts_at,
        ends_at: fields.ends_at,
        certification_id: fields.certification_id,
        state: ProgramState::Active,
        ended_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    deps.store.create_program(ws, &program).await?;
    Ok(Created {
        location: format!("/programs/{}", program.id),
        version: program.version,
        body: program,
    })
}

async fn list(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Paging(page): Paging,
) -> Result<Json<ListPage<Program>>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    Ok(Json(deps.store.programs(ws, &page).await?.into()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
) -> Result<Tagged<ProgramView>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let (program, components) = program_and_components(&deps, ws, &id).await?;
    Ok(Tagged(program.version, ProgramView { program, components }))
}

/// Applies `patch` to the stored program, honouring `If-Match`.
async fn change(
    deps: &Deps,
    who: &Identity,
    id: &str,
    if_match: &IfMatch,
    patch: ProgramPatch,
) -> Result<Tagged<Program>, ApiError> {
    let ws = who.workspace_id.as_str();
    let current = deps.store.program(ws, id).await?.ok_or_else(ApiError::not_found)?;
    admin(deps, who, patch.changes_link(&current)).await?;
    if if_match.0.is_some_and(|v| v != current.version) {
        return Err(ApiError::precondition_failed());
    }
    let fields = patch.apply(&current)?;
    let next = deps
        .store
        .update_program(ws, &current, &fields, deps.now())
        .await
        .map_err(|e| if_match.conflict(e.into()))?;
    Ok(Tagged(next.version, next))
}

async fn update(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<ProgramPatch>,
) -> Result<Tagged<Program>, ApiError> {
    who.require(&[Role::Admin])?;
    change(&deps, &who, &id, &if_match, patch).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkInput {
    certification_id: Option<String>,
}

async fn link(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(input): JsonBody<LinkInput>,
) -> Result<Tagged<Program>, ApiError> {
    crate::certifying_admin(&deps, &who).await?;
    let certification_id = input
        .certification_id
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| Invalid::one("certification_id", "is required"))?;
    let patch = ProgramPatch {
        certification_id: Some(Some(certification_id)),
        ..Default::default()
    };
    change(&deps, &who, &id, &if_match, patch).await
}

async fn unlink(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<Tagged<Program>, ApiError> {
    crate::certifying_admin(&deps, &who).await?;
    let patch = ProgramPatch {
        certification_id: Some(None),
        ..Default::default()
    };
    change(&deps, &who, &id, &if_match, patch).await
}

async fn add_component(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ComponentInput>,
) -> Result<Created<Component>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let (_, components) = program_and_components(&deps, ws, &id).await?;
    let last = components.iter().map(|c| c.position).max().unwrap_or(-1);
    let component = Component::new(uuid::Uuid::new_v4().to_string(), input.parse(last + 1)?);
    deps.store.add_component(ws, &id, &component).await?;
    Ok(Created {
        location: format!("/programs/{id}/components/{}", component.id),
        version: 1,
        body: component,
    })
}

async fn component_of(deps: &Deps, ws: &str, id: &str, cid: &str) -> Result<Component, ApiError> {
    let (_, components) = program_and_components(deps, ws, id).await?;
    components
        .into_iter()
        .find(|c| c.id == cid)
        .ok_or_else(ApiError::not_found)
}

async fn update_component(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path((id, cid)): Path<(String, String)>,
    JsonBody(patch): JsonBody<ComponentPatch>,
) -> Result<Json<Component>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let current = component_of(&deps, ws, &id, &cid).await?;
    let next = Component::new(current.id.clone(), patch.apply(&current)?);
    deps.store.update_component(ws, &id, &next).await?;
    Ok(Json(next))
}

async fn remove_component(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path((id, cid)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    deps.store.remove_component(ws, &id, &cid).await?;
    Ok(NoContent)
}

async fn enroll(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<EnrollInput>,
) -> Result<Created<ListPage<Participant>>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let participants = input.parse()?;
    deps.store.enroll(ws, &id, &participants).await?;
    Ok(Created {
        location: format!("/programs/{id}/participants"),
        version: 1,
        body: ListPage {
            items: participants,
            next_cursor: None,
        },
    })
}

fn user_cursor(user_id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(user_id)
}

fn after_user(page: &PageRequest) -> Result<Option<String>, ApiError> {
    page.cursor
        .as_deref()
        .map(|c| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(c)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| Invalid::one("cursor", "is not a cursor this list gave out").into())
        })
        .transpose()
}

/// The participants of a program with their progress and extensions, by user id.
async fn participants(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    Paging(page): Paging,
) -> Result<Json<ListPage<EnrollmentRecord>>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let after = after_user(&page)?;
    let roster = deps.store.roster(ws, &id).await?.ok_or_else(ApiError::not_found)?;
    let mut enrollments: Vec<EnrollmentRecord> = roster
        .enrollments
        .into_iter()
        .filter(|e| after.as_deref().is_none_or(|a| e.participant.user_id.as_str() > a))
        .collect();
    enrollments.sort_by(|a, b| a.participant.user_id.cmp(&b.participant.user_id));
    let more = enrollments.len() > page.limit;
    enrollments.truncate(page.limit);
    let next_cursor = match enrollments.last() {
        Some(last) if more => Some(user_cursor(&last.participant.user_id)),
        _ => None,
    };
    Ok(Json(ListPage {
        items: enrollments,
        next_cursor,
    }))
}

async fn unenroll(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path((id, uid)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    deps.store.unenroll(ws, &id, &uid).await?;
    Ok(NoContent)
}

#[derive(Serialize)]
struct ProgressView {
    user_id: String,
    component_id: String,
    status: ProgressStatus,
}

async fn progress(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path((id, uid, cid)): Path<(String, String, String)>,
    JsonBody(input): JsonBody<ProgressInput>,
) -> Result<Json<ProgressView>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let status = input.parse()?;
    deps.store.set_progress(ws, &id, &uid, &cid, status).await?;
    Ok(Json(ProgressView {
        user_id: uid,
        component_id: cid,
        status,
    }))
}

#[derive(Serialize)]
struct ExtensionView {
    user_id: String,
    component_id: String,
    due_at: DateTime<Utc>,
}

async fn extend(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path((id, uid, cid)): Path<(String, String, String)>,
    JsonBody(input): JsonBody<ExtensionInput>,
) -> Result<Json<ExtensionView>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let component = component_of(&deps, ws, &id, &cid).await?;
    let due_at = input.parse(&component)?;
    deps.store.set_extension(ws, &id, &uid, &cid, Some(due_at)).await?;
    Ok(Json(ExtensionView {
        user_id: uid,
        component_id: cid,
        due_at,
    }))
}

async fn unextend(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path((id, uid, cid)): Path<(String, String, String)>,
) -> Result<NoContent, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    deps.store.set_extension(ws, &id, &uid, &cid, None).await?;
    Ok(NoContent)
}

/// `POST /programs/{id}/end`: `active` -> `ending` now, then the program-ended trigger
/// runs asynchronously; 202 with the run record's location. Should starting the
/// trigger fail, the program is `ending` all the same and the next sweep runs it.
async fn end(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
) -> Result<crate::extract::Accepted<Program>, ApiError> {
    let ws = admin(&deps, &who, false).await?;
    let program = deps.store.program(ws, &id).await?.ok_or_else(ApiError::not_found)?;
    // Not `active` (or a racing end won): 409 `program_ended`.
    let program = deps
        .store
        .begin_end(ws, &id, certify_rules::ended_at(&program, deps.now()))
        .await?;
    if let Err(error) = deps.ender.program_ending(ws, &id).await {
        tracing::error!(workspace = ws, program = %id, error = ?error, "the trigger did not start; the sweep will run it");
    }
    Ok(crate::extract::Accepted {
        location: format!("/programs/{id}/run"),
        body: program,
    })
}
