//! The page around the sections: head, style, contents, the evidence
//! blocks the sections link to, and the few lines of script that open a
//! linked block. Every string from the data goes through `maud`, which
//! escapes it; the only markup taken as it is comes from `plotters`, which
//! escapes its text too.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::charts::css_colour;
use super::evidence::{occurrences, Evidence, Key, Kind, Samples, Scope, PER_KEY};
use super::read::{ArticleRow, Report};
use super::sections;
use super::HtmlError;

/// What the sections share: the report, the samples, and the evidence
/// blocks linked so far (only those are written).
pub(super) struct Page<'r> {
    pub report: &'r Report,
    pub samples: &'r Samples,
    pub articles: HashMap<&'r str, &'r ArticleRow>,
    pub group_column: &'r str,
    linked: RefCell<BTreeSet<Key>>,
    /// Lists of articles behind a figure (the timeline's): anchor →
    /// (title, articles in it, the sampled few).
    article_lists: RefCell<BTreeMap<String, ArticleList<'r>>>,
}

/// A list of articles behind a figure: its title, how many articles, and
/// the sampled few.
type ArticleList<'r> = (String, usize, Vec<&'r ArticleRow>);

impl<'r> Page<'r> {
    /// A link to the sentences behind `key`, or a plain "none" when no
    /// mention has it.
    pub fn evidence_link(&self, key: Key, text: &str) -> Markup {
        match self.samples.get(&key) {
            Some(sample) => {
                let anchor = key.anchor();
                let title = format!(
                    "{} of {} sentences",
                    sample.rows.len(),
                    thousands(sample.count)
                );
                self.linked.borrow_mut().insert(key);
                html! { a href={ "#" (anchor) } title=(title) { (text) } }
            }
            None => html! { span.none title="no own-voice mention" { (text) } },
        }
    }

    /// A link to a list of `articles` (sampled like the sentences).
    pub fn articles_link(&self, title: String, mut articles: Vec<&'r ArticleRow>) -> Markup {
        let count = articles.len();
        let anchor = format!("ar-{:016x}", xxhash_rust::xxh3::xxh3_64(title.as_bytes()));
        articles.sort_by_key(|a| {
            (
                xxhash_rust::xxh3::xxh3_64(a.article_id.as_bytes()),
                a.article_id.as_str(),
            )
        });
        articles.truncate(PER_KEY);
        let text = thousands(count as u64);
        self.article_lists
            .borrow_mut()
            .insert(anchor.clone(), (title, count, articles));
        html! { a href={ "#" (anchor) } title="the articles" { (text) } }
    }
}

pub use crate::report::thousands;

/// A number with `places` decimals, `−` for minus, `–` for none.
pub fn fixed(v: Option<f64>, places: usize) -> String {
    match v {
        Some(v) if v.is_finite() => {
            let s = format!("{v:.places$}");
            let zero = s
                .trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.');
            if zero {
                s.trim_start_matches('-').to_string()
            } else {
                s.replace('-', "−")
            }
        }
        _ => "–".to_string(),
    }
}

/// `[low, high]`, or nothing without an interval.
pub fn interval(low: Option<f64>, high: Option<f64>, places: usize) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("[{}, {}]", fixed(Some(l), places), fixed(Some(h), places)),
        _ => String::new(),
    }
}

/// A chart with its caption, a text for screen readers and its legend
/// (the series' names, in chart colour order; none for one series); the
/// table beside it holds the same numbers.
pub fn figure(svg: &str, caption: &str, legend: &[&str]) -> Markup {
    html! {
        figure role="img" aria-label=(caption) {
            @if legend.len() > 1 {
                ul.legend aria-hidden="true" {
                    @for (i, name) in legend.iter().enumerate() {
                        li { span.swatch style=(format!("background: {}", css_colour(i))) {} (name) }
                    }
                }
            }
            (PreEscaped(svg))
            figcaption { (caption) }
        }
    }
}

/// Only http(s) links are made links: a `javascript:` URL in the data
/// must not run.
pub fn safe_url(url: &str) -> Option<&str> {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then_some(url.trim())
}

const STYLE: &str = r#"
:root { --ink: #1b1b1b; --muted: #5a5a5a; --rule: #d6d6d6; --accent: #0072b2; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: var(--ink);
  max-width: 1100px; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.4rem 0 .6rem; padding-top: .6rem; border-top: 2px solid var(--ink); }
h3 { font-size: 1.1rem; margin: 1.8rem 0 .4rem; }
h4 { font-size: 1rem; margin: 1.3rem 0 .3rem; }
p, li { max-width: 72ch; }
.lede { color: var(--muted); }
nav ol { columns: 2; padding-left: 1.2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: 13px; }
th, td { border-bottom: 1px solid var(--rule); padding: .25rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f3f3f3; font-weight: 600; }
tbody th { font-weight: 600; }
th small { font-weight: 400; color: var(--muted); }
span.ci { color: var(--muted); font-size: 12px; }
ul.terms { font-size: 13px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ci { color: var(--muted); white-space: nowrap; font-variant-numeric: tabular-nums; }
.wrap { overflow-x: auto; }
figure { margin: .5rem 0 .5rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; }
ul.legend { list-style: none; padding: 0; margin: 0 0 .2rem; font-size: 13px; display: flex; flex-wrap: wrap; gap: .3rem 1.1rem; }
span.swatch { display: inline-block; width: .8em; height: .8em; border-radius: 50%; margin-right: .35em; vertical-align: -.05em; }
td.heat { text-align: center; min-width: 5.5rem; }
td.heat a, td.heat span { color: inherit; text-decoration: none; display: block; }
td.dark { color: #fff; }
.none { color: #9a9a9a; }
.note { background: #f6f6f6; border-left: 4px solid var(--rule); padding: .4rem .8rem; }
a { color: var(--accent); }
details { border: 1px solid var(--rule); border-radius: 4px; margin: .4rem 0; padding: .3rem .7rem; }
details[open] { background: #fcfcfc; }
summary { cursor: pointer; font-weight: 600; }
details ol { padding-left: 1.4rem; }
blockquote { margin: .4rem 0 .1rem; font-family: "DejaVu Serif", Georgia, serif; }
mark { background: #ffe08a; padding: 0 .1em; }
.meta { color: var(--muted); font-size: 13px; margin: 0 0 .6rem; }
@media print {
  body { max-width: none; font-size: 11px; }
  nav, .noprint { display: none; }
  details { break-inside: avoid; }
  h2 { break-before: page; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Opens the evidence block a link points to, and every block before
/// printing. Without script the link still scrolls to the block.
const SCRIPT: &str = r#"
(function () {
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  window.addEventListener("hashchange", openTarget);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });
  openTarget();
})();
"#;

/// The whole page.
pub fn page(report: &Report, samples: &Samples, group_column: &str) -> Result<String, HtmlError> {
    let page = Page {
        report,
        samples,
        articles: report
            .articles
            .iter()
            .map(|a| (a.article_id.as_str(), a))
            .collect(),
        group_column,
        linked: RefCell::new(BTreeSet::new()),
        article_lists: RefCell::new(BTreeMap::new()),
    };
    let sections = sections::all(&page)?;
    let evidence = evidence_section(&page);
    let outlets = report.outlets.len();
    let articles: u64 = report.outlets.iter().map(|o| o.articles).sum();
    let mentions: u64 = report.outlets.iter().map(|o| o.mentions_own).sum();
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "slant: how the outlets frame the story" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "How the outlets frame the story" }
                    p.lede {
                        (thousands(articles)) " articles from " (outlets) " outlets; "
                        (thousands(mentions)) " loaded or labeling terms in the outlets' own voice. "
                        "Every figure links to the sentences behind it; the numbers are those of the CSV files beside this page."
                    }
                }
                nav aria-label="Contents" {
                    h2 { "Contents" }
                    ol {
                        @for (id, title, _) in &sections {
                            li { a href={ "#" (id) } { (title) } }
                        }
                        li { a href="#evidence" { "Evidence" } }
                    }
                }
                main {
                    @for (id, title, body) in &sections {
                        section id=(id) {
                            h2 { (title) }
                            (body)
                        }
                    }
                    (evidence)
                }
                script { (PreEscaped(SCRIPT)) }
            }
        }
    };
    Ok(markup.into_string())
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Outlet => "outlet",
        Scope::Group => "group",
    }
}

fn key_title(key: &Key) -> String {
    let who = format!("{} {}", scope_name(key.scope), key.key);
    match key.kind {
        Kind::Layer => format!("{who}: own-voice loaded terms of the {} layer", key.a),
        Kind::Label => format!("{who}: “{}” for {}", key.b, key.a),
        Kind::Sentiment => format!("{who}: sentiment toward {}", key.a),
    }
}

fn evidence_section(page: &Page<'_>) -> Markup {
    let linked = page.linked.borrow();
    let lists = page.article_lists.borrow();
    html! {
        section id="evidence" {
            h2 { "Evidence" }
            p {
                "Each block holds at most " (PER_KEY) " of the own-voice mentions behind a figure, with the term marked in its sentence. "
                "They are chosen by the smallest hash of (article id, character offset): a fixed choice that does not depend on the order of the files, "
                "so the same reports always show the same sentences. All of them are in "
                code { "mentions/" } " (filter on " code { "outlet" } ", " code { "concept" } ", " code { "label" } ", " code { "voice" } ")."
            }
            @for key in linked.iter() {
                @if let Some(sample) = page.samples.get(key) {
                    details id=(key.anchor()) {
                        summary {
                            (key_title(key)) " — "
                            (sample.rows.len()) " of " (thousands(sample.count)) " sentences shown"
                        }
                        ol {
                            @for row in by_place(&sample.rows) {
                                (evidence_item(page, row))
                            }
                        }
                    }
                }
            }
            @for (anchor, (title, count, articles)) in lists.iter() {
                details id=(anchor) {
                    summary { (title) " — " (articles.len()) " of " (thousands(*count as u64)) " articles shown" }
                    ol {
                        @for a in articles {
                            li { (article_ref(a)) " — own-voice rate " (fixed(a.loaded_per_1k_own, 2)) " per 1,000 words" }
                        }
                    }
                }
            }
        }
    }
}

/// Sampled rows in reading order: by article, then place in it.
fn by_place(rows: &[std::sync::Arc<Evidence>]) -> Vec<&Evidence> {
    let mut rows: Vec<&Evidence> = rows.iter().map(|r| r.as_ref()).collect();
    rows.sort_by(|a, b| (&a.article_id, a.start).cmp(&(&b.article_id, b.start)));
    rows
}

/// The article named, linked to its `url` when it has an http(s) one.
fn article_ref(a: &ArticleRow) -> Markup {
    let title = if a.title.is_empty() {
        a.article_id.as_str()
    } else {
        a.title.as_str()
    };
    html! {
        @match safe_url(&a.url) {
            Some(url) => a href=(url) rel="noopener noreferrer" { (title) },
            None => cite { (title) },
        }
        " (" (a.outlet)
        @if !a.published.is_empty() { ", " (a.published) }
        ", " code { (a.article_id) } ")"
    }
}

fn evidence_item(page: &Page<'_>, row: &Evidence) -> Markup {
    let found = occurrences(&row.sentence, &row.surface);
    let mut pieces: Vec<(bool, &str)> = Vec::new();
    let mut at = 0;
    for r in &found {
        pieces.push((false, &row.sentence[at..r.start]));
        pieces.push((true, &row.sentence[r.clone()]));
        at = r.end;
    }
    pieces.push((false, &row.sentence[at..]));
    let article = page.articles.get(row.article_id.as_str());
    html! {
        li {
            blockquote {
                @for (marked, text) in &pieces {
                    @if *marked { mark { (text) } } @else { (text) }
                }
            }
            p.meta {
                "“" (row.surface) "”"
                @if row.term != row.surface { " (term “" (row.term) "”)" }
                " · " (row.concept) " / " (row.label)
                " · " (row.layer) " layer · loadedness " (row.loaded)
                " · " (row.voice) " voice"
                @if !row.speaker.is_empty() { " · speaker: " (row.speaker) }
                @if row.negated { " · negated" }
                @if row.distancing { " · distancing" }
                @if let Some(s) = row.sentiment {
                    " · sentiment " (row.sentiment_label) " (" (fixed(Some(s), 2)) ")"
                }
                @if found.is_empty() { " · the term is not in the sentence as written" }
                @if found.len() > 1 { " · it occurs " (found.len()) " times in the sentence" }
                br;
                @match article {
                    Some(a) => (article_ref(a)),
                    None => code { (row.article_id) },
                }
                ", characters " (row.start) "–" (row.end)
            }
        }
    }
}
