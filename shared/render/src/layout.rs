//! What goes in each slot of the template: the certificate's texts cleaned, sized to fit
//! their place on the page, and the QR code of the verification URL as path data.
//!
//! Widths are measured with the bundled fonts' own advance widths (`hmtx`, through the
//! `cmap`), the same fonts usvg then shapes the text with. Kerning is left out, which for
//! DejaVu Sans only narrows text, so a line measured to fit does fit.

use std::fmt::Write;

use certify_rules::certificate::Certificate;
use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use certify_rules::locale::Locale;

use crate::fonts::{self, FontId, Store};
use crate::template::Slot;
use crate::{qr, RenderError};

/// Where each sized text sits, as drawn in `template/certificate.svg`: its largest and
/// smallest font size and the width it may take, all in points.
pub(crate) const HOLDER: Fit = Fit {
    max: 40.0,
    min: 16.0,
    width: 720.0,
};
const CERTIFICATION: Fit = Fit {
    max: 22.0,
    min: 12.0,
    width: 680.0,
};
const ISSUER: Fit = Fit {
    max: 13.0,
    min: 8.0,
    width: 220.0,
};
const REFERENCE: Fit = Fit {
    max: 10.0,
    min: 6.0,
    width: 600.0,
};
const DESCRIPTION_SIZE: f32 = 11.0;
const DESCRIPTION_WIDTH: f32 = 640.0;
const DESCRIPTION_LINES: usize = 3;
/// The side of the QR code's square, in points.
const QR_SIDE: f32 = 92.0;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fit {
    pub(crate) max: f32,
    /// The floor SPEC 1.17 shrinks to before wrapping onto two lines; wrapping is not
    /// done yet, so a text still too wide there keeps shrinking (the tests read it).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) min: f32,
    pub(crate) width: f32,
}

/// The advance widths, at 1 pt, of every character of a page's texts in one weight, each
/// from the font that draws it ([`fonts::runs`]).
#[derive(Debug, Clone)]
pub(crate) struct Metrics {
    advances: HashMap<char, f32>,
}

impl Metrics {
    /// Measures the characters of `texts` (and the ellipsis) in their fonts, reading the
    /// fonts they need; notes the fonts and the characters no font has.
    fn new(
        store: &Store,
        bold: bool,
        locale: Locale,
        texts: &[&str],
        used: &mut Vec<FontId>,
        uncovered: &mut Vec<char>,
    ) -> Result<Metrics, RenderError> {
        let mut advances = HashMap::new();
        for text in texts {
            for run in fonts::runs(store, text, bold, locale)? {
                if !used.contains(&run.font) {
                    used.push(run.font);
                }
                let face = store.face(run.font)?;
                let upem = f32::from(face.units_per_em());
                for c in text[run.range.clone()].chars() {
                    if run.uncovered && !uncovered.contains(&c) {
                        uncovered.push(c);
                    }
                    let drawn = if run.uncovered { '\u{FFFD}' } else { c };
                    let glyph = face.glyph_index(drawn).unwrap_or(ttf_parser::GlyphId(0));
                    let advance = if fonts::is_invisible(c) {
                        0.0
                    } else {
                        f32::from(face.glyph_hor_advance(glyph).unwrap_or(0)) / upem
                    };
                    advances.entry(c).or_insert(advance);
                }
            }
        }
        Ok(Metrics { advances })
    }

    fn advance(&self, c: char) -> f32 {
        self.advances.get(&c).copied().unwrap_or(0.0)
    }

    /// The width of `text` set at 1 pt, in points.
    pub(crate) fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }
}

/// One line of text at the size that fits its place.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub(crate) text: String,
    pub(crate) size: f32,
    size_attr: String,
}

impl Line {
    fn new(text: String, size: f32) -> Line {
        Line {
            text,
            size,
            size_attr: format!("{size:.2}"),
        }
    }
}

/// Every value the template asks for, ready to be escaped into it.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    pub(crate) holder: Line,
    pub(crate) certification: Line,
    pub(crate) description: [String; DESCRIPTION_LINES],
    /// The description's font size, as the SVG writes it.
    pub(crate) description_size: String,
    pub(crate) issuer: Line,
    pub(crate) issued_on: String,
    pub(crate) expires_on: String,
    pub(crate) id: Line,
    pub(crate) url: Line,
    /// The verification URL's QR code.
    pub(crate) qr: qr::Modules,
    qr_scale: String,
    qr_path: String,
    /// The fonts the page's texts are drawn in.
    pub(crate) fonts: Vec<FontId>,
    /// The characters no font has, each once, in text order.
    pub(crate) uncovered: Vec<char>,
    pub(crate) locale: Locale,
    /// The certificate's fixed words in its locale.
    pub(crate) words: certify_i18n::CertificateWords,
    /// The advances the texts were fitted with, bold and regular (the tests check fits).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) bold: Metrics,
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) regular: Metrics,
}

impl Page {
    /// Lays out `certificate`, reading the fonts its texts need; fails when
    /// `verify_url` is too long for a QR code or a font cannot be read.
    pub(crate) fn new(store: &Store, certificate: &Certificate, verify_url: &str) -> Result<Page, RenderError> {
        let qr = qr::encode(verify_url.as_bytes())?;
        let qr_path = qr_path(&qr);
        let cert = &certificate.certification;
        let locale = cert.locale;
        let holder = clean(&certificate.holder_name);
        let name = clean(&cert.name);
        let description = clean(&cert.description);
        let issuer = clean(&cert.issuer_name);
        let id = clean(&certificate.id);
        let url = clean(verify_url);
        let words = certify_i18n::certificate_words(locale);
        let issued_on = certify_i18n::long_date(locale, certificate.issued_on);
        let expires_on = certificate
            .expires_on
            .map_or_else(|| words.no_expiry.clone(), |day| certify_i18n::long_date(locale, day));
        let (mut used, mut uncovered) = (Vec::new(), Vec::new());
        // In text order: the bold texts and the regular ones as the page reads down.
        let bold = Metrics::new(
            store,
            true,
            locale,
            &[&holder, &name, &words.title, "\u{2026}"],
            &mut used,
            &mut uncovered,
        )?;
        let regular = Metrics::new(
            store,
            false,
            locale,
            &[
                &description,
                &issuer,
                &issued_on,
                &expires_on,
                &id,
                &url,
                &words.certifies,
                &words.awarded,
                &words.issued_by,
                &words.issued_on,
                &words.expires,
                &words.certificate_id,
                &words.verify_at,
                "\u{2026}",
            ],
            &mut used,
            &mut uncovered,
        )?;
        let (size, description) = wrap_whole(&regular, &description);
        let description_size = format!("{size:.2}");
        Ok(Page {
            holder: fit(&bold, &holder, HOLDER),
            certification: fit(&bold, &name, CERTIFICATION),
            description,
            description_size,
            issuer: fit(&regular, &issuer, ISSUER),
            issued_on,
            expires_on,
            id: fit(&regular, &id, REFERENCE),
            url: fit(&regular, &url, REFERENCE),
            qr_scale: format!("{:.4}", QR_SIDE / qr.width as f32),
            qr_path,
            qr,
            fonts: used,
            uncovered,
            locale,
            bold,
            regular,
            words,
        })
    }

    /// The unescaped value of `slot`.
    pub(crate) fn value(&self, slot: Slot) -> &str {
        match slot {
            Slot::Title => &self.words.title,
            Slot::DescriptionSize => &self.description_size,
            Slot::Certifies => &self.words.certifies,
            Slot::Awarded => &self.words.awarded,
            Slot::IssuedByLabel => &self.words.issued_by,
            Slot::IssuedOnLabel => &self.words.issued_on,
            Slot::ExpiresLabel => &self.words.expires,
            Slot::IdLabel => &self.words.certificate_id,
            Slot::VerifyLabel => &self.words.verify_at,
            Slot::HolderName => &self.holder.text,
            Slot::HolderSize => &self.holder.size_attr,
            Slot::CertificationName => &self.certification.text,
            Slot::CertificationSize => &self.certification.size_attr,
            Slot::Description1 => &self.description[0],
            Slot::Description2 => &self.description[1],
            Slot::Description3 => &self.description[2],
            Slot::IssuerName => &self.issuer.text,
            Slot::IssuerSize => &self.issuer.size_attr,
            Slot::IssuedOn => &self.issued_on,
            Slot::ExpiresOn => &self.expires_on,
            Slot::CertificateId => &self.id.text,
            Slot::IdSize => &self.id.size_attr,
            Slot::VerifyUrl => &self.url.text,
            Slot::UrlSize => &self.url.size_attr,
            Slot::QrScale => &self.qr_scale,
            Slot::QrPath => &self.qr_path,
        }
    }
}

/// `text` as one line of words: whitespace runs become one space (as SVG would draw them
/// anyway, and measuring must agree) and control characters, which no font draws, go.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let text: String = text.nfc().collect();
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        // Noncharacters (U+FFFE, U+FFFF, ...) are not text either.
        out.extend(word.chars().filter(|&c| {
            !c.is_control() && !matches!(c as u32 & 0xFFFE, 0xFFFE) && !('\u{FDD0}'..='\u{FDEF}').contains(&c)
        }));
    }
    out
}

/// `text` on one line at the largest size up to `fit.max` that fits `fit.width`. Text
/// width grows linearly with the font size, so that size is `width / width_at_1pt`, found
/// in one measurement. It never goes below `fit.min`, which keeps the text legible; text
/// still too wide at that size is cut and ends with an ellipsis.
fn fit(metrics: &Metrics, text: &str, fit: Fit) -> Line {
    let em = metrics.width(text);
    let size = if em * fit.max <= fit.width {
        fit.max
    } else {
        // Rounded down to the 1/100 pt written in the SVG, so rounding cannot overflow.
        // Never cut: below `fit.min` the text keeps shrinking (no two-line wrap yet).
        (fit.width / em * 100.0).floor() / 100.0
    };
    Line::new(text.to_string(), size)
}

/// The description whole in its lines: at [`DESCRIPTION_SIZE`] when it fits, else at the
/// largest size (in 1% steps) at which it does; the size and the lines.
fn wrap_whole(metrics: &Metrics, text: &str) -> (f32, [String; DESCRIPTION_LINES]) {
    let em = metrics.width(text);
    // All of it on the lines, end to end, is the least it takes.
    let mut size = DESCRIPTION_SIZE.min(DESCRIPTION_WIDTH * DESCRIPTION_LINES as f32 / em.max(f32::EPSILON));
    size = (size * 100.0).floor() / 100.0;
    loop {
        if let Some(lines) = wrap(metrics, text, size, DESCRIPTION_WIDTH) {
            return (size, lines);
        }
        size = (size * 99.0).floor() / 100.0;
    }
}

/// Greedy word wrap of `text` into the description's lines at `size`, `width` wide; a word
/// wider than a line is broken between characters. `None` when it takes more lines.
fn wrap(metrics: &Metrics, text: &str, size: f32, width: f32) -> Option<[String; DESCRIPTION_LINES]> {
    let em = width / size;
    // One line more than shown, to know whether the last shown line is the end.
    let mut lines: Vec<String> = Vec::with_capacity(DESCRIPTION_LINES + 1);
    let mut line = String::new();
    let mut line_em = 0.0;
    let space = metrics.advance(' ');
    'words: for word in text.split(' ') {
        let word_em = metrics.width(word);
        if !line.is_empty() && line_em + space + word_em <= em {
            line.push(' ');
            line.push_str(word);
            line_em += space + word_em;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            if lines.len() > DESCRIPTION_LINES {
                break 'words;
            }
        }
        line_em = 0.0;
        for c in word.chars() {
            let advance = metrics.advance(c);
            if !line.is_empty() && line_em + advance > em {
                lines.push(std::mem::take(&mut line));
                line_em = 0.0;
                if lines.len() > DESCRIPTION_LINES {
                    break 'words;
                }
            }
            line.push(c);
            line_em += advance;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    if lines.len() > DESCRIPTION_LINES {
        return None;
    }
    let mut shown = lines.into_iter();
    Some(std::array::from_fn(|_| shown.next().unwrap_or_default()))
}

/// The QR code as SVG path data, one unit per module (each row's dark runs as
/// rectangles). The page around it is its quiet zone.
fn qr_path(code: &qr::Modules) -> String {
    let mut path = String::with_capacity(code.width * code.width * 4);
    for (y, start, run) in code.runs() {
        // Writing to a String cannot fail.
        let _ = write!(path, "M{start} {y}h{run}v1h-{run}z");
    }
    path
}
