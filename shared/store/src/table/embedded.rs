//! The table in an embedded redb file: durable across restarts, one write transaction
//! at a time, so every condition is checked and applied atomically.

use std::ops::Bound;
use std::path::Path as FsPath;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde_json::Value;

use crate::table::{apply_update, FromItem, Index, Item, Key, Query, QueryPage, Table, TableError, Write};
use crate::table::{INDEXES, PK, SK};

const ITEMS: TableDefinition<&str, &str> = TableDefinition::new("items");

/// Key parts joined by NUL, which no stored key holds: byte order of the joined string
/// is the order of the parts, as DynamoDB sorts keys.
fn joined(parts: &[&str]) -> String {
    parts.join("\0")
}

fn index_table(index: &Index) -> TableDefinition<'static, &'static str, ()> {
    TableDefinition::new(index.name)
}

fn text<'a>(item: &'a Item, attr: &str) -> Option<&'a str> {
    item.get(attr).and_then(Value::as_str)
}

fn index_key(index: &Index, item: &Item) -> Option<String> {
    Some(joined(&[
        text(item, index.pk)?,
        text(item, index.sk)?,
        text(item, PK)?,
        text(item, SK)?,
    ]))
}

#[derive(Clone)]
pub struct EmbeddedTable {
    db: Arc<Database>,
}

impl EmbeddedTable {
    /// Opens (or creates) the database file at `path`.
    pub fn open(path: &FsPath) -> anyhow::Result<Self> {
        let db = Database::create(path).with_context(|| format!("opening the database {}", path.display()))?;
        let txn = db.begin_write()?;
        txn.open_table(ITEMS)?;
        for index in &INDEXES {
            txn.open_table(index_table(index))?;
        }
        txn.commit()?;
        Ok(EmbeddedTable { db: Arc::new(db) })
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, TableError> + Send + 'static,
    ) -> Result<T, TableError> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db))
            .await
            .context("the embedded database task failed")?
    }
}

fn read_item(txn: &WriteTransaction, key: &Key) -> anyhow::Result<Option<Item>> {
    let table = txn.open_table(ITEMS)?;
    let found = table.get(joined(&[&key.pk, &key.sk]).as_str())?;
    Ok(match found {
        Some(v) => Some(serde_json::from_str(v.value())?),
        None => None,
    })
}

/// Replaces the item at `key` (or deletes it with `None`), keeping every index in step.
fn store_item(txn: &WriteTransaction, key: &Key, old: Option<&Item>, new: Option<&Item>) -> anyhow::Result<()> {
    let id = joined(&[&key.pk, &key.sk]);
    {
        let mut items = txn.open_table(ITEMS)?;
        match new {
            Some(item) => {
                items.insert(id.as_str(), serde_json::to_string(item)?.as_str())?;
            }
            None => {
                items.remove(id.as_str())?;
            }
        }
    }
    for index in &INDEXES {
        let mut table = txn.open_table(index_table(index))?;
        if let Some(k) = old.and_then(|i| index_key(index, i)) {
            table.remove(k.as_str())?;
        }
        if let Some(k) = new.and_then(|i| index_key(index, i)) {
            table.insert(k.as_str(), ())?;
        }
    }
    Ok(())
}

/// The item a write leaves (`None`: deleted or untouched by a check).
fn written(write: &Write, key: &Key, current: Option<&Item>) -> anyhow::Result<Option<Option<Item>>> {
    Ok(match write {
        Write::Put { item, .. } => Some(Some(item.clone())),
        Write::Delete { .. } => Some(None),
        Write::Check { .. } => None,
        Write::Update { set, remove, add, .. } => {
            let mut item = current.cloned().unwrap_or_else(|| {
                let mut fresh = Item::new();
                fresh.insert(PK.into(), key.pk.clone().into());
                fresh.insert(SK.into(), key.sk.clone().into());
                fresh
            });
            apply_update(&mut item, set, remove, add)?;
            Some(Some(item))
        }
    })
}

fn condition(write: &Write) -> Option<&crate::table::Cond> {
    match write {
        Write::Put { cond, .. } | Write::Update { cond, .. } | Write::Delete { cond, .. } => cond.as_ref(),
        Write::Check { cond, .. } => Some(cond),
    }
}

fn run_writes(db: &Database, writes: &[Write]) -> Result<(), TableError> {
    let txn = db.begin_write().context("beginning a write")?;
    let mut keys = Vec::with_capacity(writes.len());
    let mut failed = Vec::new();
    let mut current = Vec::with_capacity(writes.len());
    for (i, write) in writes.iter().enumerate() {
        let key = write.key().context("an item without pk and sk")?;
        if keys.contains(&key) {
            return Err(anyhow::anyhow!("a transaction touches {key:?} twice").into());
        }
        let item = read_item(&txn, &key)?;
        if condition(write).is_some_and(|c| !c.holds(item.as_ref())) {
            failed.push(i);
        }
        keys.push(key);
        current.push(item);
    }
    if !failed.is_empty() {
        return Err(if writes.len() == 1 {
            TableError::ConditionFailed
        } else {
            TableError::TransactionCancelled { failed }
        });
    }
    for ((write, key), old) in writes.iter().zip(&keys).zip(&current) {
        if let Some(new) = written(write, key, old.as_ref())? {
            store_item(&txn, key, old.as_ref(), new.as_ref())?;
        }
    }
    txn.commit().context("committing a write")?;
    Ok(())
}

/// [`Table::add_returning`]: the read, the sum and the write in one write transaction.
fn add_returning(db: &Database, key: &Key, attr: &'static str, by: i64) -> Result<i64, TableError> {
    let txn = db.begin_write().context("beginning a write")?;
    let old = read_item(&txn, key)?;
    let write = Write::update(key.clone()).add(attr, by);
    let new = written(&write, key, old.as_ref())?.flatten();
    let value = new
        .as_ref()
        .and_then(|item| item.get(attr))
        .and_then(serde_json::Value::as_i64)
        .context("the sum is not a number")?;
    store_item(&txn, key, old.as_ref(), new.as_ref())?;
    txn.commit().context("committing a write")?;
    Ok(value)
}

#[async_trait]
impl Table for EmbeddedTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let id = joined(&[&key.pk, &key.sk]);
        self.blocking(move |db| {
            let txn = db.begin_read().context("beginning a read")?;
            let table = txn.open_table(ITEMS).context("opening items")?;
            let found = table.get(id.as_str()).context("reading an item")?;
            match found {
                Some(v) => Ok(Some(serde_json::from_str(v.value()).context("decoding an item")?)),
                None => Ok(None),
            }
        })
        .await
    }

    async fn query(&self, query: &Query) -> Result<QueryPage, TableError> {
        let query = query.clone();
        self.blocking(move |db| Ok(run_query(db, &query, |_, text| serde_json::from_str(text))?))
            .await
    }

    async fn query_as<D: FromItem>(&self, query: &Query) -> Result<QueryPage<D>, TableError> {
        let query = query.clone();
        self.blocking(move |db| {
            Ok(run_query(db, &query, |sk, text| {
                D::from_item(sk, &mut serde_json::Deserializer::from_str(text))
            })?)
        })
        .await
    }

    async fn write(&self, write: Write) -> Result<(), TableError> {
        self.blocking(move |db| run_writes(db, std::slice::from_ref(&write)))
            .await
    }

    async fn put_batch(&self, items: Vec<Item>) -> Result<usize, TableError> {
        let puts: Vec<Write> = items.into_iter().map(|item| Write::Put { item, cond: None }).collect();
        self.blocking(move |db| run_writes(db, &puts)).await?;
        Ok(1)
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        if writes.len() > 100 {
            return Err(anyhow::anyhow!("a transaction holds at most 100 writes").into());
        }
        self.blocking(move |db| run_writes(db, &writes)).await
    }

    async fn add_returning(&self, key: &Key, attr: &'static str, by: i64) -> Result<i64, TableError> {
        let key = key.clone();
        self.blocking(move |db| add_returning(db, &key, attr, by)).await
    }
}

/// An index entry's key after its partition: the index's sort key, the item's `pk`, `sk`.
fn index_parts(rest: &str) -> Option<(&str, &str, &str)> {
    let mut parts = rest.splitn(3, '\0');
    Some((parts.next()?, parts.next()?, parts.next()?))
}

/// The key attributes that resume a query after an entry: the item's `pk` and `sk`, and
/// on an index the index's own key (what [`crate::table::key_attributes`] gives).
fn resume_key(pk: &str, sk: &str, index: Option<(Index, &str, &str)>) -> Item {
    let mut key = Item::new();
    key.insert(PK.into(), pk.into());
    key.insert(SK.into(), sk.into());
    if let Some((index, index_pk, index_sk)) = index {
        key.insert(index.pk.into(), index_pk.into());
        key.insert(index.sk.into(), index_sk.into());
    }
    key
}

/// The range of stored keys a query reads: from the partition's (or prefix's) first key
/// to just past its last (or past `sk_at_most`), resumed after `after` (a stored key) in
/// the query's direction. Stored keys are `{partition}\0{sort key}\0...`, and no key
/// part holds a control character, so `\u{1}` sorts after every key part's end.
/// `None` when `after` lies past the range's far end (nothing is left to read).
fn bounds(query: &Query, after: Option<String>) -> Option<(Bound<String>, Bound<String>)> {
    let prefix = query.sk_prefix.as_deref().unwrap_or("");
    let start = joined(&[&query.pk, prefix]);
    let end = match (&query.sk_at_most, prefix) {
        (Some(max), _) => format!("{}\0{max}\u{1}", query.pk),
        (None, "") => format!("{}\u{1}", query.pk),
        (None, prefix) => format!("{}\0{prefix}\u{10FFFF}", query.pk),
    };
    match after {
        Some(a) if query.descending && a <= start => None,
        Some(a) if !query.descending && a >= end => None,
        Some(a) if query.descending && a < end => Some((Bound::Included(start), Bound::Excluded(a))),
        Some(a) if !query.descending && a >= start => Some((Bound::Excluded(a), Bound::Excluded(end))),
        _ => Some((Bound::Included(start), Bound::Excluded(end))),
    }
}

/// One page of `query`, each item decoded from its stored text by `decode` (given the
/// item's sort key first).
fn run_query<D>(
    db: &Database,
    query: &Query,
    decode: impl Fn(&str, &str) -> serde_json::Result<D>,
) -> anyhow::Result<QueryPage<D>> {
    let txn = db.begin_read()?;
    let items = txn.open_table(ITEMS)?;
    let prefix = query.sk_prefix.as_deref().unwrap_or("");
    let limit = query.limit.unwrap_or(usize::MAX);
    let mut page = QueryPage {
        requests: 1,
        ..Default::default()
    };
    let accept = |sk: &str| sk.starts_with(prefix) && query.sk_at_most.as_deref().is_none_or(|max| sk <= max);
    let head = format!("{}\0", query.pk);
    // The key of the last entry taken, kept as stored (the index's key, or the item's).
    let mut last = String::new();
    match query.index {
        None => {
            let after = query
                .after
                .as_ref()
                .and_then(|a| Some(joined(&[text(a, PK)?, text(a, SK)?])));
            let Some((lower, upper)) = bounds(query, after) else {
                return Ok(page);
            };
            let range =
                items.range::<&str>((lower.as_ref().map(String::as_str), upper.as_ref().map(String::as_str)))?;
            let entries: Box<dyn Iterator<Item = _>> = if query.descending {
                Box::new(range.rev())
            } else {
                Box::new(range)
            };
            for entry in entries {
                let (k, v) = entry?;
                let Some(sk) = k.value().strip_prefix(head.as_str()) else {
                    continue;
                };
                if !accept(sk) {
                    continue;
                }
                if page.items.len() == limit {
                    page.last = Some(resume_key(&query.pk, &last, None));
                    break;
                }
                page.items.push(decode(sk, v.value())?);
                last.clear();
                last.push_str(sk);
            }
        }
        Some(index) => {
            let table = txn.open_table(index_table(&index))?;
            let after = query.after.as_ref().and_then(|a| index_key(&index, a));
            let Some((lower, upper)) = bounds(query, after) else {
                return Ok(page);
            };
            let range =
                table.range::<&str>((lower.as_ref().map(String::as_str), upper.as_ref().map(String::as_str)))?;
            let entries: Box<dyn Iterator<Item = _>> = if query.descending {
                Box::new(range.rev())
            } else {
                Box::new(range)
            };
            for entry in entries {
                let (k, _) = entry?;
                let k = k.value();
                let Some(rest) = k.strip_prefix(head.as_str()) else {
                    continue;
                };
                let Some((sk, pk, item_sk)) = index_parts(rest) else {
                    continue;
                };
                if !accept(sk) {
                    continue;
                }
                if page.items.len() == limit {
                    let (index_sk, pk, item_sk) = index_parts(&last).context("an index entry's key")?;
                    page.last = Some(resume_key(pk, item_sk, Some((index, &query.pk, index_sk))));
                    break;
                }
                let id = joined(&[pk, item_sk]);
                if let Some(v) = items.get(id.as_str())? {
                    page.items.push(decode(item_sk, v.value())?);
                    last.clear();
                    last.push_str(rest);
                }
            }
        }
    }
    Ok(page)
}
