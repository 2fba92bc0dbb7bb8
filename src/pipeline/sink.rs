//! Where pass 2's articles go, in corpus order, on a thread of its own:
//! the store (rows and results appended), the outlets' accumulators and
//! the report spool. Nothing here holds an article's text or mentions after
//! it is added.

use std::collections::BTreeMap;

use super::batch::{Done, Outcome, Rendered};
use super::plan::Kept;
use crate::corpus::{metadata_value, OutletId};
use crate::discover::counts::LoadedCells;
use crate::discover::Discovery;
use crate::report::{CsvOptions, Spool, SpoolEntry};
use crate::score::timeline::TimelineAccumulator;
use crate::score::OutletAccumulator;
use crate::store::{CacheCounts, Extent, NextCache, PreviousCache, Record, StoreError};
use crate::text::phrases::ArticlePhrases;

pub(super) struct Sink<'a> {
    pub outlets: BTreeMap<OutletId, OutletAccumulator>,
    /// The same per group, keyed by the group's value (as an id).
    pub groups: BTreeMap<OutletId, OutletAccumulator>,
    /// The metadata column that names an article's group.
    pub group_by: &'a str,
    /// Articles that have a value in it.
    pub grouped: usize,
    /// The outlets' and groups' sums by date.
    pub timeline: TimelineAccumulator,
    pub discovery: Discovery,
    pub spool: Spool<Extent>,
    pub next: &'a mut NextCache,
    pub previous: &'a PreviousCache,
    pub counts: CacheCounts,
    /// Which previous records this run has seen again (by index).
    pub seen: Vec<bool>,
    /// Rows of `mentions/` that are no actor's.
    pub mentions: usize,
    /// Rows of `mentions/` that are actors'.
    pub actor_mentions: usize,
    pub duplicates: usize,
    /// Stamps of files last changed before this are kept.
    pub settled_before: i128,
    /// Discovery's cell of each article, in the order added: the order of
    /// the next cache's records.
    pub article_cells: Vec<u32>,
    /// Set when discovery resumed from the previous run's cells.
    resumed: Option<Resumed>,
}

/// Discovery resumed from the previous run's cells ([`LoadedCells`]): the
/// cell each previous record was counted in, and what became of it.
struct Resumed {
    cell_of: Vec<u32>,
    counted: Vec<Counted>,
}

/// What became of a previous record's phrases in the resumed counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    /// Still counted, and no article of this run has claimed them yet:
    /// taken out at the end unless one does.
    Pending,
    /// Still counted, for a cached article of this run in the same cell.
    Claimed,
    /// Taken out: the article changed, moved to another cell or left.
    TakenOut,
}

impl<'a> Sink<'a> {
    /// A sink for the articles of a run whose store is `previous` and
    /// `next`; stamps of files changed after `started_ns` are not kept.
    /// Discovery resumes from `cells` when the previous run kept them.
    pub fn new(
        options: CsvOptions,
        previous: &'a PreviousCache,
        next: &'a mut NextCache,
        started_ns: i128,
        group_by: &'a str,
        cells: Option<LoadedCells>,
        timeline: TimelineAccumulator,
    ) -> Sink<'a> {
        let (discovery, resumed) = match cells {
            Some(c) => (
                Discovery::resume(c.cells, previous.phrase_names()),
                Some(Resumed {
                    counted: vec![Counted::Pending; c.article_cells.len()],
                    cell_of: c.article_cells,
                }),
            ),
            None => (Discovery::with_names(previous.phrase_names()), None),
        };
        Sink {
            outlets: BTreeMap::new(),
            groups: BTreeMap::new(),
            group_by,
            grouped: 0,
            timeline,
            discovery,
            spool: Spool::new(options),
            next,
            previous,
            counts: CacheCounts::default(),
            seen: vec![false; previous.len()],
            mentions: 0,
            actor_mentions: 0,
            duplicates: 0,
            settled_before: started_ns,
            article_cells: Vec::with_capacity(previous.len()),
            resumed,
        }
    }

    /// Articles added so far: each one is new, changed or cached.
    pub fn articles(&self) -> usize {
        self.counts.new + self.counts.changed + self.counts.cached
    }

    pub fn add(&mut self, done: Done, kept: &Kept<'_>) -> Result<(), StoreError> {
        let fingerprint = kept.fingerprint.filter(|f| f.settled(self.settled_before));
        let group = metadata_value(&kept.metadata, self.group_by);
        let cell = self.discovery.cell_of(&kept.outlet, group);
        let (rows, part, seen, results) = match done.outcome {
            Outcome::Cached { record, results } => {
                self.counts.cached += 1;
                let rows = self
                    .next
                    .keep(self.previous, record, &kept.source, fingerprint)?;
                if !self.claim(record, cell) {
                    self.counts.phrases_read += 1;
                    let phrases = self.previous.phrases(record)?;
                    self.take_out(record, Some(&phrases))?;
                    self.discovery.add_phrases(cell, &phrases);
                }
                (rows, self.previous.part(record), Some(record), results)
            }
            Outcome::Fresh(Rendered {
                key,
                previous,
                rows,
                results,
                phrases,
            }) => {
                if previous.is_some() {
                    self.counts.changed += 1;
                } else {
                    self.counts.new += 1;
                }
                let record = Record {
                    id: kept.id.clone(),
                    source: kept.source.clone(),
                    fingerprint,
                    content_hash: kept.content_hash.clone(),
                    bytes: kept.bytes as u64,
                    lines: kept.lines.to_vec(),
                    key,
                    rows: Default::default(),
                    results: Default::default(),
                    phrases: Default::default(),
                    part: None,
                };
                let rows = self.next.add(record, &rows, &results, &phrases)?;
                let part = self.previous.part_with_rows(&kept.source, &rows);
                if let Some(i) = previous {
                    self.take_out(i, None)?;
                }
                self.discovery.add_phrases(cell, &phrases);
                (rows, part, previous, results)
            }
        };
        // The outlet is cloned only for its first article.
        let acc = match self.outlets.get_mut(&kept.outlet) {
            Some(acc) => acc,
            None => self.outlets.entry(kept.outlet.clone()).or_default(),
        };
        acc.add_partial(&results.partial);
        for _ in 0..kept.duplicates {
            acc.add_duplicate();
        }
        if let Some(group) = group {
            self.grouped += 1;
            let acc = match self.groups.get_mut(group) {
                Some(acc) => acc,
                None => self.groups.entry(OutletId(group.to_string())).or_default(),
            };
            acc.add_partial(&results.partial);
            for _ in 0..kept.duplicates {
                acc.add_duplicate();
            }
        }
        self.timeline.add(
            &kept.outlet,
            group,
            kept.published.as_deref(),
            &results.partial,
        );
        self.discovery
            .add_labels(cell, results.partial.labels_own());
        self.article_cells.push(cell);
        self.spool.add(SpoolEntry {
            outlet: kept.outlet.0.clone(),
            id: kept.id.clone(),
            rows,
            mentions: results.mentions + results.actor_mentions,
            part,
            article_row: results.article_row,
            source: kept.source.clone(),
            url: kept.url.clone(),
            metadata: kept.metadata.to_vec(),
        });
        if let Some(seen) = seen.and_then(|i| self.seen.get_mut(i)) {
            *seen = true;
        }
        self.mentions += results.mentions as usize;
        self.actor_mentions += results.actor_mentions as usize;
        self.duplicates += kept.duplicates;
        Ok(())
    }

    /// Claims previous record `record`'s counted phrases for a cached
    /// article of this run in cell `cell`: `true` when they are counted
    /// there and no other article claimed them.
    fn claim(&mut self, record: usize, cell: u32) -> bool {
        let Some(r) = &mut self.resumed else {
            return false;
        };
        let fits = r.cell_of.get(record) == Some(&cell);
        match r.counted.get_mut(record) {
            Some(c @ Counted::Pending) if fits => {
                *c = Counted::Claimed;
                true
            }
            _ => false,
        }
    }

    /// Takes previous record `i`'s phrases (`read`, when the caller has
    /// read them) out of the resumed counts, unless a cached article
    /// claimed them or they are out already.
    fn take_out(&mut self, i: usize, read: Option<&ArticlePhrases>) -> Result<(), StoreError> {
        let Some(r) = &mut self.resumed else {
            return Ok(());
        };
        if r.counted.get(i) != Some(&Counted::Pending) {
            return Ok(());
        }
        r.counted[i] = Counted::TakenOut;
        let cell = r.cell_of[i];
        let owned;
        let phrases = match read {
            Some(p) => p,
            None => {
                self.counts.phrases_read += 1;
                owned = self.previous.phrases(i)?;
                &owned
            }
        };
        if self.discovery.remove(cell, phrases) {
            Ok(())
        } else {
            Err(self
                .previous
                .damaged("discovery's counts do not hold the phrases of an article"))
        }
    }

    /// Takes out the phrases of the previous records no article of this
    /// run claimed: articles that left the corpus, or were skipped.
    pub fn settle(&mut self) -> Result<(), StoreError> {
        let pending: Vec<usize> = match &self.resumed {
            Some(r) => (0..r.counted.len())
                .filter(|&i| r.counted[i] == Counted::Pending)
                .collect(),
            None => return Ok(()),
        };
        for i in pending {
            self.take_out(i, None)?;
        }
        Ok(())
    }
}
