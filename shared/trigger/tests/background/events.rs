//! Events out (SPEC 1.15) on moto: EventBridge `PutEvents` on a bus of the test's own,
//! with a rule sending every `certify` event to an SQS queue, read back. Every history
//! entry of a scenario that makes each kind of entry arrives (duplicates only with the
//! same `id`), in order per certificate, with no email address, each `detail` valid by
//! its JSON Schema in `docs/events`; a bus that refuses part of a batch, or a crash
//! between the bus and the mark, loses nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::common::{person, Harness, Person};
use async_trait::async_trait;
use certify_events::{EventBridgePublisher, Publisher};
use certify_rules::{Actor, CertificationFields, OutEvent, Regeneration, Validity, ValidityUnit};
use certify_store::{CertificateStore, CertificationStore, PageRequest, RegenerationStore};
use certify_trigger::{Settings, Trigger};
use chrono::Duration;
use serde_json::Value;

const PEOPLE: [Person; 3] = [
    person("u-ana", "Ana Ávila", true),
    person("u-ben", "Ben Okafor", true),
    person("u-eve", "Eve Adams", false),
];

const SCHEMAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/events");

/// A bus of this test's own whose rule sends every `certify` event to a queue.
struct Bus {
    name: String,
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    events: aws_sdk_eventbridge::Client,
}

impl Bus {
    async fn new(h: &Harness) -> Bus {
        let sdk = certify_testkit::sdk_config(&h.endpoint).await;
        let events = aws_sdk_eventbridge::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let name = certify_testkit::unique("bus");
        events.create_event_bus().name(&name).send().await.unwrap();
        let queue_url = sqs
            .create_queue()
            .queue_name(certify_testkit::unique("events"))
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(&queue_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
            .send()
            .await
            .unwrap();
        let queue_arn = attributes.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::QueueArn].clone();
        events
            .put_rule()
            .name("all-certify")
            .event_bus_name(&name)
            .event_pattern(r#"{"source": ["certify"]}"#)
            .send()
            .await
            .unwrap();
        let target = aws_sdk_eventbridge::types::Target::builder()
            .id("queue")
            .arn(queue_arn)
            .build()
            .unwrap();
        events
            .put_targets()
            .rule("all-certify")
            .event_bus_name(&name)
            .targets(target)
            .send()
            .await
            .unwrap();
        Bus {
            name,
            sqs,
            queue_url,
            events,
        }
    }

    fn publisher(&self) -> EventBridgePublisher {
        EventBridgePublisher::new(self.events.clone(), self.name.clone())
    }

    /// Every event the queue received, in the order it received them.
    async fn received(&self) -> Vec<Value> {
        let mut all = Vec::new();
        loop {
            let got = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .send()
                .await
                .unwrap();
            let messages = got.messages();
            if messages.is_empty() {
                return all;
            }
            for m in messages {
                all.push(serde_json::from_str(m.body().unwrap()).unwrap());
                self.sqs
                    .delete_message()
                    .queue_url(&self.queue_url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

/// The real bus behind faults: the `refuse`-th event handed over is refused (not
/// sent; the others of its batch are), and the `crash_after`-th batch is sent and then
/// answered with an error, as if the invocation died before marking it.
struct Faulty {
    real: EventBridgePublisher,
    events: AtomicUsize,
    batches: AtomicUsize,
    refuse: usize,
    crash_after: usize,
}

#[async_trait]
impl Publisher for Faulty {
    async fn publish(&self, events: &[OutEvent]) -> anyhow::Result<Vec<bool>> {
        let first = self.events.fetch_add(events.len(), Ordering::SeqCst);
        let accepted: Vec<bool> = (first..first + events.len()).map(|n| n != self.refuse).collect();
        let sent: Vec<OutEvent> = events
            .iter()
            .zip(&accepted)
            .filter(|(_, ok)| **ok)
            .map(|(e, _)| e.clone())
            .collect();
        assert!(self.real.publish(&sent).await?.iter().all(|ok| *ok));
        if self.batches.fetch_add(1, Ordering::SeqCst) == self.crash_after {
            anyhow::bail!("the invocation died after PutEvents");
        }
        Ok(accepted)
    }
}

fn trigger(h: &Harness, publisher: Arc<dyn Publisher>) -> Trigger {
    h.trigger_with(Settings {
        public_url: "https://certify.example".into(),
        send_rate: 0.0,
        chunk: 2,
        ..Settings::default()
    })
    .with_publisher(publisher)
}

/// Every entry the scenario's histories hold, by subject, oldest first: what must
/// arrive.
async fn histories(h: &Harness, certificates: &[String]) -> BTreeMap<String, Vec<String>> {
    let page = PageRequest {
        limit: 100,
        cursor: None,
    };
    let mut all = BTreeMap::new();
    for id in certificates {
        let entries = h.store.certificate_history(&h.ws, id, &page).await.unwrap().items;
        all.insert(format!("certificate {id}"), entries.into_iter().map(|e| e.id).collect());
    }
    let entries = h.store.certification_history(&h.ws, "c1", &page).await.unwrap().items;
    all.insert("certification c1".into(), entries.into_iter().map(|e| e.id).collect());
    all
}

/// A scenario making every kind of entry: a certification created and edited, two
/// programs' ends (issued, emailed, replaced), a revocation, a regeneration, the
/// expiry reminder and notice over 41 days, the certification archived.
async fn scenario(h: &Harness, t: &Trigger) -> Vec<String> {
    let admin = Actor::admin("u-admin");
    h.seed("p1", Some("c1"), &PEOPLE).await;
    let c = h.store.certification(&h.ws, "c1").await.unwrap().unwrap();
    let fields = CertificationFields {
        validity: Some(Validity::new(40, ValidityUnit::Days).unwrap()),
        ..c.fields.clone()
    };
    h.advance(Duration::seconds(1));
    h.store
        .update_certification(&h.ws, &c, &fields, h.now(), &admin)
        .await
        .unwrap();
    h.advance(Duration::seconds(1));
    t.end_program(&h.ws, "p1", None).await.unwrap();
    h.advance(Duration::seconds(1));
    h.seed("p2", Some("c1"), &PEOPLE[..1]).await;
    t.end_program(&h.ws, "p2", None).await.unwrap();
    let ben = h.certificates("u-ben", "p1").await.remove(0);
    h.advance(Duration::seconds(1));
    h.store
        .revoke_certificate(&h.ws, &ben.id, "left the company", h.now(), &admin)
        .await
        .unwrap();
    h.advance(Duration::seconds(1));
    let c = h.store.certification(&h.ws, "c1").await.unwrap().unwrap();
    let regeneration = Regeneration::request(
        "r1".into(),
        &c,
        certify_rules::Locale::En,
        false,
        admin.clone(),
        h.now(),
    );
    h.store.start_regeneration(&h.ws, &regeneration).await.unwrap();
    // Day 0 to 41: the regeneration, the 30-day reminder (day 10) and the expired
    // notice (day 41) of the one certificate still active.
    let start = h.now();
    for day in [0, 10, 41] {
        h.advance(start + Duration::days(day) + Duration::minutes(1) - h.now());
        let report = t.sweep(None).await.unwrap();
        let errors: Vec<&String> = report.errors.iter().filter(|e| !e.starts_with("events:")).collect();
        assert!(errors.is_empty(), "day {day}: {errors:?}");
    }
    h.store
        .archive_certification(&h.ws, "c1", None, h.now(), &admin)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for p in &PEOPLE {
        ids.extend(
            h.store
                .certificates_of(&h.ws, p.user_id)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id),
        );
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entry_arrives_in_order_per_certificate_through_refusals_and_a_crash() {
    let h = Harness::new().await;
    let bus = Bus::new(&h).await;
    let faulty = Arc::new(Faulty {
        real: bus.publisher(),
        events: AtomicUsize::new(0),
        batches: AtomicUsize::new(0),
        refuse: 2,
        crash_after: 3,
    });
    let certificates = scenario(&h, &trigger(&h, faulty.clone())).await;
    // What the faults left behind goes out in the sweeps after.
    let t = trigger(&h, Arc::new(bus.publisher()));
    h.advance(Duration::minutes(1));
    let report = t.sweep(None).await.unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.events_published > 0);
    assert_eq!(t.sweep(None).await.unwrap().events_published, 0, "nothing is left");
    assert!(faulty.batches.load(Ordering::SeqCst) > 3, "the crash was met");
    assert!(faulty.events.load(Ordering::SeqCst) > 2, "the refusal was met");

    let received = bus.received().await;
    let mut first_seen: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, Value> = HashMap::new();
    for event in &received {
        assert_eq!(event["source"], "certify");
        let text = event.to_string();
        assert!(!text.contains('@'), "no email address: {text}");
        let detail = &event["detail"];
        let id = detail["id"].as_str().unwrap().to_string();
        if let Some(seen) = by_id.get(&id) {
            assert_eq!(seen, detail, "a duplicate is the same event");
        } else {
            first_seen.push(id.clone());
            by_id.insert(id, detail.clone());
        }
    }
    assert!(received.len() > first_seen.len(), "the crash published a batch twice");
    // Every entry of every history arrived; in order per subject.
    let expected = histories(&h, &certificates).await;
    let position: HashMap<&str, usize> = first_seen.iter().enumerate().map(|(i, id)| (id.as_str(), i)).collect();
    for (subject, ids) in &expected {
        let places: Vec<usize> = ids
            .iter()
            .map(|id| {
                *position
                    .get(id.as_str())
                    .unwrap_or_else(|| panic!("{subject}: {id} never arrived"))
            })
            .collect();
        assert!(
            places.windows(2).all(|w| w[0] < w[1]),
            "{subject} out of order: {places:?}"
        );
    }
    // And the two programs' ends and runs; nothing else.
    let types: Vec<String> = received
        .iter()
        .map(|e| e["detail-type"].as_str().unwrap().into())
        .collect();
    let count = |t: &str| first_seen.iter().filter(|id| by_id[*id]["entry"]["type"] == t).count();
    let entries: usize = expected.values().map(Vec::len).sum();
    assert_eq!(first_seen.len(), entries + 4, "every entry, two program ends, two runs");
    assert_eq!((count("ended"), count("completed")), (2, 2));
    // Every kind of event was met, and each is valid by its schema.
    let kinds: BTreeSet<&str> = types.iter().map(String::as_str).collect();
    let documented: BTreeSet<String> = std::fs::read_dir(SCHEMAS)
        .unwrap()
        .map(|f| f.unwrap().file_name().into_string().unwrap())
        .filter_map(|f| f.strip_suffix(".schema.json").map(String::from))
        .collect();
    assert_eq!(
        kinds.iter().map(|k| k.to_string()).collect::<BTreeSet<_>>(),
        documented,
        "the scenario makes every documented kind, and no other"
    );
    // The sample in events/ is such an event: the same fields, a valid detail.
    let sample = crate::common::sample("eventbridge-certificate-issued.json");
    let fields = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<BTreeSet<String>>();
    let issued = received
        .iter()
        .find(|e| e["detail-type"] == "certificate.issued")
        .unwrap();
    // (EventBridge adds `account`; moto leaves it out.)
    let mut delivered = fields(issued);
    delivered.insert("account".into());
    assert_eq!(fields(&sample), delivered);
    assert_eq!(fields(&sample["detail"]), fields(&issued["detail"]));
    for event in received.iter().chain([&sample]) {
        let kind = event["detail-type"].as_str().unwrap();
        let text = std::fs::read_to_string(format!("{SCHEMAS}/{kind}.schema.json")).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = validator.iter_errors(&event["detail"]).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{kind}: {errors:?}\n{}", event["detail"]);
    }
}
