//! The completion banner (SPEC 1.11): what a participant sees of their result once a
//! program has ended, as one use case over the store.

use certify_rules::{completion, Completion};
use chrono::NaiveDate;
use serde::Serialize;

use crate::{ApiError, Deps};

#[derive(Debug, Clone, Serialize)]
pub struct BannerCertification {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BannerCertificate {
    pub id: String,
    pub issued_on: NaiveDate,
    pub expires_on: Option<NaiveDate>,
    pub preview_url: String,
    pub download_url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Banner {
    pub status: Completion,
    pub certification: BannerCertification,
    /// The certificate earned in this program; `None` unless passed.
    pub certificate: Option<BannerCertificate>,
}

/// The banner of `user_id` in a program of workspace `ws`: 404 when they are not
/// enrolled or the program links no certification, 409 `program_not_ended` before its
/// end.
pub async fn completion_banner(deps: &Deps, ws: &str, user_id: &str, program_id: &str) -> Result<Banner, ApiError> {
    let roster = deps
        .store
        .roster(ws, program_id)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let enrollment = roster.enrollments.iter().find(|e| e.participant.user_id == user_id);
    let enrollment = enrollment.ok_or_else(ApiError::not_found)?;
    if !roster.program.state.is_over() {
        return Err(ApiError::conflict("program_not_ended", "the program has not ended yet"));
    }
    let cid = roster
        .program
        .certification_id
        .as_deref()
        .ok_or_else(ApiError::not_found)?;
    let certification = deps
        .store
        .certification(ws, cid)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let status = completion(
        roster.program.state,
        roster.run.map(|r| r.state),
        enrollment.outcome.as_ref(),
    );
    let certificate = match status {
        Completion::Passed => deps
            .store
            .certificates_of(ws, user_id)
            .await?
            .into_iter()
            .find(|c| c.program.as_ref().is_some_and(|p| p.id == program_id))
            .map(|c| BannerCertificate {
                preview_url: format!("/certificates/{}/preview", c.id),
                download_url: format!("/certificates/{}/download", c.id),
                id: c.id,
                issued_on: c.issued_on,
                expires_on: c.expires_on,
            }),
        _ => None,
    };
    Ok(Banner {
        status,
        certification: BannerCertification {
            name: certification.fields.name,
            description: certification.fields.description,
        },
        certificate,
    })
}
