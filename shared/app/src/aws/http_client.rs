//! The one HTTP client every AWS client of a function shares: hyper and rustls with
//! ring (the SDK crates are built without a default client), trusting Amazon's roots,
//! checked once.

use std::sync::OnceLock;

use anyhow::Context;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider, TlsContext, TrustStore};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use aws_smithy_runtime_api::client::runtime_components::{RuntimeComponents, RuntimeComponentsBuilder};
use aws_smithy_types::config_bag::ConfigBag;

/// The HTTP client for AWS at `endpoint` (`AWS_ENDPOINT_URL`), or at AWS's own
/// endpoints when there is none.
pub(super) fn shared(endpoint: Option<&str>) -> anyhow::Result<SharedHttpClient> {
    let tls = TlsContext::builder()
        .with_trust_store(trust_store(endpoint))
        .build()
        .context("the TLS settings of the AWS clients")?;
    Ok(SharedHttpClient::new(CheckedOnce {
        inner: aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .tls_context(tls)
            .build_https(),
        checked: OnceLock::new(),
    }))
}

/// Amazon Trust Services' roots: every AWS service endpoint's certificate chains to one.
const AMAZON_ROOTS: &str = include_str!("amazon-roots.pem");

/// The roots the AWS clients trust. Talking to AWS's own endpoints, Amazon Trust
/// Services' five roots, not the system's ~140: the SDK parses its trust store for every
/// client it builds (a connector made and dropped in `validate_base_client_config`) and
/// again for each connector, and with the system's bundle that parsing was most of a
/// function's init (docs/benchmarks.md, "Cold start and package size"). With `AWS_ENDPOINT_URL` an
/// `https` address, the endpoint may be anyone's (a proxy of the operator's), so the
/// system's roots; a plain `http` one (moto, in the tests and the cold-start bench)
/// uses no TLS at all, so it gets the same as AWS.
fn trust_store(endpoint: Option<&str>) -> TrustStore {
    match endpoint {
        Some(url) if url.starts_with("https://") => TrustStore::default(),
        _ => TrustStore::empty().with_pem_certificate(AMAZON_ROOTS.as_bytes()),
    }
}

/// The SDK's HTTP client, checked once per process instead of once per SDK client.
/// `aws-smithy-http-client` answers `validate_base_client_config` by building a
/// connector (a rustls configuration with its trust anchors) and dropping it, so that
/// the roots load when a client is built rather than on its first request; each
/// `Client::new` asks again, though every client shares this one HTTP client and its
/// cache of connectors.
#[derive(Debug)]
struct CheckedOnce {
    inner: SharedHttpClient,
    checked: OnceLock<()>,
}

impl HttpClient for CheckedOnce {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.inner.http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        if self.checked.get().is_none() {
            self.inner.validate_base_client_config(components, cfg)?;
            let _ = self.checked.set(());
        }
        Ok(())
    }

    fn validate_final_config(&self, components: &RuntimeComponents, cfg: &ConfigBag) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    #[test]
    fn only_an_https_endpoint_of_someone_elses_gets_the_systems_roots() {
        // TrustStore keeps its fields to itself; its Debug form names the choice.
        let native = |endpoint| format!("{:?}", trust_store(endpoint)).contains("enable_native_roots: true");
        assert!(!native(None), "AWS's own endpoints: Amazon's roots");
        assert!(!native(Some("http://127.0.0.1:5000")), "plain http needs no roots");
        assert!(native(Some("https://proxy.example.com")));
        let amazon = format!("{:?}", trust_store(None));
        assert!(amazon.contains("custom_certs: [CertificatePEM("), "{amazon}");
    }

    #[test]
    fn the_amazon_roots_are_the_five_trust_anchors_rustls_accepts() {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let certs: Vec<CertificateDer> = CertificateDer::pem_slice_iter(AMAZON_ROOTS.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(certs.len(), 5);
        // What the SDK does with them (`roots.add(cert).expect("cert parsable")` when it
        // builds a connector): a root it could not parse would fail the first request.
        let mut roots = rustls::RootCertStore::empty();
        for cert in certs {
            roots.add(cert).unwrap();
        }
        let names: Vec<String> = roots
            .roots
            .iter()
            .map(|anchor| String::from_utf8_lossy(anchor.subject.as_ref()).into_owned())
            .collect();
        for (name, root) in [
            "Amazon Root CA 1",
            "Amazon Root CA 2",
            "Amazon Root CA 3",
            "Amazon Root CA 4",
            "Starfield Services Root Certificate Authority - G2",
        ]
        .iter()
        .zip(&names)
        {
            assert!(root.contains(name), "{name} in {root}");
        }
    }

    /// An HTTP client that counts how often it is checked and sends nothing.
    #[derive(Debug)]
    struct CountsChecks(Arc<AtomicUsize>);

    impl HttpClient for CountsChecks {
        fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
            unreachable!("no request is sent")
        }

        fn validate_base_client_config(&self, _: &RuntimeComponentsBuilder, _: &ConfigBag) -> Result<(), BoxError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    #[test]
    fn the_http_client_is_checked_once_however_many_sdk_clients_share_it() {
        let checks = Arc::new(AtomicUsize::new(0));
        let sdk = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("eu-west-1"))
            .http_client(SharedHttpClient::new(CheckedOnce {
                inner: SharedHttpClient::new(CountsChecks(checks.clone())),
                checked: OnceLock::new(),
            }))
            .build();
        let _clients = (
            aws_sdk_dynamodb::Client::new(&sdk),
            aws_sdk_s3::Client::new(&sdk),
            aws_sdk_sesv2::Client::new(&sdk),
            aws_sdk_lambda::Client::new(&sdk),
        );
        assert_eq!(checks.load(Ordering::SeqCst), 1);
    }
}
