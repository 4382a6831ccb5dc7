//! History entries (SPEC 1.15): each written by the same transaction as the change it
//! records (the writes here are only ever added to such a transaction), and read oldest
//! first.

use certify_rules::{Actor, Change, HistoryEntry};
use chrono::{DateTime, Utc};

use super::Store;
use crate::items::*;
use crate::table::{Cond, Key, Query, Table, Write};
use crate::{Page, PageRequest, Result};

/// A new entry, with an id of its own.
pub(super) fn entry(at: DateTime<Utc>, change: Change, actor: &Actor) -> HistoryEntry {
    HistoryEntry::new(uuid::Uuid::new_v4().simple().to_string(), at, change, actor.clone())
}

fn put(key: Key, entry: &HistoryEntry) -> Result<Write> {
    Ok(Write::Put {
        item: keyed(attributes(entry)?, &key),
        cond: Some(Cond::Absent),
    })
}

/// The write of an entry of a certificate's history.
pub(super) fn certificate_entry(certificate_id: &str, entry: &HistoryEntry) -> Result<Write> {
    let key = certificate_key(certificate_id)?;
    let sk = format!("{HIST}{}", history_sort_key(entry)?);
    put(Key::new(key.pk, sk), entry)
}

/// The write of an entry of a certification's history.
pub(super) fn certification_entry(ws: &str, cid: &str, entry: &HistoryEntry) -> Result<Write> {
    let sk = format!("{}{}", certification_history_prefix(cid)?, history_sort_key(entry)?);
    put(Key::new(workspace_pk(ws)?, sk), entry)
}

impl<T: Table> Store<T> {
    /// One page of a history: the entries under `prefix` in `pk`, oldest first.
    pub(super) async fn history(&self, pk: String, prefix: String, page: &PageRequest) -> Result<Page<HistoryEntry>> {
        let query = Query {
            pk,
            sk_prefix: Some(prefix),
            ..Default::default()
        };
        let page = self.list(query, page, |_| true).await?;
        Ok(Page {
            items: page.items.into_iter().map(decode).collect::<Result<_>>()?,
            next_cursor: page.next_cursor,
        })
    }
}
