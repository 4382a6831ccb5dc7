//! Time to draw one certificate, with the renderer built once as a Lambda keeps it: the
//! PDF (target: at most 2 ms) and the PNG preview.
//!
//! `cargo bench -p certify-render --bench render` (or `scripts/bench-render`, which also
//! times fpdf2 drawing the same page).

use std::hint::black_box;

use certify_fixtures::sample;
use certify_render::Renderer;
use criterion::{criterion_group, criterion_main, Criterion};

const URL: &str = "https://certify.example.com/verify/c-01J9Z8Q4K7";

fn render(c: &mut Criterion) {
    let renderer = Renderer::new();
    let certificate = sample::food_safety();
    c.bench_function("pdf", |b| {
        b.iter(|| renderer.pdf(black_box(&certificate), black_box(URL)))
    });
    c.bench_function("png", |b| {
        b.iter(|| renderer.png(black_box(&certificate), black_box(URL)))
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
