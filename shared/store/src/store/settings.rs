//! [`SettingsStore`] over the table: one item per workspace.

use async_trait::async_trait;

use super::Store;
use crate::items::{attributes, decode, keyed, settings_key};
use crate::table::{Table, Write};
use crate::{Result, SettingsStore, WorkspaceSettings};

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
