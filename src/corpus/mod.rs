//! The corpus stage: finding and loading articles, and reading the
//! labelled sentences slant is measured on ([`babe`]).

use serde::{Deserialize, Serialize};

/// An outlet's short id, as given in the manifest, folder name or `outlet` column.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OutletId(pub String);

// Maps keyed by outlet can be looked up by a `&str` without an allocation
// (the derived order and hash are the string's).
impl std::borrow::Borrow<str> for OutletId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OutletId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stable article id: the one the input gives, else derived from the content.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ArticleId(pub String);

impl std::fmt::Display for ArticleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub mod babe;
mod input;
mod lines;
mod load;
mod tables;

pub use input::input_path;
pub use load::{ArticleFile, Corpus, CorpusError, Entry, Skip};

/// Articles larger than this are skipped: they are almost always a scrape
/// gone wrong (a whole site in one file), and one would dominate an outlet.
pub const MAX_ARTICLE_BYTES: usize = 10 * 1024 * 1024;

/// One article, decoded and ready for the text stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: ArticleId,
    pub outlet: OutletId,
    /// The outlet's display name, when the input gives one.
    pub outlet_name: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub url: Option<String>,
    /// The input's other columns (a `group`, a `story`, …), lower-cased
    /// name and trimmed value, in the input's column order (JSONL: by
    /// name). They pass through to `articles.csv`; one of them can group
    /// the articles ([`Article::metadata_value`]).
    pub metadata: Metadata,
    /// Where the text came from: a file path, or `FILE:LINE` for CSV/JSONL rows.
    pub source: String,
    /// The decoded text (a leading byte-order mark removed). Every offset
    /// slant reports is a character offset into this string.
    pub text: String,
    /// SHA-256 of `text`, hex: the key for duplicates and the cache.
    pub content_hash: String,
}

/// Metadata columns of an article: (name, value) pairs.
pub type Metadata = Vec<(String, String)>;

/// The value of `column` in `metadata`, if it is there and not empty.
///
/// ```
/// let meta = vec![("group".to_string(), "left".to_string()), ("story".to_string(), "".to_string())];
/// assert_eq!(slant::corpus::metadata_value(&meta, "group"), Some("left"));
/// assert_eq!(slant::corpus::metadata_value(&meta, "story"), None);
/// ```
pub fn metadata_value<'m>(metadata: &'m [(String, String)], column: &str) -> Option<&'m str> {
    metadata
        .iter()
        .find(|(name, _)| name == column)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

impl Article {
    /// The value of a metadata column ([`metadata_value`]).
    pub fn metadata_value(&self, column: &str) -> Option<&str> {
        metadata_value(&self.metadata, column)
    }

    /// Everything about the article but its text and its source, borrowed.
    pub fn head(&self) -> ArticleHead<'_> {
        ArticleHead {
            outlet: &self.outlet.0,
            content_hash: &self.content_hash,
            id: &self.id.0,
            outlet_name: self.outlet_name.as_deref(),
            title: self.title.as_deref(),
            published: self.published.as_deref(),
            url: self.url.as_deref(),
        }
    }
}

/// An [`Article`] without its text and without where it is (its source),
/// borrowed from wherever its parts are held: what a rerun needs of an
/// article it does not read ([`Article::head`], [`ArticleFile::head`]), and
/// what its cache key is made of ([`crate::store::key`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ArticleHead<'a> {
    pub outlet: &'a str,
    pub content_hash: &'a str,
    pub id: &'a str,
    pub outlet_name: Option<&'a str>,
    pub title: Option<&'a str>,
    pub published: Option<&'a str>,
    pub url: Option<&'a str>,
}

/// Hex SHA-256 of some bytes.
///
/// ```
/// assert_eq!(&slant::corpus::sha256_hex(b"")[..8], "e3b0c442");
/// ```
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(data))
}

/// The id of an article whose input gives none: the first 16 hex digits of
/// a hash of its outlet and content, so the same article gets the same id on
/// every run.
pub fn content_id(content_hash: &str) -> ArticleId {
    ArticleId(content_hash.chars().take(16).collect())
}
