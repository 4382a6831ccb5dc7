use certify_fixtures::sample;
use certify_rules::certificate::Certificate;
use chrono::NaiveDate;

use crate::layout::{clean, Page, HOLDER};
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

fn page(renderer: &Renderer, certificate: &Certificate) -> Page {
    Page::new(&renderer.fonts, certificate, URL).unwrap()
}

#[test]
fn renderer_is_shareable_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Renderer>();
}

#[test]
fn hostile_text_is_escaped_and_the_svg_still_parses() {
    let renderer = Renderer::new();
    let mut hostile = certificate("<script>&\"'</script>");
    hostile.certification.name = "]]><!-- {{holder_name}}".to_string();
    hostile.certification.issuer_name = "a\u{0}b\u{1b}c\u{fffe}".to_string();
    let (svg, _) = renderer.svg(&hostile, "https://x.test/?a=1&b=<2>").unwrap();
    assert!(svg.contains("&lt;script&gt;&amp;&quot;&apos;&lt;/script&gt;"), "{svg}");
    assert!(!svg.contains("<script>"));
    assert!(svg.contains("]]&gt;&lt;!-- {{holder_name}}"));
    assert!(svg.contains("https://x.test/?a=1&amp;b=&lt;2&gt;"));
    assert!(svg.contains(">abc<"), "control characters are dropped");
    renderer.tree(&hostile, URL).unwrap();
}

#[test]
fn a_short_name_keeps_the_largest_size() {
    let renderer = Renderer::new();
    let page = page(&renderer, &certificate("Ana Ávila"));
    assert_eq!(page.holder.size, HOLDER.max);
    assert_eq!(page.holder.text, "Ana Ávila");
}

#[test]
fn a_long_name_shrinks_to_fit_the_width() {
    let renderer = Renderer::new();
    let name = "Maximiliana Wilhelmina Zoë Łukasiewicz-Øster von Hohenzollern-Sigmaringen";
    let page = page(&renderer, &certificate(name));
    let (max, min, width) = (HOLDER.max, HOLDER.min, HOLDER.width);
    assert!(
        page.holder.size < max && page.holder.size >= min,
        "{}",
        page.holder.size
    );
    assert_eq!(page.holder.text, name, "shrunk, not cut");
    let drawn = page.bold.width(name) * page.holder.size;
    assert!(drawn <= width && drawn > width * 0.99, "{drawn}");
}

#[test]
fn a_name_too_long_at_the_floor_is_shrunk_further_never_cut() {
    let renderer = Renderer::new();
    let name = "Wolfeschlegelsteinhausenbergerdorff ".repeat(6);
    let page = page(&renderer, &certificate(&name));
    let (min, width) = (HOLDER.min, HOLDER.width);
    assert!(page.holder.size < min, "{}", page.holder.size);
    assert_eq!(page.holder.text, name.trim_end());
    assert!(page.bold.width(&page.holder.text) * page.holder.size <= width);
}

#[test]
fn a_long_description_is_shrunk_to_print_whole_in_its_three_lines() {
    let renderer = Renderer::new();
    let mut cert = certificate("Ana Ávila");
    for repeat in [8, 40, 57] {
        cert.certification.description =
            "Handling, storing and preparing food safely in a commercial kitchen. ".repeat(repeat);
        let page = page(&renderer, &cert);
        let size: f32 = page.description_size.parse().unwrap();
        assert!(size < 11.0, "{repeat}: {size}");
        for line in &page.description {
            assert!(page.regular.width(line) * size <= 640.0, "{line}");
        }
        assert_eq!(
            page.description.join(" ").trim_end(),
            clean(&cert.certification.description),
            "{repeat}: whole"
        );
        assert!(cert.certification.description.len() <= 4000);
    }
}

#[test]
fn a_word_wider_than_a_line_is_broken() {
    let renderer = Renderer::new();
    let mut cert = certificate("Ana Ávila");
    cert.certification.description = "x".repeat(150);
    let page = page(&renderer, &cert);
    assert!(page.description[0].len() < 150);
    assert_eq!(page.description.concat(), "x".repeat(150));
    assert_eq!(page.description_size, "11.00");
}

#[test]
fn a_short_description_takes_one_line() {
    let renderer = Renderer::new();
    let page = page(&renderer, &certificate("Ana Ávila"));
    assert_eq!(
        page.description,
        [
            "Safe handling, storage and preparation of food.".to_string(),
            String::new(),
            String::new()
        ]
    );
}

#[test]
fn dates_are_in_the_locales_cldr_long_format_and_no_expiry_says_so() {
    let renderer = Renderer::new();
    let mut cert = certificate("Ana Ávila");
    assert_eq!(page(&renderer, &cert).expires_on, "Does not expire");
    cert.expires_on = NaiveDate::from_ymd_opt(2028, 3, 7);
    let page = page(&renderer, &cert);
    assert_eq!(page.issued_on, "March 7, 2026");
    assert_eq!(page.expires_on, "March 7, 2028");
}

#[test]
fn whitespace_collapses_as_svg_draws_it() {
    assert_eq!(clean("  Ana \n\t Ávila  "), "Ana Ávila");
    assert_eq!(clean("a\u{7}b"), "ab");
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

/// usvg's texts, in document order: each text and its layout box's left and width.
fn preview_texts(group: &usvg::Group, out: &mut Vec<(String, f32, f32)>) {
    for node in group.children() {
        match node {
            usvg::Node::Group(group) => preview_texts(group, out),
            usvg::Node::Text(text) => {
                let words: String = text.chunks().iter().map(|chunk| chunk.text()).collect();
                let bbox = text.bounding_box();
                out.push((words, bbox.x(), bbox.width()));
            }
            _ => {}
        }
    }
}

#[test]
fn the_pdf_sets_every_text_where_the_preview_draws_it() {
    let renderer = Renderer::new();
    let mut long = certificate("Maximiliana Wilhelmina Zoë Łukasiewicz-Øster von Hohenzollern-Sigmaringen");
    long.certification.description = "Handling, storing and preparing food safely in a commercial kitchen. ".repeat(5);
    long.expires_on = NaiveDate::from_ymd_opt(2028, 3, 7);
    let names = [
        "Ana Ávila",
        "Αλέξανδρος Παπαδόπουλος",
        "Анастасия Иванова",
        "Ngô Bảo Châu",
        "Zoe\u{301} Ŧřȉ",
    ];
    let certificates = names.iter().map(|name| certificate(name)).chain([long]);
    for cert in certificates {
        let page = page(&renderer, &cert);
        let ours = crate::pdf::text_extents(&renderer.marks, &renderer.fonts, &page).unwrap();
        let mut preview = Vec::new();
        preview_texts(renderer.tree(&cert, URL).unwrap().root(), &mut preview);
        assert_eq!(ours.len(), preview.len(), "{ours:?}\n{preview:?}");
        assert!(ours.len() >= 15, "{ours:?}");
        for ((text, x, width, _), (preview_text, preview_x, preview_width)) in ours.iter().zip(&preview) {
            assert_eq!(text, preview_text);
            assert!(
                (x - preview_x).abs() < 0.25 && (width - preview_width).abs() < 0.25,
                "{text:?}: the PDF sets it from {x} over {width} pt, the preview from {preview_x} over {preview_width}"
            );
        }
    }
}

#[test]
#[should_panic(expected = "the certificate template uses the element <circle>, which the PDF writer does not draw")]
fn a_template_the_pdf_writer_cannot_draw_is_refused_at_start() {
    crate::pdf::Marks::parse(r#"<svg width="10" height="10"><circle/></svg>"#);
}

#[test]
#[should_panic(expected = "the certificate template uses text mixing words and a slot")]
fn a_text_mixing_words_and_a_slot_is_refused_at_start() {
    crate::pdf::Marks::parse(
        r#"<svg width="10" height="10"><text x="1" y="1" font-size="9">Dear {{holder_name}}</text></svg>"#,
    );
}

#[test]
#[should_panic(expected = "the certificate template uses \"opacity\" on <text>")]
fn a_presentation_attribute_the_pdf_writer_ignores_is_refused_at_start() {
    crate::pdf::Marks::parse(
        r#"<svg width="10" height="10"><text x="1" y="1" font-size="9" opacity="0.5">A</text></svg>"#,
    );
}

#[test]
fn a_right_to_left_locale_mirrors_the_page() {
    let renderer = Renderer::new();
    for (locale, qr_left) in [
        (certify_rules::locale::Locale::En, false),
        (certify_rules::locale::Locale::Ar, true),
        (certify_rules::locale::Locale::He, true),
    ] {
        let mut cert = certificate("Ana Ávila");
        cert.certification.locale = locale;
        let page = page(&renderer, &cert);
        let qr_x = renderer.marks.qr_x(&page).unwrap();
        assert_eq!(qr_x < 421.0, qr_left, "{locale}: QR at {qr_x}");
        let texts = crate::pdf::text_extents(&renderer.marks, &renderer.fonts, &page).unwrap();
        let (_, x, width, _) = texts.iter().find(|(text, ..)| *text == cert.id).unwrap();
        if qr_left {
            assert!(
                (x + width - (842.0 - 64.0)).abs() < 0.01,
                "{locale}: the id ends at {}",
                x + width
            );
        } else {
            assert!((x - 64.0).abs() < 0.01, "{locale}: the id starts at {x}");
        }
    }
}

#[test]
fn at_most_four_combining_marks_are_drawn_per_base() {
    let renderer = Renderer::new();
    let cert = certificate(&format!("Za{}lgo", "\u{301}\u{300}\u{302}".repeat(4)));
    let page = page(&renderer, &cert);
    let texts = crate::pdf::text_extents(&renderer.marks, &renderer.fonts, &page).unwrap();
    let (_, _, _, glyphs) = texts.iter().find(|(text, ..)| text.starts_with('Z')).unwrap();
    // Z, á (NFC) and four of its eleven other marks, l, g, o.
    assert_eq!(glyphs.len(), 9, "{glyphs:?}");
}
