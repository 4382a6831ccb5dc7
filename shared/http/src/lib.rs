//! Certify's HTTP API (SPEC 2-3): one axum router that every API Lambda function runs
//! through lambda_http, and that the local server runs too, so no handler exists twice.
//! Who may call a handler is in its signature ([`identity`]: `Admin`, `CertifyingAdmin`,
//! `Member`, `Operator`, `Staff`); extraction of bodies, paging and `If-Match`
//! ([`extract`]), the answers ([`respond`]) and errors ([`error`]) are written once; a
//! handler reads as its use case, and the longer use cases (the completion banner,
//! nudges) are functions of their own over the ports.

mod area;
mod by_hand;
mod certificates;
mod certifications;
mod completion;
mod credentials;
mod deps;
pub mod error;
mod export;
pub mod extract;
pub mod identity;
mod locales;
mod nudges;
mod observe;
mod page;
mod pipeline;
mod programs;
mod public;
mod regeneration;
mod registry;
pub mod respond;
mod settings;

use std::sync::Arc;

use axum::Router;
pub use certify_store::AppStore;

pub use area::{area_router, area_router_of, is_public, Area, PUBLIC_ROUTES};
pub use completion::{completion_banner, Banner};
pub use deps::{Background, ClaimNames, Deps, IssueAndDraw, StartTrigger};
pub use error::ApiError;
pub use identity::{Identity, VerifiedClaims};
pub use nudges::{queue_nudges, NudgeAnswer};

/// The whole API in one router (the local server).
pub fn router(deps: Arc<Deps>) -> Router {
    let all = Area::ALL.iter().fold(Router::new(), |r, area| r.merge(area.routes()));
    area::finish(all, deps)
}

/// A fresh random id for a new resource.
pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
