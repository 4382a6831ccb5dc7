//! Certify's blob port: where certificate files (PDF, PNG preview) live, and the
//! short-lived links that hand them out (SPEC 1.8 step 3, 1.10).
//!
//! [`BlobStore`] is the contract, with two adapters beside it: [`S3Blobs`] (the bucket,
//! on AWS) and [`FsBlobs`] (a local folder whose links the local server serves). One
//! test suite (`tests/contract.rs`) runs against both, S3 on moto's server.
//!
//! Keys are relative, `/`-separated paths such as `certificates/{workspace}/{id}.pdf`;
//! every adapter refuses the same malformed keys with [`BlobError::InvalidKey`], so a
//! key that works locally works on S3 and the other way round.

use std::time::Duration;

use async_trait::async_trait;

mod fs;
#[cfg(feature = "aws")]
mod s3;

pub use fs::{load_or_create_secret, write_atomically, FsBlobs};
#[cfg(feature = "aws")]
pub use s3::S3Blobs;

/// The longest link S3 can sign (SigV4's limit); every adapter holds to it.
pub const MAX_LINK_LIFETIME: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// S3's limit on a key's length, in bytes.
const MAX_KEY_BYTES: usize = 1024;

/// The kinds of file Certify stores: what a key ends with and what a link serves it as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// The certificate itself.
    Pdf,
    /// The certificate's preview image.
    Png,
    /// An export (a pipeline or registry as CSV), kept a day (SPEC 1.16).
    Csv,
}

impl FileKind {
    pub const ALL: [FileKind; 3] = [FileKind::Pdf, FileKind::Png, FileKind::Csv];
    /// The files every certificate has.
    pub const CERTIFICATE: [FileKind; 2] = [FileKind::Pdf, FileKind::Png];

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Png => "png",
            FileKind::Csv => "csv",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Png => "image/png",
            FileKind::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The kind a key names, by its extension; `None` for any other file.
    pub fn of_key(key: &str) -> Option<FileKind> {
        let (_, extension) = key.rsplit_once('.')?;
        FileKind::ALL.into_iter().find(|kind| kind.extension() == extension)
    }
}

/// Where a certificate's files live: `certificates/{workspace}/{id}.pdf` and `.png`
/// (SPEC 1.8.3).
pub fn certificate_key(ws: &str, certificate_id: &str, kind: FileKind) -> String {
    format!("certificates/{ws}/{certificate_id}.{}", kind.extension())
}

/// Where an export lives for its day: `exports/{workspace}/{export id}/{name}.csv`, under
/// a fresh id so that no two exports share a key (the bucket's lifecycle rule deletes
/// `exports/` after a day).
pub fn export_key(ws: &str, export_id: &str, name: &str) -> String {
    format!("exports/{ws}/{export_id}/{name}.{}", FileKind::Csv.extension())
}

/// Stores certificate files by key.
///
/// Every method MUST refuse a malformed key (empty, longer than 1024 bytes, starting
/// with `/`, with a backslash or a control character, an empty segment, or a segment
/// starting with `.`, which covers `.` and `..`) with [`BlobError::InvalidKey`], before
/// touching storage. Any other failure of the storage is [`BlobError::Unexpected`]; the
/// caller may retry it.
#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Stores `bytes` under `key`. `content_type` is what a link serves them as where
    /// the storage keeps one (S3); the local folder derives it from the key's extension.
    ///
    /// It MUST replace whatever `key` held, and MUST NOT expose a partly written blob:
    /// a reader sees the old bytes or the new ones, nothing in between.
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;

    /// The bytes under `key`. A key that holds nothing MUST be `Ok(None)`, not an error.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, BlobError>;

    /// Whether `key` holds a blob. MUST agree with [`BlobStore::get`].
    async fn exists(&self, key: &str) -> Result<bool, BlobError>;

    /// A URL that a plain HTTP GET, with no credentials, MUST answer with exactly the
    /// bytes under `key` until `expires_in` has passed, and MUST refuse afterwards.
    ///
    /// `expires_in` MUST be between 1 s and [`MAX_LINK_LIFETIME`], otherwise
    /// [`BlobError::InvalidLifetime`]. The key need not exist yet: a link is a
    /// signature, not a lookup.
    async fn presigned_get(&self, key: &str, expires_in: Duration) -> Result<String, BlobError>;
}

/// Why a [`BlobStore`] call failed.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The key breaks the rules on [`BlobStore`]; a programming error, never retried.
    #[error("invalid blob key {key:?}: {reason}")]
    InvalidKey { key: String, reason: &'static str },
    /// A link lifetime outside 1 s ..= [`MAX_LINK_LIFETIME`].
    #[error("link lifetime of {0:?} is outside 1 s ..= 7 days")]
    InvalidLifetime(Duration),
    /// The storage failed; the source chain says how (log it, never show it).
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

fn check_key(key: &str) -> Result<(), BlobError> {
    let reason = if key.is_empty() {
        Some("empty")
    } else if key.len() > MAX_KEY_BYTES {
        Some("longer than 1024 bytes")
    } else if key.starts_with('/') {
        Some("absolute")
    } else if key.contains('\\') {
        Some("backslash")
    } else if key.chars().any(char::is_control) {
        Some("control character")
    } else if key.split('/').any(str::is_empty) {
        Some("empty segment")
    } else if key.split('/').any(|segment| segment.starts_with('.')) {
        // `.`/`..` would escape a folder; other dot names are the local store's own files.
        Some("segment starting with '.'")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(BlobError::InvalidKey {
            key: key.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_lifetime(expires_in: Duration) -> Result<(), BlobError> {
    if expires_in < Duration::from_secs(1) || expires_in > MAX_LINK_LIFETIME {
        return Err(BlobError::InvalidLifetime(expires_in));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_keys_pass() {
        for key in ["certificates/ws-1/abc.pdf", "a", "a/b.c/d-e_f.png", "ünïcode/Σ.pdf"] {
            assert!(check_key(key).is_ok(), "{key}");
        }
    }

    #[test]
    fn malformed_keys_are_refused_with_a_reason() {
        let long = "a".repeat(1025);
        for key in [
            "",
            "/abs/x.pdf",
            "a\\b",
            "a/../b",
            "..",
            "./a",
            "a//b",
            "a/",
            "a/.blob-secret",
            "a\nb",
            &long,
        ] {
            assert!(matches!(check_key(key), Err(BlobError::InvalidKey { .. })), "{key:?}");
        }
    }

    #[test]
    fn a_certificate_key_names_its_kind_of_file() {
        for kind in FileKind::CERTIFICATE {
            let key = certificate_key("ws-1", "c-1", kind);
            assert_eq!(key, format!("certificates/ws-1/c-1.{}", kind.extension()));
            assert_eq!(FileKind::of_key(&key), Some(kind));
        }
        assert_eq!(FileKind::Pdf.content_type(), "application/pdf");
        assert_eq!(FileKind::Png.content_type(), "image/png");
        let export = export_key("ws-1", "e-1", "pipeline-c1");
        assert_eq!(export, "exports/ws-1/e-1/pipeline-c1.csv");
        assert_eq!(FileKind::of_key(&export), Some(FileKind::Csv));
        assert_eq!(FileKind::Csv.content_type(), "text/csv; charset=utf-8");
        assert_eq!(FileKind::of_key("certificates/ws/c.txt"), None);
        assert_eq!(FileKind::of_key("pdf"), None);
    }

    #[test]
    fn lifetimes_are_bounded_like_s3() {
        assert!(check_lifetime(Duration::from_secs(300)).is_ok());
        assert!(check_lifetime(MAX_LINK_LIFETIME).is_ok());
        assert!(check_lifetime(Duration::ZERO).is_err());
        assert!(check_lifetime(MAX_LINK_LIFETIME + Duration::from_secs(1)).is_err());
    }
}
