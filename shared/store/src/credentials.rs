//! The Open Badges credentials' storage (SPEC 1.12, 5): the revocation status lists'
//! entries, a certificate's signed credential and a holder's subject id.

use async_trait::async_trait;
use certify_rules::StatusEntry;

use crate::Result;

#[async_trait]
pub trait CredentialStore: Send + Sync {
    /// Takes `count` status-list entries in one request: unique among every caller,
    /// racing or not (one atomic counter, cut into lists of
    /// [`certify_rules::STATUS_LIST_SIZE`]). An entry taken and never used stays unset.
    async fn take_status_entries(&self, count: usize) -> Result<Vec<StatusEntry>>;
    /// How many status lists have begun (the last one holds the newest entry).
    async fn status_lists(&self) -> Result<u64>;
    /// The revoked indexes of a list (those a revocation or replacement set).
    async fn revoked_entries(&self, list: u64) -> Result<Vec<u64>>;
    /// A certificate's signed credential, once kept.
    async fn credential(&self, certificate_id: &str) -> Result<Option<String>>;
    /// Keeps a certificate's signed credential if the kept one is still `replacing`
    /// (`None`: none is kept): answers the one that stands, so every caller serves the
    /// same credential. A regeneration that refreshes the snapshot drops it (it is
    /// signed again on the next request), and a credential signed from an older snapshot
    /// is replaced (the route compares it with the certificate as it is now).
    async fn keep_credential(&self, certificate_id: &str, jwt: &str, replacing: Option<&str>) -> Result<String>;
    /// A holder's opaque subject id in a workspace: `fresh` the first time, the same
    /// one ever after.
    async fn subject_id(&self, ws: &str, user_id: &str, fresh: &str) -> Result<String>;
}
