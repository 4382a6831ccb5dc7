//! Test harness for Certify's AWS adapters: a real moto server, never a mock.
//!
//! - [`moto`] starts ONE moto server per test binary on a free port of 127.0.0.1 and
//!   waits until it answers. moto watches the pipe on its standard input and exits as
//!   soon as the test process is gone, so no server outlives the tests.
//! - If python3 or moto is missing, or moto does not answer within 30 s, [`moto`]
//!   PANICS with moto's own output and the install command: a missing service fails the
//!   test, it never skips it.
//! - [`sdk_config`] points the AWS SDK at an endpoint with dummy credentials and the
//!   same rustls (ring) HTTP client the functions use.
//! - [`unique`] names a per-test table or bucket; [`moto_sent_emails`] reads back what
//!   SES accepted.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::net::TcpListener;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

/// The moto version the test command installs; named in every failure message.
const INSTALL: &str = "pip install 'moto[server]==5.2.1'";

/// How long moto may take to import and bind before the tests give up.
const STARTUP: Duration = Duration::from_secs(30);

/// Run as `python3 -c LAUNCHER <port>`. The stdin watcher is what ties moto's life to
/// the test process: when the test binary exits, for any reason, the pipe closes.
const LAUNCHER: &str = r#"
import logging, os, sys, threading, traceback

def exit_when_parent_is_gone():
    sys.stdin.buffer.read()
    os._exit(0)

threading.Thread(target=exit_when_parent_is_gone, daemon=True).start()
# One log line per request would drown the failure output the tests show.
logging.getLogger("werkzeug").setLevel(logging.ERROR)

try:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import run_simple

    import copy
    import moto.dynamodb.models as dynamodb
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    # moto's TransactWriteItems deep-copies the whole table once per item of the
    # transaction, to roll back if one condition fails. On a table of thousands of items
    # that is seconds and gigabytes per request. Saving a copy of just the items the
    # transaction names is the same rollback: nothing else may change.
    class TablesAreNotCopied:
        @staticmethod
        def deepcopy(value, memo=None):
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    dynamodb.copy = TablesAreNotCopied
    transact_write_items = DynamoDBBackend.transact_write_items

    def transact_write_items_saving_items(self, transact_items):
        saved = []
        for entry in transact_items:
            for op in entry.values():
                table = self.tables.get(op.get("TableName"))
                key = op.get("Key") or op.get("Item") or {}
                if table is None or table.hash_key_attr not in key:
                    continue
                hash_value = DynamoType(key[table.hash_key_attr])
                range_value = None
                if table.range_key_attr is not None:
                    if table.range_key_attr not in key:
                        continue
                    range_value = DynamoType(key[table.range_key_attr])
                item = table.get_item(hash_value, range_value)
                saved.append((table, hash_value, range_value, copy.deepcopy(item)))
        try:
            transact_write_items(self, transact_items)
        except BaseException:
            for table, hash_value, range_value, item in reversed(saved):
                if range_value is None:
                    table.items.pop(hash_value, None)
                    if item is not None:
                        table.items[hash_value] = item
                else:
                    table.items[hash_value].pop(range_value, None)
                    if item is not None:
                        table.items[hash_value][range_value] = item
            raise

    DynamoDBBackend.transact_write_items = transact_write_items_saving_items

    app = DomainDispatcherApplication(create_backend_app)
    # moto checks a condition and writes without a lock, so two racing requests can both
    # pass one condition; DynamoDB makes every request atomic. One request at a time
    # here gives the tests that peer: a race test that passes means our conditions hold.
    one_at_a_time = threading.Lock()

    def serialized(environ, start_response):
        with one_at_a_time:
            return list(app(environ, start_response))

    run_simple("127.0.0.1", int(sys.argv[1]), serialized, threaded=True)
except BaseException:
    traceback.print_exc()
    sys.stderr.flush()
    # A normal exit would wait on the stdin thread and abort with a second, noisy error.
    os._exit(1)
os._exit(0)
"#;

/// A moto server running for the whole test binary.
pub struct Moto {
    endpoint: String,
    // Never written to: dropping it (at process exit) is moto's signal to stop.
    _stdin: ChildStdin,
    _child: Child,
}

impl Moto {
    /// `http://127.0.0.1:PORT`, for `sdk_config` and plain HTTP calls.
    pub fn endpoint(&self) -> String {
        self.endpoint.clone()
    }
}

/// The test binary's moto server, started on first use.
///
/// # Panics
/// When moto cannot be started; every later call panics with the same message, at once.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Result<Moto, String>> = OnceLock::new();
    match MOTO.get_or_init(start) {
        Ok(moto) => moto,
        Err(message) => panic!("{message}"),
    }
}

fn start() -> Result<Moto, String> {
    let port = free_port()?;
    // A file, not a pipe: nobody reads moto's output while it runs, and a full pipe
    // would block it.
    let log = tempfile::tempfile().map_err(|e| failure(&format!("cannot create moto's log file: {e}"), ""))?;
    let (out, err) = match (log.try_clone(), log.try_clone()) {
        (Ok(out), Ok(err)) => (out, err),
        (Err(e), _) | (_, Err(e)) => return Err(failure(&format!("cannot share moto's log file: {e}"), "")),
    };
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(LAUNCHER)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .map_err(|e| failure(&format!("cannot run python3: {e}"), ""))?;
    let Some(stdin) = child.stdin.take() else {
        return Err(failure("python3 was started without a stdin pipe", ""));
    };

    let endpoint = format!("http://127.0.0.1:{port}");
    let probe = format!("{endpoint}/moto-api/");
    let http = agent(Duration::from_secs(2));
    let deadline = Instant::now() + STARTUP;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(failure(
                &format!("moto exited ({status}) before answering"),
                &read_log(log),
            ));
        }
        if http.get(&probe).call().is_ok() {
            return Ok(Moto {
                endpoint,
                _stdin: stdin,
                _child: child,
            });
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            return Err(failure(
                &format!("moto did not answer {probe} within {} s", STARTUP.as_secs()),
                &read_log(log),
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn free_port() -> Result<u16, String> {
    // The port is free when the listener drops; moto binds it a moment later.
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| failure(&format!("cannot find a free port on 127.0.0.1: {e}"), ""))
}

fn read_log(mut log: File) -> String {
    let mut text = String::new();
    let _ = log.seek(SeekFrom::Start(0)).and_then(|_| log.read_to_string(&mut text));
    text
}

fn failure(what: &str, output: &str) -> String {
    format!(
        "\n\n==== MOTO IS NOT RUNNING: {what} ====\n\
         The AWS adapter tests need python3 and moto's server. Install it with:\n\n    {INSTALL}\n\n\
         (the test command, scripts/test, installs it). moto's output:\n{output}\n====\n"
    )
}

/// A plain-HTTP client that never goes through a proxy: every call here is to 127.0.0.1.
fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(timeout))
        .build()
        .new_agent()
}

/// SDK configuration for `endpoint`: region us-east-1, dummy static credentials and an
/// explicit hyper + rustls (ring) HTTP client, which also speaks plain http to moto.
pub async fn sdk_config(endpoint: &str) -> SdkConfig {
    let http_client = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "certify-testkit"))
        .endpoint_url(endpoint)
        .http_client(http_client)
        .load()
        .await
}

/// A fresh lowercase name, `{prefix}-{12 hex}`, valid as a bucket or table name.
pub fn unique(prefix: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("{}-{}", prefix.to_lowercase(), &id[..12])
}

/// Every message moto's SES (v1 or v2 `SendEmail` with simple content) accepted since
/// the server started, oldest first, as moto keeps them:
/// `{"id", "source", "destinations": {"ToAddresses": [..], ..}, "subject", "body"}`.
///
/// moto keeps one `body` per message: the HTML part when there is one, else the text.
/// Tests share the server, so find yours by `id` (the SES message id) or recipient.
///
/// # Panics
/// When moto does not answer or its data has an unexpected shape.
pub fn moto_sent_emails(endpoint: &str) -> Vec<serde_json::Value> {
    let url = format!("{endpoint}/moto-api/data.json");
    let text = agent(Duration::from_secs(10))
        .get(&url)
        .call()
        .and_then(|mut response| response.body_mut().read_to_string())
        .unwrap_or_else(|e| panic!("GET {url} failed: {e}"));
    let data: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url} is not JSON ({e}): {text}"));
    match data.pointer("/ses/Message") {
        Some(serde_json::Value::Array(messages)) => messages.clone(),
        // Nothing sent yet: moto lists a model only once an instance exists.
        None => Vec::new(),
        Some(other) => panic!("{url}: ses.Message is not a list: {other}"),
    }
}

/// The emails moto accepted from `sender` (each test sends from a sender of its own, and
/// tests of one binary share its moto server).
pub fn moto_emails_from(endpoint: &str, sender: &str) -> Vec<serde_json::Value> {
    moto_sent_emails(endpoint)
        .into_iter()
        .filter(|m| m["source"].as_str().is_some_and(|s| s.contains(sender)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moto_starts_once_and_answers() {
        let first = moto().endpoint();
        assert_eq!(first, moto().endpoint(), "one server per test binary");
        let response = agent(Duration::from_secs(5))
            .get(format!("{first}/moto-api/"))
            .call()
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    #[test]
    fn no_email_has_been_sent_by_this_binary() {
        assert!(moto_sent_emails(&moto().endpoint()).is_empty());
    }

    #[test]
    fn unique_names_are_lowercase_and_distinct() {
        let a = unique("Certs");
        let b = unique("Certs");
        assert_ne!(a, b);
        assert!(a.starts_with("certs-") && a.len() == "certs-".len() + 12);
        assert_eq!(a, a.to_lowercase());
    }

    #[tokio::test]
    async fn sdk_config_points_at_the_endpoint() {
        let config = sdk_config(&moto().endpoint()).await;
        assert_eq!(config.endpoint_url(), Some(moto().endpoint().as_str()));
        assert_eq!(config.region().map(|r| r.as_ref()), Some("us-east-1"));
        assert!(config.http_client().is_some());
    }
}
