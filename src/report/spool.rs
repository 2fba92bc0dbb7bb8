//! Articles in, report files out: the spool takes each article's rendered
//! rows as it comes, then stages `mentions/` and `articles.csv` and puts
//! every report in place at once.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::actors::stage_actors;
use super::discovery::{stage_divergence, stage_keyness, stage_labels};
use super::tables::{
    article_fields, csv_rows, header, mention_fields, stage_concepts, stage_outlets, ArticleRow,
    ARTICLES_COLUMNS, GROUPS_FIRST_COLUMNS, MENTIONS_COLUMNS, URL_COLUMN,
};
use super::timeline::stage_timeline;
use super::{io_error, mentions, CsvOptions, ReportError};
use crate::analyze::ArticleAnalysis;
use crate::discover::DiscoveryTables;
use crate::disk::FileStamp;
use crate::score::Tables;

/// Where the mention rows the report copies come from. The report does not
/// know how a source keeps them: it asks for the rows of a list of
/// articles, in order, and writes them out.
pub trait RowSource: Sync {
    /// How the source finds one article's rows.
    type Rows: Send + Sync;
    /// What reading can go wrong with (damage, I/O), passed to the caller
    /// untouched.
    type Error: std::error::Error + Send;
    /// The bytes of an article's rows (parts are bounded in bytes).
    fn len(rows: &Self::Rows) -> u64;
    /// Appends the rows of each of `list`, in order, to `buf`.
    fn read(&self, list: &[&Self::Rows], buf: &mut Vec<u8>) -> Result<(), Self::Error>;
}

/// Rows held in memory: an article's rows are a byte range of the buffer.
/// For tests and small tools; a run's rows are in the store.
pub struct MemoryRows(pub Vec<u8>);

impl RowSource for MemoryRows {
    type Rows = std::ops::Range<u64>;
    type Error = std::io::Error;

    fn len(rows: &Self::Rows) -> u64 {
        rows.end.saturating_sub(rows.start)
    }

    fn read(&self, list: &[&Self::Rows], buf: &mut Vec<u8>) -> Result<(), std::io::Error> {
        for r in list {
            let bytes = usize::try_from(r.start)
                .ok()
                .zip(usize::try_from(r.end).ok())
                .and_then(|(a, b)| self.0.get(a..b))
                .ok_or_else(|| std::io::Error::other("rows past the end of the buffer"))?;
            buf.extend_from_slice(bytes);
        }
        Ok(())
    }
}

/// What staging the reports can fail with: the report's own error, or the
/// row source's, kept apart so the caller can tell damage in its store from
/// a full disk.
#[derive(Debug, thiserror::Error)]
pub enum StageError<E: std::error::Error + 'static> {
    #[error(transparent)]
    Report(#[from] ReportError),
    #[error(transparent)]
    Rows(E),
}

/// The rows of one article with `duplicates` dropped copies, rendered
/// apart from the spool so that many can be rendered in parallel. Its
/// mentions and its actors' mentions are one list of evidence rows, in
/// the order of their offsets.
pub fn render(a: &ArticleAnalysis, duplicates: usize) -> RenderedArticle {
    let mut rows: Vec<&crate::Mention> = a.mentions.iter().chain(&a.actors).collect();
    rows.sort_by(|x, y| (x.span, &x.concept).cmp(&(y.span, &y.concept)));
    RenderedArticle {
        mention_rows: csv_rows(rows.into_iter().map(mention_fields)),
        article_row: ArticleRow::of(article_fields(a, duplicates)),
    }
}

/// Builds the mention parts (see [`mentions`]) and `articles.csv` from
/// articles that arrive one at a time, in any order, without keeping their
/// mentions: each article's mention rows are already in a [`RowSource`]
/// (the store's rows file, in a run), and [`Spool::stage`] copies them into
/// the parts. Memory holds one small record per article, whatever the
/// number of mentions.
///
/// ```
/// use slant::corpus::{sha256_hex, Article, ArticleId, OutletId};
/// use slant::report::{render, CsvOptions, MemoryRows, Spool, SpoolEntry};
/// let out = tempfile::tempdir()?;
/// let text = "The occupation forces left.\n";
/// let article = Article {
///     id: ArticleId("1".into()),
///     outlet: OutletId("o".into()),
///     outlet_name: None,
///     title: Some("One".into()),
///     published: None,
///     url: None,
///     metadata: Vec::new(),
///     source: "o/1.txt".into(),
///     text: text.into(),
///     content_hash: sha256_hex(text.as_bytes()),
/// };
/// let matcher = slant::lexicon::Lexicon::embedded().compile_for(text.len())?;
/// let empty = slant::text::RepeatedLines::empty();
/// let analysis = slant::analyze::analyze_article(&article, &empty, &matcher);
/// let rendered = render(&analysis, 0);
/// let rows = MemoryRows(rendered.mention_rows.clone());
/// let mut spool = Spool::new(CsvOptions::default());
/// spool.add(SpoolEntry {
///     outlet: "o".into(),
///     id: "1".into(),
///     rows: 0..rows.0.len() as u64,
///     mentions: analysis.mentions.len() as u64,
///     part: None,
///     article_row: rendered.article_row,
///     source: article.source.clone(),
///     url: Some("https://example.org/1".into()),
///     metadata: vec![("group".into(), "left".into())],
/// });
/// let staged = spool.stage(out.path(), &rows, &[])?;
/// assert_eq!(staged.parts().len(), 1);
/// let mut ready = staged.stage_tables(
///     out.path(),
///     &slant::score::Tables::default(),
///     &slant::discover::DiscoveryTables::default(),
///     &[],
/// )?;
/// // The page is built from the staged files and put in place with them.
/// let page = ready.render_html("group", None)?;
/// ready.add(page);
/// // Nothing is in place before the commit.
/// assert!(!out.path().join("articles.csv").exists());
/// ready.commit()?;
/// let part = std::fs::read(out.path().join("mentions/part-00001.csv"))?;
/// assert!(part.ends_with(&rendered.mention_rows));
/// let articles = std::fs::read_to_string(out.path().join("articles.csv"))?;
/// assert!(articles.lines().next().unwrap().ends_with(",content_sha256,url,group"));
/// assert!(articles.ends_with(",https://example.org/1,left\n"));
/// // The page is written with the rest (here of empty tables: no figure).
/// let page = std::fs::read_to_string(out.path().join("report.html"))?;
/// assert!(page.starts_with("<!DOCTYPE html>") && page.contains("0 outlets"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Spool<R> {
    options: CsvOptions,
    entries: Vec<SpoolEntry<R>>,
}

/// One article's report rows, from [`render`].
pub struct RenderedArticle {
    pub mention_rows: Vec<u8>,
    pub article_row: ArticleRow,
}

/// An article for the [`Spool`], its rows known by `R`, the
/// [`RowSource::Rows`] of the source they will be copied from.
pub struct SpoolEntry<R> {
    pub outlet: String,
    pub id: String,
    /// Where the source has its mention rows.
    pub rows: R,
    /// How many rows that is.
    pub mentions: u64,
    /// The part of `mentions/` that held its rows after the previous run,
    /// if it is unchanged since.
    pub part: Option<u32>,
    pub article_row: ArticleRow,
    /// [`crate::corpus::Article::source`], as this run names it: put into
    /// the row as it is written.
    pub source: String,
    /// [`crate::corpus::Article::url`]: added to the cached `article_row`
    /// here, so that a cached row needs no change to carry it.
    pub url: Option<String>,
    /// The input's other columns ([`crate::corpus::Article::metadata`]):
    /// `articles.csv` gets a column for each name any article has, after
    /// its own columns, in the order they are first met.
    pub metadata: Vec<(String, String)>,
}

impl<R> SpoolEntry<R> {
    /// Where the entry goes in the reports: by outlet, then article id.
    pub(super) fn report_key(&self) -> (&str, &str) {
        (&self.outlet, &self.id)
    }
}

impl<R: Send + Sync> Spool<R> {
    pub fn new(options: CsvOptions) -> Spool<R> {
        Spool {
            options,
            entries: Vec::new(),
        }
    }

    pub fn add(&mut self, entry: SpoolEntry<R>) {
        self.entries.push(entry);
    }

    /// Writes `mentions/` and `articles.csv` into `out` under temporary
    /// names, copying mention rows from `source` and carrying over the `previous` run's parts that did not
    /// change. No table is needed yet, so the tables can be computed
    /// meanwhile; [`StagedReports::finish`] adds them and puts everything in
    /// place. Everything is staged before anything replaces its predecessor
    /// (see [`crate::disk::atomic`]), so a failure (a full disk, a rows checksum
    /// that does not match) leaves the previous reports as they were, and
    /// the window in which a kill could mix old and new files is a few
    /// renames.
    pub fn stage<S: RowSource<Rows = R>>(
        self,
        out: &Path,
        source: &S,
        previous: &[mentions::Part],
    ) -> Result<StagedReports, StageError<S::Error>> {
        let options = self.options;
        let entries = self.entries;
        let dir = out.join(mentions::DIR);
        let intact = |p: &mentions::Part| {
            FileStamp::of_path(&dir.join(mentions::part_name(p.number)))
                .is_some_and(|now| now.same_linked_file(&p.stamp))
        };
        let limits = mentions::Limits {
            bytes: mentions::PART_BYTES,
            rows: options.part_rows.max(1),
        };
        let planned = mentions::plan::<S>(&entries, previous, &intact, options.excel_bom, limits);
        let (parts_dir, parts) = mentions::stage(
            out,
            &planned,
            &entries,
            source,
            &header(options, MENTIONS_COLUMNS),
            options
                .excel_bom
                .then(|| super::columns::kinds(mentions::DIR, MENTIONS_COLUMNS))
                .as_deref(),
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
        let mut articles = crate::disk::atomic::StagingFile::create(&articles_path)
            .map_err(io_error(&articles_path))?;
        let mut extra: Vec<&str> = Vec::new();
        for e in &entries {
            for (name, _) in &e.metadata {
                // Names a column of its own would hide (an `outlet` the
                // input also gives) are left out, not written twice.
                if !extra.contains(&name.as_str())
                    && !ARTICLES_COLUMNS.contains(&name.as_str())
                    && name != URL_COLUMN
                {
                    extra.push(name);
                }
            }
        }
        let mut columns = ARTICLES_COLUMNS.to_vec();
        columns.push(URL_COLUMN);
        columns.extend(&extra);
        articles
            .write_all(&header(options, &columns))
            .map_err(io_error(&articles_path))?;
        // With `--excel`, the rows (cached unguarded) are guarded as they
        // are written, so a rerun with or without the flag writes what a
        // run from scratch with it writes.
        let kinds = options
            .excel_bom
            .then(|| super::columns::kinds("articles", &columns));
        let mut row = Vec::new();
        for &i in &order {
            let e = &entries[i];
            row.clear();
            e.article_row.write_with(&e.source, &mut row);
            if row.last() == Some(&b'\n') {
                row.pop();
                row.push(b',');
                let url = e.url.clone().unwrap_or_default();
                let cells = extra.iter().map(|name| {
                    crate::corpus::metadata_value(&e.metadata, name)
                        .unwrap_or_default()
                        .to_string()
                });
                row.extend(csv_rows([std::iter::once(url)
                    .chain(cells)
                    .collect::<Vec<_>>()]));
            }
            if let Some(kinds) = &kinds {
                row = super::guard::guard_rows(&row, kinds);
            }
            articles.write_all(&row).map_err(io_error(&articles_path))?;
        }
        Ok(StagedReports {
            options,
            parts_dir,
            articles: articles.finish().map_err(io_error(&articles_path))?,
            mention_rows: entries.iter().map(|e| e.mentions).sum(),
            parts,
            part_of,
        })
    }
}

/// `mentions/` and `articles.csv` under temporary names, from
/// [`Spool::stage`]; dropped, they are removed.
pub struct StagedReports {
    options: CsvOptions,
    parts_dir: crate::disk::atomic::StagedDir,
    articles: crate::disk::atomic::Staged,
    parts: Vec<mentions::Part>,
    part_of: Vec<u32>,
    /// Rows of the staged `mentions/`, headers aside.
    mention_rows: u64,
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

    /// `articles.csv` and `mentions/` as staged, under their final names,
    /// for the workbook's sheets that need no table
    /// ([`super::xlsx::begin_workbook`]).
    pub fn staging(&self) -> super::xlsx::Staging {
        super::xlsx::Staging {
            files: vec![(
                self.articles.path().to_path_buf(),
                self.articles.staged_path().to_path_buf(),
            )],
            mentions: Some(self.parts_dir.path().to_path_buf()),
            mention_rows: Some(self.mention_rows),
        }
    }

    /// Stages the tables beside `mentions/` and `articles.csv`. Nothing is
    /// in place until [`ReadyReports::commit`]; the page and the workbook
    /// are built from the staged files ([`ReadyReports::render_html`],
    /// [`ReadyReports::staging`]) and added to them.
    pub fn stage_tables(
        self,
        out: &Path,
        tables: &Tables,
        discovery: &DiscoveryTables,
        sentiment_concepts: &[String],
    ) -> Result<ReadyReports, ReportError> {
        let StagedReports {
            options,
            parts_dir,
            articles,
            mention_rows,
            ..
        } = self;
        let outlets = stage_outlets(
            &out.join("outlets.csv"),
            &tables.outlets,
            sentiment_concepts,
            options,
            ["outlet", "outlet_name"],
        )?;
        let groups = stage_outlets(
            &out.join("groups.csv"),
            &tables.groups,
            sentiment_concepts,
            options,
            GROUPS_FIRST_COLUMNS,
        )?;
        let concepts = stage_concepts(&out.join("concepts.csv"), &tables.concepts, options)?;
        let keyness = stage_keyness(&out.join("keyness.csv"), &discovery.keyness, options)?;
        let labels = stage_labels(&out.join("labels.csv"), &discovery.labels.rows, options)?;
        let divergence =
            stage_divergence(&out.join("divergence.csv"), &discovery.divergence, options)?;
        let timeline = stage_timeline(&out.join("timeline.csv"), &tables.timeline, options)?;
        let actors = stage_actors(&out.join(super::actors::FILE), &tables.actors, options)?;
        let files = vec![
            outlets, groups, concepts, keyness, labels, divergence, timeline, actors, articles,
        ];
        Ok(ReadyReports {
            out: out.to_path_buf(),
            parts_dir,
            mention_rows,
            files,
        })
    }
}

/// Every report of a run staged beside its final name, ready to be put in
/// place together by [`ReadyReports::commit`]; dropped, they are removed
/// and the folder keeps the previous run's reports.
pub struct ReadyReports {
    out: PathBuf,
    parts_dir: crate::disk::atomic::StagedDir,
    mention_rows: u64,
    files: Vec<crate::disk::atomic::Staged>,
}

impl ReadyReports {
    /// The staged files under their final names, for a report built from
    /// them (the workbook).
    pub fn staging(&self) -> super::xlsx::Staging {
        super::xlsx::Staging {
            files: self
                .files
                .iter()
                .map(|f| (f.path().to_path_buf(), f.staged_path().to_path_buf()))
                .collect(),
            mentions: Some(self.parts_dir.path().to_path_buf()),
            mention_rows: Some(self.mention_rows),
        }
    }

    /// Renders `report.html` from the staged files (see [`super::html`];
    /// articles grouped by `group_column`; the parts' evidence samples kept
    /// in `evidence_cache`) and stages it, for [`ReadyReports::add`].
    pub fn render_html(
        &self,
        group_column: &str,
        evidence_cache: Option<&Path>,
    ) -> Result<crate::disk::atomic::Staged, ReportError> {
        let staging = self.staging();
        let read = |name: &str| staging.read_path(&self.out.join(name)).to_path_buf();
        let sources = super::html::Sources {
            outlets: read("outlets.csv"),
            groups: read("groups.csv"),
            concepts: read("concepts.csv"),
            articles: read("articles.csv"),
            keyness: read("keyness.csv"),
            labels: read("labels.csv"),
            divergence: read("divergence.csv"),
            timeline: read("timeline.csv"),
            actors: read(super::actors::FILE),
            mentions: self.parts_dir.path().to_path_buf(),
            group_column: group_column.to_string(),
            evidence_cache: evidence_cache.map(Path::to_path_buf),
        };
        // An error names the file as the user knows it, not its staged name.
        let page = super::html::render(&sources).map_err(|e| {
            self.files
                .iter()
                .fold(e, |e, f| e.renamed(f.staged_path(), f.path()))
        })?;
        let html_path = self.out.join(super::html::FILE);
        crate::disk::atomic::stage(&html_path, page.as_bytes()).map_err(io_error(&html_path))
    }

    /// Adds a staged file (the page, the workbook) to those put in place.
    pub fn add(&mut self, file: crate::disk::atomic::Staged) {
        self.files.push(file);
    }

    /// Puts every report in place, one rename after another with nothing
    /// computed between them, and returns what the user should know (a file
    /// of an earlier layout removed).
    pub fn commit(self) -> Result<Vec<String>, ReportError> {
        let dir = self.out.join(mentions::DIR);
        self.parts_dir.commit().map_err(io_error(&dir))?;
        for file in self.files {
            let path = file.path().to_path_buf();
            file.commit().map_err(io_error(&path))?;
        }
        let mut notes = Vec::new();
        let old = self.out.join("mentions.csv");
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
