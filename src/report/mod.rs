//! The report stage: CSV files and `run.json`.
//!
//! Every file is UTF-8, RFC 4180 (comma, `"` quoting, CRLF-free `\n` rows),
//! `.` decimals with a fixed number of places, a header row, and a stable
//! row order, so that the same input gives byte-identical files. Each file is
//! written to a temporary name and renamed into place, and the folder of
//! mention parts ([`mentions`]) is replaced as a whole: a run killed midway
//! leaves the previous reports intact.

pub mod diff;
pub mod mentions;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analyze::ArticleAnalysis;
use crate::atomic::Staged;
use crate::score::{ConceptRow, Estimate, OutletRow, Tables};

/// Decimal places for rates, shares and means.
const PLACES: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: cannot write report: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: the output path exists and is not a folder")]
    NotADirectory { path: PathBuf },
    /// The run cache's rows are damaged; the caller runs again without it.
    #[error("{path}: {detail}")]
    CorruptRows { path: PathBuf, detail: String },
}

/// Options for the CSV files.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    /// Start each file with a UTF-8 byte-order mark, so Excel opens it as
    /// UTF-8 rather than the system code page.
    pub excel_bom: bool,
    /// Most mention rows in one part of `mentions/` (see [`mentions`]).
    pub part_rows: u64,
}

impl Default for CsvOptions {
    fn default() -> CsvOptions {
        CsvOptions {
            excel_bom: false,
            part_rows: mentions::DEFAULT_PART_ROWS,
        }
    }
}

/// Creates the output folder (and parents), refusing a path that is a file,
/// and removes the temporary files a killed run may have left in it.
pub fn prepare_out_dir(out: &Path) -> Result<(), ReportError> {
    if out.exists() && !out.is_dir() {
        return Err(ReportError::NotADirectory {
            path: out.to_path_buf(),
        });
    }
    std::fs::create_dir_all(out).map_err(io_error(out))?;
    crate::atomic::remove_leftovers(out);
    Ok(())
}

/// Writes `bytes` to `path` atomically (see [`crate::atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::atomic::write(path, bytes).map_err(io_error(path))
}

/// Turns an I/O error on `path` into a [`ReportError`].
pub(crate) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ReportError {
    let path = path.to_path_buf();
    move |source| ReportError::Io {
        path: path.clone(),
        source,
    }
}

/// A CSV document built in memory, then written atomically.
struct Doc {
    writer: csv::Writer<Vec<u8>>,
}

impl Doc {
    fn new(options: CsvOptions, header: &[&str]) -> Doc {
        let mut buf = Vec::new();
        if options.excel_bom {
            buf.extend_from_slice(b"\xEF\xBB\xBF");
        }
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(buf);
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(header);
        Doc { writer }
    }

    fn row(&mut self, fields: Vec<String>) {
        let _ = self.writer.write_record(&fields);
    }

    fn save(self, path: &Path) -> Result<(), ReportError> {
        self.stage(path)?.commit().map_err(io_error(path))
    }

    /// Writes the document to its temporary file, not yet in place.
    fn stage(self, path: &Path) -> Result<Staged, ReportError> {
        let io = io_error(path);
        let bytes = self
            .writer
            .into_inner()
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        crate::atomic::stage(path, &bytes).map_err(io)
    }
}

pub(crate) fn num(value: Option<f64>) -> String {
    match value {
        // -0.0000 would read as a sign where there is none.
        Some(v) if v.is_finite() => {
            let s = format!("{v:.PLACES$}");
            if s.trim_start_matches('-')
                .chars()
                .all(|c| c == '0' || c == '.')
            {
                s.trim_start_matches('-').to_string()
            } else {
                s
            }
        }
        _ => String::new(),
    }
}

fn num32(value: Option<f32>) -> String {
    num(value.map(f64::from))
}

fn ci(e: &Estimate) -> [String; 2] {
    [num(e.ci.map(|c| c.0)), num(e.ci.map(|c| c.1))]
}

/// `outlets.csv` columns; sentiment columns per concept follow these.
pub const OUTLETS_COLUMNS: &[&str] = &[
    "outlet",
    "outlet_name",
    "articles",
    "duplicates",
    "words",
    "words_own",
    "words_quoted",
    "words_attributed",
    "mentions_own",
    "mentions_quoted",
    "mentions_attributed",
    "loaded_per_1k_own",
    "loaded_per_1k_own_ci_low",
    "loaded_per_1k_own_ci_high",
    "loaded_per_1k_quoted",
    "distancing_own",
    "negated_own",
    "top_terms_own",
];

fn stage_outlets(
    path: &Path,
    rows: &[OutletRow],
    sentiment_concepts: &[String],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut header: Vec<String> = OUTLETS_COLUMNS.iter().map(|s| s.to_string()).collect();
    for c in sentiment_concepts {
        header.push(format!("sentiment_own_{c}"));
        header.push(format!("sentiment_own_{c}_n"));
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut doc = Doc::new(options, &header_refs);
    for r in rows {
        let mut fields = vec![
            r.outlet.0.clone(),
            r.outlet_name.clone(),
            r.articles.to_string(),
            r.duplicates.to_string(),
            r.words.to_string(),
            r.words_own.to_string(),
            r.words_quoted.to_string(),
            r.words_attributed.to_string(),
            r.mentions_own.to_string(),
            r.mentions_quoted.to_string(),
            r.mentions_attributed.to_string(),
            num(r.loaded_per_1k_own.value),
        ];
        fields.extend(ci(&r.loaded_per_1k_own));
        fields.push(num(r.loaded_per_1k_quoted));
        fields.push(r.distancing_own.to_string());
        fields.push(r.negated_own.to_string());
        fields.push(
            r.top_terms_own
                .iter()
                .map(|(t, n)| format!("{t} ({n})"))
                .collect::<Vec<_>>()
                .join("; "),
        );
        for c in sentiment_concepts {
            let e = r
                .sentiment_own_by_concept
                .iter()
                .find(|(k, _)| k == c)
                .map(|(_, e)| *e)
                .unwrap_or_default();
            fields.push(num(e.value));
            fields.push(e.n.to_string());
        }
        doc.row(fields);
    }
    doc.stage(path)
}

pub const CONCEPTS_COLUMNS: &[&str] = &[
    "outlet",
    "concept",
    "label",
    "loaded",
    "direction",
    "mentions_own",
    "mentions_all",
    "share_own",
    "share_own_ci_low",
    "share_own_ci_high",
    "direction_mean_own",
    "sentiment_own_mean",
    "sentiment_own_ci_low",
    "sentiment_own_ci_high",
    "sentiment_own_n",
];

fn stage_concepts(
    path: &Path,
    rows: &[ConceptRow],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, CONCEPTS_COLUMNS);
    for r in rows {
        let mut fields = vec![
            r.outlet.0.clone(),
            r.concept.clone(),
            r.label.clone(),
            num32(r.loaded),
            num32(r.direction),
            r.mentions_own.to_string(),
            r.mentions_all.to_string(),
            num(r.share_own.value),
        ];
        fields.extend(ci(&r.share_own));
        fields.push(num(r.direction_mean_own));
        fields.push(num(r.sentiment_own.value));
        fields.extend(ci(&r.sentiment_own));
        fields.push(r.sentiment_own.n.to_string());
        doc.row(fields);
    }
    doc.stage(path)
}

pub const MENTIONS_COLUMNS: &[&str] = &[
    "article_id",
    "outlet",
    "sentence_index",
    "start",
    "end",
    "surface",
    "term",
    "concept",
    "label",
    "loaded",
    "direction",
    "voice",
    "speaker",
    "distancing",
    "negated",
    "sentence",
    "sentiment_label",
    "sentiment_neg",
    "sentiment_neu",
    "sentiment_pos",
];

/// The row of a mention in `mentions/`.
fn mention_fields(m: &crate::Mention) -> Vec<String> {
    let s = m.sentiment.as_ref();
    let prob = |i: usize| num(s.map(|s| f64::from(s.probs[i])));
    vec![
        m.article_id.0.clone(),
        m.outlet.0.clone(),
        m.sentence_index.to_string(),
        m.span.start.to_string(),
        m.span.end.to_string(),
        m.surface.clone(),
        m.term.clone(),
        m.concept.clone(),
        m.label.clone(),
        num32(Some(m.loaded)),
        num32(Some(m.direction)),
        m.voice.to_string(),
        m.speaker.clone().unwrap_or_default(),
        m.distancing.to_string(),
        m.negated.to_string(),
        m.sentence.clone(),
        s.map(|s| s.label.as_str().to_string()).unwrap_or_default(),
        prob(0),
        prob(1),
        prob(2),
    ]
}

pub const ARTICLES_COLUMNS: &[&str] = &[
    "article_id",
    "outlet",
    "title",
    "published",
    "source",
    "words",
    "words_own",
    "sentences",
    "mentions_own",
    "mentions_all",
    "loaded_per_1k_own",
    "boilerplate_removed",
    "duplicates",
    "content_sha256",
];

/// The `articles.csv` row of an article with `duplicates` dropped copies.
fn article_fields(a: &ArticleAnalysis, duplicates: usize) -> Vec<String> {
    let own: Vec<_> = a
        .mentions
        .iter()
        .filter(|m| m.voice == crate::Voice::Own)
        .collect();
    let loaded: f64 = own.iter().map(|m| f64::from(m.loaded)).sum();
    let words_own = a.words_by_voice[0];
    vec![
        a.id.0.clone(),
        a.outlet.0.clone(),
        a.title.clone().unwrap_or_default(),
        a.published.clone().unwrap_or_default(),
        a.source.clone(),
        a.words.to_string(),
        words_own.to_string(),
        a.sentences.to_string(),
        own.len().to_string(),
        a.mentions.len().to_string(),
        num((words_own > 0).then(|| loaded * 1000.0 / words_own as f64)),
        a.boilerplate_removed.to_string(),
        duplicates.to_string(),
        a.content_hash.clone(),
    ]
}

/// CSV rows without a header, as `Doc` writes them.
fn csv_rows(rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// Builds the mention parts (see [`mentions`]) and `articles.csv` from
/// articles that arrive one at a time, in any order, without keeping their
/// mentions: each article's mention rows are already in a rows file (the
/// run cache's, see `crate::pipeline::cache`), and [`Spool::stage`] copies
/// them into the parts. Memory holds one small record per article, whatever
/// the number of mentions.
///
/// ```
/// # use slant::report::{CsvOptions, Spool};
/// let out = tempfile::tempdir()?;
/// let rows = tempfile::tempfile()?;
/// let spool = Spool::new(CsvOptions::default());
/// // spool.add(SpoolEntry { .. }) per article, then:
/// let staged = spool.stage(out.path(), (&rows, out.path()), &[])?;
/// assert!(staged.parts().is_empty());
/// let tables = slant::score::Tables::default();
/// staged.finish(out.path(), &tables, &[])?;
/// assert!(out.path().join("articles.csv").exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Spool {
    options: CsvOptions,
    entries: Vec<SpoolEntry>,
}

/// One article's report rows, rendered apart from the spool so that many
/// can be rendered in parallel.
pub struct RenderedArticle {
    pub mention_rows: Vec<u8>,
    pub article_row: Vec<u8>,
}

/// An article for the [`Spool`].
pub struct SpoolEntry {
    pub outlet: String,
    pub id: String,
    /// Its mention rows in the rows file.
    pub rows: Extent,
    /// How many rows that is.
    pub mentions: u64,
    /// The part of `mentions/` that held its rows after the previous run,
    /// if it is unchanged since.
    pub part: Option<u32>,
    pub article_row: Vec<u8>,
}

impl SpoolEntry {
    /// Where the entry goes in the reports: by outlet, then article id.
    fn report_key(&self) -> (&str, &str) {
        (&self.outlet, &self.id)
    }
}

impl Spool {
    pub fn new(options: CsvOptions) -> Spool {
        Spool {
            options,
            entries: Vec::new(),
        }
    }

    /// The rows of one article with `duplicates` dropped copies.
    pub fn render(a: &ArticleAnalysis, duplicates: usize) -> RenderedArticle {
        RenderedArticle {
            mention_rows: csv_rows(a.mentions.iter().map(mention_fields)),
            article_row: csv_rows([article_fields(a, duplicates)]),
        }
    }

    pub fn add(&mut self, entry: SpoolEntry) {
        self.entries.push(entry);
    }

    /// Writes `mentions/` and `articles.csv` into `out` under temporary
    /// names, copying mention rows from `rows` (the file and its name, for
    /// messages) and carrying over the `previous` run's parts that did not
    /// change. No table is needed yet, so the tables can be computed
    /// meanwhile; [`StagedReports::finish`] adds them and puts everything in
    /// place. Everything is staged before anything replaces its predecessor
    /// (see [`crate::atomic`]), so a failure (a full disk, a rows checksum
    /// that does not match) leaves the previous reports as they were, and
    /// the window in which a kill could mix old and new files is a few
    /// renames.
    pub fn stage(
        self,
        out: &Path,
        rows: (&std::fs::File, &Path),
        previous: &[mentions::Part],
    ) -> Result<StagedReports, ReportError> {
        let options = self.options;
        let entries = self.entries;
        let dir = out.join(mentions::DIR);
        let intact = |p: &mentions::Part| {
            mentions::Stamp::of(&dir.join(mentions::part_name(p.number))) == Some(p.stamp)
        };
        let limits = mentions::Limits {
            bytes: mentions::PART_BYTES,
            rows: options.part_rows.max(1),
        };
        let planned = mentions::plan(&entries, previous, &intact, options.excel_bom, limits);
        let (parts_dir, parts) = mentions::stage(
            out,
            &planned,
            &entries,
            rows,
            &header(options, MENTIONS_COLUMNS),
            options.excel_bom,
        )?;
        let mut part_of = vec![0; entries.len()];
        for p in &planned {
            for &i in &p.entries {
                part_of[i] = p.number;
            }
        }

        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| entries[i].report_key());
        let articles_path = out.join("articles.csv");
        let mut articles =
            crate::atomic::StagingFile::create(&articles_path).map_err(io_error(&articles_path))?;
        articles
            .write_all(&header(options, ARTICLES_COLUMNS))
            .map_err(io_error(&articles_path))?;
        for &i in &order {
            articles
                .write_all(&entries[i].article_row)
                .map_err(io_error(&articles_path))?;
        }
        Ok(StagedReports {
            options,
            parts_dir,
            articles: articles.finish().map_err(io_error(&articles_path))?,
            parts,
            part_of,
        })
    }
}

/// `mentions/` and `articles.csv` under temporary names, from
/// [`Spool::stage`]; dropped, they are removed.
pub struct StagedReports {
    options: CsvOptions,
    parts_dir: crate::atomic::StagedDir,
    articles: crate::atomic::Staged,
    parts: Vec<mentions::Part>,
    part_of: Vec<u32>,
}

impl StagedReports {
    /// The parts of `mentions/` as staged, for the next run's
    /// [`Spool::stage`].
    pub fn parts(&self) -> &[mentions::Part] {
        &self.parts
    }

    /// The part of each article, in the order they were added.
    pub fn part_of(&self) -> &[u32] {
        &self.part_of
    }

    /// Writes the tables and puts every report in place. Returns what the
    /// user should know (a file of an earlier layout removed).
    pub fn finish(
        self,
        out: &Path,
        tables: &Tables,
        sentiment_concepts: &[String],
    ) -> Result<Vec<String>, ReportError> {
        let StagedReports {
            options,
            parts_dir,
            articles,
            ..
        } = self;
        let dir = out.join(mentions::DIR);
        let staged = [
            stage_outlets(
                &out.join("outlets.csv"),
                &tables.outlets,
                sentiment_concepts,
                options,
            )?,
            stage_concepts(&out.join("concepts.csv"), &tables.concepts, options)?,
            articles,
        ];
        parts_dir.commit().map_err(io_error(&dir))?;
        for file in staged {
            let path = file.path().to_path_buf();
            file.commit().map_err(io_error(&path))?;
        }
        let mut notes = Vec::new();
        let old = out.join("mentions.csv");
        if old.is_file() && std::fs::remove_file(&old).is_ok() {
            notes.push(format!(
                "removed {}: an earlier slant wrote all mentions there; they are now in {}/",
                old.display(),
                dir.display()
            ));
        }
        Ok(notes)
    }
}

/// Where an article's bytes are in a rows file (or the run cache's parts
/// file), with the xxh3-64 checksum they must have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extent {
    pub at: u64,
    pub len: u64,
    /// xxh3-64 of the bytes.
    pub sum: u64,
}

/// Reads `buf.len()` bytes at `at` without moving a shared cursor.
pub(crate) fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(buf)
    }
}

/// The first bytes of a CSV file: the optional BOM and the header row.
fn header(options: CsvOptions, columns: &[&str]) -> Vec<u8> {
    let doc = Doc::new(options, columns);
    doc.writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_fixed_and_unsigned_at_zero() {
        assert_eq!(num(Some(1.0 / 3.0)), "0.3333");
        assert_eq!(num(Some(-0.00001)), "0.0000");
        assert_eq!(num(Some(-0.5)), "-0.5000");
        assert_eq!(num(None), "");
        assert_eq!(num(Some(f64::NAN)), "");
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn out_dir_that_is_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, b"").unwrap();
        assert!(matches!(
            prepare_out_dir(&file),
            Err(ReportError::NotADirectory { .. })
        ));
    }
}
