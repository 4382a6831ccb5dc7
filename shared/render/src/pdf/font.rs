//! The bundled fonts as the PDF uses them: each parsed once ([`Font`]), the glyphs a page
//! uses of each ([`Used`]), and each written as a Type 0 font embedding its subset.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pdf_writer::types::{CidFontType, FontFlags, UnicodeCmap};
use pdf_writer::writers::WMode;
use pdf_writer::{Filter, Finish, Name, Pdf, Rect, Ref};
use rustybuzz::ttf_parser::{name_id, GlyphId};
use rustybuzz::UnicodeBuffer;
use subsetter::GlyphRemapper;

use super::{DEFLATE_LEVEL, SYSTEM_INFO};
use crate::fonts::{FontId, Store};
use crate::RenderError;

/// A bundled font, parsed once: its shaper, its shaping plans and what its PDF
/// descriptor says.
pub(crate) struct Font<'a> {
    data: &'a [u8],
    index: u32,
    face: rustybuzz::Face<'a>,
    /// CFF outlines (the CJK collections, Unifont) rather than TrueType ones.
    cff: bool,
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

impl<'a> Font<'a> {
    /// Face `index` of the font file `data`, which [`crate::fonts::Store`] has checked.
    pub(crate) fn new(data: &'a [u8], index: u32) -> Result<Font<'a>, RenderError> {
        let face = rustybuzz::Face::from_slice(data, index)
            .ok_or_else(|| RenderError::Font(format!("face {index} of a font file does not parse")))?;
        let units_per_em = face.units_per_em() as f32;
        let per_mille = |units: f32| units / units_per_em * 1000.0;
        let global = face.global_bounding_box();
        let postscript_name = face
            .names()
            .into_iter()
            .filter(|name| name.name_id == name_id::POST_SCRIPT_NAME)
            .find_map(|name| name.to_string())
            .unwrap_or_else(|| "Font".to_string());
        let ascent = per_mille(f32::from(face.typographic_ascender().unwrap_or(face.ascender())));
        Ok(Font {
            data,
            index,
            cff: face.tables().cff.is_some(),
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
        })
    }

    pub(super) fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0))
    }

    /// `text`, a run of one script and direction, shaped in its direction (glyphs in
    /// visual order).
    pub(super) fn shape(
        &self,
        text: &str,
        language: Option<&rustybuzz::Language>,
        rtl: bool,
    ) -> rustybuzz::GlyphBuffer {
        let mut buffer = UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        if let Some(language) = language {
            buffer.set_language(language.clone());
        }
        rustybuzz::shape(&self.face, &[], buffer)
    }
}

/// The fonts a page draws with, each parsed on its first text: `F0`, `F1`, ...
pub(crate) struct PageFonts<'s> {
    pub(super) store: &'s Store,
    pub(super) used: Vec<(FontId, Used<'s>)>,
}

impl<'s> PageFonts<'s> {
    pub(crate) fn new(store: &'s Store) -> PageFonts<'s> {
        PageFonts {
            store,
            used: Vec::new(),
        }
    }

    /// The index of `font` among the page's fonts, parsed now if new.
    pub(super) fn index(&mut self, font: FontId) -> Result<usize, RenderError> {
        if let Some(i) = self.used.iter().position(|(f, _)| *f == font) {
            return Ok(i);
        }
        let data = self.store.data(font)?;
        let parsed = Font::new(data.as_slice(), font.face)?;
        let resource = format!("F{}", self.used.len());
        self.used.push((font, Used::new(parsed, resource)));
        Ok(self.used.len() - 1)
    }
}

/// One font's glyphs used on a page: their ids in the subset and the text each stands for.
pub(super) struct Used<'f> {
    pub(super) font: Font<'f>,
    pub(super) resource: String,
    glyphs: GlyphRemapper,
    /// The characters each subset glyph draws, for the ToUnicode map (copy and search).
    text: Vec<String>,
    /// Whether any text was set in this font.
    pub(super) drawn: bool,
    /// The font's glyph ids drawn, in order.
    pub(super) drawn_glyphs: Vec<u16>,
}

impl<'f> Used<'f> {
    pub(super) fn new(font: Font<'f>, resource: String) -> Used<'f> {
        Used {
            font,
            resource,
            glyphs: GlyphRemapper::new(),
            text: vec![String::new()],
            drawn: false,
            drawn_glyphs: Vec::new(),
        }
    }

    pub(super) fn glyph(&mut self, glyph: u16, text: &str) -> u16 {
        self.drawn = true;
        self.drawn_glyphs.push(glyph);
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
    let font = &used.font;
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
        .subtype(if font.cff {
            CidFontType::Type0
        } else {
            CidFontType::Type2
        })
        .base_font(base_font)
        .system_info(SYSTEM_INFO)
        .font_descriptor(descriptor)
        .default_width(0.0);
    if !font.cff {
        cid_font.cid_to_gid_map_predefined(Name(b"Identity"));
    }
    let widths: Vec<f32> = used
        .glyphs
        .remapped_gids()
        .map(|glyph| font.advance(glyph) / font.units_per_em * 1000.0)
        .collect();
    cid_font.widths().consecutive(0, widths);
    cid_font.finish();

    let mut flags = FontFlags::SYMBOLIC;
    flags.set(FontFlags::ITALIC, font.italic);
    let mut descriptor_writer = pdf.font_descriptor(descriptor);
    descriptor_writer
        .name(base_font)
        .flags(flags)
        .bbox(font.bbox)
        .italic_angle(font.italic_angle)
        .ascent(font.ascent)
        .descent(font.descent)
        .cap_height(font.cap_height)
        .stem_v(font.stem_v);
    if font.cff {
        descriptor_writer.font_file3(data);
    } else {
        descriptor_writer.font_file2(data);
    }
    descriptor_writer.finish();

    let mut cmap = UnicodeCmap::new(Name(b"Custom"), SYSTEM_INFO);
    for (id, text) in used.text.iter().enumerate() {
        if let (Ok(id), false) = (u16::try_from(id), text.is_empty()) {
            cmap.pair_with_multiple(id, text.chars());
        }
    }
    pdf.cmap(cmap_ref, &cmap.finish()).writing_mode(WMode::Horizontal);

    // The subset of a bundled font: subsetting fails only on a font it cannot read.
    let subset = subsetter::subset(font.data, font.index, &used.glyphs)
        .unwrap_or_else(|e| panic!("a bundled font cannot be subset: {e:?}"));
    let deflated = miniz_oxide::deflate::compress_to_vec_zlib(&subset, DEFLATE_LEVEL);
    let mut stream = pdf.stream(data, &deflated);
    stream.filter(Filter::FlateDecode);
    if font.cff {
        // The subset is an OpenType font with CFF outlines (PDF 1.6 FontFile3 /OpenType).
        stream.pair(Name(b"Subtype"), Name(b"OpenType"));
    }
    stream.finish();
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
