//! What slant keeps on disk between runs, so that a rerun on a corpus that
//! grew by 1 % reads, analyses and renders 1 % of it: per article, its
//! rendered report rows and its results (its `articles.csv` row, its share
//! of the outlet aggregates, its sentiment keys); the sentiment model's
//! results ([`sentiment`]); the phrase encoder's vectors of label
//! candidates ([`phrase_vectors`]); and the lock that keeps two runs out of one
//! output folder ([`lock`]).
//!
//! The narrow interface a run uses: [`open`] gives the previous run's
//! records ([`PreviousCache`]: look an article up by file stamp or key, read
//! its results) and this run's ([`NextCache`]: keep or add an article's
//! results); [`RowsFile`] copies rows into the report's files, checking each
//! against its checksum; [`NextCache::stage`] and [`StagedCache::commit`]
//! put the next cache in place. Anything found damaged is one error,
//! [`StoreError::Corrupt`], on which a run starts again without the cache.
//!
//! The cache lives in the output folder, `OUT/.slant-cache/`, in three files
//! (format version N = [`CACHE_VERSION`]) beside the sentiment results:
//!
//! ```text
//! articles-vN.idx    magic "SLANT-ARTICLES\0\0", a postcard body (slant
//!                    version, lexicon hash, generation, one Record per
//!                    article, the report's mention parts), xxh3-128 of
//!                    everything before it
//! articles-vN.rows   magic "SLANTRW\x07", generation (u64 LE), then each
//!                    article's mention rows, appended run after run
//! articles-vN.results  magic "SLANTRS\x07", generation, then each article's
//!                    articles.csv row, ArticlePartial and sentiment keys
//! ```
//!
//! A record names the article's file, its [`FileStamp`] when it was read,
//! its content hash and its line keys (what pass 1 needs to find repeated
//! lines without reading the file again), its key, where its rows and
//! results are, each with an xxh3-64 checksum, and which part of the report's
//! `mentions/` holds its rows (see [`crate::report::mentions`]: the index
//! also keeps each part's [`FileStamp`], so a rerun carries over the parts whose
//! articles did not change).
//!
//! An article is reused when its key matches: a hash of everything its rows
//! depend on besides the lexicon — outlet, text, the outlet-wide repeated
//! lines that occur in it (a line that becomes repeated because a new
//! article repeats it changes what is boilerplate in the old ones), its
//! metadata, its number of dropped copies and the sentiment model. Where
//! it is (its file, or a table's line) is not in the key: its
//! `articles.csv` row is kept without it and completed as it is written. The
//! lexicon and slant's version are in the index: when either differs, the
//! whole cache is stale. A file whose stamp matches its record is not
//! read in pass 1; one that matches nothing is read, hashed and analysed.
//!
//! Rows and results are append-only: a rerun adds the new articles' bytes at
//! the end and writes a new index, so its cost follows the new articles, not
//! the corpus. When more than half of the bytes belong to articles no
//! longer in the corpus, the run writes both files afresh (compaction).
//! Anything unusable — a missing or foreign file, a bad digest, a
//! generation mismatch, a short file — is reported and rebuilt; a checksum
//! that fails while the reports are written makes the run start again
//! without the cache. Nothing in it is trusted unchecked.

mod articles;
mod data;
mod index;
mod key;
pub mod lock;
pub mod phrase_vectors;
pub mod sentiment;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use articles::{open, NextCache, PreviousCache, StagedCache};
pub use data::{Extent, RowsFile};
pub use index::{ArticleResults, Record};
pub use key::key;
pub use lock::{LockError, OutLock};

/// Version of the cache files; bumped whenever a record, the results or
/// the key change shape, and whenever the analysis of an unchanged article
/// changes (11: the key and the cached `articles.csv` row leave out
/// where an article is; 12: an acronym joins the full name it spells; 13:
/// a middle initial is inside a name, a title with "of" outside it), so
/// that no run mixes results of two analyses.
pub const CACHE_VERSION: u32 = 13;

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

fn results_path(out: &Path) -> PathBuf {
    cache_dir(out).join(format!("articles-v{CACHE_VERSION}.results"))
}

/// What loading one of the store's files of model results (sentiment,
/// phrase vectors) found. Such a file is a cache in the plain sense: one
/// that is missing or unusable is started again empty, never an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLoad {
    /// No file yet (or, for phrase vectors, another encoder's): starting
    /// empty.
    Missing,
    /// Read `entries` entries.
    Loaded { entries: usize },
    /// The file was unusable and is ignored; it is replaced on save.
    Rebuilt { reason: String },
}

impl CacheLoad {
    /// The bytes of the file at `path`: [`CacheLoad::Missing`] when there
    /// is none, [`CacheLoad::Rebuilt`] naming it when it cannot be read.
    pub(crate) fn read(path: &Path) -> Result<Vec<u8>, CacheLoad> {
        std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CacheLoad::Missing,
            _ => CacheLoad::Rebuilt {
                reason: format!("{}: {e}", path.display()),
            },
        })
    }
}

/// What the store could not do. Its message names the file and says what
/// went wrong, once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cache: {path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// Damage found in the middle of a run (a checksum that does not match,
    /// a file cut short since it was opened): the run starts again without
    /// the cache, before any report is replaced.
    #[error("cache: {path}: {detail}")]
    Corrupt { path: PathBuf, detail: String },
}

impl StoreError {
    fn io(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
        move |error| StoreError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// The counts stderr and `run.json` report, e.g.
/// `412 articles: 5 new, 1 changed, 406 cached, 0 removed`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CacheCounts {
    pub new: usize,
    pub changed: usize,
    pub cached: usize,
    pub removed: usize,
    /// Articles whose phrases were read back from the cache: those taken
    /// out of discovery's kept counts (changed, moved to another group, or
    /// gone), or all cached ones when the previous run kept no counts.
    pub phrases_read: usize,
    /// Why the cache was not used, when it was not.
    pub note: Option<String>,
}
