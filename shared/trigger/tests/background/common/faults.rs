//! The fault injection of the trigger tests: the pipeline's steps as the requests they
//! make, an SDK interceptor that counts every request and fails one step (before the
//! request is sent, or after the service applied it), and a renderer that can fail.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use certify_rules::Certificate;
use certify_trigger::Render;
use tokio::sync::Notify;

/// When a fault strikes relative to its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The request never reaches the service.
    Before,
    /// The service applied it; the answer is lost.
    After,
}

/// One step of the per-participant pipeline, as the request it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub name: &'static str,
    /// The operations that make it (one write alone is no transaction).
    pub operations: &'static [&'static str],
    /// A text the request's URI or body holds.
    pub holds: &'static str,
}

pub const STEPS: [Step; 6] = [
    Step {
        name: "claim outcomes",
        operations: &["TransactWriteItems", "UpdateItem"],
        holds: "\"outcome\"",
    },
    Step {
        name: "put PDF",
        operations: &["PutObject"],
        holds: ".pdf",
    },
    Step {
        name: "issue certificate",
        operations: &["TransactWriteItems", "UpdateItem"],
        holds: "CERTIFICATE#",
    },
    Step {
        name: "checkpoint",
        operations: &["PutItem"],
        holds: "lease_owner",
    },
    Step {
        name: "send email",
        operations: &["SendEmail"],
        holds: "",
    },
    Step {
        name: "mark notified",
        operations: &["TransactWriteItems", "UpdateItem"],
        holds: "notified_at",
    },
];

/// Counts every AWS request, and strikes once at an armed step.
#[derive(Debug, Default)]
pub struct Faults {
    pub requests: AtomicUsize,
    pub by_operation: Mutex<HashMap<String, usize>>,
    /// The step, when it strikes, and at which of its requests (1: the first).
    armed: Mutex<Option<(Step, When, usize)>>,
    /// Fail the step every time (a lasting outage) rather than once, without crashing.
    lasting: AtomicBool,
    pub struck: AtomicBool,
    pub crash: Notify,
    /// SendEmail operations begun (each may take several HTTP attempts).
    pub sends: AtomicUsize,
}

impl Faults {
    /// Strikes at the `nth` request of `step`.
    pub fn arm(&self, step: Step, when: When, nth: usize) {
        *self.armed.lock().unwrap() = Some((step, when, nth));
    }

    pub fn arm_lasting(&self, step: Step) {
        self.lasting.store(true, Ordering::SeqCst);
        self.arm(step, When::Before, 1);
    }

    pub fn disarm(&self) {
        *self.armed.lock().unwrap() = None;
        self.lasting.store(false, Ordering::SeqCst);
    }

    pub fn count(&self, operation: &str) -> usize {
        self.by_operation.lock().unwrap().get(operation).copied().unwrap_or(0)
    }

    /// Whether the armed step is this request, and when it strikes.
    fn aimed(&self, operation: &str, uri: &str, body: &[u8]) -> Option<When> {
        let mut armed = self.armed.lock().unwrap();
        let (step, when, nth) = armed.as_mut()?;
        let holds =
            step.holds.is_empty() || uri.contains(step.holds) || String::from_utf8_lossy(body).contains(step.holds);
        if !step.operations.contains(&operation) || !holds {
            return None;
        }
        if *nth > 1 && !self.lasting.load(Ordering::SeqCst) {
            *nth -= 1;
            return None;
        }
        Some(*when)
    }

    fn strike(&self) -> Result<(), BoxError> {
        if !self.lasting.load(Ordering::SeqCst) {
            let step = self.armed.lock().unwrap().take();
            if step.is_none() {
                return Ok(()); // a concurrent request struck first
            }
            self.struck.store(true, Ordering::SeqCst);
            self.crash.notify_one();
        }
        Err("injected fault".into())
    }
}

/// Marks a request whose answer is to be lost.
#[derive(Debug, Clone)]
struct StrikeAfter;

impl Storable for StrikeAfter {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
pub struct Interceptor(pub Arc<Faults>);

impl Intercept for Interceptor {
    fn name(&self) -> &'static str {
        "fault-injection"
    }

    fn read_before_execution(
        &self,
        context: &aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef<'_>,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        if input
            .downcast_ref::<aws_sdk_sesv2::operation::send_email::SendEmailInput>()
            .is_some()
        {
            self.0.sends.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map(|m| m.name().to_string()).unwrap_or_default();
        self.0.requests.fetch_add(1, Ordering::SeqCst);
        *self
            .0
            .by_operation
            .lock()
            .unwrap()
            .entry(operation.clone())
            .or_default() += 1;
        let request = context.request();
        let body = request.body().bytes().unwrap_or_default();
        match self.0.aimed(&operation, request.uri(), body) {
            Some(When::Before) => self.0.strike(),
            Some(When::After) => {
                cfg.interceptor_state().store_put(StrikeAfter);
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn read_after_transmit(
        &self,
        _: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        match cfg.load::<StrikeAfter>() {
            Some(_) => self.0.strike(),
            None => Ok(()),
        }
    }
}

/// The real renderer, or a failure at the render step (a crash there).
pub struct Renderer {
    pub(super) real: certify_render::Renderer,
    pub fail: AtomicBool,
    pub faults: Arc<Faults>,
}

impl Render for Renderer {
    fn pdf(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        if self.fail.swap(false, Ordering::SeqCst) {
            self.faults.struck.store(true, Ordering::SeqCst);
            self.faults.crash.notify_one();
            anyhow::bail!("injected fault at render");
        }
        Ok(self.real.pdf(certificate, verify_url)?)
    }

    fn png(&self, certificate: &Certificate, verify_url: &str) -> anyhow::Result<Vec<u8>> {
        Ok(self.real.png(certificate, verify_url)?)
    }
}
