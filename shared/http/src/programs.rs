//! Programs, their certification link, components, participants, progress and
//! extensions (SPEC 1.3): everything under `/programs`.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{delete, get, patch, post, put};
use axum::{Json, Router};
use certify_rules::{
    participants_page, Component, ComponentInput, ComponentPatch, EnrollBatch, EnrollInput, EnrollmentRecord,
    ExtensionInput, Invalid, Participant, Program, ProgramInput, ProgramPatch, ProgressInput, ProgressStatus, UserId,
    Work,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::extract::{parse_value, IfMatch, JsonBody, Paging, Path};
use crate::identity::{Admin, Caller, CertifyingAdmin};
use crate::respond::{Accepted, Created, ListPage, NoContent, Tagged};
use crate::{new_id, ApiError, Deps};

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
    admin: Admin,
    JsonBody(input): JsonBody<ProgramInput>,
) -> Result<Created<Program>, ApiError> {
    if input.certification_id.is_some() {
        admin.require_certifying(&deps).await?;
    }
    let program = Program::create(new_id(), input.parse()?, deps.now());
    deps.store.create_program(admin.ws(), &program).await?;
    Ok(Created {
        location: format!("/programs/{}", program.id),
        version: Some(program.version),
        body: program,
    })
}

async fn list(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Paging(page): Paging,
) -> Result<Json<ListPage<Program>>, ApiError> {
    Ok(Json(deps.store.programs(admin.ws(), &page).await?.into()))
}

async fn read(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Tagged<ProgramView>, ApiError> {
    let (program, components) = program_and_components(&deps, admin.ws(), &id).await?;
    Ok(Tagged {
        version: program.version,
        body: ProgramView { program, components },
    })
}

/// Applies `patch` to the stored program, honouring `If-Match`; a change of its link
/// needs certifications enabled.
async fn change<G>(
    deps: &Deps,
    admin: &Caller<G>,
    id: &str,
    if_match: &IfMatch,
    patch: ProgramPatch,
) -> Result<Tagged<Program>, ApiError> {
    let current = deps
        .store
        .program(admin.ws(), id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    if patch.changes_link(&current) {
        admin.require_certifying(deps).await?;
    }
    // The body is judged before the version: a request that is wrong twice hears 400.
    let fields = patch.apply(&current)?;
    if_match.admit(current.version)?;
    let next = if_match.written(
        deps.store
            .update_program(admin.ws(), &current, &fields, deps.now())
            .await,
    )?;
    Ok(next.into())
}

async fn update(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(patch): JsonBody<ProgramPatch>,
) -> Result<Tagged<Program>, ApiError> {
    change(&deps, &admin, &id, &if_match, patch).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkInput {
    certification_id: Option<String>,
}

async fn link(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    if_match: IfMatch,
    JsonBody(input): JsonBody<LinkInput>,
) -> Result<Tagged<Program>, ApiError> {
    let certification_id = input
        .certification_id
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| Invalid::one("certification_id", "is required"))?;
    let patch = ProgramPatch {
        certification_id: Some(Some(certification_id)),
        ..Default::default()
    };
    change(&deps, &admin, &id, &if_match, patch).await
}

async fn unlink(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    if_match: IfMatch,
) -> Result<Tagged<Program>, ApiError> {
    let patch = ProgramPatch {
        certification_id: Some(None),
        ..Default::default()
    };
    change(&deps, &admin, &id, &if_match, patch).await
}

async fn add_component(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ComponentInput>,
) -> Result<Created<Component>, ApiError> {
    let (_, components) = program_and_components(&deps, admin.ws(), &id).await?;
    let last = components.iter().map(|c| c.position).max();
    let component = Component::new(new_id(), input.parse(last)?);
    deps.store.add_component(admin.ws(), &id, &component).await?;
    Ok(Created {
        location: format!("/programs/{id}/components/{}", component.id),
        version: Some(1),
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
    admin: Admin,
    Path((id, cid)): Path<(String, String)>,
    JsonBody(patch): JsonBody<ComponentPatch>,
) -> Result<Json<Component>, ApiError> {
    let current = component_of(&deps, admin.ws(), &id, &cid).await?;
    let next = Component::new(current.id.clone(), patch.apply(&current)?);
    deps.store.update_component(admin.ws(), &id, &next).await?;
    Ok(Json(next))
}

async fn remove_component(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path((id, cid)): Path<(String, String)>,
) -> Result<NoContent, ApiError> {
    deps.store.remove_component(admin.ws(), &id, &cid).await?;
    Ok(NoContent)
}

/// The enroll body's shape, told apart by the presence of `participants`; each shape is
/// read strictly, so an unknown field or a wrong type is named.
fn enroll_input(body: serde_json::Value) -> Result<EnrollInput, ApiError> {
    if body.get(EnrollInput::BATCH_KEY).is_some() {
        Ok(parse_value::<EnrollBatch>(body)?.into())
    } else {
        Ok(EnrollInput::One(parse_value(body)?))
    }
}

async fn enroll(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<serde_json::Value>,
) -> Result<Created<ListPage<Participant>>, ApiError> {
    let participants = enroll_input(body)?.parse()?;
    deps.store.enroll(admin.ws(), &id, &participants).await?;
    Ok(Created {
        location: format!("/programs/{id}/participants"),
        version: Some(1),
        body: ListPage {
            items: participants,
            next_cursor: None,
        },
    })
}

/// The participants of a program with their progress and extensions, by user id.
async fn participants(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path(id): Path<String>,
    Paging(page): Paging,
) -> Result<Json<ListPage<EnrollmentRecord>>, ApiError> {
    let roster = deps
        .store
        .roster(admin.ws(), &id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let (items, next_cursor) = participants_page(roster.enrollments, page.cursor.as_deref(), page.limit)?;
    Ok(Json(ListPage { items, next_cursor }))
}

async fn unenroll(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path((id, uid)): Path<(String, UserId)>,
) -> Result<NoContent, ApiError> {
    deps.store.unenroll(admin.ws(), &id, uid.as_str()).await?;
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
    admin: Admin,
    Path((id, uid, cid)): Path<(String, UserId, String)>,
    JsonBody(input): JsonBody<ProgressInput>,
) -> Result<Json<ProgressView>, ApiError> {
    let status = input.parse()?;
    deps.store
        .set_progress(admin.ws(), &id, uid.as_str(), &cid, status)
        .await?;
    Ok(Json(ProgressView {
        user_id: uid.into(),
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
    admin: Admin,
    Path((id, uid, cid)): Path<(String, UserId, String)>,
    JsonBody(input): JsonBody<ExtensionInput>,
) -> Result<Json<ExtensionView>, ApiError> {
    let component = component_of(&deps, admin.ws(), &id, &cid).await?;
    let due_at = input.parse(&component)?;
    deps.store
        .set_extension(admin.ws(), &id, uid.as_str(), &cid, Some(due_at))
        .await?;
    Ok(Json(ExtensionView {
        user_id: uid.into(),
        component_id: cid,
        due_at,
    }))
}

async fn unextend(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path((id, uid, cid)): Path<(String, UserId, String)>,
) -> Result<NoContent, ApiError> {
    deps.store
        .set_extension(admin.ws(), &id, uid.as_str(), &cid, None)
        .await?;
    Ok(NoContent)
}

/// `POST /programs/{id}/end`: `active` -> `ending` now, then the program-ended trigger
/// runs asynchronously; 202 with the run record's location. Should starting the
/// trigger fail, the program is `ending` all the same and the next sweep runs it.
async fn end(
    State(deps): State<Arc<Deps>>,
    admin: Admin,
    Path(id): Path<String>,
) -> Result<Accepted<Program>, ApiError> {
    let ws = admin.ws();
    let program = deps.store.program(ws, &id).await?.ok_or_else(ApiError::not_found)?;
    // Not `active` (or a racing end won): 409 `program_ended`.
    let program = deps
        .store
        .begin_end(ws, &id, certify_rules::ended_at(&program, deps.now()))
        .await?;
    if let Err(error) = deps.starter.start(Work::end_program(ws, &id)).await {
        tracing::error!(workspace = ws, program = %id, error = ?error, "the trigger did not start; the sweep will run it");
    }
    Ok(Accepted {
        location: format!("/programs/{id}/run"),
        body: program,
    })
}
