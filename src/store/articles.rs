//! The previous run's records and this run's: what a run looks up, keeps
//! and adds, article by article.

use std::fs::File;
use std::path::{Path, PathBuf};

use foldhash::HashMap;

use super::data::{fresh_generation, DataFile};
use super::index::{remove_old_versions, stage_index, Index, Loaded, RESULTS_MAGIC, ROWS_MAGIC};
use super::{
    index_path, results_path, rows_path, ArticleResults, Extent, Record, RowsFile, StoreError,
    CACHE_VERSION,
};
use crate::disk::FileStamp;
use crate::report::mentions::Part;
use crate::text::phrases::ArticlePhrases;

/// Opens the cache of `out` for a run with `lexicon_hash`: the previous
/// run's records when they are usable (`ignore` is `--force`) and the files
/// this run writes to. When the previous cache is not used, the
/// [`PreviousCache::note`] says why.
pub fn open(
    out: &Path,
    lexicon_hash: &str,
    ignore: bool,
) -> Result<(PreviousCache, NextCache), StoreError> {
    let (loaded, note) = if ignore {
        (None, Some("--force: cache ignored".to_string()))
    } else {
        match Loaded::load(out, lexicon_hash) {
            Ok(p) => (p, None),
            Err(why) => (None, Some(format!("{why}; rebuilding"))),
        }
    };
    // Append to the previous files unless most of their bytes are dead.
    let append = loaded.as_ref().filter(|p| {
        let live: u64 = p
            .index
            .records
            .iter()
            .map(|r| r.rows.len + r.results.len + r.phrases.len)
            .sum();
        live * 2 >= p.index.rows_len + p.index.results_len
    });
    let (generation, rows, results) = match append {
        Some(p) => (
            p.index.generation,
            DataFile::append(&rows_path(out), p.index.rows_len)
                .map_err(StoreError::io(&rows_path(out)))?,
            DataFile::append(&results_path(out), p.index.results_len)
                .map_err(StoreError::io(&results_path(out)))?,
        ),
        None => {
            let g = fresh_generation(loaded.as_ref().map_or(0, |p| p.index.generation));
            (
                g,
                DataFile::fresh(&rows_path(out), ROWS_MAGIC, g)
                    .map_err(StoreError::io(&rows_path(out)))?,
                DataFile::fresh(&results_path(out), RESULTS_MAGIC, g)
                    .map_err(StoreError::io(&results_path(out)))?,
            )
        }
    };
    let appending = append.is_some();
    let mut previous = PreviousCache {
        out: out.to_path_buf(),
        note,
        ..PreviousCache::default()
    };
    if let Some(p) = loaded {
        if !appending {
            previous.rows = Some(p.rows);
        }
        previous.results = Some(p.results);
        let n = p.index.records.len();
        previous.by_source.reserve(n);
        previous.by_key.reserve(n);
        previous.ids.reserve(n);
        for (i, r) in p.index.records.iter().enumerate() {
            previous.by_source.insert(r.source.clone(), i);
            previous.by_key.insert(r.key, i);
            previous.ids.insert(r.id.clone(), i);
        }
        previous.records = p.index.records;
        previous.mentions = p.index.mentions;
        previous.phrase_names = p.index.phrase_names;
        // Cells that do not fit the records are not used: the run counts
        // every article's phrases again.
        previous.cells = p.index.cells.filter(|c| {
            c.article_cells.len() == previous.records.len()
                && c.article_cells
                    .iter()
                    .all(|&i| (i as usize) < c.cells.len())
        });
    }
    let next = NextCache {
        out: out.to_path_buf(),
        lexicon: lexicon_hash.to_string(),
        rows,
        results,
        generation,
        records: Vec::with_capacity(previous.len()),
        part_of: Vec::new(),
        mentions: Vec::new(),
        phrase_names: Vec::new(),
    };
    Ok((previous, next))
}

/// The previous run's cache, read-only for the whole run (shared by the
/// reading and analysing threads).
#[derive(Default)]
pub struct PreviousCache {
    out: PathBuf,
    records: Vec<Record>,
    by_source: HashMap<String, usize>,
    by_key: HashMap<u128, usize>,
    ids: HashMap<String, usize>,
    /// The results file: each record's results are read when needed, on
    /// the thread that decodes them, so the file is never held whole.
    results: Option<File>,
    /// The rows file when this run compacts it; `None` when appending.
    rows: Option<File>,
    /// The parts of `mentions/` the previous run wrote.
    mentions: Vec<Part>,
    /// Phrase names the previous run kept.
    phrase_names: Vec<(u64, String)>,
    /// Discovery's counts over the records, until the run takes them.
    cells: Option<crate::discover::counts::LoadedCells>,
    /// Why the previous cache was not used, when it was not.
    pub note: Option<String>,
}

impl PreviousCache {
    /// The record of a file whose stamp is what it was when the
    /// previous run read it: its text need not be read to be hashed.
    pub fn known_file(&self, source: &str, fingerprint: Option<FileStamp>) -> Option<&Record> {
        let fingerprint = fingerprint?;
        let r = &self.records[*self.by_source.get(source)?];
        (r.fingerprint == Some(fingerprint)).then_some(r)
    }

    /// The phrase names the previous run kept (hash, surface form): the
    /// names of the phrases its cached articles hold by hash.
    pub fn phrase_names(&self) -> &[(u64, String)] {
        &self.phrase_names
    }

    /// Discovery's counts over the previous records, when the previous
    /// run kept them and they fit: taken once.
    pub fn take_cells(&mut self) -> Option<crate::discover::counts::LoadedCells> {
        self.cells.take()
    }

    /// Damage found in what the previous run kept: the run starts again
    /// without its cache.
    pub fn damaged(&self, detail: &str) -> StoreError {
        StoreError::Corrupt {
            path: index_path(&self.out),
            detail: detail.to_string(),
        }
    }

    /// The phrases of record `i`, checked against their checksum.
    pub fn phrases(&self, i: usize) -> Result<ArticlePhrases, StoreError> {
        let bytes = self.phrases_bytes(i)?;
        postcard::from_bytes(&bytes).map_err(|_| StoreError::Corrupt {
            path: results_path(&self.out),
            detail: format!("phrases of {} unreadable", self.records[i].source),
        })
    }

    /// The parts of `mentions/` the previous run wrote.
    pub fn mention_parts(&self) -> &[Part] {
        &self.mentions
    }

    /// The part of `mentions/` that holds record `i`'s rows.
    pub fn part(&self, i: usize) -> Option<u32> {
        self.records[i].part
    }

    /// The part that holds the previous rows of `source` when `rows` (as
    /// this run wrote them) are the same bytes: same length and xxh3-64. An
    /// article analysed again because its context changed, whose rows came
    /// out as before, leaves its part as it is.
    pub fn part_with_rows(&self, source: &str, rows: &Extent) -> Option<u32> {
        let r = &self.records[*self.by_source.get(source)?];
        let same = r.rows.len == rows.len && r.rows.sum == rows.sum;
        r.part.filter(|_| same)
    }

    /// The previous record with this key, if any.
    pub fn lookup(&self, key: u128) -> Option<usize> {
        self.by_key.get(&key).copied()
    }

    /// The results of record `i`, checked against their checksum.
    pub fn results(&self, i: usize) -> Result<ArticleResults, StoreError> {
        let bytes = self.results_bytes(i)?;
        ArticleResults::decode(&bytes).ok_or_else(|| StoreError::Corrupt {
            path: results_path(&self.out),
            detail: format!("results of {} unreadable", self.records[i].source),
        })
    }

    /// The encoded results of record `i`, checked against their checksum.
    /// Any failure to read them (the file cut short since it was opened)
    /// is damage like a bad checksum: the run starts again without them.
    fn results_bytes(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        self.extent_bytes(i, "results", |r| r.results)
    }

    /// The encoded phrases of record `i`, as [`Self::results_bytes`].
    fn phrases_bytes(&self, i: usize) -> Result<Vec<u8>, StoreError> {
        self.extent_bytes(i, "phrases", |r| r.phrases)
    }

    fn extent_bytes(
        &self,
        i: usize,
        what: &str,
        extent: fn(&Record) -> Extent,
    ) -> Result<Vec<u8>, StoreError> {
        let r = &self.records[i];
        // The path is spelled out only for a message: this runs once per
        // cached article.
        let corrupt = |detail: String| StoreError::Corrupt {
            path: results_path(&self.out),
            detail: format!("{what} of {}: {detail}", r.source),
        };
        let file = self
            .results
            .as_ref()
            .ok_or_else(|| corrupt("no results file".into()))?;
        extent(r)
            .read_checked(file)
            .map_err(|e| corrupt(e.to_string()))
    }

    /// How many records the previous run left.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The previous record of the article with this id, if the previous
    /// run had one (a miss on it is a changed article, not a new one).
    pub fn record_of(&self, id: &str) -> Option<usize> {
        self.ids.get(id).copied()
    }

    /// How many previous records are not `seen` (indexed by record).
    pub fn removed(&self, seen: &[bool]) -> usize {
        (0..self.records.len())
            .filter(|&i| !seen.get(i).copied().unwrap_or(false))
            .count()
    }
}

/// This run's cache, written as articles are added.
pub struct NextCache {
    out: PathBuf,
    lexicon: String,
    rows: DataFile,
    results: DataFile,
    generation: u64,
    records: Vec<NextRecord>,
    /// The part of `mentions/` of each record, in the order added.
    part_of: Vec<u32>,
    mentions: Vec<Part>,
    phrase_names: Vec<(u64, String)>,
}

/// A record of the next index. A reused article's record stays in the
/// previous cache until [`NextCache::stage`] moves it over: copying 100k
/// records with their line keys was a tenth of a rerun.
enum NextRecord {
    Kept {
        previous: usize,
        fingerprint: Option<FileStamp>,
        /// Where the article is now, when that is not where it was.
        now_at: Option<String>,
        /// Where its rows, results and phrases went when this run compacts.
        moved: Option<(Extent, Extent, Extent)>,
    },
    Added(Box<Record>),
}

impl NextCache {
    /// Keeps record `i` of `previous` (reused by this run) for the article
    /// at `source`, with `fingerprint`, its file's stamp now; returns where
    /// its mention rows are.
    pub fn keep(
        &mut self,
        previous: &PreviousCache,
        i: usize,
        source: &str,
        fingerprint: Option<FileStamp>,
    ) -> Result<Extent, StoreError> {
        let r = &previous.records[i];
        let now_at = (r.source != source).then(|| source.to_string());
        let mut moved = None;
        if let Some(old) = &previous.rows {
            // Compaction: copy the rows and results into the fresh files.
            let rows = r.rows.read(old, &rows_path(&self.out))?;
            let rows = self.rows.write(&rows).map_err(self.rows.io())?;
            let results = previous.results_bytes(i)?;
            let results = self.results.write(&results).map_err(self.results.io())?;
            let phrases = previous.phrases_bytes(i)?;
            let phrases = self.results.write(&phrases).map_err(self.results.io())?;
            moved = Some((rows, results, phrases));
        }
        self.records.push(NextRecord::Kept {
            previous: i,
            fingerprint,
            now_at,
            moved,
        });
        Ok(moved.map_or(r.rows, |m| m.0))
    }

    /// Adds a freshly analysed article; returns where its mention rows are.
    pub fn add(
        &mut self,
        mut record: Record,
        rows: &[u8],
        results: &ArticleResults,
        phrases: &ArticlePhrases,
    ) -> Result<Extent, StoreError> {
        record.rows = self.rows.write(rows).map_err(self.rows.io())?;
        let encoded = |e: postcard::Error| std::io::Error::other(e);
        let bytes = postcard::to_stdvec(results)
            .map_err(encoded)
            .map_err(self.results.io())?;
        record.results = self.results.write(&bytes).map_err(self.results.io())?;
        let bytes = postcard::to_stdvec(phrases)
            .map_err(encoded)
            .map_err(self.results.io())?;
        record.phrases = self.results.write(&bytes).map_err(self.results.io())?;
        let rows = record.rows;
        self.records.push(NextRecord::Added(Box::new(record)));
        Ok(rows)
    }

    /// Records where the report put each article's rows: `part_of` is in
    /// the order the articles were added.
    pub fn set_mentions(&mut self, parts: &[Part], part_of: &[u32]) {
        self.part_of = part_of.to_vec();
        self.mentions = parts.to_vec();
    }

    /// The phrase names to keep for the next run (see
    /// [`PreviousCache::phrase_names`]).
    pub fn set_phrase_names(&mut self, names: Vec<(u64, String)>) {
        self.phrase_names = names;
    }

    /// The rows file with everything added so far, for copying rows into
    /// `mentions/`.
    pub fn rows_file(&mut self) -> Result<RowsFile<'_>, StoreError> {
        self.rows.flushed()
    }

    /// Syncs the data files and writes the new index under a temporary
    /// name, taking the records this run kept from `previous`; this can be
    /// done while the reports are still being written. Nothing is in place
    /// until [`StagedCache::commit`], called after the reports are: a run
    /// killed before that leaves the previous index, which still describes
    /// the bytes it points at.
    ///
    /// `cells` are discovery's counts over the records in the order they
    /// were added, for the next run to start from.
    pub fn stage(
        mut self,
        previous: PreviousCache,
        cells: Option<crate::discover::counts::SavedCells<'_>>,
    ) -> Result<StagedCache, StoreError> {
        let mut old: Vec<Option<Record>> = previous.records.into_iter().map(Some).collect();
        // Where each previous record went: `keep` takes each one once, but
        // a second keep of the same record would copy the first.
        let mut moved_to = vec![0; old.len()];
        let mut records: Vec<Record> = Vec::with_capacity(self.records.len());
        let mut part_of = self.part_of.into_iter();
        for next in self.records {
            let mut r = match next {
                NextRecord::Added(r) => *r,
                NextRecord::Kept {
                    previous,
                    fingerprint,
                    now_at,
                    moved,
                } => {
                    let mut r = old[previous]
                        .take()
                        .unwrap_or_else(|| records[moved_to[previous]].clone());
                    moved_to[previous] = records.len();
                    r.fingerprint = fingerprint;
                    if let Some(source) = now_at {
                        r.source = source;
                    }
                    if let Some((rows, results, phrases)) = moved {
                        r.rows = rows;
                        r.results = results;
                        r.phrases = phrases;
                    }
                    r
                }
            };
            r.part = part_of.next();
            records.push(r);
        }
        let index = Index {
            version: CACHE_VERSION,
            slant: env!("CARGO_PKG_VERSION").to_string(),
            lexicon: self.lexicon,
            generation: self.generation,
            rows_len: self.rows.len,
            results_len: self.results.len,
            records,
            mentions: self.mentions,
            phrase_names: self.phrase_names,
            cells,
        };
        self.rows.sync()?;
        self.results.sync()?;
        let path = index_path(&self.out);
        let index = stage_index(&path, &index).map_err(StoreError::io(&path))?;
        Ok(StagedCache {
            out: self.out,
            rows: self.rows,
            results: self.results,
            index,
        })
    }
}

/// The next cache written and synced, not in place yet: see
/// [`NextCache::stage`]. Dropped, it leaves the previous cache as it was.
pub struct StagedCache {
    out: PathBuf,
    rows: DataFile,
    results: DataFile,
    index: crate::disk::atomic::Staged,
}

impl StagedCache {
    /// Puts fresh data files and the index in place.
    pub fn commit(self) -> Result<(), StoreError> {
        self.rows.put_in_place()?;
        self.results.put_in_place()?;
        let path = index_path(&self.out);
        self.index.commit().map_err(StoreError::io(&path))?;
        remove_old_versions(&self.out);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineKey;

    fn record(id: &str) -> Record {
        Record {
            id: id.into(),
            source: format!("o/{id}.txt"),
            fingerprint: None,
            content_hash: format!("hash of {id}"),
            bytes: 3,
            lines: vec![LineKey(7), LineKey(9)],
            key: 42,
            rows: Extent::default(),
            results: Extent::default(),
            phrases: Extent::default(),
            part: None,
        }
    }

    #[test]
    fn kept_records_move_to_the_next_index_with_their_new_fingerprint_and_part() {
        let out = tempfile::tempdir().unwrap();
        let (previous, mut next) = open(out.path(), "L", false).unwrap();
        let phrases = ArticlePhrases {
            uses: vec![crate::text::phrases::PhraseUse {
                hash: 5,
                own: 2,
                other: 0,
                shape: 1,
            }],
            names: String::new(),
        };
        next.add(
            record("a"),
            b"rows of a",
            &ArticleResults::default(),
            &phrases,
        )
        .unwrap();
        next.set_mentions(&[], &[3]);
        next.stage(previous, None).unwrap().commit().unwrap();

        let (previous, mut next) = open(out.path(), "L", false).unwrap();
        assert_eq!(previous.len(), 1);
        let i = previous.lookup(42).unwrap();
        assert_eq!(previous.part(i), Some(3));
        let rows = previous.records[i].rows;
        let fingerprint = Some(FileStamp {
            len: 3,
            modified_ns: 1,
            changed_ns: 2,
            inode: 3,
            device: 4,
        });
        // The same record kept twice is written twice, the second a copy,
        // there for an article found somewhere else.
        assert_eq!(
            next.keep(&previous, i, "o/a.txt", fingerprint).unwrap(),
            rows
        );
        assert_eq!(next.keep(&previous, i, "p/a.txt", None).unwrap(), rows);
        next.set_mentions(&[], &[5, 6]);
        next.stage(previous, None).unwrap().commit().unwrap();

        let (previous, _) = open(out.path(), "L", false).unwrap();
        let kept = &previous.records;
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept[0],
            Record {
                fingerprint,
                rows,
                results: kept[0].results,
                phrases: kept[0].phrases,
                part: Some(5),
                ..record("a")
            }
        );
        assert_eq!(
            kept[1],
            Record {
                fingerprint: None,
                part: Some(6),
                source: "p/a.txt".into(),
                ..kept[0].clone()
            }
        );
        assert_eq!(previous.results(0).unwrap(), ArticleResults::default());
        assert_eq!(previous.phrases(1).unwrap(), phrases);
    }
}
