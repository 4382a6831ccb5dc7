//! What goes in each slot of the template: the certificate's texts cleaned, sized to fit
//! their place on the page, and the QR code of the verification URL as path data.
//!
//! Widths are measured with the bundled fonts' own advance widths (`hmtx`, through the
//! `cmap`), the same fonts usvg then shapes the text with. Kerning is left out, which for
//! DejaVu Sans only narrows text, so a line measured to fit does fit.

use std::fmt::Write;

use certify_rules::certificate::Certificate;
use chrono::NaiveDate;
use ttf_parser::Face;

use crate::qr;
use crate::template::Slot;

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

const ELLIPSIS: char = '…';
const NO_EXPIRY: &str = "Does not expire";

#[derive(Debug, Clone, Copy)]
pub(crate) struct Fit {
    pub(crate) max: f32,
    pub(crate) min: f32,
    pub(crate) width: f32,
}

/// A font's advance widths, for measuring text before it is drawn.
pub(crate) struct Metrics {
    face: Face<'static>,
    units_per_em: f32,
    /// Advances of U+0000..U+007F, the common case, looked up once.
    ascii: [f32; 128],
}

impl Metrics {
    /// Panics when `font` is not a font: it is one of the crate's bundled fonts, and every
    /// renderer built in the tests parses it.
    pub(crate) fn new(font: &'static [u8]) -> Metrics {
        let face = Face::parse(font, 0).unwrap_or_else(|e| panic!("a bundled font does not parse: {e}"));
        let units_per_em = f32::from(face.units_per_em());
        let mut metrics = Metrics {
            face,
            units_per_em,
            ascii: [0.0; 128],
        };
        let ascii: [f32; 128] = std::array::from_fn(|i| metrics.lookup(char::from(i as u8)));
        metrics.ascii = ascii;
        metrics
    }

    fn lookup(&self, c: char) -> f32 {
        // A character the font lacks is drawn as its .notdef glyph (glyph 0).
        let glyph = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        f32::from(self.face.glyph_hor_advance(glyph).unwrap_or(0)) / self.units_per_em
    }

    fn advance(&self, c: char) -> f32 {
        match self.ascii.get(c as usize) {
            Some(&advance) => advance,
            None => self.lookup(c),
        }
    }

    /// The width of `text` set at 1 pt, in points.
    pub(crate) fn width(&self, text: &str) -> f32 {
        text.chars().map(|c| self.advance(c)).sum()
    }
}

/// The two bundled faces, measured.
pub(crate) struct Fonts {
    pub(crate) regular: Metrics,
    pub(crate) bold: Metrics,
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
    pub(crate) issuer: Line,
    pub(crate) issued_on: String,
    pub(crate) expires_on: String,
    pub(crate) id: Line,
    pub(crate) url: Line,
    /// The verification URL's QR code.
    pub(crate) qr: qr::Modules,
    qr_scale: String,
    qr_path: String,
}

impl Page {
    /// Lays out `certificate`; fails only when `verify_url` is too long for a QR code.
    pub(crate) fn new(
        fonts: &Fonts,
        certificate: &Certificate,
        verify_url: &str,
    ) -> Result<Page, qrcode::types::QrError> {
        let qr = qr::encode(verify_url.as_bytes())?;
        let qr_path = qr_path(&qr);
        let cert = &certificate.certification;
        Ok(Page {
            holder: fit(&fonts.bold, &clean(&certificate.holder_name), HOLDER),
            certification: fit(&fonts.bold, &clean(&cert.name), CERTIFICATION),
            description: wrap(
                &fonts.regular,
                &clean(&cert.description),
                DESCRIPTION_SIZE,
                DESCRIPTION_WIDTH,
            ),
            issuer: fit(&fonts.regular, &clean(&cert.issuer_name), ISSUER),
            issued_on: date(certificate.issued_on),
            expires_on: certificate.expires_on.map_or_else(|| NO_EXPIRY.to_string(), date),
            id: fit(&fonts.regular, &clean(&certificate.id), REFERENCE),
            url: fit(&fonts.regular, &clean(verify_url), REFERENCE),
            qr_scale: format!("{:.4}", QR_SIDE / qr.width as f32),
            qr_path,
            qr,
        })
    }

    /// The unescaped value of `slot`.
    pub(crate) fn value(&self, slot: Slot) -> &str {
        match slot {
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

/// "7 March 2026": unambiguous to any reader, whatever their date order.
fn date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// `text` as one line of words: whitespace runs become one space (as SVG would draw them
/// anyway, and measuring must agree) and control characters, which no font draws, go.
pub(crate) fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().filter(|c| !c.is_control()));
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
        (fit.width / em * 100.0).floor() / 100.0
    };
    if size >= fit.min {
        return Line::new(text.to_string(), size);
    }
    Line::new(ellipsize(metrics, text, fit.width / fit.min), fit.min)
}

/// The longest start of `text` that, with an ellipsis, is at most `em` wide at 1 pt.
fn ellipsize(metrics: &Metrics, text: &str, em: f32) -> String {
    let budget = em - metrics.advance(ELLIPSIS);
    let mut used = 0.0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        used += metrics.advance(c);
        if used > budget {
            break;
        }
        end = i + c.len_utf8();
    }
    let mut cut = text[..end].trim_end().to_string();
    cut.push(ELLIPSIS);
    cut
}

/// Greedy word wrap of `text` into the description's lines at `size`, `width` wide; a word
/// wider than a line is broken between characters, and text left over after the last line
/// is cut there with an ellipsis. Unused lines are empty.
fn wrap(metrics: &Metrics, text: &str, size: f32, width: f32) -> [String; DESCRIPTION_LINES] {
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
        let rest = lines.split_off(DESCRIPTION_LINES);
        if let Some(last) = lines.last_mut() {
            // Joined with what follows, so the cut always happens and shows.
            let joined = format!("{last} {}", rest.join(" "));
            *last = ellipsize(metrics, &joined, em);
        }
    }
    let mut shown = lines.into_iter();
    std::array::from_fn(|_| shown.next().unwrap_or_default())
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
