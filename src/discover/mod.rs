//! Discovery: what sets outlets and groups apart beyond what the lexicon
//! lists, and whether it is more than chance.
//!
//! ```text
//! counts      per-article phrase uses folded per cell (outlet × group)
//! keyness     keyness.csv: distinctive phrases per outlet and group
//! labels      labels.csv: phrases that name one referent, grouped
//! divergence  divergence.csv: how differently two keys label a concept
//! suggest     a draft story lexicon from the label groups
//! stats       the statistics all of them use
//! embed       the phrase encoder labels groups phrases with (model feature)
//! ```

pub mod counts;
pub mod divergence;
#[cfg(feature = "model")]
pub mod embed;
pub mod keyness;
pub mod labels;
pub mod stats;
pub mod suggest;

pub use counts::{keys, Discovery, Key, Scope};

use crate::lexicon::Matcher;

/// What discovery computes and how.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DiscoveryOptions {
    pub keyness: keyness::KeynessOptions,
    pub labels: labels::LabelOptions,
}

/// Discovery's tables, in report order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiscoveryTables {
    pub keyness: Vec<keyness::KeynessRow>,
    pub labels: labels::Labels,
    pub divergence: Vec<divergence::DivergenceRow>,
    /// The phrase names the next run needs ([`Discovery::names_to_keep`]).
    pub names: Vec<(u64, String)>,
    /// Time each step took: `keyness`, `divergence`, `labels`.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Runs every discovery step on a run's accumulator. `concepts` are the
/// lexicon's referent concepts, in lexicon order; `embedder` groups
/// labels by meaning as well as by string when given.
pub fn discover(
    d: &Discovery,
    matcher: &Matcher,
    concepts: &[String],
    embedder: Option<&dyn labels::PhraseEmbedder>,
    options: DiscoveryOptions,
) -> Result<DiscoveryTables, String> {
    let clock = std::time::Instant::now();
    let corpus = d.sum(|_| true);
    let key_cells = counts::key_cells(d);
    let sum_time = clock.elapsed();
    // Three steps apart, side by side: labels' candidate scan and distances
    // are as long as the other two together on a large corpus.
    let (((keyness, keyness_time), (divergence, divergence_time)), (labels, labels_time)) =
        rayon::join(
            || {
                rayon::join(
                    || timed(|| keyness::keyness(d, &corpus, &key_cells, matcher, options.keyness)),
                    || timed(|| divergence::divergence(d, concepts)),
                )
            },
            || timed(|| labels::labels(d, &corpus, &key_cells, matcher, embedder, options.labels)),
        );
    let labels = labels?;
    let names = d.names_to_keep(&corpus);
    Ok(DiscoveryTables {
        keyness,
        labels,
        divergence,
        names,
        timings: vec![
            ("sum", sum_time),
            ("keyness", keyness_time),
            ("divergence", divergence_time),
            ("labels", labels_time),
        ],
    })
}

/// A step's result and the time it took.
fn timed<T>(step: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let clock = std::time::Instant::now();
    (step(), clock.elapsed())
}
