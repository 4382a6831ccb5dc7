//! A certificate's public life through the Lambda handler (SPEC 1.12, 1.17): the
//! verification page in the reader's language, its JSON, the public files, the preview
//! drawn when first asked for, the links and a replaced certificate's pointer to the
//! newer one.

use crate::certificates::{ended, fetched};
use crate::common::{aimed, event, Api};
use axum::http::StatusCode;
use base64::Engine;
use certify_rules::Certificate;
use serde_json::{json, Value};
use sha2::Digest;

#[tokio::test]
async fn the_page_speaks_the_readers_language_when_it_is_supported() {
    let api = Api::enabled().await;
    ended(&api).await;
    let arabic = aimed("verify-page.json", "/x1", "/x-ana").header("accept-language", "ar-EG,ar;q=0.9,en;q=0.5");
    let page = api.send(arabic).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("vary"), "Accept, Accept-Language");
    let html = page.body.as_str().unwrap();
    for shown in [
        "<html lang=\"ar\" dir=\"rtl\">",
        "التحقق من الشهادة",
        "صالحة",
        "20 نوفمبر 2026",
        "<bdi>Ana Ávila</bdi>",
    ] {
        assert!(html.contains(shown), "{shown:?} is not on the page:\n{html}");
    }
    // No supported language asked for: the certificate's (English, here).
    let klingon = aimed("verify-page.json", "/x1", "/x-ana").header("accept-language", "tlh, zh-TW;q=0.5");
    let html = api.send(klingon).await.body.as_str().unwrap().to_string();
    assert!(
        html.contains("<html lang=\"en\" dir=\"ltr\">") && html.contains("Valid"),
        "{html}"
    );
    let missing = api
        .send(aimed("verify-page.json", "/x1", "/nope").header("accept-language", "ja"))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.as_str().unwrap().contains("証明書が見つかりません"));
}

#[tokio::test]
async fn a_browser_gets_the_verification_page_and_everyone_else_the_json() {
    let api = Api::enabled().await;
    ended(&api).await;
    let page = api.send(aimed("verify-page.json", "/x1", "/x-ana")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(page.header("cache-control"), "public, max-age=30");
    assert_eq!(page.header("vary"), "Accept, Accept-Language");
    assert_eq!(page.header("x-robots-tag"), "noindex");
    let html = page.body.as_str().unwrap();
    for shown in [
        "<html lang=\"en\" dir=\"ltr\">",
        "<meta name=\"robots\" content=\"noindex, nofollow\">",
        "Valid",
        "Ana Ávila",
        "Leadership Essentials",
        "Exec Coaching",
        "November 20, 2026",
        "May 20, 2027",
        "href=\"https://certify.example/verify/x-ana/certificate.pdf\"",
        "Add to LinkedIn",
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&amp;name=Leadership%20Essentials",
        // The preview is inlined: the page loads nothing from anywhere else.
        "src=\"data:image/png;base64,",
    ] {
        assert!(html.contains(shown), "{shown:?} is not on the page:\n{html}");
    }
    // The one stylesheet is what the policy's hash allows; nothing else may load.
    let csp = page.header("content-security-policy");
    let style = html.split("<style>").nth(1).unwrap().split("</style>").next().unwrap();
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style.as_bytes()));
    assert_eq!(
        csp,
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    );

    let json = api.send(aimed("verify.json", "/x1", "/x-ana")).await;
    assert_eq!(
        (json.status, json.body["status"].as_str()),
        (StatusCode::OK, Some("active"))
    );
    assert_eq!(json.header("cache-control"), "public, max-age=30");
    let missing = api.send(aimed("verify-page.json", "/x1", "/nope")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.header("content-type"), "text/html; charset=utf-8");
    assert!(missing.body.as_str().unwrap().contains("Certificate not found"));
}

#[tokio::test]
async fn the_public_files_open_without_a_token_until_the_certificate_is_revoked() {
    let api = Api::enabled().await;
    ended(&api).await;
    let files = [
        ("verify-pdf.json", &b"%PDF-1.7 ana"[..]),
        ("verify-preview.json", &b"\x89PNG"[..]),
    ];
    for (name, expected) in &files {
        let reply = api.send(aimed(name, "/x1", "/x-ana")).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{name}: {:?}", reply.body);
        let url = reply.header("location");
        assert!(url.contains("X-Amz-Expires=300"), "a five-minute link: {url}");
        assert!(fetched(url).starts_with(expected), "{name}");
        let unknown = api.send(aimed(name, "/x1", "/nope")).await;
        assert_eq!((unknown.status, unknown.code()), (StatusCode::NOT_FOUND, "not_found"));
    }
    let revoked = api.send(aimed("certificates-revoke.json", "/x1/", "/x-ana/")).await;
    assert_eq!(revoked.status, StatusCode::OK, "{:?}", revoked.body);
    for (name, _) in &files {
        let reply = api.send(aimed(name, "/x1", "/x-ana")).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "not_found"),
            "{name}: a revoked certificate is not handed out"
        );
    }
    let page = api.send(aimed("verify-page.json", "/x1", "/x-ana")).await;
    let html = page.body.as_str().unwrap();
    assert!(html.contains("Revoked on November 28, 2026"), "{html}");
    for gone in ["Download PDF", "Add to LinkedIn", "data:image/png"] {
        assert!(!html.contains(gone), "{gone} on a revoked certificate's page");
    }
}

#[tokio::test]
async fn a_preview_is_drawn_when_first_asked_for_and_kept() {
    let png_key = "certificates/ws-acme/x-ana.png";
    // Asked for by the page first.
    let api = Api::enabled().await;
    ended(&api).await;
    assert!(!api.blobs.exists(png_key).await.unwrap(), "a run stores no preview");
    let page = api.send(aimed("verify-page.json", "/x1", "/x-ana")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.as_str().unwrap().contains("src=\"data:image/png;base64,"));
    let kept = api.blobs.get(png_key).await.unwrap().expect("drawn once and kept");
    assert!(kept.starts_with(b"\x89PNG"));
    let linked = api.send(aimed("verify-preview.json", "/x1", "/x-ana")).await;
    assert_eq!(linked.status, StatusCode::FOUND);
    assert_eq!(
        fetched(linked.header("location")),
        kept,
        "the same preview, not drawn again"
    );
    // Asked for through a link first.
    let api = Api::enabled().await;
    ended(&api).await;
    let linked = api.send(aimed("verify-preview.json", "/x1", "/x-ana")).await;
    assert_eq!(linked.status, StatusCode::FOUND);
    assert!(fetched(linked.header("location")).starts_with(b"\x89PNG"));
    assert!(api.blobs.exists(png_key).await.unwrap());
}

#[tokio::test]
async fn a_certificate_carries_its_verify_and_linkedin_links() {
    let api = Api::enabled().await;
    ended(&api).await;
    let read = || aimed("certificates-get.json", "/x1", "/x-ana");
    let c = api.send(read()).await;
    assert_eq!(c.body["verify_url"], "https://certify.example/verify/x-ana");
    let linkedin = c.body["linkedin_url"].as_str().unwrap();
    assert!(
        linkedin.starts_with("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Leadership%20Essentials&organizationName=Exec%20Coaching&issueYear=2026&issueMonth=11&expirationYear=2027&expirationMonth=5&certUrl=https%3A%2F%2Fcertify.example%2Fverify%2Fx-ana&certId=x-ana"),
        "{linkedin}"
    );

    let put = |body: Value| event("settings-put.json").body(&body.to_string());
    let set = api
        .send(put(
            json!({"certifications_enabled": true, "linkedin_organization_id": "1337"}),
        ))
        .await;
    assert_eq!(set.status, StatusCode::OK, "{:?}", set.body);
    assert_eq!(set.body["linkedin_organization_id"], "1337");
    let linkedin = api.send(read()).await.body["linkedin_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        linkedin.contains("&organizationId=1337&") && !linkedin.contains("organizationName"),
        "{linkedin}"
    );

    let refused = api
        .send(put(
            json!({"certifications_enabled": true, "linkedin_organization_id": "acme & co"}),
        ))
        .await;
    assert_eq!(
        (refused.status, refused.fields()),
        (StatusCode::BAD_REQUEST, vec!["linkedin_organization_id"])
    );
    let kept = api.send(event("settings-get.json")).await;
    assert_eq!(
        kept.body["linkedin_organization_id"], "1337",
        "a refused PUT changes nothing"
    );
}

#[tokio::test]
async fn a_replaced_certificate_links_the_newer_one() {
    let api = Api::enabled().await;
    ended(&api).await;
    let (_, old) = api.store.certificate("x-ana").await.unwrap().unwrap();
    let newer = Certificate {
        id: "x-ana-2".into(),
        issued_on: "2026-11-28".parse().unwrap(),
        ..old
    };
    assert!(api
        .store
        .issue_certificate(
            "ws-acme",
            &newer,
            crate::common::now(),
            &certify_rules::Actor::admin("u-admin")
        )
        .await
        .unwrap());
    let page = api.send(aimed("verify-page.json", "/x1", "/x-ana")).await;
    let html = page.body.as_str().unwrap();
    assert!(html.contains("Revoked on November 28, 2026"), "{html}");
    assert!(
        html.contains("A newer certificate replaces this one: <a href=\"./x-ana-2\">"),
        "{html}"
    );
    let current = api.send(aimed("verify-page.json", "/x1", "/x-ana-2")).await;
    assert!(current.body.as_str().unwrap().contains(">Valid<"));
}
