//! The KMS adapter on the wire, against moto's KMS: its signatures verify with KMS
//! `Verify` and with the public key it reports, also those whose `r` or `s` DER wrote
//! in fewer than 32 bytes.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeySpec, KeyUsageType, MessageType, SigningAlgorithmSpec};
use certify_sign::{compact_jws, thumbprint, verify_compact, KmsSigner, Signer};
use p256::ecdsa::Signature;
use serde_json::json;

async fn kms() -> aws_sdk_kms::Client {
    let config = certify_testkit::sdk_config(&certify_testkit::moto().endpoint()).await;
    aws_sdk_kms::Client::new(&config)
}

async fn new_key(client: &aws_sdk_kms::Client) -> String {
    let made = client
        .create_key()
        .key_spec(KeySpec::EccNistP256)
        .key_usage(KeyUsageType::SignVerify)
        .send()
        .await
        .expect("a KMS key");
    made.key_metadata().expect("metadata").key_id().to_string()
}

async fn kms_verifies(client: &aws_sdk_kms::Client, key_id: &str, message: &[u8], jose: [u8; 64]) -> bool {
    let der = Signature::from_slice(&jose).expect("a signature").to_der();
    client
        .verify()
        .key_id(key_id)
        .message(Blob::new(message))
        .message_type(MessageType::Raw)
        .signature(Blob::new(der.as_bytes()))
        .signing_algorithm(SigningAlgorithmSpec::EcdsaSha256)
        .send()
        .await
        .expect("KMS Verify")
        .signature_valid()
}

#[tokio::test]
async fn kms_signatures_verify_with_kms_and_with_the_public_key() {
    let client = kms().await;
    let key_id = new_key(&client).await;
    let signer = KmsSigner::new(client.clone(), key_id.clone(), Vec::new());
    let public = signer.public_key().await.expect("GetPublicKey");

    let jws = compact_jws(
        &signer,
        &format!("k#key-{}", thumbprint(&public)),
        "vc+jwt",
        &json!({"a": 1}),
    )
    .await
    .expect("signed");
    assert_eq!(verify_compact(&jws, &public).expect("verifies"), json!({"a": 1}));

    // Sign until KMS gives an `r` or `s` whose top byte is zero (about one in 128), the
    // case DER writes short and JOSE pads back to 32 bytes.
    let mut short = None;
    for i in 0..3000 {
        let message = format!("message {i}");
        let jose = signer.sign(message.as_bytes()).await.expect("KMS Sign");
        if jose[0] == 0 || jose[32] == 0 {
            short = Some((message, jose));
            break;
        }
    }
    let (message, jose) = short.expect("a signature with a leading zero in 3000");
    assert!(kms_verifies(&client, &key_id, message.as_bytes(), jose).await);
    let signature = Signature::from_slice(&jose).expect("a signature");
    use p256::ecdsa::signature::Verifier;
    p256::ecdsa::VerifyingKey::from(&public)
        .verify(message.as_bytes(), &signature)
        .expect("the public key verifies it");
    let mut changed = jose;
    changed[63] ^= 1;
    assert!(!kms_verifies(&client, &key_id, message.as_bytes(), changed).await);
}

#[tokio::test]
async fn previous_keys_are_listed_and_a_missing_key_fails_loudly() {
    let client = kms().await;
    let (old, new) = (new_key(&client).await, new_key(&client).await);
    let signer = KmsSigner::new(client.clone(), new.clone(), vec![old.clone()]);
    let previous = signer.previous_keys().await.expect("GetPublicKey");
    assert_eq!(previous.len(), 1);
    assert_ne!(previous[0], signer.public_key().await.expect("GetPublicKey"));

    let missing = KmsSigner::new(client, "alias/none".into(), Vec::new());
    assert!(missing.sign(b"x").await.is_err());
}
