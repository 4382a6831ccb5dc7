//! Locales and hostile text through the Lambda handler (SPEC 1.17): names that would
//! draw differently on each surface are refused at the door and change nothing; the
//! workspace, a certification and a participant each carry a locale, an unsupported tag
//! is 400 `unsupported_locale` naming the field; `GET /locales` answers anyone; a
//! certificate is in its certification's locale, else the workspace's, whether issued by
//! hand or by a program's end, and a regeneration that refreshes the snapshot takes the
//! certification's locale as it is then.

use crate::common::fixtures::{ana_and_ben, ana_completes_a_lesson, at, program};
use crate::common::{aimed, event, Api, Event, Reply};
use axum::http::StatusCode;
use serde_json::{json, Value};

fn body(e: Event, body: &Value) -> Event {
    e.body(&body.to_string())
}

/// The one problem of a refusal, with its field.
fn problem(reply: &Reply) -> (StatusCode, Vec<&str>, &str) {
    (
        reply.status,
        reply.fields(),
        reply.body["error"]["details"][0]["problem"].as_str().unwrap_or(""),
    )
}

async fn put_settings(api: &Api, settings: Value) -> Reply {
    api.send(body(event("settings-put.json"), &settings)).await
}

async fn create_certification(api: &Api, fields: Value) -> Reply {
    api.send(body(event("certifications-create.json"), &fields)).await
}

fn certification_event(name: &str, id: &str) -> Event {
    aimed(name, "/c1", &format!("/{id}"))
}

async fn certification(api: &Api, id: &str) -> Value {
    let reply = api.send(certification_event("certifications-get.json", id)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body
}

async fn patch_certification(api: &Api, id: &str, patch: Value) -> Reply {
    let version = certification(api, id).await["version"].as_u64().unwrap();
    let e = certification_event("certifications-patch.json", id).header("if-match", &format!("\"{version}\""));
    api.send(body(e, &patch)).await
}

async fn participants(api: &Api, program: &str) -> Vec<Value> {
    let reply = api.send(at("participants-list.json", program)).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn hostile_names_are_refused_on_enrolment_and_on_a_certification_and_nothing_is_stored() {
    let api = Api::enabled().await;
    let p = program(&api).await;
    let spoof = json!({"user_id": "u-mallory", "name": "Mallory \u{202E}eod nhoJ", "email": "m@example.com"});
    let refused = api.send(body(at("participants-enroll.json", &p), &spoof)).await;
    assert_eq!(
        problem(&refused),
        (
            StatusCode::BAD_REQUEST,
            vec!["name"],
            "must not contain bidirectional control characters (U+202E)"
        )
    );
    let batch = json!({"participants": [
        {"user_id": "u-ana", "name": "Ana Ávila", "email": "ana@example.com"},
        {"user_id": "u-zed", "name": "Zed\u{200B}", "email": "zed@example.com"},
        {"user_id": "u-max", "name": "e\u{301}\u{302}\u{303}\u{304}\u{305}", "email": "max@example.com"},
    ]});
    let refused = api.send(body(at("participants-enroll-batch.json", &p), &batch)).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{:?}", refused.body);
    assert_eq!(refused.fields(), ["participants[1].name", "participants[2].name"]);
    let problems: Vec<&str> = refused.body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["problem"].as_str().unwrap())
        .collect();
    assert_eq!(
        problems,
        [
            "must not contain invisible format characters (U+200B)",
            "must not stack more than 4 combining marks on one character"
        ]
    );
    assert_eq!(participants(&api, &p).await, Vec::<Value>::new(), "nobody was enrolled");

    // The scripts' joiners are no hostile text: Persian with ZWNJ, Devanagari with ZWJ.
    let joined = json!({"participants": [
        {"user_id": "u-sara", "name": "می\u{200C}خواهم", "email": "sara@example.com"},
        {"user_id": "u-ksha", "name": "क्\u{200D}ष", "email": "ksha@example.com"},
    ]});
    let enrolled = api.send(body(at("participants-enroll-batch.json", &p), &joined)).await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{:?}", enrolled.body);
    assert_eq!(enrolled.body["items"][0]["name"], "می\u{200C}خواهم");

    let refused = create_certification(&api, json!({"name": "Safety \u{2066}First\u{2069}"})).await;
    assert_eq!(
        problem(&refused),
        (
            StatusCode::BAD_REQUEST,
            vec!["name"],
            "must not contain bidirectional control characters (U+2066)"
        )
    );
    let listed = api.send(event("certifications-list.json")).await;
    assert_eq!(listed.body["items"], json!([]), "no certification was stored");
    let c = api.create("Safety First / السلامة أولاً / 安全第一").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = patch_certification(&api, &c, json!({"description": "soft\u{AD}hyphen"})).await;
    assert_eq!(
        problem(&refused),
        (
            StatusCode::BAD_REQUEST,
            vec!["description"],
            "must not contain invisible format characters (U+00AD)"
        )
    );
    let kept = certification(&api, &c).await;
    assert_eq!((&kept["description"], &kept["version"]), (&json!(""), &json!(1)));
}

#[tokio::test]
async fn the_workspace_locale_defaults_to_english_round_trips_and_refuses_an_unsupported_tag() {
    let api = Api::new().await;
    let read = || async { api.send(event("settings-get.json")).await };
    let first = read().await;
    assert_eq!((first.status, &first.body["locale"]), (StatusCode::OK, &json!("en")));

    let put = put_settings(&api, json!({"certifications_enabled": true, "locale": "ja"})).await;
    assert_eq!((put.status, &put.body["locale"]), (StatusCode::OK, &json!("ja")));
    assert_eq!(read().await.body["locale"], "ja");
    let put = put_settings(&api, json!({"certifications_enabled": true, "locale": "PT-br"})).await;
    assert_eq!(
        put.body["locale"], "pt-BR",
        "tags are case-insensitive, kept as spelled by BCP 47"
    );

    for bad in ["pt_BR", "en-US", "xx", ""] {
        let refused = put_settings(&api, json!({"certifications_enabled": false, "locale": bad})).await;
        let (status, fields, text) = problem(&refused);
        assert_eq!((status, fields), (StatusCode::BAD_REQUEST, vec!["locale"]), "{bad}");
        assert!(text.starts_with("unsupported_locale"), "{bad}: {text}");
        assert!(
            text.contains("en, es, fr, de, pt-BR"),
            "names the supported tags: {text}"
        );
    }
    let kept = read().await.body;
    assert_eq!(
        (&kept["certifications_enabled"], &kept["locale"]),
        (&json!(true), &json!("pt-BR")),
        "nothing stored"
    );
    // Every problem at once.
    let refused = put_settings(&api, json!({"locale": "xx"})).await;
    assert_eq!(refused.fields(), ["certifications_enabled", "locale"]);
    // A PUT replaces the settings whole: without a locale, English again.
    let put = put_settings(&api, json!({"certifications_enabled": true})).await;
    assert_eq!(put.body["locale"], "en");
    assert_eq!(read().await.body["locale"], "en");
}

#[tokio::test]
async fn a_certifications_locale_is_set_cleared_and_refused_when_unsupported() {
    let api = Api::enabled().await;
    let french = create_certification(&api, json!({"name": "Sécurité", "locale": "fr"})).await;
    assert_eq!(
        (french.status, &french.body["locale"]),
        (StatusCode::CREATED, &json!("fr"))
    );
    let id = french.body["id"].as_str().unwrap().to_string();
    let plain = api.create("Leadership Essentials").await;
    assert_eq!(plain.body["locale"], Value::Null, "unset: the workspace's");

    let refused = create_certification(&api, json!({"name": "Klingon", "locale": "tlh"})).await;
    let (status, fields, text) = problem(&refused);
    assert_eq!((status, fields), (StatusCode::BAD_REQUEST, vec!["locale"]));
    assert!(text.starts_with("unsupported_locale"), "{text}");
    let listed = api.send(event("certifications-list.json")).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2, "nothing stored");

    let patched = patch_certification(&api, &id, json!({"locale": "zh-Hans"})).await;
    assert_eq!(
        (patched.status, &patched.body["locale"]),
        (StatusCode::OK, &json!("zh-Hans"))
    );
    let refused = patch_certification(&api, &id, json!({"locale": "zh-Hant"})).await;
    assert_eq!(
        (refused.status, refused.fields()),
        (StatusCode::BAD_REQUEST, vec!["locale"])
    );
    let kept = certification(&api, &id).await;
    assert_eq!((&kept["locale"], &kept["version"]), (&json!("zh-Hans"), &json!(2)));
    let renamed = patch_certification(&api, &id, json!({"name": "Sûreté"})).await;
    assert_eq!(renamed.body["locale"], "zh-Hans", "a patch without it keeps it");
    let cleared = patch_certification(&api, &id, json!({"locale": null})).await;
    assert_eq!(
        (cleared.status, &cleared.body["locale"]),
        (StatusCode::OK, &Value::Null)
    );
    assert_eq!(certification(&api, &id).await["locale"], Value::Null);
}

#[tokio::test]
async fn a_participants_locale_is_stored_and_an_unsupported_one_enrolls_nobody() {
    let api = Api::enabled().await;
    let p = program(&api).await;
    let refused = api
        .send(body(
            at("participants-enroll-batch.json", &p),
            &json!({"participants": [
                {"user_id": "u-ana", "name": "Ana", "email": "ana@example.com", "locale": "es"},
                {"user_id": "u-dov", "name": "דוד כהן", "email": "dov@example.com", "locale": "he"},
                {"user_id": "u-kim", "name": "김민준", "email": "kim@example.com", "locale": "ko-KR"},
            ]}),
        ))
        .await;
    let (status, fields, text) = problem(&refused);
    assert_eq!(
        (status, fields),
        (StatusCode::BAD_REQUEST, vec!["participants[2].locale"])
    );
    assert!(text.starts_with("unsupported_locale"), "{text}");
    assert_eq!(participants(&api, &p).await, Vec::<Value>::new(), "nobody was enrolled");

    let enrolled = api
        .send(body(
            at("participants-enroll-batch.json", &p),
            &json!({"participants": [
                {"user_id": "u-dov", "name": "דוד כהן", "email": "dov@example.com", "locale": "he"},
                {"user_id": "u-kim", "name": "김민준", "email": "kim@example.com", "locale": null},
            ]}),
        ))
        .await;
    assert_eq!(enrolled.status, StatusCode::CREATED, "{:?}", enrolled.body);
    let listed = participants(&api, &p).await;
    let locales: Vec<(&Value, &Value)> = listed
        .iter()
        .map(|r| (&r["participant"]["user_id"], &r["participant"]["locale"]))
        .collect();
    assert_eq!(
        locales,
        [(&json!("u-dov"), &json!("he")), (&json!("u-kim"), &Value::Null)]
    );
}

#[tokio::test]
async fn the_supported_locales_are_listed_to_anyone_and_cached() {
    let api = Api::new().await;
    let e = event("locales.json");
    assert!(e.0["requestContext"].get("authorizer").is_none(), "no identity");
    let reply = api.send(e).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.header("cache-control"), "public, max-age=86400");
    let items = reply.body["items"].as_array().unwrap();
    let tags: Vec<&str> = items.iter().map(|i| i["tag"].as_str().unwrap()).collect();
    assert_eq!(
        tags,
        ["en", "es", "fr", "de", "pt-BR", "it", "nl", "pl", "tr", "ja", "ko", "zh-Hans", "ar", "he", "hi"]
    );
    assert!(items.contains(&json!({"tag": "ar", "name": "العربية", "direction": "rtl"})));
    assert!(items.contains(&json!({"tag": "ja", "name": "日本語", "direction": "ltr"})));
    let rtl: Vec<&str> = items
        .iter()
        .filter(|i| i["direction"] == "rtl")
        .map(|i| i["tag"].as_str().unwrap())
        .collect();
    assert_eq!(rtl, ["ar", "he"]);
}

#[tokio::test]
async fn a_certificate_issued_by_hand_is_in_its_certifications_locale_else_the_workspaces() {
    let api = Api::new().await;
    let put = put_settings(&api, json!({"certifications_enabled": true, "locale": "de"})).await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let japanese = create_certification(&api, json!({"name": "安全第一", "locale": "ja"}))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let plain = api.create("Leadership Essentials").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Each request its own Idempotency-Key: one key is one request.
    let by_hand = |c: &str| aimed("certify-by-hand.json", "/c1/", &format!("/{c}/")).header("idempotency-key", c);

    let issued = api.send(by_hand(&japanese)).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    assert_eq!(issued.body["certification"]["locale"], "ja");
    let issued = api.send(by_hand(&plain)).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{:?}", issued.body);
    assert_eq!(issued.body["certification"]["locale"], "de", "the workspace's");

    // Fixed at issue: the workspace's language changing later leaves it as it was.
    let id = issued.body["id"].as_str().unwrap().to_string();
    put_settings(&api, json!({"certifications_enabled": true, "locale": "ar"})).await;
    let read = api
        .send(aimed("certificates-get.json", "/x1", &format!("/{id}")).claim("role", "admin"))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(read.body["certification"]["locale"], "de");
}

/// Ana's certificate of the program `p` that ended: its view (as an admin reads it) and
/// its PDF's text as pdftotext reads it.
async fn anas_certificate(api: &Api, p: &str) -> (Value, String, Vec<u8>) {
    let banner = api.send(aimed("me-completion.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(banner.body["status"], "passed", "{:?}", banner.body);
    let id = banner.body["certificate"]["id"].as_str().unwrap().to_string();
    let view = api
        .send(aimed("certificates-get.json", "/x1", &format!("/{id}")).claim("role", "admin"))
        .await;
    assert_eq!(view.status, StatusCode::OK, "{:?}", view.body);
    let key = certify_blobs::certificate_key("ws-acme", &id, certify_blobs::FileKind::Pdf);
    let pdf = api.blobs.get(&key).await.unwrap().unwrap();
    (view.body, certify_fixtures::pdf::text(&pdf), pdf)
}

/// Whether `pdf` names `tag` as its language (`/Lang` in the catalog).
fn has_lang(pdf: &[u8], tag: &str) -> bool {
    let lang = format!("/Lang({tag})");
    pdf.windows(lang.len()).any(|w| w == lang.as_bytes())
}

#[tokio::test]
async fn a_program_end_issues_in_the_workspaces_locale_and_a_refreshed_regeneration_takes_the_new_one() {
    use certify_rules::locale::Locale;
    let api = Api::enabled().await;
    let put = put_settings(&api, json!({"certifications_enabled": true, "locale": "de"})).await;
    assert_eq!(put.status, StatusCode::OK, "{:?}", put.body);
    let (c, p) = ana_and_ben(&api, "2026-12-20T17:00:00Z").await;
    ana_completes_a_lesson(&api, &p).await;
    let end = api.send(aimed("programs-end.json", "/p1/", &format!("/{p}/"))).await;
    assert_eq!(end.status, StatusCode::ACCEPTED, "{:?}", end.body);
    api.starter.settle().await;

    // The certification has no locale: the run drew it in the workspace's.
    let today = crate::common::now().date_naive();
    let (view, text, pdf) = anas_certificate(&api, &p).await;
    assert_eq!(view["certification"]["locale"], "de", "{view:?}");
    let german = certify_i18n::certificate_words(Locale::De);
    for wanted in [
        german.title.as_str(),
        &certify_i18n::long_date(Locale::De, today),
        "Ana Ávila",
    ] {
        assert!(text.contains(wanted), "{wanted:?} is not in the PDF:\n{text}");
    }
    assert!(has_lang(&pdf, "de"));

    // The certification turns Japanese; a regeneration that refreshes the snapshot
    // draws the certificate again in Japanese, and one that keeps it would not.
    let patched = patch_certification(&api, &c, json!({"locale": "ja"})).await;
    assert_eq!(patched.status, StatusCode::OK, "{:?}", patched.body);
    let start = aimed("regeneration-start.json", "/c1/", &format!("/{c}/"));
    assert_eq!(api.send(start).await.status, StatusCode::ACCEPTED);
    for _ in 0..10 {
        api.trigger.sweep(None).await.unwrap();
    }
    let (view, text, pdf) = anas_certificate(&api, &p).await;
    assert_eq!(view["certification"]["locale"], "ja", "{view:?}");
    let japanese = certify_i18n::certificate_words(Locale::Ja);
    for wanted in [
        japanese.certifies.as_str(),
        &certify_i18n::long_date(Locale::Ja, today),
        "Ana Ávila",
    ] {
        assert!(text.contains(wanted), "{wanted:?} is not in the PDF:\n{text}");
    }
    assert!(!text.contains(&german.title), "no German left:\n{text}");
    assert!(has_lang(&pdf, "ja"));
}
