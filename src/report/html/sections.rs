//! The page's sections, one function each, in page order. A section whose
//! file is missing says so in one sentence.

use std::collections::{BTreeMap, BTreeSet};

use maud::{html, Markup};

use super::charts::{self, Point, Series};
use super::evidence::{Key, Kind, Scope};
use super::page::{figure, fixed, interval, thousands, Page};
use super::read::{ArticleRow, ConceptRow, RateRow, TimelineRow};
use super::HtmlError;
use crate::score::timeline::{self, Published, Unit, UNDATED};

/// (anchor, title, body) of each section.
pub(super) type Sections = Vec<(&'static str, &'static str, Markup)>;

pub(super) fn all(page: &Page<'_>) -> Result<Sections, HtmlError> {
    Ok(vec![
        ("loadedness", "Own-voice loadedness", loadedness(page)?),
        ("labels", "Labeling choices", labels(page)),
        (
            "sentiment",
            "Sentiment toward each concept",
            sentiment(page)?,
        ),
        ("keyness", "Distinctive phrases", keyness(page)),
        ("competing", "Competing labels", competing(page)),
        (
            "divergence",
            "Where outlets label differently",
            divergence(page),
        ),
        ("timeline", "Over time", over_time(page)?),
    ])
}

const LAYERS: [&str; 3] = ["story", "general", "detector"];

fn display_name(r: &RateRow) -> String {
    if r.outlet_name.is_empty() || r.outlet_name == r.outlet {
        r.outlet.clone()
    } else {
        format!("{} ({})", r.outlet_name, r.outlet)
    }
}

/// The chart and table of own-voice rates, for outlets or groups.
fn rate_view(page: &Page<'_>, rows: &[RateRow], scope: Scope) -> Result<Markup, HtmlError> {
    let names = ["all layers", "story", "general", "detector"];
    let series: Vec<Series> = names
        .iter()
        .enumerate()
        .map(|(i, name)| Series {
            name: name.to_string(),
            points: rows
                .iter()
                .map(|r| {
                    let (v, lo, hi) = r.rates()[i];
                    Point::of(v, lo, hi)
                })
                .collect(),
        })
        .collect();
    let categories: Vec<String> = match scope {
        Scope::Outlet => rows.iter().map(display_name).collect(),
        Scope::Group => rows.iter().map(|r| r.outlet.clone()).collect(),
    };
    let svg = charts::intervals(
        &categories,
        &series,
        "loadedness per 1,000 own-voice words (95% interval)",
        &[0.0],
    )?;
    let who = match scope {
        Scope::Outlet => "outlet",
        Scope::Group => "group",
    };
    Ok(html! {
        (figure(&svg, &format!("Own-voice loadedness per {who}, whole and by layer, with 95% bootstrap intervals over articles"), &names))
        div.wrap { table {
            thead { tr {
                th { (who) } th.n { "articles" } th.n { "own words" }
                th.n { "loaded / 1k" } th { "95% interval" }
                @for l in LAYERS { th.n { (l) } }
                th.n { "distancing" }
            } }
            tbody {
                @for r in rows {
                    @let rates = r.rates();
                    tr {
                        th scope="row" {
                            (r.outlet)
                            @if r.outlet_name != r.outlet { br; small { (r.outlet_name) } }
                        }
                        td.n { (thousands(r.articles)) }
                        td.n { (thousands(r.words_own)) }
                        td.n { (fixed(rates[0].0, 2)) }
                        td.ci { (interval(rates[0].1, rates[0].2, 2)) }
                        @for (i, layer) in LAYERS.iter().enumerate() {
                            td.n title=(format!("95% interval {}", interval(rates[i + 1].1, rates[i + 1].2, 2))) {
                                (page.evidence_link(Key::new(Kind::Layer, scope, &r.outlet, layer, ""), &fixed(rates[i + 1].0, 2)))
                                br; span.ci { (interval(rates[i + 1].1, rates[i + 1].2, 2)) }
                            }
                        }
                        td.n { (r.distancing_own) }
                    }
                }
            }
        } }
        p.meta { "Top own-voice terms (by loadedness, with counts):" }
        ul.terms {
            @for r in rows {
                li { strong { (r.outlet) } ": " (r.top_terms_own) }
            }
        }
    })
}

fn loadedness(page: &Page<'_>) -> Result<Markup, HtmlError> {
    let report = page.report;
    let outlets = rate_view(page, &report.outlets, Scope::Outlet)?;
    let groups = match &report.groups {
        None => {
            html! { p.note { "There is no groups.csv in this folder, so there are no group rows." } }
        }
        Some(rows) if rows.is_empty() => html! {
            p.note { "No article has a value in the group column (" code { (page.group_column) } "), so there are no group rows." }
        },
        Some(rows) => rate_view(page, rows, Scope::Group)?,
    };
    Ok(html! {
        p {
            "How loaded each outlet's own narration is: the loadedness of its own-voice terms per 1,000 words it writes in its own voice "
            "(quotes and reported speech are the speakers' words, not the outlet's). The rate splits into the story lexicon's labels, "
            "the general layer of loaded language and the loaded-word detector's finds; the three add up to the whole. "
            "Intervals are 95% bootstrap intervals over articles; none with one article. A layer's figure links to its sentences."
        }
        (outlets)
        h3 { "By group" }
        (groups)
    })
}

/// Concepts in file order with their rows, `(all)` apart.
fn concepts(rows: &[ConceptRow]) -> Vec<(&str, Vec<&ConceptRow>)> {
    let mut out: Vec<(&str, Vec<&ConceptRow>)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|(c, _)| *c == r.concept) {
            Some((_, v)) => v.push(r),
            None => out.push((&r.concept, vec![r])),
        }
    }
    out
}

fn labels(page: &Page<'_>) -> Markup {
    let all = concepts(&page.report.concepts);
    let used: Vec<_> = all
        .iter()
        .filter(|(_, rows)| {
            rows.iter()
                .any(|r| r.label == crate::score::ALL_LABELS && r.mentions_own > 0)
        })
        .collect();
    let referents = &page.report.referents;
    let (story, general): (Vec<_>, Vec<_>) = used
        .into_iter()
        .partition(|(c, _)| referents.iter().any(|r| r == c));
    let unused = all.len() - story.len() - general.len();
    html! {
        p {
            "For each concept, how each outlet names it in its own voice: a cell is the label's share of the outlet's own-voice mentions of the concept, "
            "with the count in brackets; the darker, the larger. Hover for the 95% Wilson interval; click for the sentences. "
            (unused) " of " (all.len()) " concepts have no own-voice mention and are left out."
        }
        h3 { "The referents: competing labels" }
        @if story.is_empty() { p.note { "No referent concept of the lexicon has an own-voice mention." } }
        @for (concept, rows) in story {
            (heatmap(page, concept, rows))
        }
        h3 { "General loaded language, distancing and affiliation labels" }
        @for (concept, rows) in general {
            (heatmap(page, concept, rows))
        }
    }
}

fn heatmap(page: &Page<'_>, concept: &str, rows: &[&ConceptRow]) -> Markup {
    let mut outlets: Vec<&str> = Vec::new();
    let mut labels: Vec<&str> = Vec::new();
    for r in rows {
        if !outlets.contains(&r.outlet.as_str()) {
            outlets.push(&r.outlet);
        }
        if r.label != crate::score::ALL_LABELS
            && !labels.contains(&r.label.as_str())
            && rows
                .iter()
                .any(|x| x.label == r.label && x.mentions_own > 0)
        {
            labels.push(&r.label);
        }
    }
    let unused: Vec<&str> = rows
        .iter()
        .filter(|r| r.label != crate::score::ALL_LABELS && !labels.contains(&r.label.as_str()))
        .map(|r| r.label.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let cell =
        |outlet: &str, label: &str| rows.iter().find(|r| r.outlet == outlet && r.label == label);
    html! {
        h4 id={ "concept-" (concept) } { (concept) }
        div.wrap { table {
            thead { tr {
                th { "outlet" }
                @for l in &labels { th { (l) } }
                th.n { "own-voice mentions" }
            } }
            tbody {
                @for outlet in &outlets {
                    @let total = cell(outlet, crate::score::ALL_LABELS).map_or(0, |r| r.mentions_own);
                    tr {
                        th scope="row" { (outlet) }
                        @for l in &labels {
                            @match cell(outlet, l) {
                                Some(r) if r.mentions_own > 0 => {
                                    @let share = r.share_own.unwrap_or(0.0);
                                    @let tip = format!(
                                        "{outlet}: “{l}” in {} of {} own-voice mentions of {concept} ({}%, 95% interval {}–{}%)",
                                        r.mentions_own, total, fixed(Some(share * 100.0), 0),
                                        fixed(r.share_own_ci_low.map(|x| x * 100.0), 0),
                                        fixed(r.share_own_ci_high.map(|x| x * 100.0), 0));
                                    td.heat.dark[share > 0.55] style=(format!("background: rgba(0, 114, 178, {:.2})", 0.08 + share * 0.85)) title=(tip) {
                                        (page.evidence_link(Key::new(Kind::Label, Scope::Outlet, outlet, concept, l), &format!("{}% ({})", fixed(Some(share * 100.0), 0), r.mentions_own)))
                                    }
                                }
                                _ => { td.heat.none title="no own-voice mention" { "·" } }
                            }
                        }
                        td.n { (total) }
                    }
                }
            }
        } }
        @if !unused.is_empty() {
            p.meta { "Labels of the lexicon no outlet used in its own voice: " (unused.join(", ")) "." }
        }
    }
}

/// The referent concepts' `(all)` rows with a sentiment mean (the model
/// scores mentions of referents; other concepts' rows are not shown).
fn sentiment_rows<'r>(page: &Page<'r>) -> Vec<(&'r str, Vec<&'r ConceptRow>)> {
    let referents = &page.report.referents;
    concepts(&page.report.concepts)
        .into_iter()
        .filter(|(c, _)| referents.iter().any(|r| r == c))
        .map(|(c, rows)| {
            (
                c,
                rows.into_iter()
                    .filter(|r| {
                        r.label == crate::score::ALL_LABELS && r.sentiment_own_mean.is_some()
                    })
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
}

fn sentiment(page: &Page<'_>) -> Result<Markup, HtmlError> {
    let scored = sentiment_rows(page);
    let mut charts_html = Vec::new();
    for (concept, rows) in &scored {
        let svg = charts::intervals(
            &rows.iter().map(|r| r.outlet.clone()).collect::<Vec<_>>(),
            &[Series {
                name: concept.to_string(),
                points: rows
                    .iter()
                    .map(|r| {
                        Point::of(
                            r.sentiment_own_mean,
                            r.sentiment_own_ci_low,
                            r.sentiment_own_ci_high,
                        )
                    })
                    .collect(),
            }],
            "mean sentiment, P(positive) − P(negative) (95% interval)",
            &[-1.0, 1.0],
        )?;
        charts_html.push(html! {
            h3 { (concept) }
            (figure(&svg, &format!("Own-voice sentiment toward {concept} per outlet"), &[]))
            table {
                thead { tr { th { "outlet" } th.n { "mean" } th { "95% interval" } th.n { "mentions" } } }
                tbody { @for r in rows { tr {
                    th scope="row" { (r.outlet) }
                    td.n { (fixed(r.sentiment_own_mean, 2)) }
                    td.ci { (interval(r.sentiment_own_ci_low, r.sentiment_own_ci_high, 2)) }
                    td.n { (page.evidence_link(Key::new(Kind::Sentiment, Scope::Outlet, &r.outlet, concept, ""), &thousands(r.sentiment_own_n))) }
                } } }
            }
        });
    }
    Ok(html! {
        p {
            "The sentiment model's reading of how each outlet's own-voice sentences speak of each referent concept: "
            "the mean of P(positive) − P(negative) over its mentions, from −1 to 1, with a 95% bootstrap interval over articles. "
            "With a handful of mentions, differences are not evidence."
        }
        @if scored.is_empty() {
            p.note { "No concept has a sentiment score: the run had no sentiment model (" code { "--no-model" } "), or no own-voice mention of a referent." }
        }
        @for c in &charts_html { (c) }
        h3 id="actors" { "Actors" }
        (actors(page)?)
    })
}

/// Actors charted on the page, the most mentioned first.
const ACTORS_SHOWN: usize = 20;

fn actors(page: &Page<'_>) -> Result<Markup, HtmlError> {
    let Some(rows) = &page.report.actors else {
        return Ok(
            html! { p.note { "There is no actors.csv in this folder: sentiment toward named actors appears here when a run writes it." } },
        );
    };
    if rows.is_empty() {
        return Ok(html! { p.note { "actors.csv has no rows." } });
    }
    let mut by_actor: BTreeMap<&str, Vec<&super::read::ActorRow>> = BTreeMap::new();
    for r in rows {
        by_actor.entry(&r.actor).or_default().push(r);
    }
    // A story names hundreds of actors: the page charts the most
    // mentioned in the outlets' own voice, the file has them all.
    let own = |rows: &[&super::read::ActorRow]| -> u64 {
        rows.iter()
            .filter(|r| r.scope != "group")
            .filter_map(|r| r.mentions_own)
            .sum()
    };
    let mut ranked: Vec<(&str, Vec<&super::read::ActorRow>)> = by_actor.into_iter().collect();
    ranked.sort_by(|a, b| own(&b.1).cmp(&own(&a.1)).then_with(|| a.0.cmp(b.0)));
    let all = ranked.len();
    ranked.truncate(ACTORS_SHOWN);
    let mut out = Vec::new();
    for (actor, rows) in ranked {
        let name = |r: &super::read::ActorRow| {
            if r.scope == "group" {
                format!("{} (group)", r.outlet)
            } else {
                r.outlet.clone()
            }
        };
        let svg = charts::intervals(
            &rows.iter().map(|r| name(r)).collect::<Vec<_>>(),
            &[Series {
                name: actor.to_string(),
                points: rows
                    .iter()
                    .map(|r| {
                        Point::of(
                            r.sentiment_own_mean,
                            r.sentiment_own_ci_low,
                            r.sentiment_own_ci_high,
                        )
                    })
                    .collect(),
            }],
            "mean sentiment (95% interval)",
            &[-1.0, 1.0],
        )?;
        out.push(html! {
            h4 { (actor) }
            (figure(&svg, &format!("Own-voice sentiment toward {actor} per outlet"), &[]))
            table {
                thead { tr { th { "outlet" } th { "aliases" } th.n { "own-voice mentions" } th.n { "mean" } th { "95% interval" } th.n { "scored" } } }
                tbody { @for r in &rows { tr {
                    th scope="row" { (name(r)) }
                    td { (r.aliases) }
                    td.n { (r.mentions_own.map(thousands).unwrap_or_default()) }
                    td.n { (fixed(r.sentiment_own_mean, 2)) }
                    td.ci { (interval(r.sentiment_own_ci_low, r.sentiment_own_ci_high, 2)) }
                    td.n { (r.sentiment_own_n.map(thousands).unwrap_or_default()) }
                } } }
            }
        });
    }
    Ok(html! {
        p {
            "Own-voice sentiment toward the people, organisations and countries the articles name (actors.csv), "
            "as for the concepts above. "
            @if all > ACTORS_SHOWN { "The " (ACTORS_SHOWN) " actors the outlets mention most in their own voice, of " (thousands(all as u64)) "; actors.csv has them all." }
        }
        @for o in &out { (o) }
    })
}

fn scope_of(s: &str) -> Scope {
    if s == "group" {
        Scope::Group
    } else {
        Scope::Outlet
    }
}

fn keyness(page: &Page<'_>) -> Markup {
    let Some(rows) = &page.report.keyness else {
        return html! { p.note { "There is no keyness.csv in this folder, so no distinctive phrases are shown." } };
    };
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !keys.contains(&(r.scope.as_str(), r.key.as_str())) {
            keys.push((&r.scope, &r.key));
        }
    }
    html! {
        p {
            "The phrases each outlet or group uses in its own voice more than the rest of the corpus does, by the log-odds z-score "
            "(Monroe et al.'s “Fightin' Words”); a phrase is listed only when at least a few of the key's articles use it. "
            "A phrase that is a lexicon term links to its sentences; for other phrases slant keeps counts, not sentences."
        }
        @if rows.is_empty() {
            p.note { "No phrase met the cut: no outlet or group has enough articles using one phrase (see --keyness-min-articles)." }
        }
        @for (scope, key) in keys {
            @let of_key: Vec<&str> = rows.iter().filter(|r| r.scope == scope && r.key == key).map(|r| r.phrase.as_str()).collect();
            details {
            summary { (scope) " " (key) " — " (of_key.len()) " phrases: " (of_key.iter().take(4).copied().collect::<Vec<_>>().join(", ")) @if of_key.len() > 4 { ", …" } }
            div.wrap { table {
                thead { tr { th { "phrase" } th.n { "uses" } th.n { "uses elsewhere" } th.n { "articles" } th.n { "z" } th { "lexicon" } } }
                tbody {
                    @for r in rows.iter().filter(|r| r.scope == scope && r.key == key) {
                        tr {
                            th scope="row" { (r.phrase) }
                            td.n { (thousands(r.count)) }
                            td.n { (thousands(r.count_rest)) }
                            td.n { (thousands(r.articles)) }
                            td.n { (fixed(Some(r.z), 2)) }
                            td {
                                @if let Some((c, l)) = r.in_lexicon.split_once(':') {
                                    (page.evidence_link(Key::new(Kind::Label, scope_of(scope), key, c, l), &r.in_lexicon))
                                }
                            }
                        }
                    }
                }
            } }
            }
        }
    }
}

fn competing(page: &Page<'_>) -> Markup {
    let Some(rows) = &page.report.labels else {
        return html! { p.note { "There is no labels.csv in this folder, so no competing labels are shown." } };
    };
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if !groups.iter().any(|g| g.0 == r.group_id) {
            groups.push((&r.group_id, &r.group_name));
        }
    }
    html! {
        p {
            "Phrases that name one referent, grouped by the lexicon and the phrase encoder: each row is one key's use of one phrase "
            "and its share of the key's own-voice uses of the group's phrases, with a 95% Wilson interval."
        }
        @if rows.is_empty() { p.note { "No group of competing labels was found." } }
        @for (id, name) in groups {
            @let phrases: Vec<&str> = rows.iter().filter(|r| r.group_id == id).map(|r| r.phrase.as_str()).collect::<BTreeSet<_>>().into_iter().collect();
            details {
                summary { (id) ": " (name) span.meta { " — " (phrases.len()) " phrases: " (phrases.iter().take(6).copied().collect::<Vec<_>>().join(", ")) @if phrases.len() > 6 { ", …" } } }
                div.wrap { table {
                    thead { tr { th { "key" } th { "phrase" } th.n { "uses" } th.n { "of the group" } th.n { "share" } th { "95% interval" } th.n { "articles" } th { "lexicon" } } }
                    tbody {
                        @for r in rows.iter().filter(|r| r.group_id == id) {
                            tr {
                                td { (r.scope) " " (r.key) }
                                th scope="row" { (r.phrase) }
                                td.n { (thousands(r.count)) }
                                td.n { (thousands(r.group_total)) }
                                td.n { (fixed(r.share.map(|s| s * 100.0), 0)) "%" }
                                td.ci { (interval(r.share_ci_low.map(|s| s * 100.0), r.share_ci_high.map(|s| s * 100.0), 0)) }
                                td.n { (thousands(r.articles)) }
                                td {
                                    @if let Some((c, l)) = r.in_lexicon.split_once(':') {
                                        (page.evidence_link(Key::new(Kind::Label, scope_of(&r.scope), &r.key, c, l), &r.in_lexicon))
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}

/// Divergences with q at most this are shown.
const Q_SHOWN: f64 = 0.05;

fn divergence(page: &Page<'_>) -> Markup {
    let Some(rows) = &page.report.divergence else {
        return html! { p.note { "There is no divergence.csv in this folder, so no divergences are shown." } };
    };
    let shown: Vec<_> = rows
        .iter()
        .filter(|r| r.q_value.is_some_and(|q| q <= Q_SHOWN))
        .collect();
    html! {
        p {
            "Pairs of outlets (and of groups) whose own-voice label choices for a concept differ by more than chance: "
            "Jensen–Shannon divergence (0 = the same shares, 1 = no label in common), a permutation test over articles, "
            "and Benjamini–Hochberg q-values over all " (thousands(rows.len() as u64)) " tests. "
            (thousands(shown.len() as u64)) " have q ≤ " (Q_SHOWN) " and are listed; all are in divergence.csv."
            @if let Some(least) = rows.iter().filter_map(|r| r.q_value).min_by(f64::total_cmp) {
                " The smallest q-value is " (fixed(Some(least), 4)) "."
            }
        }
        @if !shown.is_empty() {
            div.wrap { table {
                thead { tr { th { "scope" } th { "a" } th { "b" } th { "concept" } th { "labels" } th.n { "mentions a" } th.n { "mentions b" } th.n { "articles a" } th.n { "articles b" } th.n { "JSD" } th.n { "p" } th.n { "q" } } }
                tbody {
                    @for r in &shown {
                        tr {
                            td { (r.scope) }
                            td { (r.key_a) }
                            td { (r.key_b) }
                            td {
                                @if r.concept.starts_with('(') { (r.concept) }
                                @else { a href={ "#concept-" (r.concept) } { (r.concept) } }
                            }
                            td { (r.labels) }
                            td.n { (thousands(r.mentions_a)) }
                            td.n { (thousands(r.mentions_b)) }
                            td.n { (thousands(r.articles_a)) }
                            td.n { (thousands(r.articles_b)) }
                            td.n { (fixed(r.jsd, 3)) }
                            td.n { (fixed(r.p_value, 4)) }
                            td.n { (fixed(r.q_value, 4)) }
                        }
                    }
                }
            } }
        }
    }
}

/// Undated articles: (no date, a date slant cannot read, an example of one).
fn undated(articles: &[ArticleRow]) -> (usize, usize, Option<&ArticleRow>) {
    let mut missing = 0;
    let mut unreadable = Vec::new();
    for a in articles {
        match timeline::published(Some(&a.published)) {
            Published::Missing => missing += 1,
            Published::Unreadable => unreadable.push(a),
            _ => {}
        }
    }
    (missing, unreadable.len(), unreadable.first().copied())
}

fn over_time(page: &Page<'_>) -> Result<Markup, HtmlError> {
    let Some(rows) = &page.report.timeline else {
        return Ok(
            html! { p.note { "There is no timeline.csv in this folder (it is written by slant analyze since this version), so nothing is shown over time." } },
        );
    };
    let (missing, unreadable, example) = undated(&page.report.articles);
    let note = html! {
        @if missing + unreadable > 0 {
            p.note {
                (thousands((missing + unreadable) as u64)) " of " (thousands(page.report.articles.len() as u64)) " articles are undated and counted in the period “" (UNDATED) "” of timeline.csv, not in the chart: "
                (missing) " have no " code { "published" } " value"
                @if let Some(a) = example {
                    " and " (unreadable) " have one slant cannot read (for example " code { (a.article_id) } ": “" (a.published) "”; it reads 2024-01-04, 2024-01-04T10:00:00Z, 2024-01 and RFC 2822 dates)"
                }
                "."
            }
        }
    };
    let rates: Vec<&TimelineRow> = rows
        .iter()
        .filter(|r| r.concept.is_empty() && r.period != UNDATED)
        .collect();
    if rates.is_empty() {
        return Ok(
            html! { p.note { "No article has a date slant can read, so nothing is shown over time." } (note) },
        );
    }
    let unit = if rates.iter().any(|r| r.period.contains("-W")) {
        Unit::Week
    } else {
        Unit::Month
    };
    let periods = every_period(&rates, unit);
    let periods: Vec<&str> = periods.iter().map(String::as_str).collect();
    let mut views = Vec::new();
    for scope in ["outlet", "group"] {
        let of_scope: Vec<&&TimelineRow> = rates.iter().filter(|r| r.scope == scope).collect();
        if of_scope.is_empty() {
            continue;
        }
        views.push(time_view(page, scope, &of_scope, &periods, unit)?);
    }
    Ok(html! {
        p {
            "Each outlet's own-voice loadedness per " (unit.as_str()) " with its 95% bootstrap interval over that " (unit.as_str()) "'s articles, and its label choices. "
            "Periods are ISO weeks (Monday to Sunday) when the dates span at most " (timeline::WEEKS_UP_TO_DAYS) " days, else calendar months "
            "(and months when any date gives only a month). The article counts link to the articles."
        }
        (note)
        @for v in &views { (v) }
        (labels_over_time(page, rows, &periods))
    })
}

/// At most this many periods are laid out one by one; past it (a stray
/// date decades off) only the periods with articles are.
const MOST_PERIODS: usize = 600;

/// Every period from the first to the last with articles, so that a gap
/// shows as one (and a line does not jump it).
fn every_period(rates: &[&TimelineRow], unit: Unit) -> Vec<String> {
    let with_data: Vec<String> = rates
        .iter()
        .map(|r| (r.start.as_str(), r.period.as_str()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|(_, p)| p.to_string())
        .collect();
    let day = time::macros::format_description!("[year]-[month]-[day]");
    let starts: Vec<time::Date> = rates
        .iter()
        .filter_map(|r| time::Date::parse(&r.start, &day).ok())
        .collect();
    let (Some(&first), Some(&last)) = (starts.iter().min(), starts.iter().max()) else {
        return with_data;
    };
    let mut all = Vec::new();
    let mut at = first;
    while at <= last && all.len() <= MOST_PERIODS {
        let period = timeline::Period::of(Published::Day(at), unit);
        all.push(period.label);
        match period.end.and_then(|e| e.next_day()) {
            Some(next) => at = next,
            None => break,
        }
    }
    if all.len() > MOST_PERIODS {
        with_data
    } else {
        all
    }
}

fn time_view(
    page: &Page<'_>,
    scope: &str,
    rows: &[&&TimelineRow],
    periods: &[&str],
    unit: Unit,
) -> Result<Markup, HtmlError> {
    let keys: Vec<&str> = rows
        .iter()
        .map(|r| r.key.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let find = |key: &str, period: &str| rows.iter().find(|r| r.key == key && r.period == period);
    let series: Vec<Series> = keys
        .iter()
        .map(|k| Series {
            name: k.to_string(),
            points: periods
                .iter()
                .map(|p| {
                    find(k, p).and_then(|r| {
                        Point::of(
                            r.loaded_per_1k_own,
                            r.loaded_per_1k_own_ci_low,
                            r.loaded_per_1k_own_ci_high,
                        )
                    })
                })
                .collect(),
        })
        .collect();
    let labels: Vec<String> = periods.iter().map(|p| p.to_string()).collect();
    let svg = charts::lines(&labels, &series, "loaded per 1,000 own-voice words")?;
    // The articles of each key and period, for the counts' links.
    let mut by_cell: BTreeMap<(&str, String), Vec<&ArticleRow>> = BTreeMap::new();
    for a in &page.report.articles {
        let when = timeline::published(Some(&a.published));
        let label = timeline::Period::of(when, unit).label;
        let key = if scope == "group" {
            a.group.as_str()
        } else {
            a.outlet.as_str()
        };
        if !key.is_empty() {
            by_cell.entry((key, label)).or_default().push(a);
        }
    }
    Ok(html! {
        h3 { "Loadedness by " (unit.as_str()) ", per " (scope) }
        (figure(&svg, &format!("Own-voice loadedness per {} and {scope}, with 95% intervals", unit.as_str()), &keys))
        div.wrap { table {
            thead { tr { th { (scope) } th { (unit.as_str()) } th { "from" } th { "to" } th.n { "articles" } th.n { "own words" } th.n { "loaded / 1k" } th { "95% interval" } } }
            tbody {
                @for k in &keys {
                    @for p in periods {
                        @if let Some(r) = find(k, p) {
                            tr {
                                th scope="row" { (k) }
                                td { (r.period) }
                                td { (r.start) }
                                td { (r.end) }
                                td.n {
                                    @let list = by_cell.get(&(*k, r.period.clone())).cloned().unwrap_or_default();
                                    @if list.is_empty() { (r.articles.map(thousands).unwrap_or_default()) }
                                    @else { (page.articles_link(format!("{scope} {k}, {} {}", unit.as_str(), r.period), list)) }
                                }
                                td.n { (r.words_own.map(thousands).unwrap_or_default()) }
                                td.n { (fixed(r.loaded_per_1k_own, 2)) }
                                td.ci { (interval(r.loaded_per_1k_own_ci_low, r.loaded_per_1k_own_ci_high, 2)) }
                            }
                        }
                    }
                }
            }
        } }
    })
}

/// Per concept, each outlet's label shares per period.
fn labels_over_time(page: &Page<'_>, rows: &[TimelineRow], periods: &[&str]) -> Markup {
    let label_rows: Vec<&TimelineRow> = rows
        .iter()
        .filter(|r| {
            r.scope == "outlet"
                && !r.concept.is_empty()
                && r.label != crate::score::ALL_LABELS
                && r.period != UNDATED
        })
        .collect();
    let mut concepts: Vec<&str> = Vec::new();
    for r in &label_rows {
        if !concepts.contains(&r.concept.as_str()) {
            concepts.push(&r.concept);
        }
    }
    let referents = &page.report.referents;
    concepts.sort_by_key(|c| referents.iter().position(|r| r == c).unwrap_or(usize::MAX));
    html! {
        h3 { "Label choices over time" }
        @if concepts.is_empty() { p.note { "No dated own-voice mention of a referent concept." } }
        @for concept in concepts {
            @let of: Vec<&&TimelineRow> = label_rows.iter().filter(|r| r.concept == concept).collect();
            @let pairs: Vec<(&str, &str)> = of.iter().map(|r| (r.key.as_str(), r.label.as_str())).collect::<BTreeSet<_>>().into_iter().collect();
            details {
                summary { (concept) }
                div.wrap { table {
                    thead { tr { th { "outlet" } th { "label" } @for p in periods { th.n { (p) } } } }
                    tbody {
                        @for (outlet, label) in &pairs {
                            tr {
                                th scope="row" { (outlet) }
                                td { (page.evidence_link(Key::new(Kind::Label, Scope::Outlet, outlet, concept, label), label)) }
                                @for p in periods {
                                    @match of.iter().find(|r| r.key == *outlet && r.label == *label && r.period == *p) {
                                        Some(r) => {
                                            @let share = r.share_own.unwrap_or(0.0);
                                            td.heat.dark[share > 0.55] style=(format!("background: rgba(0, 114, 178, {:.2})", 0.08 + share * 0.85))
                                                title=(format!("{} of {concept}'s own-voice mentions, 95% interval {}", r.mentions_own.unwrap_or(0), interval(r.share_own_ci_low, r.share_own_ci_high, 2))) {
                                                (fixed(Some(share * 100.0), 0)) "% (" (r.mentions_own.unwrap_or(0)) ")"
                                            }
                                        }
                                        None => { td.heat.none { "·" } }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
        }
    }
}
