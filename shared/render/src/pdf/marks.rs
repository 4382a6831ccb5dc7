//! The template read into the marks it draws: rectangles, lines, texts and the QR code,
//! with the presentation attributes they inherit, each value as written or a slot.
//! Reading panics on anything the writer does not draw, naming it.

use roxmltree::{Document, Node};

use super::shape::TextMark;
use crate::layout::{clean, Page};
use crate::template::Slot;

/// A value of the template: as written, or a slot filled per certificate.
#[derive(Debug, Clone)]
pub(super) enum Value {
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

    pub(super) fn get<'a>(&'a self, page: &'a Page) -> &'a str {
        match self {
            Value::Literal(text) => text,
            Value::Slot(slot) => page.value(*slot),
        }
    }

    pub(super) fn number(&self, page: &Page) -> f32 {
        number(self.get(page))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Rgb(pub(super) f32, pub(super) f32, pub(super) f32);

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Anchor {
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
pub(super) enum Mark {
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
    pub(super) width: f32,
    pub(super) height: f32,
    pub(super) marks: Vec<Mark>,
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
