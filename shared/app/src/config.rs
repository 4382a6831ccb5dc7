//! The API functions' configuration, read once from the environment into typed values:
//! a missing variable fails the cold start, naming it.

use anyhow::Context;
use certify_http::ClaimNames;
use certify_trigger::Settings;

/// Configuration of the API functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `TABLE_NAME`: the DynamoDB table.
    pub table_name: String,
    /// `BUCKET_NAME`: the S3 bucket of certificate files.
    pub bucket_name: String,
    /// `SENDER_EMAIL`: the verified SES identity emails come from.
    pub sender: String,
    /// `WORKSPACE_CLAIM` (default `workspace_id`) and `ROLE_CLAIM` (default `role`).
    pub claims: ClaimNames,
    /// `TRIGGER_FUNCTION`: the program-ended function that `POST /programs/{id}/end` and
    /// `POST /certifications/{id}/nudges` invoke; without it, the next sweep does the work.
    pub trigger_function: Option<String>,
    /// `PUBLIC_URL` (default `http://127.0.0.1:3000`): the API's base URL, for the
    /// links in emails and the certificate's QR code.
    pub public_url: String,
    /// `SEND_RATE` (default 10): emails per second.
    pub send_rate: f64,
    /// `EVENT_BUS` (default `default`): the EventBridge bus, by name or ARN, events go
    /// to (SPEC 1.15).
    pub event_bus: String,
    /// `SIGNING_KEY_ID`: the KMS key that signs credentials (the credentials function
    /// only; the others never sign).
    pub signing_key_id: Option<String>,
    /// `PREVIOUS_SIGNING_KEY_IDS` (comma-separated, may be empty): earlier keys the DID
    /// document keeps listing (rotation).
    pub previous_signing_key_ids: Vec<String>,
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
            trigger_function: lookup("TRIGGER_FUNCTION").filter(|v| !v.trim().is_empty()),
            public_url: lookup("PUBLIC_URL")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| Settings::default().public_url),
            send_rate: match lookup("SEND_RATE") {
                None => Settings::default().send_rate,
                Some(rate) => rate
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|r| r.is_finite() && *r > 0.0)
                    .with_context(|| {
                        format!("SEND_RATE must be a positive number of emails per second, not {rate:?}")
                    })?,
            },
            event_bus: lookup("EVENT_BUS")
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| "default".into()),
            signing_key_id: lookup("SIGNING_KEY_ID").filter(|v| !v.trim().is_empty()),
            previous_signing_key_ids: lookup("PREVIOUS_SIGNING_KEY_IDS")
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(String::from)
                .collect(),
        })
    }
}
