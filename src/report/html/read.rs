//! Reading a report folder's CSV files for the page: each file into rows
//! of a serde struct (columns by name, extra columns ignored), a missing
//! optional file into `None`, a malformed one into an error naming the
//! file and line.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::HtmlError;

/// Where each file of a report folder is. A finished folder has them under
/// their names ([`Sources::folder`]); a run renders the page from the
/// files it has staged but not yet put in place.
#[derive(Debug, Clone)]
pub struct Sources {
    pub outlets: PathBuf,
    pub groups: PathBuf,
    pub concepts: PathBuf,
    pub articles: PathBuf,
    pub keyness: PathBuf,
    pub labels: PathBuf,
    pub divergence: PathBuf,
    pub timeline: PathBuf,
    pub actors: PathBuf,
    /// The folder of mention parts.
    pub mentions: PathBuf,
    /// The `articles.csv` column that names an article's group.
    pub group_column: String,
    /// Where the evidence samples of the parts are kept between runs
    /// ([`super::cache`]); `None`: sample every part.
    pub evidence_cache: Option<PathBuf>,
}

impl Sources {
    /// The files of the report folder `dir`, grouped by `group_column`.
    pub fn folder(dir: &Path, group_column: &str) -> Sources {
        Sources {
            outlets: dir.join("outlets.csv"),
            groups: dir.join("groups.csv"),
            concepts: dir.join("concepts.csv"),
            articles: dir.join("articles.csv"),
            keyness: dir.join("keyness.csv"),
            labels: dir.join("labels.csv"),
            divergence: dir.join("divergence.csv"),
            timeline: dir.join("timeline.csv"),
            actors: dir.join("actors.csv"),
            mentions: dir.join(super::super::mentions::DIR),
            group_column: group_column.to_string(),
            evidence_cache: None,
        }
    }
}

/// A row of `outlets.csv` or `groups.csv` (a group's `group` and
/// `outlets` read as `outlet` and `outlet_name`).
#[derive(Debug, Clone, Deserialize)]
pub struct RateRow {
    #[serde(alias = "group")]
    pub outlet: String,
    #[serde(alias = "outlets")]
    pub outlet_name: String,
    pub articles: u64,
    pub words_own: u64,
    pub mentions_own: u64,
    pub loaded_per_1k_own: Option<f64>,
    pub loaded_per_1k_own_ci_low: Option<f64>,
    pub loaded_per_1k_own_ci_high: Option<f64>,
    pub loaded_per_1k_own_story: Option<f64>,
    pub loaded_per_1k_own_story_ci_low: Option<f64>,
    pub loaded_per_1k_own_story_ci_high: Option<f64>,
    pub loaded_per_1k_own_general: Option<f64>,
    pub loaded_per_1k_own_general_ci_low: Option<f64>,
    pub loaded_per_1k_own_general_ci_high: Option<f64>,
    pub loaded_per_1k_own_detector: Option<f64>,
    pub loaded_per_1k_own_detector_ci_low: Option<f64>,
    pub loaded_per_1k_own_detector_ci_high: Option<f64>,
    pub distancing_own: u64,
    pub top_terms_own: String,
}

impl RateRow {
    /// The rate, then its story, general and detector parts: (value, low,
    /// high).
    pub fn rates(&self) -> [(Option<f64>, Option<f64>, Option<f64>); 4] {
        [
            (
                self.loaded_per_1k_own,
                self.loaded_per_1k_own_ci_low,
                self.loaded_per_1k_own_ci_high,
            ),
            (
                self.loaded_per_1k_own_story,
                self.loaded_per_1k_own_story_ci_low,
                self.loaded_per_1k_own_story_ci_high,
            ),
            (
                self.loaded_per_1k_own_general,
                self.loaded_per_1k_own_general_ci_low,
                self.loaded_per_1k_own_general_ci_high,
            ),
            (
                self.loaded_per_1k_own_detector,
                self.loaded_per_1k_own_detector_ci_low,
                self.loaded_per_1k_own_detector_ci_high,
            ),
        ]
    }
}

/// A row of `concepts.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct ConceptRow {
    pub outlet: String,
    pub concept: String,
    pub label: String,
    pub loaded: Option<f64>,
    pub direction: Option<f64>,
    pub mentions_own: u64,
    pub share_own: Option<f64>,
    pub share_own_ci_low: Option<f64>,
    pub share_own_ci_high: Option<f64>,
    pub sentiment_own_mean: Option<f64>,
    pub sentiment_own_ci_low: Option<f64>,
    pub sentiment_own_ci_high: Option<f64>,
    pub sentiment_own_n: u64,
}

/// What the page needs of a row of `articles.csv`.
#[derive(Debug, Clone)]
pub struct ArticleRow {
    pub article_id: String,
    pub outlet: String,
    pub title: String,
    pub published: String,
    /// Empty when the input gave none, or the folder is from a slant that
    /// did not write the column.
    pub url: String,
    pub loaded_per_1k_own: Option<f64>,
    /// The value of the group column, empty for none.
    pub group: String,
}

/// A row of `keyness.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct KeynessRow {
    pub scope: String,
    pub key: String,
    pub phrase: String,
    pub count: u64,
    pub count_rest: u64,
    pub articles: u64,
    pub z: f64,
    pub in_lexicon: String,
}

/// A row of `labels.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelsRow {
    pub group_id: String,
    pub group_name: String,
    pub phrase: String,
    pub in_lexicon: String,
    pub scope: String,
    pub key: String,
    pub count: u64,
    pub group_total: u64,
    pub share: Option<f64>,
    pub share_ci_low: Option<f64>,
    pub share_ci_high: Option<f64>,
    pub articles: u64,
}

/// A row of `divergence.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct DivergenceRow {
    pub scope: String,
    pub key_a: String,
    pub key_b: String,
    pub concept: String,
    pub labels: String,
    pub mentions_a: u64,
    pub mentions_b: u64,
    pub articles_a: u64,
    pub articles_b: u64,
    pub jsd: Option<f64>,
    pub p_value: Option<f64>,
    pub q_value: Option<f64>,
}

/// A row of `timeline.csv`.
#[derive(Debug, Clone, Deserialize)]
pub struct TimelineRow {
    pub scope: String,
    pub key: String,
    pub period: String,
    pub start: String,
    pub end: String,
    pub articles: Option<u64>,
    pub words_own: Option<u64>,
    pub loaded_per_1k_own: Option<f64>,
    pub loaded_per_1k_own_ci_low: Option<f64>,
    pub loaded_per_1k_own_ci_high: Option<f64>,
    pub concept: String,
    pub label: String,
    pub mentions_own: Option<u64>,
    pub share_own: Option<f64>,
    pub share_own_ci_low: Option<f64>,
    pub share_own_ci_high: Option<f64>,
}

/// What the page reads of a row of `actors.csv` (sentiment toward named
/// actors, per outlet and per group); other columns are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct ActorRow {
    /// `outlet` or `group` (a file without the column: outlets).
    #[serde(default)]
    pub scope: String,
    pub outlet: String,
    pub actor: String,
    #[serde(default)]
    pub aliases: String,
    #[serde(default)]
    pub mentions_own: Option<u64>,
    pub sentiment_own_mean: Option<f64>,
    pub sentiment_own_ci_low: Option<f64>,
    pub sentiment_own_ci_high: Option<f64>,
    pub sentiment_own_n: Option<u64>,
}

/// Everything the page shows but the evidence.
#[derive(Debug, Clone)]
pub struct Report {
    pub outlets: Vec<RateRow>,
    /// The referent concepts (those with `sentiment_own_<concept>` columns
    /// in `outlets.csv`), in lexicon order.
    pub referents: Vec<String>,
    /// `None`: no `groups.csv`; empty: a run without groups.
    pub groups: Option<Vec<RateRow>>,
    pub concepts: Vec<ConceptRow>,
    pub articles: Vec<ArticleRow>,
    pub keyness: Option<Vec<KeynessRow>>,
    pub labels: Option<Vec<LabelsRow>>,
    pub divergence: Option<Vec<DivergenceRow>>,
    pub timeline: Option<Vec<TimelineRow>>,
    pub actors: Option<Vec<ActorRow>>,
}

/// Reads the tables of `sources` (not the mentions).
pub fn report(sources: &Sources) -> Result<Report, HtmlError> {
    Ok(Report {
        outlets: table(&sources.outlets)?,
        referents: referents(&sources.outlets)?,
        groups: optional(&sources.groups)?,
        concepts: table(&sources.concepts)?,
        articles: articles(&sources.articles, &sources.group_column)?,
        keyness: optional(&sources.keyness)?,
        labels: optional(&sources.labels)?,
        divergence: optional(&sources.divergence)?,
        timeline: optional(&sources.timeline)?,
        actors: optional(&sources.actors)?,
    })
}

/// Opens a CSV file, reading a byte-order mark (`--excel`) as nothing.
pub(super) fn open(path: &Path) -> Result<csv::Reader<std::fs::File>, HtmlError> {
    let file = std::fs::File::open(path).map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => HtmlError::Missing {
            path: path.to_path_buf(),
        },
        _ => HtmlError::Io {
            path: path.to_path_buf(),
            error,
        },
    })?;
    Ok(csv::ReaderBuilder::new().from_reader(file))
}

/// The header of `reader`, a byte-order mark taken off its first name.
pub(super) fn headers(
    reader: &mut csv::Reader<std::fs::File>,
    path: &Path,
) -> Result<csv::StringRecord, HtmlError> {
    let mut header = reader
        .headers()
        .map_err(|e| HtmlError::csv(path, &e))?
        .clone();
    if header
        .get(0)
        .is_some_and(|first| first.starts_with('\u{feff}'))
    {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, n)| {
                if i == 0 {
                    n.trim_start_matches('\u{feff}').to_string()
                } else {
                    n.to_string()
                }
            })
            .collect();
        header = csv::StringRecord::from(names);
        reader.set_headers(header.clone());
    }
    Ok(header)
}

fn table<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, HtmlError> {
    let mut reader = open(path)?;
    let header = headers(&mut reader, path)?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| HtmlError::csv(path, &e))?;
        rows.push(
            record
                .deserialize(Some(&header))
                .map_err(|e| HtmlError::csv(path, &e))?,
        );
    }
    Ok(rows)
}

/// The concepts `outlets.csv` has sentiment columns for.
fn referents(path: &Path) -> Result<Vec<String>, HtmlError> {
    let mut reader = open(path)?;
    let header = headers(&mut reader, path)?;
    let names: Vec<&str> = header.iter().collect();
    Ok(names
        .iter()
        .filter_map(|h| h.strip_prefix("sentiment_own_"))
        .filter(|c| names.contains(&format!("sentiment_own_{c}_n").as_str()))
        .map(String::from)
        .collect())
}

fn optional<T: DeserializeOwned>(path: &Path) -> Result<Option<Vec<T>>, HtmlError> {
    match table(path) {
        Ok(rows) => Ok(Some(rows)),
        Err(HtmlError::Missing { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn articles(path: &Path, group_column: &str) -> Result<Vec<ArticleRow>, HtmlError> {
    let mut reader = open(path)?;
    let header = headers(&mut reader, path)?;
    let column = |name: &str| header.iter().position(|h| h == name);
    let required = |name: &str| {
        column(name).ok_or_else(|| HtmlError::Column {
            path: path.to_path_buf(),
            column: name.to_string(),
        })
    };
    let (id, outlet, title, published) = (
        required("article_id")?,
        required("outlet")?,
        required("title")?,
        required("published")?,
    );
    let (url, loaded, group) = (
        column("url"),
        column("loaded_per_1k_own"),
        column(group_column),
    );
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| HtmlError::csv(path, &e))?;
        let cell = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_string()
        };
        let rate = cell(loaded);
        let loaded_per_1k_own = if rate.is_empty() {
            None
        } else {
            Some(rate.parse::<f64>().map_err(|e| HtmlError::Malformed {
                path: path.to_path_buf(),
                line: record.position().map_or(0, |p| p.line()),
                message: format!("loaded_per_1k_own `{rate}`: {e}"),
            })?)
        };
        rows.push(ArticleRow {
            article_id: cell(Some(id)),
            outlet: cell(Some(outlet)),
            title: cell(Some(title)),
            published: cell(Some(published)),
            url: cell(url),
            loaded_per_1k_own,
            group: cell(group),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_row_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keyness.csv");
        std::fs::write(
            &path,
            "scope,key,phrase,count,count_rest,articles,log_odds,z,in_lexicon\n\
             outlet,a,x,3,1,3,0.5,2.0,\n\
             outlet,a,y,many,1,3,0.5,2.0,\n",
        )
        .unwrap();
        let err = optional::<KeynessRow>(&path).unwrap_err().to_string();
        assert!(
            err.contains("keyness.csv") && err.contains("line 3"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_optional_file_is_none_and_a_bom_is_no_name() {
        let dir = tempfile::tempdir().unwrap();
        assert!(optional::<KeynessRow>(&dir.path().join("keyness.csv"))
            .unwrap()
            .is_none());
        let path = dir.path().join("articles.csv");
        std::fs::write(
            &path,
            "\u{feff}article_id,outlet,title,published,url,g\na1,o,T,2024-01-01,,left\n",
        )
        .unwrap();
        let rows = articles(&path, "g").unwrap();
        assert_eq!(rows[0].article_id, "a1");
        assert_eq!(rows[0].group, "left");
        assert!(matches!(
            table::<RateRow>(&dir.path().join("outlets.csv")),
            Err(HtmlError::Missing { .. })
        ));
    }
}
