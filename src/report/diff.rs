//! What changed between two report folders: `slant diff OLD NEW`.
//!
//! Joins the CSV files of two runs by key and writes, per outlet, the
//! articles added and removed and the change in its own-voice rate; per
//! outlet × concept × label, the change in share. Reading the CSV files
//! (not a cache) means any two report folders compare, including ones
//! written by other versions, as long as the columns used are present.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::tables::Doc;
use super::{num, ReportError};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error(transparent)]
    Write(#[from] ReportError),
}

type Table = Vec<BTreeMap<String, String>>;

fn read(dir: &Path, name: &str) -> Result<Table, DiffError> {
    let path = dir.join(name);
    let err = |message: String| DiffError::Read {
        path: path.clone(),
        message,
    };
    let bytes = std::fs::read(&path).map_err(|e| err(e.to_string()))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::Reader::from_reader(bytes);
    let header = reader.headers().map_err(|e| err(e.to_string()))?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| err(e.to_string()))?;
        rows.push(
            header
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect(),
        );
    }
    Ok(rows)
}

fn field<'a>(row: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    row.get(name).map_or("", String::as_str)
}

fn change(old: &str, new: &str) -> String {
    match (old.parse::<f64>(), new.parse::<f64>()) {
        (Ok(o), Ok(n)) => num(Some(n - o)),
        _ => String::new(),
    }
}

/// Columns of `diff_outlets.csv`.
pub const DIFF_OUTLETS_COLUMNS: &[&str] = &[
    "outlet",
    "articles_old",
    "articles_new",
    "articles_added",
    "articles_removed",
    "loaded_per_1k_own_old",
    "loaded_per_1k_own_new",
    "loaded_per_1k_own_change",
];

/// Columns of `diff_concepts.csv`.
pub const DIFF_CONCEPTS_COLUMNS: &[&str] = &[
    "outlet",
    "concept",
    "label",
    "mentions_own_old",
    "mentions_own_new",
    "share_own_old",
    "share_own_new",
    "share_own_change",
];

/// Compares two report folders and writes `diff_outlets.csv` and
/// `diff_concepts.csv` into `out`. Rows are outlets (and labels) present in
/// either run; concept rows are kept only where something changed.
pub fn diff(old: &Path, new: &Path, out: &Path) -> Result<(), DiffError> {
    let options = super::CsvOptions::default();
    let (old_outlets, new_outlets) = (read(old, "outlets.csv")?, read(new, "outlets.csv")?);
    let (old_articles, new_articles) = (read(old, "articles.csv")?, read(new, "articles.csv")?);
    let ids = |t: &Table, outlet: &str| -> BTreeSet<String> {
        t.iter()
            .filter(|r| field(r, "outlet") == outlet)
            .map(|r| field(r, "article_id").to_string())
            .collect()
    };
    let by_outlet = |t: &Table| -> BTreeMap<String, BTreeMap<String, String>> {
        t.iter()
            .map(|r| (field(r, "outlet").to_string(), r.clone()))
            .collect()
    };
    let (o, n) = (by_outlet(&old_outlets), by_outlet(&new_outlets));
    let outlets: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
    let empty = BTreeMap::new();
    let mut doc = Doc::new(options, DIFF_OUTLETS_COLUMNS);
    for outlet in outlets {
        let (ro, rn) = (
            o.get(outlet).unwrap_or(&empty),
            n.get(outlet).unwrap_or(&empty),
        );
        let (io, inew) = (ids(&old_articles, outlet), ids(&new_articles, outlet));
        let rate = "loaded_per_1k_own";
        doc.row(vec![
            outlet.clone(),
            field(ro, "articles").to_string(),
            field(rn, "articles").to_string(),
            inew.difference(&io).count().to_string(),
            io.difference(&inew).count().to_string(),
            field(ro, rate).to_string(),
            field(rn, rate).to_string(),
            change(field(ro, rate), field(rn, rate)),
        ]);
    }
    doc.save(&out.join("diff_outlets.csv"))?;

    let key = |r: &BTreeMap<String, String>| {
        (
            field(r, "outlet").to_string(),
            field(r, "concept").to_string(),
            field(r, "label").to_string(),
        )
    };
    let old_concepts: BTreeMap<_, _> = read(old, "concepts.csv")?
        .into_iter()
        .map(|r| (key(&r), r))
        .collect();
    let new_concepts: Vec<_> = read(new, "concepts.csv")?;
    let mut seen = BTreeSet::new();
    let mut doc = Doc::new(options, DIFF_CONCEPTS_COLUMNS);
    let mut emit = |k: &(String, String, String),
                    ro: &BTreeMap<String, String>,
                    rn: &BTreeMap<String, String>| {
        let (mo, mn) = (field(ro, "mentions_own"), field(rn, "mentions_own"));
        let (so, sn) = (field(ro, "share_own"), field(rn, "share_own"));
        let count = |s: &str| s.parse::<u64>().unwrap_or(0);
        // A label missing from one run is a label with no mentions there.
        if count(mo) != count(mn) || so != sn {
            doc.row(vec![
                k.0.clone(),
                k.1.clone(),
                k.2.clone(),
                mo.to_string(),
                mn.to_string(),
                so.to_string(),
                sn.to_string(),
                change(so, sn),
            ]);
        }
    };
    for rn in &new_concepts {
        let k = key(rn);
        emit(&k, old_concepts.get(&k).unwrap_or(&empty), rn);
        seen.insert(k);
    }
    for (k, ro) in &old_concepts {
        if !seen.contains(k) {
            emit(k, ro, &empty);
        }
    }
    doc.save(&out.join("diff_concepts.csv"))?;
    Ok(())
}
