//! What moto cannot make DynamoDB do: leave items of a BatchWriteItem unprocessed (as it
//! does when throttled). The SDK answers are faked with aws-smithy-mocks.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

use std::collections::HashMap;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use certify_store::table::{Item, Table, TableError};
use certify_store::DynamoTable;

fn item(sk: &str) -> Item {
    serde_json::from_value(serde_json::json!({"pk": "P", "sk": sk})).unwrap()
}

fn unprocessed(sk: &str) -> BatchWriteItemOutput {
    let put = PutRequest::builder()
        .set_item(Some(HashMap::from([
            ("pk".to_string(), AttributeValue::S("P".into())),
            ("sk".to_string(), AttributeValue::S(sk.into())),
        ])))
        .build()
        .unwrap();
    BatchWriteItemOutput::builder()
        .unprocessed_items("t", vec![WriteRequest::builder().put_request(put).build()])
        .build()
}

#[tokio::test]
async fn unprocessed_items_are_sent_again_until_written() {
    let left_one = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| unprocessed("b"));
    let done =
        mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| BatchWriteItemOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&left_one, &done], |c| c
        .retry_config(RetryConfig::disabled()));
    let table = DynamoTable::new(client, "t");
    let requests = table.put_batch(vec![item("a"), item("b")]).await.unwrap();
    assert_eq!(requests, 2);
    assert_eq!((left_one.num_calls(), done.num_calls()), (1, 1));
}

#[tokio::test]
async fn items_left_unprocessed_for_good_fail_loudly() {
    let always = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| unprocessed("a"));
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&always], |c| c
        .retry_config(RetryConfig::disabled()));
    let table = DynamoTable::new(client, "t");
    let err = table.put_batch(vec![item("a")]).await.unwrap_err();
    assert!(matches!(err, TableError::Unexpected(_)), "{err:?}");
    assert!(err.to_string().contains("unprocessed"), "{err}");
    assert_eq!(always.num_calls(), 8);
}

#[tokio::test]
async fn more_than_twenty_five_items_go_in_several_requests() {
    let ok = mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| BatchWriteItemOutput::builder().build());
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, [&ok], |c| c
        .retry_config(RetryConfig::disabled()));
    let table = DynamoTable::new(client, "t");
    let items: Vec<Item> = (0..60).map(|i| item(&format!("s{i}"))).collect();
    assert_eq!(table.put_batch(items).await.unwrap(), 3);
    assert_eq!(ok.num_calls(), 3);
}
