//! The report stage: CSV files and `run.json`.
//!
//! Every file is UTF-8, RFC 4180 (comma, `"` quoting, CRLF-free `\n` rows),
//! `.` decimals with a fixed number of places, a header row, and a stable
//! row order, so that the same input gives byte-identical files. Each file is
//! written to a temporary name and renamed into place: a run killed midway
//! leaves the previous reports intact.

pub mod diff;

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
}

/// Options for the CSV files.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvOptions {
    /// Start each file with a UTF-8 byte-order mark, so Excel opens it as
    /// UTF-8 rather than the system code page.
    pub excel_bom: bool,
}

/// Creates the output folder (and parents), refusing a path that is a file,
/// and removes the temporary files a killed run may have left in it.
pub fn prepare_out_dir(out: &Path) -> Result<(), ReportError> {
    if out.exists() && !out.is_dir() {
        return Err(ReportError::NotADirectory {
            path: out.to_path_buf(),
        });
    }
    std::fs::create_dir_all(out).map_err(|source| ReportError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    crate::atomic::remove_leftovers(out);
    crate::atomic::remove_leftovers(&crate::analyze::cache::cache_dir(out));
    Ok(())
}

/// Writes `bytes` to `path` atomically (see [`crate::atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::atomic::write(path, bytes).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })
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
        self.stage(path)?
            .commit()
            .map_err(|source| ReportError::Io {
                path: path.to_path_buf(),
                source,
            })
    }

    /// Writes the document to its temporary file, not yet in place.
    fn stage(self, path: &Path) -> Result<Staged, ReportError> {
        let io = |source| ReportError::Io {
            path: path.to_path_buf(),
            source,
        };
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

/// Writes one row per mention, articles in the order given.
fn stage_mentions(
    path: &Path,
    articles: &[&ArticleAnalysis],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, MENTIONS_COLUMNS);
    for a in articles {
        for m in &a.mentions {
            let s = m.sentiment.as_ref();
            let prob = |i: usize| num(s.map(|s| f64::from(s.probs[i])));
            doc.row(vec![
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
            ]);
        }
    }
    doc.stage(path)
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

/// Writes one row per article; `duplicates[i]` counts the dropped copies of
/// `articles[i]`.
fn stage_articles(
    path: &Path,
    articles: &[&ArticleAnalysis],
    duplicates: &[usize],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, ARTICLES_COLUMNS);
    for (a, dups) in articles.iter().zip(duplicates) {
        let own: Vec<_> = a
            .mentions
            .iter()
            .filter(|m| m.voice == crate::Voice::Own)
            .collect();
        let loaded: f64 = own.iter().map(|m| f64::from(m.loaded)).sum();
        let words_own = a.words_by_voice[0];
        doc.row(vec![
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
            dups.to_string(),
            a.content_hash.clone(),
        ]);
    }
    doc.stage(path)
}

/// Writes the four CSV reports into `out`.
pub fn write_tables(
    out: &Path,
    tables: &Tables,
    sentiment_concepts: &[String],
    articles: &[&ArticleAnalysis],
    duplicates: &[usize],
    options: CsvOptions,
) -> Result<(), ReportError> {
    // All four are staged before any is put in place, so a failure (a full
    // disk) leaves the previous reports as they were, and the window in
    // which a kill could mix old and new files is a few renames.
    let staged = [
        stage_outlets(
            &out.join("outlets.csv"),
            &tables.outlets,
            sentiment_concepts,
            options,
        )?,
        stage_concepts(&out.join("concepts.csv"), &tables.concepts, options)?,
        stage_mentions(&out.join("mentions.csv"), articles, options)?,
        stage_articles(&out.join("articles.csv"), articles, duplicates, options)?,
    ];
    for file in staged {
        let path = file.path().to_path_buf();
        file.commit()
            .map_err(|source| ReportError::Io { path, source })?;
    }
    Ok(())
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
