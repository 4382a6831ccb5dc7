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

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::writers::WMode;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use roxmltree::{Document, Node};
use rustybuzz::ttf_parser::{name_id, GlyphId};
use rustybuzz::{Direction, Script, ShapePlan, UnicodeBuffer};
use subsetter::GlyphRemapper;

use crate::layout::{clean, Page};
use crate::template::Slot;

const SYSTEM_INFO: SystemInfo = SystemInfo {
    registry: Str(b"Adobe"),
    ordering: Str(b"Identity"),
    supplement: 0,
};
/// Deflate level of the page's content and font subsets: level 6 made the PDF a quarter
/// smaller and twice as slow to write (18.7 kB in 1.81 ms against 24.5 kB in 0.89 ms,
/// `cargo bench -p certify-render`).
const DEFLATE_LEVEL: u8 = 1;

/// A value of the template: as written, or a slot filled per certificate.
#[derive(Debug, Clone)]
enum Value {
    Literal(String),
    Slot(Slot),
}

impl Value {
    fn read(text: &str) -> Value {
        match text.strip_prefix("{{").and_then(|rest| rest.strip_suffix("}}")) {
            Some(name) => Value::Slot(Slot::named(name).unwrap_or_else(|| unsupported(&format!("slot {name:?}")))),
            None if text.contains("{{") => unsupported(&format!("text mixing words and a slot: {text:?}")),
            None => Value::Literal(text.to_string()),
        }
    }

    fn get<'a>(&'a self, page: &'a Page) -> &'a str {
        match self {
            Value::Literal(text) => text,
            Value::Slot(slot) => page.value(*slot),
        }
    }

    fn number(&self, page: &Page) -> f32 {
        number(self.get(page))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rgb(f32, f32, f32);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    Start,
    Middle,
    End,
}

/// What a mark inherits from its groups: SVG's presentation attributes, as the template
/// uses them.
#[derive(Debug, Clone)]
struct Style {
    fill: Option<Rgb>,
    stroke: Option<Rgb>,
    stroke_width: f32,
    font_size: Option<Value>,
    bold: bool,
    letter_spacing: f32,
    anchor: Anchor,
}

impl Default for Style {
    fn default() -> Style {
        Style {
            fill: Some(Rgb(0.0, 0.0, 0.0)),
            stroke: None,
            stroke_width: 1.0,
            font_size: None,
            bold: false,
            letter_spacing: 0.0,
            anchor: Anchor::Start,
        }
    }
}

impl Style {
    /// This style with `node`'s presentation attributes applied.
    fn with(&self, node: Node) -> Style {
        let mut style = self.clone();
        for attribute in node.attributes() {
            let value = attribute.value();
            match attribute.name() {
                "fill" => style.fill = paint(value),
                "stroke" => style.stroke = paint(value),
                "stroke-width" => style.stroke_width = number(value),
                "font-size" => style.font_size = Some(Value::read(value)),
                "font-weight" => {
                    style.bold = match value {
                        "normal" => false,
                        "bold" => true,
                        _ => unsupported(&format!("font-weight {value:?}")),
                    }
                }
                "letter-spacing" => style.letter_spacing = number(value),
                "text-anchor" => {
                    style.anchor = match value {
                        "start" => Anchor::Start,
                        "middle" => Anchor::Middle,
                        "end" => Anchor::End,
                        _ => unsupported(&format!("text-anchor {value:?}")),
                    }
                }
                // Geometry, read by each element; the family is the bundled fonts'.
                "xmlns" | "width" | "height" | "viewBox" | "x" | "y" | "x1" | "y1" | "x2" | "y2" | "d"
                | "font-family" => {}
                "transform" if node.has_tag_name("path") => {}
                other => unsupported(&format!("{other:?} on <{}>", node.tag_name().name())),
            }
        }
        style
    }
}

/// One thing the template draws, in the template's coordinates (y down).
#[derive(Debug, Clone)]
enum Mark {
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
    Text(TextMark),
    /// The verification URL's QR code, one `scale` square per module from (`x`, `y`).
    Qr {
        x: f32,
        y: f32,
        scale: Value,
        fill: Rgb,
    },
}

/// The template as the marks it draws, read once.
#[derive(Debug)]
pub(crate) struct Marks {
    width: f32,
    height: f32,
    marks: Vec<Mark>,
}

impl Marks {
    /// Reads `svg`. Panics on anything it cannot draw, naming it (see the module's doc).
    pub(crate) fn parse(svg: &str) -> Marks {
        let document = Document::parse(svg).unwrap_or_else(|e| unsupported(&format!("markup: {e}")));
        let root = document.root_element();
        let mut marks = Marks {
            width: number(attribute(root, "width")),
            height: number(attribute(root, "height")),
            marks: Vec::new(),
        };
        // One user unit is one point of the page.
        let view_box = format!("0 0 {} {}", marks.width, marks.height);
        if root.attribute("viewBox").is_some_and(|given| given != view_box) {
            unsupported(&format!("a viewBox other than {view_box:?}"));
        }
        marks.read_children(root, &Style::default().with(root));
        marks
    }

    fn read_children(&mut self, parent: Node, style: &Style) {
        for node in parent.children().filter(Node::is_element) {
            let style = style.with(node);
            let stroke = style.stroke.map(|color| (color, style.stroke_width));
            match node.tag_name().name() {
                "g" => self.read_children(node, &style),
                "rect" => self.marks.push(Mark::Rect {
                    x: node.attribute("x").map_or(0.0, number),
                    y: node.attribute("y").map_or(0.0, number),
                    width: number(attribute(node, "width")),
                    height: number(attribute(node, "height")),
                    fill: style.fill,
                    stroke,
                }),
                "line" => self.marks.push(Mark::Line {
                    from: (number(attribute(node, "x1")), number(attribute(node, "y1"))),
                    to: (number(attribute(node, "x2")), number(attribute(node, "y2"))),
                    stroke: stroke.unwrap_or_else(|| unsupported("a line without a stroke")),
                }),
                "text" => self.marks.push(Mark::Text(TextMark {
                    x: number(attribute(node, "x")),
                    y: number(attribute(node, "y")),
                    size: style
                        .font_size
                        .unwrap_or_else(|| unsupported("a text without a font-size")),
                    bold: style.bold,
                    letter_spacing: style.letter_spacing,
                    anchor: style.anchor,
                    fill: style.fill.unwrap_or_else(|| unsupported("a text without a fill")),
                    text: match node.children().collect::<Vec<_>>().as_slice() {
                        [] => Value::Literal(String::new()),
                        // Whitespace collapses as SVG draws it.
                        [child] if child.is_text() => Value::read(&clean(child.text().unwrap_or_default())),
                        _ => unsupported("a text with markup inside"),
                    },
                })),
                "path" => {
                    if !matches!(Value::read(attribute(node, "d")), Value::Slot(Slot::QrPath)) {
                        unsupported("a path other than the QR code's");
                    }
                    let (x, y, scale) = translate_scale(attribute(node, "transform"));
                    let fill = style.fill.unwrap_or_else(|| unsupported("a QR code without a fill"));
                    self.marks.push(Mark::Qr { x, y, scale, fill });
                }
                other => unsupported(&format!("the element <{other}>")),
            }
        }
    }
}

/// `translate(X Y) scale(S)`, the QR code's placement.
fn translate_scale(transform: &str) -> (f32, f32, Value) {
    let parsed = transform
        .strip_prefix("translate(")
        .and_then(|rest| rest.split_once(") scale("))
        .and_then(|(xy, scale)| Some((xy.split_once(' ')?, scale.strip_suffix(')')?)));
    match parsed {
        Some(((x, y), scale)) => (number(x), number(y), Value::read(scale)),
        None => unsupported(&format!("the transform {transform:?}")),
    }
}

fn attribute<'a>(node: Node<'a, '_>, name: &str) -> &'a str {
    node.attribute(name)
        .unwrap_or_else(|| unsupported(&format!("<{}> without {name}", node.tag_name().name())))
}

fn number(text: &str) -> f32 {
    text.trim()
        .parse()
        .unwrap_or_else(|_| unsupported(&format!("the number {text:?}")))
}

/// `none` or `#rrggbb`.
fn paint(value: &str) -> Option<Rgb> {
    if value == "none" {
        return None;
    }
    let channel = |i: usize| {
        value
            .get(1 + 2 * i..3 + 2 * i)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            .map(|c| f32::from(c) / 255.0)
    };
    match (value.len(), channel(0), channel(1), channel(2)) {
        (7, Some(r), Some(g), Some(b)) if value.starts_with('#') => Some(Rgb(r, g, b)),
        _ => unsupported(&format!("the colour {value:?}")),
    }
}

fn unsupported(what: &str) -> ! {
    panic!("the certificate template uses {what}, which the PDF writer does not draw")
}

/// A bundled font, parsed once: its shaper, its shaping plans and what its PDF
/// descriptor says.
pub(crate) struct Font {
    data: &'static [u8],
    face: rustybuzz::Face<'static>,
    /// Shaping plans for the scripts of names; another script gets a plan per text.
    plans: Vec<(Script, ShapePlan)>,
    units_per_em: f32,
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

    fn advance(&self, glyph: u16) -> f32 {
        f32::from(self.face.glyph_hor_advance(GlyphId(glyph)).unwrap_or(0))
    }

    /// `text` shaped left to right, as usvg shapes it for the preview.
    fn shape(&self, text: &str) -> rustybuzz::GlyphBuffer {
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
struct Used<'f> {
    font: &'f Font,
    resource: Name<'static>,
    glyphs: GlyphRemapper,
    /// The characters each subset glyph draws, for the ToUnicode map (copy and search).
    text: Vec<String>,
    /// Whether any text was set in this font (perhaps only in .notdef glyphs).
    drawn: bool,
}

impl<'f> Used<'f> {
    /// The page's two fonts, none of their glyphs used yet: `F0` regular, `F1` bold.
    fn pair(regular: &'f Font, bold: &'f Font) -> [Used<'f>; 2] {
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

    fn glyph(&mut self, glyph: u16, text: &str) -> u16 {
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

/// Draws `page` as the template's `marks` say, with `regular` and `bold`.
pub(crate) fn write(marks: &Marks, regular: &Font, bold: &Font, page: &Page, title: &str) -> Vec<u8> {
    let mut fonts = Used::pair(regular, bold);
    let mut content = Content::new();
    let flip = |y: f32| marks.height - y;
    for mark in &marks.marks {
        match mark {
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
            Mark::Text(text) => text.draw(&mut content, &mut fonts, page, marks.height),
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
    let used: Vec<&Used> = fonts.iter().filter(|used| used.drawn).collect();
    let font_refs: Vec<Ref> = used.iter().map(|_| alloc()).collect();

    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page_id]).count(1);
    let mut pdf_page = pdf.page(page_id);
    pdf_page
        .parent(pages)
        .media_box(Rect::new(0.0, 0.0, marks.width, marks.height))
        .contents(contents);
    let mut resources = pdf_page.resources();
    let mut font_dict = resources.fonts();
    for (used, font_ref) in used.iter().zip(&font_refs) {
        font_dict.pair(used.resource, *font_ref);
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
    pdf.finish()
}

/// A text of the template, on one line from its baseline's anchor point.
#[derive(Debug, Clone)]
struct TextMark {
    x: f32,
    y: f32,
    size: Value,
    bold: bool,
    letter_spacing: f32,
    anchor: Anchor,
    fill: Rgb,
    text: Value,
}

/// One step of a shown text: a glyph, a move along the line (thousandths of an em, PDF's
/// sign: positive moves left) or a raise of the glyphs that follow (points).
enum Step {
    Glyph(u16),
    Move(f32),
    Rise(f32),
}

/// A text shaped: what to show, at what size and how wide it is, in points.
struct Set {
    steps: Vec<Step>,
    size: f32,
    width: f32,
}

impl TextMark {
    /// Shapes the text `page` gives this mark with its font among `fonts` (regular, bold),
    /// noting the glyphs it uses; `None` for an empty text.
    fn set(&self, fonts: &mut [Used; 2], page: &Page) -> Option<Set> {
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
    fn start(&self, width: f32) -> f32 {
        match self.anchor {
            Anchor::Start => self.x,
            Anchor::Middle => self.x - width / 2.0,
            Anchor::End => self.x - width,
        }
    }

    fn draw(&self, content: &mut Content, fonts: &mut [Used; 2], page: &Page, page_height: f32) {
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

/// The font's Type 0 dictionary at `type0`, its CID font, descriptor, ToUnicode map and
/// the subset itself.
fn write_font(pdf: &mut Pdf, alloc: &mut impl FnMut() -> Ref, used: &Used, type0: Ref) {
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

/// Each non-empty text of the page as the PDF sets it: the text, where it starts and its
/// width, in points; for comparing with the preview's layout.
#[cfg(test)]
pub(crate) fn text_extents(marks: &Marks, regular: &Font, bold: &Font, page: &Page) -> Vec<(String, f32, f32)> {
    let mut fonts = Used::pair(regular, bold);
    let mut extents = Vec::new();
    for mark in &marks.marks {
        if let Mark::Text(text) = mark {
            if let Some(set) = text.set(&mut fonts, page) {
                extents.push((text.text.get(page).to_string(), text.start(set.width), set.width));
            }
        }
    }
    extents
}
