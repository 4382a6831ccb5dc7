//! What a storage call answers when it does not succeed.

use crate::table::TableError;

/// Why a conditional write was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The id is taken.
    AlreadyExists,
    /// The stored version is not the one the change was made against.
    StaleVersion,
    /// The program is `ending` or `ended`: its roster and links are frozen.
    ProgramEnded,
    /// The certification to link is missing or archived.
    CertificationUnavailable,
    /// A program that has not ended links the certification.
    CertificationInUse,
    /// These users are enrolled already.
    AlreadyEnrolled(Vec<String>),
    /// The certificate is revoked already.
    AlreadyRevoked,
    /// A regeneration of the certification is still running (its id).
    RegenerationRunning(String),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The item, or the program, enrollment or component it belongs to, does not exist
    /// in this workspace.
    #[error("not found")]
    NotFound,
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A list cursor this store did not give out.
    #[error("not a cursor this list gave out")]
    BadCursor,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<TableError> for StoreError {
    fn from(e: TableError) -> Self {
        match e {
            TableError::Unexpected(e) => StoreError::Unexpected(e),
            other => StoreError::Unexpected(anyhow::Error::new(other).context("an unclassified conflict")),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
