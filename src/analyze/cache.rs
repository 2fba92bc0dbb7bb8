//! Analyses kept between runs, so a rerun on a growing corpus analyses only
//! new or changed articles.
//!
//! The cache lives in the output folder: `OUT/.slant-cache/analyses-v1.jsonl`
//! (sentiment results sit beside it, in the sentiment stage's own file keyed
//! by model hash, so changing the model never invalidates an analysis and
//! changing the lexicon never throws away a sentiment score).
//!
//! Format: JSON lines. The first line is a header
//! `{"format":"slant-analyses","version":1,"slant":…,"lexicon":…}`; each
//! further line is `{"key":…,"analysis":…}` with the analysis of one article,
//! sentiment left out. Entries are sorted by key so the same set of articles
//! gives the same file.
//!
//! An entry's key is a hash of everything the analysis depends on besides
//! the lexicon: the article's text, its outlet, and the outlet-wide repeated
//! lines that occur in it (a line that becomes repeated because a new article
//! repeats it changes what is boilerplate in the old ones). The lexicon and
//! slant's version are in the header: when either differs, every entry is
//! stale. A file that cannot be read, is not a cache, or is cut short is
//! reported and rebuilt, never trusted.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::ArticleAnalysis;
use crate::corpus::{sha256_hex, Article};
use crate::text::{boilerplate, RepeatedLines};

/// Version of the file format; bumped whenever [`ArticleAnalysis`] or the
/// key changes shape.
pub const ANALYSIS_CACHE_VERSION: u32 = 1;
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

#[derive(Serialize, Deserialize)]
struct Entry {
    key: String,
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

/// The analyses of the previous run.
#[derive(Debug, Default)]
pub struct AnalysisCache {
    entries: HashMap<String, ArticleAnalysis>,
    /// Article id → key it had, to tell "changed" from "new".
    ids: HashMap<String, String>,
}

impl AnalysisCache {
    fn path(out: &Path) -> PathBuf {
        cache_dir(out).join(format!("analyses-v{ANALYSIS_CACHE_VERSION}.jsonl"))
    }

    /// Reads the cache of `out` for `lexicon_hash`. A missing file is an
    /// empty cache; anything unusable is an empty cache plus a note saying why.
    pub fn load(out: &Path, lexicon_hash: &str) -> (AnalysisCache, Option<String>) {
        let path = Self::path(out);
        match std::fs::File::open(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (AnalysisCache::default(), None),
            Err(e) => (
                AnalysisCache::default(),
                Some(format!("{}: cannot read ({e}); rebuilding", path.display())),
            ),
            Ok(file) => match Self::read(BufReader::new(file), lexicon_hash) {
                Ok(cache) => (cache, None),
                Err(why) => (
                    AnalysisCache::default(),
                    Some(format!("{}: {why}; rebuilding", path.display())),
                ),
            },
        }
    }

    fn read(reader: impl BufRead, lexicon_hash: &str) -> Result<AnalysisCache, String> {
        let mut lines = reader.lines();
        let first = lines
            .next()
            .ok_or("empty file")?
            .map_err(|e| e.to_string())?;
        let header: Header =
            serde_json::from_str(&first).map_err(|_| "not a slant analysis cache".to_string())?;
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
        for (i, line) in lines.enumerate() {
            let line = line.map_err(|e| e.to_string())?;
            let entry: Entry = serde_json::from_str(&line)
                .map_err(|e| format!("corrupt at line {}: {e}", i + 2))?;
            cache
                .ids
                .insert(entry.analysis.id.0.clone(), entry.key.clone());
            cache.entries.insert(entry.key, entry.analysis);
        }
        Ok(cache)
    }

    /// The cached analysis of `article` under `key`, with the metadata the
    /// input gives now (a changed title or source is not a changed article).
    pub fn get(&self, key: &str, article: &Article) -> Option<ArticleAnalysis> {
        let cached = self.entries.get(key)?;
        let mut a = cached.clone();
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

/// Writes the analyses of this run as the cache for the next one.
pub fn save(
    out: &Path,
    lexicon_hash: &str,
    analyses: impl IntoIterator<Item = (String, ArticleAnalysis)>,
) -> Result<(), crate::report::ReportError> {
    let dir = cache_dir(out);
    std::fs::create_dir_all(&dir).map_err(|source| crate::report::ReportError::Io {
        path: dir.clone(),
        source,
    })?;
    let header = Header {
        format: FORMAT.into(),
        version: ANALYSIS_CACHE_VERSION,
        slant: env!("CARGO_PKG_VERSION").into(),
        lexicon: lexicon_hash.into(),
    };
    let sorted: BTreeMap<String, ArticleAnalysis> = analyses.into_iter().collect();
    let mut buf = serde_json::to_vec(&header).unwrap_or_default();
    buf.push(b'\n');
    for (key, mut analysis) in sorted {
        for m in &mut analysis.mentions {
            m.sentiment = None;
        }
        if let Ok(line) = serde_json::to_vec(&Entry { key, analysis }) {
            buf.extend(line);
            buf.push(b'\n');
        }
    }
    crate::report::write_atomic(&AnalysisCache::path(out), &buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_and_corrupt_files_are_refused_with_a_reason() {
        let refuse = |text: &str| AnalysisCache::read(text.as_bytes(), "L").unwrap_err();
        assert!(refuse("").contains("empty"));
        assert!(refuse("hello\n").contains("not a slant"));
        let header = format!(
            r#"{{"format":"slant-analyses","version":1,"slant":"{}","lexicon":"L"}}"#,
            env!("CARGO_PKG_VERSION")
        );
        assert!(AnalysisCache::read(header.as_bytes(), "L").is_ok());
        assert!(AnalysisCache::read(header.as_bytes(), "M")
            .unwrap_err()
            .contains("lexicon"));
        let cut = format!("{header}\n{{\"key\":\"k\",\"analysis\":{{\"id\":");
        assert!(AnalysisCache::read(cut.as_bytes(), "L")
            .unwrap_err()
            .contains("line 2"));
    }
}
