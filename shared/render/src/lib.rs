//! Certify's certificate renderer: one page, described in Rust (`layout.rs`), filled with
//! a certificate and drawn two ways.
//!
//! - [`Renderer::pdf`]: a one-page A4 landscape PDF, vector, with real text, written by
//!   krilla (`pdf.rs`): fonts embedded as subsets (TrueType, and CFF for the CJK
//!   collections and Unifont), every glyph mapped to the text it stands for, `/Lang` the
//!   certificate's locale.
//! - [`Renderer::png`]: a raster preview of the same page, [`PREVIEW_WIDTH`] x
//!   [`PREVIEW_HEIGHT`] pixels, drawn by tiny-skia from the fonts' outlines (`png.rs`).
//!
//! Both draw one `layout::Scene`: every text cut into bidi level runs (UAX #9) and runs
//! of one font, shaped by harfrust (`shape.rs`), fitted to its place (shrunk to a floor,
//! then wrapped onto two lines; never cut); a right-to-left locale (ar, he) mirrors the
//! page. So the preview shows exactly the glyphs and places of the PDF.
//!
//! Fonts are data (SPEC 1.17): the files of `$CERTIFY_FONTS_DIR` (on AWS the fonts
//! layer, `/opt/fonts`), else the repository's `fonts/`, each read on the first
//! certificate that needs it and kept by the renderer; a missing file is
//! [`RenderError::Font`]. `fonts.rs` holds the one table of scripts and their fonts and
//! the fallback (the script's font, NotoSans, Symbola, Unifont, UnifontUpper), checked
//! per character against each font's cmap; a character no font has is drawn as U+FFFD
//! and listed by [`Renderer::uncovered`]. The fixed words and dates come from
//! `certify-i18n` in the certificate's locale. No clock, no AWS; the only I/O is reading
//! the font files.

mod fonts;
mod layout;
mod lines;
mod pdf;
mod png;
mod qr;
mod shape;

#[cfg(test)]
mod tests;

use certify_rules::certificate::Certificate;

use crate::fonts::Store;
use crate::layout::Scene;

/// A line of text as the page sets it: the text, its left edge and width in points, the
/// glyph ids it draws. For the tests.
#[doc(hidden)]
pub type LaidText = (String, f32, f32, Vec<u32>);

/// The PNG preview's width in pixels; its height keeps the page's proportions.
pub const PREVIEW_WIDTH: u32 = 1200;
/// `PREVIEW_WIDTH * 595 / 842`, rounded up.
pub const PREVIEW_HEIGHT: u32 = 848;

/// Why a certificate could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The verification URL is longer than a QR code holds (2,331 bytes).
    #[error("the verification URL does not fit in a QR code")]
    Qr(#[from] qrcode::types::QrError),
    /// A font file is missing or unreadable: the fonts folder (`$CERTIFY_FONTS_DIR`, on
    /// AWS the fonts layer) is incomplete.
    #[error("a font cannot be read: {0}")]
    Font(String),
    /// krilla could not write the PDF (a font it cannot embed, a shape it refuses).
    #[error("the certificate's PDF could not be written: {0}")]
    Pdf(String),
    /// The preview could not be rasterized or encoded.
    #[error("the certificate's PNG preview could not be written")]
    Png(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The preview as PNG, quickly: fdeflate's fast compression, Paeth filtering and RGB
/// when every pixel is opaque (the page is; it also skips demultiplying). Measured on
/// the bench's certificate: 3.4 ms and 98 kB against tiny-skia's default encoding's
/// 6.2 ms and 208 kB.
fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, RenderError> {
    let rgba = pixmap.data();
    let opaque = rgba.chunks_exact(4).all(|p| p[3] == u8::MAX);
    let (color, data): (::png::ColorType, Vec<u8>) = if opaque {
        (
            ::png::ColorType::Rgb,
            rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        )
    } else {
        // Premultiplied as drawn; the page is opaque, so this is a fallback only.
        (::png::ColorType::Rgba, rgba.to_vec())
    };
    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(color);
    encoder.set_depth(::png::BitDepth::Eight);
    encoder.set_compression(::png::Compression::Fast);
    // Paeth on every row: on this page half the bytes of adaptive filtering, as fast.
    encoder.set_filter(::png::Filter::Paeth);
    let png = |e: ::png::EncodingError| RenderError::Png(e.into());
    let mut writer = encoder.write_header().map_err(png)?;
    writer.write_image_data(&data).map_err(png)?;
    writer.finish().map_err(png)?;
    Ok(out)
}

/// Draws certificates. Building one reads no font: each font file is read on the first
/// certificate that needs it and kept. Keep one per process (it is `Send + Sync`) and
/// share it.
pub struct Renderer {
    fonts: Store,
}

impl Default for Renderer {
    fn default() -> Renderer {
        Renderer::new()
    }
}

impl Renderer {
    pub fn new() -> Renderer {
        Renderer { fonts: Store::new() }
    }

    /// The certificate as a one-page PDF. Fails on a verification URL too long for a QR
    /// code ([`RenderError::Qr`]) or a font file that cannot be read ([`RenderError::Font`]).
    pub fn pdf(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<u8>, RenderError> {
        let scene = Scene::new(&self.fonts, certificate, verify_url)?;
        let title = format!("{}: {}", certificate.certification.name, certificate.holder_name);
        pdf::write(&self.fonts, &scene, &title)
    }

    /// The certificate's preview as a PNG of [`PREVIEW_WIDTH`] x [`PREVIEW_HEIGHT`] pixels.
    /// Fails as [`Renderer::pdf`] does.
    pub fn png(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<u8>, RenderError> {
        let scene = Scene::new(&self.fonts, certificate, verify_url)?;
        encode(&png::draw(&self.fonts, &scene, &mut Vec::new())?)
    }

    /// The characters of `certificate`'s texts that no font has, each once, in text
    /// order; they are drawn as U+FFFD. A font file that cannot be read is not reported
    /// here but by [`Renderer::pdf`] and [`Renderer::png`], which fail with
    /// [`RenderError::Font`]; then this list is empty.
    pub fn uncovered(&self, certificate: &Certificate, verify_url: &str) -> Vec<char> {
        Scene::new(&self.fonts, certificate, verify_url).map_or_else(|_| Vec::new(), |scene| scene.uncovered)
    }

    /// Each line of text the page sets: the text, where it starts and how wide it is
    /// (points), and the glyph ids it draws in its fonts. For the tests.
    #[doc(hidden)]
    pub fn layout_for_tests(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<LaidText>, RenderError> {
        let scene = Scene::new(&self.fonts, certificate, verify_url)?;
        Ok(scene
            .texts()
            .map(|text| {
                let glyphs = text.shaped.glyphs().map(|g| g.id).collect();
                (text.shaped.text.clone(), text.x, text.width(), glyphs)
            })
            .collect())
    }

    /// The id of every glyph the preview hands to its rasteriser. For the tests.
    #[doc(hidden)]
    pub fn png_glyphs_for_tests(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<u32>, RenderError> {
        let scene = Scene::new(&self.fonts, certificate, verify_url)?;
        let mut drawn = Vec::new();
        png::draw(&self.fonts, &scene, &mut drawn)?;
        Ok(drawn)
    }
}
