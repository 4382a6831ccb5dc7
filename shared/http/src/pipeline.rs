//! The pipeline of a certification across its programs (SPEC 1.6), its CSV export (a
//! file, SPEC 1.16), and
//! the in-program card (1.7). The rules crate decides; this reads the rosters.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use certify_rules::pipeline::{PipelineRow, PipelineStats};
use certify_rules::roster::{CertificationRef, ProgramCard};
use certify_rules::{card_page, pipeline_page, pipeline_rows, Certification, PipelineQueryInput, Roster};
use certify_store::{StoreError, StoredRoster};
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;

use crate::export::{exported, Csv};
use crate::extract::{KnownQuery, Paging, Path};
use crate::identity::CertifyingAdmin;
use crate::respond::SeeOther;
use crate::{ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/certifications/{id}/pipeline", get(view))
        .route("/certifications/{id}/pipeline.csv", get(csv_export))
        .route("/programs/{id}/pipeline", get(card))
}

#[derive(Serialize)]
struct PipelineView {
    certification: CertificationRef,
    stats: PipelineStats,
    items: Vec<PipelineRow>,
    next_cursor: Option<String>,
}

fn reference(c: &Certification) -> CertificationRef {
    CertificationRef {
        id: c.id.clone(),
        name: c.fields.name.clone(),
    }
}

/// Rosters read at once for one pipeline answer: a certification's programs (tens at
/// most) are read in one round, so the page waits for the largest roster's Query pages,
/// not for one roster after another (the pipeline_moto bench counts the chain).
const ROSTERS_AT_ONCE: usize = 16;

/// The certification and the rosters of every program linking it.
pub(crate) async fn rosters(deps: &Deps, ws: &str, id: &str) -> Result<(Certification, Vec<Roster>), ApiError> {
    let (certification, programs) =
        futures::try_join!(deps.store.certification(ws, id), deps.store.programs_linking(ws, id))?;
    let certification = certification.ok_or_else(ApiError::not_found)?;
    // A few programs' rosters at once, each on a task of its own so that decoding them
    // uses every core, in the programs' order: the answer waits for the slowest few, not
    // for the sum of all of them.
    let stored: Vec<Option<Roster>> = futures::stream::iter(programs)
        .map(|program| {
            let store = deps.store.clone();
            let ws = ws.to_string();
            tokio::spawn(async move {
                let stored = store.roster(&ws, &program.id).await?;
                Ok::<_, StoreError>(stored.map(StoredRoster::into_roster))
            })
        })
        .buffered(ROSTERS_AT_ONCE)
        .map(|joined| {
            joined
                .map_err(|e| ApiError::internal(e.into()))?
                .map_err(ApiError::from)
        })
        .try_collect()
        .await?;
    let rosters = stored.into_iter().flatten().collect();
    Ok((certification, rosters))
}

async fn view(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    KnownQuery(input): KnownQuery<PipelineQueryInput>,
) -> Result<Json<PipelineView>, ApiError> {
    let query = input.parse()?;
    let (certification, rosters) = rosters(&deps, admin.ws(), &id).await?;
    let page = pipeline_page(&rosters, &query, deps.now());
    Ok(Json(PipelineView {
        certification: reference(&certification),
        stats: page.stats,
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// The rows as an export's CSV.
fn to_csv(rows: &[PipelineRow]) -> anyhow::Result<Csv> {
    let mut out = Csv::with_header(&[
        "user_id",
        "name",
        "group",
        "program_id",
        "program",
        "expected_on",
        "status",
    ])?;
    for r in rows {
        out.row(&[
            r.user_id.as_str(),
            r.name.as_str(),
            r.group.as_deref().unwrap_or(""),
            r.program.id.as_str(),
            r.program.name.as_str(),
            &r.expected_on.to_string(),
            r.status.as_str(),
        ])?;
    }
    Ok(out)
}

/// The export: written to the files bucket under `exports/` (any size; kept a day) and
/// answered with 303 to a short-lived link (SPEC 1.16).
async fn csv_export(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    KnownQuery(input): KnownQuery<PipelineQueryInput>,
) -> Result<SeeOther, ApiError> {
    // The export is every row: paging parameters mean nothing here.
    let query = PipelineQueryInput {
        limit: None,
        cursor: None,
        ..input
    }
    .parse()?;
    let (_, rosters) = rosters(&deps, admin.ws(), &id).await?;
    let csv = to_csv(&pipeline_rows(&rosters, &query, deps.now())).map_err(ApiError::internal)?;
    exported(&deps, admin.ws(), &format!("pipeline-{id}"), csv).await
}

/// The card's page size when the request names none (SPEC 1.16).
const CARD_LIMIT_DEFAULT: usize = 100;

async fn card(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    Paging(page): Paging<CARD_LIMIT_DEFAULT>,
) -> Result<Json<ProgramCard>, ApiError> {
    let ws = admin.ws();
    let stored = deps.store.roster(ws, &id).await?.ok_or_else(ApiError::not_found)?;
    let certification = match stored.program.certification_id.as_deref() {
        Some(cid) => deps.store.certification(ws, cid).await?.as_ref().map(reference),
        None => None,
    };
    let roster = stored.into_roster();
    let card = roster.card(certification, deps.now());
    Ok(Json(card_page(card, page.cursor.as_deref(), page.limit)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::neutralised;
    use certify_rules::{PipelineStatus, ProgramRef};

    #[test]
    fn csv_quotes_by_rfc_4180_and_neutralises_formulas() {
        let row = |name: &str, group: Option<&str>| PipelineRow {
            user_id: "u1".into(),
            name: name.into(),
            avatar_url: None,
            group: group.map(String::from),
            program: ProgramRef {
                id: "p1".into(),
                name: "Spring, \"A\"".into(),
            },
            expected_on: "2026-12-03".parse().unwrap(),
            status: PipelineStatus::OnTrack,
            last_nudged_at: None,
        };
        let csv = to_csv(&[row("=HYPERLINK(\"x\")", Some("@team")), row("Ana Ávila", None)]).unwrap();
        let text = String::from_utf8(csv.into_bytes().unwrap()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(lines[0], "user_id,name,group,program_id,program,expected_on,status");
        assert_eq!(
            lines[1],
            "u1,\"'=HYPERLINK(\"\"x\"\")\",'@team,p1,\"Spring, \"\"A\"\"\",2026-12-03,on_track"
        );
        assert_eq!(lines[2], "u1,Ana Ávila,,p1,\"Spring, \"\"A\"\"\",2026-12-03,on_track");
        assert_eq!(neutralised("-1"), "'-1");
        assert_eq!(neutralised("\tx"), "'\tx");
    }
}
