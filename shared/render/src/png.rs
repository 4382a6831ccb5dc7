//! The certificate's PNG preview: the same laid-out page ([`Scene`]) as the PDF, drawn
//! by tiny-skia, each glyph from its font's outline as skrifa reads it (unhinted, at the
//! preview's scale), so the preview shows exactly the glyphs, places and mirroring of
//! the PDF.

use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::MetadataProvider;
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

use crate::fonts::Store;
use crate::layout::{Item, Rgb, Scene, Text, PAGE_WIDTH};
use crate::{RenderError, PREVIEW_HEIGHT, PREVIEW_WIDTH};

/// Pixels per point.
const SCALE: f32 = PREVIEW_WIDTH as f32 / PAGE_WIDTH;

fn paint(Rgb(r, g, b): Rgb) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, u8::MAX);
    paint.anti_alias = true;
    paint
}

/// A glyph's outline into a tiny-skia path, placed: skrifa draws y up, the pixmap is y
/// down.
struct Pen<'a> {
    path: &'a mut PathBuilder,
    x: f32,
    y: f32,
}

impl OutlinePen for Pen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        self.path.move_to(self.x + x, self.y - y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.path.line_to(self.x + x, self.y - y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.path.quad_to(self.x + cx0, self.y - cy0, self.x + x, self.y - y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.path.cubic_to(
            self.x + cx0,
            self.y - cy0,
            self.x + cx1,
            self.y - cy1,
            self.x + x,
            self.y - y,
        );
    }
    fn close(&mut self) {
        self.path.close();
    }
}

/// The page drawn at [`PREVIEW_WIDTH`] x [`PREVIEW_HEIGHT`] pixels; `drawn` gets the id of
/// every glyph handed to the rasteriser (for the tests: never `.notdef`).
pub(crate) fn draw(store: &Store, scene: &Scene, drawn: &mut Vec<u32>) -> Result<Pixmap, RenderError> {
    let mut pixmap = Pixmap::new(PREVIEW_WIDTH, PREVIEW_HEIGHT)
        .ok_or_else(|| RenderError::Png("the preview's size is not drawable".into()))?;
    let scale = Transform::from_scale(SCALE, SCALE);
    for item in &scene.items {
        match item {
            Item::Rect {
                x,
                y,
                width,
                height,
                fill,
                stroke,
            } => {
                let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) else {
                    continue;
                };
                if let Some(color) = fill {
                    pixmap.fill_rect(rect, &paint(*color), scale, None);
                }
                if let Some((color, width)) = stroke {
                    let path = PathBuilder::from_rect(rect);
                    let line = Stroke {
                        width: *width,
                        ..Stroke::default()
                    };
                    pixmap.stroke_path(&path, &paint(*color), &line, scale, None);
                }
            }
            Item::Line { from, to, stroke } => {
                let mut path = PathBuilder::new();
                path.move_to(from.0, from.1);
                path.line_to(to.0, to.1);
                if let Some(path) = path.finish() {
                    let line = Stroke {
                        width: stroke.1,
                        ..Stroke::default()
                    };
                    pixmap.stroke_path(&path, &paint(stroke.0), &line, scale, None);
                }
            }
            Item::Text(text) => draw_text(&mut pixmap, store, text, drawn)?,
            Item::Qr { x, y, module, fill } => {
                let mut path = PathBuilder::new();
                for (row, start, run) in scene.qr.runs() {
                    if let Some(rect) = Rect::from_xywh(
                        x + start as f32 * module,
                        y + row as f32 * module,
                        run as f32 * module,
                        *module,
                    ) {
                        path.push_rect(rect);
                    }
                }
                if let Some(path) = path.finish() {
                    let mut ink = paint(*fill);
                    // Modules meet edge to edge: no seams between them.
                    ink.anti_alias = false;
                    pixmap.fill_path(&path, &ink, FillRule::Winding, scale, None);
                }
            }
        }
    }
    Ok(pixmap)
}

/// One line of text: each run's glyph outlines in one path, filled once (glyphs of one
/// font wind alike, so overlapping ones unite).
fn draw_text(pixmap: &mut Pixmap, store: &Store, text: &Text, drawn: &mut Vec<u32>) -> Result<(), RenderError> {
    let size = text.size * SCALE;
    let spacing = text.spacing * SCALE;
    let baseline = text.baseline * SCALE;
    let ink = paint(text.fill);
    let mut x = text.x * SCALE;
    for run in &text.shaped.runs {
        let mut path = PathBuilder::new();
        let face = store.face(run.font)?;
        let font = face.font();
        let outlines = font.outline_glyphs();
        let settings = || DrawSettings::unhinted(Size::new(size), LocationRef::default());
        for glyph in &run.glyphs {
            if let Some(outline) = outlines.get(skrifa::GlyphId::new(glyph.id)) {
                drawn.push(glyph.id);
                let mut pen = Pen {
                    path: &mut path,
                    x: x + glyph.dx * size,
                    y: baseline - glyph.dy * size,
                };
                outline
                    .draw(settings(), &mut pen)
                    .map_err(|e| RenderError::Png(format!("glyph {}: {e}", glyph.id).into()))?;
            }
            x += glyph.advance * size + spacing;
        }
        if let Some(path) = path.finish() {
            pixmap.fill_path(&path, &ink, FillRule::Winding, Transform::identity(), None);
        }
    }
    Ok(())
}
