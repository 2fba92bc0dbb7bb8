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
//!
//! `--paths f32,int8` times several ways of scoring side by side on the
//! same pairs, each in its own process (so each has its own peak RSS), in
//! turns (`--rounds`), and prints one table with the ratios and how often
//! their labels agree: see [`super::model_compare`].

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::pipeline::{ModelSummary, RunConfig, SentimentScorer};
use crate::sentiment::{InferenceArgs, Precision, Sentiment, SentimentError, SentimentModel};
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
    #[arg(long, default_value_t = crate::sentiment::DEFAULT_BATCH_SIZE)]
    pub batch_size: usize,
    /// Write the pairs used (JSONL) here.
    #[arg(long)]
    pub write_pairs: Option<PathBuf>,
    /// Write one JSON line per pair with label and probabilities here
    /// (with --paths: the first path's).
    #[arg(long)]
    pub write_predictions: Option<PathBuf>,
    #[command(flatten)]
    pub inference: InferenceArgs,
    /// libtorch threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Time these ways of scoring side by side, each `PRECISION` or
    /// `PRECISION:MAX_LEN` (e.g. `f32,int8,int8:96`); the first is the
    /// baseline of the ratios.
    #[arg(long, value_delimiter = ',')]
    pub paths: Vec<PathSpec>,
    /// With --paths: time each path this many times, in turns; the fastest
    /// run of each is reported.
    #[arg(long, default_value_t = 1)]
    pub rounds: usize,
    /// Also score this NewsMTSC file (after timing) and report macro-F1;
    /// repeatable.
    #[arg(long)]
    pub dev: Vec<PathBuf>,
    /// Write the figures as JSON here.
    #[arg(long)]
    pub summary_json: Option<PathBuf>,
}

/// One way of scoring for `--paths`: a precision and an optional window.
///
/// ```
/// use slant::bench::model::PathSpec;
/// use slant::sentiment::Precision;
/// let p: PathSpec = "int8:96".parse().unwrap();
/// assert_eq!((p.precision, p.max_len), (Precision::Int8, Some(96)));
/// assert_eq!(p.to_string(), "int8:96");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathSpec {
    pub precision: Precision,
    pub max_len: Option<usize>,
}

impl std::str::FromStr for PathSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (p, m) = match s.split_once(':') {
            Some((p, m)) => (
                p,
                Some(
                    m.parse::<usize>()
                        .map_err(|e| format!("bad max_len in {s:?}: {e}"))?,
                ),
            ),
            None => (s, None),
        };
        Ok(PathSpec {
            precision: p.parse()?,
            max_len: m,
        })
    }
}

impl std::fmt::Display for PathSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.max_len {
            Some(m) => write!(f, "{}:{m}", self.precision),
            None => write!(f, "{}", self.precision),
        }
    }
}

/// What one timed run measured (`--summary-json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Figures {
    pub precision: Precision,
    pub max_len: usize,
    pub threads: usize,
    pub batch_size: usize,
    pub pairs: usize,
    pub unique: usize,
    pub sentences: usize,
    pub load_s: f64,
    pub score_s: f64,
    pub total_s: f64,
    pub peak_rss_mib: Option<f64>,
    /// Macro-F1 and accuracy on each `--dev` file, by its name.
    pub dev: Vec<DevScore>,
}

/// Scores on one `--dev` file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DevScore {
    pub name: String,
    pub n: usize,
    pub macro_f1: f64,
    pub accuracy: f64,
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
                precision: String::new(),
                max_len: 0,
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

/// Writes `targets` as bench pairs (JSONL) to `path`.
pub fn write_pairs(path: &Path, targets: &[Target]) -> Result<(), SentimentError> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).map_err(io(path))?);
    for t in targets {
        let line = serde_json::to_string(&PairLine {
            sentence: t.sentence.clone(),
            start: t.start,
            end: t.end,
        })
        .map_err(|e| SentimentError::Input(e.to_string()))?;
        writeln!(f, "{line}").map_err(io(path))?;
    }
    f.flush().map_err(io(path))
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
        write_pairs(p, &targets)?;
    }
    if !args.paths.is_empty() {
        return super::model_compare::run(args, &targets);
    }
    let sentences: HashSet<&str> = targets.iter().map(|t| t.sentence.as_str()).collect();
    let unique: HashSet<&Target> = targets.iter().collect();

    let t0 = Instant::now();
    let dir = args
        .model
        .clone()
        .unwrap_or_else(SentimentModel::default_dir);
    let mut model = SentimentModel::load_with(&dir, args.inference.into())?;
    if let Some(n) = args.threads {
        model.set_threads(n);
    }
    model.set_batch_size(args.batch_size);
    let load = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let results = model.score(&targets)?;
    let score = t1.elapsed().as_secs_f64();
    let total = t0.elapsed().as_secs_f64();
    let peak_rss_mib = crate::bench::peak_rss_bytes().map(|b| b as f64 / 1048576.0);

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
    let info = model.info();
    let mut dev = Vec::new();
    for path in &args.dev {
        let ex = crate::sentiment::data::read_jsonl(path)?;
        let targets: Vec<Target> = ex.iter().map(|e| e.target.clone()).collect();
        let labels: Vec<_> = model.score(&targets)?.iter().map(|s| s.label).collect();
        let gold: Vec<_> = ex.iter().map(|e| e.label).collect();
        let s = crate::sentiment::metrics::Scores::compute(&gold, &labels);
        dev.push(DevScore {
            name: path.file_stem().map_or_else(
                || path.display().to_string(),
                |s| s.to_string_lossy().into(),
            ),
            n: s.n,
            macro_f1: s.macro_f1,
            accuracy: s.accuracy,
        });
    }
    let figures = Figures {
        precision: info.precision,
        max_len: info.max_len,
        threads: usize::try_from(tch::get_num_threads()).unwrap_or(1),
        batch_size: args.batch_size,
        pairs: targets.len(),
        unique: unique.len(),
        sentences: sentences.len(),
        load_s: load,
        score_s: score,
        total_s: total,
        peak_rss_mib,
        dev,
    };
    println!(
        "pairs: {} ({} unique), sentences: {}",
        targets.len(),
        unique.len(),
        sentences.len()
    );
    println!(
        "precision: {}, max_len: {}, threads: {}, batch size: {}",
        figures.precision, figures.max_len, figures.threads, args.batch_size
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
    if let Some(rss) = peak_rss_mib {
        println!("peak RSS: {rss:.0} MiB");
    }
    for d in &figures.dev {
        println!(
            "{}: macro-F1 {:.4}, accuracy {:.4} (n = {})",
            d.name, d.macro_f1, d.accuracy, d.n
        );
    }
    if let Some(p) = &args.summary_json {
        let text =
            serde_json::to_string(&figures).map_err(|e| SentimentError::Input(e.to_string()))?;
        std::fs::write(p, text).map_err(io(p))?;
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
