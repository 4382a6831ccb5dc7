//! The regeneration port (SPEC 1.13), beside the others in the crate's root.

use async_trait::async_trait;
use certify_rules::{Certificate, Regeneration};
use chrono::{DateTime, Utc};

use crate::{Lease, Result};

/// What a regeneration is to do with one certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegenerationClaim {
    /// Draw its files from this record (as claimed: with the regeneration's snapshot
    /// when it refreshes one), store them, then [`RegenerationStore::finish_regeneration`].
    Draw(Box<Certificate>),
    /// This regeneration drew it already.
    Done,
    /// Revoked (and its files match its record): left as it is.
    Revoked,
}

/// Regenerations (SPEC 1.13): a record per request, at most one running per
/// certification, in the sweep's index while running; and on each certificate the mark
/// of the regeneration that last claimed it, with whether its files are still to draw.
#[async_trait]
pub trait RegenerationStore: Send + Sync {
    /// Stores a new running regeneration and queues it for the sweep. MUST answer
    /// `Conflict(RegenerationRunning(id))` while another of the same certification runs.
    async fn start_regeneration(&self, ws: &str, regeneration: &Regeneration) -> Result<()>;
    async fn regeneration(&self, ws: &str, certification_id: &str, id: &str) -> Result<Option<Regeneration>>;
    /// Running regenerations due to be worked by `until` (a failing one from its next
    /// try), oldest first, across workspaces.
    async fn due_regenerations(&self, until: DateTime<Utc>, limit: usize) -> Result<Vec<(String, Regeneration)>>;
    /// Takes its lease unless another holds it (`Ok(None)` then, or when it is gone).
    async fn take_regeneration(
        &self,
        ws: &str,
        certification_id: &str,
        id: &str,
        lease: &Lease,
        now: DateTime<Utc>,
    ) -> Result<Option<Regeneration>>;
    /// Checkpoints it under `lease` (`Conflict(StaleVersion)` when the lease moved on);
    /// a completed one leaves the sweep's index and lets the certification run another.
    async fn save_regeneration(&self, ws: &str, regeneration: &Regeneration, lease: &Lease) -> Result<()>;
    /// The certification's certificates that are not revoked, counted page by page
    /// through the registry's index.
    async fn count_regenerable(&self, ws: &str, certification_id: &str) -> Result<u64>;
    /// Claims a certificate for `regeneration`: a certificate it claimed before and
    /// whose files are still to draw is drawn again as it was claimed; a non-revoked one
    /// takes the new snapshot (when refreshed) and records `regenerated` by the
    /// regeneration's requester, in the same transaction as the mark; a revoked one
    /// whose files were left to draw by an earlier regeneration is drawn as it is.
    /// MUST answer `NotFound` for a missing one.
    async fn claim_regeneration(
        &self,
        certificate_id: &str,
        regeneration: &Regeneration,
        at: DateTime<Utc>,
    ) -> Result<RegenerationClaim>;
    /// Its files are drawn and stored: clears the mark's "to draw" (unless another
    /// regeneration claimed it since).
    async fn finish_regeneration(&self, certificate_id: &str, regeneration_id: &str) -> Result<()>;
}
