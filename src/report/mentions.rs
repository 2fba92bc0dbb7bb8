//! The evidence behind every number: `OUT/mentions/part-00001.csv`,
//! `part-00002.csv`, … — one row per mention, in parts.
//!
//! Each part is a complete CSV file with the header row and whole articles
//! (an article's rows are never split), and stays under [`PART_BYTES`] and a
//! row limit (`--part-rows`, [`DEFAULT_PART_ROWS`]: small, so that a rerun
//! rewrites little, and any part opens whole in Excel, LibreOffice or
//! Google Sheets). Read them together with a glob (`mentions/*.csv`).
//!
//! Parts are what make a rerun cheap: a part whose articles are all
//! unchanged is carried over as it is (hard-linked, not copied), so a rerun
//! writes only the parts that lost or changed an article and the rows of
//! new articles. An article analysed again whose rows come out the same
//! bytes (its context changed, not its mentions) counts as unchanged. New
//! rows go into the last part while it is under half the limits, then into
//! new parts; a part is written in (outlet, article id) order. After a first run, the parts read in name order are in
//! (outlet, article id) order as a whole; after reruns, sort on those
//! columns when the order matters.
//!
//! The store records which part holds each article and each part's
//! [`FileStamp`] (size, modification time, inode); a part that no longer
//! matches its stamp (edited, replaced, deleted) is written again from the
//! row source. The whole folder is replaced in one step
//! ([`crate::disk::atomic::stage_dir`]): a run killed at any point leaves the
//! previous set of parts.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::spool::{RowSource, SpoolEntry};
use super::{io_error as io, StageError};
use crate::disk::atomic::StagedDir;
use crate::disk::FileStamp;

/// The folder of the parts, in the output folder.
pub const DIR: &str = "mentions";
/// Bytes of rows in a part (an article with more gets a part of its own):
/// bounds what a rerun rewrites when one article of a part changes, even
/// for articles of very long sentences.
pub const PART_BYTES: u64 = 4 << 20;
/// Rows in a part unless `--part-rows` says otherwise: about 200 articles
/// of news copy, 1 MB. A changed article costs a rewrite of its whole part
/// (a part is one file), and reruns change articles all over the corpus
/// (a line a new article repeats turns into boilerplate in the old ones),
/// so small parts are what keep a rerun's writing in proportion to what
/// changed. Any part opens whole in a spreadsheet.
pub const DEFAULT_PART_ROWS: u64 = 5_000;

/// The file name of part `number`.
///
/// ```
/// assert_eq!(slant::report::mentions::part_name(7), "part-00007.csv");
/// ```
pub fn part_name(number: u32) -> String {
    format!("part-{number:05}.csv")
}

/// One part as written by a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub number: u32,
    /// Articles whose rows it holds (articles without mentions count too).
    pub articles: u64,
    /// Whether it was written with `--excel` (a byte-order mark, text
    /// cells guarded).
    pub bom: bool,
    /// The file as written; a new hard link changes only its status-change
    /// time, which the check leaves out ([`FileStamp::same_linked_file`]).
    pub stamp: FileStamp,
}

/// The limits of a part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub bytes: u64,
    pub rows: u64,
}

/// A part of this run: its articles (indexes into the spool's entries, in
/// row order) and whether it is the previous run's file, unchanged.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Planned {
    pub number: u32,
    pub entries: Vec<usize>,
    pub carried: bool,
}

/// Decides the parts of this run from the previous run's `previous` parts
/// and each entry's previous part. `intact` says whether a previous part's
/// file is still as it was written.
pub(super) fn plan<S: RowSource>(
    entries: &[SpoolEntry<S::Rows>],
    previous: &[Part],
    intact: &dyn Fn(&Part) -> bool,
    bom: bool,
    limits: Limits,
) -> Vec<Planned> {
    let known: HashMap<u32, &Part> = previous.iter().map(|p| (p.number, p)).collect();
    let mut by_part: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    let mut new = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        match e.part.filter(|p| known.contains_key(p)) {
            Some(p) => by_part.entry(p).or_default().push(i),
            None => new.push(i),
        }
    }
    let order = |list: &mut Vec<usize>| list.sort_by_key(|&i| entries[i].report_key());
    let size = |list: &[usize]| {
        list.iter().fold((0u64, 0u64), |(bytes, rows), &i| {
            (bytes + S::len(&entries[i].rows), rows + entries[i].mentions)
        })
    };
    let mut planned = Vec::new();
    // A part none of whose articles is left is dropped.
    for (number, mut list) in by_part {
        let part = known[&number];
        let carried = list.len() as u64 == part.articles && part.bom == bom && intact(part);
        if !carried {
            order(&mut list);
        }
        planned.push(Planned {
            number,
            entries: list,
            carried,
        });
    }
    if new.is_empty() {
        return planned;
    }
    // New parts take the lowest numbers no kept part has, so the folder
    // does not drift to ever higher numbers as parts empty out.
    let taken: std::collections::HashSet<u32> = planned.iter().map(|p| p.number).collect();
    let mut free = (1..).filter(move |n| !taken.contains(n));
    order(&mut new);
    // The last part takes new rows while it is under half the limits, so
    // that daily reruns do not leave a trail of tiny parts.
    let (mut current, mut filled) = match planned.last().map(|p| size(&p.entries)) {
        Some((bytes, rows)) if bytes < limits.bytes / 2 && rows < limits.rows / 2 => {
            let last = planned.pop().map(|p| Planned {
                carried: false,
                ..p
            });
            (last, (bytes, rows))
        }
        _ => (None, (0, 0)),
    };
    for i in new {
        let (bytes, rows) = (S::len(&entries[i].rows), entries[i].mentions);
        let full = filled.0 + bytes > limits.bytes || filled.1 + rows > limits.rows;
        if full && current.as_ref().is_some_and(|p| !p.entries.is_empty()) {
            planned.extend(current.take());
            filled = (0, 0);
        }
        current
            .get_or_insert_with(|| Planned {
                number: free.next().unwrap_or(u32::MAX),
                entries: Vec::new(),
                carried: false,
            })
            .entries
            .push(i);
        filled = (filled.0 + bytes, filled.1 + rows);
    }
    if let Some(mut last) = current {
        order(&mut last.entries);
        planned.push(last);
    }
    planned.sort_by_key(|p| p.number);
    planned
}

/// Puts this run's parts together in a folder that replaces `OUT/mentions`
/// when committed: carried parts are hard-linked from the current folder,
/// the others written from `source`; an error of the source (a row that
/// does not match its checksum) abandons the folder before it replaces
/// anything. Parts are written on all cores. Returns the folder and the
/// parts, in `planned` order. With `guard` (`--excel`, the kinds of the
/// columns) the text cells of the rows written are guarded
/// ([`super::guard`]); a part records it as its `bom`, so that a rerun
/// that turns `--excel` on or off writes every part again.
pub(super) fn stage<S: RowSource>(
    out: &Path,
    planned: &[Planned],
    entries: &[SpoolEntry<S::Rows>],
    source: &S,
    header: &[u8],
    guard: Option<&[super::columns::Kind]>,
) -> Result<(StagedDir, Vec<Part>), StageError<S::Error>> {
    let bom = guard.is_some();
    use rayon::prelude::*;
    let dir = out.join(DIR);
    let staged = crate::disk::atomic::stage_dir(&dir).map_err(io(&dir))?;
    let parts = planned
        .par_iter()
        .map(|p| -> Result<Part, StageError<S::Error>> {
            let name = part_name(p.number);
            let (to, shown) = (staged.path().join(&name), dir.join(&name));
            if p.carried {
                if std::fs::hard_link(&shown, &to).is_err() {
                    // A file system without hard links: a copy does the same.
                    std::fs::copy(&shown, &to).map_err(io(&shown))?;
                }
            } else {
                let rows: Vec<&S::Rows> = p.entries.iter().map(|&i| &entries[i].rows).collect();
                let mut bytes = header.to_vec();
                match guard {
                    None => source.read(&rows, &mut bytes).map_err(StageError::Rows)?,
                    Some(kinds) => {
                        let mut plain = Vec::new();
                        source.read(&rows, &mut plain).map_err(StageError::Rows)?;
                        bytes.extend(super::guard::guard_rows(&plain, kinds));
                    }
                }
                let mut file = File::create(&to).map_err(io(&shown))?;
                file.write_all(&bytes).map_err(io(&shown))?;
                file.sync_all().map_err(io(&shown))?;
            }
            let stamp = FileStamp::of_path(&to).ok_or_else(|| {
                io(&shown)(std::io::Error::other(
                    "the part just written cannot be read",
                ))
            })?;
            Ok(Part {
                number: p.number,
                articles: p.entries.len() as u64,
                bom,
                stamp,
            })
        })
        .collect::<Result<Vec<Part>, _>>()?;
    Ok((staged, parts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::MemoryRows;

    type Entry = SpoolEntry<std::ops::Range<u64>>;

    fn entry(outlet: &str, id: &str, rows: u64, part: Option<u32>) -> Entry {
        SpoolEntry {
            outlet: outlet.into(),
            id: id.into(),
            rows: 0..rows * 10,
            mentions: rows,
            part,
            article_row: Default::default(),
            source: String::new(),
            url: None,
            metadata: Vec::new(),
        }
    }

    fn part(number: u32, articles: u64) -> Part {
        Part {
            number,
            articles,
            bom: false,
            stamp: FileStamp {
                len: 0,
                modified_ns: 0,
                changed_ns: 0,
                inode: u64::from(number),
                device: 0,
            },
        }
    }

    const LIMITS: Limits = Limits {
        bytes: 1000,
        rows: 10,
    };

    /// (number, ids in row order, carried) of each planned part.
    fn shape(entries: &[Entry], planned: &[Planned]) -> Vec<(u32, Vec<String>, bool)> {
        planned
            .iter()
            .map(|p| {
                let ids = p.entries.iter().map(|&i| entries[i].id.clone()).collect();
                (p.number, ids, p.carried)
            })
            .collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_first_run_fills_parts_in_report_order_up_to_the_row_limit() {
        let entries = vec![
            entry("b", "1", 4, None),
            entry("a", "2", 4, None),
            entry("a", "1", 4, None),
            entry("c", "1", 0, None),
            entry("b", "2", 20, None),
        ];
        let planned = plan::<MemoryRows>(&entries, &[], &|_| true, false, LIMITS);
        assert_eq!(
            shape(&entries, &planned),
            [
                (1, ids(&["1", "2"]), false),
                (2, ids(&["1"]), false),
                // Over the limit alone: a part of its own, never split.
                (3, ids(&["2"]), false),
                (4, ids(&["1"]), false),
            ]
        );
        let outlets: Vec<_> = planned
            .iter()
            .flat_map(|p| p.entries.iter().map(|&i| entries[i].outlet.as_str()))
            .collect();
        assert_eq!(outlets, ["a", "a", "b", "b", "c"]);
    }

    #[test]
    fn an_unchanged_rerun_carries_every_part() {
        let entries = vec![entry("a", "1", 6, Some(1)), entry("a", "2", 6, Some(2))];
        let previous = [part(1, 1), part(2, 1)];
        let planned = plan::<MemoryRows>(&entries, &previous, &|_| true, false, LIMITS);
        assert!(planned.iter().all(|p| p.carried), "{planned:?}");
        assert_eq!(planned.len(), 2);
    }

    #[test]
    fn new_rows_join_the_newest_part_while_it_is_small_then_start_new_ones() {
        let previous = [part(1, 1), part(2, 1)];
        let small = vec![
            entry("a", "1", 6, Some(1)),
            entry("a", "2", 2, Some(2)),
            entry("a", "0", 2, None),
        ];
        let planned = plan::<MemoryRows>(&small, &previous, &|_| true, false, LIMITS);
        assert_eq!(
            shape(&small, &planned),
            [(1, ids(&["1"]), true), (2, ids(&["0", "2"]), false)]
        );
        let big = vec![
            entry("a", "1", 2, Some(1)),
            entry("a", "2", 6, Some(2)),
            entry("a", "3", 2, None),
        ];
        let planned = plan::<MemoryRows>(&big, &previous, &|_| true, false, LIMITS);
        assert_eq!(
            shape(&big, &planned),
            [
                (1, ids(&["1"]), true),
                (2, ids(&["2"]), true),
                (3, ids(&["3"]), false)
            ]
        );
    }

    #[test]
    fn a_part_that_lost_an_article_or_its_file_is_written_again() {
        let previous = [part(1, 2), part(2, 1), part(3, 1)];
        let entries = vec![
            // Part 1 lost an article; part 3 lost its only one.
            entry("a", "1", 6, Some(1)),
            entry("a", "2", 6, Some(2)),
            // A part this run does not know of: the article is new here.
            entry("a", "9", 6, Some(7)),
        ];
        let intact = |p: &Part| p.number != 2;
        let planned = plan::<MemoryRows>(&entries, &previous, &intact, false, LIMITS);
        assert_eq!(
            shape(&entries, &planned),
            [
                (1, ids(&["1"]), false),
                (2, ids(&["2"]), false),
                // Part 3 emptied out: its number is free again.
                (3, ids(&["9"]), false)
            ]
        );
    }

    #[test]
    fn a_change_of_byte_order_mark_writes_every_part() {
        let entries = vec![entry("a", "1", 6, Some(1))];
        let planned = plan::<MemoryRows>(&entries, &[part(1, 1)], &|_| true, true, LIMITS);
        assert!(!planned[0].carried);
    }
}
