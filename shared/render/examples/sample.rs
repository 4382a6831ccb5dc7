//! Writes a sample certificate as `certificate.pdf` and `certificate.png` into a folder, to
//! look at: `cargo run -p certify-render --example sample -- /tmp/certificate`. A second
//! argument replaces the holder's name, a third the certificate's locale (`ar`, `ja`, ...).

use std::error::Error;
use std::path::PathBuf;

use certify_fixtures::sample;
use certify_render::Renderer;
use certify_rules::certificate::Certificate;
use certify_rules::Locale;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: sample DIR [HOLDER NAME [LOCALE]]")?);
    let holder_name = args.next().unwrap_or_else(|| "Zoë Łukasiewicz-Øster".to_string());
    let mut certificate = Certificate {
        holder_name,
        ..sample::food_safety()
    };
    if let Some(tag) = args.next() {
        certificate.certification.locale = Locale::parse(&tag).ok_or("the locale is not a supported tag")?;
    }
    let url = "https://certify.example.com/verify/c-01J9Z8Q4K7";
    let renderer = Renderer::new();
    std::fs::create_dir_all(&dir)?;
    let pdf = renderer.pdf(&certificate, url)?;
    let png = renderer.png(&certificate, url)?;
    std::fs::write(dir.join("certificate.pdf"), &pdf)?;
    std::fs::write(dir.join("certificate.png"), &png)?;
    println!(
        "certificate.pdf: {} bytes, certificate.png: {} bytes",
        pdf.len(),
        png.len()
    );
    Ok(())
}
