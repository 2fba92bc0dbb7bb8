//! Where pass 2's articles go, in corpus order, on a thread of its own:
//! the store (rows and results appended), the outlets' accumulators and
//! the report spool. Nothing here holds an article's text or mentions after
//! it is added.

use std::collections::BTreeMap;

use super::batch::{Done, Outcome, Rendered};
use super::plan::Kept;
use crate::corpus::{metadata_value, OutletId};
use crate::discover::Discovery;
use crate::report::{CsvOptions, Spool, SpoolEntry};
use crate::score::timeline::TimelineAccumulator;
use crate::score::OutletAccumulator;
use crate::store::{CacheCounts, Extent, NextCache, PreviousCache, Record, StoreError};

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
    pub mentions: usize,
    pub duplicates: usize,
    /// Stamps of files last changed before this are kept.
    pub settled_before: i128,
}

impl<'a> Sink<'a> {
    /// A sink for the articles of a run whose store is `previous` and
    /// `next`; `note` says why the previous cache was not used, when it was
    /// not, and stamps of files changed after `started_ns` are not kept.
    pub fn new(
        options: CsvOptions,
        previous: &'a PreviousCache,
        next: &'a mut NextCache,
        note: Option<String>,
        started_ns: i128,
        group_by: &'a str,
        timeline: TimelineAccumulator,
    ) -> Sink<'a> {
        Sink {
            outlets: BTreeMap::new(),
            groups: BTreeMap::new(),
            group_by,
            grouped: 0,
            timeline,
            discovery: Discovery::with_names(previous.phrase_names()),
            spool: Spool::new(options),
            next,
            previous,
            counts: CacheCounts {
                note,
                ..CacheCounts::default()
            },
            seen: vec![false; previous.len()],
            mentions: 0,
            duplicates: 0,
            settled_before: started_ns,
        }
    }

    /// Articles added so far: each one is new, changed or cached.
    pub fn articles(&self) -> usize {
        self.counts.new + self.counts.changed + self.counts.cached
    }

    pub fn add(&mut self, done: Done, kept: &Kept<'_>) -> Result<(), StoreError> {
        let fingerprint = kept.fingerprint.filter(|f| f.settled(self.settled_before));
        let (rows, part, seen, results) = match done.outcome {
            Outcome::Cached { record, results } => {
                self.counts.cached += 1;
                let rows = self.next.keep(self.previous, record, fingerprint)?;
                (rows, self.previous.part(record), Some(record), results)
            }
            Outcome::Fresh(Rendered {
                key,
                previous,
                rows,
                results,
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
                    part: None,
                };
                let rows = self.next.add(record, &rows, &results)?;
                let part = self.previous.part_with_rows(&kept.source, &rows);
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
        let group = metadata_value(&kept.metadata, self.group_by);
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
        self.discovery.add(
            &kept.outlet,
            group,
            &results.phrases,
            results.partial.labels_own(),
        );
        self.spool.add(SpoolEntry {
            outlet: kept.outlet.0.clone(),
            id: kept.id.clone(),
            rows,
            mentions: results.mentions,
            part,
            article_row: results.article_row,
            url: kept.url.clone(),
            metadata: kept.metadata.to_vec(),
        });
        if let Some(seen) = seen.and_then(|i| self.seen.get_mut(i)) {
            *seen = true;
        }
        self.mentions += results.mentions as usize;
        self.duplicates += kept.duplicates;
        Ok(())
    }
}
