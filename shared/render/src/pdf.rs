//! The certificate's PDF: the laid-out page ([`Scene`]) written by krilla. Texts go out
//! as real text, each run of one font as one `draw_glyphs` with every glyph's stretch of
//! the text, from which krilla writes the ToUnicode maps and, where a glyph stands for
//! other characters than its own (ligatures, reordered clusters, U+FFFD), ActualText;
//! right-to-left runs as `/ReversedChars`. krilla embeds each font as a subset (TrueType,
//! and CFF for the CJK collections and Unifont). `/Lang` is the certificate's locale.

use std::ops::Range;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag, SpanTag, Tag, TagGroup, TagTree};
use krilla::text::{GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};

use crate::fonts::Store;
use crate::layout::{Item, Rgb, Scene, Text, PAGE_HEIGHT, PAGE_WIDTH};
use crate::RenderError;

fn paint(Rgb(r, g, b): Rgb) -> krilla::paint::Paint {
    rgb::Color::new(r, g, b).into()
}

fn fill(color: Rgb) -> Fill {
    Fill {
        paint: paint(color),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}

fn stroke((color, width): (Rgb, f32)) -> Stroke {
    Stroke {
        paint: paint(color),
        width,
        ..Stroke::default()
    }
}

/// The page as a one-page PDF titled `title`.
pub(crate) fn write(store: &Store, scene: &Scene, title: &str) -> Result<Vec<u8>, RenderError> {
    let settings = SerializeSettings {
        // One document a call, drawn once: no XMP packet (the info dictionary has the
        // title), as small as it goes.
        xmp_metadata: false,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let size = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).ok_or_else(|| pdf_error("the page size"))?;
    let mut page = document.start_page_with(size);
    let mut surface = page.surface();
    // Tagged: each line of text a paragraph of the structure tree, in reading order;
    // the frame, rule and QR code artifacts (the URL is printed beside the code).
    let mut tree = TagTree::new();
    for item in &scene.items {
        if let Item::Text(text) = item {
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            draw_text(&mut surface, store, text)?;
            surface.end_tagged();
            tree.push(TagGroup::with_children(Tag::P, vec![id.into()]));
        } else {
            surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(ArtifactType::Layout)));
            draw(&mut surface, scene, item)?;
            surface.end_tagged();
        }
    }
    surface.finish();
    page.finish();
    document.set_tag_tree(tree);
    document.set_metadata(
        Metadata::new()
            .title(title.to_string())
            .language(scene.locale.tag().to_string())
            .producer("Certify".to_string()),
    );
    document.finish().map_err(|e| pdf_error(&format!("{e:?}")))
}

fn pdf_error(what: &str) -> RenderError {
    RenderError::Pdf(what.to_string())
}

/// A shape of the page; texts are [`draw_text`]'s.
fn draw(surface: &mut Surface<'_>, scene: &Scene, item: &Item) -> Result<(), RenderError> {
    match item {
        Item::Rect {
            x,
            y,
            width,
            height,
            fill: inside,
            stroke: line,
        } => {
            let mut path = PathBuilder::new();
            path.push_rect(Rect::from_xywh(*x, *y, *width, *height).ok_or_else(|| pdf_error("a rectangle"))?);
            let path = path.finish().ok_or_else(|| pdf_error("a rectangle"))?;
            surface.set_fill(inside.map(fill));
            surface.set_stroke(line.map(stroke));
            surface.draw_path(&path);
        }
        Item::Line { from, to, stroke: line } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            let path = path.finish().ok_or_else(|| pdf_error("a line"))?;
            surface.set_fill(None);
            surface.set_stroke(Some(stroke(*line)));
            surface.draw_path(&path);
        }
        Item::Text(_) => {}
        Item::Qr {
            x,
            y,
            module,
            fill: ink,
        } => {
            let mut path = PathBuilder::new();
            for (row, start, run) in scene.qr.runs() {
                let rect = Rect::from_xywh(
                    x + start as f32 * module,
                    y + row as f32 * module,
                    run as f32 * module,
                    *module,
                )
                .ok_or_else(|| pdf_error("the QR code"))?;
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_fill(Some(fill(*ink)));
                surface.set_stroke(None);
                surface.draw_path(&path);
            }
        }
    }
    Ok(())
}

/// What each glyph of `text` stands for, in the order the glyphs are drawn: the text
/// they are mapped to, and each glyph's stretch of it. Readers (poppler, pdf.js) put
/// right-to-left words back in logical order by reversing the characters they read, so
/// a right-to-left glyph that stands for several characters (a lam-alef) says them in
/// visual order, to come out right once reversed.
fn mapping(text: &Text) -> (String, Vec<Range<usize>>) {
    let given = &text.shaped.text;
    let mut mapped = String::with_capacity(given.len());
    let mut ranges = Vec::with_capacity(text.shaped.glyph_count());
    let mut last: Option<(Range<usize>, Range<usize>)> = None;
    for glyph in text.shaped.glyphs() {
        if let Some((from, to)) = &last {
            if *from == glyph.range {
                ranges.push(to.clone());
                continue;
            }
        }
        let start = mapped.len();
        let characters = &given[glyph.range.clone()];
        if glyph.rtl {
            mapped.extend(characters.chars().rev());
        } else {
            mapped.push_str(characters);
        }
        let to = start..mapped.len();
        ranges.push(to.clone());
        last = Some((glyph.range.clone(), to));
    }
    (mapped, ranges)
}

/// One line of text, a `draw_glyphs` per run of one font; letter spacing goes in the
/// advances.
fn draw_text(surface: &mut Surface<'_>, store: &Store, text: &Text) -> Result<(), RenderError> {
    surface.set_fill(Some(fill(text.fill)));
    surface.set_stroke(None);
    let (mapped, mut ranges) = mapping(text);
    let mut ranges = ranges.drain(..);
    let spacing = text.spacing / text.size;
    let last = text.shaped.glyph_count().saturating_sub(1);
    let mut x = text.x;
    let mut index = 0;
    for run in &text.shaped.runs {
        let face = store.face(run.font)?;
        let glyphs: Vec<KrillaGlyph> = run
            .glyphs
            .iter()
            .map(|glyph| {
                let spaced = if index < last { spacing } else { 0.0 };
                index += 1;
                KrillaGlyph::new(
                    GlyphId::new(glyph.id),
                    glyph.advance + spaced,
                    glyph.dx,
                    glyph.dy,
                    0.0,
                    ranges.next().unwrap_or_default(),
                    None,
                )
            })
            .collect();
        surface.draw_glyphs(
            Point::from_xy(x, text.baseline),
            &glyphs,
            face.pdf.clone(),
            &mapped,
            text.size,
            false,
        );
        x += glyphs.iter().map(|g| g.x_advance).sum::<f32>() * text.size;
    }
    Ok(())
}
