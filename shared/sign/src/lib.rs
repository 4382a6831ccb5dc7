//! Certify's signing port (SPEC 1.12): credentials and status lists are ES256 compact
//! JWS over a P-256 key. [`Signer`] is the port; [`KeyFile`] keeps the key in the local
//! data folder, [`KmsSigner`] (feature `aws`) in AWS KMS. The JOSE plumbing around it
//! (the JWK, its RFC 7638 thumbprint, the compact serialization and its verification)
//! is written once here for both.

use anyhow::{bail, ensure, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

mod key_file;
#[cfg(feature = "aws")]
mod kms;

pub use key_file::KeyFile;
#[cfg(feature = "aws")]
pub use kms::KmsSigner;
pub use p256::PublicKey;

/// The longest signing input KMS signs as a `RAW` message (KMS hashes it itself); the
/// KMS adapter sends a longer one's SHA-256 as a `DIGEST`.
pub const MAX_RAW_MESSAGE: usize = 4096;

/// Signs with the platform's current P-256 key, and names the keys that verify.
#[async_trait::async_trait]
pub trait Signer: Send + Sync {
    /// The current key's public half: the key of every new signature.
    async fn public_key(&self) -> anyhow::Result<PublicKey>;
    /// Keys that signed before a rotation and still verify what they signed.
    async fn previous_keys(&self) -> anyhow::Result<Vec<PublicKey>>;
    /// The ES256 signature of `message` (SHA-256, then ECDSA): the JOSE form, `r || s`.
    async fn sign(&self, message: &[u8]) -> anyhow::Result<[u8; 64]>;
}

/// The key's JWK: `{"kty":"EC","crv":"P-256","x","y"}`.
pub fn jwk(key: &PublicKey) -> Value {
    let point = p256::EncodedPoint::from(key);
    let (x, y) = (point.x().map(|x| B64.encode(x)), point.y().map(|y| B64.encode(y)));
    json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})
}

/// The key's RFC 7638 thumbprint: the base64url SHA-256 of its required JWK members,
/// in lexicographic order with no whitespace. Two keys share one only if they are one.
pub fn thumbprint(key: &PublicKey) -> String {
    let jwk = jwk(key);
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    B64.encode(Sha256::digest(canonical.as_bytes()))
}

/// `payload` as a compact JWS: header `{"alg":"ES256","typ","kid"}`, signed by `signer`.
///
/// # Errors
/// When the signer fails.
pub async fn compact_jws(signer: &dyn Signer, kid: &str, typ: &str, payload: &Value) -> anyhow::Result<String> {
    let header = json!({"alg": "ES256", "typ": typ, "kid": kid});
    let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(payload.to_string()));
    let signature = signer.sign(input.as_bytes()).await?;
    Ok(format!("{input}.{}", B64.encode(signature)))
}

/// The payload of `jws` when its header says ES256 and `key` made its signature.
///
/// # Errors
/// When the JWS is malformed, names another algorithm, or the signature does not verify.
pub fn verify_compact(jws: &str, key: &PublicKey) -> anyhow::Result<Value> {
    let mut parts = jws.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        bail!("a compact JWS has three parts");
    };
    let header: Value = serde_json::from_slice(&B64.decode(header).context("header")?).context("header")?;
    ensure!(
        header["alg"] == "ES256",
        "the algorithm is {}, not ES256",
        header["alg"]
    );
    let signature = Signature::from_slice(&B64.decode(signature).context("signature")?).context("signature")?;
    let input = &jws[..jws.len() - jws.rsplit('.').next().map_or(0, str::len) - 1];
    VerifyingKey::from(key)
        .verify(input.as_bytes(), &signature)
        .context("the signature does not verify")?;
    serde_json::from_slice(&B64.decode(payload).context("payload")?).context("payload")
}

/// A DER `ECDSA-Sig-Value` (what KMS returns) as JOSE's fixed 64 bytes, `r || s`, each
/// left-padded to 32 bytes (DER drops leading zeros, and adds one before a high bit).
/// S is kept as given: KMS does not normalize it, and ES256 verifiers accept either.
///
/// # Errors
/// When `der` is not a P-256 signature.
pub fn jose_from_der(der: &[u8]) -> anyhow::Result<[u8; 64]> {
    let signature = Signature::from_der(der).context("a DER ECDSA signature")?;
    Ok(signature.to_bytes().into())
}

#[cfg(test)]
mod tests;
