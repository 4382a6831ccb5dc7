//! The table's layout: keys of each kind of item and their mapping through serde.
//!
//! | item | pk | sk | indexes |
//! | --- | --- | --- | --- |
//! | workspace settings | `WS#{ws}` | `SETTINGS` | |
//! | certification | `WS#{ws}` | `CERT#{id}` | |
//! | program | `WS#{ws}#PROG#{id}` | `#PROGRAM` | by_workspace; by_certification while linked; open_programs until ended |
//! | component | `WS#{ws}#PROG#{id}` | `COMP#{cid}` | |
//! | enrollment (progress, extensions, outcome, marks) | `WS#{ws}#PROG#{id}` | `ENR#{uid}` | |
//! | run record | `WS#{ws}#PROG#{id}` | `RUN` | |
//! | certificate | `CERTIFICATE#{id}` | `CERTIFICATE` | by_user; registry_issued, registry_expiry |
//! | active certificate of (user, certification) | `WS#{ws}#USER#{uid}` | `ACTIVE#{cid}` | |
//! | `Idempotency-Key` of a workspace (certify by hand) | `WS#{ws}` | `IDEM#{key}` | |
//! | history entry of a certificate | `CERTIFICATE#{id}` | `HIST#{at}#{entry}` | |
//! | history entry of a certification | `WS#{ws}` | `CHIST#{cid}#{at}#{entry}` | |
//! | program ended / run completed (events only) | `WS#{ws}` | `PHIST#{pid}#{at}#{entry}` | |
//! | a certificate's signed credential (kept once signed) | `CERTIFICATE#{id}` | `CREDENTIAL` | |
//! | a holder's opaque credential subject id | `WS#{ws}#USER#{uid}` | `SUBJECT` | |
//! | the status-list entry counter | `STATUS` | `NEXT` | |
//! | a revoked entry of a status list | `STATUS#{list}` | `BIT#{index}` | |
//! | regeneration record | `WS#{ws}` | `REGEN#{cid}#{id}` | open_programs while running |
//! | a certification's running regeneration | `WS#{ws}` | `REGENRUN#{cid}` | |
//!
//! Every history entry (and program entry) is also in open_programs' `EVENTS`
//! partition, by its time, until it is published as an event.

use anyhow::Context;
use certify_rules::{HistoryEntry, Program, ProgramState};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::table::{path, Cond, Item, Key, Write, BY_CERTIFICATION, BY_WORKSPACE, OPEN_PROGRAMS, PK, SK};
use crate::{Result, StoreError};

pub const SETTINGS: &str = "SETTINGS";
pub const CERT: &str = "CERT#";
pub const PROGRAM: &str = "#PROGRAM";
pub const COMP: &str = "COMP#";
pub const ENR: &str = "ENR#";
pub const RUN: &str = "RUN";
pub const CERTIFICATE: &str = "CERTIFICATE";
pub const ACTIVE: &str = "ACTIVE#";
/// A workspace's `Idempotency-Key` claims, under its partition.
pub const IDEM: &str = "IDEM#";
/// A certificate's history entries, under the certificate's own partition.
pub const HIST: &str = "HIST#";
/// A certification's history entries, under its workspace's partition.
pub const CHIST: &str = "CHIST#";

/// What befell a program (ended, run completed), under its workspace's partition: only
/// ever published, never shown.
pub const PHIST: &str = "PHIST#";

/// The open-programs index's partition of `active` programs, by `ends_at`: the sweep's
/// due programs. (Named `OPEN` since v1, when it held every open program: an `ending`
/// program stored then is still found here, and the sweep runs it.)
pub const DUE: &str = "OPEN";
/// The open-programs index's partition of `ending` programs, by when their run is tried
/// next (SPEC 1.8.8): the sweep's unfinished runs, kept apart so that no number of them
/// delays a due program.
pub const RUNS: &str = "RUNS";
/// The sweep index's partition of queued nudge jobs, by when they were queued.
pub const NUDGES: &str = "NUDGES";
/// A queued nudge job's sort key prefix, under its workspace's settings partition.
pub const NUDGE_JOB: &str = "NUDGEJOB#";
/// The sweep index's partition of running regenerations, by when they were asked for.
pub const REGENERATIONS: &str = "REGENERATIONS";
/// A regeneration record's sort key prefix (`REGEN#{cid}#{id}`), under its workspace.
pub const REGEN: &str = "REGEN#";
/// The item naming a certification's running regeneration (`REGENRUN#{cid}`).
pub const REGEN_RUNNING: &str = "REGENRUN#";
/// The sweep index's partition of certificates by the day of their next expiry
/// reminder look.
pub const REMINDERS: &str = "REMINDERS";
/// The sweep index's partition of history entries not yet published as events, by
/// their time (the outbox, SPEC 1.15).
pub const EVENTS: &str = "EVENTS";

/// A certificate's signed credential, under the certificate's own partition.
pub const CREDENTIAL: &str = "CREDENTIAL";
/// A holder's credential subject id, under the holder's partition.
pub const SUBJECT: &str = "SUBJECT";
/// The status lists: the counter's partition, and each list's (`STATUS#{list}`).
pub const STATUS: &str = "STATUS";
/// A revoked status-list entry's sort key prefix.
pub const BIT: &str = "BIT#";

/// The revoked bit of a status-list entry: its item exists (SPEC 1.12).
pub fn status_bit_key(entry: &certify_rules::StatusEntry) -> Key {
    Key::new(format!("{STATUS}#{}", entry.list), format!("{BIT}{:06}", entry.index))
}

/// The `revoked_reason` of a certificate a newer one replaced.
pub const REPLACED: &str = "replaced";

/// Attribute names the store writes, tests or reads by name. Those of a rules type's
/// field are its serde name (the tests check it); the rest are the store's own, kept
/// beside the item's fields, never part of them.
pub mod attr {
    // Fields of `Program`, `Certification`, `EnrollmentRecord`, `Certificate`, `RunRecord`.
    pub const STATE: &str = "state";
    pub const VERSION: &str = "version";
    pub const UPDATED_AT: &str = "updated_at";
    pub const ENDED_AT: &str = "ended_at";
    pub const CERTIFICATION_ID: &str = "certification_id";
    pub const ARCHIVED_AT: &str = "archived_at";
    pub const VALIDITY: &str = "validity";
    pub const LOCALE: &str = "locale";
    pub const PROGRESS: &str = "progress";
    pub const EXTENSIONS: &str = "extensions";
    pub const OUTCOME: &str = "outcome";
    /// An enrollment's certificate id, and the one an active pointer points at.
    pub const CERTIFICATE_ID: &str = "certificate_id";
    /// The certificate an enrollment's claim fixed (its snapshot).
    pub const CERTIFICATE: &str = "certificate";
    pub const LAST_NUDGED_AT: &str = "last_nudged_at";
    /// How far a nudge job got.
    pub const DONE: &str = "done";
    /// Who is sending a participant's nudge, and until when (a claim, SPEC 1.9).
    pub const NUDGE_CLAIM_OWNER: &str = "nudge_claim_owner";
    pub const NUDGE_CLAIM_UNTIL: &str = "nudge_claim_until";
    pub const NOTIFIED_AT: &str = "notified_at";
    pub const NOTIFY_ERROR: &str = "notify_error";
    pub const FAILING_SINCE: &str = "failing_since";
    pub const GIVEN_UP_AT: &str = "given_up_at";
    pub const REVOKED_AT: &str = "revoked_at";
    pub const REVOKED_REASON: &str = "revoked_reason";
    pub const REPLACED_BY: &str = "replaced_by";
    pub const CERTIFICATION: &str = "certification";
    /// On a certificate: the regeneration that last claimed it, and (while set) that
    /// its files are still to be drawn by it.
    pub const REGENERATION_ID: &str = "regeneration_id";
    pub const REGENERATION_PENDING: &str = "regeneration_pending";
    /// On a certificate: the expiry reminders sent (`30,7,expired`), and the claim of
    /// the one being sent.
    /// On the active pointer: the status-list entry of the certificate it points at.
    pub const STATUS: &str = "status";
    /// On a credential item: the compact JWS; on a subject item: the subject id; on the
    /// counter: the entries given out.
    pub const JWT: &str = "jwt";
    pub const SUBJECT_ID: &str = "subject_id";
    pub const NEXT: &str = "next";
    pub const REMINDERS_SENT: &str = "reminders_sent";
    pub const REMINDER_CLAIM_OWNER: &str = "reminder_claim_owner";
    pub const REMINDER_CLAIM_UNTIL: &str = "reminder_claim_until";

    /// An `Idempotency-Key` claim's request fingerprint and the certificate it issues.
    pub const FINGERPRINT: &str = "fingerprint";
    /// When DynamoDB deletes the item (its TTL attribute, Unix seconds).
    pub const TTL: &str = "ttl";

    /// The workspace of a program or certificate item (read by the sweep and by public
    /// verification, which do not know it).
    pub const WORKSPACE_ID: &str = "workspace_id";
    /// What a history entry's event is of (`certificate`, `certification`, `program`,
    /// `run`), and its id.
    pub const EVENT_SUBJECT: &str = "event_subject";
    pub const EVENT_SUBJECT_ID: &str = "event_subject_id";
    /// The holder of a run's lease and when it runs out.
    pub const LEASE_OWNER: &str = "lease_owner";
    pub const LEASE_UNTIL: &str = "lease_until";
    /// Set on a program item while `import_program` has not finished writing its roster.
    pub const IMPORTING: &str = "importing";
    /// A certification's count of the programs that have not ended linking it, changed
    /// in the same transactions as links, unlinks and program ends, so that archiving
    /// can be conditional on it being 0 (no index read, which could lag).
    pub const OPEN_LINKS: &str = "open_links";
}

/// The stored states the store's conditions name: the serde names of `ProgramState`
/// and `RunState` (the tests check it).
pub mod state {
    pub const ACTIVE: &str = "active";
    pub const ENDING: &str = "ending";
    pub const ENDED: &str = "ended";
    pub const RUNNING: &str = "running";
}

/// An id as a key part: `#` and control characters would let one key pose as another.
pub fn id(raw: &str) -> Result<&str> {
    if raw.is_empty() || raw.chars().any(|c| c == '#' || c.is_control()) {
        Err(StoreError::NotFound)
    } else {
        Ok(raw)
    }
}

pub fn workspace_pk(ws: &str) -> Result<String> {
    Ok(format!("WS#{}", id(ws)?))
}

pub fn program_pk(ws: &str, program_id: &str) -> Result<String> {
    Ok(format!("WS#{}#PROG#{}", id(ws)?, id(program_id)?))
}

pub fn settings_key(ws: &str) -> Result<Key> {
    Ok(Key::new(workspace_pk(ws)?, SETTINGS))
}

pub fn certification_key(ws: &str, cid: &str) -> Result<Key> {
    Ok(Key::new(workspace_pk(ws)?, format!("{CERT}{}", id(cid)?)))
}

pub fn program_key(ws: &str, program_id: &str) -> Result<Key> {
    Ok(Key::new(program_pk(ws, program_id)?, PROGRAM))
}

pub fn component_key(ws: &str, program_id: &str, cid: &str) -> Result<Key> {
    Ok(Key::new(program_pk(ws, program_id)?, format!("{COMP}{}", id(cid)?)))
}

pub fn enrollment_key(ws: &str, program_id: &str, uid: &str) -> Result<Key> {
    Ok(Key::new(program_pk(ws, program_id)?, format!("{ENR}{}", id(uid)?)))
}

pub fn nudge_job_key(ws: &str, job_id: &str) -> Result<Key> {
    Ok(Key::new(workspace_pk(ws)?, format!("{NUDGE_JOB}{}", id(job_id)?)))
}

pub fn regeneration_key(ws: &str, certification_id: &str, regeneration_id: &str) -> Result<Key> {
    let sk = format!("{REGEN}{}#{}", id(certification_id)?, id(regeneration_id)?);
    Ok(Key::new(workspace_pk(ws)?, sk))
}

pub fn running_regeneration_key(ws: &str, certification_id: &str) -> Result<Key> {
    Ok(Key::new(
        workspace_pk(ws)?,
        format!("{REGEN_RUNNING}{}", id(certification_id)?),
    ))
}

pub fn run_key(ws: &str, program_id: &str) -> Result<Key> {
    Ok(Key::new(program_pk(ws, program_id)?, RUN))
}

pub fn certificate_key(certificate_id: &str) -> Result<Key> {
    Ok(Key::new(format!("{CERTIFICATE}#{}", id(certificate_id)?), CERTIFICATE))
}

/// The sort key prefix of a certification's history entries.
pub fn certification_history_prefix(cid: &str) -> Result<String> {
    Ok(format!("{CHIST}{}#", id(cid)?))
}

/// An entry's place in its history: by time, to the microsecond, then by the change's
/// place in a life (for entries of the same instant), then its id. Fixed width, as
/// [`open_sort_key`] is, so text order is time order.
pub fn history_sort_key(entry: &HistoryEntry) -> Result<String> {
    Ok(format!(
        "{}#{}#{}",
        entry.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        entry.change.rank(),
        id(&entry.id)?
    ))
}

pub fn active_key(ws: &str, user_id: &str, certification_id: &str) -> Result<Key> {
    Ok(Key::new(
        user_pk(ws, user_id)?,
        format!("{ACTIVE}{}", id(certification_id)?),
    ))
}

pub fn user_pk(ws: &str, user_id: &str) -> Result<String> {
    Ok(format!("WS#{}#USER#{}", id(ws)?, id(user_id)?))
}

/// A certification's partition of the registry indexes.
pub fn registry_pk(ws: &str, certification_id: &str) -> Result<String> {
    Ok(format!("WS#{}#REG#{}", id(ws)?, id(certification_id)?))
}

/// A certificate's place in the registry by expiry: the day, then its id; one that never
/// expires after every day.
pub fn expiry_sort_key(expires_on: Option<NaiveDate>, certificate_id: &str) -> String {
    match expires_on {
        Some(day) => format!("{day}#{certificate_id}"),
        None => format!("{NEVER}#{certificate_id}"),
    }
}

/// Sorts after every expiry day (fixed width, as days are).
pub const NEVER: &str = "9999-99-99";

pub fn programs_of(ws: &str) -> String {
    format!("WS#{ws}#PROGRAMS")
}

pub fn linking(ws: &str, certification_id: &str) -> String {
    format!("WS#{ws}#CERT#{certification_id}")
}

/// A value's fields as top-level attributes; `null`s are left out, so that an absent
/// optional field is an absent attribute (which conditions can test).
pub fn attributes<T: Serialize>(value: &T) -> Result<Item> {
    match serde_json::to_value(value).context("serializing an item")? {
        Value::Object(map) => Ok(map.into_iter().filter(|(_, v)| !v.is_null()).collect()),
        _ => Err(anyhow::anyhow!("an item must serialize to an object").into()),
    }
}

pub fn keyed(mut item: Item, key: &Key) -> Item {
    item.insert(PK.into(), key.pk.clone().into());
    item.insert(SK.into(), key.sk.clone().into());
    item
}

pub fn decode<T: DeserializeOwned>(item: Item) -> Result<T> {
    Ok(serde_json::from_value(Value::Object(item)).context("decoding a stored item")?)
}

/// An update that makes the item's fields those of `value`: set what it has, remove
/// the named optional attributes it lacks.
pub fn set_fields<T: Serialize>(mut write: Write, value: &T, optional: &[&str]) -> Result<Write> {
    let item = attributes(value)?;
    for name in optional {
        if !item.contains_key(*name) {
            write = write.remove(path(&[name]));
        }
    }
    for (name, v) in item {
        write = write.set(vec![name], v);
    }
    Ok(write)
}

/// A program's place in its open-programs partition: by the time it ends (or its run is
/// tried next), to the second, so the sweep asks for everything up to now. Fixed width:
/// every stored time lies in 1970..=9999 (SPEC 1.1), so text order is time order.
pub fn open_sort_key(ws: &str, program_id: &str, at: DateTime<Utc>) -> String {
    format!("{}#{ws}#{program_id}", at.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A certificate's place among its holder's: by the day it was issued, then its id.
/// Fixed width, as [`open_sort_key`] is: issue days lie in 1970..=9999.
pub fn user_sort_key(issued_on: NaiveDate, certificate_id: &str) -> String {
    format!("{issued_on}#{certificate_id}")
}

/// The program item's index attributes, derived from its state and link.
pub fn program_index_attributes(ws: &str, program: &Program) -> (Item, Vec<&'static str>) {
    let mut set = Item::new();
    let mut remove = Vec::new();
    set.insert(BY_WORKSPACE.pk.into(), programs_of(ws).into());
    set.insert(BY_WORKSPACE.sk.into(), program.id.clone().into());
    match &program.certification_id {
        Some(cid) => {
            set.insert(BY_CERTIFICATION.pk.into(), linking(ws, cid).into());
            set.insert(BY_CERTIFICATION.sk.into(), program.id.clone().into());
        }
        None => remove.extend([BY_CERTIFICATION.pk, BY_CERTIFICATION.sk]),
    }
    let partition = match program.state {
        ProgramState::Active => Some(DUE),
        ProgramState::Ending => Some(RUNS),
        ProgramState::Ended => None,
    };
    match partition {
        Some(partition) => {
            set.insert(OPEN_PROGRAMS.pk.into(), partition.into());
            let at = program.end_time();
            set.insert(OPEN_PROGRAMS.sk.into(), open_sort_key(ws, &program.id, at).into());
        }
        None => remove.extend([OPEN_PROGRAMS.pk, OPEN_PROGRAMS.sk]),
    }
    (set, remove)
}

/// A key built from ids that may not be ids at all: such a key names nothing.
pub fn lookup<K>(key: Result<K>) -> Result<Option<K>> {
    match key {
        Ok(key) => Ok(Some(key)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The workspace an item of a global partition (a certificate) or of the sweep's index
/// belongs to.
pub fn workspace_of(item: &Item) -> Result<String> {
    Ok(item
        .get(attr::WORKSPACE_ID)
        .and_then(Value::as_str)
        .ok_or_else(|| anyhow::anyhow!("an item without its workspace"))?
        .to_string())
}

/// A time attribute of an item, read back.
pub fn time_of(item: &Item, name: &str) -> Option<DateTime<Utc>> {
    item.get(name)
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
}

/// The condition that an attribute still holds what was read (or is still absent).
pub fn still(name: &'static str, read: Option<&Value>) -> Cond {
    match read {
        Some(value) => Cond::Eq(name, value.clone()),
        None => Cond::AttrAbsent(name),
    }
}

/// A value as the JSON attribute it is stored as.
pub fn json<T: Serialize>(value: &T) -> Result<Value> {
    Ok(serde_json::to_value(value).map_err(anyhow::Error::from)?)
}

#[cfg(test)]
mod tests;
