//! The bundled fonts as the PDF uses them: each parsed once ([`Font`]), the glyphs a page
//! uses of each ([`Used`]), and each written as a Type 0 font embedding its subset.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pdf_writer::types::{CidFontType, FontFlags, UnicodeCmap};
use pdf_writer::writers::WMode;
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};
use rustybuzz::ttf_parser::{name_id, GlyphId};
use rustybuzz::{Direction, Script, ShapePlan, UnicodeBuffer};
use subsetter::GlyphRemapper;

use super::{DEFLATE_LEVEL, SYSTEM_INFO};

/// A bundled font, parsed once: its shaper, its shaping plans and what its PDF
/// descriptor says.
pub(crate) struct Font {
    data: &'static [u8],
    face: rustybuzz::Face<'static>,
    /// Shaping plans for the scripts of names; another script gets a plan per text.
    plans: Vec<(Script, ShapePlan)>,
    pub(super) units_per_em: f32,
    postscript_name: String,
    bbox: Rect,
    italic_angle: f32,
    ascent: f32,
    descent: f32,
    cap_height: f32,
    stem_v: f32,
    italic: bool,
}

impl Font {
    /// Panics when `data` is not a font: it is one of the crate's bundled fonts.
    pub(crate) fn new(data: &'static [u8]) -> Font {
        let face = rustybuzz::Face::from_slice(data, 0).unwrap_or_else(|| panic!("a bundled font does not parse"));
        let plans = [
            rustybuzz::script::LATIN,
            rustybuzz::script::GREEK,
            rustybuzz::script::CYRILLIC,
            rustybuzz::script::COMMON,
        ]
        .into_iter()
        .map(|script| {
            let plan = ShapePlan::new(&face, Direction::LeftToRight, Some(script), None, &[]);
            (script, plan)
        })
        .collect();
        let units_per_em = face.units_per_em() as f32;
        let per_mille = |units: f32| units / units_per_em * 1000.0;
        let global = face.global_bounding_box();
        let postscript_name = face
            .names()
            .into_iter()
            .filter(|name| name.name_id == name_id::POST_SCRIPT_NAME)
            .find_map(|name| name.to_string())
            .unwrap_or_else(|| "DejaVuSans".to_string());
        let ascent = per_mille(f32::from(face.typographic_ascender().unwrap_or(face.ascender())));
        Font {
            data,
            plans,
            units_per_em,
            postscript_name,
            bbox: Rect::new(
                per_mille(f32::from(global.x_min)),
                per_mille(f32::from(global.y_min)),
                per_mille(f32::from(global.x_max)),
                per_mille(f32::from(global.y_max)),
            ),
            italic_angle: face.italic_angle(),
            ascent,
            descent: per_mille(f32::from(face.typographic_descender().unwrap_or(face.descender()))),
            cap_height: face
                .capital_height()
                .filter(|&h| h > 0)
                .map_or(ascent, |h| per_mille(f32::from(h))),
            stem_v: 10.0 + 0.244 * (f32::from(face.weight().to_number()) - 50.0),
            italic: face.is_italic(),
            face,
        }
    }

    pub(super) fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0))
    }

    /// `text` shaped left to right, as usvg shapes it for the preview.
    pub(super) fn shape(&self, text: &str) -> rustybuzz::GlyphBuffer {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(Direction::LeftToRight);
        buffer.guess_segment_properties();
        let script = buffer.script();
        match self.plans.iter().find(|(s, _)| *s == script) {
            Some((_, plan)) => rustybuzz::shape_with_plan(&self.face, plan, buffer),
            None => rustybuzz::shape(&self.face, &[], buffer),
        }
    }
}

/// One font's glyphs used on a page: their ids in the subset and the text each stands for.
pub(super) struct Used<'f> {
    pub(super) font: &'f Font,
    pub(super) resource: Name<'static>,
    glyphs: GlyphRemapper,
    /// The characters each subset glyph draws, for the ToUnicode map (copy and search).
    text: Vec<String>,
    /// Whether any text was set in this font (perhaps only in .notdef glyphs).
    pub(super) drawn: bool,
}

impl<'f> Used<'f> {
    /// The page's two fonts, none of their glyphs used yet: `F0` regular, `F1` bold.
    pub(super) fn pair(regular: &'f Font, bold: &'f Font) -> [Used<'f>; 2] {
        [Used::new(regular, Name(b"F0")), Used::new(bold, Name(b"F1"))]
    }

    fn new(font: &'f Font, resource: Name<'static>) -> Used<'f> {
        Used {
            font,
            resource,
            glyphs: GlyphRemapper::new(),
            text: vec![String::new()],
            drawn: false,
        }
    }

    pub(super) fn glyph(&mut self, glyph: u16, text: &str) -> u16 {
        self.drawn = true;
        let id = self.glyphs.remap(glyph);
        let slot = usize::from(id);
        if slot >= self.text.len() {
            self.text.resize(slot + 1, String::new());
        }
        if self.text[slot].is_empty() {
            self.text[slot].push_str(text);
        }
        id
    }
}

/// The font's Type 0 dictionary at `type0`, its CID font, descriptor, ToUnicode map and
/// the subset itself.
pub(super) fn write_font(pdf: &mut Pdf, alloc: &mut impl FnMut() -> Ref, used: &Used, type0: Ref) {
    let font = used.font;
    let (cid, descriptor, cmap_ref, data) = (alloc(), alloc(), alloc(), alloc());
    let base_font = format!("{}+{}", subset_tag(&used.glyphs), font.postscript_name);
    let base_font = Name(base_font.as_bytes());

    pdf.type0_font(type0)
        .base_font(base_font)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid)
        .to_unicode(cmap_ref);

    let mut cid_font = pdf.cid_font(cid);
    cid_font
        .subtype(CidFontType::Type2)
        .base_font(base_font)
        .system_info(SYSTEM_INFO)
        .font_descriptor(descriptor)
        .default_width(0.0)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    let widths: Vec<f32> = used
        .glyphs
        .remapped_gids()
        .map(|glyph| font.advance(glyph) / font.units_per_em * 1000.0)
        .collect();
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();

    let mut flags = FontFlags::SYMBOLIC;
    flags.set(FontFlags::ITALIC, font.italic);
    pdf.font_descriptor(descriptor)
        .name(base_font)
        .flags(flags)
        .bbox(font.bbox)
        .italic_angle(font.italic_angle)
        .ascent(font.ascent)
        .descent(font.descent)
        .cap_height(font.cap_height)
        .stem_v(font.stem_v)
        .font_file2(data);

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
    for (id, text) in used.text.iter().enumerate() {
        if let (Ok(id), false) = (u16::try_from(id), text.is_empty()) {
            cmap.pair_with_multiple(id, text.chars());
        }
    }
    pdf.cmap(cmap_ref, &cmap.finish()).writing_mode(WMode::Horizontal);

    // The subset of a bundled font: subsetting fails only on a font it cannot read.
    let subset = subsetter::subset(font.data, 0, &used.glyphs)
        .unwrap_or_else(|e| panic!("a bundled font cannot be subset: {e:?}"));
    let deflated = miniz_oxide::deflate::compress_to_vec_zlib(&subset, DEFLATE_LEVEL);
    pdf.stream(data, &deflated).filter(Filter::FlateDecode);
}

/// The six capital letters a subset font's name starts with, from its glyphs.
fn subset_tag(glyphs: &GlyphRemapper) -> String {
    let mut hasher = DefaultHasher::new();
    glyphs.remapped_gids().for_each(|glyph| glyph.hash(&mut hasher));
    let mut hash = Hasher::finish(&hasher);
    (0..6)
        .map(|_| {
            let letter = char::from(b'A' + (hash % 26) as u8);
            hash /= 26;
            letter
        })
        .collect()
}
