//! The certificate as a signed Open Badges 3.0 credential (SPEC 1.12), open without an
//! account: the credential, the issuer's DID document and the revocation status lists.
//!
//! A credential is signed when first asked for and kept, so it is the same whenever it
//! is fetched and a program's end signs nothing (its request budget is unchanged); a
//! regeneration that refreshes the snapshot drops it, and the next request signs the
//! new one. Each request also checks the kept one against the certificate as it is, so
//! one signed from a snapshot a regeneration replaced meanwhile is signed again. A status list is read on every request and signed again whenever its
//! revoked entries changed; answers may be cached for 30 seconds, so a revocation shows
//! within a minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use certify_rules::certificate::credential::{
    credential, did_document, did_web, key_id, status_list_credential, CredentialFacts, VC_JWT,
};
use serde_json::Value;

use crate::extract::Path;
use crate::public::CACHE;
use crate::{ApiError, Deps};

pub fn routes() -> Router<Arc<Deps>> {
    Router::new()
        .route("/verify/{id}/credential", get(credential_of))
        .route("/.well-known/did.json", get(did))
        .route("/status/{list}", get(status_list))
}

/// Status lists signed lately, by number, with the revoked entries each was signed
/// with: served again while those are still the revoked entries, signed again as soon as
/// they change. Reading the entries is one Query; signing is the costly part (KMS).
#[derive(Default)]
pub struct StatusLists(Mutex<HashMap<u64, (Vec<u64>, String)>>);

impl StatusLists {
    fn signed(&self, list: u64, revoked: &[u64]) -> Option<String> {
        let lists = self.0.lock().ok()?;
        let (signed_with, jwt) = lists.get(&list)?;
        (signed_with.as_slice() == revoked).then(|| jwt.clone())
    }

    fn keep(&self, list: u64, revoked: Vec<u64>, jwt: &str) {
        if let Ok(mut lists) = self.0.lock() {
            lists.insert(list, (revoked, jwt.to_string()));
        }
    }
}

fn answer(content_type: &'static str, body: String) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(CACHE));
    response
}

/// `payload` as a compact JWS signed by the platform's current key, `typ` `vc+jwt`.
async fn sign(deps: &Deps, payload: &Value) -> Result<String, ApiError> {
    let key = deps.signer.public_key().await.map_err(ApiError::internal)?;
    let kid = key_id(&did_web(&deps.public_url), &certify_sign::thumbprint(&key));
    certify_sign::compact_jws(&*deps.signer, &kid, "vc+jwt", payload)
        .await
        .map_err(ApiError::internal)
}

async fn credential_of(State(deps): State<Arc<Deps>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (ws, certificate) = deps.store.certificate(&id).await?.ok_or_else(ApiError::not_found)?;
    let kept = deps.store.credential(&id).await?;
    if let Some(jwt) = &kept {
        if signed_from(jwt, &certificate, &deps.public_url) {
            return Ok(answer(VC_JWT, jwt.clone()));
        }
    }
    // None kept, or one signed from what the certificate no longer is (a request that
    // read it before a regeneration refreshed the snapshot, and kept it after).
    let fresh = format!("urn:uuid:{}", uuid::Uuid::new_v4());
    let subject_id = deps.store.subject_id(&ws, &certificate.user_id, &fresh).await?;
    let salt = uuid::Uuid::new_v4().simple().to_string();
    let facts = CredentialFacts {
        public_url: &deps.public_url,
        subject_id: &subject_id,
        salt: &salt,
        issued_at: deps.now(),
    };
    let jwt = sign(&deps, &credential(&certificate, &facts)).await?;
    let stands = deps.store.keep_credential(&id, &jwt, kept.as_deref()).await?;
    Ok(answer(VC_JWT, stands))
}

/// Whether `jwt` is the credential of `certificate` as it is now: its payload is what
/// the certificate gives with the subject, salt and signing time the JWT holds.
fn signed_from(jwt: &str, certificate: &certify_rules::Certificate, public_url: &str) -> bool {
    use base64::Engine;
    let Some(payload) = jwt
        .split('.')
        .nth(1)
        .and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok())
        .and_then(|p| serde_json::from_slice::<Value>(&p).ok())
    else {
        return false;
    };
    let subject = &payload["credentialSubject"];
    let (Some(subject_id), Some(issued_at)) = (
        subject["id"].as_str(),
        payload["iat"]
            .as_i64()
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0)),
    ) else {
        return false;
    };
    let facts = CredentialFacts {
        public_url,
        subject_id,
        salt: subject["identifier"][0]["salt"].as_str().unwrap_or_default(),
        issued_at,
    };
    credential(certificate, &facts) == payload
}

async fn did(State(deps): State<Arc<Deps>>) -> Result<Response, ApiError> {
    let mut keys = vec![deps.signer.public_key().await.map_err(ApiError::internal)?];
    keys.extend(deps.signer.previous_keys().await.map_err(ApiError::internal)?);
    let listed: Vec<(String, Value)> = keys
        .iter()
        .map(|k| (certify_sign::thumbprint(k), certify_sign::jwk(k)))
        .collect();
    let document = did_document(&did_web(&deps.public_url), &listed);
    Ok(answer("application/did+json", document.to_string()))
}

async fn status_list(State(deps): State<Arc<Deps>>, Path(list): Path<String>) -> Result<Response, ApiError> {
    // A list is a positive number of a list that has begun.
    let list: u64 = list.parse().ok().filter(|&n| n >= 1).ok_or_else(ApiError::not_found)?;
    if list > deps.store.status_lists().await? {
        return Err(ApiError::not_found());
    }
    let revoked = deps.store.revoked_entries(list).await?;
    if let Some(jwt) = deps.status_lists.signed(list, &revoked) {
        return Ok(answer(VC_JWT, jwt));
    }
    let payload = status_list_credential(&deps.public_url, list, &revoked, deps.now());
    let jwt = sign(&deps, &payload).await?;
    deps.status_lists.keep(list, revoked, &jwt);
    Ok(answer(VC_JWT, jwt))
}
