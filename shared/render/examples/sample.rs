//! Writes a sample certificate as `certificate.pdf` and `certificate.png` into a folder, to
//! look at: `cargo run -p certify-render --example sample -- /tmp/certificate`. A second
//! argument replaces the holder's name.

use std::error::Error;
use std::path::PathBuf;

use certify_render::Renderer;
use certify_rules::certificate::{Certificate, CertificationSnapshot};
use certify_rules::program::ProgramRef;
use chrono::NaiveDate;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: sample DIR [HOLDER NAME]")?);
    let holder_name = args.next().unwrap_or_else(|| "Zoë Łukasiewicz-Øster".to_string());
    let certificate = Certificate {
        id: "c-01J9Z8Q4K7".to_string(),
        user_id: "u-42".to_string(),
        holder_name,
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
        issued_on: NaiveDate::from_ymd_opt(2026, 3, 7).ok_or("bad date")?,
        expires_on: NaiveDate::from_ymd_opt(2028, 3, 7),
        revoked_at: None,
        revoked_reason: None,
        replaced_by: None,
        note: None,
        holder_email: None,
        status: None,
    };
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
