//! Benchmarks: a synthetic corpus generator, the lexicon + voice stage
//! timed on a corpus, the sentiment model timed on the targets a run sends
//! it, and the lexicon's patterns exported for reference implementations
//! in other languages.
//!
//! What they time is the product's own code: [`stage`] reads through the
//! pipeline's read-ahead and learns repeated lines with its pass 1, and
//! `model` (feature `model`) takes its targets from a real run of the
//! pipeline. The `slant bench` subcommands are thin wrappers around
//! [`gen`], [`stage`] and [`write_terms`]; `scripts/bench.sh` drives them
//! together with the full `slant analyze` command. Figures and the commands
//! that produced them are in the README, section Benchmarks.

pub mod fuzz;
pub mod gen;
#[cfg(feature = "model")]
pub mod model;
#[cfg(feature = "model")]
mod model_compare;
pub mod stage;
mod vocab;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use crate::corpus::CorpusError;
use crate::lexicon::{Lexicon, LexiconError};

/// Why a benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(transparent)]
    Lexicon(#[from] LexiconError),
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("{path} already exists; pass --append (with another seed) to add to it, or choose an empty folder")]
    Exists { path: PathBuf },
    #[error("{path} does not exist: nothing to append to")]
    NothingToAppend { path: PathBuf },
    #[error("the lexicon has no term the generator can place")]
    EmptyLexicon,
    #[error("no lexicon hit in the whole corpus: wrong lexicon or wrong corpus?")]
    NoHits,
}

/// Peak resident set size of this process in bytes (`VmHWM` in
/// `/proc/self/status`), or `None` where the OS does not report it.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}

/// How a pattern in [`write_terms`] output is to be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermFlag {
    /// ASCII letters match regardless of case.
    Insensitive,
    /// Exact case.
    Sensitive,
    /// An exclusion: matched so that shorter terms inside it do not count,
    /// then dropped. Written as in the lexicon (its variants are not
    /// exported).
    Exclusion,
}

impl TermFlag {
    fn as_str(self) -> &'static str {
        match self {
            TermFlag::Insensitive => "i",
            TermFlag::Sensitive => "c",
            TermFlag::Exclusion => "x",
        }
    }
}

/// Every surface form the matcher looks for: all variants of all terms,
/// de-duplicated (case-insensitive forms by their ASCII lowercase), sorted.
pub fn terms(lexicon: &Lexicon) -> Vec<(String, TermFlag)> {
    let mut insensitive: BTreeSet<String> = BTreeSet::new();
    let mut out: BTreeSet<(String, TermFlag)> = BTreeSet::new();
    for (i, e) in lexicon.entries().iter().enumerate() {
        for v in lexicon.variants(i) {
            if e.case_sensitive {
                out.insert((v, TermFlag::Sensitive));
            } else if insensitive.insert(v.to_ascii_lowercase()) {
                out.insert((v, TermFlag::Insensitive));
            }
        }
    }
    for x in lexicon.exclusions() {
        out.insert((x.term.clone(), TermFlag::Exclusion));
    }
    out.into_iter().collect()
}

/// Writes [`terms`] as `PATTERN<TAB>FLAG` lines, FLAG one of `i`
/// (ASCII case-insensitive), `c` (case-sensitive), `x` (exclusion).
///
/// ```
/// use slant::bench::write_terms;
/// use slant::lexicon::Lexicon;
///
/// let mut out = Vec::new();
/// let n = write_terms(&Lexicon::embedded(), &mut out)?;
/// let text = String::from_utf8(out).unwrap();
/// assert_eq!(text.lines().count(), n);
/// assert!(text.lines().all(|l| l.ends_with("\ti") || l.ends_with("\tc") || l.ends_with("\tx")));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_terms(lexicon: &Lexicon, out: &mut impl Write) -> std::io::Result<usize> {
    let terms = terms(lexicon);
    for (t, flag) in &terms {
        // Terms hold no tab or line break: the lexicon validator refuses
        // them, and the matcher could never find them.
        writeln!(out, "{t}\t{}", flag.as_str())?;
    }
    Ok(terms.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_reported_on_linux() {
        if cfg!(target_os = "linux") {
            let rss = peak_rss_bytes().expect("VmHWM");
            assert!(rss > 1024 * 1024, "{rss}");
        }
    }

    #[test]
    fn exported_terms_cover_the_automaton() {
        let lexicon = Lexicon::embedded();
        let matcher = lexicon.compile().expect("compiles");
        let terms = terms(&lexicon);
        let patterns = terms
            .iter()
            .filter(|(_, f)| *f != TermFlag::Exclusion)
            .count();
        // The automaton also holds the exclusions' variants; the export
        // holds every term variant once.
        assert!(patterns > 0);
        assert!(
            patterns <= matcher.patterns_len(),
            "{patterns} > {}",
            matcher.patterns_len()
        );
        // Every exported pattern is found by the matcher in isolation
        // (unless an exclusion or a longer pattern claims it).
        let found = terms
            .iter()
            .filter(|(t, f)| *f != TermFlag::Exclusion && !matcher.find(t).is_empty())
            .count();
        assert!(found * 100 >= patterns * 95, "{found} of {patterns} found");
    }
}
