//! The AWS adapter: the key lives in KMS (`ECC_NIST_P256`, `SIGN_VERIFY`) and never
//! leaves it. KMS signs `RAW` messages of up to 4096 bytes with `ECDSA_SHA_256`, hashing
//! them itself; a longer message (a credential whose achievement has a long description)
//! goes as its SHA-256, `DIGEST`, which signs the same. KMS returns DER. The public keys
//! are read once per cold start.

use anyhow::Context;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{MessageType, SigningAlgorithmSpec};
use p256::pkcs8::DecodePublicKey;
use p256::PublicKey;
use tokio::sync::OnceCell;

use sha2::{Digest, Sha256};

use crate::{jose_from_der, Signer, MAX_RAW_MESSAGE};

/// Signs through KMS `Sign` with the current key; names the previous keys for the DID
/// document.
pub struct KmsSigner {
    client: aws_sdk_kms::Client,
    key_id: String,
    previous_ids: Vec<String>,
    current: OnceCell<PublicKey>,
    previous: OnceCell<Vec<PublicKey>>,
}

impl KmsSigner {
    /// `key_id` (id, ARN or alias) signs; `previous_ids` verify what they signed before a
    /// rotation. No request until a key is first needed.
    pub fn new(client: aws_sdk_kms::Client, key_id: String, previous_ids: Vec<String>) -> Self {
        Self {
            client,
            key_id,
            previous_ids,
            current: OnceCell::new(),
            previous: OnceCell::new(),
        }
    }

    async fn fetch(&self, key_id: &str) -> anyhow::Result<PublicKey> {
        let out = self
            .client
            .get_public_key()
            .key_id(key_id)
            .send()
            .await
            .with_context(|| format!("KMS GetPublicKey of {key_id}"))?;
        let der = out.public_key().context("KMS returned no public key")?;
        PublicKey::from_public_key_der(der.as_ref()).with_context(|| format!("{key_id} is not a P-256 key"))
    }
}

#[async_trait::async_trait]
impl Signer for KmsSigner {
    async fn public_key(&self) -> anyhow::Result<PublicKey> {
        self.current.get_or_try_init(|| self.fetch(&self.key_id)).await.copied()
    }

    async fn previous_keys(&self) -> anyhow::Result<Vec<PublicKey>> {
        self.previous
            .get_or_try_init(|| async {
                let mut keys = Vec::new();
                for id in &self.previous_ids {
                    keys.push(self.fetch(id).await?);
                }
                Ok::<_, anyhow::Error>(keys)
            })
            .await
            .cloned()
    }

    async fn sign(&self, message: &[u8]) -> anyhow::Result<[u8; 64]> {
        let (message, message_type) = if message.len() <= MAX_RAW_MESSAGE {
            (message.to_vec(), MessageType::Raw)
        } else {
            (Sha256::digest(message).to_vec(), MessageType::Digest)
        };
        let out = self
            .client
            .sign()
            .key_id(&self.key_id)
            .message(Blob::new(message))
            .message_type(message_type)
            .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
            .send()
            .await
            .with_context(|| format!("KMS Sign with {}", self.key_id))?;
        let der = out.signature().context("KMS returned no signature")?;
        jose_from_der(der.as_ref())
    }
}
