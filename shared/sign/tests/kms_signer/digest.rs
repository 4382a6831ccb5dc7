//! A signing input longer than KMS's 4096-byte `RAW` limit goes to KMS as its SHA-256,
//! `DIGEST`. moto's KMS does not implement `DIGEST` (moto 5.2.1 says so), so this one
//! request is faked at the SDK's HTTP layer: the fake checks what KMS would be sent and
//! answers with the DER signature KMS would give, made here with a local key.

use aws_sdk_kms::operation::sign::SignOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::MessageType;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use certify_sign::{KmsSigner, Signer, MAX_RAW_MESSAGE};
use p256::ecdsa::signature::{Signer as _, Verifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

#[tokio::test]
async fn a_long_message_is_signed_as_its_digest() {
    let key = SigningKey::from_slice(&[7u8; 32]).expect("a key");
    let message = "x".repeat(MAX_RAW_MESSAGE + 1);
    let digest = Sha256::digest(message.as_bytes()).to_vec();
    let der: Signature = key.sign(message.as_bytes());
    let der = der.to_der().as_bytes().to_vec();

    let rule = mock!(aws_sdk_kms::Client::sign)
        .match_requests(move |sent| {
            sent.message_type() == Some(&MessageType::Digest) && sent.message().map(|m| m.as_ref()) == Some(&digest[..])
        })
        .then_output(move || SignOutput::builder().signature(Blob::new(der.clone())).build());
    let client = mock_client!(aws_sdk_kms, RuleMode::Sequential, [&rule]);
    let signer = KmsSigner::new(client, "alias/certify".into(), Vec::new());

    let jose = signer.sign(message.as_bytes()).await.expect("signed as a digest");
    let signature = Signature::from_slice(&jose).expect("64 bytes");
    VerifyingKey::from(&key)
        .verify(message.as_bytes(), &signature)
        .expect("the signature of the whole message");
    assert_eq!(rule.num_calls(), 1);
}
