//! The verification page in a real browser (SPEC 1.12): headless Chromium from Debian's
//! `chromium` package (the test command installs it) opens the page of an active, an
//! expired and a revoked certificate on the local server, as a phone and a desktop
//! would; what it shows is read from the DOM it built, and the active one's page is
//! photographed at 1280 and 360 px wide. The browser may resolve no host but 127.0.0.1,
//! and the page names no resource of any other origin.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::json;

use super::server::*;

/// Debian's Chromium; a machine without it fails here, loudly.
fn chromium() -> PathBuf {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = Command::new("which").arg(name).output() {
            if out.status.success() {
                return PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
            }
        }
    }
    panic!("the browser tests need Debian's chromium package (scripts/test installs it: apt-get install chromium)");
}

/// Runs headless Chromium on `url` with `args`; answers its standard output.
fn browse(profile: &Path, url: &str, args: &[&str]) -> String {
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            // Nothing beyond this machine: every other host fails to resolve.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The page at `url` laid out by Chromium `width` CSS px wide for a reader of `lang`, as
/// `scripts/page-check/overflow.mjs` measures it through the DevTools protocol
/// (playwright-core; the test command installs it): `lang`, `dir`, the viewport's and
/// the document's widths, and every element that leaves the viewport.
fn layout(url: &str, lang: &str, width: u32) -> serde_json::Value {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/page-check"));
    assert!(
        dir.join("node_modules/playwright-core").is_dir(),
        "the page check is not installed: npm ci --prefix scripts/page-check (scripts/test does it)"
    );
    chromium();
    let out = Command::new("node")
        .arg(dir.join("overflow.mjs"))
        .args([url, lang, &width.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the page check failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The text a reader sees, roughly: the DOM without its tags.
fn visible_text(dom: &str) -> String {
    let body = dom.split("<body>").nth(1).unwrap_or(dom);
    let mut text = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The URLs a Chromium net log shows requested on behalf of pages of `site` (their
/// network isolation key): the page and whatever it loads, not the browser's own calls.
fn requested_for(netlog: &str, site: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(netlog).unwrap();
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|key| key.starts_with(site))
        })
        .filter_map(|e| e["params"]["url"].as_str().map(String::from))
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

#[test]
fn the_verification_page_reads_in_a_browser_on_a_desktop_and_a_phone() {
    let data = tempfile::tempdir().unwrap();
    let (server, admin, lasting) = acme_with_certification(data.path());
    let http = server.http();
    let brief = created(http.post(
        "/certifications",
        &admin,
        json!({"name": "Safety Briefing", "description": "Knows the site rules.",
               "issuer_name": "Exec Coaching", "validity": {"count": 1, "unit": "days"}}),
    ));
    let ids = certified(
        data.path(),
        &http,
        &admin,
        &lasting,
        &[("u-ana", "Ana Ávila"), ("u-bo", "Bo O'Neil & Co")],
        &days(30),
    );
    let (active, revoked) = (ids[0].clone(), ids[1].clone());
    let reply = http.post(
        &format!("/certificates/{revoked}/revoke"),
        &admin,
        json!({"reason": "Issued in error"}),
    );
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    // Ended 40 days ago with a one-day validity: expired since.
    let expired = certified(data.path(), &http, &admin, &brief, &[("u-cy", "Cy Okafor")], &days(-40)).remove(0);

    let profile = tempfile::tempdir().unwrap();
    let page = |id: &str| format!("{}/verify/{id}", server.url);
    let cases = [
        (
            &active,
            vec![
                "Valid",
                "Ana Ávila",
                "Leadership Essentials",
                "Exec Coaching",
                "Core leadership skills.",
                "Download PDF",
                "Add to LinkedIn",
            ],
            vec!["Revoked", "Expired"],
        ),
        (
            &expired,
            vec!["Expired on", "Cy Okafor", "Safety Briefing", "Download PDF"],
            vec!["Valid", "Revoked"],
        ),
        (
            &revoked,
            vec!["Revoked on", "Bo O'Neil & Co", "Leadership Essentials"],
            vec!["Download PDF", "Add to LinkedIn", "Valid"],
        ),
    ];
    for (id, shown, absent) in cases {
        let netlog = profile.path().join(format!("{id}.netlog.json"));
        let dom = browse(
            profile.path(),
            &page(id),
            &[
                "--dump-dom",
                "--window-size=360,800",
                &format!("--log-net-log={}", netlog.display()),
            ],
        );
        // Every request made for the page went to this server (the browser's own calls
        // home, to Google, fail to resolve and are not the page's).
        let requests = requested_for(&std::fs::read_to_string(&netlog).unwrap(), "http://127.0.0.1 ");
        assert!(
            requests.contains(&page(id)),
            "{id}: the page itself is in the log: {requests:?}"
        );
        let elsewhere: Vec<&String> = requests.iter().filter(|url| !url.starts_with(&server.url)).collect();
        assert!(elsewhere.is_empty(), "{id}: requests to another origin: {elsewhere:?}");
        let text = visible_text(&dom);
        for words in shown {
            assert!(text.contains(words), "{id}: {words:?} is not shown in: {text}");
        }
        for words in absent {
            assert!(!text.contains(words), "{id}: {words:?} is shown in: {text}");
        }
        assert!(dom.contains("<html lang=\"en\" dir=\"ltr\">"), "{dom}");
        // The page builds nothing from any other origin: its only image is inlined, and
        // it has no script, stylesheet link, frame or font.
        let served = http.get_html(&page(id));
        for tag in ["<script", "<link", "<iframe", "@import", "url("] {
            assert!(!served.contains(tag), "{id}: the page has {tag}");
        }
        for src in served.split(" src=\"").skip(1) {
            assert!(
                src.starts_with("data:image/png;base64,"),
                "{id}: an image from elsewhere"
            );
        }
    }
    let unknown = browse(profile.path(), &page("no-such-certificate"), &["--dump-dom"]);
    assert!(visible_text(&unknown).contains("Certificate not found"), "{unknown}");

    // The active certificate's page as a desktop and a phone show it.
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (width, height) in [(1280, 960), (360, 1100)] {
        let file = shots.join(format!("verify-{width}.png"));
        let _ = std::fs::remove_file(&file);
        browse(
            profile.path(),
            &page(&active),
            &[
                &format!("--window-size={width},{height}"),
                &format!("--screenshot={}", file.display()),
            ],
        );
        keep_screenshot(&file, &format!("verify-{width}.png"));
    }
}

/// The same page for a reader whose browser asks for Arabic, then Japanese (SPEC 1.17):
/// the DOM Chromium builds has the locale's `lang` and `dir` and its words, nothing of it
/// is wider than a 360 px phone (no element leaves the viewport, no sideways scroll), and
/// a phone's 360 px photograph of each goes to `docs/images/` with
/// `CERTIFY_SCREENSHOTS=docs`.
#[test]
fn the_verification_page_speaks_arabic_and_japanese_on_a_phone() {
    let data = tempfile::tempdir().unwrap();
    let (server, admin, lasting) = acme_with_certification(data.path());
    let http = server.http();
    let id = certified(
        data.path(),
        &http,
        &admin,
        &lasting,
        &[("u-ana", "Ana Ávila")],
        &days(30),
    )
    .remove(0);
    let url = format!("{}/verify/{id}", server.url);
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let cases = [
        (
            "ar",
            "rtl",
            vec!["التحقق من الشهادة", "صالحة", "مُنحت إلى", "تنزيل PDF"],
            "Awarded to",
        ),
        (
            "ja",
            "ltr",
            vec!["証明書の確認", "有効", "授与先", "PDF をダウンロード"],
            "Awarded to",
        ),
    ];
    for (tag, dir, shown, absent) in cases {
        // A profile per language: Chromium keeps the last one's in its profile.
        let profile = tempfile::tempdir().unwrap();
        let lang = format!("--lang={tag}");
        let accept = format!("--accept-lang={tag}");
        let dom = browse(
            profile.path(),
            &url,
            &["--dump-dom", "--window-size=360,800", &lang, &accept],
        );
        assert!(
            dom.contains(&format!("<html lang=\"{tag}\" dir=\"{dir}\">")),
            "{tag}: {dom}"
        );
        let text = visible_text(&dom);
        for words in shown {
            assert!(text.contains(words), "{tag}: {words:?} is not shown in: {text}");
        }
        assert!(!text.contains(absent), "{tag}: {absent:?} is shown in: {text}");
        // The holder's Latin name stays isolated in the page's words.
        assert!(dom.contains("<bdi>Ana Ávila</bdi>"), "{tag}: {dom}");
        let laid = layout(&url, tag, 360);
        assert_eq!(
            (laid["status"].as_u64(), laid["lang"].as_str(), laid["dir"].as_str()),
            (Some(200), Some(tag), Some(dir)),
            "{laid}"
        );
        assert_eq!(laid["viewport"], 360, "{laid}");
        assert!(
            laid["scrollWidth"].as_u64() <= Some(360),
            "{tag}: the page scrolls sideways: {laid}"
        );
        assert_eq!(
            laid["outside"],
            json!([]),
            "{tag}: elements leave a 360 px screen: {laid}"
        );
        let file = shots.join(format!("page-{tag}.png"));
        let _ = std::fs::remove_file(&file);
        browse(
            profile.path(),
            &url,
            &[
                "--window-size=360,1100",
                &lang,
                &accept,
                &format!("--screenshot={}", file.display()),
            ],
        );
        keep_screenshot(&file, &format!("images/page-{tag}.png"));
    }
}

/// Checks that Chromium wrote a screenshot worth looking at to `file`, and with
/// `CERTIFY_SCREENSHOTS=docs` keeps it as `docs/{name}`.
fn keep_screenshot(file: &Path, name: &str) {
    let png = std::fs::read(file).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", file.display()));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{}: {} bytes",
        file.display(),
        png.len()
    );
    if let Ok(dir) = std::env::var("CERTIFY_SCREENSHOTS") {
        let to = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(dir).join(name);
        if let Some(folder) = to.parent() {
            std::fs::create_dir_all(folder).unwrap();
        }
        std::fs::copy(file, to).unwrap();
    }
}
