//! The local adapter: a P-256 key in a PKCS#8 PEM file of the data folder, mode 0600,
//! made on first use.

use std::io::Write;
use std::path::Path;

use anyhow::{ensure, Context};
use p256::ecdsa::signature::Signer as _;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use p256::{PublicKey, SecretKey};

use crate::Signer;

/// A signing key kept in a file only its owner reads.
pub struct KeyFile {
    key: SigningKey,
}

impl KeyFile {
    /// The key in `path`, made (and written with mode 0600) when the file is missing.
    ///
    /// # Errors
    /// When the file cannot be read or written, is not a P-256 PKCS#8 key, or others than
    /// its owner may read it.
    pub fn open_or_create(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(pem) => {
                check_private(path)?;
                let key = SecretKey::from_pkcs8_pem(&pem)
                    .with_context(|| format!("{} is not a P-256 PKCS#8 key", path.display()))?;
                Ok(Self { key: key.into() })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    fn create(path: &Path) -> anyhow::Result<Self> {
        let key = loop {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
            // Fails only for zero or the group order and above: about 2^-32 of draws.
            if let Ok(key) = SecretKey::from_slice(&bytes) {
                break key;
            }
        };
        let pem = key.to_pkcs8_pem(LineEnding::LF).context("encoding the key")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options
            .open(path)
            .with_context(|| format!("creating {}", path.display()))?;
        file.write_all(pem.as_bytes())
            .and_then(|()| file.sync_all())
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(Self { key: key.into() })
    }
}

#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    ensure!(
        mode & 0o077 == 0,
        "{} may be read by others (mode {:o}): chmod 600 it",
        path.display(),
        mode & 0o777
    );
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[async_trait::async_trait]
impl Signer for KeyFile {
    async fn public_key(&self) -> anyhow::Result<PublicKey> {
        Ok(PublicKey::from(self.key.verifying_key()))
    }

    async fn previous_keys(&self) -> anyhow::Result<Vec<PublicKey>> {
        Ok(Vec::new())
    }

    async fn sign(&self, message: &[u8]) -> anyhow::Result<[u8; 64]> {
        let signature: Signature = self.key.sign(message);
        Ok(signature.to_bytes().into())
    }
}
