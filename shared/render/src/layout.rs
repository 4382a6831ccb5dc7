//! The certificate's page, described once in Rust and drawn twice (`pdf.rs`, `png.rs`):
//! A4 landscape in points, y down. Every text is shaped ([`shape`]) and fitted to its
//! place: at its size when it fits, else shrunk down to its floor, else wrapped onto two
//! lines at the floor (a line still too wide there shrinks further); the description
//! takes up to three lines. Nothing is ever cut. A right-to-left locale mirrors the page.

use certify_rules::certificate::Certificate;
use certify_rules::locale::{Direction, Locale};

use crate::fonts::Store;
use crate::lines::{break_in_two, clean, size_to_fit, wrap};
use crate::shape::{shape, spaceable, Shaped};
use crate::{qr, RenderError};

/// The page's size in points: A4 landscape.
pub(crate) const PAGE_WIDTH: f32 = 842.0;
pub(crate) const PAGE_HEIGHT: f32 = 595.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
const INK: Rgb = Rgb(0x1f, 0x2a, 0x44);
const MUTED: Rgb = Rgb(0x5b, 0x64, 0x75);
const GOLD: Rgb = Rgb(0xb0, 0x8d, 0x57);

/// The largest and smallest size of a text and the width it may take, in points.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fit {
    pub(crate) max: f32,
    pub(crate) min: f32,
    pub(crate) width: f32,
}

const fn fit(max: f32, min: f32, width: f32) -> Fit {
    Fit { max, min, width }
}

pub(crate) const HOLDER: Fit = fit(40.0, 16.0, 720.0);
const CERTIFICATION: Fit = fit(22.0, 12.0, 680.0);
const ISSUER: Fit = fit(13.0, 8.0, 220.0);
const REFERENCE: Fit = fit(10.0, 6.0, 600.0);
const TITLE: Fit = fit(30.0, 16.0, 740.0);
const LEAD: Fit = fit(13.0, 9.0, 720.0);
const COLUMN: Fit = fit(13.0, 8.0, 220.0);
const COLUMN_LABEL: Fit = fit(8.0, 6.0, 220.0);
const LABEL: Fit = fit(8.0, 6.0, 600.0);
pub(crate) const DESCRIPTION_SIZE: f32 = 11.0;
pub(crate) const DESCRIPTION_WIDTH: f32 = 640.0;
pub(crate) const DESCRIPTION_LINES: usize = 3;
const DESCRIPTION_TOP: f32 = 326.0;
const DESCRIPTION_LEADING: f32 = 15.0;
/// Letter spacing of the title and the labels, in points: under a tenth of their size,
/// below which readers (poppler, pdf.js) do not take a gap between letters for a word
/// break, so the text layer reads "CERTIFICATE", not "C E R T I F I C A T E".
const TITLE_SPACING: f32 = 2.4;
const LABEL_SPACING: f32 = 0.6;
/// Two lines of a wrapped text are this many sizes apart.
const LEADING: f32 = 1.2;
/// The QR code's square: its top left corner and side, in points.
const QR_AT: (f32, f32) = (700.0, 452.0);
const QR_SIDE: f32 = 92.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// Where a text goes: its anchor point on its (first) baseline and how it is set.
#[derive(Debug, Clone, Copy)]
struct Place {
    x: f32,
    y: f32,
    anchor: Anchor,
    bold: bool,
    /// Letter spacing, points after each glyph but the last.
    spacing: f32,
    fill: Rgb,
    fit: Fit,
}

const fn centred(y: f32, bold: bool, fill: Rgb, fit: Fit) -> Place {
    Place {
        x: PAGE_WIDTH / 2.0,
        y,
        anchor: Anchor::Middle,
        bold,
        spacing: 0.0,
        fill,
        fit,
    }
}

/// One line of text, shaped and placed: its left edge and baseline.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub(crate) shaped: Shaped,
    pub(crate) x: f32,
    pub(crate) baseline: f32,
    pub(crate) size: f32,
    pub(crate) spacing: f32,
    pub(crate) fill: Rgb,
}

impl Text {
    pub(crate) fn width(&self) -> f32 {
        width(&self.shaped, self.size, self.spacing)
    }
}

fn width(shaped: &Shaped, size: f32, spacing: f32) -> f32 {
    shaped.em() * size + spacing * shaped.glyph_count().saturating_sub(1) as f32
}

/// One thing the page draws.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        fill: Option<Rgb>,
        stroke: Option<(Rgb, f32)>,
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        stroke: (Rgb, f32),
    },
    Text(Text),
    /// The verification URL's QR code: one `module` square per dark module from (`x`, `y`).
    Qr {
        x: f32,
        y: f32,
        module: f32,
        fill: Rgb,
    },
}

/// A certificate's page, laid out.
#[derive(Debug, Clone)]
pub(crate) struct Scene {
    pub(crate) items: Vec<Item>,
    pub(crate) qr: qr::Modules,
    pub(crate) locale: Locale,
    /// The characters no font has, each once, in text order.
    pub(crate) uncovered: Vec<char>,
}

impl Scene {
    /// Lays out `certificate`, reading the fonts its texts need; fails when `verify_url`
    /// is too long for a QR code or a font cannot be read.
    pub(crate) fn new(store: &Store, certificate: &Certificate, verify_url: &str) -> Result<Scene, RenderError> {
        let qr = qr::encode(verify_url.as_bytes())?;
        let cert = &certificate.certification;
        let locale = cert.locale;
        let words = certify_i18n::certificate_words(locale);
        let issued_on = certify_i18n::long_date(locale, certificate.issued_on);
        let expires_on = certificate
            .expires_on
            .map_or_else(|| words.no_expiry.clone(), |day| certify_i18n::long_date(locale, day));
        let mut scene = Scene {
            items: vec![
                Item::Rect {
                    x: 0.0,
                    y: 0.0,
                    width: PAGE_WIDTH,
                    height: PAGE_HEIGHT,
                    fill: Some(WHITE),
                    stroke: None,
                },
                Item::Rect {
                    x: 20.0,
                    y: 20.0,
                    width: 802.0,
                    height: 555.0,
                    fill: None,
                    stroke: Some((INK, 3.0)),
                },
                Item::Rect {
                    x: 29.0,
                    y: 29.0,
                    width: 784.0,
                    height: 537.0,
                    fill: None,
                    stroke: Some((GOLD, 1.0)),
                },
                Item::Line {
                    from: (251.0, 234.0),
                    to: (591.0, 234.0),
                    stroke: (GOLD, 1.0),
                },
            ],
            locale,
            uncovered: Vec::new(),
            qr,
        };
        let rtl = locale.direction() == Direction::Rtl;
        let mut title = centred(98.0, true, INK, TITLE);
        title.spacing = TITLE_SPACING;
        let label = |x: f32, y: f32, anchor: Anchor, fit: Fit| Place {
            x,
            y,
            anchor,
            bold: false,
            spacing: LABEL_SPACING,
            fill: MUTED,
            fit,
        };
        let value = |x: f32, y: f32, anchor: Anchor, fit: Fit| Place {
            x,
            y,
            anchor,
            bold: false,
            spacing: 0.0,
            fill: INK,
            fit,
        };
        let middle = Anchor::Middle;
        let start = Anchor::Start;
        let texts: [(&str, Place); 15] = [
            (&words.title, title),
            (&words.certifies, centred(150.0, false, MUTED, LEAD)),
            (&certificate.holder_name, centred(212.0, true, INK, HOLDER)),
            (&words.awarded, centred(264.0, false, MUTED, LEAD)),
            (&cert.name, centred(300.0, true, INK, CERTIFICATION)),
            (&words.issued_by, label(191.0, 408.0, middle, COLUMN_LABEL)),
            (&words.issued_on, label(421.0, 408.0, middle, COLUMN_LABEL)),
            (&words.expires, label(651.0, 408.0, middle, COLUMN_LABEL)),
            (&cert.issuer_name, value(191.0, 428.0, middle, ISSUER)),
            (&issued_on, value(421.0, 428.0, middle, COLUMN)),
            (&expires_on, value(651.0, 428.0, middle, COLUMN)),
            (&words.certificate_id, label(64.0, 500.0, start, LABEL)),
            (&words.verify_at, label(64.0, 537.0, start, LABEL)),
            (&certificate.id, value(64.0, 515.0, start, REFERENCE)),
            (verify_url, value(64.0, 552.0, start, REFERENCE)),
        ];
        for (text, place) in texts {
            let place = if rtl { mirrored(place) } else { place };
            scene.fitted(store, &clean(text), place)?;
        }
        scene.description(store, &clean(&cert.description))?;
        let (x, y) = QR_AT;
        scene.items.push(Item::Qr {
            x: if rtl { PAGE_WIDTH - x - QR_SIDE } else { x },
            y,
            module: QR_SIDE / scene.qr.width as f32,
            fill: INK,
        });
        Ok(scene)
    }

    /// The page's lines of text, in the order they were laid out.
    pub(crate) fn texts(&self) -> impl Iterator<Item = &Text> {
        self.items.iter().filter_map(|item| match item {
            Item::Text(text) => Some(text),
            _ => None,
        })
    }

    fn shape(&mut self, store: &Store, text: &str, bold: bool, spaced: bool) -> Result<Shaped, RenderError> {
        let shaped = shape(store, text, bold, spaced, self.locale)?;
        for c in &shaped.uncovered {
            if !self.uncovered.contains(c) {
                self.uncovered.push(*c);
            }
        }
        Ok(shaped)
    }

    /// Adds `text` at `place`: one line at the largest size up to the fit's maximum that
    /// fits its width, down to its floor; else two lines at the floor, broken where the
    /// longer of the two is shortest; a line still too wide shrinks further.
    fn fitted(&mut self, store: &Store, text: &str, mut place: Place) -> Result<(), RenderError> {
        if text.is_empty() {
            return Ok(());
        }
        if !spaceable(text) {
            place.spacing = 0.0;
        }
        let fit = place.fit;
        let spaced = place.spacing > 0.0;
        let whole = self.shape(store, text, place.bold, spaced)?;
        let size = size_to_fit(&whole, fit.max, fit.width, place.spacing);
        let lines = if size >= fit.min {
            vec![(whole, size)]
        } else {
            match break_in_two(&whole) {
                None => vec![(whole, size)],
                Some((first, second)) => {
                    let first = self.shape(store, &text[first], place.bold, spaced)?;
                    let second = self.shape(store, &text[second], place.bold, spaced)?;
                    let size = size_to_fit(&first, fit.min, fit.width, place.spacing).min(size_to_fit(
                        &second,
                        fit.min,
                        fit.width,
                        place.spacing,
                    ));
                    vec![(first, size), (second, size)]
                }
            }
        };
        let count = lines.len() as f32;
        for (i, (shaped, size)) in lines.into_iter().enumerate() {
            // Two lines sit either side of the place's baseline.
            let baseline = place.y + (i as f32 - (count - 1.0) / 2.0) * LEADING * size;
            self.place(shaped, size, baseline, place);
        }
        Ok(())
    }

    fn place(&mut self, shaped: Shaped, size: f32, baseline: f32, place: Place) {
        let drawn = width(&shaped, size, place.spacing);
        let x = match place.anchor {
            Anchor::Start => place.x,
            Anchor::Middle => place.x - drawn / 2.0,
            Anchor::End => place.x - drawn,
        };
        self.items.push(Item::Text(Text {
            shaped,
            x,
            baseline,
            size,
            spacing: place.spacing,
            fill: place.fill,
        }));
    }

    /// The description whole in its lines: at [`DESCRIPTION_SIZE`] when it fits, else at
    /// the largest size (in 1% steps) at which it does.
    fn description(&mut self, store: &Store, text: &str) -> Result<(), RenderError> {
        if text.is_empty() {
            return Ok(());
        }
        let whole = self.shape(store, text, false, false)?;
        let em = whole.em();
        // All of it on the lines, end to end, is the least it takes.
        let mut size = DESCRIPTION_SIZE.min(DESCRIPTION_WIDTH * DESCRIPTION_LINES as f32 / em.max(f32::EPSILON));
        size = (size * 100.0).floor() / 100.0;
        let lines = loop {
            if let Some(lines) = wrap(&whole, size, DESCRIPTION_WIDTH) {
                break lines;
            }
            size = (size * 99.0).floor() / 100.0;
        };
        let mut place = centred(DESCRIPTION_TOP, false, MUTED, LEAD);
        for (i, range) in lines.into_iter().enumerate() {
            let shaped = self.shape(store, &text[range], false, false)?;
            // A line shaped alone can differ from its measure in the whole (kerning
            // across the break): it shrinks rather than overflow.
            let line_size = size_to_fit(&shaped, size, DESCRIPTION_WIDTH, 0.0);
            place.y = DESCRIPTION_TOP + i as f32 * DESCRIPTION_LEADING;
            self.place(shaped, line_size, place.y, place);
        }
        Ok(())
    }
}

/// `place` for a right-to-left page: mirrored left to right, start and end swapped.
fn mirrored(mut place: Place) -> Place {
    place.x = PAGE_WIDTH - place.x;
    place.anchor = match place.anchor {
        Anchor::Start => Anchor::End,
        Anchor::End => Anchor::Start,
        Anchor::Middle => Anchor::Middle,
    };
    place
}
