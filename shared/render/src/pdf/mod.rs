//! The certificate's PDF, drawn from the same SVG template as the PNG preview.
//!
//! svg2pdf took 3.5 ms a certificate, most of it in usvg, which turns every glyph of every
//! text into an outline (parsing the font four times per glyph to do so) that svg2pdf
//! then leaves aside to write the text as text. Here the template is read once, at start,
//! into the marks it draws ([`Marks`]); each certificate then shapes its texts with
//! rustybuzz (usvg's shaper, so the glyphs and their positions are the ones the preview
//! draws; a test holds them to it), writes them as real text, and embeds each font it
//! used as a subset.
//!
//! The template may use what [`Marks::parse`] reads: `rect`, `line`, `text`, `g` with
//! presentation attributes, and the QR code's `path`. Anything else panics when the
//! renderer is built, which every render test does, so a template this writer cannot
//! draw never ships.
//!
//! This module writes the document; `marks` reads the template, `shape` shapes and shows
//! its texts, `font` parses, subsets and embeds the fonts.

mod font;
mod marks;
mod shape;

use pdf_writer::types::SystemInfo;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use self::font::{write_font, PageFonts, Used};
pub(crate) use self::marks::Marks;
use self::marks::{Anchor, Mark, Rgb};
use crate::fonts::Store;
use crate::layout::Page;
use crate::RenderError;

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};
/// Deflate level of the page's content and font subsets: level 6 made the PDF a quarter
/// smaller and twice as slow to write (18.7 kB in 1.81 ms against 24.5 kB in 0.89 ms,
/// `cargo bench -p certify-render`).
const DEFLATE_LEVEL: u8 = 1;

/// Draws `page` as the template's `marks` say, in the fonts of `store`.
pub(crate) fn write(marks: &Marks, store: &Store, page: &Page, title: &str) -> Result<Vec<u8>, RenderError> {
    let mut fonts = PageFonts::new(store);
    let mut content = Content::new();
    let flip = |y: f32| marks.height - y;
    for mark in marks.for_page(page) {
        match &mark {
            Mark::Rect {
                x,
                y,
                width,
                height,
                fill,
                stroke,
            } => {
                content.save_state();
                if let Some(Rgb(r, g, b)) = fill {
                    content.set_fill_rgb(*r, *g, *b);
                    content.rect(*x, flip(y + height), *width, *height).fill_nonzero();
                }
                if let Some((Rgb(r, g, b), width_of_line)) = stroke {
                    content.set_stroke_rgb(*r, *g, *b).set_line_width(*width_of_line);
                    content.rect(*x, flip(y + height), *width, *height).stroke();
                }
                content.restore_state();
            }
            Mark::Line { from, to, stroke } => {
                let (Rgb(r, g, b), width) = stroke;
                content.save_state();
                content.set_stroke_rgb(*r, *g, *b).set_line_width(*width);
                content.move_to(from.0, flip(from.1)).line_to(to.0, flip(to.1)).stroke();
                content.restore_state();
            }
            Mark::Text(text) => text.draw(&mut content, &mut fonts, page, marks.height)?,
            Mark::Qr { x, y, scale, fill } => {
                let Rgb(r, g, b) = fill;
                let scale = scale.number(page);
                content.save_state();
                content.set_fill_rgb(*r, *g, *b);
                for (row, start, run) in page.qr.runs() {
                    let top = y + (row + 1) as f32 * scale;
                    content.rect(x + start as f32 * scale, flip(top), run as f32 * scale, scale);
                }
                content.fill_nonzero();
                content.restore_state();
            }
        }
    }

    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let (catalog, pages, page_id, contents, info) = (alloc(), alloc(), alloc(), alloc(), alloc());
    let used: Vec<&Used> = fonts
        .used
        .iter()
        .map(|(_, used)| used)
        .filter(|used| used.drawn)
        .collect();
    let font_refs: Vec<Ref> = used.iter().map(|_| alloc()).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages).lang(TextStr(page.locale.tag()));
    pdf.pages(pages).kids([page_id]).count(1);
    let mut pdf_page = pdf.page(page_id);
    pdf_page
        .parent(pages)
        .media_box(Rect::new(0.0, 0.0, marks.width, marks.height))
        .contents(contents);
    let mut resources = pdf_page.resources();
    let mut font_dict = resources.fonts();
    for (used, font_ref) in used.iter().zip(&font_refs) {
        font_dict.pair(Name(used.resource.as_bytes()), *font_ref);
    }
    font_dict.finish();
    resources.finish();
    pdf_page.finish();
    let content = miniz_oxide::deflate::compress_to_vec_zlib(&content.finish(), DEFLATE_LEVEL);
    pdf.stream(contents, &content).filter(Filter::FlateDecode);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Certify"));
    for (used, font_ref) in used.iter().zip(font_refs) {
        write_font(&mut pdf, &mut alloc, used, font_ref);
    }
    Ok(pdf.finish())
}

/// Each non-empty text of the page as the PDF sets it: the text, where it starts and its
/// width, in points, and the glyph ids (in their fonts) it draws.
pub(crate) fn text_extents(marks: &Marks, store: &Store, page: &Page) -> Result<Vec<crate::LaidText>, RenderError> {
    let mut fonts = PageFonts::new(store);
    let mut extents = Vec::new();
    for mark in marks.for_page(page) {
        if let Mark::Text(text) = &mark {
            let before: Vec<usize> = fonts.used.iter().map(|(_, u)| u.drawn_glyphs.len()).collect();
            if let Some(set) = text.set(&mut fonts, page)? {
                let glyphs = fonts
                    .used
                    .iter()
                    .enumerate()
                    .flat_map(|(i, (_, u))| u.drawn_glyphs[before.get(i).copied().unwrap_or(0)..].iter().copied())
                    .collect();
                extents.push((
                    text.text.get(page).to_string(),
                    text.start(set.width),
                    set.width,
                    glyphs,
                ));
            }
        }
    }
    Ok(extents)
}

impl Marks {
    /// The marks as `page` is drawn: mirrored left to right for a right-to-left locale
    /// (the id and verification block right-aligned at the right, the QR code at the
    /// left, the issuer and expiry columns swapped; centred texts stay centred).
    fn for_page(&self, page: &Page) -> Vec<Mark> {
        if page.locale.direction() != certify_rules::locale::Direction::Rtl {
            return self.marks.clone();
        }
        let width = self.width;
        self.marks
            .iter()
            .map(|mark| match mark {
                Mark::Text(text) => {
                    let mut text = text.clone();
                    text.x = width - text.x;
                    text.anchor = match text.anchor {
                        Anchor::Start => Anchor::End,
                        Anchor::End => Anchor::Start,
                        Anchor::Middle => Anchor::Middle,
                    };
                    Mark::Text(text)
                }
                Mark::Qr { x, y, scale, fill } => {
                    let side = scale.number(page) * page.qr.width as f32;
                    Mark::Qr {
                        x: width - x - side,
                        y: *y,
                        scale: scale.clone(),
                        fill: *fill,
                    }
                }
                Mark::Rect {
                    x,
                    y,
                    width: w,
                    height,
                    fill,
                    stroke,
                } => Mark::Rect {
                    x: width - x - w,
                    y: *y,
                    width: *w,
                    height: *height,
                    fill: *fill,
                    stroke: *stroke,
                },
                Mark::Line { from, to, stroke } => Mark::Line {
                    from: (width - from.0, from.1),
                    to: (width - to.0, to.1),
                    stroke: *stroke,
                },
            })
            .collect()
    }

    /// Where the QR code's left edge is on `page`, in points.
    #[cfg(test)]
    pub(crate) fn qr_x(&self, page: &Page) -> Option<f32> {
        self.for_page(page).iter().find_map(|mark| match mark {
            Mark::Qr { x, .. } => Some(*x),
            _ => None,
        })
    }
}
