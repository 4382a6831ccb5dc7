//! Local bearer tokens: what API Gateway's JWT authorizer checks on AWS. HS256 JWTs
//! (issuer `certify-local`, with `exp`) under a key kept in `<data-dir>/token.key`,
//! created on first use; `certify-local token` mints them and the server checks them.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Once;

use anyhow::Context;
use certify_http::ClaimNames;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, KeyInit, Mac};
use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::signature::{Signer, Verifier};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub const ISSUER: &str = "certify-local";
pub const KEY_FILE: &str = "token.key";

/// What a local token says, under the claim names of [`ClaimNames::default`].
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    workspace_id: String,
    role: String,
    iss: String,
    iat: i64,
    exp: i64,
}

/// The signing key of the tokens, shared by `certify-local token` and the server.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Keys {
    /// The key in `<data_dir>/token.key`, created (0600, atomically) on first use.
    pub fn load(data_dir: &Path) -> anyhow::Result<Keys> {
        install_hs256();
        let path = data_dir.join(KEY_FILE);
        let secret = certify_blobs::load_or_create_secret(&path)
            .with_context(|| format!("cannot read or create the token key {}", path.display()))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 0;
        Ok(Keys {
            encoding: EncodingKey::from_secret(&secret).context("the token key")?,
            decoding: DecodingKey::from_secret(&secret).context("the token key")?,
            validation,
        })
    }

    /// A token for `user` in `workspace` with `role`, valid from `now` for `lifetime`.
    pub fn mint(
        &self,
        workspace: &str,
        user: &str,
        role: &str,
        now: DateTime<Utc>,
        lifetime: Duration,
    ) -> anyhow::Result<String> {
        let claims = Claims {
            sub: user.to_string(),
            workspace_id: workspace.to_string(),
            role: role.to_string(),
            iss: ISSUER.to_string(),
            iat: now.timestamp(),
            exp: (now + lifetime).timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).context("signing the token")
    }

    /// The claims of a good token, as the router reads them; otherwise what is wrong
    /// with it, in words for the 401.
    pub fn verify(&self, token: &str) -> Result<HashMap<String, String>, String> {
        let data =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => "the token has expired; mint a new one".to_string(),
                ErrorKind::InvalidSignature => "the token's signature is not valid".to_string(),
                ErrorKind::InvalidIssuer => format!("the token was not issued by {ISSUER}"),
                ErrorKind::InvalidAlgorithm => "the token is not signed with HS256".to_string(),
                ErrorKind::MissingRequiredClaim(claim) => format!("the token has no {claim} claim"),
                _ => "the token is malformed".to_string(),
            })?;
        let names = ClaimNames::default();
        let claims = data.claims;
        Ok(HashMap::from([
            ("sub".to_string(), claims.sub),
            (names.workspace, claims.workspace_id),
            (names.role, claims.role),
            ("iss".to_string(), claims.iss),
        ]))
    }
}

/// jsonwebtoken's crypto is pluggable; its built-in backends bring RSA and elliptic
/// curves this server never uses, so HS256 is provided here over hmac and sha2.
fn install_hs256() {
    static ONCE: Once = Once::new();
    static HS256_ONLY: CryptoProvider = CryptoProvider {
        signer_factory: hs256_signer,
        verifier_factory: hs256_verifier,
        key_utils: KeyUtils::new_unimplemented(),
    };
    // Nothing else installs a provider in this process.
    ONCE.call_once(|| {
        let _ = HS256_ONLY.install_default();
    });
}

struct Hs256(Hmac<Sha256>);

impl Hs256 {
    fn new(algorithm: &Algorithm, secret: &[u8]) -> jsonwebtoken::errors::Result<Hs256> {
        if *algorithm != Algorithm::HS256 {
            return Err(ErrorKind::InvalidAlgorithm.into());
        }
        Ok(Hs256(
            Hmac::new_from_slice(secret).map_err(|_| ErrorKind::InvalidKeyFormat)?,
        ))
    }
}

fn hs256_signer(algorithm: &Algorithm, key: &EncodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtSigner>> {
    Ok(Box::new(Hs256::new(algorithm, key.as_bytes())?))
}

fn hs256_verifier(algorithm: &Algorithm, key: &DecodingKey) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    Ok(Box::new(Hs256::new(algorithm, key.try_get_as_bytes()?)?))
}

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, message: &[u8]) -> Result<Vec<u8>, jsonwebtoken::signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        Ok(mac.finalize().into_bytes().to_vec())
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, message: &[u8], signature: &Vec<u8>) -> Result<(), jsonwebtoken::signature::Error> {
        let mut mac = self.0.clone();
        mac.update(message);
        // Constant time.
        mac.verify_slice(signature)
            .map_err(|_| jsonwebtoken::signature::Error::new())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (tempfile::TempDir, Keys) {
        let dir = tempfile::tempdir().unwrap();
        let keys = Keys::load(dir.path()).unwrap();
        (dir, keys)
    }

    #[test]
    fn a_minted_token_verifies_to_its_claims() {
        let (_dir, keys) = keys();
        let token = keys
            .mint("ws-1", "u-1", "admin", Utc::now(), Duration::hours(1))
            .unwrap();
        let claims = keys.verify(&token).unwrap();
        assert_eq!(claims["sub"], "u-1");
        assert_eq!(claims["workspace_id"], "ws-1");
        assert_eq!(claims["role"], "admin");
    }

    #[test]
    fn the_key_file_is_reused_so_tokens_outlive_the_process() {
        let (dir, keys) = keys();
        let token = keys
            .mint("ws-1", "u-1", "admin", Utc::now(), Duration::hours(1))
            .unwrap();
        assert!(Keys::load(dir.path()).unwrap().verify(&token).is_ok());
    }

    #[test]
    fn expired_tampered_and_foreign_tokens_are_refused_by_name() {
        let (_dir, keys) = keys();
        let old = keys
            .mint(
                "ws-1",
                "u-1",
                "admin",
                Utc::now() - Duration::hours(2),
                Duration::hours(1),
            )
            .unwrap();
        assert!(keys.verify(&old).unwrap_err().contains("expired"));

        let token = keys
            .mint("ws-1", "u-1", "admin", Utc::now(), Duration::hours(1))
            .unwrap();
        let mut tampered = token.clone().into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        assert!(keys.verify(&tampered).unwrap_err().contains("signature"));

        let (_other_dir, other) = self::keys();
        assert!(other.verify(&token).unwrap_err().contains("signature"));
        assert_eq!(keys.verify("not a token").unwrap_err(), "the token is malformed");
    }
}
