//! `timeline.csv` from the run's [`crate::score::timeline::Timeline`]
//! (columns in the README, Reports).

use std::path::Path;

use super::tables::Doc;
use super::{num, CsvOptions, ReportError};
use crate::disk::atomic::Staged;
use crate::score::timeline::{Cells, Timeline};
use crate::score::Estimate;

pub const TIMELINE_COLUMNS: &[&str] = &[
    "scope",
    "key",
    "period",
    "start",
    "end",
    "articles",
    "words_own",
    "loaded_per_1k_own",
    "loaded_per_1k_own_ci_low",
    "loaded_per_1k_own_ci_high",
    "concept",
    "label",
    "mentions_own",
    "share_own",
    "share_own_ci_low",
    "share_own_ci_high",
];

fn with_ci(e: &Estimate) -> [String; 3] {
    [num(e.value), num(e.ci.map(|c| c.0)), num(e.ci.map(|c| c.1))]
}

pub(super) fn stage_timeline(
    path: &Path,
    timeline: &Timeline,
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, TIMELINE_COLUMNS);
    let day = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    for r in &timeline.rows {
        let mut fields = vec![
            r.scope.as_str().to_string(),
            r.key.clone(),
            r.period.label.clone(),
            day(r.period.start),
            day(r.period.end),
        ];
        match &r.cells {
            Cells::Rate {
                articles,
                words_own,
                loaded_per_1k_own,
            } => {
                fields.extend([articles.to_string(), words_own.to_string()]);
                fields.extend(with_ci(loaded_per_1k_own));
                fields.extend(std::iter::repeat_n(String::new(), 6));
            }
            Cells::Label {
                concept,
                label,
                mentions_own,
                share_own,
            } => {
                fields.extend(std::iter::repeat_n(String::new(), 5));
                fields.extend([concept.clone(), label.clone(), mentions_own.to_string()]);
                fields.extend(with_ci(share_own));
            }
        }
        doc.row(fields);
    }
    doc.stage(path)
}
