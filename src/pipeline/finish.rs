//! The end of a run: the tables computed from the accumulators, the report
//! files staged from the store's rows, the next cache staged beside them,
//! then everything put in place, the cache last.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::summary::Timings;
use super::PipelineError;
use crate::corpus::OutletId;
use crate::lexicon::{ConceptKind, Lexicon};
use crate::report::{Spool, StageError};
use crate::score::{self, OutletAccumulator};
use crate::store::{Extent, NextCache, PreviousCache};

/// Writes the reports into `out` and puts the next cache in place; returns
/// what the user should know about the reports. Times the reports as lap
/// `report`, and the cache's staging, which runs beside them, as part of
/// `cache_save`.
///
/// The next cache is put in place after the reports: a run killed before
/// that leaves the previous cache, which still matches the reports it can
/// reuse (entries are keyed by content, never by position).
pub(super) fn finish(
    out: &std::path::Path,
    lexicon: &Lexicon,
    outlets: &BTreeMap<OutletId, OutletAccumulator>,
    spool: Spool<Extent>,
    mut next: NextCache,
    previous: PreviousCache,
    time: &mut Timings,
) -> Result<Vec<String>, PipelineError> {
    let concepts: Vec<String> = lexicon
        .concepts()
        .iter()
        .filter(|c| c.kind == ConceptKind::Referent)
        .map(|c| c.id.clone())
        .collect();
    // The tables are computed while the mention parts are written: one is
    // arithmetic, the other mostly waits on the disk.
    let mut score_time = Duration::ZERO;
    let (tables, staged) = {
        let rows = next.rows_file()?;
        rayon::join(
            || {
                let clock = Instant::now();
                let tables = score::finish(lexicon, outlets);
                score_time = clock.elapsed();
                tables
            },
            || spool.stage(out, &rows, previous.mention_parts()),
        )
    };
    let staged = staged.map_err(|e| match e {
        StageError::Report(e) => PipelineError::Report(e),
        StageError::Rows(e) => PipelineError::Store(e),
    })?;
    next.set_mentions(staged.parts(), staged.part_of());
    // The next cache is written while the tables are.
    let mut cache_time = Duration::ZERO;
    let (notes, cache) = rayon::join(
        || staged.finish(out, &tables, &concepts),
        || {
            let clock = Instant::now();
            let cache = next.stage(previous);
            cache_time = clock.elapsed();
            cache
        },
    );
    let notes = notes?;
    let cache = cache?;
    time.lap("report");
    time.set("score", score_time);
    cache.commit()?;
    time.add("cache_save", cache_time);
    Ok(notes)
}
