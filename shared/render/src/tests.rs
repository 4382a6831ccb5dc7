use certify_fixtures::sample;
use certify_rules::certificate::Certificate;
use certify_rules::locale::Locale;
use chrono::NaiveDate;

use crate::layout::{Scene, Text, DESCRIPTION_WIDTH, HOLDER, PAGE_WIDTH};
use crate::lines::clean;
use crate::Renderer;

const URL: &str = "https://certify.example.com/verify/c-01J9Z8Q4K7";

/// The sample food-safety certificate held by `holder`, with a short description and no
/// expiry.
fn certificate(holder: &str) -> Certificate {
    let mut c = sample::food_safety();
    c.holder_name = holder.to_string();
    c.certification.description = "Safe handling, storage and preparation of food.".to_string();
    c.expires_on = None;
    c
}

fn scene(renderer: &Renderer, certificate: &Certificate) -> Scene {
    Scene::new(&renderer.fonts, certificate, URL).unwrap()
}

/// The lines of `scene` whose text is a part of `whole`, in order.
fn lines_of<'a>(scene: &'a Scene, whole: &str) -> Vec<&'a Text> {
    scene
        .texts()
        .filter(|t| whole.contains(t.shaped.text.as_str()) && !t.shaped.text.is_empty())
        .collect()
}

#[test]
fn renderer_is_shareable_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Renderer>();
}

#[test]
fn a_short_name_keeps_the_largest_size() {
    let renderer = Renderer::new();
    let scene = scene(&renderer, &certificate("Ana Ávila"));
    let holder = lines_of(&scene, "Ana Ávila");
    assert_eq!(holder.len(), 1);
    assert_eq!(holder[0].size, HOLDER.max);
    assert_eq!(holder[0].shaped.text, "Ana Ávila");
}

#[test]
fn a_long_name_shrinks_to_fit_the_width() {
    let renderer = Renderer::new();
    let name = "Maximiliana Wilhelmina Zoë Łukasiewicz-Øster von Hohenzollern-Sigmaringen";
    let scene = scene(&renderer, &certificate(name));
    let holder = lines_of(&scene, name);
    assert_eq!(holder.len(), 1, "one line");
    let line = holder[0];
    assert!(line.size < HOLDER.max && line.size >= HOLDER.min, "{}", line.size);
    assert_eq!(line.shaped.text, name, "shrunk, not cut");
    assert!(
        line.width() <= HOLDER.width && line.width() > HOLDER.width * 0.99,
        "{}",
        line.width()
    );
    assert!((line.x + line.width() / 2.0 - PAGE_WIDTH / 2.0).abs() < 0.01, "centred");
}

#[test]
fn a_name_too_long_at_the_floor_wraps_onto_two_lines_at_the_floor_or_below() {
    let renderer = Renderer::new();
    let name = "Wolfeschlegelsteinhausenbergerdorff ".repeat(6);
    let name = name.trim_end();
    let scene = scene(&renderer, &certificate(name));
    let holder = lines_of(&scene, name);
    assert_eq!(holder.len(), 2, "two lines");
    assert_eq!(
        format!("{} {}", holder[0].shaped.text, holder[1].shaped.text),
        name,
        "whole"
    );
    // Six long words do not fit two lines at the floor either: both shrink alike.
    for line in &holder {
        assert!(line.size <= HOLDER.min && line.size == holder[0].size, "{}", line.size);
        assert!(line.width() <= HOLDER.width, "{}", line.width());
        assert!((line.x + line.width() / 2.0 - PAGE_WIDTH / 2.0).abs() < 0.01, "centred");
    }
    assert!(holder[0].baseline < 212.0 && holder[1].baseline > 212.0);
    assert!(holder[1].baseline + 6.0 < 234.0, "above the rule");
}

#[test]
fn a_long_name_without_spaces_breaks_between_characters() {
    let renderer = Renderer::new();
    let name = "王".repeat(60);
    let scene = scene(&renderer, &certificate(&name));
    let holder = lines_of(&scene, &name);
    assert_eq!(holder.len(), 2);
    assert_eq!(holder[0].shaped.text.clone() + &holder[1].shaped.text, name);
    assert_eq!(holder[0].shaped.text.chars().count(), 30, "the middle");
}

#[test]
fn a_long_description_is_shrunk_to_print_whole_in_its_three_lines() {
    let renderer = Renderer::new();
    let mut cert = certificate("Ana Ávila");
    for repeat in [8, 40, 57] {
        cert.certification.description =
            "Handling, storing and preparing food safely in a commercial kitchen. ".repeat(repeat);
        let scene = scene(&renderer, &cert);
        let description = clean(&cert.certification.description);
        let lines = lines_of(&scene, &description);
        let lines: Vec<&&Text> = lines.iter().filter(|t| t.baseline > 320.0).collect();
        assert!(lines.len() <= 3 && !lines.is_empty(), "{repeat}");
        for line in &lines {
            assert!(line.size < 11.0, "{repeat}: {}", line.size);
            assert!(line.width() <= DESCRIPTION_WIDTH, "{}", line.shaped.text);
        }
        let joined: Vec<&str> = lines.iter().map(|t| t.shaped.text.as_str()).collect();
        assert_eq!(joined.join(" "), description, "{repeat}: whole");
    }
}

#[test]
fn a_word_wider_than_a_line_is_broken() {
    let renderer = Renderer::new();
    let mut cert = certificate("Ana Ávila");
    cert.certification.description = "x".repeat(150);
    let scene = scene(&renderer, &cert);
    let lines: Vec<&Text> = scene.texts().filter(|t| t.shaped.text.starts_with('x')).collect();
    assert!(lines.len() > 1 && lines[0].shaped.text.len() < 150);
    let joined: String = lines.iter().map(|t| t.shaped.text.as_str()).collect();
    assert_eq!(joined, "x".repeat(150));
    assert_eq!(lines[0].size, 11.0);
}

#[test]
fn dates_are_in_the_locales_cldr_long_format_and_no_expiry_says_so() {
    let renderer = Renderer::new();
    let mut cert = certificate("Ana Ávila");
    let has = |scene: &Scene, text: &str| scene.texts().any(|t| t.shaped.text == text);
    assert!(has(&scene(&renderer, &cert), "Does not expire"));
    cert.expires_on = NaiveDate::from_ymd_opt(2028, 3, 7);
    let scene = scene(&renderer, &cert);
    assert!(has(&scene, "March 7, 2026") && has(&scene, "March 7, 2028"));
}

#[test]
fn whitespace_collapses_and_controls_go() {
    assert_eq!(clean("  Ana \n\t Ávila  "), "Ana Ávila");
    assert_eq!(clean("a\u{7}b\u{fffe}"), "ab");
}

#[test]
fn the_qr_code_is_the_one_the_qrcode_crate_makes() {
    let urls = (0..40).map(|n| {
        format!(
            "https://certify.example.com/verify/c-{}",
            "01J9Z8Q4K7".repeat(n % 9) + &n.to_string()
        )
    });
    for url in urls.chain(["".to_string(), "HTTPS://X.TEST/0123456789".to_string()]) {
        let ours = crate::qr::encode(url.as_bytes()).unwrap();
        let theirs = qrcode::QrCode::new(url.as_bytes()).unwrap();
        assert_eq!(ours.width, theirs.width(), "{url}");
        let theirs: Vec<bool> = theirs
            .to_colors()
            .into_iter()
            .map(|c| c == qrcode::Color::Dark)
            .collect();
        assert!(ours.dark == theirs, "{url}");
    }
}

#[test]
fn a_right_to_left_locale_mirrors_the_page() {
    let renderer = Renderer::new();
    for (locale, mirrored) in [(Locale::En, false), (Locale::Ar, true), (Locale::He, true)] {
        let mut cert = certificate("Ana Ávila");
        cert.certification.locale = locale;
        let scene = scene(&renderer, &cert);
        let qr_x = scene
            .items
            .iter()
            .find_map(|item| match item {
                crate::layout::Item::Qr { x, .. } => Some(*x),
                _ => None,
            })
            .unwrap();
        assert_eq!(qr_x < 421.0, mirrored, "{locale}: QR at {qr_x}");
        let id = lines_of(&scene, &cert.id)[0];
        if mirrored {
            assert!(
                (id.x + id.width() - (842.0 - 64.0)).abs() < 0.01,
                "{locale}: the id ends at {}",
                id.x + id.width()
            );
        } else {
            assert!((id.x - 64.0).abs() < 0.01, "{locale}: the id starts at {}", id.x);
        }
    }
}

#[test]
fn at_most_four_combining_marks_are_drawn_per_base() {
    let renderer = Renderer::new();
    let name = format!("Za{}lgo", "\u{301}\u{300}\u{302}".repeat(4));
    let scene = scene(&renderer, &certificate(&name));
    let holder = scene.texts().find(|t| t.shaped.text.starts_with('Z')).unwrap();
    // Z, á (NFC) and four of its eleven other marks, l, g, o.
    assert_eq!(holder.shaped.glyph_count(), 9, "{:?}", holder.shaped.runs);
}

#[test]
fn every_glyph_stands_for_its_cluster_of_the_text() {
    let renderer = Renderer::new();
    for name in ["محمد الأحمد", "प्रिया शर्मा", "Ana Ávila", "สมชาย ใจดี"]
    {
        let scene = scene(&renderer, &certificate(name));
        let holder = lines_of(&scene, name)[0];
        let mut covered = vec![false; name.len()];
        for glyph in holder.shaped.glyphs() {
            assert!(
                glyph.range.end <= name.len() && !glyph.range.is_empty(),
                "{name}: {glyph:?}"
            );
            covered[glyph.range.clone()].iter_mut().for_each(|c| *c = true);
        }
        assert!(covered.iter().all(|c| *c), "{name}: every byte is some glyph's");
    }
}
