//! A text mark shaped and shown: its glyphs and their moves as rustybuzz places them
//! (as usvg does for the preview), anchored on the line and written as TJ operators.

use pdf_writer::{Content, Str};

use super::font::Used;
use super::marks::{Anchor, Rgb, Value};
use crate::layout::Page;

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
    Glyph(u16),
    Move(f32),
    Rise(f32),
}

/// A text shaped: what to show, at what size and how wide it is, in points.
pub(super) struct Set {
    steps: Vec<Step>,
    size: f32,
    pub(super) width: f32,
}

impl TextMark {
    /// Shapes the text `page` gives this mark with its font among `fonts` (regular, bold),
    /// noting the glyphs it uses; `None` for an empty text.
    pub(super) fn set(&self, fonts: &mut [Used; 2], page: &Page) -> Option<Set> {
        let text = self.text.get(page);
        if text.is_empty() {
            return None;
        }
        let size = self.size.number(page);
        let used = &mut fonts[usize::from(self.bold)];
        let font = used.font;
        let shaped = font.shape(text);
        let infos = shaped.glyph_infos();
        let positions = shaped.glyph_positions();
        let per_mille = 1000.0 / font.units_per_em;
        let mut steps = Vec::with_capacity(infos.len() * 2);
        let mut advance_units = 0.0;
        let mut rise = 0.0;
        for (i, (info, position)) in infos.iter().zip(positions).enumerate() {
            // The characters of the glyph's cluster go with its first glyph.
            let cluster = info.cluster as usize;
            let first_of_cluster = i == 0 || infos[i - 1].cluster != info.cluster;
            let end = infos[i..]
                .iter()
                .map(|next| next.cluster as usize)
                .find(|&next| next != cluster)
                .unwrap_or(text.len());
            let characters = if first_of_cluster {
                text.get(cluster..end).unwrap_or("")
            } else {
                ""
            };
            let glyph = u16::try_from(info.glyph_id).unwrap_or(0);
            let id = used.glyph(glyph, characters);
            let glyph_rise = position.y_offset as f32 / font.units_per_em * size;
            if glyph_rise != rise {
                rise = glyph_rise;
                steps.push(Step::Rise(rise));
            }
            let x_offset = position.x_offset as f32 * per_mille;
            if x_offset != 0.0 {
                steps.push(Step::Move(-x_offset));
            }
            steps.push(Step::Glyph(id));
            let correction = (position.x_advance as f32 - font.advance(glyph)) * per_mille - x_offset;
            if correction != 0.0 {
                steps.push(Step::Move(-correction));
            }
            advance_units += position.x_advance as f32;
        }
        // The rise is graphics state: it would outlive the text object.
        if rise != 0.0 {
            steps.push(Step::Rise(0.0));
        }
        // Spacing follows every glyph but the last, as usvg anchors it.
        let spacing = self.letter_spacing * infos.len().saturating_sub(1) as f32;
        let width = advance_units / font.units_per_em * size + spacing;
        Some(Set { steps, size, width })
    }

    /// Where a text `width` points wide starts, anchored as the mark says.
    pub(super) fn start(&self, width: f32) -> f32 {
        match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - width / 2.0,
            Anchor::End => self.x - width,
        }
    }

    pub(super) fn draw(&self, content: &mut Content, fonts: &mut [Used; 2], page: &Page, page_height: f32) {
        let Some(set) = self.set(fonts, page) else {
            return;
        };
        let Rgb(r, g, b) = self.fill;
        content.begin_text();
        content.set_fill_rgb(r, g, b);
        content.set_font(fonts[usize::from(self.bold)].resource, set.size);
        // Character spacing is graphics state too.
        content.set_char_spacing(self.letter_spacing);
        content.set_text_matrix([1.0, 0.0, 0.0, 1.0, self.start(set.width), page_height - self.y]);
        show(content, &set.steps);
        content.end_text();
    }
}

/// Writes `steps` as TJ operators, split where the rise changes, each run of glyphs
/// between moves as one string.
fn show(content: &mut Content, steps: &[Step]) {
    let mut glyphs = Vec::new();
    for part in steps.split_inclusive(|step| matches!(step, Step::Rise(_))) {
        let (shown, rise) = match part.split_last() {
            Some((Step::Rise(rise), shown)) => (shown, Some(*rise)),
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
                    Step::Rise(_) => {}
                }
            }
            if !glyphs.is_empty() {
                items.show(Str(&glyphs));
                glyphs.clear();
            }
        }
        if let Some(rise) = rise {
            content.set_rise(rise);
        }
    }
}
