//! Wiring for the Lambda functions: configuration read once from the environment into
//! typed values (a missing variable fails the cold start, naming it), AWS clients built
//! once, and the handlers' [`Deps`]. Local endpoints come from the SDK's own
//! `AWS_ENDPOINT_URL`; nothing here knows whether it runs locally.

use std::sync::Arc;

use anyhow::Context;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use certify_http::{Area, ClaimNames, Deps};
use certify_store::{DynamoStore, DynamoTable};

/// Configuration of the API functions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table_name: String,
    /// `BUCKET_NAME`: the S3 bucket of certificate files.
    pub bucket_name: String,
    /// `SENDER_EMAIL`: the verified SES identity emails come from.
    pub sender: String,
    /// `WORKSPACE_CLAIM` (default `workspace_id`) and `ROLE_CLAIM` (default `role`).
    pub claims: ClaimNames,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let required = |name: &str| {
            lookup(name)
                .filter(|v| !v.trim().is_empty())
                .with_context(|| format!("the environment variable {name} must be set"))
        };
        let defaults = ClaimNames::default();
        Ok(Config {
            table_name: required("TABLE_NAME")?,
            bucket_name: required("BUCKET_NAME")?,
            sender: required("SENDER_EMAIL")?,
            claims: ClaimNames {
                workspace: lookup("WORKSPACE_CLAIM").unwrap_or(defaults.workspace),
                role: lookup("ROLE_CLAIM").unwrap_or(defaults.role),
            },
        })
    }
}

/// The SDK configuration with the one HTTP client every AWS client shares (hyper and
/// rustls with ring; the SDK crates are built without a default client).
pub async fn sdk_config() -> aws_config::SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http)
        .load()
        .await
}

/// The handlers' dependencies on AWS, from the environment.
pub async fn deps_from_env() -> anyhow::Result<Arc<Deps>> {
    let config = Config::from_env()?;
    let sdk = sdk_config().await;
    let table = DynamoTable::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name);
    let s3 = aws_sdk_s3::Client::new(&sdk);
    Ok(Arc::new(Deps {
        store: Arc::new(DynamoStore::new(table)),
        blobs: Arc::new(certify_blobs::S3Blobs::new(s3, config.bucket_name)),
        mailer: Arc::new(certify_mail::SesMailer::new(
            aws_sdk_sesv2::Client::new(&sdk),
            config.sender,
        )),
        claims: config.claims,
        clock: Arc::new(chrono::Utc::now),
    }))
}

/// A Lambda function serving one area of the API: JSON logs tagged with the request
/// id, dependencies built once per cold start, then the area's router.
pub async fn serve(area: Area) -> Result<(), lambda_http::Error> {
    lambda_http::tracing::init_default_subscriber();
    let deps = deps_from_env().await?;
    lambda_http::run(certify_http::area_router(area, deps)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_table_name_fails_naming_it_and_claim_names_default() {
        let err = Config::from_lookup(|_| None).unwrap_err();
        assert!(err.to_string().contains("TABLE_NAME"), "{err}");
        let err = Config::from_lookup(|n| (n == "TABLE_NAME").then(|| "t".to_string())).unwrap_err();
        assert!(err.to_string().contains("BUCKET_NAME"), "{err}");
        let err =
            Config::from_lookup(|n| matches!(n, "TABLE_NAME" | "BUCKET_NAME").then(|| "t".to_string())).unwrap_err();
        assert!(err.to_string().contains("SENDER_EMAIL"), "{err}");
        let config = Config::from_lookup(|n| {
            matches!(n, "TABLE_NAME" | "BUCKET_NAME" | "SENDER_EMAIL").then(|| "t".to_string())
        })
        .unwrap();
        assert_eq!(config.claims, ClaimNames::default());
        let cognito = Config::from_lookup(|n| match n {
            "TABLE_NAME" | "BUCKET_NAME" | "SENDER_EMAIL" => Some("t".into()),
            "WORKSPACE_CLAIM" => Some("custom:workspace".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(cognito.claims.workspace, "custom:workspace");
    }
}
