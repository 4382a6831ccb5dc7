//! `POST /certifications/{id}/certificates`: certify by hand (SPEC 1.13). An
//! `Idempotency-Key` makes a retried request answer what the first one did: the key's
//! first claim fixes the certificate's id, so racing and retried requests issue one
//! certificate, and a key reused with another body is refused.

use std::sync::Arc;

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use certify_rules::{check_identity, ByHandInput, Certificate, Invalid};
use sha2::{Digest, Sha256};

use crate::certificates::{CertificateView, Viewer};
use crate::extract::{JsonBody, Path};
use crate::identity::CertifyingAdmin;
use crate::respond::Created;
use crate::{new_id, ApiError, Deps};

/// The `Idempotency-Key` header, when sent: 1 to 128 letters, digits and `.`, `_`,
/// `:`, `@`, `+`, `-` (a UUID fits).
pub(crate) struct IdempotencyKey(Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let refused = |problem: &str| ApiError::from(Invalid::one("Idempotency-Key", problem));
        let key = raw.to_str().map_err(|_| refused("must be printable text"))?;
        check_identity(key).map_err(refused)?;
        Ok(IdempotencyKey(Some(key.to_string())))
    }
}

/// What a request with a key asks for: the certification and the body as sent.
fn fingerprint(certification_id: &str, input: &ByHandInput) -> Result<String, ApiError> {
    let body = serde_json::to_vec(input).map_err(|e| ApiError::internal(e.into()))?;
    let mut hash = Sha256::new();
    hash.update(certification_id.as_bytes());
    hash.update([0]);
    hash.update(&body);
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub(crate) async fn issue(
    State(deps): State<Arc<Deps>>,
    admin: CertifyingAdmin,
    Path(id): Path<String>,
    key: IdempotencyKey,
    JsonBody(input): JsonBody<ByHandInput>,
) -> Result<Created<ByHandView>, ApiError> {
    let ws = admin.ws();
    let certification = deps.store.certification(ws, &id).await?;
    let certification = certification
        .filter(|c| !c.is_archived())
        .ok_or_else(ApiError::not_found)?;
    let by_hand = input.parse(deps.now().date_naive())?;
    let certificate_id = match &key.0 {
        None => new_id(),
        Some(key) => {
            let fingerprint = fingerprint(&id, &input)?;
            let claimed = deps
                .store
                .claim_request_key(ws, key, &fingerprint, &new_id(), deps.now())
                .await?;
            if claimed.fingerprint != fingerprint {
                return Err(ApiError::idempotency_key_reused());
            }
            claimed.certificate_id
        }
    };
    // In the certification's locale, else the workspace's as it is now (SPEC 1.17).
    let workspace_locale = deps.store.settings(ws).await?.locale;
    let certificate = Certificate::by_hand(certificate_id, &by_hand, &certification, workspace_locale);
    deps.issuer
        .issue_by_hand(ws, &certificate, &by_hand.holder, by_hand.notify, &admin.actor())
        .await
        .map_err(ApiError::internal)?;
    // Issued now or by the first request with this key: the same answer either way.
    let (_, issued) = deps
        .store
        .certificate(&certificate.id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("certificate {} vanished", certificate.id)))?;
    let view = Viewer::of(&deps, ws, admin.role()).await?.view(issued);
    let warnings = deps.issuer.draw_warning(&certificate).into_iter().collect();
    Ok(Created {
        location: format!("/certificates/{}", view.id),
        version: None,
        body: ByHandView { view, warnings },
    })
}

/// The by-hand answer: the certificate, and what its drawing warns of (SPEC 1.17), when
/// anything.
#[derive(serde::Serialize)]
pub struct ByHandView {
    #[serde(flatten)]
    view: CertificateView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<certify_rules::DrawWarning>,
}
