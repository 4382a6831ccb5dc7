use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{anyhow, Context};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::{check_key, check_lifetime, BlobError, BlobStore};

/// Where the link-signing secret lives, inside the root. Keys cannot name it: no key
/// segment may start with `.`.
const SECRET_FILE: &str = ".blob-secret";

/// Hex characters of the HMAC-SHA256 kept in a link: 128 bits, plenty against guessing.
const SIG_HEX_LEN: usize = 32;

/// [`BlobStore`] on a local folder, for the local server.
///
/// A key is a file path under `root`. Writes go to a temporary file in the same folder
/// and are renamed into place, so a reader never sees half a file. The content type is
/// not kept: the local server derives it from the key's extension.
///
/// Links are `{public_url}/files/{key}?expires={unix seconds}&sig={hex}`, where `sig`
/// is an HMAC-SHA256 of the key and expiry under a random secret created in
/// `root/.blob-secret` on first use; the local server checks them with
/// [`FsBlobs::verify`] before serving [`BlobStore::get`].
#[derive(Debug)]
pub struct FsBlobs {
    root: PathBuf,
    public_url: String,
    secret: OnceLock<[u8; 32]>,
}

impl FsBlobs {
    /// `public_url` is the local server's base, e.g. `http://127.0.0.1:3000`.
    pub fn new(root: impl Into<PathBuf>, public_url: impl Into<String>) -> Self {
        let public_url = public_url.into().trim_end_matches('/').to_owned();
        Self {
            root: root.into(),
            public_url,
            secret: OnceLock::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether a link's `key` (percent-decoded), `expires` and `sig` were made by
    /// [`BlobStore::presigned_get`] on this root and are still good at `now`.
    /// A failure to read the secret refuses the link.
    pub fn verify(&self, key: &str, expires: i64, sig: &str, now: DateTime<Utc>) -> bool {
        if now.timestamp() >= expires || check_key(key).is_err() {
            return false;
        }
        let (Some(tag), Ok(mac)) = (decode_hex(sig), self.mac(key, expires)) else {
            return false;
        };
        tag.len() * 2 == SIG_HEX_LEN && mac.verify_truncated_left(&tag).is_ok()
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        check_key(key)?;
        Ok(self.root.join(key))
    }

    fn mac(&self, key: &str, expires: i64) -> anyhow::Result<Hmac<Sha256>> {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret()?).context("HMAC key")?;
        // Keys hold no control character, so the newline keeps the two fields apart.
        mac.update(format!("{expires}\n{key}").as_bytes());
        Ok(mac)
    }

    /// Read once per store and kept: a few bytes of blocking I/O on first use only.
    fn secret(&self) -> anyhow::Result<&[u8; 32]> {
        if let Some(secret) = self.secret.get() {
            return Ok(secret);
        }
        let loaded = load_or_create_secret(&self.root.join(SECRET_FILE))?;
        Ok(self.secret.get_or_init(|| loaded))
    }
}

#[async_trait]
impl BlobStore for FsBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        blocking(move || write_atomically(&path, &bytes)).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError> {
        let path = self.path(key)?;
        let read = blocking(move || match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if is_absent(&e) => Ok(None),
            Err(e) => Err(anyhow::Error::new(e).context(format!("reading {}", path.display()))),
        });
        Ok(read.await?)
    }

    async fn exists(&self, key: &str) -> Result<bool, BlobError> {
        let path = self.path(key)?;
        let found = blocking(move || match std::fs::metadata(&path) {
            Ok(meta) => Ok(meta.is_file()),
            Err(e) if is_absent(&e) => Ok(false),
            Err(e) => Err(anyhow::Error::new(e).context(format!("inspecting {}", path.display()))),
        });
        Ok(found.await?)
    }

    async fn presigned_get(&self, key: &str, expires_in: Duration) -> Result<String, BlobError> {
        check_key(key)?;
        check_lifetime(expires_in)?;
        // Rounded up, so a link never lives shorter than asked.
        let lifetime = expires_in.as_secs() + u64::from(expires_in.subsec_nanos() > 0);
        let expires = Utc::now().timestamp() + i64::try_from(lifetime).context("link lifetime")?;
        let tag = self.mac(key, expires)?.finalize().into_bytes();
        let sig = &encode_hex(&tag)[..SIG_HEX_LEN];
        Ok(format!(
            "{}/files/{}?expires={expires}&sig={sig}",
            self.public_url,
            encode_path(key)
        ))
    }
}

/// Runs blocking file I/O off the async workers.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> anyhow::Result<T> + Send + 'static) -> anyhow::Result<T> {
    tokio::task::spawn_blocking(work).await.context("file I/O task")?
}

/// A key that leads through a file, or to a folder, holds no blob, as on S3.
fn is_absent(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory
    )
}

/// Writes `bytes` to `path` (making its folder) so that a reader, or a crash, sees the
/// old file or the new one, whole: never part of it. The local blobs and the local
/// outbox both write this way.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("{} has no parent folder", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    // A dot-named temporary file beside the target (removed if anything fails), synced
    // before the rename makes it visible: a reader or a crash sees old or new, whole.
    let write = || -> std::io::Result<()> {
        let mut file = tempfile::Builder::new().prefix(".").suffix(".tmp").tempfile_in(dir)?;
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(path)?;
        Ok(())
    };
    write().with_context(|| format!("writing {}", path.display()))
}

/// A 32-byte secret kept as hex in a private (0600) file at `path`, created on first
/// use: the link-signing secret here, and the local server's token key. Racing first
/// uses agree: the file appears whole under its name once (`persist_noclobber`), and a
/// loser reads the winner's secret.
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<[u8; 32]> {
    match read_secret(path) {
        Ok(secret) => return Ok(secret),
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == ErrorKind::NotFound) => {}
        Err(e) => return Err(e),
    }
    let dir = path
        .parent()
        .ok_or_else(|| anyhow!("{} has no parent folder", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| anyhow!("the OS random source failed: {e}"))?;
    // Private (0600) temporary file; persisting without clobbering fails when the name
    // exists: if another process created the secret first, everyone uses that one.
    let create = || -> std::io::Result<tempfile::NamedTempFile> {
        let mut file = tempfile::Builder::new().prefix(".").suffix(".tmp").tempfile_in(dir)?;
        file.write_all(encode_hex(&fresh).as_bytes())?;
        file.as_file().sync_all()?;
        Ok(file)
    };
    let file = create().with_context(|| format!("writing a new {}", path.display()))?;
    match file.persist_noclobber(path) {
        Ok(_) => Ok(fresh),
        Err(e) if e.error.kind() == ErrorKind::AlreadyExists => read_secret(path),
        Err(e) => Err(anyhow::Error::new(e.error).context(format!("creating {}", path.display()))),
    }
}

fn read_secret(path: &Path) -> anyhow::Result<[u8; 32]> {
    let text = std::fs::read_to_string(path)?;
    decode_hex(text.trim())
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| anyhow!("{} does not hold 64 hex digits", path.display()))
}

fn encode_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Percent-encodes everything but RFC 3986's unreserved characters, keeping the `/`s.
fn encode_path(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for byte in key.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_created_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SECRET_FILE);
        let first = load_or_create_secret(&path).unwrap();
        assert_eq!(load_or_create_secret(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn hex_round_trips_and_refuses_junk() {
        let bytes = [0u8, 1, 0x7f, 0x80, 0xff];
        assert_eq!(decode_hex(&encode_hex(&bytes)), Some(bytes.to_vec()));
        for junk in ["a", "zz", "0g", "é0"] {
            assert_eq!(decode_hex(junk), None, "{junk}");
        }
    }

    #[test]
    fn paths_keep_slashes_and_encode_the_rest() {
        assert_eq!(encode_path("certificates/ws-1/a_b.pdf"), "certificates/ws-1/a_b.pdf");
        assert_eq!(encode_path("a b/Σ?.pdf"), "a%20b/%CE%A3%3F.pdf");
    }
}
