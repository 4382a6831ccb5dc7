//! A text mark shaped and shown: its glyphs and their moves as rustybuzz places them
//! (as usvg does for the preview), anchored on the line and written as TJ operators.

use std::str::FromStr;

use certify_rules::locale::Direction;
use pdf_writer::{Content, Name, Str, TextStr};
use unicode_bidi::{bidi_class, BidiClass, BidiInfo, Level};

use super::font::{PageFonts, Used};
use super::marks::{Anchor, Rgb, Value};
use crate::layout::Page;
use crate::RenderError;

/// The most combining marks drawn on one base.
const MARKS_PER_BASE: usize = 4;

/// A text of the template, on one line from its baseline's anchor point.
#[derive(Debug, Clone)]
pub(super) struct TextMark {
    pub(super) x: f32,
    pub(super) y: f32,
    pub(super) size: Value,
    pub(super) bold: bool,
    pub(super) letter_spacing: f32,
    pub(super) anchor: Anchor,
    pub(super) fill: Rgb,
    pub(super) text: Value,
}

/// One step of a shown text: a glyph, a move along the line (thousandths of an em, PDF's
/// sign: positive moves left) or a raise of the glyphs that follow (points).
enum Step {
    /// Switch to the page's font of this index.
    Font(usize),
    Glyph(u16),
    Move(f32),
    Rise(f32),
}

/// A text shaped: what to show, at what size and how wide it is, in points.
pub(super) struct Set {
    steps: Vec<Step>,
    size: f32,
    pub(super) width: f32,
    /// The mark's letter spacing, or none for a text in a script whose letters join or
    /// stack ([`spaced`]).
    spacing: f32,
}

/// Whether letter spacing may be put between `text`'s glyphs: only when every letter is
/// of a script whose letters stand apart (Latin, Greek, Cyrillic, Armenian, Georgian,
/// Hebrew, CJK, kana, Hangul). Spacing Arabic breaks its joins, and Indic and Southeast
/// Asian clusters fall apart, as browsers know (CSS Text 3, "letter-spacing").
fn spaced(text: &str) -> bool {
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

impl TextMark {
    /// Shapes the text `page` gives this mark: cut into bidi level runs (UAX #9) in
    /// visual order, each into runs of one font ([`fonts::runs`]), each shaped in its
    /// direction; notes the glyphs it uses. `None` for an empty text.
    pub(super) fn set(&self, fonts: &mut PageFonts<'_>, page: &Page) -> Result<Option<Set>, RenderError> {
        let text = self.text.get(page);
        if text.is_empty() {
            return Ok(None);
        }
        let size = self.size.number(page);
        let rtl_page = page.locale.direction() == Direction::Rtl;
        let runs = crate::fonts::runs(fonts.store, text, self.bold, page.locale)?;
        // Each text's own direction (UAX #9 P2-P3: its first strong letter), so that an
        // English description on an Arabic page ends with its full stop; a text with no
        // letter (a date in digits, an id) takes the page's.
        let strong = unicode_bidi::get_base_direction(text);
        let level = match strong {
            unicode_bidi::Direction::Rtl => Level::rtl(),
            unicode_bidi::Direction::Ltr => Level::ltr(),
            _ if rtl_page => Level::rtl(),
            _ => Level::ltr(),
        };
        let bidi = BidiInfo::new(text, Some(level));
        let mut pieces: Vec<(std::ops::Range<usize>, bool)> = Vec::new();
        for paragraph in &bidi.paragraphs {
            let (levels, level_runs) = bidi.visual_runs(paragraph, paragraph.range.clone());
            for level_run in level_runs {
                let rtl = levels[level_run.start].is_rtl();
                let mut cut: Vec<std::ops::Range<usize>> = runs
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
        let language = rustybuzz::Language::from_str(page.locale.tag()).ok();
        let mut steps = Vec::new();
        let mut width = 0.0;
        let mut glyph_count = 0usize;
        let mut current = usize::MAX;
        for (range, rtl) in pieces {
            let Some(run) = runs
                .iter()
                .find(|run| run.range.start <= range.start && range.end <= run.range.end)
            else {
                continue;
            };
            let index = fonts.index(run.font)?;
            if index != current {
                steps.push(Step::Font(index));
                current = index;
            }
            let piece = &text[range.clone()];
            let used = &mut fonts.used[index].1;
            if run.uncovered {
                // U+FFFD for each character no font has, standing for that character.
                for c in piece.chars() {
                    let mut characters = [0; 4];
                    let characters = c.encode_utf8(&mut characters);
                    let shaped = used.font.shape("\u{FFFD}", language.as_ref(), false);
                    width += emit(&mut steps, used, &shaped, "\u{FFFD}", Some(characters), size, false);
                    glyph_count += shaped.len();
                }
                continue;
            }
            let shaped = used.font.shape(piece, language.as_ref(), rtl);
            width += emit(&mut steps, used, &shaped, piece, None, size, rtl);
            glyph_count += shaped.len();
        }
        // Spacing follows every glyph but the last, as usvg anchors it.
        let spacing = if spaced(text) { self.letter_spacing } else { 0.0 };
        width += spacing * glyph_count.saturating_sub(1) as f32;
        Ok(Some(Set {
            steps,
            size,
            width,
            spacing,
        }))
    }

    /// Where a text `width` points wide starts, anchored as the mark says.
    pub(super) fn start(&self, width: f32) -> f32 {
        match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - width / 2.0,
            Anchor::End => self.x - width,
        }
    }

    pub(super) fn draw(
        &self,
        content: &mut Content,
        fonts: &mut PageFonts<'_>,
        page: &Page,
        page_height: f32,
    ) -> Result<(), RenderError> {
        let Some(set) = self.set(fonts, page)? else {
            return Ok(());
        };
        let Rgb(r, g, b) = self.fill;
        // The text as given, in logical order, for copy, search and screen readers:
        // glyph-by-glyph ToUnicode cannot say it for ligatures, reordered clusters, RTL
        // runs or invisible controls.
        // A text with right-to-left letters is left to the glyphs' own maps instead: PDF
        // text is in visual order and readers (poppler, pdf.js) reorder it by UAX #9
        // themselves, which would reverse an ActualText given in logical order.
        let text = self.text.get(page);
        let actual = !text
            .chars()
            .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL));
        if actual {
            content
                .begin_marked_content_with_properties(Name(b"Span"))
                .properties()
                .actual_text(TextStr(text));
        }
        content.begin_text();
        content.set_fill_rgb(r, g, b);
        // Character spacing is graphics state too.
        content.set_char_spacing(set.spacing);
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, self.start(set.width), page_height - self.y]);
        show(content, &set.steps, fonts, set.size);
        content.end_text();
        if actual {
            content.end_marked_content();
        }
        Ok(())
    }
}

/// Writes `steps` as TJ operators, split where the rise changes, each run of glyphs
/// between moves as one string.
fn show(content: &mut Content, steps: &[Step], fonts: &PageFonts<'_>, size: f32) {
    let mut glyphs = Vec::new();
    for part in steps.split_inclusive(|step| matches!(step, Step::Rise(_) | Step::Font(_))) {
        let (shown, change) = match part.split_last() {
            Some((last @ (Step::Rise(_) | Step::Font(_)), shown)) => (shown, Some(last)),
            _ => (part, None),
        };
        if !shown.is_empty() {
            let mut op = content.show_positioned();
            let mut items = op.items();
            for step in shown {
                match step {
                    Step::Glyph(id) => glyphs.extend_from_slice(&id.to_be_bytes()),
                    Step::Move(by) => {
                        if !glyphs.is_empty() {
                            items.show(Str(&glyphs));
                            glyphs.clear();
                        }
                        items.adjust(*by);
                    }
                    Step::Rise(_) | Step::Font(_) => {}
                }
            }
            if !glyphs.is_empty() {
                items.show(Str(&glyphs));
                glyphs.clear();
            }
        }
        match change {
            Some(Step::Rise(rise)) => {
                content.set_rise(*rise);
            }
            Some(Step::Font(index)) => {
                content.set_font(Name(fonts.used[*index].1.resource.as_bytes()), size);
            }
            _ => {}
        }
    }
}

/// Appends the glyphs of `shaped` (shaped from `text`) to `steps`, each cluster's
/// characters (or `characters`, for all of them) going with its first glyph; returns the
/// width in points.
fn emit(
    steps: &mut Vec<Step>,
    used: &mut Used<'_>,
    shaped: &rustybuzz::GlyphBuffer,
    text: &str,
    characters: Option<&str>,
    size: f32,
    rtl: bool,
) -> f32 {
    let upem = used.font.units_per_em;
    let per_mille = 1000.0 / upem;
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    // A cluster's text runs to the next cluster in logical order, whatever the direction.
    let mut starts: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let mut advance_units = 0.0;
    let mut rise_now = 0.0;
    // Which glyph of each cluster carries its characters: the first that advances (a
    // base, not a mark drawn over it), else the first.
    let mut carrier: Vec<(u32, usize)> = Vec::new();
    for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
        match carrier.iter_mut().find(|(c, _)| *c == info.cluster) {
            Some((_, at)) => {
                if positions[*at].x_advance == 0 && position.x_advance != 0 {
                    *at = i;
                }
            }
            None => carrier.push((info.cluster, i)),
        }
    }
    let mut pending: Vec<Step> = Vec::new();
    // Marks drawn per cluster (zero-advance glyphs but its carrier): at most MARKS_PER_BASE,
    // so a pile of combining marks cannot blot out the lines around it.
    let mut marks: Vec<(u32, usize)> = Vec::new();
    for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
        let cluster = info.cluster as usize;
        if position.x_advance == 0 && !carrier.contains(&(info.cluster, i)) {
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
        let shown = if !carrier.contains(&(info.cluster, i)) {
            ""
        } else {
            match characters {
                Some(characters) => characters,
                None => {
                    let end = starts.iter().copied().find(|&s| s > cluster).unwrap_or(text.len());
                    text.get(cluster..end).unwrap_or("")
                }
            }
        };
        let glyph = u16::try_from(info.glyph_id).unwrap_or(0);
        let glyph_rise = position.y_offset as f32 / upem * size;
        if glyph_rise != rise_now {
            rise_now = glyph_rise;
            pending.push(Step::Rise(rise_now));
        }
        let x_offset = position.x_offset as f32 * per_mille;
        if x_offset != 0.0 {
            pending.push(Step::Move(-x_offset));
        }
        let advance = used.font.advance(glyph);
        let correction = (position.x_advance as f32 - advance) * per_mille - x_offset;
        advance_units += position.x_advance as f32;
        // In a right-to-left run a cluster's characters are mapped in visual order too,
        // so a reader reversing the run gets them back in logical order.
        let id = if rtl {
            used.glyph(glyph, &shown.chars().rev().collect::<String>())
        } else {
            used.glyph(glyph, shown)
        };
        pending.push(Step::Glyph(id));
        if correction != 0.0 {
            pending.push(Step::Move(-correction));
        }
    }
    // The rise is graphics state: it would outlive the run.
    if rise_now != 0.0 {
        pending.push(Step::Rise(0.0));
    }
    steps.append(&mut pending);
    advance_units / upem * size
}
