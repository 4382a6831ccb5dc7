//! Workspace settings: [`SettingsStore`] over the table, one item per workspace.

use async_trait::async_trait;
use certify_rules::Locale;
use serde::{Deserialize, Serialize};

use crate::items::{attributes, decode, keyed, settings_key};
use crate::table::{Table, Write};
use crate::{Result, Store};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceSettings {
    pub certifications_enabled: bool,
    /// The workspace's LinkedIn organization (digits), named in "Add to profile" links
    /// instead of the issuer's name (SPEC 1.12).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin_organization_id: Option<String>,
    /// The workspace's language (SPEC 1.17): its certificates', unless a certification
    /// names its own. Stored before locales existed: English.
    #[serde(default)]
    pub locale: Locale,
}

#[async_trait]
pub trait SettingsStore: Send + Sync {
    /// A workspace never configured has the defaults (certifications disabled).
    async fn settings(&self, ws: &str) -> Result<WorkspaceSettings>;
    /// Replaces the settings unconditionally: the last write wins, so it MUST NOT answer
    /// a `Conflict`.
    async fn put_settings(&self, ws: &str, settings: &WorkspaceSettings) -> Result<()>;
}

#[async_trait]
impl<T: Table> SettingsStore for Store<T> {
    async fn settings(&self, ws: &str) -> Result<WorkspaceSettings> {
        match self.table.get(&settings_key(ws)?).await? {
            Some(item) => decode(item),
            None => Ok(WorkspaceSettings::default()),
        }
    }

    async fn put_settings(&self, ws: &str, settings: &WorkspaceSettings) -> Result<()> {
        let key = settings_key(ws)?;
        let item = keyed(attributes(settings)?, &key);
        Ok(self.table.write(Write::Put { item, cond: None }).await?)
    }
}
