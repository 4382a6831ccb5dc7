#![allow(clippy::unwrap_used)] // a test says what broke by its panic

use std::io::Read;

use base64::Engine;

use super::*;
use crate::certificate::StatusEntry;
use crate::fixtures::certificate;

fn facts() -> CredentialFacts<'static> {
    CredentialFacts {
        public_url: "https://certs.example.com",
        subject_id: "urn:uuid:3f1c1f9e-4b7a-4c1e-9a53-1a2b3c4d5e6f",
        salt: "pepper",
        issued_at: "2026-12-01T10:00:00Z".parse().unwrap(),
    }
}

/// The bits of an encoded list, decoded the way a verifier decodes them.
fn decoded(encoded: &str) -> Vec<u8> {
    let compressed = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.strip_prefix('u').unwrap())
        .unwrap();
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .read_to_end(&mut bits)
        .unwrap();
    bits
}

#[test]
fn did_web_encodes_the_port_and_turns_path_segments_into_colons() {
    assert_eq!(did_web("https://certs.example.com"), "did:web:certs.example.com");
    assert_eq!(did_web("https://certs.example.com/"), "did:web:certs.example.com");
    assert_eq!(did_web("http://127.0.0.1:3000"), "did:web:127.0.0.1%3A3000");
    assert_eq!(
        did_web("https://example.com/certify/prod"),
        "did:web:example.com:certify:prod"
    );
}

#[test]
fn the_credential_is_an_open_badge_from_the_snapshot() {
    let mut c = certificate("cert1", "u1");
    c.holder_email = Some("ana@example.com".into());
    c.note = Some("internal: paid late".into());
    c.status = Some(StatusEntry { list: 2, index: 42 });
    let vc = credential(&c, &facts());
    assert_eq!(vc["@context"], json!([CREDENTIALS_V2, OPEN_BADGES_V3]));
    assert_eq!(vc["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(vc["id"], "https://certs.example.com/verify/cert1");
    assert_eq!(vc["jti"], vc["id"]);
    assert_eq!(
        vc["issuer"],
        json!({"id": "did:web:certs.example.com", "type": ["Profile"], "name": "Exec Coaching"})
    );
    assert_eq!(vc["iss"], "did:web:certs.example.com");
    assert_eq!(vc["validFrom"], "2026-11-28T00:00:00Z");
    // Valid through its expiry day.
    assert_eq!(vc["validUntil"], "2028-11-28T23:59:59Z");
    assert_eq!(vc["nbf"], 1_795_824_000);
    assert_eq!(vc["exp"], 1_859_068_799);
    let subject = &vc["credentialSubject"];
    assert_eq!(subject["id"], facts().subject_id);
    assert_eq!(vc["sub"], subject["id"]);
    assert_eq!(subject["achievement"]["name"], "Leadership Essentials");
    assert_eq!(subject["achievement"]["description"], "Leads teams through change.");
    assert_eq!(subject["achievement"]["inLanguage"], "en");
    assert!(subject["achievement"]["criteria"]["narrative"]
        .as_str()
        .unwrap()
        .contains("Spring Cohort"));
    let identity = &subject["identifier"][0];
    assert_eq!(identity["type"], "IdentityObject");
    assert_eq!(identity["hashed"], true);
    assert_eq!(identity["identityHash"], identity_hash("ana@example.com", "pepper"));
    assert_eq!(identity["salt"], "pepper");
    assert_eq!(
        vc["credentialStatus"],
        json!({
            "id": "https://certs.example.com/status/2#42",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "42",
            "statusListCredential": "https://certs.example.com/status/2",
        })
    );
    let text = vc.to_string();
    assert!(!text.contains("ana@example.com"), "the plain email is never in it");
    assert!(!text.contains("paid late"), "the admin's note is never in it");
    assert!(!text.contains("u1"), "the user id is never in it");
}

#[test]
fn the_achievement_is_in_the_language_of_the_certificate() {
    let mut c = certificate("cert1", "u1");
    c.certification.locale = crate::Locale::PtBr;
    assert_eq!(
        credential(&c, &facts())["credentialSubject"]["achievement"]["inLanguage"],
        "pt-BR"
    );
}

#[test]
fn the_identity_hash_is_sha256_of_the_email_and_salt_in_hex() {
    // printf 'ana@example.compepper' | sha256sum
    assert_eq!(
        identity_hash("ana@example.com", "pepper"),
        "sha256$c53e75bbb766f6f253c97349b2ed662c11daa74f7df5e859b4a826fadf0e2696"
    );
    assert_ne!(
        identity_hash("ana@example.com", "salt"),
        identity_hash("ana@example.com", "pepper")
    );
}

#[test]
fn a_certificate_without_expiry_or_entry_has_no_exp_and_no_status() {
    let mut c = certificate("cert1", "u1");
    c.expires_on = None;
    let vc = credential(&c, &facts());
    assert!(vc.get("validUntil").is_none() && vc.get("exp").is_none());
    assert!(vc.get("credentialStatus").is_none());
    assert!(vc["credentialSubject"].get("identifier").is_none());
}

#[test]
fn the_status_list_sets_exactly_the_revoked_bits_most_significant_first() {
    let bits = decoded(&encoded_list(&[0, 9, 131_071, 131_072]));
    assert_eq!(bits.len(), 16_384);
    assert_eq!(bits[0], 0b1000_0000);
    assert_eq!(bits[1], 0b0100_0000);
    assert_eq!(bits[16_383], 0b0000_0001);
    let set: u32 = bits.iter().map(|b| b.count_ones()).sum();
    assert_eq!(set, 3, "the index past the list's end is ignored");
    let empty = decoded(&encoded_list(&[]));
    assert!(empty.iter().all(|&b| b == 0));
}

#[test]
fn the_status_list_credential_names_its_list_and_purpose() {
    let now = "2026-12-01T10:00:00Z".parse().unwrap();
    let vc = status_list_credential("http://127.0.0.1:3000", 1, &[5], now);
    assert_eq!(vc["id"], "http://127.0.0.1:3000/status/1");
    assert_eq!(
        vc["type"],
        json!(["VerifiableCredential", "BitstringStatusListCredential"])
    );
    assert_eq!(vc["issuer"], "did:web:127.0.0.1%3A3000");
    assert_eq!(vc["credentialSubject"]["statusPurpose"], "revocation");
    assert_eq!(vc["credentialSubject"]["type"], "BitstringStatusList");
    let bits = decoded(vc["credentialSubject"]["encodedList"].as_str().unwrap());
    assert_eq!(bits[0], 0b0000_0100);
}

#[test]
fn the_did_document_lists_every_key_as_an_assertion_method() {
    let keys = vec![
        (
            "new".to_string(),
            json!({"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}),
        ),
        (
            "old".to_string(),
            json!({"kty": "EC", "crv": "P-256", "x": "c", "y": "d"}),
        ),
    ];
    let doc = did_document("did:web:certs.example.com", &keys);
    assert_eq!(doc["id"], "did:web:certs.example.com");
    assert_eq!(
        doc["assertionMethod"],
        json!(["did:web:certs.example.com#key-new", "did:web:certs.example.com#key-old"])
    );
    assert_eq!(doc["verificationMethod"][1]["publicKeyJwk"]["x"], "c");
    assert_eq!(doc["verificationMethod"][0]["type"], "JsonWebKey2020");
}
