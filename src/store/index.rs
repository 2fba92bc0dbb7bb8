//! The index: one record per article, read whole at the start of a run and
//! written whole, beside the data files, at its end.

use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::xxh3_128;

use super::{cache_dir, index_path, results_path, rows_path, Extent, CACHE_VERSION};
use crate::disk::FileStamp;
use crate::report::mentions::Part;
use crate::score::ArticlePartial;
use crate::text::LineKey;

const INDEX_MAGIC: &[u8; 16] = b"SLANT-ARTICLES\0\0";
pub(super) const ROWS_MAGIC: &[u8; 8] = b"SLANTRW\x07";
pub(super) const RESULTS_MAGIC: &[u8; 8] = b"SLANTRS\x07";
/// Magic and generation at the start of the rows and results files.
pub(super) const DATA_HEADER: u64 = 16;

/// One article of the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    /// [`crate::corpus::Article::source`].
    pub source: String,
    /// The file's stamp when it was read, if it had settled.
    pub fingerprint: Option<FileStamp>,
    pub content_hash: String,
    /// Bytes of decoded text.
    pub bytes: u64,
    /// [`crate::text::RepeatedLinesBuilder::keys`] of the text.
    pub lines: Vec<LineKey>,
    pub key: u128,
    pub rows: Extent,
    pub results: Extent,
    /// Its phrases ([`crate::text::phrases::ArticlePhrases`]), in the
    /// results file apart from the rest of its results: a rerun reads them
    /// only for the articles it takes out of discovery's counts.
    pub phrases: Extent,
    /// The part of the report's `mentions/` folder that holds its rows.
    pub part: Option<u32>,
}

/// What a record keeps besides its mention rows: everything else the run
/// takes from an article it does not analyse again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ArticleResults {
    /// The article's `articles.csv` row, where it is aside.
    pub article_row: crate::report::ArticleRow,
    pub partial: ArticlePartial,
    /// Sentiment cache keys of its scored mentions, so that the sentiment
    /// cache keeps them while the article is cached here.
    pub targets: Vec<[u8; 16]>,
    /// Its rows of `mentions/` that are no actor's.
    pub mentions: u64,
    /// Its rows of `mentions/` that are actors' (concept
    /// [`crate::analyze::ACTOR`]).
    pub actor_mentions: u64,
}

impl ArticleResults {
    /// Decodes results read back from the cache.
    pub fn decode(bytes: &[u8]) -> Option<ArticleResults> {
        postcard::from_bytes(bytes).ok()
    }
}

/// The index; `C` is discovery's cells, written by reference
/// ([`crate::discover::counts::SavedCells`]) and read back owned
/// ([`crate::discover::counts::LoadedCells`]).
#[derive(Serialize, Deserialize)]
pub(super) struct Index<C = Option<crate::discover::counts::LoadedCells>> {
    pub version: u32,
    pub slant: String,
    pub lexicon: String,
    pub generation: u64,
    pub rows_len: u64,
    pub results_len: u64,
    pub records: Vec<Record>,
    /// The parts of `mentions/` written with these records.
    pub mentions: Vec<Part>,
    /// Names of the phrases discovery counts (hash, surface form): those
    /// the records' results hold by hash only (see
    /// [`crate::text::phrases::ArticlePhrases`]).
    pub phrase_names: Vec<(u64, String)>,
    /// Discovery's counts over the records, `None` when the run kept none.
    pub cells: C,
}

/// Writes the index beside `path`, synced, to be renamed into place:
/// magic, postcard body, then the xxh3-128 of both. It is encoded straight
/// into the file, hashed as it goes, since a large corpus makes it tens of
/// megabytes.
pub(super) fn stage_index<C: Serialize>(
    path: &Path,
    index: &Index<C>,
) -> std::io::Result<crate::disk::atomic::Staged> {
    let mut file = crate::disk::atomic::StagingFile::create(path)?;
    let digest = encode_digested(&mut file, index)?;
    file.write_all(&digest.to_le_bytes())?;
    file.finish()
}

/// Writes the magic and the postcard body of `index` to `out`; returns the
/// xxh3-128 of what it wrote. A write that fails is reported as itself (a
/// full disk says so), not as the full buffer postcard makes of any error.
fn encode_digested<C: Serialize>(out: impl Write, index: &Index<C>) -> std::io::Result<u128> {
    struct Digesting<W> {
        out: W,
        hash: xxhash_rust::xxh3::Xxh3,
        failed: Option<std::io::Error>,
    }
    impl<W: Write> Write for Digesting<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = match self.out.write(buf) {
                Ok(n) => n,
                Err(e) => {
                    let kept = std::io::Error::new(e.kind(), e.to_string());
                    self.failed = Some(e);
                    return Err(kept);
                }
            };
            self.hash.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.out.flush()
        }
    }
    let mut out = Digesting {
        out,
        hash: xxhash_rust::xxh3::Xxh3::new(),
        failed: None,
    };
    out.write_all(INDEX_MAGIC)?;
    // postcard writes a field at a time, a few bytes each: gathered here,
    // the hash and the file see large writes.
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut out);
    let written = postcard::to_io(index, &mut buffered)
        .map(|_| ())
        .map_err(std::io::Error::other)
        .and_then(|()| buffered.flush());
    drop(buffered);
    if let Err(e) = written {
        return Err(out.failed.take().unwrap_or(e));
    }
    Ok(out.hash.digest128())
}

/// A usable previous cache, as read.
pub(super) struct Loaded {
    pub index: Index,
    pub rows: File,
    pub results: File,
}

impl Loaded {
    /// `Ok(None)` when there is no cache; `Err` says why one is unusable.
    pub(super) fn load(out: &Path, lexicon_hash: &str) -> Result<Option<Loaded>, String> {
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
        let results = data(results_path(out), RESULTS_MAGIC, index.results_len)?;
        Ok(Some(Loaded {
            index,
            rows,
            results,
        }))
    }

    pub(super) fn parse_index(bytes: &[u8], lexicon_hash: &str) -> Result<Index, String> {
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
        if let Some(r) = index.records.iter().find(|r| {
            !fits(&r.rows, index.rows_len)
                || !fits(&r.results, index.results_len)
                || !fits(&r.phrases, index.results_len)
        }) {
            return Err(format!("record of {} points past the end", r.source));
        }
        Ok(index)
    }
}

/// Removes cache files of earlier format versions from `out`.
pub(super) fn remove_old_versions(out: &Path) {
    let dir = cache_dir(out);
    for v in 1..CACHE_VERSION {
        let _ = std::fs::remove_file(dir.join(format!("analyses-v{v}.jsonl")));
        for ext in ["idx", "rows", "parts", "results"] {
            let _ = std::fs::remove_file(dir.join(format!("articles-v{v}.{ext}")));
        }
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
            results_len: 100,
            records: vec![],
            mentions: vec![],
            phrase_names: vec![],
            cells: None,
        }
    }

    #[test]
    fn a_failed_write_is_reported_as_itself() {
        /// Takes `room` bytes, then fails as a full disk does.
        struct Full {
            room: usize,
        }
        impl Write for Full {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.room == 0 {
                    return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
                }
                let n = buf.len().min(self.room);
                self.room -= n;
                Ok(n)
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        // Past the magic, inside postcard's body.
        let e = encode_digested(Full { room: 12 }, &index()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
        let e = encode_digested(Full { room: 0 }, &index()).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
        let room = INDEX_MAGIC.len() + 64;
        assert!(encode_digested(Full { room: room * 100 }, &index()).is_ok());
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
                results: Extent {
                    at: 16,
                    len: 1,
                    sum: 0,
                },
                phrases: Extent {
                    at: 17,
                    len: 1,
                    sum: 0,
                },
                part: None,
            }],
            ..index()
        });
        assert!(refuse(&past).contains("o/a.txt points past the end"));
    }
}
