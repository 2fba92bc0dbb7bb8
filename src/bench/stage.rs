//! Throughput of the lexicon + voice stage on a corpus.
//!
//! [`run`] streams the corpus once through [`analyze_article`] (text
//! preparation, sentences, voice, matching, mentions) on a rayon pool, with
//! one thread reading ahead through a bounded channel, so memory stays at a
//! few chunks of articles. A second, single-threaded pass over the first
//! articles splits the time between the parts of the stage, and times
//! [`Matcher::find`] alone on the original text: the figure to set against
//! a Python matcher doing the same.
//!
//! Lines repeated across an outlet's articles are boilerplate
//! ([`RepeatedLines`]); finding them needs the outlet's texts side by side,
//! so [`run`] builds them from a sample of each outlet's first articles
//! before the timed pass (and times that too).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;

use super::{peak_rss_bytes, BenchError};
use crate::analyze::analyze_article;
use crate::corpus::{Article, Corpus, OutletId};
use crate::lexicon::{Lexicon, Matcher};
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
    /// Articles per outlet used to find repeated lines.
    pub repeated_sample: usize,
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
            repeated_sample: 500,
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
    /// Finding repeated lines in the sample (read + build).
    pub repeated: Throughput,
    /// Reading and decoding alone, measured inside the reader thread
    /// (overlaps with `stage`).
    pub read: Throughput,
    /// The headline figure: the whole streaming pass, reading included.
    pub stage: Throughput,
    /// One-thread breakdown on the first articles.
    pub parts: Vec<Throughput>,
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
        for p in &self.parts {
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
            source: std::io::Error::other(e),
        })?;
    let lexicon = if config.lexicons.is_empty() {
        Lexicon::embedded()
    } else {
        Lexicon::load(&config.lexicons)?
    };
    let matcher = lexicon.compile()?;
    let limit = config.limit.unwrap_or(usize::MAX);

    // Repeated lines from a sample of each outlet's first articles.
    let clock = Instant::now();
    let corpus = Corpus::open(&config.inputs)?;
    let mut sample: BTreeMap<OutletId, Vec<String>> = BTreeMap::new();
    let (mut sample_articles, mut sample_bytes) = (0, 0u64);
    for article in corpus.articles().flatten().take(limit) {
        let texts = sample.entry(article.outlet.clone()).or_default();
        if texts.len() < config.repeated_sample {
            sample_articles += 1;
            sample_bytes += article.text.len() as u64;
            texts.push(article.text);
        }
    }
    let repeated: BTreeMap<OutletId, RepeatedLines> = sample
        .iter()
        .map(|(o, texts)| {
            (
                o.clone(),
                RepeatedLines::from_texts(texts.iter().map(String::as_str)),
            )
        })
        .collect();
    drop(sample);
    let repeated_t = Throughput::new(
        "repeated lines (sample, read+build)",
        1,
        sample_articles,
        sample_bytes,
        clock.elapsed(),
    );
    let empty = RepeatedLines::empty();

    // The timed streaming pass.
    let clock = Instant::now();
    let corpus = Corpus::open(&config.inputs)?;
    let chunk = config.chunk.max(1);
    let (tx, rx) = sync_channel::<Vec<Article>>(2);
    let reader = std::thread::spawn(move || {
        let mut busy = Duration::ZERO;
        let (mut articles, mut bytes, mut skipped) = (0usize, 0u64, 0usize);
        let mut batch = Vec::with_capacity(chunk);
        let mut t = Instant::now();
        for item in corpus.articles() {
            match item {
                Ok(a) => {
                    articles += 1;
                    bytes += a.text.len() as u64;
                    batch.push(a);
                }
                Err(_) => skipped += 1,
            }
            if batch.len() == chunk || articles >= limit {
                busy += t.elapsed();
                let full = std::mem::replace(&mut batch, Vec::with_capacity(chunk));
                if tx.send(full).is_err() {
                    break;
                }
                t = Instant::now();
            }
            if articles >= limit {
                break;
            }
        }
        busy += t.elapsed();
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
        (articles, bytes, skipped, busy)
    });
    let mut totals = Totals::default();
    for batch in rx {
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
    }
    let (articles, bytes, skipped, read_busy) = reader.join().map_err(|_| BenchError::Io {
        path: PathBuf::from("<reader thread>"),
        source: std::io::Error::other("the reader thread panicked"),
    })?;
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
        read_busy,
    );

    let parts = if config.breakdown > 0 {
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
        parts,
        peak_rss_bytes: peak_rss_bytes(),
    })
}

/// One thread, the first `n` articles in memory, each part timed alone.
fn breakdown(
    config: &StageConfig,
    matcher: &Matcher,
    repeated: &BTreeMap<OutletId, RepeatedLines>,
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
        assert_eq!(report.parts.len(), 4);
        assert!(report.parts.iter().all(|p| p.articles == 10));

        let limited = run(&StageConfig {
            limit: Some(12),
            breakdown: 0,
            ..config
        })
        .expect("bench");
        assert_eq!(limited.articles, 12);
        assert!(limited.parts.is_empty());
    }
}
