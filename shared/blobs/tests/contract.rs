//! The `BlobStore` contract, written once and run against every adapter: `FsBlobs` on a
//! temporary folder (its links served the way the local server serves them) and
//! `S3Blobs` on moto's server with a fresh bucket per test.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a panic names what broke

use std::any::Any;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use certify_blobs::{BlobError, BlobStore, FsBlobs, S3Blobs, MAX_LINK_LIFETIME};
use certify_testkit::{moto, sdk_config, unique};

struct Backend {
    store: Arc<dyn BlobStore>,
    _keep: Box<dyn Any>,
}

async fn fs_backend() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let store = Arc::new(FsBlobs::new(
        dir.path(),
        format!("http://{}/", listener.local_addr().unwrap()),
    ));
    let served = store.clone();
    std::thread::spawn(move || serve_links(listener, served));
    Backend {
        store,
        _keep: Box::new(dir),
    }
}

async fn s3_backend() -> Backend {
    let config = sdk_config(&moto().endpoint()).await;
    let client = S3Blobs::client_from(&config, true);
    let bucket = unique("certify-blobs");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    Backend {
        store: Arc::new(S3Blobs::new(client, bucket)),
        _keep: Box::new(()),
    }
}

/// What the local server does with a link: check it with `verify`, then answer `get`.
fn serve_links(listener: TcpListener, store: Arc<FsBlobs>) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    for stream in listener.incoming() {
        let mut stream = stream.unwrap();
        let (status, body) = answer(&mut stream, &store, &runtime);
        let head = format!(
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
    }
}

fn answer(stream: &mut TcpStream, store: &FsBlobs, runtime: &tokio::runtime::Runtime) -> (&'static str, Vec<u8>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).unwrap();
        if header.trim().is_empty() {
            break;
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or_default();
    let Some((path, query)) = target.strip_prefix("/files/").and_then(|t| t.split_once('?')) else {
        return ("404 Not Found", Vec::new());
    };
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
    };
    let key = percent_decode(path);
    let expires = param("expires").and_then(|v| v.parse().ok()).unwrap_or(0);
    if !store.verify(&key, expires, param("sig").unwrap_or_default(), chrono::Utc::now()) {
        return ("403 Forbidden", Vec::new());
    }
    match runtime.block_on(store.get(&key)).unwrap() {
        Some(bytes) => ("200 OK", bytes),
        None => ("404 Not Found", Vec::new()),
    }
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&path[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// A plain, anonymous HTTP GET: what a browser does with a download link.
async fn http_get(url: String) -> (u16, Vec<u8>) {
    tokio::task::spawn_blocking(move || {
        let agent = ureq::Agent::config_builder()
            .proxy(None)
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        let mut response = agent.get(&url).call().unwrap();
        (response.status().as_u16(), response.body_mut().read_to_vec().unwrap())
    })
    .await
    .unwrap()
}

/// Every byte value, so no adapter can get away with text handling.
fn pdf_like() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes
}

mod cases {
    use super::*;

    pub async fn put_then_get_round_trips(store: &dyn BlobStore) {
        let bytes = pdf_like();
        store
            .put("certificates/ws-1/c-1.pdf", bytes.clone(), "application/pdf")
            .await
            .unwrap();
        assert_eq!(store.get("certificates/ws-1/c-1.pdf").await.unwrap(), Some(bytes));

        store
            .put("certificates/ws-1/empty.png", Vec::new(), "image/png")
            .await
            .unwrap();
        assert_eq!(
            store.get("certificates/ws-1/empty.png").await.unwrap(),
            Some(Vec::new())
        );
    }

    pub async fn put_overwrites(store: &dyn BlobStore) {
        store
            .put(
                "certificates/ws/c.pdf",
                b"first version, longer".to_vec(),
                "application/pdf",
            )
            .await
            .unwrap();
        store
            .put("certificates/ws/c.pdf", b"second".to_vec(), "application/pdf")
            .await
            .unwrap();
        assert_eq!(
            store.get("certificates/ws/c.pdf").await.unwrap(),
            Some(b"second".to_vec())
        );
    }

    pub async fn missing_is_none(store: &dyn BlobStore) {
        assert_eq!(store.get("certificates/ws/nothing.pdf").await.unwrap(), None);
        store
            .put("certificates/ws/c.pdf", b"x".to_vec(), "application/pdf")
            .await
            .unwrap();
        // A folder, and a path through a file, hold no blob either.
        assert_eq!(store.get("certificates/ws").await.unwrap(), None);
        assert_eq!(store.get("certificates/ws/c.pdf/deeper").await.unwrap(), None);
    }

    pub async fn exists_agrees_with_get(store: &dyn BlobStore) {
        assert!(!store.exists("certificates/ws/c.pdf").await.unwrap());
        store
            .put("certificates/ws/c.pdf", b"x".to_vec(), "application/pdf")
            .await
            .unwrap();
        assert!(store.exists("certificates/ws/c.pdf").await.unwrap());
        assert!(!store.exists("certificates/ws").await.unwrap());
        assert!(!store.exists("certificates/ws/c.png").await.unwrap());
    }

    pub async fn presigned_link_serves_exact_bytes(store: &dyn BlobStore) {
        let bytes = pdf_like();
        store
            .put("certificates/ws/c 1+Σ.pdf", bytes.clone(), "application/pdf")
            .await
            .unwrap();
        let url = store
            .presigned_get("certificates/ws/c 1+Σ.pdf", Duration::from_secs(300))
            .await
            .unwrap();
        let (status, body) = http_get(url).await;
        assert_eq!(status, 200);
        assert!(
            body == bytes,
            "the link served {} bytes, not the {} stored",
            body.len(),
            bytes.len()
        );
    }

    pub async fn malformed_keys_and_lifetimes_are_refused(store: &dyn BlobStore) {
        for key in [
            "",
            "/etc/passwd",
            "../escape.pdf",
            "a/../../b",
            "a\\b.pdf",
            "a//b",
            ".blob-secret",
        ] {
            let invalid = |r: Result<(), BlobError>| matches!(r, Err(BlobError::InvalidKey { .. }));
            assert!(
                invalid(store.put(key, b"x".to_vec(), "text/plain").await),
                "put {key:?}"
            );
            assert!(invalid(store.get(key).await.map(drop)), "get {key:?}");
            assert!(invalid(store.exists(key).await.map(drop)), "exists {key:?}");
            assert!(
                invalid(store.presigned_get(key, Duration::from_secs(60)).await.map(drop)),
                "link {key:?}"
            );
        }
        for lifetime in [Duration::ZERO, MAX_LINK_LIFETIME + Duration::from_secs(1)] {
            let link = store.presigned_get("certificates/ws/c.pdf", lifetime).await;
            assert!(matches!(link, Err(BlobError::InvalidLifetime(_))), "{lifetime:?}");
        }
    }
}

macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod fs {
            $(
                #[tokio::test]
                async fn $case() {
                    let backend = super::fs_backend().await;
                    super::cases::$case(&*backend.store).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test]
                async fn $case() {
                    let backend = super::s3_backend().await;
                    super::cases::$case(&*backend.store).await;
                }
            )*
        }
    };
}

contract!(
    put_then_get_round_trips,
    put_overwrites,
    missing_is_none,
    exists_agrees_with_get,
    presigned_link_serves_exact_bytes,
    malformed_keys_and_lifetimes_are_refused,
);

// FsBlobs' own links: moto does not enforce a presigned URL's expiry, so only the local
// store's refusals can be proven here.
mod fs_links {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn link_parts(url: &str) -> (String, i64, String) {
        let (path, query) = url.split_once("/files/").unwrap().1.split_once('?').unwrap();
        let mut expires = 0;
        let mut sig = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("expires", v) => expires = v.parse().unwrap(),
                ("sig", v) => sig = v.to_owned(),
                _ => {}
            }
        }
        (percent_decode(path), expires, sig)
    }

    #[tokio::test]
    async fn verify_accepts_its_own_link_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobs::new(dir.path(), "http://127.0.0.1:3000");
        let before = Utc::now();
        let url = store
            .presigned_get("certificates/ws/c.pdf", Duration::from_secs(300))
            .await
            .unwrap();
        assert!(
            url.starts_with("http://127.0.0.1:3000/files/certificates/ws/c.pdf?expires="),
            "{url}"
        );
        let (key, expires, sig) = link_parts(&url);
        assert!(expires >= before.timestamp() + 300);

        assert!(store.verify(&key, expires, &sig, Utc::now()));
        let at = |t: i64| Utc.timestamp_opt(t, 0).unwrap();
        assert!(store.verify(&key, expires, &sig, at(expires - 1)));
        assert!(!store.verify(&key, expires, &sig, at(expires)), "expired");
    }

    #[tokio::test]
    async fn verify_refuses_tampered_links() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobs::new(dir.path(), "http://127.0.0.1:3000");
        let url = store
            .presigned_get("certificates/ws/c.pdf", Duration::from_secs(300))
            .await
            .unwrap();
        let (key, expires, sig) = link_parts(&url);
        let now = Utc::now();

        assert!(
            !store.verify("certificates/ws/other.pdf", expires, &sig, now),
            "other key"
        );
        assert!(!store.verify(&key, expires + 3600, &sig, now), "later expiry");
        let flipped = format!("{}{}", if sig.starts_with('0') { "1" } else { "0" }, &sig[1..]);
        assert!(!store.verify(&key, expires, &flipped, now), "other signature");
        assert!(!store.verify(&key, expires, &sig[..31], now), "short signature");
        assert!(!store.verify(&key, expires, &format!("{sig}00"), now), "long signature");
        assert!(!store.verify(&key, expires, "", now), "no signature");

        // Another root has another secret.
        let elsewhere = tempfile::tempdir().unwrap();
        assert!(!FsBlobs::new(elsewhere.path(), "http://127.0.0.1:3000").verify(&key, expires, &sig, now));
    }

    #[tokio::test]
    async fn the_secret_survives_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let url = FsBlobs::new(dir.path(), "http://x")
            .presigned_get("a/b.pdf", Duration::from_secs(60))
            .await
            .unwrap();
        let (key, expires, sig) = link_parts(&url);
        assert!(FsBlobs::new(dir.path(), "http://x").verify(&key, expires, &sig, Utc::now()));
    }

    #[tokio::test]
    async fn an_expired_link_is_refused_over_http() {
        let backend = fs_backend().await;
        backend
            .store
            .put("certificates/ws/c.pdf", b"x".to_vec(), "application/pdf")
            .await
            .unwrap();
        let url = backend
            .store
            .presigned_get("certificates/ws/c.pdf", Duration::from_secs(1))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(http_get(url).await.0, 403);
    }

    #[tokio::test]
    async fn writes_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsBlobs::new(dir.path(), "http://x");
        store
            .put("certificates/ws/c.pdf", b"one".to_vec(), "application/pdf")
            .await
            .unwrap();
        store
            .put("certificates/ws/c.pdf", b"two".to_vec(), "application/pdf")
            .await
            .unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path().join("certificates/ws"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["c.pdf"]);
    }
}
