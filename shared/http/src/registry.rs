//! The registry of a certification (SPEC 1.13): who holds it and until when, as pages
//! and as a CSV export (a file, SPEC 1.16).

use std::sync::Arc;

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use certify_rules::RegistryQueryInput;
use certify_store::PageRequest;

use crate::certificates::{CertificateView, Viewer};
use crate::export::{exported, Csv};
use crate::extract::{Paging, Path, Query};
use crate::identity::CertifyingAdmin;
use crate::respond::{ListPage, SeeOther};
use crate::{ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route(
            "/certifications/{id}/certificates",
            get(list).post(crate::by_hand::issue),
        )
        .route("/certifications/{id}/certificates.csv", get(csv_export))
}

async fn list(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    Paging(page): Paging,
    Query(input): Query<RegistryQueryInput>,
) -> Result<Json<ListPage<CertificateView>>, ApiError> {
    let query = input.parse()?;
    let today = deps.now().date_naive();
    let found = deps.store.registry(admin.ws(), &id, &query, today, &page).await?;
    let viewer = Viewer::of(&deps, admin.ws(), admin.role()).await?;
    Ok(Json(ListPage {
        items: found.items.into_iter().map(|c| viewer.view(c)).collect(),
        next_cursor: found.next_cursor,
    }))
}

/// Certificates read at once for the export.
const EXPORT_PAGE: usize = 500;

/// The registry as RFC 4180 CSV: every certificate the filters show, in their order.
async fn csv_export(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    Query(input): Query<RegistryQueryInput>,
) -> Result<SeeOther, ApiError> {
    let query = input.parse()?;
    let today = deps.now().date_naive();
    let viewer = Viewer::of(&deps, admin.ws(), admin.role()).await?;
    let mut out = Csv::with_header(&[
        "certificate_id",
        "user_id",
        "holder_name",
        "status",
        "issued_on",
        "expires_on",
        "program_id",
        "program",
        "revoked_reason",
        "verify_url",
    ])
    .map_err(ApiError::internal)?;
    let mut page = PageRequest {
        limit: EXPORT_PAGE,
        cursor: None,
    };
    loop {
        let found = deps.store.registry(admin.ws(), &id, &query, today, &page).await?;
        for c in found.items {
            let v = viewer.view(c);
            out.row(&[
                v.id.as_str(),
                v.user_id.as_str(),
                v.holder_name.as_str(),
                v.status.as_str(),
                &v.issued_on.to_string(),
                &v.expires_on.map(|d| d.to_string()).unwrap_or_default(),
                v.program.as_ref().map_or("", |p| p.id.as_str()),
                v.program.as_ref().map_or("", |p| p.name.as_str()),
                v.revoked_reason.as_deref().unwrap_or(""),
                v.verify_url.as_str(),
            ])
            .map_err(ApiError::internal)?;
        }
        match found.next_cursor {
            Some(next) => page.cursor = Some(next),
            None => break,
        }
    }
    exported(&deps, admin.ws(), &format!("certificates-{id}"), out).await
}
