//! The certificate as an Open Badges 3.0 credential (SPEC 1.12): the credential's
//! claims, the issuer's `did:web` and DID document, and the Bitstring Status List its
//! revocation is read from. Pure: the edges sign what these build, with a key they hold,
//! and pass in the time, the holder's opaque subject id and the salt.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::certificate::public::verify_url;
use crate::certificate::{Certificate, STATUS_LIST_SIZE};

/// The W3C VC data model 2.0 context and the Open Badges 3.0 context.
pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const OPEN_BADGES_V3: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/// The media type a credential and a status list are served and typed (`typ`) as.
pub const VC_JWT: &str = "application/vc+jwt";

/// The platform's `did:web` from its public URL (`https://certs.example.com` to
/// `did:web:certs.example.com`; a port is percent-encoded, path segments become `:`).
pub fn did_web(public_url: &str) -> String {
    let rest = public_url
        .split_once("://")
        .map_or(public_url, |(_, rest)| rest)
        .trim_end_matches('/');
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let mut did = format!("did:web:{}", host.replace(':', "%3A"));
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        did.push(':');
        did.push_str(segment);
    }
    did
}

/// The `kid` of a key of the platform: its DID and a fragment naming the key (its JWK
/// thumbprint, so that a new key gets a new id).
pub fn key_id(did: &str, thumbprint: &str) -> String {
    format!("{did}#key-{thumbprint}")
}

/// The DID document: every listed key (the signing key first, then older keys whose
/// credentials must keep verifying) as a `JsonWebKey2020` verification method (the
/// jws-2020 suite's type for a public JWK: SPEC 1.12 says `JsonWebKey`, the newer
/// Controlled Identifiers name, which the maintained did-jwt verifier does not yet
/// accept), each an `assertionMethod`. `keys` holds `(thumbprint, public JWK)` pairs.
pub fn did_document(did: &str, keys: &[(String, Value)]) -> Value {
    let methods: Vec<Value> = keys
        .iter()
        .map(|(thumbprint, jwk)| {
            json!({
                "id": key_id(did, thumbprint),
                "type": "JsonWebKey2020",
                "controller": did,
                "publicKeyJwk": jwk,
            })
        })
        .collect();
    let ids: Vec<String> = keys.iter().map(|(t, _)| key_id(did, t)).collect();
    json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": ids,
    })
}

/// The salted hash an `IdentityObject` carries instead of the address:
/// `sha256$` and the hex SHA-256 of the address followed by the salt (Open Badges 3.0).
pub fn identity_hash(email: &str, salt: &str) -> String {
    let digest = Sha256::digest(format!("{email}{salt}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256${hex}")
}

/// What the edge brings to a credential beside the certificate.
#[derive(Debug, Clone)]
pub struct CredentialFacts<'a> {
    pub public_url: &'a str,
    /// The holder's opaque `urn:uuid:` subject id, stable per (workspace, user).
    pub subject_id: &'a str,
    /// A fresh random salt for the hashed email.
    pub salt: &'a str,
    /// When it is signed.
    pub issued_at: DateTime<Utc>,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// The last second of a day: a certificate expiring on D is valid through D.
fn end_of(day: NaiveDate) -> DateTime<Utc> {
    start_of(day) + chrono::Duration::days(1) - chrono::Duration::seconds(1)
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The credential's URL of a status list.
pub fn status_list_url(public_url: &str, list: u64) -> String {
    format!("{}/status/{list}", public_url.trim_end_matches('/'))
}

/// The `OpenBadgeCredential` of a certificate, as the JWT payload of its VC-JWT: the
/// credential itself with `iss`, `jti`, `sub`, `nbf`, `iat` and `exp` when it expires.
/// Everything it shows comes from the certificate's snapshot, as its PDF does; the
/// admin's note never appears.
pub fn credential(certificate: &Certificate, facts: &CredentialFacts) -> Value {
    let did = did_web(facts.public_url);
    let id = verify_url(facts.public_url, &certificate.id);
    let snapshot = &certificate.certification;
    let valid_from = start_of(certificate.issued_on);
    let valid_until = certificate.expires_on.map(end_of);
    let mut subject = json!({
        "id": facts.subject_id,
        "type": ["AchievementSubject"],
        "achievement": {
            "id": format!("{id}#achievement"),
            "type": ["Achievement"],
            "name": snapshot.name,
            "description": snapshot.description,
            "criteria": {"narrative": criteria(certificate)},
            // OB 3.0's Achievement.inLanguage (a BCP 47 tag): the certificate's language.
            "inLanguage": snapshot.locale.tag(),
        },
    });
    if let Some(email) = &certificate.holder_email {
        subject["identifier"] = json!([{
            "type": "IdentityObject",
            "identityHash": identity_hash(email, facts.salt),
            "identityType": "emailAddress",
            "hashed": true,
            "salt": facts.salt,
        }]);
    }
    let mut credential = json!({
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": snapshot.name,
        "issuer": {"id": did, "type": ["Profile"], "name": snapshot.issuer_name},
        "validFrom": stamp(valid_from),
        "credentialSubject": subject,
        "iss": did,
        "jti": id,
        "sub": facts.subject_id,
        "nbf": valid_from.timestamp(),
        "iat": facts.issued_at.timestamp(),
    });
    if let Some(until) = valid_until {
        credential["validUntil"] = stamp(until).into();
        credential["exp"] = until.timestamp().into();
    }
    if let Some(entry) = certificate.status {
        let list = status_list_url(facts.public_url, entry.list);
        credential["credentialStatus"] = json!({
            "id": format!("{list}#{}", entry.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": entry.index.to_string(),
            "statusListCredential": list,
        });
    }
    credential
}

/// What earned the certificate, in words.
fn criteria(certificate: &Certificate) -> String {
    match &certificate.program {
        Some(program) => format!("Completed every required component of the program {}.", program.name),
        None => format!("Certified by {}.", certificate.certification.issuer_name),
    }
}

/// The bitstring of a status list with the bits of `revoked` set (index 0 is the first
/// byte's most significant bit), GZIP-compressed, base64url without padding, with the
/// multibase prefix `u`. Indexes beyond the list are ignored.
pub fn encoded_list(revoked: &[u64]) -> String {
    use base64::Engine;
    use std::io::Write;
    let mut bits = vec![0u8; (STATUS_LIST_SIZE / 8) as usize];
    for &index in revoked.iter().filter(|&&i| i < STATUS_LIST_SIZE) {
        bits[(index / 8) as usize] |= 0x80 >> (index % 8);
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let compressed = gzip.write_all(&bits).and_then(|()| gzip.finish()).unwrap_or_default();
    format!(
        "u{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(compressed)
    )
}

/// The `BitstringStatusListCredential` of list `list` at `now`, as a JWT payload.
pub fn status_list_credential(public_url: &str, list: u64, revoked: &[u64], now: DateTime<Utc>) -> Value {
    let did = did_web(public_url);
    let id = status_list_url(public_url, list);
    json!({
        "@context": [CREDENTIALS_V2],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": stamp(now),
        "credentialSubject": {
            "id": format!("{id}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(revoked),
        },
        "iss": did,
        "jti": id,
        "iat": now.timestamp(),
    })
}

#[cfg(test)]
mod tests;
