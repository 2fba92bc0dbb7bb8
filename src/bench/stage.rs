//! Throughput of the lexicon + voice stage on a corpus.
//!
//! [`run`] streams the corpus once through [`analyze_article`] (text
//! preparation, sentences, voice, matching, mentions) on a rayon pool,
//! reading through the pipeline's own bounded read-ahead, so memory stays
//! at a few chunks of articles. A second, single-threaded pass over the
//! first articles splits the time between the parts of the stage, and
//! times [`Matcher::find`] alone on the original text: the figure to set
//! against a Python matcher doing the same.
//!
//! Lines repeated across an outlet's articles are boilerplate
//! ([`RepeatedLines`]); [`run`] learns them with the pipeline's pass 1, the
//! same rule `slant analyze` uses, before the timed pass (and times that
//! too).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use foldhash::HashMap;
use rayon::prelude::*;
use serde::Serialize;

use super::{peak_rss_bytes, BenchError};
use crate::analyze::analyze_article;
use crate::corpus::{Article, Corpus, OutletId};
use crate::lexicon::{Lexicon, Matcher};
use crate::pipeline::plan::plan_articles;
use crate::pipeline::read_ahead::read_ahead;
use crate::store::PreviousCache;
use crate::text::{PreparedText, RepeatedLines};

/// What to measure.
#[derive(Debug, Clone)]
pub struct StageConfig {
    pub inputs: Vec<PathBuf>,
    /// Lexicon files; empty for the embedded lexicon.
    pub lexicons: Vec<PathBuf>,
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    /// Articles per chunk handed from the reader to the workers.
    pub chunk: usize,
    /// Stop after this many articles.
    pub limit: Option<usize>,
    /// Articles timed part by part on one thread (0 to skip).
    pub breakdown: usize,
}

impl Default for StageConfig {
    fn default() -> StageConfig {
        StageConfig {
            inputs: Vec::new(),
            lexicons: Vec::new(),
            threads: 0,
            chunk: 512,
            limit: None,
            breakdown: 5000,
        }
    }
}

/// A timed piece of work.
#[derive(Debug, Clone, Serialize)]
pub struct Throughput {
    pub name: String,
    pub threads: usize,
    pub articles: usize,
    pub bytes: u64,
    pub seconds: f64,
}

impl Throughput {
    fn new(name: &str, threads: usize, articles: usize, bytes: u64, d: Duration) -> Throughput {
        Throughput {
            name: name.to_string(),
            threads,
            articles,
            bytes,
            seconds: d.as_secs_f64(),
        }
    }

    pub fn articles_per_s(&self) -> f64 {
        self.articles as f64 / self.seconds.max(1e-9)
    }

    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.seconds.max(1e-9)
    }
}

impl std::fmt::Display for Throughput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<34} {:>2} thr {:>8} art {:>9.1} MB {:>8.2} s {:>10.0} art/s {:>8.2} MB/s",
            self.name,
            self.threads,
            self.articles,
            self.bytes as f64 / 1e6,
            self.seconds,
            self.articles_per_s(),
            self.mb_per_s()
        )
    }
}

/// The results of [`run`].
#[derive(Debug, Clone, Serialize)]
pub struct StageReport {
    pub threads: usize,
    pub articles: usize,
    pub bytes: u64,
    pub words: u64,
    pub mentions: u64,
    pub mentions_by_voice: [u64; 3],
    pub skipped: usize,
    pub patterns: usize,
    pub automaton_bytes: usize,
    /// The pipeline's pass 1 over the whole corpus: reading, dropping
    /// copies, learning repeated lines.
    pub repeated: Throughput,
    /// Reading and decoding alone, measured inside the reader thread
    /// (overlaps with `stage`).
    pub read: Throughput,
    /// The headline figure: the whole streaming pass, reading included.
    pub stage: Throughput,
    /// One-thread breakdown on the first articles.
    pub breakdown: Vec<Throughput>,
    /// Peak resident set (VmHWM) at the end, when the OS reports it.
    pub peak_rss_bytes: Option<u64>,
}

impl std::fmt::Display for StageReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "corpus: {} articles, {:.1} MB, {} words; {} skipped",
            self.articles,
            self.bytes as f64 / 1e6,
            self.words,
            self.skipped
        )?;
        writeln!(
            f,
            "lexicon: {} patterns, automaton {:.1} MB",
            self.patterns,
            self.automaton_bytes as f64 / 1e6
        )?;
        let per_100 = self.mentions as f64 * 100.0 / (self.words.max(1)) as f64;
        writeln!(
            f,
            "mentions: {} ({per_100:.2} per 100 words; own {}, quoted {}, attributed {})",
            self.mentions,
            self.mentions_by_voice[0],
            self.mentions_by_voice[1],
            self.mentions_by_voice[2]
        )?;
        writeln!(f, "{}", self.repeated)?;
        writeln!(f, "{}", self.read)?;
        writeln!(f, "{}", self.stage)?;
        for p in &self.breakdown {
            writeln!(f, "{p}")?;
        }
        match self.peak_rss_bytes {
            Some(b) => write!(f, "peak RSS (VmHWM): {:.1} MiB", b as f64 / 1048576.0),
            None => write!(f, "peak RSS: not reported by this OS"),
        }
    }
}

/// Runs the benchmark described in the module docs.
pub fn run(config: &StageConfig) -> Result<StageReport, BenchError> {
    let threads = if config.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        config.threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BenchError::Io {
            path: PathBuf::from("<thread pool>"),
            error: std::io::Error::other(e),
        })?;
    let lexicon = if config.lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        Lexicon::load(&config.lexicons)?
    };
    let matcher = lexicon.compile()?;
    let limit = config.limit.unwrap_or(usize::MAX);

    // Repeated lines as a run learns them: the pipeline's pass 1.
    let clock = Instant::now();
    let corpus = Corpus::open(&config.inputs)?;
    let previous = PreviousCache::default();
    let plan = plan_articles(&corpus, &previous, &indicatif::ProgressBar::hidden());
    let repeated_t = Throughput::new(
        "pass 1 (read + repeated lines)",
        threads,
        plan.kept.len(),
        plan.bytes as u64,
        clock.elapsed(),
    );
    let repeated = plan.repeated;
    let empty = RepeatedLines::empty();

    // The timed streaming pass, read through the pipeline's read-ahead.
    let clock = Instant::now();
    let corpus = Corpus::open(&config.inputs)?;
    let chunk = config.chunk.max(1);
    let read_ns = AtomicU64::new(0);
    let (mut articles, mut bytes, mut skipped) = (0usize, 0u64, 0usize);
    let mut totals = Totals::default();
    read_ahead(
        || corpus.entries(),
        |entry| {
            let t = Instant::now();
            let read = entry.read();
            read_ns.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            read
        },
        |read| read.as_ref().map_or(0, |a| a.text.len()),
        |items| {
            let mut batch: Vec<Article> = Vec::with_capacity(chunk);
            let mut analyse = |batch: &mut Vec<Article>| {
                let part = pool.install(|| {
                    batch
                        .par_iter()
                        .map(|a| {
                            let r = repeated.get(&a.outlet).unwrap_or(&empty);
                            Totals::of(&analyze_article(a, r, &matcher))
                        })
                        .reduce(Totals::default, Totals::merge)
                });
                totals = totals.merge(part);
                batch.clear();
            };
            for item in items {
                match item {
                    Ok(a) => {
                        articles += 1;
                        bytes += a.text.len() as u64;
                        batch.push(a);
                    }
                    Err(_) => skipped += 1,
                }
                if batch.len() == chunk {
                    analyse(&mut batch);
                }
                if articles >= limit {
                    break;
                }
            }
            analyse(&mut batch);
        },
    );
    let stage = Throughput::new(
        "lexicon+voice stage (stream)",
        threads,
        articles,
        bytes,
        clock.elapsed(),
    );
    let read = Throughput::new(
        "  of which reading (reader thread)",
        1,
        articles,
        bytes,
        Duration::from_nanos(read_ns.load(Ordering::Relaxed)),
    );

    let breakdown = if config.breakdown > 0 {
        breakdown(config, &matcher, &repeated, limit.min(config.breakdown))?
    } else {
        Vec::new()
    };

    Ok(StageReport {
        threads,
        articles,
        bytes,
        words: totals.words,
        mentions: totals.mentions,
        mentions_by_voice: totals.by_voice,
        skipped,
        patterns: matcher.patterns_len(),
        automaton_bytes: matcher.memory_usage(),
        repeated: repeated_t,
        read,
        stage,
        breakdown,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// One thread, the first `n` articles in memory, each part timed alone.
fn breakdown(
    config: &StageConfig,
    matcher: &Matcher,
    repeated: &HashMap<OutletId, RepeatedLines>,
    n: usize,
) -> Result<Vec<Throughput>, BenchError> {
    let corpus = Corpus::open(&config.inputs)?;
    let articles: Vec<Article> = corpus.articles().flatten().take(n).collect();
    let bytes: u64 = articles.iter().map(|a| a.text.len() as u64).sum();
    let empty = RepeatedLines::empty();
    let rep = |a: &Article| repeated.get(&a.outlet).unwrap_or(&empty);
    let mut out = Vec::new();

    let t = Instant::now();
    let prepared: Vec<PreparedText> = articles
        .iter()
        .map(|a| PreparedText::prepare(&a.text, rep(a)))
        .collect();
    out.push(Throughput::new(
        "  text prepare (normalise+sentences+voice)",
        1,
        articles.len(),
        bytes,
        t.elapsed(),
    ));

    let t = Instant::now();
    let hits: usize = prepared
        .iter()
        .map(|p| matcher.find(&p.normalized).len())
        .sum();
    out.push(Throughput::new(
        "  match (normalised text)",
        1,
        articles.len(),
        bytes,
        t.elapsed(),
    ));
    drop(prepared);

    let t = Instant::now();
    let mentions: usize = articles
        .iter()
        .map(|a| analyze_article(a, rep(a), matcher).mentions.len())
        .sum();
    out.push(Throughput::new(
        "  whole stage (analyze_article)",
        1,
        articles.len(),
        bytes,
        t.elapsed(),
    ));

    let t = Instant::now();
    let raw_hits: usize = articles.iter().map(|a| matcher.find(&a.text).len()).sum();
    out.push(Throughput::new(
        "  match only, original text",
        1,
        articles.len(),
        bytes,
        t.elapsed(),
    ));
    // Keeps the optimiser from dropping the work, and is a sanity check
    // worth seeing next to the timings.
    if hits == 0 && mentions == 0 && raw_hits == 0 && !articles.is_empty() {
        return Err(BenchError::NoHits);
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    words: u64,
    mentions: u64,
    by_voice: [u64; 3],
}

impl Totals {
    fn of(a: &crate::analyze::ArticleAnalysis) -> Totals {
        let mut by_voice = [0u64; 3];
        for m in &a.mentions {
            by_voice[m.voice as usize] += 1;
        }
        Totals {
            words: a.words as u64,
            mentions: a.mentions.len() as u64,
            by_voice,
        }
    }

    fn merge(self, o: Totals) -> Totals {
        Totals {
            words: self.words + o.words,
            mentions: self.mentions + o.mentions,
            by_voice: [
                self.by_voice[0] + o.by_voice[0],
                self.by_voice[1] + o.by_voice[1],
                self.by_voice[2] + o.by_voice[2],
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::gen::{generate, GenConfig};

    #[test]
    fn stage_counts_every_generated_article() {
        let dir = tempfile::tempdir().expect("tempdir");
        let lexicon = Lexicon::embedded();
        let gen = GenConfig {
            articles: 30,
            outlets: 3,
            seed: 5,
            ..GenConfig::default()
        };
        let summary = generate(&gen, &lexicon, dir.path()).expect("gen");
        let config = StageConfig {
            inputs: vec![dir.path().to_path_buf()],
            threads: 2,
            chunk: 7,
            breakdown: 10,
            ..StageConfig::default()
        };
        let report = run(&config).expect("bench");
        assert_eq!(report.articles, 30);
        assert_eq!(report.bytes, summary.bytes);
        assert_eq!(report.skipped, 0);
        assert!(report.mentions > 30, "{}", report.mentions);
        assert_eq!(
            report.mentions_by_voice.iter().sum::<u64>(),
            report.mentions
        );
        assert!(report.mentions_by_voice[1] > 0, "no quoted mention");
        assert_eq!(report.breakdown.len(), 4);
        assert!(report.breakdown.iter().all(|p| p.articles == 10));

        let limited = run(&StageConfig {
            limit: Some(12),
            breakdown: 0,
            ..config
        })
        .expect("bench");
        assert_eq!(limited.articles, 12);
        assert!(limited.breakdown.is_empty());
    }
}
