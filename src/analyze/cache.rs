//! Analyses kept between runs, so a rerun on a growing corpus analyses only
//! new or changed articles.
//!
//! The cache lives in the output folder: `OUT/.slant-cache/analyses-v2.jsonl`
//! (sentiment results sit beside it, in the sentiment stage's own file keyed
//! by model hash, so changing the model never invalidates an analysis and
//! changing the lexicon never throws away a sentiment score).
//!
//! Format: JSON lines. The first line is a header
//! `{"format":"slant-analyses","version":2,"slant":…,"lexicon":…}`; each
//! further line is `{"key":…,"id":…,"analysis":…}` with the analysis of one
//! article, sentiment left out, in the order the run read the articles.
//! A run reads only the keys and ids up front and each reused analysis when
//! it needs it, so the cache costs memory per article, not per mention.
//!
//! An entry's key is a hash of everything the analysis depends on besides
//! the lexicon: the article's text, its outlet, and the outlet-wide repeated
//! lines that occur in it (a line that becomes repeated because a new article
//! repeats it changes what is boilerplate in the old ones). The lexicon and
//! slant's version are in the header: when either differs, every entry is
//! stale. A file that cannot be read, is not a cache, or has a malformed
//! entry is reported and rebuilt, never trusted.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::ArticleAnalysis;
use crate::corpus::{sha256_hex, Article};
use crate::text::{boilerplate, RepeatedLines};

/// Version of the file format; bumped whenever [`ArticleAnalysis`] or the
/// key changes shape.
pub const ANALYSIS_CACHE_VERSION: u32 = 2;
const FORMAT: &str = "slant-analyses";

/// The cache folder inside an output folder.
pub fn cache_dir(out: &Path) -> PathBuf {
    out.join(".slant-cache")
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Header {
    format: String,
    version: u32,
    slant: String,
    lexicon: String,
}

#[derive(Serialize)]
struct Entry<'a> {
    key: &'a str,
    id: &'a str,
    analysis: &'a ArticleAnalysis,
}

/// An entry without its analysis, read when the cache is opened.
#[derive(Deserialize)]
struct EntryHead {
    key: String,
    id: String,
    #[allow(dead_code)]
    analysis: serde::de::IgnoredAny,
}

#[derive(Deserialize)]
struct EntryBody {
    analysis: ArticleAnalysis,
}

/// How an article's analysis was obtained on this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// First time this article id is seen.
    New,
    /// The id was analysed before, with other content or context.
    Changed,
    /// Reused from the cache.
    Cached,
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

/// The analyses of the previous run: an index of the cache file, read on
/// demand.
#[derive(Debug, Default)]
pub struct AnalysisCache {
    file: Option<Mutex<std::fs::File>>,
    /// Key → byte range of its line.
    entries: HashMap<String, (u64, usize)>,
    /// Article id → key it had, to tell "changed" from "new".
    ids: HashMap<String, String>,
}

impl AnalysisCache {
    fn path(out: &Path) -> PathBuf {
        cache_dir(out).join(format!("analyses-v{ANALYSIS_CACHE_VERSION}.jsonl"))
    }

    /// Opens the cache of `out` for `lexicon_hash`. A missing file is an
    /// empty cache; anything unusable is an empty cache plus a note saying why.
    pub fn load(out: &Path, lexicon_hash: &str) -> (AnalysisCache, Option<String>) {
        let path = Self::path(out);
        let opened = std::fs::File::open(&path).and_then(|f| Ok((f.try_clone()?, f)));
        match opened {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (AnalysisCache::default(), None),
            Err(e) => (
                AnalysisCache::default(),
                Some(format!("{}: cannot read ({e}); rebuilding", path.display())),
            ),
            Ok((scan, file)) => match Self::index(BufReader::new(scan), lexicon_hash) {
                Ok(mut cache) => {
                    cache.file = Some(Mutex::new(file));
                    (cache, None)
                }
                Err(why) => (
                    AnalysisCache::default(),
                    Some(format!("{}: {why}; rebuilding", path.display())),
                ),
            },
        }
    }

    fn index(mut reader: impl BufRead, lexicon_hash: &str) -> Result<AnalysisCache, String> {
        let mut line = String::new();
        let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("empty file".into());
        }
        let header: Header = serde_json::from_str(line.trim_end())
            .map_err(|_| "not a slant analysis cache".to_string())?;
        if header.format != FORMAT || header.version != ANALYSIS_CACHE_VERSION {
            return Err(format!(
                "cache format {} v{} is not {FORMAT} v{ANALYSIS_CACHE_VERSION}",
                header.format, header.version
            ));
        }
        if header.slant != env!("CARGO_PKG_VERSION") {
            return Err(format!("written by slant {}", header.slant));
        }
        if header.lexicon != lexicon_hash {
            return Err("the lexicon changed".into());
        }
        let mut cache = AnalysisCache::default();
        let mut offset = n as u64;
        for number in 2.. {
            line.clear();
            let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            if !line.ends_with('\n') {
                return Err(format!("cut short at line {number}"));
            }
            let head: EntryHead = serde_json::from_str(&line)
                .map_err(|e| format!("corrupt at line {number}: {e}"))?;
            cache.ids.insert(head.id, head.key.clone());
            cache.entries.insert(head.key, (offset, n));
            offset += n as u64;
        }
        Ok(cache)
    }

    /// The cached analysis of `article` under `key`, with the metadata the
    /// input gives now (a changed title or source is not a changed article).
    /// An entry that cannot be read back is a miss.
    pub fn get(&self, key: &str, article: &Article) -> Option<ArticleAnalysis> {
        let &(offset, len) = self.entries.get(key)?;
        let mut line = vec![0; len];
        {
            let mut file = self.file.as_ref()?.lock().ok()?;
            file.seek(SeekFrom::Start(offset)).ok()?;
            file.read_exact(&mut line).ok()?;
        }
        let mut a = serde_json::from_slice::<EntryBody>(&line).ok()?.analysis;
        a.id = article.id.clone();
        a.outlet_name = article.outlet_name.clone();
        a.title = article.title.clone();
        a.published = article.published.clone();
        a.source = article.source.clone();
        for m in &mut a.mentions {
            m.article_id = article.id.clone();
        }
        Some(a)
    }

    /// New or changed, for an article that missed the cache.
    pub fn miss_kind(&self, article: &Article) -> Freshness {
        if self.ids.contains_key(&article.id.0) {
            Freshness::Changed
        } else {
            Freshness::New
        }
    }

    /// Entries of the previous run whose article id is not in `seen`.
    pub fn removed(&self, seen: &std::collections::HashSet<String>) -> usize {
        self.ids.keys().filter(|id| !seen.contains(*id)).count()
    }
}

/// The key of an article's analysis: its outlet, text and the repeated lines
/// of its outlet that occur in it.
pub fn key(article: &Article, repeated: &RepeatedLines) -> String {
    let mut material = String::with_capacity(128);
    material.push_str(&article.outlet.0);
    material.push('\u{1f}');
    material.push_str(&article.content_hash);
    for line in boilerplate::lines(&article.text) {
        let line = &article.text[line];
        if repeated.contains(line) {
            material.push('\u{1f}');
            material.push_str(line);
        }
    }
    sha256_hex(material.as_bytes())
}

/// Writes this run's analyses, one at a time, as the cache for the next
/// run. Nothing replaces the previous cache until [`CacheWriter::finish`]'s
/// result is committed.
pub struct CacheWriter {
    file: crate::atomic::StagingFile,
    path: PathBuf,
}

impl CacheWriter {
    pub fn create(
        out: &Path,
        lexicon_hash: &str,
    ) -> Result<CacheWriter, crate::report::ReportError> {
        let path = AnalysisCache::path(out);
        let io = |source| crate::report::ReportError::Io {
            path: path.clone(),
            source,
        };
        let mut file = crate::atomic::StagingFile::create(&path).map_err(io)?;
        let header = Header {
            format: FORMAT.into(),
            version: ANALYSIS_CACHE_VERSION,
            slant: env!("CARGO_PKG_VERSION").into(),
            lexicon: lexicon_hash.into(),
        };
        let mut line = serde_json::to_vec(&header).unwrap_or_default();
        line.push(b'\n');
        file.write_all(&line).map_err(io)?;
        Ok(CacheWriter { file, path })
    }

    /// One entry's line (sentiment is not stored), rendered apart from the
    /// writer so that many can be rendered in parallel and added in order.
    pub fn render(key: &str, analysis: &ArticleAnalysis) -> Vec<u8> {
        let entry = Entry {
            key,
            id: &analysis.id.0,
            analysis,
        };
        // Serialising plain data to a Vec cannot fail.
        let mut line = serde_json::to_vec(&entry).unwrap_or_default();
        line.push(b'\n');
        line
    }

    /// Adds a line rendered by [`CacheWriter::render`].
    pub fn add(&mut self, line: &[u8]) -> Result<(), crate::report::ReportError> {
        self.file
            .write_all(line)
            .map_err(|source| crate::report::ReportError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// The finished cache file, to commit once the reports are in place.
    pub fn finish(self) -> Result<crate::atomic::Staged, crate::report::ReportError> {
        let path = self.path;
        self.file
            .finish()
            .map_err(|source| crate::report::ReportError::Io { path, source })
    }
}

/// Removes cache files of earlier format versions from `out`.
pub fn remove_old_versions(out: &Path) {
    for v in 1..ANALYSIS_CACHE_VERSION {
        let _ = std::fs::remove_file(cache_dir(out).join(format!("analyses-v{v}.jsonl")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_and_corrupt_files_are_refused_with_a_reason() {
        let refuse = |text: &str| AnalysisCache::index(text.as_bytes(), "L").unwrap_err();
        assert!(refuse("").contains("empty"));
        assert!(refuse("hello\n").contains("not a slant"));
        let header = format!(
            r#"{{"format":"slant-analyses","version":2,"slant":"{}","lexicon":"L"}}"#,
            env!("CARGO_PKG_VERSION")
        );
        assert!(AnalysisCache::index(header.as_bytes(), "L").is_ok());
        assert!(AnalysisCache::index(header.as_bytes(), "M")
            .unwrap_err()
            .contains("lexicon"));
        let old = header.replace("\"version\":2", "\"version\":1");
        assert!(refuse(&old).contains("v1"));
        let cut = format!("{header}\n{{\"key\":\"k\",\"id\":\"a\",\"analysis\":{{\"id\":");
        assert!(refuse(&cut).contains("line 2"));
        let bad = format!("{header}\n{{\"key\":\"k\"}}\n");
        assert!(refuse(&bad).contains("corrupt at line 2"));
    }
}
