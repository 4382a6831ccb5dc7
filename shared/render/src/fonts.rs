//! The fonts, as data: files in a folder (`$CERTIFY_FONTS_DIR`, else the repository's
//! `fonts/`), each read on the first certificate that needs it and kept for the
//! renderer's life. Which font draws a character: its script's font from [`SCRIPTS`] when
//! that font has it, else the first of the primary font, Symbola, Unifont and
//! UnifontUpper that has it; a character none has is drawn as U+FFFD in the primary font.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use skrifa::raw::{FileRef, TableProvider};
use skrifa::{FontRef, MetadataProvider};

use certify_rules::locale::Locale;
use unicode_script::{Script, UnicodeScript};

use crate::RenderError;

/// Every font file the renderer may read, by stem; `.ttc` and `.otf` noted by [`extension`].
const FILES: &[&str] = &[
    "NotoSans-Regular",
    "NotoSans-Bold",
    "NotoSansArmenian-Regular",
    "NotoSansArmenian-Bold",
    "NotoSansGeorgian-Regular",
    "NotoSansGeorgian-Bold",
    "NotoSansHebrew-Regular",
    "NotoSansHebrew-Bold",
    "NotoSansArabic-Regular",
    "NotoSansArabic-Bold",
    "NotoSansDevanagari-Regular",
    "NotoSansDevanagari-Bold",
    "NotoSansBengali-Regular",
    "NotoSansBengali-Bold",
    "NotoSansTamil-Regular",
    "NotoSansTamil-Bold",
    "NotoSansThai-Regular",
    "NotoSansThai-Bold",
    "NotoSansKhmer-Regular",
    "NotoSansKhmer-Bold",
    "NotoSansEthiopic-Regular",
    "NotoSansEthiopic-Bold",
    "NotoSansGujarati-Regular",
    "NotoSansGujarati-Bold",
    "NotoSansGurmukhi-Regular",
    "NotoSansGurmukhi-Bold",
    "NotoSansKannada-Regular",
    "NotoSansKannada-Bold",
    "NotoSansMalayalam-Regular",
    "NotoSansMalayalam-Bold",
    "NotoSansTelugu-Regular",
    "NotoSansTelugu-Bold",
    "NotoSansOriya-Regular",
    "NotoSansOriya-Bold",
    "NotoSansSinhala-Regular",
    "NotoSansSinhala-Bold",
    "NotoSansLao-Regular",
    "NotoSansLao-Bold",
    "NotoSansMyanmar-Regular",
    "NotoSansMyanmar-Bold",
    "NotoSansThaana-Regular",
    "NotoSansThaana-Bold",
    "NotoSansCherokee-Regular",
    "NotoSansCherokee-Bold",
    "NotoSansCJK-Regular",
    "NotoSansCJK-Bold",
    "Symbola",
    "Unifont",
    "UnifontUpper",
];

/// The one table of scripts with a font of their own: script, the stem of its fonts
/// (`{stem}-Regular`, `{stem}-Bold`). Latin, Greek and Cyrillic are the primary font's.
const SCRIPTS: &[(Script, &str)] = &[
    (Script::Armenian, "NotoSansArmenian"),
    (Script::Georgian, "NotoSansGeorgian"),
    (Script::Hebrew, "NotoSansHebrew"),
    (Script::Arabic, "NotoSansArabic"),
    (Script::Devanagari, "NotoSansDevanagari"),
    (Script::Bengali, "NotoSansBengali"),
    (Script::Tamil, "NotoSansTamil"),
    (Script::Thai, "NotoSansThai"),
    (Script::Khmer, "NotoSansKhmer"),
    (Script::Ethiopic, "NotoSansEthiopic"),
    (Script::Gujarati, "NotoSansGujarati"),
    (Script::Gurmukhi, "NotoSansGurmukhi"),
    (Script::Kannada, "NotoSansKannada"),
    (Script::Malayalam, "NotoSansMalayalam"),
    (Script::Telugu, "NotoSansTelugu"),
    (Script::Oriya, "NotoSansOriya"),
    (Script::Sinhala, "NotoSansSinhala"),
    (Script::Lao, "NotoSansLao"),
    (Script::Myanmar, "NotoSansMyanmar"),
    (Script::Thaana, "NotoSansThaana"),
    (Script::Cherokee, "NotoSansCherokee"),
    (Script::Han, "NotoSansCJK"),
    (Script::Hiragana, "NotoSansCJK"),
    (Script::Katakana, "NotoSansCJK"),
    (Script::Hangul, "NotoSansCJK"),
    (Script::Bopomofo, "NotoSansCJK"),
];

/// The faces of the CJK collections.
const CJK_JP: u32 = 0;
const CJK_KR: u32 = 1;
const CJK_SC: u32 = 2;

/// What draws a character: a file of [`FILES`] and a face in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct FontId {
    pub(crate) file: u16,
    pub(crate) face: u32,
}

fn file_index(stem: &str) -> u16 {
    // Every stem named in this module is in FILES; a test reads every file.
    FILES.iter().position(|f| *f == stem).map_or(0, |i| i as u16)
}

fn extension(stem: &str) -> &'static str {
    match stem {
        "NotoSansCJK-Regular" | "NotoSansCJK-Bold" => "ttc",
        "Unifont" | "UnifontUpper" => "otf",
        _ => "ttf",
    }
}

fn weight(bold: bool) -> &'static str {
    if bold {
        "Bold"
    } else {
        "Regular"
    }
}

/// The folder the fonts are read from.
pub(crate) fn dir() -> PathBuf {
    match std::env::var_os("CERTIFY_FONTS_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fonts")),
    }
}

/// A face of a font file, ready to draw with: its bytes, its shaper's tables, and the
/// same face as krilla embeds it. Made once per face, on its first use.
pub(crate) struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
    pub(crate) units_per_em: f32,
    pub(crate) shaper: harfrust::ShaperData,
    pub(crate) pdf: krilla::text::Font,
}

impl Face {
    /// The face, parsed (cheap: a table directory).
    pub(crate) fn font(&self) -> FontRef<'_> {
        // `Store::face` parsed this very face before making it.
        FontRef::from_index(&self.data, self.index).unwrap_or_else(|_| unreachable!("the face parsed when it was made"))
    }

    /// The glyph `font` draws `c` with, if it has one (glyph 0 is `.notdef`, not one).
    pub(crate) fn glyph(&self, c: char) -> Option<u32> {
        self.font().charmap().map(c).map(|g| g.to_u32()).filter(|&g| g != 0)
    }
}

/// The font files, each read once, on first need, and their faces.
pub(crate) struct Store {
    dir: PathBuf,
    files: Vec<OnceLock<Result<Arc<Vec<u8>>, String>>>,
    faces: Mutex<HashMap<FontId, Arc<Face>>>,
}

impl Store {
    /// Reads nothing.
    pub(crate) fn new() -> Store {
        Store::in_dir(dir())
    }

    /// Reads nothing: the fonts of `dir`, read on first need.
    pub(crate) fn in_dir(dir: PathBuf) -> Store {
        Store {
            dir,
            files: FILES.iter().map(|_| OnceLock::new()).collect(),
            faces: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn primary(bold: bool) -> FontId {
        FontId {
            file: file_index(&format!("NotoSans-{}", weight(bold))),
            face: 0,
        }
    }

    /// The bytes of `font`'s file, read now if not yet.
    fn data(&self, font: FontId) -> Result<&Arc<Vec<u8>>, RenderError> {
        let stem = FILES[usize::from(font.file)];
        let path = self.dir.join(format!("{stem}.{}", extension(stem)));
        self.files[usize::from(font.file)]
            .get_or_init(|| {
                let data = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                FileRef::new(&data).map_err(|e| format!("{}: not a font: {e}", path.display()))?;
                Ok(Arc::new(data))
            })
            .as_ref()
            .map_err(|e| RenderError::Font(e.clone()))
    }

    /// The face `font`, made on first use.
    pub(crate) fn face(&self, font: FontId) -> Result<Arc<Face>, RenderError> {
        let mut faces = self.faces.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(face) = faces.get(&font) {
            return Ok(Arc::clone(face));
        }
        let data = Arc::clone(self.data(font)?);
        let bad = |e: String| RenderError::Font(format!("{}: face {}: {e}", FILES[usize::from(font.file)], font.face));
        let parsed = FontRef::from_index(&data, font.face).map_err(|e| bad(e.to_string()))?;
        let units_per_em = f32::from(parsed.head().map_err(|e| bad(e.to_string()))?.units_per_em());
        let shaper = harfrust::ShaperData::new(&parsed);
        let pdf = krilla::text::Font::new(krilla::Data::from(Arc::clone(&data)), font.face)
            .ok_or_else(|| bad("krilla cannot read it".to_string()))?;
        let face = Arc::new(Face {
            data,
            index: font.face,
            units_per_em,
            shaper,
            pdf,
        });
        faces.insert(font, Arc::clone(&face));
        Ok(face)
    }
}

/// The fonts to try for `c`, best first, in a text of `locale` whose CJK content is `cjk`.
fn candidates(c: char, bold: bool, locale: Locale, cjk: CjkHint) -> Vec<FontId> {
    let mut fonts = Vec::with_capacity(5);
    let script = c.script();
    if let Some((_, stem)) = SCRIPTS.iter().find(|(s, _)| *s == script) {
        let face = if *stem == "NotoSansCJK" { cjk.face(locale) } else { 0 };
        fonts.push(FontId {
            file: file_index(&format!("{stem}-{}", weight(bold))),
            face,
        });
    }
    fonts.push(Store::primary(bold));
    for stem in ["Symbola", "Unifont", "UnifontUpper"] {
        fonts.push(FontId {
            file: file_index(stem),
            face: 0,
        });
    }
    fonts
}

/// What a text's CJK characters say about its language.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CjkHint {
    hangul: bool,
    kana: bool,
}

impl CjkHint {
    pub(crate) fn of(text: &str) -> CjkHint {
        let mut hint = CjkHint::default();
        for c in text.chars() {
            match c.script() {
                Script::Hangul => hint.hangul = true,
                Script::Hiragana | Script::Katakana => hint.kana = true,
                _ => {}
            }
        }
        hint
    }

    fn face(self, locale: Locale) -> u32 {
        if self.hangul {
            CJK_KR
        } else if self.kana {
            CJK_JP
        } else {
            match locale {
                Locale::Ja => CJK_JP,
                Locale::Ko => CJK_KR,
                _ => CJK_SC,
            }
        }
    }
}

/// A stretch of a text drawn in one font; `None` for a character no font has (drawn as
/// U+FFFD in the primary font).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) range: std::ops::Range<usize>,
    pub(crate) font: FontId,
    pub(crate) uncovered: bool,
}

/// `text` cut into runs of one font each. Combining marks, joiners and other
/// characters of no script of their own stay with the font of what precedes them when
/// it has them.
pub(crate) fn runs(store: &Store, text: &str, bold: bool, locale: Locale) -> Result<Vec<Run>, RenderError> {
    let cjk = CjkHint::of(text);
    let mut faces: Vec<(FontId, Arc<Face>)> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let joins = matches!(c.script(), Script::Common | Script::Inherited);
        if joins {
            if let Some(last) = runs.last_mut() {
                if !last.uncovered && covers(store, &mut faces, last.font, c)? {
                    last.range.end = end;
                    continue;
                }
            }
        }
        let mut chosen = None;
        for font in candidates(c, bold, locale, cjk) {
            if covers(store, &mut faces, font, c)? {
                chosen = Some(font);
                break;
            }
        }
        let (font, uncovered) = match chosen {
            Some(font) => (font, false),
            None => (Store::primary(bold), true),
        };
        match runs.last_mut() {
            Some(last) if last.font == font && last.uncovered == uncovered && !uncovered => last.range.end = end,
            _ => runs.push(Run {
                range: i..end,
                font,
                uncovered,
            }),
        }
    }
    Ok(runs)
}

/// Whether `font` has a glyph for `c`; a control or format character no font draws
/// counts as covered by any font (it is shaped away).
fn covers(store: &Store, faces: &mut Vec<(FontId, Arc<Face>)>, font: FontId, c: char) -> Result<bool, RenderError> {
    if is_invisible(c) {
        return Ok(true);
    }
    let face = match faces.iter().position(|(f, _)| *f == font) {
        Some(i) => &faces[i].1,
        None => {
            faces.push((font, store.face(font)?));
            &faces[faces.len() - 1].1
        }
    };
    Ok(face.glyph(c).is_some())
}

/// Characters drawn as nothing: bidi controls, zero-width spaces and joiners.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_font_file_is_there_and_parses() {
        let store = Store::new();
        for (i, stem) in FILES.iter().enumerate() {
            let font = FontId {
                file: i as u16,
                face: 0,
            };
            store.face(font).unwrap_or_else(|e| panic!("{stem}: {e}"));
        }
        for face in 0..5 {
            store
                .face(FontId {
                    file: file_index("NotoSansCJK-Regular"),
                    face,
                })
                .unwrap();
        }
    }

    #[test]
    fn scripts_get_their_fonts_and_cjk_its_face() {
        let store = Store::new();
        let file = |text: &str, locale| {
            let runs = runs(&store, text, false, locale).unwrap();
            runs.iter()
                .map(|r| (FILES[usize::from(r.font.file)], r.font.face))
                .collect::<Vec<_>>()
        };
        assert_eq!(file("Ana", Locale::En), [("NotoSans-Regular", 0)]);
        assert_eq!(file("דוד כהן", Locale::En), [("NotoSansHebrew-Regular", 0)]);
        assert_eq!(file("王小明", Locale::En), [("NotoSansCJK-Regular", CJK_SC)]);
        assert_eq!(file("王小明", Locale::Ja), [("NotoSansCJK-Regular", CJK_JP)]);
        assert_eq!(file("김민준", Locale::En), [("NotoSansCJK-Regular", CJK_KR)]);
        assert_eq!(file("山田たろう", Locale::En), [("NotoSansCJK-Regular", CJK_JP)]);
        assert_eq!(file("Ana 🎓", Locale::En), [("NotoSans-Regular", 0), ("Symbola", 0)]);
    }

    #[test]
    fn a_character_no_font_has_is_marked_uncovered() {
        let store = Store::new();
        // A private-use character of plane 15: no font has it.
        let runs = runs(&store, "a\u{F0000}b", false, Locale::En).unwrap();
        assert!(runs.iter().any(|r| r.uncovered && r.range == (1..5)), "{runs:?}");
    }

    #[test]
    fn a_missing_folder_is_a_font_error_at_use() {
        let store = Store::in_dir(PathBuf::from("/nonexistent/certify-fonts"));
        let err = runs(&store, "Ana", false, Locale::En).unwrap_err();
        assert!(
            matches!(&err, RenderError::Font(e) if e.contains("NotoSans-Regular")),
            "{err}"
        );
    }
}
