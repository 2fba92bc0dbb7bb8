//! `slant model bench`: how fast the model scores (sentence, target) pairs.
//!
//! Pairs come from one of:
//!
//! * `--pairs FILE`: JSONL lines `{"sentence": …, "start": …, "end": …}`
//!   (character offsets), or NewsMTSC JSONL (`sentence_normalized`/`targets`);
//! * `--corpus INPUT`: a corpus as `slant analyze` reads it; the targets are
//!   the mentions the pipeline would score (embedded lexicon), duplicates
//!   included;
//! * `--synthetic N`: N generated news-like sentences with one to three
//!   targets each, deterministic from `--seed`.
//!
//! `--write-pairs` saves the pairs so the Python reference
//! (`scripts/bench_model_python.py`) scores exactly the same ones, and
//! `--write-predictions` saves the results so the two can be compared. The
//! timing covers what the pipeline pays: model load, tokenisation, windowing,
//! de-duplication, batching and the forward passes.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::pipeline::{ModelSummary, RunConfig, SentimentScorer};
use crate::sentiment::{Sentiment, SentimentError, SentimentModel};
use crate::store::OutLock;
use crate::target::Target;

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Model folder [default: the bundled model].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Pairs to score (JSONL; see `slant model bench --help`).
    #[arg(long, conflicts_with_all = ["corpus", "synthetic"])]
    pub pairs: Option<PathBuf>,
    /// A corpus (as for `slant analyze`) whose mentions are scored.
    #[arg(long, conflicts_with = "synthetic")]
    pub corpus: Option<PathBuf>,
    /// Generate this many synthetic sentences.
    #[arg(long)]
    pub synthetic: Option<usize>,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// Write the pairs used (JSONL) here.
    #[arg(long)]
    pub write_pairs: Option<PathBuf>,
    /// Write one JSON line per pair with label and probabilities here.
    #[arg(long)]
    pub write_predictions: Option<PathBuf>,
}

/// One pair in the bench files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairLine {
    pub sentence: String,
    pub start: usize,
    pub end: usize,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SentimentError + '_ {
    move |source| SentimentError::Io {
        path: path.to_path_buf(),
        error: source,
    }
}

/// Reads bench pairs or NewsMTSC data.
pub fn read_pairs(path: &Path) -> Result<Vec<Target>, SentimentError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    if text.contains("\"sentence_normalized\"") {
        return Ok(crate::sentiment::data::read_jsonl(path)?
            .into_iter()
            .map(|e| e.target)
            .collect());
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let p: PairLine = serde_json::from_str(line).map_err(|e| SentimentError::Data {
            path: path.to_path_buf(),
            line: i + 1,
            reason: e.to_string(),
        })?;
        out.push(Target::new(p.sentence, p.start, p.end));
    }
    Ok(out)
}

/// The targets a run of `slant analyze` on `input` (with the embedded
/// lexicon) sends to the model, in the order it sends them: the pipeline
/// itself runs, into a temporary folder, with a scorer that records what it
/// is asked. Identical (sentence, target) pairs within one batch of
/// articles are sent once, as in a real run.
pub fn corpus_pairs(input: &Path) -> Result<Vec<Target>, SentimentError> {
    /// Records the targets and answers neutral.
    struct Recorder(Vec<Target>);
    impl SentimentScorer for Recorder {
        fn score(&mut self, targets: &[Target]) -> Result<Vec<Sentiment>, String> {
            self.0.extend_from_slice(targets);
            Ok(vec![Sentiment::from_probs([0.0, 1.0, 0.0]); targets.len()])
        }
        fn summary(&self) -> ModelSummary {
            ModelSummary {
                name: "target recorder".into(),
                version: String::new(),
                sha256: "recorder".into(),
                scored: self.0.len(),
                cached: 0,
            }
        }
    }
    let data = |e: &dyn std::fmt::Display| SentimentError::Input(e.to_string());
    let out = tempfile::tempdir().map_err(|e| data(&e))?;
    let config = RunConfig {
        inputs: vec![input.to_path_buf()],
        out: out.path().to_path_buf(),
        ..RunConfig::default()
    };
    let lock = OutLock::acquire(&config.out).map_err(|e| data(&e))?;
    let mut recorder = Recorder(Vec::new());
    let summary = crate::pipeline::run(&config, &lock, Some(&mut recorder), None, None)
        .map_err(|e| data(&e))?;
    for skip in &summary.skipped {
        eprintln!("slant: skipped: {skip}");
    }
    Ok(recorder.0)
}

/// `n` generated sentences, one to three targets each.
pub fn synthetic_pairs(n: usize, seed: u64) -> Vec<Target> {
    const ACTORS: &[&str] = &[
        "the government",
        "the opposition party",
        "the army",
        "the rebels",
        "the coalition",
        "the prime minister",
        "the central bank",
        "the union",
        "the foreign ministry",
        "the militia",
        "the police",
        "the mayor",
        "the senator",
        "the protesters",
        "the company",
        "the court",
        "the United Nations",
        "the ambassador",
        "the regional council",
        "the energy minister",
    ];
    const VERBS: &[&str] = &[
        "praised",
        "condemned",
        "met with",
        "criticised",
        "thanked",
        "accused",
        "welcomed",
        "attacked",
        "supported",
        "warned",
        "defended",
        "blamed",
        "congratulated",
        "questioned",
        "negotiated with",
        "rejected the offer of",
        "signed a deal with",
        "mocked",
        "honoured",
        "sued",
    ];
    const TAILS: &[&str] = &[
        "on Tuesday",
        "after a week of talks",
        "in a statement released late in the evening",
        "for its handling of the crisis",
        "over the failed ceasefire and the rising death toll in the north",
        "during a press conference in the capital",
        "for what it called reckless and dangerous behaviour",
        "despite mounting pressure from allies and a string of damaging reports about corruption in the ministry",
        "",
        "while markets fell for a third day",
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for _ in 0..n {
        let a = *ACTORS.choose(&mut rng).unwrap_or(&ACTORS[0]);
        let mut b = *ACTORS.choose(&mut rng).unwrap_or(&ACTORS[1]);
        if a == b {
            b = "its rivals";
        }
        let v = *VERBS.choose(&mut rng).unwrap_or(&VERBS[0]);
        let t = *TAILS.choose(&mut rng).unwrap_or(&TAILS[0]);
        let mut s = format!("{}{} {v} {b}", a[..1].to_uppercase(), &a[1..]);
        if !t.is_empty() {
            s.push(' ');
            s.push_str(t);
        }
        if rng.gen_bool(0.3) {
            let c = *ACTORS.choose(&mut rng).unwrap_or(&ACTORS[2]);
            s.push_str(&format!(
                ", and {c} said the move was {}",
                if rng.gen_bool(0.5) {
                    "a disgrace"
                } else {
                    "long overdue"
                }
            ));
        }
        s.push('.');
        let mut targets = vec![Target::find(&s, &a[4.min(a.len())..]), Target::find(&s, b)];
        if rng.gen_bool(0.5) {
            targets.truncate(1);
        }
        out.extend(targets.into_iter().flatten());
    }
    out
}

/// Runs the benchmark and prints its figures.
pub fn run(args: &BenchArgs) -> Result<(), SentimentError> {
    let targets = if let Some(p) = &args.pairs {
        read_pairs(p)?
    } else if let Some(d) = &args.corpus {
        corpus_pairs(d)?
    } else {
        synthetic_pairs(args.synthetic.unwrap_or(2000), args.seed)
    };
    if let Some(p) = &args.write_pairs {
        let mut f = std::io::BufWriter::new(std::fs::File::create(p).map_err(io(p))?);
        for t in &targets {
            let line = serde_json::to_string(&PairLine {
                sentence: t.sentence.clone(),
                start: t.start,
                end: t.end,
            })
            .map_err(|e| SentimentError::Torch(e.to_string()))?;
            writeln!(f, "{line}").map_err(io(p))?;
        }
        f.flush().map_err(io(p))?;
    }
    let sentences: HashSet<&str> = targets.iter().map(|t| t.sentence.as_str()).collect();
    let unique: HashSet<&Target> = targets.iter().collect();

    let t0 = Instant::now();
    let dir = args
        .model
        .clone()
        .unwrap_or_else(SentimentModel::default_dir);
    let mut model = SentimentModel::load(&dir)?;
    model.set_batch_size(args.batch_size);
    let load = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let results = model.score(&targets)?;
    let score = t1.elapsed().as_secs_f64();
    let total = t0.elapsed().as_secs_f64();

    if let Some(p) = &args.write_predictions {
        let mut f = std::io::BufWriter::new(std::fs::File::create(p).map_err(io(p))?);
        for s in &results {
            writeln!(
                f,
                "{{\"label\":\"{}\",\"probs\":[{},{},{}]}}",
                s.label.as_str(),
                s.probs[0],
                s.probs[1],
                s.probs[2]
            )
            .map_err(io(p))?;
        }
        f.flush().map_err(io(p))?;
    }
    println!(
        "pairs: {} ({} unique), sentences: {}",
        targets.len(),
        unique.len(),
        sentences.len()
    );
    println!(
        "threads: {}, batch size: {}",
        tch::get_num_threads(),
        args.batch_size
    );
    println!("model load: {load:.2}s, scoring: {score:.2}s, total: {total:.2}s");
    println!(
        "throughput (load included): {:.1} sentences/s, {:.1} pairs/s",
        sentences.len() as f64 / total,
        targets.len() as f64 / total
    );
    println!(
        "throughput (scoring only): {:.1} sentences/s, {:.1} pairs/s",
        sentences.len() as f64 / score,
        targets.len() as f64 / score
    );
    if let Some(rss) = crate::bench::peak_rss_bytes().map(|b| b as f64 / 1048576.0) {
        println!("peak RSS: {rss:.0} MiB");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_is_deterministic_and_valid() {
        let a = synthetic_pairs(200, 3);
        assert_eq!(a, synthetic_pairs(200, 3));
        assert!(a.len() >= 200);
        assert!(a.iter().all(|t| t.text().is_some()));
    }

    #[test]
    fn corpus_targets_are_the_mentions_the_pipeline_scores() {
        let dir = tempfile::tempdir().unwrap();
        let outlet = dir.path().join("a");
        std::fs::create_dir_all(&outlet).unwrap();
        std::fs::write(
            outlet.join("1.txt"),
            "The occupation forces stayed. Officials called it a \"mission\".\n",
        )
        .unwrap();
        let targets = corpus_pairs(dir.path()).unwrap();
        let texts: Vec<&str> = targets.iter().filter_map(|t| t.text()).collect();
        // The scare quote is a distancing marker: not a referent to score.
        assert_eq!(texts, ["occupation forces"]);
        assert_eq!(targets[0].sentence, "The occupation forces stayed.");
    }
}
