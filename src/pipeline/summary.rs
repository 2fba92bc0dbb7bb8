//! What a run tells its caller: the summary behind stderr's last lines and
//! `run.json`, and the stage timings in it.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::scorer::ModelSummary;
use crate::corpus::Skip;
use crate::report::ReportError;
use crate::store::CacheCounts;

/// What a run did, for the caller's messages and exit code.
#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    pub slant_version: String,
    pub inputs: Vec<String>,
    pub lexicon: Vec<crate::lexicon::LexiconFile>,
    pub lexicon_hash: String,
    pub model: Option<ModelSummary>,
    /// The loaded-word detector, when it ran.
    pub detector: Option<super::DetectorSummary>,
    pub articles: usize,
    pub outlets: usize,
    pub bytes: usize,
    pub mentions: usize,
    pub duplicates: usize,
    pub cache: CacheCounts,
    /// How articles were grouped (`groups.csv`).
    pub groups: GroupSummary,
    /// What discovery found and how.
    pub discovery: DiscoverySummary,
    /// `actors.csv`: actors reported and left out, and the minimum.
    pub actors: ActorSummary,
    pub skipped: Vec<Skip>,
    pub warnings: Vec<String>,
    pub timings_ms: BTreeMap<String, u128>,
    /// Discovery's tables, for a caller that builds on them (`slant
    /// lexicon suggest`); the reports hold them too.
    #[serde(skip)]
    pub discovered: crate::discover::DiscoveryTables,
}

/// How a run grouped its articles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GroupSummary {
    /// The metadata column groups come from.
    pub column: String,
    /// Distinct values of it.
    pub groups: usize,
    /// Articles with a value (the others are in no group).
    pub articles: usize,
}

/// What `actors.csv` holds and leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActorSummary {
    /// Actors reported.
    pub actors: usize,
    /// Actors the minimum left out.
    pub left_out: usize,
    /// Actor mentions (rows of `mentions/` with concept `actor`), all
    /// actors, in any voice.
    pub mentions: u64,
    /// The minimum: mentions in the corpus, in any voice…
    pub min_mentions: u64,
    /// …in this many articles.
    pub min_articles: u64,
    /// Short forms joined to a person by the share of its mentions
    /// ([`crate::text::names::merge_corpus_aliases`]).
    pub joined_by_share: Vec<crate::score::actors::JoinedByShare>,
}

impl ActorSummary {
    pub(super) fn of(actors: &crate::score::actors::Actors) -> ActorSummary {
        ActorSummary {
            actors: actors.kept,
            left_out: actors.left_out,
            mentions: actors.mentions,
            min_mentions: crate::score::actors::MIN_MENTIONS,
            min_articles: crate::score::actors::MIN_ARTICLES,
            joined_by_share: actors.by_share.clone(),
        }
    }
}

/// What discovery found, and the settings behind the figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct DiscoverySummary {
    pub keyness_rows: usize,
    pub keyness_min_articles: u32,
    pub keyness_top: usize,
    pub keyness_quotes: bool,
    pub label_candidates: usize,
    pub label_groups: usize,
    pub label_method: String,
    /// The phrase encoder that grouped labels, if one did (else string
    /// evidence only): name, folder and hash.
    pub label_encoder: Option<String>,
    /// Label candidates whose vectors came from the store, and those the
    /// encoder computed (`null` without an encoder).
    pub label_vectors_kept: Option<usize>,
    pub label_vectors_computed: Option<usize>,
    pub divergence_tests: usize,
    pub divergence_permutations: usize,
    pub divergence_seed: u64,
}

impl DiscoverySummary {
    pub(super) fn of(
        found: &crate::discover::DiscoveryTables,
        options: crate::discover::DiscoveryOptions,
        encoder: Option<String>,
    ) -> DiscoverySummary {
        DiscoverySummary {
            keyness_rows: found.keyness.len(),
            keyness_min_articles: options.keyness.min_articles,
            keyness_top: options.keyness.top,
            keyness_quotes: options.keyness.quotes,
            label_candidates: found.labels.candidates,
            label_groups: found.labels.groups.len(),
            label_method: found.labels.method.clone(),
            label_encoder: encoder,
            label_vectors_kept: None,
            label_vectors_computed: None,
            divergence_tests: found.divergence.len(),
            divergence_permutations: crate::discover::divergence::PERMUTATIONS,
            divergence_seed: crate::discover::divergence::SEED,
        }
    }
}

/// Wall time per stage, in milliseconds, for `run.json`: each
/// [`Timings::lap`] adds the time since the one before to its entry.
pub(super) struct Timings {
    clock: Instant,
    pub(super) ms: BTreeMap<String, u128>,
}

impl Timings {
    pub(super) fn start() -> Timings {
        Timings {
            clock: Instant::now(),
            ms: BTreeMap::new(),
        }
    }

    pub(super) fn lap(&mut self, name: &str) {
        let d = self.clock.elapsed();
        self.add(name, d);
        self.clock = Instant::now();
    }

    /// Records a part measured apart (on another thread, or inside a lap).
    pub(super) fn set(&mut self, name: &str, d: Duration) {
        self.ms.insert(name.to_string(), d.as_millis());
    }

    /// Adds `d` to entry `name`: time that ran beside another lap.
    pub(super) fn add(&mut self, name: &str, d: Duration) {
        *self.ms.entry(name.to_string()).or_default() += d.as_millis();
    }

    /// Moves `d` of lap `from` to entry `to`: time that ran inside it.
    pub(super) fn carve(&mut self, from: &str, to: &str, d: Duration) {
        if let Some(t) = self.ms.get_mut(from) {
            *t = t.saturating_sub(d.as_millis());
        }
        self.add(to, d);
    }
}

/// Writes `run.json`; a summary that cannot be serialised is an error, not
/// an empty file.
pub(super) fn write_run_json(out: &Path, summary: &RunSummary) -> Result<(), ReportError> {
    let path = out.join("run.json");
    let mut json = serde_json::to_vec_pretty(summary).map_err(|e| ReportError::Io {
        path: path.clone(),
        error: std::io::Error::other(e),
    })?;
    json.push(b'\n');
    crate::report::write_atomic(&path, &json)
}
