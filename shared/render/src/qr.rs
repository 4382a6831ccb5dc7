//! The verification URL's QR code: the `qrcode` crate's encoding, with its choice of mask
//! made faster.
//!
//! `QrCode::new` scores each of the eight masks with a boxed closure per module and row
//! (about 0.5 ms for a URL, a quarter of a PDF's budget). The same four penalty rules,
//! scored here on a plain grid, pick the same mask: a test checks the modules are equal.

use qrcode::bits::encode_auto;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::ec::construct_codewords;
use qrcode::types::{Color, EcLevel, QrError};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// A QR code's modules, row by row, `true` for dark.
#[derive(Debug, Clone)]
pub(crate) struct Modules {
    pub(crate) width: usize,
    pub(crate) dark: Vec<bool>,
}

impl Modules {
    pub(crate) fn row(&self, y: usize) -> &[bool] {
        &self.dark[y * self.width..(y + 1) * self.width]
    }

    /// Each row's runs of dark modules, as (row, first column, length): what both
    /// drawings of the code fill.
    pub(crate) fn runs(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        (0..self.width).flat_map(move |y| {
            let row = self.row(y);
            let mut x = 0;
            std::iter::from_fn(move || {
                while x < row.len() && !row[x] {
                    x += 1;
                }
                let start = x;
                while x < row.len() && row[x] {
                    x += 1;
                }
                (x > start).then_some((y, start, x - start))
            })
        })
    }
}

/// The QR code of `data` as `QrCode::new` makes it: the smallest version at error
/// correction level M, the mask of lowest penalty.
pub(crate) fn encode(data: &[u8]) -> Result<Modules, QrError> {
    let level = EcLevel::M;
    let bits = encode_auto(data, level)?;
    let version = bits.version();
    let (codewords, ec) = construct_codewords(&bits.into_bytes(), version, level)?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec);
    let width = usize::try_from(version.width()).unwrap_or(0);
    let mut best: Option<(u32, Modules)> = None;
    for mask in MASKS {
        let mut masked = canvas.clone();
        masked.apply_mask(mask);
        let modules = Modules {
            width,
            dark: masked.into_colors().into_iter().map(|c| c == Color::Dark).collect(),
        };
        let score = penalty(&modules);
        // The first of equal scores wins, as in `Canvas::apply_best_mask`.
        if best.as_ref().is_none_or(|(lowest, _)| score < *lowest) {
            best = Some((score, modules));
        }
    }
    Ok(best.map(|(_, modules)| modules).unwrap_or(Modules {
        width,
        dark: Vec::new(),
    }))
}

/// The penalty of ISO 18004 section 7.8.3, as the `qrcode` crate computes it.
fn penalty(m: &Modules) -> u32 {
    let w = m.width;
    let rows: Vec<&[bool]> = m.dark.chunks(w).collect();
    let transposed: Vec<bool> = (0..w * w).map(|i| m.dark[(i % w) * w + i / w]).collect();
    let columns: Vec<&[bool]> = transposed.chunks(w).collect();
    let mut score = 0;
    for line in rows.iter().chain(&columns) {
        score += runs(line) + finders(line);
    }
    // Each 2x2 block of one color, overlapping: 3.
    for pair in rows.windows(2) {
        let (top, bottom) = (pair[0], pair[1]);
        for x in 0..w - 1 {
            let c = top[x];
            if top[x + 1] == c && bottom[x] == c && bottom[x + 1] == c {
                score += 3;
            }
        }
    }
    // Imbalance of dark and light: one point per half percent off 50%.
    let dark = m.dark.iter().filter(|d| **d).count();
    let ratio = dark * 200 / m.dark.len();
    score + ratio.abs_diff(100) as u32
}

/// Runs of five or more modules of one color: 3 + (length - 5) each.
fn runs(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut run = 1;
    for j in 1..=line.len() {
        if j < line.len() && line[j] == line[j - 1] {
            run += 1;
        } else {
            if run >= 5 {
                score += run - 2;
            }
            run = 1;
        }
    }
    score
}

/// Finder-like 1:1:3:1:1 patterns without four light modules on one side: 40 each. (The
/// crate then subtracts the real finder patterns' 360, the same for every mask.)
fn finders(line: &[bool]) -> u32 {
    const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
    let mut score = 0;
    for (j, window) in line.windows(7).enumerate() {
        if window != FINDER {
            continue;
        }
        let dark_before = line[j.saturating_sub(4)..j].contains(&true);
        let dark_after = line[j + 7..(j + 11).min(line.len())].contains(&true);
        if !dark_before || !dark_after {
            score += 40;
        }
    }
    score
}
