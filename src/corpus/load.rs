//! Finding articles in the three input layouts and decoding them.
//!
//! Opening a corpus reads only the structure (manifest, folder listing,
//! table headers); article text is read lazily by [`Corpus::articles`], so a
//! large corpus streams through the pipeline instead of sitting in memory.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use super::{
    content_id, sha256_hex, Article, ArticleHead, ArticleId, Metadata, OutletId, MAX_ARTICLE_BYTES,
};
use crate::disk::FileStamp;

/// A problem that stops a run before any article is read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("{path}: no such file or folder")]
    NotFound { path: PathBuf },
    #[error("{path}: not a corpus: expected a folder, a .csv file or a .jsonl file")]
    UnknownKind { path: PathBuf },
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: missing required column `{column}` (found: {found})")]
    MissingColumn {
        path: PathBuf,
        column: &'static str,
        found: String,
    },
    #[error("{path}: a folder without manifest.csv must hold one sub-folder per outlet, with .txt articles in them; found none")]
    EmptyFolder { path: PathBuf },
}

/// An input that was passed over, and why. Skips never stop a run (unless
/// `--strict`), but they are always reported: on stderr and in `run.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skip {
    /// The file, or `FILE:LINE` for manifest and table rows.
    pub source: String,
    pub reason: String,
}

impl std::fmt::Display for Skip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.reason)
    }
}

/// Metadata the input gives about one article besides its text.
#[derive(Debug, Clone, Default)]
pub(super) struct Meta {
    pub(super) outlet: String,
    pub(super) outlet_name: Option<String>,
    pub(super) title: Option<String>,
    pub(super) published: Option<String>,
    pub(super) url: Option<String>,
    pub(super) id: Option<String>,
    /// The input's other columns, in its order.
    pub(super) metadata: Metadata,
}

/// The columns (manifest, CSV) and fields (JSONL) slant reads itself; any
/// other passes through as [`Article::metadata`].
pub(super) const KNOWN_COLUMNS: &[&str] = &[
    "file",
    "outlet",
    "outlet_name",
    "title",
    "published",
    "url",
    "id",
    "text",
];

#[derive(Debug)]
enum Item {
    /// An article stored in its own file.
    File { path: PathBuf, meta: Meta },
    /// A CSV or JSONL file with one article per record.
    Table { path: PathBuf, kind: TableKind },
    /// Found while opening, reported when iterating so it keeps its place.
    Skipped(Skip),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableKind {
    Csv,
    Jsonl,
}

/// A set of inputs, opened but not yet read.
///
/// ```no_run
/// use slant::corpus::Corpus;
/// let corpus = Corpus::open(&["data/sample".into()])?;
/// for article in corpus.articles() {
///     match article {
///         Ok(article) => println!("{} {}", article.outlet, article.id),
///         Err(skip) => eprintln!("skipped {skip}"),
///     }
/// }
/// # Ok::<(), slant::corpus::CorpusError>(())
/// ```
#[derive(Debug)]
pub struct Corpus {
    items: Vec<Item>,
    /// Notes about the structure that are not skips (unknown manifest columns).
    warnings: Vec<String>,
}

impl Corpus {
    /// Opens each input: a folder with `manifest.csv`, a folder of
    /// `OUTLET/ARTICLE.txt`, or a `.csv` / `.jsonl` table. Articles are
    /// named under each input as [`super::input_path`] spells it, so that
    /// `corpus`, `corpus/`, `./corpus` and the same folder by its full
    /// path give the same sources (and the same cache keys).
    pub fn open(inputs: &[PathBuf]) -> Result<Corpus, CorpusError> {
        let mut corpus = Corpus {
            items: Vec::new(),
            warnings: Vec::new(),
        };
        let cwd = std::env::current_dir().ok();
        for input in inputs {
            corpus.open_one(&super::input_path(input, cwd.as_deref()))?;
        }
        Ok(corpus)
    }

    /// Warnings about the inputs' structure, for stderr and `run.json`.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// How many entries [`Corpus::entries`] gives, when that is known
    /// without reading anything: no input is a table (a table's rows are
    /// counted only as they are read).
    pub fn known_len(&self) -> Option<usize> {
        let tables = self.items.iter().any(|i| matches!(i, Item::Table { .. }));
        (!tables).then_some(self.items.len())
    }

    /// Articles in input order (manifest order; folders and files sorted by
    /// name; table rows in file order), each either loaded or skipped.
    pub fn articles(&self) -> impl Iterator<Item = Result<Article, Skip>> + '_ {
        self.entries().map(Entry::read)
    }

    /// The same sequence as [`Corpus::articles`], with files not yet read:
    /// a caller that already knows a file's content (a rerun's cache) can
    /// check its [`FileStamp`] and skip reading it.
    pub fn entries(&self) -> impl Iterator<Item = Entry<'_>> + '_ {
        self.items
            .iter()
            .flat_map(|item| -> Box<dyn Iterator<Item = Entry<'_>> + '_> {
                match item {
                    Item::File { path, meta } => {
                        Box::new(std::iter::once(Entry::File(ArticleFile { path, meta })))
                    }
                    Item::Skipped(skip) => {
                        Box::new(std::iter::once(Entry::Loaded(Err(skip.clone()))))
                    }
                    Item::Table { path, kind } => match kind {
                        TableKind::Csv => {
                            Box::new(super::tables::csv_rows(path).map(Entry::Loaded))
                        }
                        TableKind::Jsonl => {
                            Box::new(super::tables::jsonl_rows(path).map(Entry::Loaded))
                        }
                    },
                }
            })
    }

    fn open_one(&mut self, input: &Path) -> Result<(), CorpusError> {
        let meta = std::fs::metadata(input).map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => CorpusError::NotFound {
                path: input.to_path_buf(),
            },
            _ => CorpusError::Io {
                path: input.to_path_buf(),
                error: source,
            },
        })?;
        if meta.is_dir() {
            let manifest = input.join("manifest.csv");
            if manifest.is_file() {
                self.open_manifest(input, &manifest)
            } else {
                self.open_folders(input)
            }
        } else {
            let ext = input
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let kind = match ext.as_deref() {
                Some("csv") => TableKind::Csv,
                Some("jsonl") | Some("ndjson") => TableKind::Jsonl,
                _ => {
                    return Err(CorpusError::UnknownKind {
                        path: input.to_path_buf(),
                    })
                }
            };
            if kind == TableKind::Csv {
                check_csv_header(input)?;
            }
            self.items.push(Item::Table {
                path: input.to_path_buf(),
                kind,
            });
            Ok(())
        }
    }

    fn open_manifest(&mut self, root: &Path, manifest: &Path) -> Result<(), CorpusError> {
        let mut reader = csv_reader(manifest)?;
        let header = header_map(&mut reader, manifest)?;
        let file_col = require(&header, manifest, "file")?;
        let outlet_col = require(&header, manifest, "outlet")?;
        let others = other_columns(&header);
        let mut lines = super::lines::RecordLines::open(manifest);
        for record in reader.records() {
            let record = record.map_err(|e| csv_error(manifest, e))?;
            let line = record.position().map_or(0, |p| lines.line(p));
            let source = format!("{}:{line}", manifest.display());
            let meta = row_meta(&header, &others, |i| record.get(i));
            let file = record.get(file_col).unwrap_or("").trim();
            let outlet = record.get(outlet_col).unwrap_or("").trim();
            let skip = |reason: String| {
                Item::Skipped(Skip {
                    source: source.clone(),
                    reason,
                })
            };
            if file.is_empty() {
                self.items.push(skip("empty `file` cell".into()));
            } else if outlet.is_empty() {
                self.items
                    .push(skip(format!("{file}: empty `outlet` cell")));
            } else if !stays_inside(Path::new(file)) {
                self.items.push(skip(format!(
                    "{file}: points outside the corpus folder (absolute or `..`); refused"
                )));
            } else {
                self.items.push(Item::File {
                    path: root.join(file),
                    meta,
                });
            }
        }
        Ok(())
    }

    fn open_folders(&mut self, root: &Path) -> Result<(), CorpusError> {
        let before = self.items.len();
        for entry in sorted_entries(root)? {
            let name = entry.file_name().map(|n| n.to_string_lossy().into_owned());
            let name = name.unwrap_or_default();
            if entry.is_dir() {
                let files = match sorted_entries(&entry) {
                    Ok(files) => files,
                    Err(CorpusError::Io { error: source, .. }) => {
                        self.items.push(Item::Skipped(Skip {
                            source: entry.display().to_string(),
                            reason: format!("outlet folder: {}", io_reason(&source)),
                        }));
                        continue;
                    }
                    Err(e) => return Err(e),
                };
                for file in files {
                    let is_txt = file
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
                    if file.is_file() && is_txt {
                        self.items.push(Item::File {
                            path: file,
                            meta: Meta {
                                outlet: name.clone(),
                                ..Meta::default()
                            },
                        });
                    } else {
                        // A broken link or a link loop cannot be stat'ed:
                        // say so rather than call it "not a .txt file".
                        let reason = match std::fs::metadata(&file) {
                            Err(e) => io_reason(&e),
                            Ok(m) if m.is_dir() => "a folder inside an outlet folder \
                                 (only OUTLET/ARTICLE.txt is read)"
                                .into(),
                            Ok(_) => "not a .txt file".into(),
                        };
                        self.items.push(Item::Skipped(Skip {
                            source: file.display().to_string(),
                            reason,
                        }));
                    }
                }
            } else {
                let reason = match std::fs::metadata(&entry) {
                    Err(e) => io_reason(&e),
                    Ok(_) => "not inside an outlet folder (expected OUTLET/ARTICLE.txt)".into(),
                };
                self.items.push(Item::Skipped(Skip {
                    source: entry.display().to_string(),
                    reason,
                }));
            }
        }
        let found = self.items[before..]
            .iter()
            .any(|i| matches!(i, Item::File { .. }));
        if !found {
            return Err(CorpusError::EmptyFolder {
                path: root.to_path_buf(),
            });
        }
        Ok(())
    }
}

fn stays_inside(path: &Path) -> bool {
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let io = |source| CorpusError::Io {
        path: dir.to_path_buf(),
        error: source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        out.push(entry.map_err(io)?.path());
    }
    out.sort();
    Ok(out)
}

pub(super) fn csv_reader(path: &Path) -> Result<csv::Reader<File>, CorpusError> {
    csv_reader_with(path, b',')
}

/// A strict reader (every row as wide as the header) of `path` with the
/// given field separator.
pub(super) fn csv_reader_with(
    path: &Path,
    delimiter: u8,
) -> Result<csv::Reader<File>, CorpusError> {
    let file = File::open(path).map_err(|source| CorpusError::Io {
        path: path.to_path_buf(),
        error: source,
    })?;
    Ok(csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(file))
}

pub(super) fn csv_error(path: &Path, err: csv::Error) -> CorpusError {
    let line = err
        .position()
        .map_or(0, |p| super::lines::RecordLines::open(path).line(p));
    let message = match err.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_string(),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("row has {len} fields, the header has {expected_len}"),
        _ => err.to_string(),
    };
    CorpusError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// Column name (lower-cased, trimmed, BOM removed) → index.
pub(super) fn header_map(
    reader: &mut csv::Reader<File>,
    path: &Path,
) -> Result<BTreeMap<String, usize>, CorpusError> {
    let header = reader.headers().map_err(|e| csv_error(path, e))?;
    Ok(header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_lowercase(), i))
        .collect())
}

pub(super) fn require(
    header: &BTreeMap<String, usize>,
    path: &Path,
    column: &'static str,
) -> Result<usize, CorpusError> {
    header
        .get(column)
        .copied()
        .ok_or_else(|| CorpusError::MissingColumn {
            path: path.to_path_buf(),
            column,
            found: header.keys().cloned().collect::<Vec<_>>().join(", "),
        })
}

fn check_csv_header(path: &Path) -> Result<(), CorpusError> {
    let mut reader = csv_reader(path)?;
    let header = header_map(&mut reader, path)?;
    require(&header, path, "outlet")?;
    require(&header, path, "text")?;
    Ok(())
}

/// The columns of a header that slant does not read itself, in the
/// header's order.
pub(super) fn other_columns(header: &BTreeMap<String, usize>) -> Vec<(String, usize)> {
    let mut others: Vec<(String, usize)> = header
        .iter()
        .filter(|(name, _)| !KNOWN_COLUMNS.contains(&name.as_str()))
        .map(|(name, &i)| (name.clone(), i))
        .collect();
    others.sort_by_key(|o| o.1);
    others
}

pub(super) fn row_meta<'a>(
    header: &BTreeMap<String, usize>,
    others: &[(String, usize)],
    get: impl Fn(usize) -> Option<&'a str>,
) -> Meta {
    let field = |name: &str| {
        header
            .get(name)
            .and_then(|&i| get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    Meta {
        outlet: field("outlet").unwrap_or_default(),
        outlet_name: field("outlet_name"),
        title: field("title"),
        published: field("published"),
        url: field("url"),
        id: field("id"),
        metadata: others
            .iter()
            .map(|(name, i)| {
                (
                    name.clone(),
                    get(*i).map(str::trim).unwrap_or("").to_string(),
                )
            })
            .collect(),
    }
}

fn load_file(path: &Path, meta: &Meta) -> Result<Article, Skip> {
    let source = path.display().to_string();
    let skip = |reason: String| Skip {
        source: source.clone(),
        reason,
    };
    let file = File::open(path).map_err(|e| skip(io_reason(&e)))?;
    let mut bytes = Vec::new();
    // Read one byte past the limit so an oversized file is refused without
    // reading all of it.
    file.take(MAX_ARTICLE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| skip(io_reason(&e)))?;
    let text = decode(&bytes).map_err(skip)?;
    Ok(article(text, meta.clone(), source))
}

/// One step of [`Corpus::entries`]: an article file not read yet, or a
/// table row (or skip) that came with the table.
// An entry is made, passed on and consumed one at a time, never stored in
// bulk: boxing the loaded article would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Entry<'a> {
    File(ArticleFile<'a>),
    Loaded(Result<Article, Skip>),
}

impl Entry<'_> {
    /// The article, reading its file if it is one.
    pub fn read(self) -> Result<Article, Skip> {
        match self {
            Entry::File(file) => file.read(),
            Entry::Loaded(item) => item,
        }
    }
}

/// An article stored in its own file, with the metadata the input gives.
#[derive(Debug, Clone, Copy)]
pub struct ArticleFile<'a> {
    path: &'a Path,
    meta: &'a Meta,
}

impl<'a> ArticleFile<'a> {
    /// The file's path as reports name it ([`Article::source`]).
    pub fn source(&self) -> String {
        self.path.display().to_string()
    }

    /// The outlet the input gives for the file.
    pub fn outlet(&self) -> &'a str {
        &self.meta.outlet
    }

    /// The input's other columns for the file ([`Article::metadata`]).
    pub fn metadata(&self) -> &'a Metadata {
        &self.meta.metadata
    }

    /// The id of the article the file holds when its text hashes to
    /// `content_hash`: the one the input gives, or one derived from outlet
    /// and content.
    pub fn id(&self, content_hash: &str) -> ArticleId {
        article_id(self.meta, content_hash)
    }

    /// The article this file holds, but its text, when the text is known
    /// to hash to `content_hash` and the article's id is `id` (from
    /// [`ArticleFile::id`]): what [`ArticleFile::read`] gives without
    /// reading the file.
    ///
    /// ```
    /// # use slant::corpus::{Corpus, Entry};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # std::fs::create_dir(dir.path().join("daily")).unwrap();
    /// # std::fs::write(dir.path().join("daily/a.txt"), "Text.").unwrap();
    /// let corpus = Corpus::open(&[dir.path().to_path_buf()]).unwrap();
    /// for entry in corpus.entries() {
    ///     let Entry::File(file) = entry else { continue };
    ///     let article = file.read().unwrap();
    ///     let id = file.id(&article.content_hash);
    ///     assert_eq!(file.head(&id.0, &article.content_hash), article.head());
    /// }
    /// ```
    pub fn head<'h>(&self, id: &'h str, content_hash: &'h str) -> ArticleHead<'h>
    where
        'a: 'h,
    {
        ArticleHead {
            outlet: &self.meta.outlet,
            content_hash,
            id,
            outlet_name: self.meta.outlet_name.as_deref(),
            title: self.meta.title.as_deref(),
            published: self.meta.published.as_deref(),
            url: self.meta.url.as_deref(),
        }
    }

    /// The file's current [`FileStamp`], or `None` when it cannot be
    /// stat'ed (reading it will say why).
    pub fn fingerprint(&self) -> Option<FileStamp> {
        std::fs::metadata(self.path).ok().map(|m| FileStamp::of(&m))
    }

    /// Reads and decodes the file.
    pub fn read(&self) -> Result<Article, Skip> {
        load_file(self.path, self.meta)
    }

    /// The article this file holds when its text is already known to hash
    /// to `content_hash` (from a run that read the same [`FileStamp`]):
    /// everything [`ArticleFile::read`] gives but the text, which is left
    /// empty. Only for callers that never analyse it.
    pub fn known(&self, content_hash: &str) -> Article {
        article_with_hash(
            String::new(),
            content_hash.to_string(),
            self.meta.clone(),
            self.source(),
        )
    }
}

pub(super) fn io_reason(err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::NotFound => "file not found".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => format!("cannot read: {err}"),
    }
}

/// Decodes an article's bytes, refusing what cannot be a text article.
///
/// A UTF-8 byte-order mark is dropped, so offsets count from the first
/// character of text.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    if bytes.len() > MAX_ARTICLE_BYTES {
        return Err(format!(
            "larger than the {} MB article limit",
            MAX_ARTICLE_BYTES / (1024 * 1024)
        ));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err("UTF-16 text; save it as UTF-8".into());
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        format!("not valid UTF-8 (line {line}, byte {at}); convert it to UTF-8")
    })?;
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(format!(
            "contains a NUL byte (line {line}); looks like a binary file"
        ));
    }
    if text.trim().is_empty() {
        return Err("empty article (no text)".into());
    }
    Ok(text.to_string())
}

pub(super) fn article(text: String, meta: Meta, source: String) -> Article {
    let content_hash = sha256_hex(text.as_bytes());
    article_with_hash(text, content_hash, meta, source)
}

/// The id the input gives, or one derived from outlet and content. A
/// derived id hashes the outlet too: the same wire story run by two outlets
/// is two articles and needs two ids.
fn article_id(meta: &Meta, content_hash: &str) -> ArticleId {
    match &meta.id {
        Some(id) => ArticleId(id.clone()),
        None => content_id(&sha256_hex(
            format!("{}\u{1f}{}", meta.outlet, content_hash).as_bytes(),
        )),
    }
}

fn article_with_hash(text: String, content_hash: String, meta: Meta, source: String) -> Article {
    Article {
        id: article_id(&meta, &content_hash),
        outlet: OutletId(meta.outlet),
        outlet_name: meta.outlet_name,
        title: meta.title,
        published: meta.published,
        url: meta.url,
        metadata: meta.metadata,
        source,
        text,
        content_hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, content: &[u8]) {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, content).unwrap();
    }

    fn collect(corpus: &Corpus) -> (Vec<Article>, Vec<Skip>) {
        let mut ok = Vec::new();
        let mut skipped = Vec::new();
        for a in corpus.articles() {
            match a {
                Ok(a) => ok.push(a),
                Err(s) => skipped.push(s),
            }
        }
        (ok, skipped)
    }

    #[test]
    fn manifest_reads_metadata_and_skips_bad_rows() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", b"Alpha text.");
        write(dir.path(), "b.txt", b"\xff\xfe bad");
        write(
            dir.path(),
            "manifest.csv",
            b"file,outlet,title,extra\na.txt,one,T1,x\nb.txt,two,T2,x\nmissing.txt,two,,x\n../x.txt,two,,x\n",
        );
        let corpus = Corpus::open(&[dir.path().to_path_buf()]).unwrap();
        assert!(corpus.warnings().is_empty(), "{:?}", corpus.warnings());
        let (ok, skipped) = collect(&corpus);
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].outlet.0, "one");
        assert_eq!(ok[0].title.as_deref(), Some("T1"));
        assert_eq!(ok[0].metadata, [("extra".to_string(), "x".to_string())]);
        assert_eq!(ok[0].id.0.len(), 16);
        assert_eq!(skipped.len(), 3, "{skipped:?}");
        assert!(skipped[0].reason.contains("UTF-16"), "{skipped:?}");
        assert!(skipped[1].reason.contains("not found"));
        assert!(skipped[2].source.ends_with("manifest.csv:5"), "{skipped:?}");
    }

    #[test]
    fn manifest_without_outlet_column_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "manifest.csv", b"file,source\na.txt,x\n");
        let err = Corpus::open(&[dir.path().to_path_buf()]).unwrap_err();
        assert!(err.to_string().contains("`outlet`"), "{err}");
    }

    #[test]
    fn folders_give_outlets_and_report_strays() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "east/1.txt", b"One.");
        write(dir.path(), "east/2.md", b"Two.");
        write(dir.path(), "west/1.txt", b"\xEF\xBB\xBFThree.");
        write(dir.path(), "stray.txt", b"Four.");
        let corpus = Corpus::open(&[dir.path().to_path_buf()]).unwrap();
        let (ok, skipped) = collect(&corpus);
        let outlets: Vec<_> = ok.iter().map(|a| a.outlet.0.as_str()).collect();
        assert_eq!(outlets, ["east", "west"]);
        assert_eq!(ok[1].text, "Three.", "BOM is dropped");
        assert_eq!(skipped.len(), 2);
    }

    #[test]
    fn csv_and_jsonl_rows_carry_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "t.csv",
            b"outlet,text,id\na,\"Line one.\nLine two.\",x1\nb,,x2\n",
        );
        write(
            dir.path(),
            "t.jsonl",
            b"{\"outlet\":\"a\",\"text\":\"Hi.\"}\nnot json\n\n{\"outlet\":\"b\"}\n",
        );
        let corpus = Corpus::open(&[dir.path().join("t.csv"), dir.path().join("t.jsonl")]).unwrap();
        let (ok, skipped) = collect(&corpus);
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].id.0, "x1");
        assert!(ok[0].source.ends_with("t.csv:2"));
        assert!(ok[1].source.ends_with("t.jsonl:1"));
        let sources: Vec<_> = skipped.iter().map(|s| s.source.clone()).collect();
        assert!(sources[0].ends_with("t.csv:4"), "{sources:?}");
        assert!(sources[1].ends_with("t.jsonl:2"));
        assert!(sources[2].ends_with("t.jsonl:4"));
    }

    #[test]
    fn csv_without_text_column_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "t.csv", b"outlet,body\na,b\n");
        let err = Corpus::open(&[dir.path().join("t.csv")]).unwrap_err();
        assert!(err.to_string().contains("`text`"), "{err}");
    }

    #[test]
    fn decode_refuses_what_is_not_an_article() {
        assert!(decode(b"").unwrap_err().contains("empty"));
        assert!(decode(b"  \n ").unwrap_err().contains("empty"));
        assert!(decode(b"a\nb\0c").unwrap_err().contains("line 2"));
        assert!(decode(b"ok\n\xc3\x28").unwrap_err().contains("line 2"));
        let big = vec![b'a'; MAX_ARTICLE_BYTES + 1];
        assert!(decode(&big).unwrap_err().contains("10 MB"));
        assert_eq!(decode(b"\xEF\xBB\xBFhi").unwrap(), "hi");
    }
}
