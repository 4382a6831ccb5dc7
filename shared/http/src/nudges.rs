//! `POST /certifications/{id}/nudges` (SPEC 1.9): a reminder to off-track participants,
//! at most once per 24 hours per program, listing their past-due counted components;
//! queued here, sent by the trigger: started at once (as `POST /programs/{id}/end`
//! starts a run), and by its sweep when that start fails.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use certify_rules::nudge::{NudgeSkip, NudgeSkipReason};
use certify_rules::{plan_nudges, NudgeInput, NudgeJob, NudgeRequest, Work};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::extract::{JsonBody, Path};
use crate::identity::CertifyingAdmin;
use crate::pipeline::rosters;
use crate::{new_id, ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new().route("/certifications/{id}/nudges", post(nudge))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    NudgedRecently,
    NotOffTrack,
    NotEnrolled,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub user_id: String,
    pub program_id: Option<String>,
    pub reason: SkipReason,
}

/// What a nudge request did: how many emails it queued, and who was skipped and why.
#[derive(Debug, Clone, Serialize)]
pub struct NudgeAnswer {
    pub queued: usize,
    pub skipped: Vec<Skipped>,
}

impl From<NudgeSkip> for Skipped {
    fn from(s: NudgeSkip) -> Self {
        Skipped {
            user_id: s.user_id,
            program_id: s.program_id,
            reason: match s.reason {
                NudgeSkipReason::NudgedRecently => SkipReason::NudgedRecently,
                NudgeSkipReason::NotOffTrack => SkipReason::NotOffTrack,
                NudgeSkipReason::NotEnrolled => SkipReason::NotEnrolled,
            },
        }
    }
}

/// Job items written at once.
const JOBS_AT_ONCE: usize = 8;

/// Queues nudges to the off-track participants of a certification's programs that
/// `request` names (SPEC 1.9): the rules plan who; the plan is stored as jobs of at most
/// 200 targets, which the trigger sends at the sending rate. Bounded work
/// whatever the number of recipients: the rosters' reads and a write per 200.
pub async fn queue_nudges(
    deps: &Deps,
    ws: &str,
    certification_id: &str,
    request: &NudgeRequest,
) -> Result<NudgeAnswer, ApiError> {
    let (certification, rosters) = rosters(deps, ws, certification_id).await?;
    if let Some(program) = &request.program_id {
        if !rosters.iter().any(|r| &r.program().id == program) {
            return Err(ApiError::not_found());
        }
    }
    let now = deps.now();
    let plan = plan_nudges(&rosters, request, now);
    let queued = plan.send.len();
    // SPEC 1.17: each participant's own language, else the certification's, else the
    // workspace's.
    let locale = match certification.fields.locale {
        Some(locale) => locale,
        None => deps.store.settings(ws).await?.locale,
    };
    let jobs = NudgeJob::queue(plan.send, &certification.fields.name, locale, now, new_id);
    let job_ids: Vec<String> = futures::stream::iter(jobs)
        .map(|job| async move { deps.store.queue_nudges(ws, &job).await.map(|()| job.id) })
        .buffer_unordered(JOBS_AT_ONCE)
        .try_collect()
        .await?;
    if !job_ids.is_empty() {
        if let Err(error) = deps.starter.start(Work::send_nudges(ws, job_ids)).await {
            tracing::error!(workspace = ws, error = ?error, "the trigger did not start; the sweep will send the nudges");
        }
    }
    Ok(NudgeAnswer {
        queued,
        skipped: plan.skipped.into_iter().map(Skipped::from).collect(),
    })
}

async fn nudge(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NudgeInput>,
) -> Result<(StatusCode, Json<NudgeAnswer>), ApiError> {
    let request = input.parse()?;
    let answer = queue_nudges(&deps, admin.ws(), &id, &request).await?;
    Ok((StatusCode::ACCEPTED, Json(answer)))
}
