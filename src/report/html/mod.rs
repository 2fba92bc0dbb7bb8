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

pub mod cache;
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
    /// The same error naming `to` where it named `from`.
    pub fn renamed(self, from: &Path, to: &Path) -> HtmlError {
        let swap = |path: PathBuf| if path == from { to.to_path_buf() } else { path };
        match self {
            HtmlError::Missing { path } => HtmlError::Missing { path: swap(path) },
            HtmlError::Io { path, error } => HtmlError::Io {
                path: swap(path),
                error,
            },
            HtmlError::Malformed {
                path,
                line,
                message,
            } => HtmlError::Malformed {
                path: swap(path),
                line,
                message,
            },
            HtmlError::Column { path, column } => HtmlError::Column {
                path: swap(path),
                column,
            },
            HtmlError::Chart(m) => HtmlError::Chart(m),
        }
    }

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
    let samples = evidence::sample_folder(
        &sources.mentions,
        &groups,
        sources.evidence_cache.as_deref(),
    )?;
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
/// files (groups from the column `run.json` names, else `default_group`;
/// the evidence samples kept in `evidence_cache`, see [`cache`]) and puts
/// it in place atomically; returns its path.
pub fn rebuild(
    dir: &Path,
    default_group: &str,
    evidence_cache: Option<PathBuf>,
) -> Result<PathBuf, super::ReportError> {
    let mut sources = Sources::folder(dir, &group_column(dir, default_group));
    sources.evidence_cache = evidence_cache;
    let html = render(&sources)?;
    let path = dir.join(FILE);
    super::write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small report folder by hand: two outlets, one referent concept
    /// the model scored, an actors.csv, one part of mentions.
    fn folder() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let rate = "3,300,4,10.0,5.0,15.0,8.0,4.0,12.0,2.0,1.0,3.0,0,0,0,1,occupation (2)";
        let outlets = format!(
            "outlet,outlet_name,articles,words_own,mentions_own,loaded_per_1k_own,loaded_per_1k_own_ci_low,loaded_per_1k_own_ci_high,loaded_per_1k_own_story,loaded_per_1k_own_story_ci_low,loaded_per_1k_own_story_ci_high,loaded_per_1k_own_general,loaded_per_1k_own_general_ci_low,loaded_per_1k_own_general_ci_high,loaded_per_1k_own_detector,loaded_per_1k_own_detector_ci_low,loaded_per_1k_own_detector_ci_high,distancing_own,top_terms_own,sentiment_own_us_presence,sentiment_own_us_presence_n\n\
             east,East,{rate},-0.5,2\nwest,West,{rate},0.25,1\n"
        );
        let concepts = "outlet,concept,label,loaded,direction,mentions_own,share_own,share_own_ci_low,share_own_ci_high,sentiment_own_mean,sentiment_own_ci_low,sentiment_own_ci_high,sentiment_own_n\n\
             east,us_presence,occupation,0.9,-0.9,2,1.0,0.3,1.0,-0.5,-0.7,-0.3,2\n\
             east,us_presence,(all),,,2,1.0,0.3,1.0,-0.5,-0.7,-0.3,2\n\
             west,us_presence,occupation,0.9,-0.9,1,1.0,0.2,1.0,0.25,,,1\n\
             west,us_presence,(all),,,1,1.0,0.2,1.0,0.25,,,1\n";
        let articles = "article_id,outlet,title,published,url\na1,east,One,2024-01-02,https://example.org/1\nb1,west,Two,,\n";
        let actors = "outlet,actor,aliases,mentions_own,sentiment_own_mean,sentiment_own_ci_low,sentiment_own_ci_high,sentiment_own_n\n\
             east,Sudani,al-Sudani; Sudani,4,0.1,-0.2,0.4,4\n";
        let header = crate::report::MENTIONS_COLUMNS.join(",");
        let part = format!(
            "{header}\n\
             a1,east,0,4,14,occupation,occupation,us_presence,occupation,story,lexicon,,0.9000,-0.9000,own,,false,false,The occupation goes on.,negative,0.8000,0.1500,0.0500\n"
        );
        for (name, text) in [
            ("outlets.csv", outlets.as_str()),
            ("concepts.csv", concepts),
            ("articles.csv", articles),
            ("actors.csv", actors),
            ("mentions/part-00001.csv", part.as_str()),
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    #[test]
    fn sentiment_and_actors_are_charted_and_linked_to_their_sentences() {
        let dir = folder();
        let html = render(&Sources::folder(dir.path(), "group")).unwrap();
        let sentiment =
            &html[html.find("id=\"sentiment\"").unwrap()..html.find("id=\"keyness\"").unwrap()];
        assert_eq!(
            sentiment.matches("<svg").count(),
            2,
            "one concept, one actor"
        );
        assert!(sentiment.contains("−0.50") && sentiment.contains("[−0.70, −0.30]"));
        let key = evidence::Key::new(
            evidence::Kind::Sentiment,
            evidence::Scope::Outlet,
            "east",
            "us_presence",
            "",
        );
        assert!(sentiment.contains(&format!("href=\"#{}\"", key.anchor())));
        assert!(html.contains(&format!("<details id=\"{}\">", key.anchor())));
        assert!(html.contains("The <mark>occupation</mark> goes on."));
        assert!(html.contains("sentiment negative (−0.75)"));
        assert!(html.contains("<a href=\"https://example.org/1\""));
        assert!(sentiment.contains("Sudani") && sentiment.contains("al-Sudani; Sudani"));
        // No mention of west's in mentions/: its count is no link.
        assert!(sentiment.contains("<span class=\"none\" title=\"no own-voice mention\">1</span>"));
    }

    #[test]
    fn an_error_in_a_staged_file_names_the_file() {
        let staged = Path::new("/out/.concepts.csv.x1.partial");
        let e = HtmlError::Malformed {
            path: staged.to_path_buf(),
            line: 3,
            message: "bad".into(),
        }
        .renamed(Path::new("/out/other.partial"), Path::new("/out/other.csv"))
        .renamed(staged, Path::new("/out/concepts.csv"));
        assert_eq!(e.to_string(), "/out/concepts.csv: line 3: bad");
    }

    #[test]
    fn optional_files_missing_leave_a_sentence_and_a_required_one_is_an_error() {
        let dir = folder();
        std::fs::remove_file(dir.path().join("actors.csv")).unwrap();
        let html = render(&Sources::folder(dir.path(), "group")).unwrap();
        assert!(html.contains("There is no actors.csv in this folder"));
        assert!(html.contains("There is no timeline.csv in this folder"));
        std::fs::remove_file(dir.path().join("concepts.csv")).unwrap();
        let err = render(&Sources::folder(dir.path(), "group")).unwrap_err();
        assert!(
            matches!(err, HtmlError::Missing { ref path } if path.ends_with("concepts.csv")),
            "{err}"
        );
    }
}
