//! The report stage renders and nothing else: it takes the run's tables
//! ([`crate::score::Tables`]) and a source of mention rows ([`RowSource`])
//! and writes the CSV files. Renderers of other formats sit beside the CSV
//! one and read the same tables.
//!
//! * [`tables`]: `outlets.csv`, `groups.csv`, `concepts.csv`, and the
//!   rows of `articles.csv` and `mentions/` rendered per article;
//! * [`discovery`]: `keyness.csv`, `labels.csv`, `divergence.csv`;
//! * [`spool`]: articles arrive one at a time; the spool stages the
//!   article-sized files and puts every report in place at once;
//! * [`mentions`]: the evidence, `mentions/`, in parts a rerun can carry
//!   over;
//! * [`timeline`], `timeline.csv`;
//! * [`actors`], `actors.csv`;
//! * [`html`], `report.html`: the page that shows the folder's tables
//!   and links each figure to its sentences;
//! * [`diff`]: `slant diff` of two report folders;
//! * [`notebook`]: `slant export notebook`, a Jupyter notebook that draws
//!   a report folder's figures;
//! * [`columns`]: what each column holds (text, number, boolean), for the
//!   guard and the workbook;
//! * [`guard`]: `--excel`'s guard of text cells against CSV injection;
//! * [`xlsx`]: `report.xlsx`, built from the folder's CSV files.
//!
//! Every file is UTF-8, RFC 4180 (comma, `"` quoting, CRLF-free `\n` rows),
//! `.` decimals with a fixed number of places, a header row, and a stable
//! row order, so that the same input gives byte-identical files. Each file is
//! written to a temporary name and renamed into place, and the folder of
//! mention parts ([`mentions`]) is replaced as a whole: a run killed midway
//! leaves the previous reports intact.

pub mod actors;
pub mod columns;
pub mod diff;
pub mod discovery;
pub mod guard;
pub mod html;
pub mod mentions;
pub mod notebook;
pub mod spool;
pub mod tables;
pub mod timeline;
pub mod xlsx;

use std::path::{Path, PathBuf};

pub use spool::{
    render, MemoryRows, ReadyReports, RenderedArticle, RowSource, Spool, SpoolEntry, StageError,
    StagedReports,
};
pub use tables::{
    ArticleRow, ARTICLES_COLUMNS, CONCEPTS_COLUMNS, MENTIONS_COLUMNS, OUTLETS_COLUMNS,
};

/// Decimal places for rates, shares and means.
const PLACES: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{path}: cannot write report: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: the output path exists and is not a folder")]
    NotADirectory { path: PathBuf },
    #[error("{path}:{line}: {message}")]
    Read {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: cannot write the workbook: {message}")]
    Xlsx { path: PathBuf, message: String },
    #[error("report.html: {0}")]
    Html(#[from] html::HtmlError),
}

/// Options for the CSV files.
#[derive(Debug, Clone, Copy)]
pub struct CsvOptions {
    /// `--excel`: start each file with a UTF-8 byte-order mark, so Excel
    /// opens it as UTF-8 rather than the system code page, and guard every
    /// text cell that a spreadsheet would read as a formula ([`guard`]).
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
    crate::disk::atomic::remove_leftovers(out);
    Ok(())
}

/// Writes `bytes` to `path` atomically (see [`crate::disk::atomic`]).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::disk::atomic::write(path, bytes).map_err(io_error(path))
}

/// Turns an I/O error on `path` into a [`ReportError`].
pub(crate) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> ReportError {
    let path = path.to_path_buf();
    move |error| ReportError::Io {
        path: path.clone(),
        error,
    }
}

/// A count as people read it, in thousands.
///
/// ```
/// assert_eq!(slant::report::thousands(1234567), "1,234,567");
/// assert_eq!(slant::report::thousands(999), "999");
/// ```
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
