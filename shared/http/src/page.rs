//! The verification page (SPEC 1.12): what a stranger who scanned the QR code or
//! followed a link sees. Server-rendered (maud escapes every value), one inline
//! stylesheet allowed by its hash, the preview image inlined, no script and nothing from
//! any other origin, so a strict Content-Security-Policy holds.
//!
//! Its words are in one locale (SPEC 1.17), set on `<html lang dir>`; a right-to-left
//! locale mirrors the layout (the stylesheet uses logical properties only), and every
//! text a person wrote is isolated (`<bdi>`) so that a Latin name on an Arabic page
//! reads in its own order.

use std::sync::LazyLock;

use base64::Engine;
use certify_i18n::{long_date, message};
use certify_rules::{Certificate, CertificateStatus, Locale, PublicLinks};
use chrono::NaiveDate;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use sha2::{Digest, Sha256};

/// The page's one stylesheet: readable from 320 px up, system fonts, contrast at least
/// 4.5:1 for every text colour on its background.
const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;background:#f4f5f7}\
main{max-width:44rem;margin-block:0;margin-inline:auto;padding:1.25rem}\
h1{font-size:1.5rem;line-height:1.25;margin-block:.5rem 1rem;margin-inline:0}\
.status{display:inline-block;padding:.25rem .75rem;border-radius:1rem;font-weight:600;margin:0}\
.valid{background:#dff3e4;color:#14532d}.expired{background:#fdf0d5;color:#713f12}.revoked{background:#fde2e1;color:#7f1d1d}\
.card{background:#fff;border:1px solid #d4d7dd;border-radius:.5rem;padding:1.25rem;margin-block:1rem;margin-inline:0}\
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}\
dt{color:#4a4f57}dd{margin:0;overflow-wrap:anywhere}\
img{display:block;width:100%;height:auto;border:1px solid #d4d7dd;border-radius:.25rem}\
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-block:1rem;margin-inline:0}\
.actions a{display:inline-block;padding:.6rem 1rem;border-radius:.375rem;background:#1d4ed8;color:#fff;text-decoration:none;font-weight:600}\
.actions a.secondary{background:#fff;color:#1d4ed8;border:1px solid #1d4ed8}\
a{color:#1d4ed8}footer{color:#4a4f57;font-size:.875rem}\
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-block-end:.5rem}}";

/// The `Content-Security-Policy` of every page: nothing but this page's own stylesheet
/// and inlined images; no script, frame, form or base.
pub static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE.as_bytes()));
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'"
    )
});

/// A certificate's page, its words in `locale`. `preview`: its PNG, inlined (none once
/// revoked).
pub fn certificate(
    locale: Locale,
    c: &Certificate,
    today: NaiveDate,
    links: &PublicLinks,
    preview: Option<&[u8]>,
) -> Markup {
    let m = |key: &str| message(locale, key, &[]);
    let status = c.status(today);
    let title = format!("{} – {}", c.certification.name, c.holder_name);
    let body = html! {
        p class=(format!("status {}", status_class(status))) role="status" { (status_words(locale, c, status)) }
        @if let Some(newer) = &c.replaced_by {
            p { (m("page-replaced")) " " a href=(format!("./{newer}")) { (m("page-replaced-link")) } }
        }
        h1 { bdi { (c.certification.name) } }
        div .card {
            dl {
                dt { (m("page-awarded-to")) } dd { bdi { (c.holder_name) } }
                dt { (m("page-issued-by")) } dd { bdi { (c.certification.issuer_name) } }
                dt { (m("page-issued-on")) } dd { (long_date(locale, c.issued_on)) }
                dt { (m("page-expires")) } dd {
                    @match c.expires_on {
                        Some(day) => (long_date(locale, day)),
                        None => (m("certificate-no-expiry")),
                    }
                }
                dt { (m("page-certificate-id")) } dd { code dir="ltr" { (c.id) } }
            }
            @if !c.certification.description.is_empty() {
                p dir="auto" { (c.certification.description) }
            }
        }
        @if let Some(png) = preview {
            img src=(data_uri(png)) width="1200" height="849"
                alt=(message(locale, "page-preview-alt", &[
                    ("certification", &c.certification.name),
                    ("holder", &c.holder_name),
                    ("issuer", &c.certification.issuer_name),
                    ("date", &long_date(locale, c.issued_on)),
                ]));
        }
        @if status != CertificateStatus::Revoked {
            div .actions {
                a href=(links.pdf) download { (m("page-download")) }
                a .secondary href=(links.linkedin) rel="noopener" { (m("page-linkedin")) }
                a .secondary href=(links.credential) type="application/vc+jwt" download=(format!("{}.jwt", c.id)) {
                    (m("page-credential"))
                }
            }
        }
    };
    layout(locale, &title, body)
}

/// The page for an id no certificate has, in `locale`.
pub fn not_found(locale: Locale) -> Markup {
    let m = |key: &str| message(locale, key, &[]);
    layout(
        locale,
        &m("page-not-found"),
        html! {
            h1 { (m("page-not-found")) }
            p { (m("page-not-found-text")) }
        },
    )
}

fn layout(locale: Locale, title: &str, body: Markup) -> Markup {
    let m = |key: &str| message(locale, key, &[]);
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) dir=(locale.direction().as_str()) {
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
                    p { (m("page-verification")) }
                    (body)
                    footer { p { (m("page-footer")) } }
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
fn status_words(locale: Locale, c: &Certificate, status: CertificateStatus) -> String {
    let on = |key: &str, day: NaiveDate| message(locale, key, &[("date", &long_date(locale, day))]);
    match (status, c.expires_on, c.revoked_at) {
        (CertificateStatus::Revoked, _, Some(at)) => on("page-status-revoked-on", at.date_naive()),
        (CertificateStatus::Revoked, _, None) => message(locale, "page-status-revoked", &[]),
        (CertificateStatus::Expired, Some(day), _) => on("page-status-expired-on", day),
        (CertificateStatus::Expired, None, _) => message(locale, "page-status-expired", &[]),
        (CertificateStatus::Active, _, _) => message(locale, "page-status-valid", &[]),
    }
}

fn data_uri(png: &[u8]) -> String {
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use certify_fixtures::sample;

    fn page(locale: Locale) -> String {
        let mut c = sample::certificate();
        c.holder_name = "Ana Ávila".into();
        c.issued_on = "2026-12-07".parse().unwrap_or_default();
        c.expires_on = None;
        c.revoked_at = None;
        let links = PublicLinks::new("https://x", &c, None);
        certificate(locale, &c, c.issued_on, &links, None).into_string()
    }

    #[test]
    fn the_page_is_in_its_locale_with_its_direction() {
        let ar = page(Locale::Ar);
        for shown in [
            "<html lang=\"ar\" dir=\"rtl\">",
            "<dt>مُنحت إلى</dt><dd><bdi>Ana Ávila</bdi></dd>",
            "7 ديسمبر 2026",
            "لا تنتهي صلاحيتها",
        ] {
            assert!(ar.contains(shown), "{shown:?} not in {ar}");
        }
        assert!(!ar.contains("Awarded to") && !ar.contains("December"), "{ar}");
        let ja = page(Locale::Ja);
        assert!(
            ja.contains("<html lang=\"ja\" dir=\"ltr\">") && ja.contains("2026年12月7日"),
            "{ja}"
        );
        assert!(ja.contains("PDF をダウンロード"), "{ja}");
        let en = page(Locale::En);
        assert!(en.contains("December 7, 2026") && en.contains("Awarded to"), "{en}");
        let missing = not_found(Locale::De).into_string();
        assert!(missing.contains("<html lang=\"de\" dir=\"ltr\">") && missing.contains("Zertifikat nicht gefunden"));
    }

    #[test]
    fn the_stylesheet_mirrors_by_direction() {
        for physical in ["left", "right", "margin:0 auto", "margin:.5rem 0", "margin-bottom"] {
            assert!(!STYLE.contains(physical), "{physical:?}: logical properties only");
        }
    }
}
