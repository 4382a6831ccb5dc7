//! The verification page (SPEC 1.12): what a stranger who scanned the QR code or
//! followed a link sees. Server-rendered (maud escapes every value), one inline
//! stylesheet allowed by its hash, the preview image inlined, no script and nothing from
//! any other origin, so a strict Content-Security-Policy holds.

use std::sync::LazyLock;

use base64::Engine;
use certify_rules::{Certificate, CertificateStatus, PublicLinks};
use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

/// The page's one stylesheet: readable from 320 px up, system fonts, contrast at least
/// 4.5:1 for every text colour on its background.
const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;background:#f4f5f7}\
main{max-width:44rem;margin:0 auto;padding:1.25rem}\
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}\
.status{display:inline-block;padding:.25rem .75rem;border-radius:1rem;font-weight:600;margin:0}\
.valid{background:#dff3e4;color:#14532d}.expired{background:#fdf0d5;color:#713f12}.revoked{background:#fde2e1;color:#7f1d1d}\
.card{background:#fff;border:1px solid #d4d7dd;border-radius:.5rem;padding:1.25rem;margin:1rem 0}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}\
dt{color:#4a4f57}dd{margin:0;overflow-wrap:anywhere}\
img{display:block;width:100%;height:auto;border:1px solid #d4d7dd;border-radius:.25rem}\
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}\
.actions a{display:inline-block;padding:.6rem 1rem;border-radius:.375rem;background:#1d4ed8;color:#fff;text-decoration:none;font-weight:600}\
.actions a.secondary{background:#fff;color:#1d4ed8;border:1px solid #1d4ed8}\
a{color:#1d4ed8}footer{color:#4a4f57;font-size:.875rem}\
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}";

/// The `Content-Security-Policy` of every page: nothing but this page's own stylesheet
/// and inlined images; no script, frame, form or base.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// A certificate's page. `preview`: its PNG, inlined (none once revoked).
pub fn certificate(c: &Certificate, today: NaiveDate, links: &PublicLinks, preview: Option<&[u8]>) -> Markup {
    let status = c.status(today);
    let title = format!("{} – {}", c.certification.name, c.holder_name);
    let body = html! {
        p class=(format!("status {}", status_class(status))) role="status" { (status_words(c, status)) }
        @if let Some(newer) = &c.replaced_by {
            p { "Replaced by a newer certificate: " a href=(format!("./{newer}")) { "see the newer certificate" } "." }
        }
        h1 { (c.certification.name) }
        div .card {
            dl {
                dt { "Awarded to" } dd { (c.holder_name) }
                dt { "Issued by" } dd { (c.certification.issuer_name) }
                dt { "Issued on" } dd { (long_date(c.issued_on)) }
                dt { "Expires" } dd {
                    @match c.expires_on {
                        Some(day) => (long_date(day)),
                        None => "Does not expire",
                    }
                }
                dt { "Certificate id" } dd { code { (c.id) } }
            }
            @if !c.certification.description.is_empty() {
                p { (c.certification.description) }
            }
        }
        @if let Some(png) = preview {
            img src=(data_uri(png)) width="1200" height="849"
                alt=(format!("The certificate: {} awarded to {} by {}, issued on {}.",
                    c.certification.name, c.holder_name, c.certification.issuer_name, long_date(c.issued_on)));
        }
        @if status != CertificateStatus::Revoked {
            div .actions {
                a href=(links.pdf) download { "Download PDF" }
                a .secondary href=(links.linkedin) rel="noopener" { "Add to LinkedIn" }
                a .secondary href=(links.credential) type="application/vc+jwt" download=(format!("{}.jwt", c.id)) {
                    "Open Badges credential"
                }
            }
        }
    };
    layout(&title, body)
}

/// The page for an id no certificate has.
pub fn not_found() -> Markup {
    layout(
        "Certificate not found",
        html! {
            h1 { "Certificate not found" }
            p { "No certificate has this id. Check the link or the code you scanned; a certificate id is the last part of its verification link." }
        },
    )
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex, nofollow";
                meta name="referrer" content="no-referrer";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                main {
                    p { "Certificate verification" }
                    (body)
                    footer { p { "This page is the issuer's record of the certificate and is checked each time it is opened." } }
                }
            }
        }
    }
}

fn status_class(status: CertificateStatus) -> &'static str {
    match status {
        CertificateStatus::Active => "valid",
        CertificateStatus::Expired => "expired",
        CertificateStatus::Revoked => "revoked",
    }
}

/// The status as a stranger reads it.
fn status_words(c: &Certificate, status: CertificateStatus) -> String {
    match (status, c.expires_on, c.revoked_at) {
        (CertificateStatus::Revoked, _, Some(at)) => format!("Revoked on {}", long_date(at.date_naive())),
        (CertificateStatus::Revoked, _, None) => "Revoked".into(),
        (CertificateStatus::Expired, Some(day), _) => format!("Expired on {}", long_date(day)),
        (CertificateStatus::Expired, None, _) => "Expired".into(),
        (CertificateStatus::Active, _, _) => "Valid".into(),
    }
}

/// `28 November 2026`: no day-month order to misread.
fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

fn data_uri(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}
