//! The Open Badges 3.0 credential through the Lambda handler (SPEC 1.12), signed by a
//! P-256 key in KMS (moto's): it verifies against the DID document's key, agrees with
//! the certificate's JSON, page and PDF, is the same on every request and follows a
//! regeneration that refreshed the snapshot; revoking sets its bit in the status list,
//! and only its bit; a replacement sets the replaced one's; racing issues never share
//! an entry; after a key rotation the DID document lists both keys, the credentials the
//! old key signed still verify and new ones name the new key. "Today" is 2026-11-28.

use std::collections::HashSet;
use std::io::Read;

use crate::common::{aimed, event, Api, Reply};
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

async fn certification(api: &Api, name: &str) -> String {
    api.create(name).await.body["id"].as_str().unwrap().to_string()
}

async fn by_hand(api: &Api, c: &str, user: &str) -> String {
    let body = json!({"user_id": user, "name": format!("Holder {user}"), "email": format!("{user}@example.com"), "notify": false});
    let request = aimed("certify-by-hand.json", "/c1/", &format!("/{c}/"))
        .header("idempotency-key", &format!("{c}-{user}"))
        .body(&body.to_string());
    let reply = api.send(request).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

/// The credential's compact JWS, as served.
async fn credential(api: &Api, id: &str) -> String {
    let reply = api
        .send(aimed("verify-credential.json", "/x1/", &format!("/{id}/")))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(reply.header("content-type"), "application/vc+jwt");
    reply.body.as_str().unwrap().to_string()
}

fn part(jws: &str, i: usize) -> Value {
    let text = jws.split('.').nth(i).unwrap();
    serde_json::from_slice(&B64.decode(text).unwrap()).unwrap()
}

/// The DID document's first key, and its id.
async fn did_key(api: &Api) -> (certify_sign::PublicKey, String) {
    let reply = api.send(event("did-document.json")).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    let doc = &reply.body;
    assert_eq!(doc["id"], "did:web:certify.example");
    let method = &doc["verificationMethod"][0];
    assert_eq!(doc["assertionMethod"][0], method["id"]);
    let key = certify_sign::PublicKey::from_jwk_str(&method["publicKeyJwk"].to_string()).unwrap();
    (key, method["id"].as_str().unwrap().to_string())
}

/// The bits of status list `list`, as a verifier decodes them.
async fn status_bits(api: &Api, list: &str) -> Vec<u8> {
    let reply: Reply = api
        .send(aimed("status-list.json", "/status/1", &format!("/status/{list}")))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    // Cached at most 30 s: a revocation shows within a minute (SPEC 1.12).
    assert_eq!(reply.header("cache-control"), "public, max-age=30");
    let jws = reply.body.as_str().unwrap();
    let (key, _) = did_key(api).await;
    let payload = certify_sign::verify_compact(jws, &key).unwrap();
    assert_eq!(
        payload["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    let encoded = payload["credentialSubject"]["encodedList"].as_str().unwrap();
    let compressed = B64.decode(encoded.strip_prefix('u').unwrap()).unwrap();
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut bits)
        .unwrap();
    assert_eq!(bits.len(), 131_072 / 8);
    bits
}

fn set_bits(bits: &[u8]) -> Vec<u64> {
    (0..bits.len() as u64 * 8)
        .filter(|i| bits[(i / 8) as usize] & (0x80 >> (i % 8)) != 0)
        .collect()
}

fn index_of(jws: &str) -> u64 {
    part(jws, 1)["credentialStatus"]["statusListIndex"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_credential_verifies_agrees_with_the_certificate_and_follows_a_refreshed_snapshot() {
    let api = Api::enabled().await;
    let c = certification(&api, "Leadership Essentials").await;
    let id = by_hand(&api, &c, "u-ana").await;
    let jws = credential(&api, &id).await;
    let (key, kid) = did_key(&api).await;
    let header = part(&jws, 0);
    assert_eq!(
        (&header["alg"], &header["kid"], &header["typ"]),
        (&json!("ES256"), &json!(kid), &json!("vc+jwt"))
    );
    let vc = certify_sign::verify_compact(&jws, &key).unwrap();
    assert_eq!(vc["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(vc["iss"], "did:web:certify.example");
    assert_eq!(vc["jti"], format!("https://certify.example/verify/{id}"));
    assert!(vc["sub"].as_str().unwrap().starts_with("urn:uuid:"));
    assert_eq!(vc["sub"], vc["credentialSubject"]["id"]);
    assert!(!jws.contains("u-ana") && !vc.to_string().contains("u-ana@example.com"));

    // A changed byte is refused.
    let mut forged = jws.clone().into_bytes();
    let at = jws.find('.').unwrap() + 10;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    assert!(certify_sign::verify_compact(std::str::from_utf8(&forged).unwrap(), &key).is_err());

    // The same credential on every request.
    assert_eq!(credential(&api, &id).await, jws);

    // It agrees with the JSON, the page and the PDF.
    let json_view = api.send(aimed("verify.json", "/x1", &format!("/{id}"))).await.body;
    assert_eq!(vc["name"], json_view["certification_name"]);
    assert_eq!(vc["issuer"]["name"], json_view["issuer_name"]);
    assert_eq!(
        vc["credentialSubject"]["achievement"]["name"],
        json_view["certification_name"]
    );
    assert_eq!(
        vc["validFrom"],
        format!("{}T00:00:00Z", json_view["issued_on"].as_str().unwrap())
    );
    assert_eq!(
        vc["validUntil"],
        format!("{}T23:59:59Z", json_view["expires_on"].as_str().unwrap())
    );
    let page = api.send(aimed("verify-page.json", "/x1", &format!("/{id}"))).await.body;
    let page = page.as_str().unwrap();
    assert!(page.contains("Leadership Essentials") && page.contains(json_view["issuer_name"].as_str().unwrap()));
    assert!(
        page.contains(&format!("/verify/{id}/credential")),
        "the page links the credential"
    );
    let pdf = certify_blobs::certificate_key("ws-acme", &id, certify_blobs::FileKind::Pdf);
    let text = certify_fixtures::pdf::text(&api.blobs.get(&pdf).await.unwrap().unwrap());
    assert!(text.contains("Leadership Essentials"), "{text}");

    // Renamed and regenerated with a refreshed snapshot: the credential is signed anew
    // with the new name, its entry and subject kept.
    let rename = aimed("certifications-patch.json", "/c1", &format!("/{c}"));
    assert_eq!(api.send(rename).await.status, StatusCode::OK);
    let start = aimed("regeneration-start.json", "/c1/", &format!("/{c}/"));
    assert_eq!(api.send(start).await.status, StatusCode::ACCEPTED);
    for _ in 0..10 {
        api.trigger.sweep(None).await.unwrap();
    }
    let renewed = credential(&api, &id).await;
    assert_ne!(renewed, jws);
    let vc2 = certify_sign::verify_compact(&renewed, &key).unwrap();
    let json_view = api.send(aimed("verify.json", "/x1", &format!("/{id}"))).await.body;
    assert_eq!(vc2["name"], "Leadership Essentials II");
    assert_eq!(vc2["name"], json_view["certification_name"]);
    assert_eq!(
        (&vc2["sub"], &vc2["credentialStatus"], &vc2["validFrom"]),
        (&vc["sub"], &vc["credentialStatus"], &vc["validFrom"])
    );
    let pdf_text = certify_fixtures::pdf::text(&api.blobs.get(&pdf).await.unwrap().unwrap());
    assert!(pdf_text.contains("Leadership Essentials II"), "{pdf_text}");

    // A request that signed from the old snapshot and kept its credential after the
    // regeneration dropped the new one: the next request sees it no longer matches the
    // certificate and signs again, from the snapshot as it is.
    api.deps.store.keep_credential(&id, &renewed, None).await.unwrap();
    api.deps.store.keep_credential(&id, &jws, Some(&renewed)).await.unwrap();
    assert_eq!(
        api.deps.store.credential(&id).await.unwrap().as_deref(),
        Some(jws.as_str())
    );
    let healed = credential(&api, &id).await;
    assert_eq!(
        certify_sign::verify_compact(&healed, &key).unwrap()["name"],
        "Leadership Essentials II"
    );
    assert_eq!(credential(&api, &id).await, healed, "and keeps it");
}

#[tokio::test]
async fn revoking_sets_exactly_its_bit_and_a_replacement_sets_the_replaced_ones() {
    let api = Api::enabled().await;
    let c = certification(&api, "Leadership Essentials").await;
    let ids = [
        by_hand(&api, &c, "u-ana").await,
        by_hand(&api, &c, "u-ben").await,
        by_hand(&api, &c, "u-cy").await,
    ];
    let mut indexes = Vec::new();
    for id in &ids {
        indexes.push(index_of(&credential(&api, id).await));
    }
    assert!(set_bits(&status_bits(&api, "1").await).is_empty());
    let revoke = aimed("certificates-revoke.json", "/x1/", &format!("/{}/", ids[1]));
    assert_eq!(api.send(revoke).await.status, StatusCode::OK);
    assert_eq!(
        set_bits(&status_bits(&api, "1").await),
        vec![indexes[1]],
        "only its bit"
    );
    // The revoked certificate's credential is still served: its status says revoked.
    assert_eq!(index_of(&credential(&api, &ids[1]).await), indexes[1]);

    // u-ana is certified again: her first certificate is replaced and its bit set.
    let body = json!({"user_id": "u-ana", "name": "Holder u-ana", "email": "u-ana@example.com", "notify": false});
    let again = aimed("certify-by-hand.json", "/c1/", &format!("/{c}/"))
        .header("idempotency-key", "renewal")
        .body(&body.to_string());
    assert_eq!(api.send(again).await.status, StatusCode::CREATED);
    let mut expected = vec![indexes[0], indexes[1]];
    expected.sort_unstable();
    assert_eq!(set_bits(&status_bits(&api, "1").await), expected);

    assert_eq!(
        api.send(aimed("status-list.json", "/status/1", "/status/2"))
            .await
            .status,
        StatusCode::NOT_FOUND,
        "no list 2 yet"
    );
    assert_eq!(
        api.send(aimed("verify-credential.json", "/x1/", "/nope/")).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn fifty_racing_issues_take_fifty_different_entries() {
    let api = std::sync::Arc::new(Api::enabled().await);
    let c = certification(&api, "Leadership Essentials").await;
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (api, c) = (api.clone(), c.clone());
            tokio::spawn(async move { by_hand(&api, &c, &format!("u-{i}")).await })
        })
        .collect();
    let mut entries = HashSet::new();
    for task in tasks {
        let id = task.await.unwrap();
        let (_, certificate) = api.store.certificate(&id).await.unwrap().unwrap();
        let entry = certificate.status.unwrap();
        assert!(entries.insert((entry.list, entry.index)), "{entry:?} given twice");
    }
    assert_eq!(entries.len(), 50);
}

/// The API over the same store and files, signing with `signer`: the credentials
/// function after `SIGNING_KEY_ID` (and `PREVIOUS_SIGNING_KEY_IDS`) changed.
fn signing_with(api: &Api, signer: certify_sign::KmsSigner) -> axum::Router {
    certify_http::router(api.deps_with(api.deps.starter.clone(), std::sync::Arc::new(signer)))
}

#[tokio::test]
async fn after_a_key_rotation_old_credentials_still_verify_and_new_ones_use_the_new_key() {
    let api = Api::enabled().await;
    let kms = aws_sdk_kms::Client::new(&certify_testkit::sdk_config(&api.endpoint).await);
    let (old, new) = (crate::common::kms_key(&kms).await, crate::common::kms_key(&kms).await);
    let before = signing_with(&api, certify_sign::KmsSigner::new(kms.clone(), old.clone(), Vec::new()));
    let after = signing_with(&api, certify_sign::KmsSigner::new(kms, new, vec![old]));
    let c = certification(&api, "Leadership Essentials").await;
    let (first, second) = (by_hand(&api, &c, "u-ana").await, by_hand(&api, &c, "u-ben").await);
    let served = |router: &axum::Router, id: &str| {
        let request = aimed("verify-credential.json", "/x1/", &format!("/{id}/"));
        let router = router.clone();
        let api = &api;
        async move {
            let reply = api.send_to(&router, request).await;
            assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
            reply.body.as_str().unwrap().to_string()
        }
    };
    let signed_before = served(&before, &first).await;

    // Rotated: the DID document lists the new key first, then the old one, both as
    // assertion methods.
    let doc = api.send_to(&after, event("did-document.json")).await.body;
    let methods = doc["verificationMethod"].as_array().unwrap().clone();
    assert_eq!(methods.len(), 2, "{doc}");
    assert_eq!(doc["assertionMethod"], json!([methods[0]["id"], methods[1]["id"]]));
    let key_of = |kid: &Value| {
        let method = methods.iter().find(|m| m["id"] == *kid).unwrap();
        certify_sign::PublicKey::from_jwk_str(&method["publicKeyJwk"].to_string()).unwrap()
    };
    let old_kid = part(&signed_before, 0)["kid"].clone();
    assert_eq!(old_kid, methods[1]["id"]);
    certify_sign::verify_compact(&signed_before, &key_of(&old_kid)).unwrap();
    assert_eq!(served(&after, &first).await, signed_before, "kept as it was signed");

    let signed_after = served(&after, &second).await;
    let new_kid = part(&signed_after, 0)["kid"].clone();
    assert_eq!(new_kid, methods[0]["id"]);
    assert_ne!(new_kid, old_kid);
    certify_sign::verify_compact(&signed_after, &key_of(&new_kid)).unwrap();
    assert!(certify_sign::verify_compact(&signed_after, &key_of(&old_kid)).is_err());
}
