//! `actors.csv` from the run's [`crate::score::actors::Actors`] (columns
//! in the README, Reports).

use std::path::Path;

use super::tables::Doc;
use super::{num, CsvOptions, ReportError};
use crate::disk::atomic::Staged;
use crate::score::actors::Actors;

/// The file's name in a report folder.
pub const FILE: &str = "actors.csv";

pub const ACTORS_COLUMNS: &[&str] = &[
    "scope",
    "outlet",
    "actor",
    "aliases",
    "mentions_own",
    "mentions_quoted",
    "mentions_attributed",
    "sentiment_own_mean",
    "sentiment_own_ci_low",
    "sentiment_own_ci_high",
    "sentiment_own_n",
];

pub(super) fn stage_actors(
    path: &Path,
    actors: &Actors,
    options: CsvOptions,
) -> Result<Staged, ReportError> {
    let mut doc = Doc::new(options, ACTORS_COLUMNS);
    for r in &actors.rows {
        let s = &r.sentiment_own;
        let [own, quoted, attributed] = r.mentions;
        doc.row(vec![
            r.scope.as_str().to_string(),
            r.key.clone(),
            r.actor.clone(),
            r.aliases.join("; "),
            own.to_string(),
            quoted.to_string(),
            attributed.to_string(),
            num(s.value),
            num(s.ci.map(|c| c.0)),
            num(s.ci.map(|c| c.1)),
            s.n.to_string(),
        ]);
    }
    doc.stage(path)
}
