//! What a rerun reuses: per article, its rendered report rows and its share
//! of the outlet aggregates, so that a rerun on a corpus that grew by 1 %
//! reads, analyses and renders 1 % of it.
//!
//! The cache lives in the output folder, `OUT/.slant-cache/`, in three files
//! (format version [`CACHE_VERSION`]):
//!
//! ```text
//! articles-v4.idx    magic "SLANT-ARTICLES\0\0", a postcard body (slant
//!                    version, lexicon hash, generation, one Record per
//!                    article, the report's mention parts), xxh3-128 of
//!                    everything before it
//! articles-v4.rows   magic "SLANTRW\x04", generation (u64 LE), then each
//!                    article's mention rows, appended run after run
//! articles-v4.parts  magic "SLANTPT\x04", generation, then each article's
//!                    articles.csv row, ArticlePartial and sentiment keys
//! ```
//!
//! A record names the article's file, its [`Fingerprint`] when it was read,
//! its content hash and its line keys (what pass 1 needs to find repeated
//! lines without reading the file again), its key, where its rows and
//! parts are, each with an xxh3-64 checksum, and which part of the report's
//! `mentions/` holds its rows (see [`crate::report::mentions`]: the index
//! also keeps each part's stamp, so a rerun carries over the parts whose
//! articles did not change).
//!
//! An article is reused when its key matches: a hash of everything its rows
//! depend on besides the lexicon — outlet, text, the outlet-wide repeated
//! lines that occur in it (a line that becomes repeated because a new
//! article repeats it changes what is boilerplate in the old ones), its
//! metadata, its number of dropped copies and the sentiment model. The
//! lexicon and slant's version are in the index: when either differs, the
//! whole cache is stale. A file whose fingerprint matches its record is not
//! read in pass 1; one that matches nothing is read, hashed and analysed.
//!
//! Rows and parts are append-only: a rerun adds the new articles' bytes at
//! the end and writes a new index, so its cost follows the new articles, not
//! the corpus. When more than half of the bytes belong to articles no
//! longer in the corpus, the run writes both files afresh (compaction).
//! Anything unusable — a missing or foreign file, a bad digest, a
//! generation mismatch, a short file — is reported and rebuilt; a checksum
//! that fails while the reports are written makes the run start again
//! without the cache. Nothing in it is trusted unchecked.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use foldhash::HashMap;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::corpus::{ArticleHead, Fingerprint};
use crate::report::mentions::Part;
use crate::report::read_at;
pub use crate::report::Extent;
use crate::score::ArticlePartial;
use crate::text::{LineKey, RepeatedLines};

/// Version of the cache files; bumped whenever a record, the parts or the
/// key change shape.
pub const CACHE_VERSION: u32 = 4;
const INDEX_MAGIC: &[u8; 16] = b"SLANT-ARTICLES\0\0";
const ROWS_MAGIC: &[u8; 8] = b"SLANTRW\x04";
const PARTS_MAGIC: &[u8; 8] = b"SLANTPT\x04";
/// Magic and generation at the start of the rows and parts files.
const DATA_HEADER: u64 = 16;

/// The cache folder inside an output folder.
pub fn cache_dir(out: &Path) -> PathBuf {
    out.join(".slant-cache")
}

fn index_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("articles-v{CACHE_VERSION}.idx"))
}

fn rows_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("articles-v{CACHE_VERSION}.rows"))
}

fn parts_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("articles-v{CACHE_VERSION}.parts"))
}

/// The counts stderr and `run.json` report, e.g.
/// `412 articles: 5 new, 1 changed, 406 cached, 0 removed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheCounts {
    pub new: usize,
    pub changed: usize,
    pub cached: usize,
    pub removed: usize,
    /// Why the cache was not used, when it was not.
    pub note: Option<String>,
}

/// One article of the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// [`crate::corpus::Article::source`].
    pub source: String,
    /// The file's fingerprint when it was read, if it had settled.
    pub fingerprint: Option<Fingerprint>,
    pub content_hash: String,
    /// Bytes of decoded text.
    pub bytes: u64,
    /// [`crate::text::RepeatedLinesBuilder::keys`] of the text.
    pub lines: Vec<LineKey>,
    pub key: u128,
    pub rows: Extent,
    pub parts: Extent,
    /// The part of the report's `mentions/` folder that holds its rows.
    pub part: Option<u32>,
}

/// What a record keeps besides its mention rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Parts {
    /// The article's `articles.csv` row.
    pub article_row: Vec<u8>,
    pub partial: ArticlePartial,
    /// Sentiment cache keys of its scored mentions, so that the sentiment
    /// cache keeps them while the article is cached here.
    pub targets: Vec<[u8; 16]>,
    pub mentions: u64,
}

impl Parts {
    /// Decodes parts read back from the cache.
    pub fn decode(bytes: &[u8]) -> Option<Parts> {
        postcard::from_bytes(bytes).ok()
    }
}

#[derive(Serialize, Deserialize)]
struct Index {
    version: u32,
    slant: String,
    lexicon: String,
    generation: u64,
    rows_len: u64,
    parts_len: u64,
    records: Vec<Record>,
    /// The parts of `mentions/` written with these records.
    mentions: Vec<Part>,
}

/// The key of an article's cached rows: outlet, text, the repeated lines
/// of its outlet that occur in it (`lines` are its line keys), metadata,
/// dropped copies and model.
pub fn key(
    article: ArticleHead<'_>,
    lines: &[LineKey],
    repeated: &RepeatedLines,
    duplicates: usize,
    model: &str,
) -> u128 {
    /// The article's line keys that are repeated lines, as a sequence.
    struct RepeatedHere<'a>(&'a [LineKey], &'a RepeatedLines);
    impl Serialize for RepeatedHere<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq;
            let here = || self.0.iter().filter(|k| self.1.contains_key(**k));
            let mut seq = s.serialize_seq(Some(here().count()))?;
            for k in here() {
                seq.serialize_element(k)?;
            }
            seq.end()
        }
    }
    let material = (
        CACHE_VERSION,
        article.outlet,
        article.content_hash,
        RepeatedHere(lines, repeated),
        article.id,
        article.outlet_name,
        article.title,
        article.published,
        article.url,
        article.source,
        duplicates as u64,
        model,
    );
    // Postcard prefixes every string with its length, so no two different
    // inputs give the same bytes. They are hashed as they are encoded.
    struct Hashing(xxhash_rust::xxh3::Xxh3);
    impl Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(xxhash_rust::xxh3::Xxh3::new());
    let _ = postcard::to_io(&material, &mut hashing);
    hashing.0.digest128()
}

/// Errors that make the cache unusable for this run.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Found while the reports were being written: the run starts again
    /// without the cache.
    #[error("{path}: {detail}")]
    Corrupt { path: PathBuf, detail: String },
}

/// Opens the cache of `out` for a run with `lexicon_hash`: the previous
/// run's records when they are usable (`ignore` is `--force`) and the files
/// this run writes to. When the previous cache is not used, the
/// [`PreviousCache::note`] says why.
pub fn open(
    out: &Path,
    lexicon_hash: &str,
    ignore: bool,
) -> Result<(PreviousCache, NextCache), CacheError> {
    let (loaded, note) = if ignore {
        (None, Some("--force: cache ignored".to_string()))
    } else {
        match Loaded::load(out, lexicon_hash) {
            Ok(p) => (p, None),
            Err(why) => (None, Some(format!("{why}; rebuilding"))),
        }
    };
    let io = |path: PathBuf| move |source| CacheError::Io { path, source };
    // Append to the previous files unless most of their bytes are dead.
    let append = loaded.as_ref().filter(|p| {
        let live: u64 = p
            .index
            .records
            .iter()
            .map(|r| r.rows.len + r.parts.len)
            .sum();
        live * 2 >= p.index.rows_len + p.index.parts_len
    });
    let (generation, rows, parts) = match append {
        Some(p) => (
            p.index.generation,
            DataFile::append(&rows_path(out), p.index.rows_len).map_err(io(rows_path(out)))?,
            DataFile::append(&parts_path(out), p.index.parts_len).map_err(io(parts_path(out)))?,
        ),
        None => {
            let g = fresh_generation(loaded.as_ref().map_or(0, |p| p.index.generation));
            (
                g,
                DataFile::fresh(&rows_path(out), ROWS_MAGIC, g).map_err(io(rows_path(out)))?,
                DataFile::fresh(&parts_path(out), PARTS_MAGIC, g).map_err(io(parts_path(out)))?,
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
        previous.parts = Some(p.parts);
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
    }
    let next = NextCache {
        out: out.to_path_buf(),
        lexicon: lexicon_hash.to_string(),
        rows,
        parts,
        generation,
        records: Vec::with_capacity(previous.len()),
        part_of: Vec::new(),
        mentions: Vec::new(),
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
    /// The parts file: each record's parts are read when needed, on the
    /// thread that decodes them, so the file is never held whole.
    parts: Option<File>,
    /// The rows file when this run compacts it; `None` when appending.
    rows: Option<File>,
    /// The parts of `mentions/` the previous run wrote.
    mentions: Vec<Part>,
    /// Why the previous cache was not used, when it was not.
    pub note: Option<String>,
}

impl PreviousCache {
    /// The record of a file whose fingerprint is what it was when the
    /// previous run read it: its text need not be read to be hashed.
    pub fn known_file(&self, source: &str, fingerprint: Option<Fingerprint>) -> Option<&Record> {
        let fingerprint = fingerprint?;
        let r = &self.records[*self.by_source.get(source)?];
        (r.fingerprint == Some(fingerprint)).then_some(r)
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

    /// The parts of record `i`, checked against their checksum.
    pub fn parts(&self, i: usize) -> Result<Parts, CacheError> {
        let bytes = self.parts_bytes(i)?;
        Parts::decode(&bytes).ok_or_else(|| CacheError::Corrupt {
            path: parts_path(&self.out),
            detail: format!("parts of {} unreadable", self.records[i].source),
        })
    }

    /// The encoded parts of record `i`, checked against their checksum.
    fn parts_bytes(&self, i: usize) -> Result<Vec<u8>, CacheError> {
        let corrupt = |detail: String| CacheError::Corrupt {
            path: parts_path(&self.out),
            detail,
        };
        let r = &self.records[i];
        let file = self
            .parts
            .as_ref()
            .ok_or_else(|| corrupt("no parts file".into()))?;
        let mut bytes = vec![0; r.parts.len as usize];
        // A read that fails here (the file cut short since it was opened)
        // is damage like a bad checksum: the run starts again without it.
        read_at(file, &mut bytes, r.parts.at)
            .map_err(|e| corrupt(format!("parts of {}: {e}", r.source)))?;
        if xxh3_64(&bytes) != r.parts.sum {
            return Err(corrupt(format!("checksum of {} does not match", r.source)));
        }
        Ok(bytes)
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
    parts: DataFile,
    generation: u64,
    records: Vec<NextRecord>,
    /// The part of `mentions/` of each record, in the order added.
    part_of: Vec<u32>,
    mentions: Vec<Part>,
}

/// A record of the next index. A reused article's record stays in the
/// previous cache until [`NextCache::stage`] moves it over: copying 100k
/// records with their line keys was a tenth of a rerun.
enum NextRecord {
    Kept {
        previous: usize,
        fingerprint: Option<Fingerprint>,
        /// Where its rows and parts went when this run compacts.
        moved: Option<(Extent, Extent)>,
    },
    Added(Box<Record>),
}

impl NextCache {
    /// Keeps record `i` of `previous` (reused by this run), with
    /// `fingerprint`, its file's fingerprint now; returns where its mention
    /// rows are.
    pub fn keep(
        &mut self,
        previous: &PreviousCache,
        i: usize,
        fingerprint: Option<Fingerprint>,
    ) -> Result<Extent, CacheError> {
        let r = &previous.records[i];
        let mut moved = None;
        if let Some(old) = &previous.rows {
            // Compaction: copy the rows and parts into the fresh files.
            let mut rows = vec![0; r.rows.len as usize];
            read_at(old, &mut rows, r.rows.at).map_err(|source| CacheError::Io {
                path: rows_path(&self.out),
                source,
            })?;
            if xxh3_64(&rows) != r.rows.sum {
                return Err(CacheError::Corrupt {
                    path: rows_path(&self.out),
                    detail: format!("checksum of {} does not match", r.source),
                });
            }
            let rows = self.rows.write(&rows).map_err(self.rows.io())?;
            let parts = previous.parts_bytes(i)?;
            let parts = self.parts.write(&parts).map_err(self.parts.io())?;
            moved = Some((rows, parts));
        }
        self.records.push(NextRecord::Kept {
            previous: i,
            fingerprint,
            moved,
        });
        Ok(moved.map_or(r.rows, |m| m.0))
    }

    /// Adds a freshly analysed article; returns where its mention rows are.
    pub fn add(
        &mut self,
        mut record: Record,
        rows: &[u8],
        parts: &Parts,
    ) -> Result<Extent, CacheError> {
        record.rows = self.rows.write(rows).map_err(self.rows.io())?;
        let bytes = postcard::to_stdvec(parts).unwrap_or_default();
        record.parts = self.parts.write(&bytes).map_err(self.parts.io())?;
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

    /// The rows file with everything added so far and its path, for
    /// copying rows into `mentions/`.
    pub fn rows_file(&mut self) -> Result<(&File, PathBuf), CacheError> {
        self.rows.writer.flush().map_err(self.rows.io())?;
        Ok((&self.rows.file, rows_path(&self.out)))
    }

    /// Syncs the data files and writes the new index under a temporary
    /// name, taking the records this run kept from `previous`; this can be
    /// done while the reports are still being written. Nothing is in place
    /// until [`StagedCache::commit`], called after the reports are: a run
    /// killed before that leaves the previous index, which still describes
    /// the bytes it points at.
    pub fn stage(mut self, previous: PreviousCache) -> Result<StagedCache, CacheError> {
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
                    moved,
                } => {
                    let mut r = old[previous]
                        .take()
                        .unwrap_or_else(|| records[moved_to[previous]].clone());
                    moved_to[previous] = records.len();
                    r.fingerprint = fingerprint;
                    if let Some((rows, parts)) = moved {
                        r.rows = rows;
                        r.parts = parts;
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
            parts_len: self.parts.len,
            records,
            mentions: self.mentions,
        };
        self.rows.sync()?;
        self.parts.sync()?;
        let path = index_path(&self.out);
        let index = stage_index(&path, &index).map_err(|source| CacheError::Io { path, source })?;
        Ok(StagedCache {
            out: self.out,
            rows: self.rows,
            parts: self.parts,
            index,
        })
    }
}

/// The next cache written and synced, not in place yet: see
/// [`NextCache::stage`]. Dropped, it leaves the previous cache as it was.
pub struct StagedCache {
    out: PathBuf,
    rows: DataFile,
    parts: DataFile,
    index: crate::atomic::Staged,
}

impl StagedCache {
    /// Puts fresh data files and the index in place.
    pub fn commit(self) -> Result<(), CacheError> {
        self.rows.put_in_place()?;
        self.parts.put_in_place()?;
        let path = index_path(&self.out);
        self.index
            .commit()
            .map_err(|source| CacheError::Io { path, source })?;
        remove_old_versions(&self.out);
        Ok(())
    }
}

/// Writes the index beside `path`, synced, to be renamed into place:
/// magic, postcard body, then the xxh3-128 of both. It is encoded straight
/// into the file, hashed as it goes, since a large corpus makes it tens of
/// megabytes.
fn stage_index(path: &Path, index: &Index) -> std::io::Result<crate::atomic::Staged> {
    struct Digesting<'f> {
        file: &'f mut crate::atomic::StagingFile,
        hash: xxhash_rust::xxh3::Xxh3,
    }
    impl Write for Digesting<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.file.write(buf)?;
            self.hash.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.file.flush()
        }
    }
    let mut file = crate::atomic::StagingFile::create(path)?;
    let mut out = Digesting {
        file: &mut file,
        hash: xxhash_rust::xxh3::Xxh3::new(),
    };
    out.write_all(INDEX_MAGIC)?;
    postcard::to_io(index, &mut out).map_err(std::io::Error::other)?;
    let digest = out.hash.digest128();
    file.write_all(&digest.to_le_bytes())?;
    file.finish()
}

/// One of the two append-only data files being written.
struct DataFile {
    /// Writes go through the buffer; reads use `file` after a flush.
    writer: std::io::BufWriter<File>,
    file: File,
    len: u64,
    path: PathBuf,
    /// A fresh file under a temporary name, renamed over `path` at commit.
    fresh: Option<tempfile::TempPath>,
}

impl DataFile {
    fn append(path: &Path, len: u64) -> std::io::Result<DataFile> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        // Bytes past the recorded length are what a killed run appended.
        file.set_len(len)?;
        let mut writer = file.try_clone()?;
        writer.seek(SeekFrom::Start(len))?;
        Ok(DataFile {
            writer: std::io::BufWriter::with_capacity(1 << 20, writer),
            file,
            len,
            path: path.to_path_buf(),
            fresh: None,
        })
    }

    fn fresh(path: &Path, magic: &[u8; 8], generation: u64) -> std::io::Result<DataFile> {
        let (file, tmp_path) = crate::atomic::temp_beside(path)?.into_parts();
        let mut data = DataFile {
            writer: std::io::BufWriter::with_capacity(1 << 20, file.try_clone()?),
            file,
            len: 0,
            path: path.to_path_buf(),
            fresh: Some(tmp_path),
        };
        data.write(magic)?;
        data.write(&generation.to_le_bytes())?;
        Ok(data)
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<Extent> {
        self.writer.write_all(bytes)?;
        let extent = Extent {
            at: self.len,
            len: bytes.len() as u64,
            sum: xxh3_64(bytes),
        };
        self.len += bytes.len() as u64;
        Ok(extent)
    }

    fn io(&self) -> impl Fn(std::io::Error) -> CacheError + '_ {
        |source| CacheError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn sync(&mut self) -> Result<(), CacheError> {
        self.writer.flush().map_err(self.io())?;
        self.file.sync_all().map_err(self.io())
    }

    /// Puts a fresh file in place (after [`DataFile::sync`]).
    fn put_in_place(mut self) -> Result<(), CacheError> {
        if let Some(tmp) = self.fresh.take() {
            tmp.persist(&self.path).map_err(|e| CacheError::Io {
                path: self.path.clone(),
                source: e.error,
            })?;
        }
        Ok(())
    }
}

fn fresh_generation(previous: u64) -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let g = nanos ^ u64::from(std::process::id()).rotate_left(32);
    if g == previous {
        g.wrapping_add(1)
    } else {
        g
    }
}

/// A usable previous cache, as read.
struct Loaded {
    index: Index,
    rows: File,
    parts: File,
}

impl Loaded {
    /// `Ok(None)` when there is no cache; `Err` says why one is unusable.
    fn load(out: &Path, lexicon_hash: &str) -> Result<Option<Loaded>, String> {
        let path = index_path(out);
        let bytes = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: cannot read ({e})", path.display())),
            Ok(b) => b,
        };
        let index = Self::parse_index(&bytes, lexicon_hash)
            .map_err(|why| format!("{}: {why}", path.display()))?;
        let data = |path: PathBuf, magic: &[u8; 8], len: u64| -> Result<File, String> {
            let mut file = File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let actual = file
                .metadata()
                .map_err(|e| format!("{}: {e}", path.display()))?
                .len();
            if actual < len {
                return Err(format!(
                    "{}: cut short ({actual} bytes, the index expects {len})",
                    path.display()
                ));
            }
            let mut head = [0u8; DATA_HEADER as usize];
            file.read_exact(&mut head)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if &head[..8] != magic || head[8..] != index.generation.to_le_bytes() {
                return Err(format!(
                    "{}: not the file the index was written with",
                    path.display()
                ));
            }
            Ok(file)
        };
        let rows = data(rows_path(out), ROWS_MAGIC, index.rows_len)?;
        let parts = data(parts_path(out), PARTS_MAGIC, index.parts_len)?;
        Ok(Some(Loaded { index, rows, parts }))
    }

    fn parse_index(bytes: &[u8], lexicon_hash: &str) -> Result<Index, String> {
        let Some(body) = bytes.strip_prefix(INDEX_MAGIC.as_slice()) else {
            return Err("not a slant cache index".into());
        };
        if body.len() < 16 {
            return Err("cut short".into());
        }
        let (body, digest) = body.split_at(body.len() - 16);
        let mut expected = [0u8; 16];
        expected.copy_from_slice(digest);
        if xxh3_128(&bytes[..bytes.len() - 16]) != u128::from_le_bytes(expected) {
            return Err("digest does not match (cut short or corrupt)".into());
        }
        // The version comes first, so an index of another version is named
        // as such rather than as unreadable.
        let (version, _) =
            postcard::take_from_bytes::<u32>(body).map_err(|_| "unreadable".to_string())?;
        if version != CACHE_VERSION {
            return Err(format!("format v{version}, not v{CACHE_VERSION}"));
        }
        let index: Index = postcard::from_bytes(body).map_err(|e| format!("unreadable: {e}"))?;
        if index.slant != env!("CARGO_PKG_VERSION") {
            return Err(format!("written by slant {}", index.slant));
        }
        if index.lexicon != lexicon_hash {
            return Err("the lexicon changed".into());
        }
        let fits = |e: &Extent, len: u64| {
            e.at >= DATA_HEADER && e.at.checked_add(e.len).is_some_and(|end| end <= len)
        };
        if let Some(r) = index
            .records
            .iter()
            .find(|r| !fits(&r.rows, index.rows_len) || !fits(&r.parts, index.parts_len))
        {
            return Err(format!("record of {} points past the end", r.source));
        }
        Ok(index)
    }
}

/// Removes cache files of earlier format versions from `out`.
fn remove_old_versions(out: &Path) {
    let dir = cache_dir(out);
    for v in 1..CACHE_VERSION {
        let _ = std::fs::remove_file(dir.join(format!("analyses-v{v}.jsonl")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The index as [`NextCache::stage`] writes it.
    fn index_bytes(index: &Index) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        stage_index(&path, index).unwrap().commit().unwrap();
        std::fs::read(&path).unwrap()
    }

    fn index() -> Index {
        Index {
            version: CACHE_VERSION,
            slant: env!("CARGO_PKG_VERSION").into(),
            lexicon: "L".into(),
            generation: 7,
            rows_len: 100,
            parts_len: 100,
            records: vec![],
            mentions: vec![],
        }
    }

    #[test]
    fn foreign_and_corrupt_indexes_are_refused_with_a_reason() {
        let refuse = |bytes: &[u8]| Loaded::parse_index(bytes, "L").err().unwrap();
        assert!(refuse(b"").contains("not a slant"));
        assert!(refuse(b"hello world, this is text").contains("not a slant"));
        let good = index_bytes(&index());
        assert!(Loaded::parse_index(&good, "L").is_ok());
        assert!(Loaded::parse_index(&good, "M")
            .err()
            .unwrap()
            .contains("lexicon"));
        assert!(refuse(&good[..good.len() - 1]).contains("digest"));
        let mut flipped = good.clone();
        flipped[20] ^= 1;
        assert!(refuse(&flipped).contains("digest"));
        let old = index_bytes(&Index {
            version: 2,
            ..index()
        });
        assert!(refuse(&old).contains("v2"));
        let past = index_bytes(&Index {
            records: vec![Record {
                id: "a".into(),
                source: "o/a.txt".into(),
                fingerprint: None,
                content_hash: "h".into(),
                bytes: 1,
                lines: vec![],
                key: 1,
                rows: Extent {
                    at: 90,
                    len: 20,
                    sum: 0,
                },
                parts: Extent {
                    at: 16,
                    len: 1,
                    sum: 0,
                },
                part: None,
            }],
            ..index()
        });
        assert!(refuse(&past).contains("o/a.txt points past the end"));
    }

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
            parts: Extent::default(),
            part: None,
        }
    }

    #[test]
    fn kept_records_move_to_the_next_index_with_their_new_fingerprint_and_part() {
        let out = tempfile::tempdir().unwrap();
        let (previous, mut next) = open(out.path(), "L", false).unwrap();
        next.add(record("a"), b"rows of a", &Parts::default())
            .unwrap();
        next.set_mentions(&[], &[3]);
        next.stage(previous).unwrap().commit().unwrap();

        let (previous, mut next) = open(out.path(), "L", false).unwrap();
        assert_eq!(previous.len(), 1);
        let i = previous.lookup(42).unwrap();
        assert_eq!(previous.part(i), Some(3));
        let rows = previous.records[i].rows;
        let fingerprint = Some(Fingerprint {
            len: 3,
            modified_ns: 1,
            changed_ns: 2,
            inode: 3,
            device: 4,
        });
        // The same record kept twice is written twice, the second a copy.
        assert_eq!(next.keep(&previous, i, fingerprint).unwrap(), rows);
        assert_eq!(next.keep(&previous, i, None).unwrap(), rows);
        next.set_mentions(&[], &[5, 6]);
        next.stage(previous).unwrap().commit().unwrap();

        let (previous, _) = open(out.path(), "L", false).unwrap();
        let kept = &previous.records;
        assert_eq!(kept.len(), 2);
        assert_eq!(
            kept[0],
            Record {
                fingerprint,
                rows,
                parts: kept[0].parts,
                part: Some(5),
                ..record("a")
            }
        );
        assert_eq!(
            kept[1],
            Record {
                fingerprint: None,
                part: Some(6),
                ..kept[0].clone()
            }
        );
        assert_eq!(previous.parts(0).unwrap(), Parts::default());
    }
}
