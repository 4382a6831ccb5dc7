//! A text shaped, as both the PDF and the PNG draw it: cut into bidi level runs (UAX #9,
//! `unicode-bidi`) in visual order, each into runs of one font ([`fonts::runs`]), each
//! shaped by harfrust in its direction with the locale's language. Every glyph keeps the
//! stretch of the text it stands for (its cluster), so the PDF's text layer can say it.

use std::ops::Range;
use std::str::FromStr;

use certify_rules::locale::{Direction, Locale};
use harfrust::{BufferFlags, Feature, ShapeOptions, Tag, UnicodeBuffer};
use unicode_bidi::{bidi_class, BidiClass, BidiInfo, Level};

use crate::fonts::{self, FontId, Store};
use crate::RenderError;

/// The most combining marks drawn on one base.
pub(crate) const MARKS_PER_BASE: usize = 4;

/// A glyph placed, in ems (a text set at 1 pt): its id in its run's font, the stretch of
/// the text it stands for, its advance and its offset (y up).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub(crate) id: u32,
    pub(crate) range: Range<usize>,
    pub(crate) advance: f32,
    pub(crate) dx: f32,
    pub(crate) dy: f32,
    /// Set right to left.
    pub(crate) rtl: bool,
}

/// Glyphs of one font, in visual order.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) font: FontId,
    pub(crate) glyphs: Vec<Glyph>,
}

/// A text shaped: its runs left to right, and the characters no font has (drawn as
/// U+FFFD), each once.
#[derive(Debug, Clone)]
pub(crate) struct Shaped {
    pub(crate) text: String,
    pub(crate) runs: Vec<Run>,
    pub(crate) uncovered: Vec<char>,
}

impl Shaped {
    pub(crate) fn glyphs(&self) -> impl Iterator<Item = &Glyph> {
        self.runs.iter().flat_map(|run| run.glyphs.iter())
    }

    /// The width at 1 pt, in points.
    pub(crate) fn em(&self) -> f32 {
        self.glyphs().map(|g| g.advance).sum()
    }

    pub(crate) fn glyph_count(&self) -> usize {
        self.runs.iter().map(|run| run.glyphs.len()).sum()
    }

    /// The width at 1 pt of the glyphs that stand for the text's `range` (bytes, logical
    /// order), wherever bidi put them: measuring a line before shaping it.
    pub(crate) fn em_of(&self, range: Range<usize>) -> f32 {
        self.glyphs()
            .filter(|g| range.contains(&g.range.start))
            .map(|g| g.advance)
            .sum()
    }
}

/// Whether letter spacing may be put between `text`'s glyphs: only when every letter is
/// of a script whose letters stand apart (Latin, Greek, Cyrillic, Armenian, Georgian,
/// Hebrew, CJK, kana, Hangul). Spacing Arabic breaks its joins, and Indic and Southeast
/// Asian clusters fall apart, as browsers know (CSS Text 3, "letter-spacing").
pub(crate) fn spaceable(text: &str) -> bool {
    text.chars().all(|c| {
        matches!(u32::from(c),
            0x0000..=0x05FF
            | 0x10A0..=0x10FF
            | 0x1C90..=0x1CBF
            | 0x1D00..=0x1FFF
            | 0x2000..=0x2BFF
            | 0x2E80..=0x9FFF
            | 0xAC00..=0xD7AF
            | 0xF900..=0xFAFF
            | 0xFB00..=0xFB4F
            | 0xFF00..=0xFFEF
            | 0x20000..=0x3FFFF)
    })
}

/// Shapes `text` (already clean: one line, NFC) in `bold` or regular, for `locale`;
/// without ligatures for a letter-spaced text (`spaced`), as CSS sets one.
pub(crate) fn shape(
    store: &Store,
    text: &str,
    bold: bool,
    spaced: bool,
    locale: Locale,
) -> Result<Shaped, RenderError> {
    let font_runs = fonts::runs(store, text, bold, locale)?;
    // Each text's own direction (UAX #9 P2-P3: its first strong letter), so that an
    // English description on an Arabic page ends with its full stop; a text with no
    // letter (a date in digits, an id) takes the page's.
    let level = match unicode_bidi::get_base_direction(text) {
        unicode_bidi::Direction::Rtl => Level::rtl(),
        unicode_bidi::Direction::Ltr => Level::ltr(),
        _ if locale.direction() == Direction::Rtl => Level::rtl(),
        _ => Level::ltr(),
    };
    let bidi = BidiInfo::new(text, Some(level));
    let mut pieces: Vec<(Range<usize>, bool)> = Vec::new();
    for paragraph in &bidi.paragraphs {
        let (levels, level_runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
        for level_run in level_runs {
            let rtl = levels[level_run.start].is_rtl();
            let mut cut: Vec<Range<usize>> = font_runs
                .iter()
                .filter_map(|run| {
                    let start = run.range.start.max(level_run.start);
                    let end = run.range.end.min(level_run.end);
                    (start < end).then_some(start..end)
                })
                .collect();
            if rtl {
                cut.reverse();
            }
            pieces.extend(cut.into_iter().map(|range| (range, rtl)));
        }
    }
    let language = harfrust::Language::from_str(locale.tag()).ok();
    let features: &[Feature] = if spaced {
        &[
            Feature::new(Tag::new(b"liga"), 0, ..),
            Feature::new(Tag::new(b"clig"), 0, ..),
        ]
    } else {
        &[]
    };
    let mut shaped = Shaped {
        text: text.to_string(),
        runs: Vec::new(),
        uncovered: Vec::new(),
    };
    for (range, rtl) in pieces {
        let Some(font_run) = font_runs
            .iter()
            .find(|run| run.range.start <= range.start && range.end <= run.range.end)
        else {
            continue;
        };
        let face = store.face(font_run.font)?;
        let mut glyphs = Vec::new();
        if font_run.uncovered {
            // U+FFFD for each character no font has, standing for that character.
            for (at, c) in text[range.clone()].char_indices() {
                if !shaped.uncovered.contains(&c) {
                    shaped.uncovered.push(c);
                }
                let start = range.start + at;
                let replacement = shape_piece(
                    &face,
                    "\u{FFFD}",
                    start..start + c.len_utf8(),
                    language.as_ref(),
                    false,
                    &[],
                );
                glyphs.extend(replacement);
            }
        } else {
            let piece = &text[range.clone()];
            glyphs = shape_piece(&face, piece, range, language.as_ref(), rtl, features);
            if rtl
                && !piece
                    .chars()
                    .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL))
            {
                // Left-to-right letters drawn right to left (an override stored before
                // SPEC 1.17 refused them): readers reorder by the letters' own direction
                // and would read these in visual order, so each glyph says the text in
                // logical order instead.
                let ranges: Vec<Range<usize>> = glyphs.iter().rev().map(|g| g.range.clone()).collect();
                for (glyph, range) in glyphs.iter_mut().zip(ranges) {
                    glyph.range = range;
                }
            }
        }
        match shaped.runs.last_mut() {
            Some(last) if last.font == font_run.font => last.glyphs.append(&mut glyphs),
            _ => shaped.runs.push(Run {
                font: font_run.font,
                glyphs,
            }),
        }
    }
    Ok(shaped)
}

/// Shapes `piece` in `face`; each glyph stands for the stretch of `range` (the piece's
/// place in its text, or the one character a U+FFFD stands for) its cluster covers.
fn shape_piece(
    face: &fonts::Face,
    piece: &str,
    range: Range<usize>,
    language: Option<&harfrust::Language>,
    rtl: bool,
    features: &[Feature],
) -> Vec<Glyph> {
    let font = face.font();
    let shaper = face.shaper.shaper(&font).build();
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(piece);
    buffer.set_direction(if rtl {
        harfrust::Direction::RightToLeft
    } else {
        harfrust::Direction::LeftToRight
    });
    if let Some(language) = language {
        buffer.set_language(language.clone());
    }
    buffer.guess_segment_properties();
    // Bidi controls and joiners draw nothing: no glyph at all, not an empty space glyph.
    buffer.set_flags(BufferFlags::REMOVE_DEFAULT_IGNORABLES);
    let output = shaper.shape(buffer, ShapeOptions::new().features(features));
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    let upem = face.units_per_em;
    let replacement = piece.len() != range.len();
    // A cluster's text runs to the next cluster in logical order, whatever the direction;
    // the first cluster also takes what the shaper removed before it.
    let mut starts: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let text_of = |cluster: usize| -> Range<usize> {
        if replacement {
            return range.clone();
        }
        let start = if starts.first() == Some(&cluster) { 0 } else { cluster };
        let end = starts.iter().copied().find(|&s| s > cluster).unwrap_or(piece.len());
        range.start + start..range.start + end
    };
    // Which glyph of each cluster is its base: the first that advances, else the first.
    let mut base: Vec<(u32, usize)> = Vec::new();
    for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
        match base.iter_mut().find(|(c, _)| *c == info.cluster) {
            Some((_, at)) => {
                if positions[*at].x_advance == 0 && position.x_advance != 0 {
                    *at = i;
                }
            }
            None => base.push((info.cluster, i)),
        }
    }
    // Marks drawn per cluster (zero-advance glyphs but its base): at most MARKS_PER_BASE,
    // so a pile of combining marks cannot blot out the lines around it.
    let mut marks: Vec<(u32, usize)> = Vec::new();
    let mut glyphs = Vec::with_capacity(infos.len());
    for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
        if position.x_advance == 0 && !base.contains(&(info.cluster, i)) {
            let count = match marks.iter_mut().find(|(c, _)| *c == info.cluster) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    marks.push((info.cluster, 1));
                    1
                }
            };
            if count > MARKS_PER_BASE {
                continue;
            }
        }
        glyphs.push(Glyph {
            id: info.glyph_id,
            range: text_of(info.cluster as usize),
            advance: position.x_advance as f32 / upem,
            dx: position.x_offset as f32 / upem,
            dy: position.y_offset as f32 / upem,
            rtl,
        });
    }
    glyphs
}
