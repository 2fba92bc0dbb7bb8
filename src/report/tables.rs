//! The CSV tables: `outlets.csv` and `concepts.csv` from the run's
//! [`crate::score::Tables`], and the rows of `articles.csv` and `mentions/` rendered
//! per article.

use std::path::Path;

use super::{io_error, num, CsvOptions, ReportError};
use crate::analyze::ArticleAnalysis;
use crate::disk::atomic::Staged;
use crate::score::{ConceptRow, Estimate, OutletRow};

/// A CSV document built in memory, then written atomically. With
/// `--excel` its text cells are guarded ([`super::guard`]) as it is staged,
/// by the kinds of the columns of the table its path names
/// ([`super::columns`]).
pub(super) struct Doc {
    options: CsvOptions,
    header: Vec<String>,
    rows: csv::Writer<Vec<u8>>,
}

impl Doc {
    pub(super) fn new(options: CsvOptions, header: &[&str]) -> Doc {
        Doc {
            options,
            header: header.iter().map(|h| h.to_string()).collect(),
            rows: csv_writer(Vec::new()),
        }
    }

    pub(super) fn row(&mut self, fields: Vec<String>) {
        // Writing to a Vec cannot fail.
        let _ = self.rows.write_record(&fields);
    }

    pub(super) fn save(self, path: &Path) -> Result<(), ReportError> {
        self.stage(path)?.commit().map_err(io_error(path))
    }

    /// Writes the document to its temporary file, not yet in place.
    pub(super) fn stage(self, path: &Path) -> Result<Staged, ReportError> {
        let io = io_error(path);
        let rows = self
            .rows
            .into_inner()
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
        let names: Vec<&str> = self.header.iter().map(String::as_str).collect();
        let mut bytes = header(self.options, &names);
        if self.options.excel_bom {
            let kinds = super::columns::kinds(super::columns::table_of(path), &names);
            bytes.extend(super::guard::guard_rows(&rows, &kinds));
        } else {
            bytes.extend(rows);
        }
        crate::disk::atomic::stage(path, &bytes).map_err(io)
    }
}

/// The CSV writer of every report: RFC 4180 with `\n` row ends.
pub(super) fn csv_writer<W: std::io::Write>(to: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .has_headers(false)
        .from_writer(to)
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
    "loaded_per_1k_own_story",
    "loaded_per_1k_own_story_ci_low",
    "loaded_per_1k_own_story_ci_high",
    "loaded_per_1k_own_general",
    "loaded_per_1k_own_general_ci_low",
    "loaded_per_1k_own_general_ci_high",
    "loaded_per_1k_own_detector",
    "loaded_per_1k_own_detector_ci_low",
    "loaded_per_1k_own_detector_ci_high",
    "loaded_per_1k_quoted",
    "distancing_own",
    "negated_own",
    "top_terms_own",
];

/// `groups.csv` columns: those of `outlets.csv` with these two first.
pub const GROUPS_FIRST_COLUMNS: [&str; 2] = ["group", "outlets"];

/// `outlets.csv`, or with `first` = [`GROUPS_FIRST_COLUMNS`] `groups.csv`.
pub(super) fn stage_outlets(
    path: &Path,
    rows: &[OutletRow],
    sentiment_concepts: &[String],
    options: CsvOptions,
    first: [&str; 2],
) -> Result<Staged, ReportError> {
    let mut header: Vec<String> = OUTLETS_COLUMNS.iter().map(|s| s.to_string()).collect();
    header[0] = first[0].to_string();
    header[1] = first[1].to_string();
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
        for layer in &r.loaded_per_1k_own_by_layer {
            fields.push(num(layer.value));
            fields.extend(ci(layer));
        }
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

pub(super) fn stage_concepts(
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
    "layer",
    "source",
    "model_prob",
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

/// The `layer` of a mention's row: an actor's is `actor`, found by the
/// text stage rather than any layer of loaded language.
fn layer_of(m: &crate::Mention) -> &'static str {
    if m.concept == crate::analyze::ACTOR {
        crate::analyze::ACTOR
    } else {
        m.layer.as_str()
    }
}

/// The `source` of a mention's row: an actor's is `text`.
fn source_of(m: &crate::Mention) -> &'static str {
    if m.concept == crate::analyze::ACTOR {
        "text"
    } else {
        m.layer.source()
    }
}

/// The row of a mention in `mentions/`.
pub(super) fn mention_fields(m: &crate::Mention) -> Vec<String> {
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
        layer_of(m).to_string(),
        source_of(m).to_string(),
        num32(m.model_prob),
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

/// The column of `articles.csv` after [`ARTICLES_COLUMNS`] and before the
/// input's metadata columns: the article's `url` when the input gives one.
pub const URL_COLUMN: &str = "url";

/// An article's row of `articles.csv` without its `source` cell and the
/// cells after [`ARTICLES_COLUMNS`], which are put in as the row is
/// written: the row a run keeps for an article then serves it wherever it
/// is found next time (another line of a table, a renamed file).
///
/// ```
/// use slant::report::ArticleRow;
/// let row = ArticleRow::of(["a1", "o", "A title, with a comma", "2024-01-02", "120"]);
/// let mut line = Vec::new();
/// row.write_with("news.csv:7", &mut line);
/// assert_eq!(line, b"a1,o,\"A title, with a comma\",2024-01-02,news.csv:7,120\n");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ArticleRow {
    /// The cells before `source`, CSV-encoded, without a line end.
    before: Vec<u8>,
    /// The cells after it, CSV-encoded, with the line end.
    after: Vec<u8>,
}

/// Where `source` is in [`ARTICLES_COLUMNS`].
const SOURCE_CELL: usize = 4;

impl ArticleRow {
    /// The row of `cells`, every column of [`ARTICLES_COLUMNS`] but
    /// `source`, in order.
    pub fn of<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> ArticleRow {
        let mut cells: Vec<String> = cells.into_iter().map(|c| c.as_ref().to_string()).collect();
        let after = cells.split_off(SOURCE_CELL.min(cells.len()));
        let mut before = csv_rows([cells]);
        before.pop();
        ArticleRow {
            before,
            after: csv_rows([after]),
        }
    }

    /// Appends the row, with `source` in its place, to `line`.
    pub fn write_with(&self, source: &str, line: &mut Vec<u8>) {
        line.extend_from_slice(&self.before);
        line.push(b',');
        let mut cell = csv_rows([vec![source.to_string()]]);
        cell.pop();
        line.extend_from_slice(&cell);
        line.push(b',');
        line.extend_from_slice(&self.after);
    }
}

/// The `articles.csv` row of an article with `duplicates` dropped copies,
/// `source` aside ([`ArticleRow`]).
pub(super) fn article_fields(a: &ArticleAnalysis, duplicates: usize) -> Vec<String> {
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
pub(super) fn csv_rows(rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(&row);
    }
    writer.into_inner().unwrap_or_default()
}

/// The first bytes of a CSV file: with `--excel` the byte-order mark, then
/// the header row (its names guarded too: a concept's name comes from a
/// lexicon file).
pub(super) fn header(options: CsvOptions, columns: &[&str]) -> Vec<u8> {
    let mut bytes = Vec::new();
    if options.excel_bom {
        bytes.extend_from_slice(BOM);
        let guarded: Vec<_> = columns.iter().map(|c| super::guard::guard(c)).collect();
        bytes.extend(csv_rows([guarded.iter().map(|c| c.to_string()).collect()]));
    } else {
        bytes.extend(csv_rows([columns.iter().map(|c| c.to_string()).collect()]));
    }
    bytes
}

/// The UTF-8 byte-order mark `--excel` starts each file with.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_row_puts_source_in_its_column() {
        assert_eq!(ARTICLES_COLUMNS[SOURCE_CELL], "source");
        let cells: Vec<String> = ARTICLES_COLUMNS
            .iter()
            .filter(|c| **c != "source")
            .map(|c| c.to_string())
            .collect();
        let mut line = Vec::new();
        ArticleRow::of(cells).write_with("source", &mut line);
        let header = csv_rows([ARTICLES_COLUMNS.iter().map(|c| c.to_string()).collect()]);
        assert_eq!(line, header);
    }
}
