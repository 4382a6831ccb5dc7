//! History entries (SPEC 1.15): each written by the same transaction as the change it
//! records (the writes here are only ever added to such a transaction), and read oldest
//! first. Each entry also waits in the sweep index's `EVENTS` partition, by its time,
//! until it is published as an event (SPEC 1.15): the committed entries are the outbox.

use certify_rules::{Actor, Change, EventSubject, HistoryEntry};
use chrono::{DateTime, Utc};

use crate::items::*;
use crate::table::{Cond, Key, Query, Table, Write, OPEN_PROGRAMS};
use crate::{Page, PageRequest, Result, Store};

/// A new entry, with an id of its own.
pub(crate) fn entry(at: DateTime<Utc>, change: Change, actor: &Actor) -> HistoryEntry {
    HistoryEntry::new(uuid::Uuid::new_v4().simple().to_string(), at, change, actor.clone())
}

/// The entry, keyed, with what its event names (workspace, subject) and its place among
/// the events waiting to be published.
fn put(key: Key, ws: &str, subject: EventSubject, subject_id: &str, entry: &HistoryEntry) -> Result<Write> {
    let mut item = keyed(attributes(entry)?, &key);
    let subject = EventSubject::of_change(&entry.change, subject);
    item.insert(attr::WORKSPACE_ID.into(), ws.into());
    item.insert(attr::EVENT_SUBJECT.into(), subject.as_str().into());
    item.insert(attr::EVENT_SUBJECT_ID.into(), subject_id.into());
    item.insert(OPEN_PROGRAMS.pk.into(), EVENTS.into());
    item.insert(OPEN_PROGRAMS.sk.into(), history_sort_key(entry)?.into());
    Ok(Write::Put {
        item,
        cond: Some(Cond::Absent),
    })
}

/// The write of an entry of a certificate's history.
pub(crate) fn certificate_entry(ws: &str, certificate_id: &str, entry: &HistoryEntry) -> Result<Write> {
    let key = certificate_key(certificate_id)?;
    let sk = format!("{HIST}{}", history_sort_key(entry)?);
    put(
        Key::new(key.pk, sk),
        ws,
        EventSubject::Certificate,
        certificate_id,
        entry,
    )
}

/// The write of an entry of a certification's history.
pub(crate) fn certification_entry(ws: &str, cid: &str, entry: &HistoryEntry) -> Result<Write> {
    let sk = format!("{}{}", certification_history_prefix(cid)?, history_sort_key(entry)?);
    put(
        Key::new(workspace_pk(ws)?, sk),
        ws,
        EventSubject::Certification,
        cid,
        entry,
    )
}

/// The write of what befell a program (it ended, its run completed): kept to be
/// published, shown in no history.
pub(crate) fn program_entry(ws: &str, program_id: &str, entry: &HistoryEntry) -> Result<Write> {
    let sk = format!("{PHIST}{}#{}", id(program_id)?, history_sort_key(entry)?);
    put(
        Key::new(workspace_pk(ws)?, sk),
        ws,
        EventSubject::Program,
        program_id,
        entry,
    )
}

impl<T: Table> Store<T> {
    /// One page of a history: the entries under `prefix` in `pk`, oldest first.
    pub(crate) async fn history(&self, pk: String, prefix: String, page: &PageRequest) -> Result<Page<HistoryEntry>> {
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
