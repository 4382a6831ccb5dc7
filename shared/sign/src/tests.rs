use super::*;
use p256::ecdsa::Signature;

fn key_file() -> (tempfile::TempDir, KeyFile) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let key = KeyFile::open_or_create(&dir.path().join("data/signing-key.pem")).expect("a key");
    (dir, key)
}

/// DER of an ECDSA-Sig-Value with these minimal big-endian integers.
fn der(r: &[u8], s: &[u8]) -> Vec<u8> {
    let int = |v: &[u8]| {
        let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
        if v.first().is_some_and(|&b| b & 0x80 != 0) {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, u8::try_from(v.len()).expect("short")];
        out.extend(v);
        out
    };
    let body = [int(r), int(s)].concat();
    let mut out = vec![0x30, u8::try_from(body.len()).expect("short")];
    out.extend(body);
    out
}

#[test]
fn der_with_short_or_padded_integers_becomes_64_bytes() {
    // r with two leading zero bytes (30 bytes in DER), s with its high bit set (33 bytes
    // in DER, a zero before it).
    let mut r = [0x11u8; 32];
    r[0] = 0;
    r[1] = 0;
    let s = [0x80u8; 32];
    let encoded = der(&r, &s);
    assert_eq!(encoded[3], 30, "r is written in 30 bytes");
    assert_eq!(encoded[3 + 30 + 2], 33, "s is written in 33 bytes");
    let jose = jose_from_der(&encoded).expect("a signature");
    assert_eq!(&jose[..32], &r);
    assert_eq!(&jose[32..], &s);
    assert!(jose_from_der(&encoded[..encoded.len() - 1]).is_err());
}

#[tokio::test]
async fn a_key_file_signs_what_its_public_key_verifies() {
    let (_dir, key) = key_file();
    let public = key.public_key().await.expect("a key");
    let kid = format!("did:web:example#key-{}", thumbprint(&public));
    let jws = compact_jws(&key, &kid, "vc+jwt", &json!({"name": "Ada"}))
        .await
        .expect("signed");
    let header: Value =
        serde_json::from_slice(&B64.decode(jws.split('.').next().expect("header")).expect("b64")).expect("json");
    assert_eq!(header, json!({"alg": "ES256", "typ": "vc+jwt", "kid": kid}));
    assert_eq!(verify_compact(&jws, &public).expect("verifies"), json!({"name": "Ada"}));

    // One changed byte of the payload, or another key, and it does not verify.
    let forged = jws.replacen(&B64.encode(r#"{"name":"Ada"}"#), &B64.encode(r#"{"name":"Eve"}"#), 1);
    assert_ne!(forged, jws);
    assert!(verify_compact(&forged, &public).is_err());
    let (_other_dir, other) = key_file();
    assert!(verify_compact(&jws, &other.public_key().await.expect("a key")).is_err());
    assert!(verify_compact("a.b", &public).is_err());
}

#[tokio::test]
async fn high_s_signatures_verify_as_kms_may_give_them() {
    let (_dir, key) = key_file();
    let public = key.public_key().await.expect("a key");
    let jws = compact_jws(&key, "k", "vc+jwt", &json!({})).await.expect("signed");
    let (input, signature) = jws.rsplit_once('.').expect("three parts");
    let signature = Signature::from_slice(&B64.decode(signature).expect("b64")).expect("a signature");
    let (r, s) = signature.split_scalars();
    let flipped = Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).expect("a signature");
    assert_ne!(flipped, signature);
    let other = format!("{input}.{}", B64.encode(flipped.to_bytes()));
    assert!(verify_compact(&other, &public).is_ok(), "both S verify");
}

#[tokio::test]
async fn a_key_file_is_kept_private_and_reused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("signing-key.pem");
    let first = KeyFile::open_or_create(&path).expect("made");
    let mode = std::fs::metadata(&path).expect("the file").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = KeyFile::open_or_create(&path).expect("read");
    assert_eq!(
        first.public_key().await.expect("a key"),
        again.public_key().await.expect("a key")
    );

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let refused = KeyFile::open_or_create(&path).err().expect("refused").to_string();
    assert!(refused.contains("chmod 600"), "{refused}");

    std::fs::write(dir.path().join("bad.pem"), "not a key").expect("written");
    std::fs::set_permissions(dir.path().join("bad.pem"), std::fs::Permissions::from_mode(0o600)).expect("chmod");
    assert!(KeyFile::open_or_create(&dir.path().join("bad.pem")).is_err());
}

#[tokio::test]
async fn the_jwk_and_its_thumbprint_name_the_key() {
    let (_a, a) = key_file();
    let (_b, b) = key_file();
    let (a, b) = (a.public_key().await.expect("a"), b.public_key().await.expect("b"));
    let jwk = jwk(&a);
    assert_eq!(jwk["kty"], "EC");
    assert_eq!(jwk["crv"], "P-256");
    assert_eq!(PublicKey::from_jwk_str(&jwk.to_string()).expect("parses"), a);
    assert_eq!(B64.decode(jwk["x"].as_str().expect("x")).expect("b64").len(), 32);
    assert_eq!(thumbprint(&a), thumbprint(&a));
    assert_ne!(thumbprint(&a), thumbprint(&b));
    assert_eq!(thumbprint(&a).len(), 43, "a base64url SHA-256");
}
