//! Paged lists: a page of items and the cursor after it, which the client holds, so it is
//! checked before it reaches the table; and a query followed to its end.

use base64::Engine;
use serde_json::Value;

use crate::table::{key_attributes, Item, Query, Table, PK, SK};
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// `None` on the last page.
    pub next_cursor: Option<String>,
}

fn encode_cursor(key: &Item) -> Result<String> {
    let json = serde_json::to_vec(key).map_err(anyhow::Error::from)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
}

/// The key a cursor resumes `query` after. A cursor is the client's to hold, so it is
/// checked before it reaches the table: exactly the key attributes of the query's table
/// or index, every one a string, in the query's partition (and under its sort-key
/// prefix). Anything else is [`StoreError::BadCursor`].
fn decode_cursor(cursor: &str, query: &Query) -> Result<Item> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| StoreError::BadCursor)?;
    let key: Item = serde_json::from_slice(&bytes).map_err(|_| StoreError::BadCursor)?;
    let mut names = vec![PK, SK];
    if let Some(index) = query.index {
        names.extend([index.pk, index.sk]);
    }
    let (partition, sort) = match query.index {
        Some(index) => (index.pk, index.sk),
        None => (PK, SK),
    };
    let text = |name: &str| key.get(name).and_then(Value::as_str);
    let well_formed = key.len() == names.len() && names.iter().all(|name| text(name).is_some());
    let in_partition = text(partition) == Some(query.pk.as_str());
    let under_prefix = query
        .sk_prefix
        .as_deref()
        .is_none_or(|prefix| text(sort).is_some_and(|s| s.starts_with(prefix)));
    if well_formed && in_partition && under_prefix {
        Ok(key)
    } else {
        Err(StoreError::BadCursor)
    }
}

impl<T: Table> Store<T> {
    /// Every item of a query, following pages; with the requests it cost.
    pub(crate) async fn query_all(&self, mut query: Query) -> Result<(Vec<Item>, usize)> {
        let mut items = Vec::new();
        let mut requests = 0;
        loop {
            let page = self.table.query(&query).await?;
            requests += page.requests;
            items.extend(page.items);
            match page.last {
                Some(last) => query.after = Some(last),
                None => return Ok((items, requests)),
            }
        }
    }

    /// One page of a list: `limit` kept items and a cursor after the last one when more
    /// may follow.
    pub(crate) async fn list(
        &self,
        mut query: Query,
        page: &PageRequest,
        keep: impl Fn(&Item) -> bool,
    ) -> Result<Page<Item>> {
        let limit = page.limit.max(1);
        query.after = page
            .cursor
            .as_deref()
            .map(|cursor| decode_cursor(cursor, &query))
            .transpose()?;
        let mut items = Vec::new();
        loop {
            // A whole page each time, however many the filter kept so far: the cursor
            // is the last kept item's key, so what a read holds past it is read again.
            query.limit = Some(limit + 1);
            let read = self.table.query(&query).await?;
            items.extend(read.items.into_iter().filter(&keep));
            match read.last {
                Some(last) if items.len() <= limit => query.after = Some(last),
                _ => break,
            }
        }
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = match items.last() {
            Some(last) if more => Some(encode_cursor(&key_attributes(last, query.index))?),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }
}
