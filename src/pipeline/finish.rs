//! The end of a run: the tables computed from the accumulators, the report
//! files staged from the store's rows and the next cache staged beside
//! them. The run stages its workbook from the staged files, then puts
//! everything in place ([`Finished::commit`]), the cache last.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::summary::{ActorSummary, DiscoverySummary, Timings};
use super::PipelineError;
use crate::corpus::OutletId;
use crate::discover::labels::PhraseEmbedder;
use crate::discover::{Discovery, DiscoveryOptions, DiscoveryTables};
use crate::lexicon::{ConceptKind, Lexicon, Matcher};
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
    /// The metadata column that names an article's group.
    pub group_by: &'a str,
}

/// What the end of a run tells the user and `run.json`, and what it has
/// staged.
pub(super) struct Finished {
    pub discovery: DiscoverySummary,
    pub found: DiscoveryTables,
    pub actors: ActorSummary,
    pub staged: Staged,
}

/// The reports and the next cache, staged.
pub(super) struct Staged {
    /// The reports, to which the run adds its workbook.
    pub reports: ReadyReports,
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

/// Stages the reports in `out` and the next cache. Times the reports as
/// lap `report`; the cache's staging, which runs beside them, is kept for
/// `cache_save`.
pub(super) fn finish(
    out: &std::path::Path,
    run: Finish<'_>,
    spool: Spool<Extent>,
    mut next: NextCache,
    previous: PreviousCache,
    time: &mut Timings,
) -> Result<Finished, PipelineError> {
    let lexicon = run.lexicon;
    let concepts: Vec<String> = lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .map(|c| c.id.clone())
        .collect();
    // The tables are computed while the mention parts are written: one is
    // arithmetic, the other mostly waits on the disk.
    let mut score_time = Duration::ZERO;
    let mut discover_time = Duration::ZERO;
    let (tables, staged) = {
        let rows = next.rows_file()?;
        rayon::join(
            || {
                let clock = Instant::now();
                let tables = tables(&run);
                score_time = clock.elapsed();
                let clock = Instant::now();
                let found = crate::discover::discover(
                    run.discovery,
                    run.matcher,
                    &concepts,
                    run.encoder,
                    run.options,
                );
                discover_time = clock.elapsed();
                (tables, found)
            },
            || spool.stage(out, &rows, previous.mention_parts()),
        )
    };
    let (tables, found) = tables;
    let found: DiscoveryTables = found.map_err(PipelineError::Encoder)?;
    next.set_phrase_names(found.names.clone());
    let staged = staged.map_err(|e| match e {
        StageError::Report(e) => PipelineError::Report(e),
        StageError::Rows(e) => PipelineError::Store(e),
    })?;
    next.set_mentions(staged.parts(), staged.part_of());
    // The next cache is written while the tables are.
    let mut cache_time = Duration::ZERO;
    let (written, cache) = rayon::join(
        || {
            staged.stage_tables(
                out,
                &tables,
                &found,
                &concepts,
                run.group_by,
                Some(&crate::store::cache_dir(out).join(crate::report::html::cache::FILE)),
            )
        },
        || {
            let clock = Instant::now();
            let cells = run.discovery.saved(run.article_cells);
            let cache = next.stage(previous, Some(cells));
            cache_time = clock.elapsed();
            cache
        },
    );
    let reports = written?;
    let cache = cache?;
    time.lap("report");
    time.set("html", reports.html_time);
    time.set("score", score_time);
    time.set("discover", discover_time);
    for (step, spent) in &found.timings {
        time.set(&format!("discover_{step}"), *spent);
    }
    Ok(Finished {
        actors: ActorSummary::of(&tables.actors),
        discovery: DiscoverySummary::of(&found, run.options, run.encoder.map(|e| e.identity())),
        found,
        staged: Staged {
            reports,
            cache,
            cache_time,
        },
    })
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
