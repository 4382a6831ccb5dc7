//! Time to draw one certificate, with the renderer built once as a Lambda keeps it: the
//! PDF (target: at most 2 ms) and the PNG preview.
//!
//! `cargo bench -p certify-render --bench render` (or `scripts/bench-render`, which also
//! times fpdf2 drawing the same page).

use std::hint::black_box;

use certify_render::Renderer;
use certify_rules::certificate::{Certificate, CertificationSnapshot};
use certify_rules::program::ProgramRef;
use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};

const URL: &str = "https://certify.example.com/verify/c-01J9Z8Q4K7";

fn certificate() -> Certificate {
    Certificate {
        id: "c-01J9Z8Q4K7".to_string(),
        user_id: "u-42".to_string(),
        holder_name: "Zoë Łukasiewicz-Øster".to_string(),
        certification: CertificationSnapshot {
            id: "cert-1".to_string(),
            name: "Food Safety Level 2".to_string(),
            description: "Safe handling, storage and preparation of food in a commercial kitchen: hygiene, \
                          temperature control, allergens and cleaning, assessed in practice and in writing."
                .to_string(),
            issuer_name: "Acme Training".to_string(),
        },
        program: Some(ProgramRef {
            id: "p-1".to_string(),
            name: "Spring cohort".to_string(),
        }),
        issued_on: NaiveDate::from_ymd_opt(2026, 3, 7).unwrap_or_default(),
        expires_on: NaiveDate::from_ymd_opt(2028, 3, 7),
        revoked_at: None,
        revoked_reason: None,
        replaced_by: None,
        note: None,
        holder_email: None,
        status: None,
    }
}

fn render(c: &mut Criterion) {
    let renderer = Renderer::new();
    let certificate = certificate();
    c.bench_function("pdf", |b| {
        b.iter(|| renderer.pdf(black_box(&certificate), black_box(URL)))
    });
    c.bench_function("png", |b| {
        b.iter(|| renderer.png(black_box(&certificate), black_box(URL)))
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
