//! The certificate's public routes (SPEC 1.10, 1.12), open without an account: the
//! verification (JSON, or the page for a browser) and the public PDF and preview.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header::{ACCEPT, ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use certify_blobs::FileKind;
use certify_rules::{Certificate, CertificateStatus, Locale, PublicLinks};
use chrono::NaiveDate;
use serde::Serialize;

use crate::certificates::{file_link, preview_png};
use crate::extract::Path;
use crate::respond::Redirect;
use crate::{page, ApiError, Deps};

/// Short enough that a revocation shows within a minute (SPEC 1.12): the verification
/// page's answers and the credentials' (`credentials.rs`).
pub(crate) const CACHE: &str = "public, max-age=30";

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/verify/{id}", get(verify))
        .route("/verify/{id}/certificate.pdf", get(pdf))
        .route("/verify/{id}/preview.png", get(preview))
}

/// What anyone may learn of a certificate by its id: nothing about how to reach its holder.
#[derive(Serialize)]
struct Verification {
    certificate_id: String,
    status: CertificateStatus,
    holder_name: String,
    certification_name: String,
    issuer_name: String,
    issued_on: NaiveDate,
    expires_on: Option<NaiveDate>,
}

/// Whether the caller reads HTML: its `Accept` names `text/html` before any JSON type.
fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers.get_all(ACCEPT).iter().filter_map(|v| v.to_str().ok());
    for media in accept.flat_map(|v| v.split(',')) {
        let media = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if media == "text/html" {
            return true;
        }
        if media == "application/json" || media.ends_with("+json") {
            return false;
        }
    }
    false
}

/// The page's language (SPEC 1.17): the supported locale the reader's `Accept-Language`
/// prefers, else `fallback` (the certificate's).
fn page_locale(headers: &HeaderMap, fallback: Locale) -> Locale {
    let ranges: Vec<&str> = headers
        .get_all(ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    Locale::negotiate(&ranges.join(",")).unwrap_or(fallback)
}

/// An answer anyone may cache briefly, varying by `Accept` (JSON or the page) and
/// `Accept-Language` (the page's words), never indexed.
fn public(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE));
    headers.insert(VARY, HeaderValue::from_static("Accept, Accept-Language"));
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    response
}

fn html_page(status: StatusCode, markup: maud::Markup) -> Response {
    let mut response = (status, markup.into_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if let Ok(policy) = HeaderValue::from_str(&page::CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    public(response)
}

async fn verify(
    State(deps): State<Arc<Deps>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let html = wants_html(&headers);
    let Some((ws, c)) = deps.store.certificate(&id).await? else {
        return Ok(match html {
            true => html_page(
                StatusCode::NOT_FOUND,
                page::not_found(page_locale(&headers, Locale::default())),
            ),
            false => ApiError::not_found().into_response(),
        });
    };
    let today = deps.now().date_naive();
    if !html {
        return Ok(public(
            Json(Verification {
                status: c.status(today),
                certificate_id: c.id,
                holder_name: c.holder_name,
                certification_name: c.certification.name,
                issuer_name: c.certification.issuer_name,
                issued_on: c.issued_on,
                expires_on: c.expires_on,
            })
            .into_response(),
        ));
    }
    let links = links(&deps, &ws, &c).await?;
    let preview = match c.revoked_at {
        Some(_) => None,
        None => Some(preview_png(&deps, &ws, &c).await?),
    };
    let locale = page_locale(&headers, c.certification.locale);
    let markup = page::certificate(locale, &c, today, &links, preview.as_deref());
    Ok(html_page(StatusCode::OK, markup))
}

/// The certificate's public links, naming the workspace's LinkedIn organization.
async fn links(deps: &Deps, ws: &str, c: &Certificate) -> Result<PublicLinks, ApiError> {
    let settings = deps.store.settings(ws).await?;
    Ok(PublicLinks::new(
        &deps.public_url,
        c,
        settings.linkedin_organization_id.as_deref(),
    ))
}

/// 302 to a short-lived link to one of the certificate's files; 404 once revoked (a
/// revoked certificate is not handed out).
async fn file(deps: &Deps, id: &str, kind: FileKind) -> Result<Redirect, ApiError> {
    let (ws, c) = deps.store.certificate(id).await?.ok_or_else(ApiError::not_found)?;
    if c.revoked_at.is_some() {
        return Err(ApiError::not_found());
    }
    file_link(deps, &ws, &c, kind).await
}

async fn pdf(State(deps): State<Arc<Deps>>, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    file(&deps, &id, FileKind::Pdf).await
}

async fn preview(State(deps): State<Arc<Deps>>, Path(id): Path<String>) -> Result<Redirect, ApiError> {
    file(&deps, &id, FileKind::Png).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_gets_html_and_everyone_else_json() {
        let accept = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(ACCEPT, HeaderValue::from_str(value).unwrap());
            wants_html(&headers)
        };
        assert!(accept(
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ));
        assert!(accept("TEXT/HTML"));
        assert!(!accept("application/json, text/html"));
        assert!(!accept("application/ld+json,text/html"));
        assert!(!accept("*/*"));
        assert!(!wants_html(&HeaderMap::new()));
    }

    #[test]
    fn the_page_speaks_the_readers_language_else_the_certificates() {
        let with = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(ACCEPT_LANGUAGE, HeaderValue::from_str(value).unwrap());
            }
            headers
        };
        assert_eq!(page_locale(&with(&["ja-JP,ja;q=0.9,en;q=0.8"]), Locale::De), Locale::Ja);
        assert_eq!(page_locale(&with(&["xx", "ar;q=0.5"]), Locale::De), Locale::Ar);
        assert_eq!(page_locale(&with(&["zh-TW, *;q=0.1"]), Locale::He), Locale::He);
        assert_eq!(page_locale(&HeaderMap::new(), Locale::Fr), Locale::Fr);
    }
}
