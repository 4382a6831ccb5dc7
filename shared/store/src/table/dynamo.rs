//! The table in DynamoDB: GetItem and Query only (never Scan), a ConditionExpression on
//! every conditional write, TransactWriteItems where items change together. Items map
//! through serde (`serde_dynamo`).

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, PutRequest, TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use serde_json::Value;

use crate::table::{Cond, Item, Key, Path, Query, QueryPage, Table, TableError, Write, PK, SK};

type Attributes = HashMap<String, AttributeValue>;

/// Most puts in one BatchWriteItem request.
const BATCH_MAX: usize = 25;
/// Retries of unprocessed items before giving up (25 ms doubling: about 3 s in all).
const BATCH_ATTEMPTS: u32 = 7;

#[derive(Clone)]
pub struct DynamoTable {
    client: Client,
    table: String,
}

impl DynamoTable {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoTable {
            client,
            table: table.into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

fn to_attributes(item: &Item) -> anyhow::Result<Attributes> {
    serde_dynamo::to_item(item).context("mapping an item to DynamoDB attributes")
}

fn from_attributes(attributes: Attributes) -> anyhow::Result<Item> {
    serde_dynamo::from_item(attributes).context("mapping DynamoDB attributes to an item")
}

fn key_attributes(key: &Key) -> Attributes {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(key.pk.clone())),
        (SK.to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Placeholders for one expression set: `#n0`, `:v0`, ...
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: Attributes,
}

impl Expr {
    fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, n)| *n == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_string());
        placeholder
    }

    fn path(&mut self, path: &Path) -> String {
        path.iter().map(|p| self.name(p)).collect::<Vec<_>>().join(".")
    }

    fn value(&mut self, value: &Value) -> anyhow::Result<String> {
        let placeholder = format!(":v{}", self.values.len());
        let av = serde_dynamo::to_attribute_value(value).context("mapping a value to a DynamoDB attribute")?;
        self.values.insert(placeholder.clone(), av);
        Ok(placeholder)
    }

    fn cond(&mut self, cond: &Cond) -> anyhow::Result<String> {
        Ok(match cond {
            Cond::Exists => format!("attribute_exists({})", self.name(PK)),
            Cond::Absent => format!("attribute_not_exists({})", self.name(PK)),
            Cond::Eq(attr, value) => format!("{} = {}", self.name(attr), self.value(value)?),
            Cond::AttrAbsent(attr) => format!("attribute_not_exists({})", self.name(attr)),
            Cond::All(all) => {
                let parts: anyhow::Result<Vec<String>> = all.iter().map(|c| self.cond(c)).collect();
                format!("({})", parts?.join(" AND "))
            }
        })
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<Attributes> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

fn update_expression(
    e: &mut Expr,
    set: &[(Path, Value)],
    remove: &[Path],
    add: &[(&'static str, i64)],
) -> anyhow::Result<String> {
    let mut clauses = Vec::new();
    if !set.is_empty() {
        let parts: anyhow::Result<Vec<String>> = set
            .iter()
            .map(|(p, v)| Ok(format!("{} = {}", e.path(p), e.value(v)?)))
            .collect();
        clauses.push(format!("SET {}", parts?.join(", ")));
    }
    if !remove.is_empty() {
        let parts: Vec<String> = remove.iter().map(|p| e.path(p)).collect();
        clauses.push(format!("REMOVE {}", parts.join(", ")));
    }
    if !add.is_empty() {
        let parts: anyhow::Result<Vec<String>> = add
            .iter()
            .map(|(a, by)| Ok(format!("{} {}", e.name(a), e.value(&Value::from(*by))?)))
            .collect();
        clauses.push(format!("ADD {}", parts?.join(", ")));
    }
    Ok(clauses.join(" "))
}

/// Sets a write's condition and placeholders on any of the SDK's request builders.
macro_rules! with_expressions {
    ($builder:expr, $e:expr, $condition:expr) => {
        $builder
            .set_condition_expression($condition)
            .set_expression_attribute_names($e.names())
            .set_expression_attribute_values($e.values())
    };
}

/// The expressions of one write: its placeholders, update expression and condition.
fn expressions(write: &Write) -> anyhow::Result<(Expr, Option<String>, Option<String>)> {
    let mut e = Expr::default();
    let update = match write {
        Write::Update { set, remove, add, .. } => Some(update_expression(&mut e, set, remove, add)?),
        _ => None,
    };
    let condition = match write {
        Write::Put { cond, .. } | Write::Update { cond, .. } | Write::Delete { cond, .. } => {
            cond.as_ref().map(|c| e.cond(c)).transpose()?
        }
        Write::Check { cond, .. } => Some(e.cond(cond)?),
    };
    Ok((e, update, condition))
}

impl DynamoTable {
    fn transact_item(&self, write: &Write) -> anyhow::Result<TransactWriteItem> {
        let (e, update, condition) = expressions(write)?;
        let item = TransactWriteItem::builder();
        Ok(match write {
            Write::Put { item: attributes, .. } => {
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attributes(attributes)?));
                item.put(with_expressions!(put, e, condition).build()?).build()
            }
            Write::Update { key, .. } => {
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_update_expression(update);
                item.update(with_expressions!(update, e, condition).build()?).build()
            }
            Write::Delete { key, .. } => {
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)));
                item.delete(with_expressions!(delete, e, condition).build()?).build()
            }
            Write::Check { key, .. } => {
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)));
                item.condition_check(with_expressions!(check, e, condition).build()?)
                    .build()
            }
        })
    }
}

/// A single write's refusal: a failed condition is a conflict, anything else a fault.
fn single<E, R>(
    result: Result<R, SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>>,
    is_condition: fn(&E) -> bool,
    what: &'static str,
) -> Result<(), TableError>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.as_service_error().is_some_and(is_condition) => Err(TableError::ConditionFailed),
        Err(err) => Err(anyhow::Error::new(err).context(what).into()),
    }
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, TableError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .context("GetItem")?;
        Ok(out.item.map(from_attributes).transpose()?)
    }

    async fn query(&self, query: &Query) -> Result<QueryPage, TableError> {
        let mut e = Expr::default();
        let (pk_attr, sk_attr) = match query.index {
            Some(index) => (index.pk, index.sk),
            None => (PK, SK),
        };
        let mut key_condition = format!("{} = {}", e.name(pk_attr), e.value(&Value::from(query.pk.clone()))?);
        match (query.sk_prefix.as_deref().filter(|p| !p.is_empty()), &query.sk_at_most) {
            (Some(_), Some(_)) => {
                return Err(anyhow::anyhow!("a query narrows its sort key by a prefix or a maximum, not both").into())
            }
            (Some(prefix), None) => {
                let placeholder = e.value(&Value::from(prefix))?;
                key_condition.push_str(&format!(" AND begins_with({}, {placeholder})", e.name(sk_attr)));
            }
            (None, Some(max)) => {
                let placeholder = e.value(&Value::from(max.clone()))?;
                key_condition.push_str(&format!(" AND {} <= {placeholder}", e.name(sk_attr)));
            }
            (None, None) => {}
        }
        let start = query.after.as_ref().map(to_attributes).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.map(|i| i.name.to_string()))
            .key_condition_expression(key_condition)
            .set_expression_attribute_names(e.names())
            .set_expression_attribute_values(e.values())
            .set_exclusive_start_key(start)
            .set_limit(query.limit.map(|l| l.min(i32::MAX as usize) as i32))
            .set_consistent_read(query.index.is_none().then_some(true))
            .set_scan_index_forward(query.descending.then_some(false))
            .send()
            .await
            .context("Query")?;
        let items: anyhow::Result<Vec<Item>> = out.items.unwrap_or_default().into_iter().map(from_attributes).collect();
        Ok(QueryPage {
            items: items?,
            last: out.last_evaluated_key.map(from_attributes).transpose()?,
            requests: 1,
        })
    }

    async fn write(&self, write: Write) -> Result<(), TableError> {
        let (e, update, condition) = expressions(&write)?;
        match &write {
            Write::Put { item, .. } => {
                let put = self
                    .client
                    .put_item()
                    .table_name(&self.table)
                    .set_item(Some(to_attributes(item)?));
                let result = with_expressions!(put, e, condition).send().await;
                single(result, |e| e.is_conditional_check_failed_exception(), "PutItem")
            }
            Write::Update { key, .. } => {
                let request = self
                    .client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_update_expression(update);
                let result = with_expressions!(request, e, condition).send().await;
                single(result, |e| e.is_conditional_check_failed_exception(), "UpdateItem")
            }
            Write::Delete { key, .. } => {
                let request = self
                    .client
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)));
                let result = with_expressions!(request, e, condition).send().await;
                single(result, |e| e.is_conditional_check_failed_exception(), "DeleteItem")
            }
            // No single-item API checks without writing: a transaction of one does.
            Write::Check { .. } => match self.transact(vec![write]).await {
                Err(TableError::TransactionCancelled { .. }) => Err(TableError::ConditionFailed),
                other => other,
            },
        }
    }

    async fn put_batch(&self, items: Vec<Item>) -> Result<usize, TableError> {
        let mut requests = 0;
        for chunk in items.chunks(BATCH_MAX) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder().set_item(Some(to_attributes(item)?)).build()?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<anyhow::Result<_>>()?;
            for attempt in 0.. {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .context("BatchWriteItem")?;
                requests += 1;
                pending = out
                    .unprocessed_items
                    .and_then(|mut left| left.remove(&self.table))
                    .unwrap_or_default();
                if pending.is_empty() {
                    break;
                }
                if attempt == BATCH_ATTEMPTS {
                    return Err(anyhow::anyhow!(
                        "BatchWriteItem left {} items unprocessed after {} attempts",
                        pending.len(),
                        attempt + 1
                    )
                    .into());
                }
                // DynamoDB leaves items unprocessed when throttled: back off, then retry them.
                tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
            }
        }
        Ok(requests)
    }

    async fn add_returning(&self, key: &Key, attr: &'static str, by: i64) -> Result<i64, TableError> {
        let out = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .update_expression("ADD #a :by")
            .expression_attribute_names("#a", attr)
            .expression_attribute_values(":by", AttributeValue::N(by.to_string()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await
            .context("UpdateItem")?;
        let value = out.attributes.as_ref().and_then(|a| a.get(attr));
        match value {
            Some(AttributeValue::N(n)) => Ok(n.parse().context("the sum is not an integer")?),
            _ => Err(anyhow::anyhow!("UpdateItem answered no {attr}").into()),
        }
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), TableError> {
        let items: anyhow::Result<Vec<TransactWriteItem>> = writes.iter().map(|w| self.transact_item(w)).collect();
        let items = items?;
        // DynamoDB cancels a transaction that meets another on the same item with no
        // condition failed; it is safe to try again.
        let mut attempt = 0;
        loop {
            match self.transact_once(items.clone()).await {
                Err(TableError::TransactionCancelled { failed }) if failed.is_empty() && attempt < 4 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                other => return other,
            }
        }
    }
}

impl DynamoTable {
    async fn transact_once(&self, items: Vec<TransactWriteItem>) -> Result<(), TableError> {
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) => match err.as_service_error() {
                Some(service) if service.is_transaction_canceled_exception() => {
                    let reasons = match service {
                        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(e) => {
                            e.cancellation_reasons().to_vec()
                        }
                        _ => Vec::new(),
                    };
                    let failed = reasons
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
                        .map(|(i, _)| i)
                        .collect();
                    Err(TableError::TransactionCancelled { failed })
                }
                _ => Err(anyhow::Error::new(err).context("TransactWriteItems").into()),
            },
        }
    }
}
