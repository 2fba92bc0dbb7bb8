//! The end of a run, in two steps. [`finish`]: the tables computed from
//! the accumulators while `mentions/` and `articles.csv` are staged, then
//! the tables and the next cache staged side by side. [`Pending::render`],
//! once the accumulators are gone: the page and the workbook, built from
//! the staged files side by side. Then everything is put in place
//! ([`Staged::commit`]), the cache last.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::summary::{ActorSummary, DiscoverySummary, Timings};
use super::PipelineError;
use crate::corpus::OutletId;
use crate::discover::labels::PhraseEmbedder;
use crate::discover::{Discovery, DiscoveryOptions, DiscoveryTables};
use crate::lexicon::{ConceptKind, Lexicon, Matcher};
use crate::report::xlsx::{Begun, WorkbookOptions};
use crate::report::{ReadyReports, Spool, StageError};
use crate::score::timeline::TimelineAccumulator;
use crate::score::{self, OutletAccumulator, Tables};
use crate::store::{Extent, NextCache, PreviousCache, StagedCache};

/// What the end of a run computes its tables from.
pub(super) struct Finish<'a> {
    pub lexicon: &'a Lexicon,
    pub matcher: &'a Matcher,
    pub outlets: &'a BTreeMap<OutletId, OutletAccumulator>,
    pub groups: &'a BTreeMap<OutletId, OutletAccumulator>,
    pub timeline: &'a TimelineAccumulator,
    pub discovery: &'a Discovery,
    /// Discovery's cell of each article, in the order the cache has them.
    pub article_cells: &'a [u32],
    pub encoder: Option<&'a dyn PhraseEmbedder>,
    pub options: DiscoveryOptions,
    pub workbook: WorkbookOptions,
}

/// What the end of a run tells the user and `run.json`, and what is left
/// to stage.
pub(super) struct Finished {
    pub discovery: DiscoverySummary,
    pub found: DiscoveryTables,
    pub actors: ActorSummary,
    pub pending: Pending,
}

/// The tables, `mentions/`, `articles.csv` and the next cache staged; the
/// page and the workbook still to come. It holds none of the run's
/// accumulators, which can go before the page and the workbook are built.
pub(super) struct Pending {
    reports: ReadyReports,
    cache: StagedCache,
    cache_time: Duration,
    /// The workbook's sheets of `articles.csv` and `mentions/`, written
    /// beside the tables.
    begun: Result<Begun, crate::report::ReportError>,
    begun_time: Duration,
    /// What the sheets were begun with, and the others are written with.
    workbook: WorkbookOptions,
}

/// The reports and the next cache, staged.
pub(super) struct Staged {
    reports: ReadyReports,
    cache: StagedCache,
    cache_time: Duration,
}

impl Staged {
    /// Puts the reports in place, then the next cache; returns what the
    /// user should know about the reports. Adds the time to `cache_save`.
    ///
    /// The next cache is put in place after the reports: a run killed
    /// before that leaves the previous cache, which still matches the
    /// reports it can reuse (entries are keyed by content, never by
    /// position).
    pub fn commit(self, time: &mut Timings) -> Result<Vec<String>, PipelineError> {
        let clock = Instant::now();
        let notes = self.reports.commit()?;
        self.cache.commit()?;
        time.add("cache_save", self.cache_time + clock.elapsed());
        Ok(notes)
    }
}

/// Computes the tables and stages them with `mentions/` and `articles.csv`
/// in `out`, and the next cache beside them. Times it as lap `report`; the
/// cache's staging, which runs beside the tables', is kept for
/// `cache_save`.
pub(super) fn finish(
    out: &std::path::Path,
    run: &Finish<'_>,
    spool: Spool<Extent>,
    mut next: NextCache,
    previous: PreviousCache,
    time: &mut Timings,
) -> Result<Finished, PipelineError> {
    let concepts = referents(run.lexicon);
    // The tables, discovery and the copying of mention rows are apart: the
    // first two are arithmetic, the last mostly waits on the disk, and then
    // writes the workbook's sheets of what it copied.
    let mut score_time = Duration::ZERO;
    let mut discover_time = Duration::ZERO;
    let mut begun_time = Duration::ZERO;
    let ((tables, found), staged) = {
        let rows = next.rows_file()?;
        rayon::join(
            || {
                rayon::join(
                    || {
                        let clock = Instant::now();
                        let tables = tables(run);
                        score_time = clock.elapsed();
                        tables
                    },
                    || {
                        let clock = Instant::now();
                        let found = crate::discover::discover(
                            run.discovery,
                            run.matcher,
                            &concepts,
                            run.encoder,
                            run.options,
                        );
                        discover_time = clock.elapsed();
                        found
                    },
                )
            },
            || {
                let staged = spool.stage(out, &rows, previous.mention_parts())?;
                // The workbook's largest sheets need only what is staged
                // now: written here, they share the cores with the tables
                // rather than wait for them.
                let clock = Instant::now();
                let begun =
                    crate::report::xlsx::begin_workbook(out, &staged.staging(), run.workbook);
                begun_time = clock.elapsed();
                Ok((staged, begun))
            },
        )
    };
    let mut found: DiscoveryTables = found.map_err(PipelineError::Encoder)?;
    // Only the next cache reads the names: no copy of a name per phrase.
    next.set_phrase_names(std::mem::take(&mut found.names));
    let (staged, begun) = staged.map_err(|e| match e {
        StageError::Report(e) => PipelineError::Report(e),
        StageError::Rows(e) => PipelineError::Store(e),
    })?;
    next.set_mentions(staged.parts(), staged.part_of());
    // The next cache is written while the tables are.
    let mut cache_time = Duration::ZERO;
    let (reports, cache) = rayon::join(
        || staged.stage_tables(out, &tables, &found, &concepts),
        || {
            let clock = Instant::now();
            let cells = run.discovery.saved(run.article_cells);
            let cache = next.stage(previous, Some(cells));
            cache_time = clock.elapsed();
            cache
        },
    );
    let (reports, cache) = (reports?, cache?);
    time.lap("report");
    time.set("score", score_time);
    time.set("discover", discover_time);
    for (step, spent) in &found.timings {
        time.set(&format!("discover_{step}"), *spent);
    }
    Ok(Finished {
        actors: ActorSummary::of(&tables.actors),
        discovery: DiscoverySummary::of(&found, run.options, run.encoder.map(|e| e.identity())),
        found,
        pending: Pending {
            reports,
            cache,
            cache_time,
            begun,
            begun_time,
            workbook: run.workbook,
        },
    })
}

impl Pending {
    /// Stages `report.html` (articles grouped by `group_by`) and
    /// `report.xlsx` (its `about` sheet from `about`, the run as `run.json`
    /// will have it, its options the run's) side by side: each reads what
    /// is staged and writes a file of its own. Times it as lap `render`, with the page and the
    /// workbook apart (`html`, `xlsx`).
    pub fn render(
        self,
        out: &std::path::Path,
        group_by: &str,
        about: Option<&serde_json::Value>,
        time: &mut Timings,
    ) -> Result<Staged, PipelineError> {
        let Pending {
            mut reports,
            cache,
            cache_time,
            begun,
            begun_time,
            workbook,
        } = self;
        let begun = begun?;
        let staging = reports.staging();
        let evidence_cache = crate::store::cache_dir(out).join(crate::report::html::cache::DIR);
        let (mut html_time, mut xlsx_time) = (Duration::ZERO, Duration::ZERO);
        let (page, book) = rayon::join(
            || {
                let clock = Instant::now();
                let page = reports.render_html(group_by, Some(&evidence_cache));
                html_time = clock.elapsed();
                page
            },
            || {
                let clock = Instant::now();
                let book = crate::report::xlsx::finish_workbook(
                    out,
                    &staging,
                    about,
                    workbook,
                    Some(begun),
                );
                xlsx_time = clock.elapsed();
                book
            },
        );
        reports.add(page?);
        reports.add(book?.0);
        time.lap("render");
        time.set("html", html_time);
        time.set("xlsx", xlsx_time);
        time.set("xlsx_begun", begun_time);
        Ok(Staged {
            reports,
            cache,
            cache_time,
        })
    }
}

/// The lexicon's referent concepts, whose sentiment the tables report.
fn referents(lexicon: &Lexicon) -> Vec<String> {
    lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .map(|c| c.id.clone())
        .collect()
}

/// The outlets' and groups' tables. A group's row names its outlets.
fn tables(run: &Finish<'_>) -> Tables {
    let mut tables = score::finish(run.lexicon, run.outlets);
    tables.groups = score::finish(run.lexicon, run.groups).outlets;
    for row in &mut tables.groups {
        let mut outlets: Vec<&str> = run
            .discovery
            .cells()
            .iter()
            .filter(|c| c.articles > 0 && c.group.as_deref() == Some(row.outlet.0.as_str()))
            .map(|c| c.outlet.0.as_str())
            .collect();
        outlets.sort_unstable();
        outlets.dedup();
        row.outlet_name = outlets.join("; ");
    }
    tables.timeline = run.timeline.finish(run.lexicon);
    fn actors(
        accs: &BTreeMap<OutletId, OutletAccumulator>,
    ) -> BTreeMap<OutletId, &score::actors::ActorSums> {
        accs.iter().map(|(k, a)| (k.clone(), a.actors())).collect()
    }
    tables.actors =
        score::actors::finish_actors(run.lexicon, &actors(run.outlets), &actors(run.groups));
    tables
}
