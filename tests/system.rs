//! Certify's system tests that cross crates, in one binary: the API through the Lambda
//! handlers with the sample events (over DynamoDB, S3, SES and KMS on moto), and the
//! route set held to openapi.json and template.yaml. The local server's tests
//! (`local/`) and the log and metric test (`observability.rs`, which installs the
//! process's subscriber) are binaries of their own.

#![allow(clippy::unwrap_used)] // a test says what broke by its panic

mod api;
mod by_hand;
mod certificates;
mod common;
mod credentials;
mod history;
mod inputs;
mod locale;
mod nudges;
mod pipeline;
mod programs;
mod regeneration;
mod registry;
mod route_set;
mod verification;
