//! The pipeline view over 100,000 enrollments x 20 components, single-threaded: status
//! of every row, a name filter, sort by expected date, first page of 50, stats.
//!
//! `cargo bench -p certify-rules --bench pipeline`

use std::hint::black_box;

use certify_rules::pipeline::{Order, PipelineFilter, SortField};
use certify_rules::program::component::{Component, ComponentKind};
use certify_rules::program::participant::Participant;
use certify_rules::program::progress::ProgressStatus;
use certify_rules::program::{Program, ProgramState};
use certify_rules::{pipeline_page, EnrollmentRecord, PipelineQuery, Roster};
use chrono::{DateTime, Duration, Utc};
use criterion::{criterion_group, criterion_main, Criterion};

const ENROLLMENTS: usize = 100_000;
const PROGRAMS: usize = 10;
const COMPONENTS: usize = 20;

/// A small deterministic generator, so every run measures the same data.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const SYLLABLES: [&str; 16] = [
    "an", "bo", "ca", "dé", "el", "fi", "go", "há", "iv", "jo", "ka", "lu", "mi", "nö", "ol", "pa",
];

fn name(rng: &mut Lcg) -> String {
    let mut word = |n: usize| {
        (0..n)
            .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
            .collect::<String>()
    };
    let (first, last) = (word(2), word(3));
    let cap = |s: String| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    format!("{} {}", cap(first), cap(last))
}

fn rosters(now: DateTime<Utc>) -> Vec<Roster> {
    let mut rng = Lcg(42);
    let statuses = ProgressStatus::ALL;
    (0..PROGRAMS)
        .map(|p| {
            let program = Program {
                id: format!("program-{p:02}"),
                name: format!("Cohort {p}"),
                starts_at: now - Duration::days(60),
                ends_at: now + Duration::days(30),
                certification_id: Some("c1".into()),
                state: ProgramState::Active,
                ended_at: None,
                created_at: now - Duration::days(90),
                updated_at: now - Duration::days(90),
                version: 1,
            };
            let components: Vec<Component> = (0..COMPONENTS)
                .map(|k| Component {
                    id: format!("component-{p:02}-{k:02}"),
                    title: format!("Module {k}"),
                    kind: ComponentKind::ALL[k % ComponentKind::ALL.len()],
                    optional: k % 7 == 6,
                    starts_at: None,
                    ends_at: (k % 5 != 4).then(|| now + Duration::days(k as i64 * 3 - 30)),
                    position: k as i64,
                })
                .collect();
            let records = (0..ENROLLMENTS / PROGRAMS)
                .map(|u| {
                    let mut r = EnrollmentRecord::new(Participant {
                        user_id: format!("user-{u:06}"),
                        name: name(&mut rng),
                        email: format!("user-{u:06}@example.com"),
                        avatar_url: None,
                        group: Some(format!("group-{}", rng.below(8))),
                        locale: None,
                    });
                    for c in &components {
                        let roll = rng.below(20);
                        if roll < 12 {
                            r.progress.insert(c.id.clone(), statuses[roll % 3]);
                        } else if roll == 19 {
                            r.progress.insert(c.id.clone(), statuses[3 + rng.below(4)]);
                        }
                        if rng.below(50) == 0 {
                            r.extensions.insert(c.id.clone(), now + Duration::days(20));
                        }
                    }
                    r
                })
                .collect();
            Roster::new(program, components, records)
        })
        .collect()
}

fn pipeline(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().expect("a valid time");
    let rosters = rosters(now);
    let query = PipelineQuery {
        filter: PipelineFilter {
            name: Some("an".into()),
            ..Default::default()
        },
        sort: SortField::Expected,
        order: Order::Asc,
        limit: 50,
        cursor: None,
    };
    let page = pipeline_page(&rosters, &query, now);
    println!(
        "{} of {ENROLLMENTS} rows match the name filter; first page {} rows",
        page.stats.total,
        page.items.len()
    );
    let mut group = c.benchmark_group("pipeline_view");
    group.sample_size(30);
    group.bench_function("100k_x_20_name_filter_sort_expected_page_50", |b| {
        b.iter(|| pipeline_page(black_box(&rosters), black_box(&query), now))
    });
    let unfiltered = PipelineQuery {
        filter: PipelineFilter::default(),
        ..query.clone()
    };
    group.bench_function("100k_x_20_no_filter_sort_expected_page_50", |b| {
        b.iter(|| pipeline_page(black_box(&rosters), black_box(&unfiltered), now))
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
