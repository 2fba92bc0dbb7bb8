//! report.html as a reader meets it: the real binary writes it, Debian's
//! Chromium (scripts/setup-browser.sh) renders it headless, and the tests
//! read the DOM after the page's script ran and look at a screenshot.

use std::path::Path;
use std::process::Output;

mod common;
use common::{analyze, corpus_with, stderr, ONE_PART};

/// Runs headless Chromium with the flags that keep it off the network,
/// in a fresh profile.
fn chromium(args: &[&str]) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium: run scripts/setup-browser.sh to install it");
    assert!(out.status.success(), "chromium: {}", stderr(&out));
    out
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// The page's DOM after its scripts ran.
fn dump_dom(page: &Path) -> String {
    let out = chromium(&["--dump-dom", &file_url(page)]);
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

fn sample_report() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["data/sample"], dir.path(), &ONE_PART);
    assert!(out.status.success(), "{}", stderr(&out));
    dir
}

#[test]
fn the_sample_report_renders_with_charts_sections_and_evidence() {
    let dir = sample_report();
    let page = dir.path().join("report.html");
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: nothing is fetched.
    for outside in ["src=\"http", "href=\"//", "<link", "@import", "url(http"] {
        assert!(!html.contains(outside), "the page loads {outside}");
    }
    let dom = dump_dom(&page);
    for id in [
        "loadedness",
        "labels",
        "sentiment",
        "keyness",
        "competing",
        "divergence",
        "timeline",
        "evidence",
    ] {
        assert!(
            dom.contains(&format!("<section id=\"{id}\"")),
            "no section {id}"
        );
    }
    // Charts: outlets, groups and the timeline at least.
    assert!(dom.matches("<svg").count() >= 3, "charts missing");
    // The heatmap of the US presence links its cells to their sentences.
    assert!(dom.contains("id=\"concept-us_presence\""));
    let evidence = &dom[dom.find("<section id=\"evidence\"").unwrap()..];
    assert!(evidence.contains("<details id=\"ev-"));
    assert!(evidence.contains("<mark>"), "no term marked in a sentence");
    assert!(evidence.contains(" sentences shown"));
    // The sample's manifest gives urls: the articles are linked.
    assert!(evidence.contains("href=\"https://example.org/"));
    // Every link to evidence has its block.
    let mut start = 0;
    while let Some(at) = dom[start..].find("href=\"#ev-") {
        let id = &dom[start + at + 7..start + at + 7 + 19];
        assert!(dom.contains(&format!("id=\"{id}\"")), "no block {id}");
        start += at + 1;
    }
    // The page's script opened the block the address names.
    let first = &evidence[evidence.find("<details id=\"").unwrap() + 13..];
    let id = &first[..first.find('"').unwrap()];
    let linked = dir.path().join("linked.html");
    std::fs::copy(&page, &linked).unwrap();
    let out = chromium(&["--dump-dom", &format!("{}#{id}", file_url(&linked))]);
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(
        dom.contains(&format!("<details id=\"{id}\" open=\"\">")),
        "block {id} not opened"
    );
    // Dated articles: the timeline is weekly on the sample's two weeks.
    assert!(dom.contains("2024-W01"), "no weekly period");
}

/// Width, height and the share of pixels that are not near-white.
fn png_ink(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = &buf[..info.buffer_size()];
    let inked = pixels
        .chunks(channels)
        .filter(|p| p.iter().take(3).any(|&c| c < 200))
        .count();
    (
        info.width,
        info.height,
        inked as f64 / (pixels.len() / channels) as f64,
    )
}

#[test]
fn a_screenshot_of_the_page_is_a_real_picture() {
    let dir = sample_report();
    let shot = dir.path().join("shot.png");
    chromium(&[
        &format!("--screenshot={}", shot.display()),
        "--window-size=1200,1600",
        &file_url(&dir.path().join("report.html")),
    ]);
    let (w, h, ink) = png_ink(&shot);
    assert_eq!((w, h), (1200, 1600));
    // Text, tables and charts: a few percent of the pixels are dark, not
    // none (a blank page) and not most (an error page or a black frame).
    assert!(ink > 0.02 && ink < 0.5, "ink {ink}");
}

#[test]
fn text_from_the_data_is_shown_as_text() {
    let manifest = "file,outlet,outlet_name,title,url\n\
        a.txt,evil,<img src=x onerror=alert(2)>,<script>alert(1)</script>,javascript:alert(3)\n\
        b.txt,evil,<img src=x onerror=alert(2)>,Plain,https://example.org/b\n";
    let corpus = corpus_with(&[
        ("manifest.csv", manifest.as_bytes()),
        (
            "a.txt",
            b"The occupation forces <b>stayed</b> in the city. The US troops left.\n",
        ),
        ("b.txt", b"The occupation forces left the base at dawn.\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&[corpus.path().to_str().unwrap()], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dom = dump_dom(&dir.path().join("report.html"));
    assert_eq!(
        dom.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(
        !dom.contains("<img"),
        "markup from the data became an element"
    );
    assert!(
        !dom.contains("<b>stayed"),
        "markup from the article became an element"
    );
    assert!(
        dom.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the title is not shown"
    );
    assert!(
        dom.contains("&lt;b&gt;stayed&lt;/b&gt;"),
        "the sentence is not shown"
    );
    assert!(
        !dom.contains("href=\"javascript:"),
        "a javascript: url became a link"
    );
    assert!(dom.contains("href=\"https://example.org/b\""));
}

#[test]
fn slant_report_rebuilds_the_same_page_and_says_what_is_missing() {
    let dir = sample_report();
    let page = dir.path().join("report.html");
    let written = std::fs::read(&page).unwrap();
    std::fs::remove_file(&page).unwrap();
    let run = common::slant(&["report", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read(&page).unwrap(), written, "not the run's page");

    // Optional files missing: their sections say so in a sentence.
    for name in ["keyness.csv", "timeline.csv", "groups.csv", "actors.csv"] {
        std::fs::remove_file(dir.path().join(name)).unwrap();
    }
    let run = common::slant(&["report", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let html = std::fs::read_to_string(&page).unwrap();
    for sentence in [
        "There is no keyness.csv in this folder",
        "There is no timeline.csv in this folder",
        "There is no groups.csv in this folder",
        "There is no actors.csv in this folder",
    ] {
        assert!(html.contains(sentence), "{sentence}");
    }

    // A malformed file is an error naming it and its line; the page stays.
    let concepts = dir.path().join("concepts.csv");
    let text = std::fs::read_to_string(&concepts).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[3] = lines[3].replacen(",0,", ",zero,", 1);
    std::fs::write(&concepts, lines.join("\n") + "\n").unwrap();
    let run = common::slant(&["report", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    let err = stderr(&run);
    assert!(
        err.contains("concepts.csv") && err.contains("line 4"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);
}

#[test]
fn a_larger_corpus_shows_sampled_evidence_with_its_counts() {
    let corpus = tempfile::tempdir().unwrap();
    common::bench_gen(corpus.path(), 400, 3, 7, false);
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&[corpus.path().to_str().unwrap()], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    // "5 of 1,234 sentences shown": sampled, and the count said.
    let sampled = html
        .match_indices(" sentences shown")
        .filter(|(at, _)| {
            let before = &html[..*at];
            let of = before.rfind(" of ").unwrap();
            let shown: usize = before[..of]
                .rsplit(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .parse()
                .unwrap();
            let total: usize = before[of + 4..].replace(',', "").parse().unwrap();
            assert!(shown <= 5 && shown <= total);
            shown < total
        })
        .count();
    assert!(sampled > 10, "only {sampled} sampled blocks");
}
