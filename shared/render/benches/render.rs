//! Time to draw one certificate, with the renderer built once as a Lambda keeps it: the
//! PDF of a Latin-only certificate (target: at most 2 ms), the PDF of one with CJK and
//! Arabic (at most 6 ms, and at most 100 KB), the first use of the CJK font in a warm
//! process (a fresh renderer drawing once: at most 20 ms) and the PNG preview. Figures,
//! not assertions: the size is printed once.
//!
//! `cargo bench -p certify-render --bench render`.

use std::hint::black_box;

use certify_fixtures::sample;
use certify_render::Renderer;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

const URL: &str = "https://certify.example.com/verify/c-01J9Z8Q4K7";

fn render(c: &mut Criterion) {
    let renderer = Renderer::new();
    let latin = sample::food_safety();
    let mut mixed = sample::food_safety();
    mixed.holder_name = "王小明".to_string();
    mixed.certification.name = "Safety First / السلامة أولاً / 安全第一".to_string();
    // Warm: every font these certificates use read once.
    let size = renderer.pdf(&mixed, URL).map(|pdf| pdf.len()).unwrap_or(0);
    println!("pdf_cjk_arabic: {size} bytes");
    c.bench_function("pdf_latin", |b| {
        b.iter(|| renderer.pdf(black_box(&latin), black_box(URL)))
    });
    c.bench_function("pdf_cjk_arabic", |b| {
        b.iter(|| renderer.pdf(black_box(&mixed), black_box(URL)))
    });
    c.bench_function("pdf_first_cjk_fresh_renderer", |b| {
        b.iter_batched(
            Renderer::new,
            |fresh| fresh.pdf(black_box(&mixed), black_box(URL)),
            BatchSize::PerIteration,
        )
    });
    c.bench_function("png", |b| b.iter(|| renderer.png(black_box(&latin), black_box(URL))));
}

criterion_group!(benches, render);
criterion_main!(benches);
