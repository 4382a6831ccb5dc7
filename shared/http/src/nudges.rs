//! `POST /certifications/{id}/nudges` (SPEC 1.9): a reminder to off-track participants,
//! at most once per 24 hours per program, listing their past-due counted components.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use certify_mail::Email;
use certify_rules::nudge::{NudgeSkip, NudgeSkipReason, NudgeTarget};
use certify_rules::{plan_nudges, NudgeInput};
use serde::Serialize;

use crate::extract::{Identity, JsonBody};
use crate::pipeline::rosters;
use crate::{certifying_admin, ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new().route("/certifications/{id}/nudges", post(nudge))
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum SkipReason {
    NudgedRecently,
    NotOffTrack,
    NotEnrolled,
    /// The email could not be sent; the participant rests 24 hours all the same.
    SendFailed,
}

#[derive(Serialize)]
struct Skipped {
    user_id: String,
    program_id: Option<String>,
    reason: SkipReason,
}

#[derive(Serialize)]
struct NudgeAnswer {
    sent: usize,
    skipped: Vec<Skipped>,
}

fn skipped(s: NudgeSkip) -> Skipped {
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

/// The reminder: the program and each past-due counted component with its due time.
pub fn reminder(target: &NudgeTarget, certification: &str) -> Email {
    let items: Vec<(String, String)> = target
        .past_due
        .iter()
        .map(|p| (p.title.clone(), p.due_at.format("%Y-%m-%d %H:%M UTC").to_string()))
        .collect();
    let text_items: String = items.iter().map(|(t, d)| format!("- {t} (due {d})\n")).collect();
    let html_items: String = items
        .iter()
        .map(|(t, d)| {
            format!(
                "<li>{} (due {})</li>",
                certify_mail::escape_html(t),
                certify_mail::escape_html(d)
            )
        })
        .collect();
    Email {
        to: target.email.clone(),
        to_name: target.name.clone(),
        subject: format!("Reminder: {} has work past due", target.program_name),
        text: format!(
            "Hello {},\n\nTo stay on track for {certification} in {}, please complete:\n\n{text_items}\nThank you.\n",
            target.name, target.program_name
        ),
        html: format!(
            "<p>Hello {},</p><p>To stay on track for {} in {}, please complete:</p><ul>{html_items}</ul><p>Thank you.</p>",
            certify_mail::escape_html(&target.name),
            certify_mail::escape_html(certification),
            certify_mail::escape_html(&target.program_name)
        ),
    }
}

async fn nudge(
    State(deps): State<Arc<Deps>>,
    who: Identity,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<NudgeInput>,
) -> Result<Json<NudgeAnswer>, ApiError> {
    let ws = certifying_admin(&deps, &who).await?;
    let request = input.parse()?;
    let (certification, rosters) = rosters(&deps, ws, &id).await?;
    if let Some(program) = &request.program_id {
        if !rosters.iter().any(|r| &r.program().id == program) {
            return Err(ApiError::not_found());
        }
    }
    let now = deps.now();
    let plan = plan_nudges(&rosters, &request, now);
    let mut answer = NudgeAnswer {
        sent: 0,
        skipped: plan.skipped.into_iter().map(skipped).collect(),
    };
    for target in plan.send {
        let skip = |reason| Skipped {
            user_id: target.user_id.clone(),
            program_id: Some(target.program_id.clone()),
            reason,
        };
        // The mark first, conditional on the one read: of two racing nudges one sends.
        let marked = deps
            .store
            .mark_nudged(ws, &target.program_id, &target.user_id, target.previous_nudge, now)
            .await?;
        if !marked {
            answer.skipped.push(skip(SkipReason::NudgedRecently));
            continue;
        }
        match deps.mailer.send(&reminder(&target, &certification.fields.name)).await {
            Ok(_) => answer.sent += 1,
            Err(error) => {
                tracing::warn!(error = ?error, program_id = %target.program_id, "nudge not sent");
                answer.skipped.push(skip(SkipReason::SendFailed));
            }
        }
    }
    Ok(Json(answer))
}
