//! The single table both backends hold: items of JSON attributes under a `pk`/`sk` key,
//! sparse secondary indexes, and conditional writes. The domain store is written once
//! over [`Table`]; DynamoDB ([`DynamoTable`]) and redb ([`EmbeddedTable`]) each
//! implement it with the same semantics.

#[cfg(feature = "aws")]
mod dynamo;
mod embedded;
#[cfg(feature = "aws")]
mod schema;

use async_trait::async_trait;
use serde_json::{Map, Value};

#[cfg(feature = "aws")]
pub use dynamo::DynamoTable;
pub use embedded::EmbeddedTable;
#[cfg(feature = "aws")]
pub use schema::TableSchema;

/// One stored item: its attributes, `pk` and `sk` included.
pub type Item = Map<String, Value>;

pub const PK: &str = "pk";
pub const SK: &str = "sk";

/// A secondary index: the attributes that key it. An item without both is not in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    pub name: &'static str,
    pub pk: &'static str,
    pub sk: &'static str,
}

/// Programs of a workspace.
pub const BY_WORKSPACE: Index = Index {
    name: "by_workspace",
    pk: "gsi1pk",
    sk: "gsi1sk",
};
/// Programs linking a certification.
pub const BY_CERTIFICATION: Index = Index {
    name: "by_certification",
    pk: "gsi2pk",
    sk: "gsi2sk",
};
/// Programs not yet ended, by end time (the sweep's due and unfinished programs).
pub const OPEN_PROGRAMS: Index = Index {
    name: "open_programs",
    pk: "gsi3pk",
    sk: "gsi3sk",
};
/// A user's certificates.
pub const BY_USER: Index = Index {
    name: "by_user",
    pk: "gsi4pk",
    sk: "gsi4sk",
};

/// A certification's certificates by issue day (the registry, SPEC 1.13).
pub const REGISTRY_ISSUED: Index = Index {
    name: "registry_issued",
    pk: "gsi5pk",
    sk: "gsi5sk",
};
/// A certification's certificates by expiry day (the registry, SPEC 1.13); the same
/// partition attribute as [`REGISTRY_ISSUED`].
pub const REGISTRY_EXPIRY: Index = Index {
    name: "registry_expiry",
    pk: "gsi5pk",
    sk: "gsi6sk",
};

pub const INDEXES: [Index; 6] = [
    BY_WORKSPACE,
    BY_CERTIFICATION,
    OPEN_PROGRAMS,
    BY_USER,
    REGISTRY_ISSUED,
    REGISTRY_EXPIRY,
];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    pub fn of(item: &Item) -> Option<Key> {
        Some(Key::new(item.get(PK)?.as_str()?, item.get(SK)?.as_str()?))
    }
}

/// A condition on the item a write touches, checked atomically with the write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// The item exists.
    Exists,
    /// The item does not exist.
    Absent,
    /// The attribute exists and equals the value.
    Eq(&'static str, Value),
    /// The attribute does not exist.
    AttrAbsent(&'static str),
    /// Every condition holds.
    All(Vec<Cond>),
}

impl Cond {
    /// Evaluated against the current item (`None`: no item); the embedded backend's
    /// definition, matching DynamoDB's condition expressions.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        match self {
            Cond::Exists => item.is_some(),
            Cond::Absent => item.is_none(),
            Cond::Eq(attr, value) => item.and_then(|i| i.get(*attr)) == Some(value),
            Cond::AttrAbsent(attr) => item.is_none_or(|i| !i.contains_key(*attr)),
            Cond::All(all) => all.iter().all(|c| c.holds(item)),
        }
    }
}

/// An attribute path: a top-level attribute, or a key inside a map attribute.
pub type Path = Vec<String>;

pub fn path(parts: &[&str]) -> Path {
    parts.iter().map(|p| p.to_string()).collect()
}

/// One write; `cond` is checked first and the write happens only if it holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    Put {
        item: Item,
        cond: Option<Cond>,
    },
    /// Sets, removes and adds attributes; like DynamoDB's UpdateItem it creates the
    /// item when it is missing unless `cond` forbids that. A path into a map needs the
    /// map to exist.
    Update {
        key: Key,
        set: Vec<(Path, Value)>,
        remove: Vec<Path>,
        add: Vec<(&'static str, i64)>,
        cond: Option<Cond>,
    },
    Delete {
        key: Key,
        cond: Option<Cond>,
    },
    /// Writes nothing: only its condition counts (in a transaction).
    Check {
        key: Key,
        cond: Cond,
    },
}

impl Write {
    pub fn update(key: Key) -> Write {
        Write::Update {
            key,
            set: Vec::new(),
            remove: Vec::new(),
            add: Vec::new(),
            cond: None,
        }
    }

    pub fn set(mut self, p: Path, value: Value) -> Write {
        if let Write::Update { set, .. } = &mut self {
            set.push((p, value));
        }
        self
    }

    pub fn remove(mut self, p: Path) -> Write {
        if let Write::Update { remove, .. } = &mut self {
            remove.push(p);
        }
        self
    }

    pub fn add(mut self, attr: &'static str, by: i64) -> Write {
        if let Write::Update { add, .. } = &mut self {
            add.push((attr, by));
        }
        self
    }

    pub fn when(mut self, c: Cond) -> Write {
        match &mut self {
            Write::Put { cond, .. } | Write::Update { cond, .. } | Write::Delete { cond, .. } => *cond = Some(c),
            Write::Check { cond, .. } => *cond = c,
        }
        self
    }

    pub fn key(&self) -> Option<Key> {
        match self {
            Write::Put { item, .. } => Key::of(item),
            Write::Update { key, .. } | Write::Delete { key, .. } | Write::Check { key, .. } => Some(key.clone()),
        }
    }
}

/// A Query: one partition of the table or of an index, optionally narrowed by sort key.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    pub index: Option<Index>,
    pub pk: String,
    /// Only sort keys that begin with this.
    pub sk_prefix: Option<String>,
    /// Only sort keys less than or equal to this.
    pub sk_at_most: Option<String>,
    /// Resume after this item (its key attributes, as a page's `last` gave them).
    pub after: Option<Item>,
    pub limit: Option<usize>,
    /// Highest sort key first (DynamoDB's `ScanIndexForward = false`).
    pub descending: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryPage<D = Item> {
    /// In sort-key order (then `pk`, `sk` for index ties).
    pub items: Vec<D>,
    /// Where to resume (the key attributes of the last item read), `None` at the end.
    pub last: Option<Item>,
    /// Requests this page cost (for the store's request counts).
    pub requests: usize,
}

impl<D> Default for QueryPage<D> {
    fn default() -> Self {
        QueryPage {
            items: Vec::new(),
            last: None,
            requests: 0,
        }
    }
}

/// A stored item decoded straight to a typed value: the sort key, known before the
/// attributes are read, picks the type. A backend that keeps items as text (the
/// embedded one) decodes the text once instead of building an [`Item`] first.
pub trait FromItem: Sized + Send + 'static {
    fn from_item<'de, De: serde::Deserializer<'de>>(sk: &str, attributes: De) -> Result<Self, De::Error>;
}

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// A single write's condition did not hold; nothing was written.
    #[error("condition failed")]
    ConditionFailed,
    /// A transaction was refused; nothing was written. `failed` lists the positions of
    /// the writes whose condition did not hold (empty when the backend refused it for
    /// another conflict, such as a concurrent transaction on the same items).
    #[error("transaction cancelled (conditions failed at {failed:?})")]
    TransactionCancelled { failed: Vec<usize> },
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The table both backends implement. Reads are strongly consistent on the table (the
/// embedded backend is always; DynamoDB reads with `ConsistentRead`); index reads may
/// lag on DynamoDB.
#[async_trait]
pub trait Table: Send + Sync + 'static {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError>;

    /// MUST return items in sort-key order (highest first when `descending`) and resume
    /// exactly after `after`.
    async fn query(&self, query: &Query) -> Result<QueryPage, TableError>;

    /// [`Table::query`] with every item decoded by [`FromItem`].
    async fn query_as<D: FromItem>(&self, query: &Query) -> Result<QueryPage<D>, TableError> {
        let page = self.query(query).await?;
        let items = page
            .items
            .into_iter()
            .map(|item| {
                let sk = item.get(SK).and_then(Value::as_str).unwrap_or_default().to_string();
                D::from_item(&sk, Value::Object(item))
            })
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow::Error::new(e).context("decoding a stored item"))?;
        Ok(QueryPage {
            items,
            last: page.last,
            requests: page.requests,
        })
    }

    /// MUST write nothing and answer `ConditionFailed` when the condition does not hold.
    async fn write(&self, write: Write) -> Result<(), TableError>;

    /// At most 100 writes, on distinct items, all or nothing; MUST answer
    /// `TransactionCancelled` naming the failed positions when any condition fails.
    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError>;
    /// Unconditional puts of many distinct items, in as many requests as needed (for
    /// items no one else can be writing: a partition this caller owns). MUST retry the
    /// items the backend leaves unprocessed until all are written, or fail. Answers the
    /// requests it cost.
    async fn put_batch(&self, items: Vec<Item>) -> Result<usize, TableError>;
    /// Adds `by` to the number `attr` of the item at `key` (0 when missing; the item is
    /// created when missing) and answers the new value, atomically: racing callers each
    /// get a value of their own (DynamoDB's `ADD` with `UPDATED_NEW`).
    async fn add_returning(&self, key: &Key, attr: &'static str, by: i64) -> Result<i64, TableError>;
}

/// The key attributes of an item in the table and in `index`: what resumes a query.
pub fn key_attributes(item: &Item, index: Option<Index>) -> Item {
    let mut names = vec![PK, SK];
    if let Some(index) = index {
        names.extend([index.pk, index.sk]);
    }
    names
        .into_iter()
        .filter_map(|n| item.get(n).map(|v| (n.to_string(), v.clone())))
        .collect()
}

/// Applies an update to an item in place (the embedded backend's definition of
/// DynamoDB's SET, REMOVE and ADD).
pub fn apply_update(
    item: &mut Item,
    set: &[(Path, Value)],
    remove: &[Path],
    add: &[(&'static str, i64)],
) -> anyhow::Result<()> {
    for (p, value) in set {
        let (last, parents) = p.split_last().ok_or_else(|| anyhow::anyhow!("empty path"))?;
        let mut target = &mut *item;
        for parent in parents {
            target = target
                .get_mut(parent)
                .and_then(Value::as_object_mut)
                .ok_or_else(|| anyhow::anyhow!("the document path {p:?} is invalid for update"))?;
        }
        target.insert(last.clone(), value.clone());
    }
    for p in remove {
        let Some((last, parents)) = p.split_last() else {
            continue;
        };
        let mut target = Some(&mut *item);
        for parent in parents {
            target = target.and_then(|t| t.get_mut(parent)).and_then(Value::as_object_mut);
        }
        if let Some(t) = target {
            t.remove(last);
        }
    }
    for (attr, by) in add {
        let current = item.get(*attr).and_then(Value::as_i64).unwrap_or(0);
        item.insert(attr.to_string(), Value::from(current + by));
    }
    Ok(())
}
