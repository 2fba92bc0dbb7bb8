//! Discovery's tables as CSV: `keyness.csv`, `labels.csv` and
//! `divergence.csv` (columns in the README, Reports).

use std::path::Path;

use super::tables::Doc;
use super::{num, CsvOptions, ReportError};
use crate::discover::divergence::DivergenceRow;
use crate::discover::keyness::KeynessRow;
use crate::discover::labels::LabelRow;
use crate::disk::atomic::Staged;

pub const KEYNESS_COLUMNS: &[&str] = &[
    "scope",
    "key",
    "phrase",
    "count",
    "count_rest",
    "articles",
    "log_odds",
    "z",
    "in_lexicon",
];

pub(super) fn stage_keyness(
    path: &Path,
    rows: &[KeynessRow],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, KEYNESS_COLUMNS);
    for r in rows {
        doc.row(vec![
            r.key.scope.as_str().to_string(),
            r.key.name.clone(),
            r.phrase.clone(),
            r.count.to_string(),
            r.count_rest.to_string(),
            r.articles.to_string(),
            num(Some(r.log_odds)),
            num(Some(r.z)),
            r.in_lexicon.clone().unwrap_or_default(),
        ]);
    }
    doc.stage(path)
}

pub const LABELS_COLUMNS: &[&str] = &[
    "group_id",
    "group_name",
    "phrase",
    "in_lexicon",
    "scope",
    "key",
    "count",
    "group_total",
    "share",
    "share_ci_low",
    "share_ci_high",
    "articles",
];

pub(super) fn stage_labels(
    path: &Path,
    rows: &[LabelRow],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, LABELS_COLUMNS);
    for r in rows {
        doc.row(vec![
            r.group.clone(),
            r.group_name.clone(),
            r.phrase.clone(),
            r.in_lexicon.clone().unwrap_or_default(),
            r.key.scope.as_str().to_string(),
            r.key.name.clone(),
            r.count.to_string(),
            r.total.to_string(),
            num(Some(r.share)),
            num(r.ci.map(|c| c.0)),
            num(r.ci.map(|c| c.1)),
            r.articles.to_string(),
        ]);
    }
    doc.stage(path)
}

pub const DIVERGENCE_COLUMNS: &[&str] = &[
    "scope",
    "key_a",
    "key_b",
    "concept",
    "labels",
    "mentions_a",
    "mentions_b",
    "articles_a",
    "articles_b",
    "jsd",
    "p_value",
    "q_value",
    "permutations",
];

pub(super) fn stage_divergence(
    path: &Path,
    rows: &[DivergenceRow],
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, DIVERGENCE_COLUMNS);
    for r in rows {
        doc.row(vec![
            r.scope.as_str().to_string(),
            r.key_a.clone(),
            r.key_b.clone(),
            r.concept.clone(),
            r.labels.to_string(),
            r.mentions_a.to_string(),
            r.mentions_b.to_string(),
            r.articles_a.to_string(),
            r.articles_b.to_string(),
            num(Some(r.jsd)),
            num(Some(r.p_value)),
            num(Some(r.q_value)),
            r.permutations.to_string(),
        ]);
    }
    doc.stage(path)
}
