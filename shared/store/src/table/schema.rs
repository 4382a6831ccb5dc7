//! The table's definition, read from the `AWS::DynamoDB::Table` resource of
//! `template.yaml` (the one source for the deployed table and the tests' tables), and a
//! table of it created in DynamoDB, as the tests and a local DynamoDB need.

use anyhow::Context;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use serde::Deserialize;

use crate::table::{PK, SK};

/// The table's definition as `template.yaml` declares it: the one source for the
/// deployed table and the tests' tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSchema {
    pub attributes: Vec<String>,
    /// (index name, partition key attribute, sort key attribute)
    pub indexes: Vec<(String, String, String)>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnTable {
    attribute_definitions: Vec<CfnAttribute>,
    key_schema: Vec<CfnKey>,
    #[serde(default)]
    global_secondary_indexes: Vec<CfnIndex>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnAttribute {
    attribute_name: String,
    attribute_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnKey {
    attribute_name: String,
    key_type: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CfnIndex {
    index_name: String,
    key_schema: Vec<CfnKey>,
}

fn key_pair(keys: &[CfnKey]) -> anyhow::Result<(String, String)> {
    let find = |t: &str| {
        keys.iter()
            .find(|k| k.key_type == t)
            .map(|k| k.attribute_name.clone())
            .with_context(|| format!("a key schema without a {t} key"))
    };
    Ok((find("HASH")?, find("RANGE")?))
}

impl TableSchema {
    /// Reads the `AWS::DynamoDB::Table` resource named `resource` from a SAM template.
    pub fn from_template(template: &str, resource: &str) -> anyhow::Result<TableSchema> {
        let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(template).context("parsing the template")?;
        let properties = doc
            .get("Resources")
            .and_then(|r| r.get(resource))
            .and_then(|r| r.get("Properties"))
            .with_context(|| format!("the template has no Resources.{resource}.Properties"))?;
        let table: CfnTable =
            serde_yaml_ng::from_value(properties.clone()).context("reading the table's properties")?;
        if key_pair(&table.key_schema)? != (PK.to_string(), SK.to_string()) {
            anyhow::bail!("the table must be keyed by {PK} and {SK}");
        }
        if let Some(a) = table.attribute_definitions.iter().find(|a| a.attribute_type != "S") {
            anyhow::bail!("attribute {} must be a string key", a.attribute_name);
        }
        let indexes: anyhow::Result<Vec<_>> = table
            .global_secondary_indexes
            .iter()
            .map(|i| {
                let (pk, sk) = key_pair(&i.key_schema)?;
                Ok((i.index_name.clone(), pk, sk))
            })
            .collect();
        Ok(TableSchema {
            attributes: table
                .attribute_definitions
                .into_iter()
                .map(|a| a.attribute_name)
                .collect(),
            indexes: indexes?,
        })
    }

    /// Creates a table of this schema (on-demand, every index projecting all
    /// attributes), as the tests and a local DynamoDB need.
    pub async fn create(&self, client: &Client, name: &str) -> anyhow::Result<()> {
        let key = |attr: &str, t: KeyType| KeySchemaElement::builder().attribute_name(attr).key_type(t).build();
        let mut request = client
            .create_table()
            .table_name(name)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key(PK, KeyType::Hash)?)
            .key_schema(key(SK, KeyType::Range)?);
        for attr in &self.attributes {
            request = request.attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attr)
                    .attribute_type(ScalarAttributeType::S)
                    .build()?,
            );
        }
        for (index, pk, sk) in &self.indexes {
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index)
                    .key_schema(key(pk, KeyType::Hash)?)
                    .key_schema(key(sk, KeyType::Range)?)
                    .projection(Projection::builder().projection_type(ProjectionType::All).build())
                    .build()?,
            );
        }
        request.send().await.with_context(|| format!("creating table {name}"))?;
        Ok(())
    }
}
