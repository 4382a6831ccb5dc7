//! `POST /certifications/{id}/nudges` (SPEC 1.9): a reminder to off-track participants,
//! at most once per 24 hours per program, listing their past-due counted components.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use certify_mail::templates::nudge_email;
use certify_rules::nudge::{NudgeSkip, NudgeSkipReason};
use certify_rules::{plan_nudges, NudgeInput, NudgeRequest};
use serde::Serialize;

use crate::extract::{JsonBody, Path};
use crate::identity::CertifyingAdmin;
use crate::pipeline::rosters;
use crate::{ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new().route("/certifications/{id}/nudges", post(nudge))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    NudgedRecently,
    NotOffTrack,
    NotEnrolled,
    /// The email could not be sent; the participant rests 24 hours all the same.
    SendFailed,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub user_id: String,
    pub program_id: Option<String>,
    pub reason: SkipReason,
}

/// What a nudge request did: how many emails went out, and who was skipped and why.
#[derive(Debug, Clone, Serialize)]
pub struct NudgeAnswer {
    pub sent: usize,
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

/// Nudges the off-track participants of a certification's programs that `request`
/// names: the rules plan who, then per participant the mark is written first,
/// conditional on the one read (of two racing nudges one sends), and the email sent.
pub async fn send_nudges(
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
    let mut answer = NudgeAnswer {
        sent: 0,
        skipped: plan.skipped.into_iter().map(Skipped::from).collect(),
    };
    for target in plan.send {
        let skip = |reason| Skipped {
            user_id: target.user_id.clone(),
            program_id: Some(target.program_id.clone()),
            reason,
        };
        let marked = deps
            .store
            .mark_nudged(ws, &target.program_id, &target.user_id, target.previous_nudge, now)
            .await?;
        if !marked {
            answer.skipped.push(skip(SkipReason::NudgedRecently));
            continue;
        }
        match deps
            .mailer
            .send(&nudge_email(&target, &certification.fields.name))
            .await
        {
            Ok(_) => answer.sent += 1,
            Err(error) => {
                tracing::warn!(error = ?error, program_id = %target.program_id, "nudge not sent");
                answer.skipped.push(skip(SkipReason::SendFailed));
            }
        }
    }
    Ok(answer)
}

async fn nudge(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NudgeInput>,
) -> Result<Json<NudgeAnswer>, ApiError> {
    let request = input.parse()?;
    Ok(Json(send_nudges(&deps, admin.ws(), &id, &request).await?))
}
