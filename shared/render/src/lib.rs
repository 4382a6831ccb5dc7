//! Certify's certificate renderer: one page (`template/certificate.svg`) filled with a
//! certificate, drawn two ways.
//!
//! - [`Renderer::pdf`]: a one-page A4 landscape PDF, vector, with real text: each text
//!   cut into bidi level runs (UAX #9, `unicode-bidi`) in visual order, each into runs of
//!   one font, shaped by rustybuzz in its direction with the locale's language; fonts
//!   embedded as subsets (TrueType, and CFF for the CJK collections and Unifont). Texts
//!   without right-to-left letters carry an ActualText of the text as given (NFC,
//!   logical order); right-to-left texts are mapped glyph by glyph in visual order,
//!   clusters whole, as readers expect. `/Lang` is the certificate's locale. A
//!   right-to-left locale (ar, he) mirrors the page.
//! - [`Renderer::png`]: a raster preview of the same page, [`PREVIEW_WIDTH`] x
//!   [`PREVIEW_HEIGHT`] pixels: the template filled as SVG, drawn by resvg with the fonts
//!   the page uses (not mirrored yet).
//!
//! Fonts are data (SPEC 1.17): the files of `$CERTIFY_FONTS_DIR` (on AWS the fonts
//! layer, `/opt/fonts`), else the repository's `fonts/`, each read on the first
//! certificate that needs it and kept by the renderer; a missing file is
//! [`RenderError::Font`]. `fonts.rs` holds the one table of scripts and their fonts and
//! the fallback (the script's font, NotoSans, Symbola, Unifont, UnifontUpper), checked
//! per character against each font's cmap; a character no font has is drawn as U+FFFD
//! and listed by [`Renderer::uncovered`]. The fixed words and dates come from
//! `certify-i18n` in the certificate's locale. Every text is XML-escaped into the
//! template, so no value can change the page's markup. No clock, no AWS; the only I/O is
//! reading the font files.

mod fonts;
mod layout;
mod pdf;
mod qr;
mod template;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use certify_rules::certificate::Certificate;
use resvg::tiny_skia::{Pixmap, Transform};
use usvg::fontdb::{Database, Source};
use usvg::{ImageHrefResolver, Options, Tree};

use crate::fonts::Store;
use crate::layout::Page;
use crate::pdf::Marks;
use crate::template::{Template, CERTIFICATE_SVG};

/// A text as the PDF draws it: the text, its left edge and width in points, the glyph
/// ids it draws. For the tests.
#[doc(hidden)]
pub type LaidText = (String, f32, f32, Vec<u16>);

/// The preview's font family, the primary font's.
const FAMILY: &str = "Noto Sans";

/// The page's size in points: A4 landscape, as the template's `viewBox` draws it.
const PAGE_WIDTH: f32 = 842.0;
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
    /// The filled template is not an SVG usvg reads: a bug in the template or the escaping.
    #[error("the certificate's SVG is invalid")]
    Svg(#[from] usvg::Error),
    /// The preview could not be rasterized or encoded.
    #[error("the certificate's PNG preview could not be written")]
    Png(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The preview as PNG, quickly: fdeflate's fast compression, Paeth filtering and RGB
/// when every pixel is opaque (the page is; it also skips demultiplying). Measured on
/// the bench's certificate: 3.4 ms and 98 kB against tiny-skia's default encoding's
/// 6.2 ms and 208 kB.
fn encode(pixmap: &Pixmap) -> Result<Vec<u8>, RenderError> {
    let rgba = pixmap.data();
    if !rgba.chunks_exact(4).all(|p| p[3] == u8::MAX) {
        return pixmap.encode_png().map_err(|e| RenderError::Png(e.into()));
    }
    let rgb: Vec<u8> = rgba.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    // Paeth on every row: on this page half the bytes of adaptive filtering, as fast.
    encoder.set_filter(png::FilterType::Paeth);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
    let png = |e: png::EncodingError| RenderError::Png(e.into());
    let mut writer = encoder.write_header().map_err(png)?;
    writer.write_image_data(&rgb).map_err(png)?;
    writer.finish().map_err(png)?;
    Ok(out)
}

/// Draws certificates. Building one reads no font: each font file is read on the first
/// certificate that needs it and kept. Keep one per process (it is `Send + Sync`) and
/// share it.
pub struct Renderer {
    template: Template,
    /// The template as the PDF draws it.
    marks: Marks,
    fonts: Store,
}

impl Default for Renderer {
    fn default() -> Renderer {
        Renderer::new()
    }
}

impl Renderer {
    pub fn new() -> Renderer {
        Renderer {
            template: Template::parse(CERTIFICATE_SVG),
            marks: Marks::parse(CERTIFICATE_SVG),
            fonts: Store::new(),
        }
    }

    /// The certificate as a one-page PDF. Fails on a verification URL too long for a QR
    /// code ([`RenderError::Qr`]) or a font file that cannot be read ([`RenderError::Font`]).
    pub fn pdf(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<u8>, RenderError> {
        let page = Page::new(&self.fonts, certificate, verify_url)?;
        let title = format!("{}: {}", certificate.certification.name, certificate.holder_name);
        pdf::write(&self.marks, &self.fonts, &page, &title)
    }

    /// The certificate's preview as a PNG of [`PREVIEW_WIDTH`] x [`PREVIEW_HEIGHT`] pixels.
    /// Fails as [`Renderer::pdf`] does.
    pub fn png(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<u8>, RenderError> {
        let tree = self.tree(certificate, verify_url)?;
        let mut pixmap = Pixmap::new(PREVIEW_WIDTH, PREVIEW_HEIGHT)
            .ok_or_else(|| RenderError::Png("the preview's size is not drawable".into()))?;
        let scale = PREVIEW_WIDTH as f32 / PAGE_WIDTH;
        resvg::render(&tree, Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        encode(&pixmap)
    }

    /// The characters of `certificate`'s texts that no font has, each once, in text
    /// order; they are drawn as U+FFFD. A font file that cannot be read is not reported
    /// here but by [`Renderer::pdf`] and [`Renderer::png`], which fail with
    /// [`RenderError::Font`]; then this list is empty.
    pub fn uncovered(&self, certificate: &Certificate, verify_url: &str) -> Vec<char> {
        Page::new(&self.fonts, certificate, verify_url).map_or_else(|_| Vec::new(), |page| page.uncovered)
    }

    /// Each non-empty text the PDF draws: the text, where it starts and how wide it is
    /// (points), and the glyph ids it draws in its fonts. For the tests.
    #[doc(hidden)]
    pub fn layout_for_tests(&self, certificate: &Certificate, verify_url: &str) -> Result<Vec<LaidText>, RenderError> {
        let page = Page::new(&self.fonts, certificate, verify_url)?;
        pdf::text_extents(&self.marks, &self.fonts, &page)
    }

    /// The template filled with `certificate`, as SVG source, and the page.
    fn svg(&self, certificate: &Certificate, verify_url: &str) -> Result<(String, Page), RenderError> {
        let page = Page::new(&self.fonts, certificate, verify_url)?;
        let svg = self.template.fill(|slot| {
            let value = page.value(slot);
            if page.uncovered.is_empty() {
                value.to_string()
            } else {
                value
                    .chars()
                    .map(|c| if page.uncovered.contains(&c) { '\u{FFFD}' } else { c })
                    .collect()
            }
        });
        Ok((svg, page))
    }

    fn tree(&self, certificate: &Certificate, verify_url: &str) -> Result<Tree, RenderError> {
        let (svg, page) = self.svg(certificate, verify_url)?;
        // usvg's fonts: only the files this page's texts use, shared, not copied.
        let mut fontdb = Database::new();
        let mut files = Vec::new();
        for font in &page.fonts {
            if !files.contains(&font.file) {
                files.push(font.file);
                let data: Arc<Vec<u8>> = Arc::clone(self.fonts.data(*font)?);
                fontdb.load_font_source(Source::Binary(data));
            }
        }
        fontdb.set_sans_serif_family(FAMILY);
        let options = Options {
            font_family: FAMILY.to_string(),
            fontdb: Arc::new(fontdb),
            // The template has no images: refuse every `href`, above all files on disk.
            image_href_resolver: ImageHrefResolver {
                resolve_data: Box::new(|_, _, _| None),
                resolve_string: Box::new(|_, _| None),
            },
            ..Options::default()
        };
        Ok(Tree::from_str(&svg, &options)?)
    }
}
