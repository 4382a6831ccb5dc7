//! The parts of the API ([`Area`]), one Lambda function each, and the router of each;
//! which routes are public.

use std::sync::Arc;

use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use crate::{
    certificates, certifications, credentials, locales, nudges, observe, pipeline, programs, public, regeneration,
    registry, settings, ApiError, Deps,
};

/// The parts of the API, one Lambda function each (so each has only the permissions
/// and the cold start its routes need).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Area {
    /// Health, the supported locales, workspace settings, certification CRUD.
    Certifications = 0,
    /// Programs, components, participants, progress, extensions.
    Programs = 1,
    /// The pipeline view, its CSV, the in-program card, nudges.
    Pipeline = 2,
    /// Certificates, verification, the completion banner, run records, the registry,
    /// certifying by hand, regeneration.
    Certificates = 3,
    /// The Open Badges credentials, the issuer's DID document and the status lists: the
    /// one area that signs (`Area::signs`), so only its function may use the key.
    Credentials = 4,
}

impl Area {
    pub const ALL: [Area; 5] = [
        Area::Certifications,
        Area::Programs,
        Area::Pipeline,
        Area::Certificates,
        Area::Credentials,
    ];

    /// The area numbered `n` (`Area::X as u8`): how a Lambda function names its area as
    /// a constant, for [`area_router_of`].
    ///
    /// # Panics
    /// When no area has that number (at compile time, in a constant).
    pub const fn numbered(n: u8) -> Area {
        match n {
            0 => Area::Certifications,
            1 => Area::Programs,
            2 => Area::Pipeline,
            3 => Area::Certificates,
            4 => Area::Credentials,
            _ => panic!("no area has this number"),
        }
    }

    /// The Lambda function serving the area: its package, binary and template resource stem.
    pub fn function(self) -> &'static str {
        match self {
            Area::Certifications => "certifications-api",
            Area::Programs => "programs-api",
            Area::Pipeline => "pipeline-api",
            Area::Certificates => "certificates-api",
            Area::Credentials => "credentials-api",
        }
    }

    /// Whether the area's routes issue or draw certificates (certifying by hand, a preview
    /// drawn when first asked for). Only its function links the renderer and the mail
    /// (`certify_app::serve_drawing`); the others are served without them
    /// (`certify_app::serve`), so they start faster and ship smaller.
    pub fn draws(self) -> bool {
        matches!(self, Area::Certificates)
    }

    /// Whether the area's routes sign (the credentials and status lists): only its
    /// function holds the signing key (`SIGNING_KEY_ID`).
    pub fn signs(self) -> bool {
        matches!(self, Area::Credentials)
    }

    // Inlined so that, called with a constant (`area_router_of`), only that area's arm
    // (and its handlers) is compiled into the function.
    #[inline(always)]
    pub(crate) fn routes(self) -> Router<Arc<Deps>> {
        match self {
            Area::Certifications => Router::new()
                .route("/health", get(health))
                .route("/locales", get(locales::locales))
                .merge(settings::routes())
                .merge(certifications::routes()),
            Area::Programs => programs::routes(),
            Area::Pipeline => pipeline::routes().merge(nudges::routes()),
            Area::Certificates => certificates::routes()
                .merge(public::routes())
                .merge(registry::routes())
                .merge(regeneration::routes()),
            Area::Credentials => credentials::routes(),
        }
    }
}

/// The routes with what every router adds: the refusals of unknown routes and methods,
/// and the request log ([`observe`]).
pub(crate) fn finish(routes: Router<Arc<Deps>>, deps: Arc<Deps>) -> Router {
    routes
        .fallback(|| async { ApiError::no_route() })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(axum::middleware::from_fn_with_state(deps.clone(), observe::observe))
        .with_state(deps)
}

/// The routes of one area: what its Lambda function serves.
pub fn area_router(area: Area, deps: Arc<Deps>) -> Router {
    finish(area.routes(), deps)
}

/// [`area_router`] for an area fixed when the function is compiled (`Area::X as u8`):
/// a Lambda function's binary then holds only its own area's handlers, not every
/// area's (the certificates API's package would grow past 5 MB with them).
pub fn area_router_of<const AREA: u8>(deps: Arc<Deps>) -> Router {
    finish(const { Area::numbered(AREA) }.routes(), deps)
}

async fn health() -> (StatusCode, Json<serde_json::Value>) {
    (StatusCode::OK, Json(serde_json::json!({"status": "ok"})))
}

/// The routes API Gateway serves without its authorizer (SPEC 3, "public"); every other
/// route needs a signed-in caller. The template's `Authorizer: NONE` events are held to
/// this list by a test.
pub const PUBLIC_ROUTES: [&str; 8] = [
    "/health",
    "/locales",
    "/verify/{id}",
    "/verify/{id}/certificate.pdf",
    "/verify/{id}/preview.png",
    "/verify/{id}/credential",
    "/.well-known/did.json",
    "/status/{list}",
];

/// Whether a request path is one of [`PUBLIC_ROUTES`] (a `{name}` segment matches any
/// one segment).
pub fn is_public(path: &str) -> bool {
    PUBLIC_ROUTES.iter().any(|route| {
        let (mut want, mut have) = (route.split('/'), path.split('/'));
        loop {
            match (want.next(), have.next()) {
                (None, None) => return true,
                (Some(w), Some(h)) if w == h || (w.starts_with('{') && !h.is_empty()) => {}
                _ => return false,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_paths_are_health_locales_and_verification_only() {
        assert!(is_public("/health") && is_public("/locales"));
        assert!(is_public("/verify/abc"));
        assert!(is_public("/verify/abc/certificate.pdf") && is_public("/verify/abc/preview.png"));
        assert!(is_public("/verify/abc/credential") && is_public("/.well-known/did.json") && is_public("/status/1"));
        for path in [
            "/verify/",
            "/verify/a/b",
            "/verify/a/certificate.png",
            "/verify",
            "/status",
            "/status/1/x",
            "/.well-known/other.json",
            "/healthz",
            "/locales/en",
            "/certificates/abc",
            "/",
        ] {
            assert!(!is_public(path), "{path}");
        }
    }
}
