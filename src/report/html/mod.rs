//! `report.html`: one self-contained page (no network, no external
//! script, stylesheet or font) that shows the report folder's tables as
//! charts and tables, each figure linked to the sentences behind it.
//!
//! * [`read`]: the folder's CSV files, by column name;
//! * [`evidence`]: the sentences behind each figure, sampled from
//!   `mentions/` part by part;
//! * [`charts`]: SVG charts (`plotters`);
//! * [`page`] and [`sections`]: the page (`maud`, which escapes every
//!   string it is given).
//!
//! A run renders the page from the files it has staged, before any is put
//! in place, so `report.html` is replaced with the rest; `slant report
//! DIR` renders it again from a finished folder ([`rebuild`]).

pub mod charts;
pub mod evidence;
pub mod page;
pub mod read;
mod sections;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub use read::Sources;

/// The page's file name in a report folder.
pub const FILE: &str = "report.html";

#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    #[error("{path}: not found")]
    Missing { path: PathBuf },
    #[error("{path}: cannot read: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: line {line}: {message}")]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    #[error("{path}: no column `{column}`")]
    Column { path: PathBuf, column: String },
    #[error("drawing a chart: {0}")]
    Chart(String),
}

impl HtmlError {
    /// A CSV error in `path`, with the line it was met on.
    fn csv(path: &Path, e: &csv::Error) -> HtmlError {
        let line = e.position().map_or(0, |p| p.line());
        let message = match e.kind() {
            csv::ErrorKind::Deserialize { err, .. } => match err.field() {
                Some(field) => format!("field {}: {}", field + 1, err.kind()),
                None => err.kind().to_string(),
            },
            _ => e.to_string(),
        };
        HtmlError::Malformed {
            path: path.to_path_buf(),
            line,
            message,
        }
    }
}

/// The page for the report files `sources`.
pub fn render(sources: &Sources) -> Result<String, HtmlError> {
    let report = read::report(sources)?;
    let groups: HashMap<String, String> = report
        .articles
        .iter()
        .filter(|a| !a.group.is_empty())
        .map(|a| (a.article_id.clone(), a.group.clone()))
        .collect();
    let samples = evidence::sample_folder(&sources.mentions, &groups)?;
    page::page(&report, &samples, &sources.group_column)
}

/// The column a finished report folder's groups came from, as its
/// `run.json` says (`default` when it does not).
pub fn group_column(dir: &Path, default: &str) -> String {
    std::fs::read(dir.join("run.json"))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|v| v["groups"]["column"].as_str().map(String::from))
        .unwrap_or_else(|| default.to_string())
}

/// `slant report DIR`: renders `DIR/report.html` again from the folder's
/// files (groups from the column `run.json` names, else `default_group`)
/// and puts it in place atomically; returns its path.
pub fn rebuild(dir: &Path, default_group: &str) -> Result<PathBuf, super::ReportError> {
    let html = render(&Sources::folder(dir, &group_column(dir, default_group)))?;
    let path = dir.join(FILE);
    super::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}
