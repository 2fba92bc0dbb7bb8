//! Fine-tuning: `slant model train`.
//!
//! AdamW with linear warm-up and linear decay, gradient clipping at norm 1,
//! cross-entropy on the three classes, optionally weighted by class
//! ([`ClassWeights`]). Batches are formed from length-sorted groups of
//! examples (shuffled groups, shuffled batches), so little compute is spent on
//! padding. The dev sets are scored at the end of every epoch (and every
//! `eval_every` steps if set); the model with the best mean of their macro-F1
//! so far is saved (so that one split cannot choose alone), and training stops
//! after `patience` evaluations without improvement. Everything random
//! (initialisation of the head, dropout, order) follows `seed`; with the same
//! seed and thread count a run gives the same weights. libtorch's generator
//! is process-wide, so two trainings in one process must not run at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tch::nn::OptimizerConfig;
use tch::{nn, Device, Kind, Tensor};

use crate::corpus::sha256_hex;
use crate::disk::atomic::write as write_atomic;
use crate::sentiment::data::{read_jsonl, Example};
use crate::sentiment::encode::{Encoded, Encoder, Marking};
use crate::sentiment::metrics::Scores;
use crate::sentiment::model::{
    configure_threads, read_bert_config, BaseEncoder, Batch, ModelConfig, Net, Pooling,
    PredictionCheck, SentimentModel, CONFIG_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, SLANT_FILE,
    TOKENIZER_FILE, WEIGHTS_FILE,
};
use crate::sentiment::{Polarity, SentimentError, MODEL_HINT};
use average::WeightAverage;
use dev::{evaluate, Dev};
pub use dev::{AveragedRecord, EvalRecord};

mod average;
mod dev;

/// How the loss weighs the three classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeights {
    /// Every example counts the same.
    #[default]
    None,
    /// Class `c` weighs `N / (3 n_c)`: each class counts as much in all.
    Balanced,
    /// The square root of `Balanced`: halfway, in log terms.
    Sqrt,
}

impl ClassWeights {
    /// The weights for training labels `y` (class indices 0..3).
    ///
    /// ```
    /// use slant::sentiment::train::ClassWeights;
    /// let w = ClassWeights::Balanced.weights(&[0, 0, 1, 2]).unwrap();
    /// assert_eq!(w, [4.0 / 6.0, 4.0 / 3.0, 4.0 / 3.0]);
    /// assert_eq!(ClassWeights::None.weights(&[0, 1]), None);
    /// ```
    pub fn weights(self, y: &[i64]) -> Option<[f64; 3]> {
        let mut n = [0usize; 3];
        for &c in y {
            if let Some(slot) = usize::try_from(c).ok().and_then(|c| n.get_mut(c)) {
                *slot += 1;
            }
        }
        let total = y.len() as f64;
        let balanced = n.map(|k| total / (3.0 * k.max(1) as f64));
        match self {
            ClassWeights::None => None,
            ClassWeights::Balanced => Some(balanced),
            ClassWeights::Sqrt => Some(balanced.map(f64::sqrt)),
        }
    }
}

impl std::str::FromStr for ClassWeights {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(ClassWeights::None),
            "balanced" => Ok(ClassWeights::Balanced),
            "sqrt" => Ok(ClassWeights::Sqrt),
            other => Err(format!(
                "unknown class weighting {other:?}: none, balanced or sqrt"
            )),
        }
    }
}

/// Everything `slant model train` takes.
#[derive(Debug, Clone, Serialize)]
pub struct TrainOptions {
    pub train: PathBuf,
    /// Dev sets: the saved model is the one with the best mean macro-F1
    /// over them.
    pub dev: Vec<PathBuf>,
    pub class_weights: ClassWeights,
    /// Folder with `config.json`, `tokenizer.json`, `model.safetensors` of the
    /// base encoder (or a slant model folder, to fine-tune it further).
    pub base: PathBuf,
    pub out: PathBuf,
    pub name: String,
    pub version: String,
    pub base_name: String,
    pub base_source: String,
    pub marking: Marking,
    /// How the head reads the final hidden states.
    pub pooling: Pooling,
    pub max_len: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    /// Fraction of all steps spent warming up.
    pub warmup: f64,
    pub weight_decay: f64,
    pub seed: u64,
    /// Evaluations without improvement before stopping.
    pub patience: usize,
    pub eval_every: Option<usize>,
    /// Train on a seeded random subset of this many examples.
    pub limit: Option<usize>,
    pub max_steps: Option<usize>,
    /// Stop after this step without shortening the learning-rate schedule
    /// (`max_steps` shortens it): reproduces a run that was cut short.
    pub stop_after: Option<usize>,
    /// Also try the mean of the weights at every evaluation from this step
    /// on; it is saved instead of the best single checkpoint when its mean
    /// dev macro-F1 is higher.
    pub average_from: Option<usize>,
    pub threads: usize,
    pub log_every: usize,
    /// Number of dev examples whose predictions are recorded for tests.
    pub check_n: usize,
    /// The command line, recorded in `slant_model.json`.
    pub command: String,
}

/// What a training run did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainSummary {
    pub steps: usize,
    pub best: Option<EvalRecord>,
    pub evals: Vec<EvalRecord>,
    pub seconds: f64,
    /// Scores of the saved model read back from disk on each dev set.
    pub saved_dev: BTreeMap<String, Scores>,
    /// The weight average, when `average_from` asked for one.
    pub averaged: Option<AveragedRecord>,
}

fn encode_all(enc: &Encoder, ex: &[Example], path: &Path) -> Result<Vec<Encoded>, SentimentError> {
    ex.iter()
        .map(|e| {
            enc.encode(&e.target).map_err(|err| SentimentError::Data {
                path: path.to_path_buf(),
                line: e.line,
                reason: err.to_string(),
            })
        })
        .collect()
}

/// Length-bucketed batches: shuffle, sort groups of 50 batches by length,
/// cut into batches, shuffle the batches.
pub(crate) fn bucketed_batches(
    lens: &[usize],
    batch: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<usize>> {
    let mut idx: Vec<usize> = (0..lens.len()).collect();
    idx.shuffle(rng);
    let mut out = Vec::new();
    for group in idx.chunks(batch * 50) {
        let mut g = group.to_vec();
        g.sort_by_key(|&i| lens[i]);
        out.extend(g.chunks(batch).map(|c| c.to_vec()));
    }
    out.shuffle(rng);
    out
}

pub(crate) fn lr_at(step: usize, total: usize, warm: usize, peak: f64) -> f64 {
    if step < warm {
        peak * (step + 1) as f64 / warm as f64
    } else {
        let rest = (total - warm).max(1) as f64;
        peak * ((total.saturating_sub(step)) as f64 / rest).max(0.0)
    }
}

/// Fine-tunes and saves the best model to `opts.out`. `log` receives one line
/// per progress report.
pub fn train(
    opts: &TrainOptions,
    log: &mut dyn FnMut(&str),
) -> Result<TrainSummary, SentimentError> {
    let t0 = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);

    let bert_config = read_bert_config(&opts.base.join(CONFIG_FILE))?;
    let tokenizer_path = opts.base.join(TOKENIZER_FILE);
    let encoder = Encoder::from_file(&tokenizer_path, opts.marking, opts.max_len)?;

    let mut train_ex = read_jsonl(&opts.train)?;
    if let Some(n) = opts.limit {
        train_ex.shuffle(&mut rng);
        train_ex.truncate(n);
    }
    if opts.dev.is_empty() {
        return Err(SentimentError::Torch(
            "training needs at least one dev set".to_string(),
        ));
    }
    let mut devs = Vec::new();
    for path in &opts.dev {
        let examples = read_jsonl(path)?;
        let encoded = encode_all(&encoder, &examples, path)?;
        devs.push(Dev {
            name: data_name(path),
            path: path.clone(),
            gold: examples.iter().map(|e| e.label).collect(),
            examples,
            encoded,
        });
    }
    let train_enc = encode_all(&encoder, &train_ex, &opts.train)?;
    let train_y: Vec<i64> = train_ex.iter().map(|e| e.label.index() as i64).collect();
    let class_weights = opts.class_weights.weights(&train_y);
    let tokens: usize = train_enc.iter().map(|e| e.ids.len()).sum();
    log(&format!(
        "train: {} targets ({} tokens, mean {:.1}), dev: {}; marking {:?}, max_len {}, class weights {:?}",
        train_ex.len(),
        tokens,
        tokens as f64 / train_ex.len().max(1) as f64,
        devs.iter()
            .map(|d| format!("{} {} targets", d.name, d.gold.len()))
            .collect::<Vec<_>>()
            .join(", "),
        opts.marking,
        opts.max_len,
        class_weights,
    ));

    // libtorch's thread count and random generator are process-wide: set them
    // only once the inputs are known good, right before they are used.
    configure_threads(Some(opts.threads));
    tch::manual_seed(opts.seed as i64);
    let mut vs = nn::VarStore::new(Device::Cpu);
    let net = Net::new(&vs.root(), &bert_config, opts.pooling);
    let weights = opts.base.join(WEIGHTS_FILE);
    let missing = vs
        .load_partial(&weights)
        .map_err(|e| SentimentError::BadModel {
            path: weights.clone(),
            reason: e.to_string(),
            hint: MODEL_HINT,
        })?;
    if let Some(m) = missing.iter().find(|m| !m.starts_with("classifier.")) {
        return Err(SentimentError::BadModel {
            path: weights,
            reason: format!("the base encoder has no tensor {m}"),
            hint: "give --base a folder with a BERT model.safetensors whose names have no `bert.` prefix",
        });
    }
    // A slant model folder as base is fp16 on disk.
    vs.float();
    let mut opt = nn::AdamW {
        wd: opts.weight_decay,
        ..Default::default()
    }
    .build(&vs, opts.lr)
    .map_err(|e| SentimentError::Torch(e.to_string()))?;

    let lens: Vec<usize> = train_enc.iter().map(|e| e.ids.len()).collect();
    let per_epoch = train_enc.len().div_ceil(opts.batch_size.max(1));
    let mut total = per_epoch * opts.epochs;
    if let Some(m) = opts.max_steps {
        total = total.min(m);
    }
    let warm = ((total as f64 * opts.warmup).round() as usize).max(1);
    log(&format!(
        "{per_epoch} batches per epoch, {total} steps, {warm} warm-up steps, lr {}, batch {}, seed {}, {} threads",
        opts.lr, opts.batch_size, opts.seed, opts.threads
    ));

    let mut step = 0usize;
    let mut evals: Vec<EvalRecord> = Vec::new();
    let weight = class_weights.map(|w| Tensor::from_slice(&w.map(|x| x as f32)));
    let mut best: Option<(EvalRecord, Vec<Polarity>)> = None;
    let mut average = WeightAverage::new();
    let mut since_best = 0usize;
    let mut loss_sum = 0f64;
    let mut loss_n = 0usize;
    let mut window_sum = 0f64;
    let mut window_n = 0usize;
    let mut window_t = Instant::now();
    let mut window_ex = 0usize;
    let mut stop = false;

    'epochs: for epoch in 0..opts.epochs {
        let batches = bucketed_batches(&lens, opts.batch_size.max(1), &mut rng);
        let n_batches = batches.len();
        for (bi, b) in batches.into_iter().enumerate() {
            if step >= total || opts.stop_after.is_some_and(|s| step >= s) {
                break 'epochs;
            }
            opt.set_lr(lr_at(step, total, warm, opts.lr));
            let items: Vec<&Encoded> = b.iter().map(|&i| &train_enc[i]).collect();
            let batch = Batch::collate(&items);
            let y: Vec<i64> = b.iter().map(|&i| train_y[i]).collect();
            let y = Tensor::from_slice(&y);
            let logits = net.forward(&batch, true)?;
            // Unweighted, the loss is computed as it always was, so that a
            // recorded command still reproduces its model.
            let loss = match &weight {
                None => logits.cross_entropy_for_logits(&y),
                Some(w) => logits.cross_entropy_loss(&y, Some(w), tch::Reduction::Mean, -100, 0.0),
            };
            opt.backward_step_clip_norm(&loss, 1.0);
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(SentimentError::Torch(format!(
                    "loss is {l} at step {step}: lower --lr"
                )));
            }
            loss_sum += l;
            loss_n += 1;
            window_sum += l;
            window_n += 1;
            window_ex += b.len();
            step += 1;
            if step.is_multiple_of(opts.log_every.max(1)) {
                let dt = window_t.elapsed().as_secs_f64();
                log(&format!(
                    "epoch {} step {step}/{total} loss {:.4} lr {:.2e} {:.1} ex/s elapsed {:.0}s",
                    epoch + 1,
                    window_sum / window_n as f64,
                    lr_at(step - 1, total, warm, opts.lr),
                    window_ex as f64 / dt.max(1e-9),
                    t0.elapsed().as_secs_f64()
                ));
                window_sum = 0.0;
                window_n = 0;
                window_ex = 0;
                window_t = Instant::now();
            }
            let end_of_epoch = bi + 1 == n_batches || opts.stop_after == Some(step);
            let periodic = opts.eval_every.is_some_and(|k| step.is_multiple_of(k));
            if end_of_epoch || periodic || step == total {
                let (dev, pred) = evaluate(&net, &devs)?;
                let rec = EvalRecord::new(
                    step,
                    epoch as f64 + (bi + 1) as f64 / n_batches as f64,
                    loss_sum / loss_n.max(1) as f64,
                    dev,
                    t0.elapsed().as_secs_f64(),
                );
                loss_sum = 0.0;
                loss_n = 0;
                let improved = match &best {
                    None => true,
                    Some((b, _)) => rec.dev_macro_f1 > b.dev_macro_f1,
                };
                log(&format!(
                    "eval step {step} epoch {:.2}: train loss {:.4} {}{}",
                    rec.epoch,
                    rec.train_loss,
                    rec.describe(),
                    if improved { " (best, saved)" } else { "" }
                ));
                evals.push(rec.clone());
                if opts.average_from.is_some_and(|from| step >= from) {
                    average.add(&vs, step);
                }
                if improved {
                    let config = model_config(opts, &evals, step, None, None, BTreeMap::new());
                    save_model(&vs, &opts.base, &opts.out, &config)?;
                    best = Some((rec, pred));
                    since_best = 0;
                } else {
                    since_best += 1;
                    if since_best >= opts.patience {
                        log(&format!(
                            "early stop: {since_best} evaluations without improvement"
                        ));
                        stop = true;
                    }
                }
                window_t = Instant::now();
                window_ex = 0;
                if stop {
                    break 'epochs;
                }
            }
        }
    }

    // The mean of the checkpoints from `average_from` on replaces the best
    // single one only when it scores better on the same dev sets.
    let mut averaged = None;
    let best_single_step = best.as_ref().map(|(b, _)| b.step);
    if average.steps().len() >= 2 {
        average.load_into(&mut vs);
        let (dev, pred) = evaluate(&net, &devs)?;
        let rec = EvalRecord::new(
            step,
            step as f64 / per_epoch as f64,
            0.0,
            dev,
            t0.elapsed().as_secs_f64(),
        );
        let better = best
            .as_ref()
            .is_none_or(|(b, _)| rec.dev_macro_f1 > b.dev_macro_f1);
        log(&format!(
            "mean of the weights at {} checkpoints (steps {}): {}{}",
            average.steps().len(),
            average
                .steps()
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            rec.describe(),
            if better {
                " (better than the best single checkpoint, saved)"
            } else {
                " (not better, not saved)"
            }
        ));
        let record = AveragedRecord {
            steps: average.steps().to_vec(),
            dev: rec.dev.clone(),
            dev_macro_f1: rec.dev_macro_f1,
            saved: better,
        };
        if better {
            let best_step = best_single_step.unwrap_or(step);
            let config = model_config(
                opts,
                &evals,
                best_step,
                Some(record.clone()),
                None,
                BTreeMap::new(),
            );
            save_model(&vs, &opts.base, &opts.out, &config)?;
            best = Some((rec, pred));
        }
        averaged = Some(record);
    } else if opts.average_from.is_some() {
        log(&format!(
            "no average: {} checkpoint(s) from step {}",
            average.steps().len(),
            opts.average_from.unwrap_or_default()
        ));
    }

    let mut summary = TrainSummary {
        steps: step,
        best: best.as_ref().map(|(b, _)| b.clone()),
        evals: evals.clone(),
        seconds: t0.elapsed().as_secs_f64(),
        saved_dev: BTreeMap::new(),
        averaged: averaged.clone(),
    };
    let Some((best_rec, best_pred)) = best else {
        return Ok(summary);
    };

    // Score the saved fp16 model as it will be used, and record a sample of
    // its predictions (on the first dev set) next to the f32 ones from
    // training.
    let model = SentimentModel::load(&opts.out)?;
    let mut scores = BTreeMap::new();
    let mut check = None;
    for d in &devs {
        let targets: Vec<_> = d.examples.iter().map(|e| e.target.clone()).collect();
        let saved: Vec<Polarity> = model.score(&targets)?.iter().map(|s| s.label).collect();
        let saved_scores = Scores::compute(&d.gold, &saved);
        if check.is_none() {
            let n = opts.check_n.min(saved.len());
            let agree = saved.iter().zip(&best_pred).filter(|(a, b)| a == b).count();
            log(&format!(
                "saved model (fp16) agrees with the f32 weights on {agree}/{} {} targets",
                saved.len(),
                d.name
            ));
            check = Some(PredictionCheck {
                data: d.path.display().to_string(),
                n,
                labels: saved[..n].to_vec(),
                labels_training: Some(best_pred[..n].to_vec()),
                macro_f1: Scores::compute(&d.gold[..n], &saved[..n]).macro_f1,
            });
        }
        log(&format!(
            "saved model (fp16) on {}: acc {:.4} macro-F1 {:.4}",
            d.name, saved_scores.accuracy, saved_scores.macro_f1,
        ));
        scores.insert(d.name.clone(), saved_scores);
    }
    let best_step = best_single_step.unwrap_or(best_rec.step);
    let config = model_config(opts, &evals, best_step, averaged, check, scores.clone());
    write_json(&opts.out.join(SLANT_FILE), &config)?;
    summary.saved_dev = scores;
    summary.seconds = t0.elapsed().as_secs_f64();
    Ok(summary)
}

/// `dev_rw` for `.../dev_rw.jsonl`.
pub fn data_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

pub(crate) fn file_sha256(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| sha256_hex(&b))
        .unwrap_or_default()
}

fn model_config(
    opts: &TrainOptions,
    evals: &[EvalRecord],
    best_step: usize,
    averaged: Option<AveragedRecord>,
    check: Option<PredictionCheck>,
    scores: BTreeMap<String, Scores>,
) -> ModelConfig {
    let training = serde_json::json!({
        "command": opts.command,
        "train": {"file": opts.train.display().to_string(), "sha256": file_sha256(&opts.train)},
        "dev": opts
            .dev
            .iter()
            .map(|d| serde_json::json!({"file": d.display().to_string(), "sha256": file_sha256(d)}))
            .collect::<Vec<_>>(),
        "class_weights": opts.class_weights,
        "seed": opts.seed,
        "epochs": opts.epochs,
        "batch_size": opts.batch_size,
        "lr": opts.lr,
        "warmup": opts.warmup,
        "weight_decay": opts.weight_decay,
        "patience": opts.patience,
        "eval_every": opts.eval_every,
        "limit": opts.limit,
        "max_steps": opts.max_steps,
        "stop_after": opts.stop_after,
        "threads": opts.threads,
        "best_step": best_step,
        "average_from": opts.average_from,
        "averaged": averaged,
        "evals": evals,
    });
    ModelConfig {
        format: MODEL_FORMAT.into(),
        format_version: MODEL_FORMAT_VERSION,
        name: opts.name.clone(),
        version: opts.version.clone(),
        labels: Polarity::ALL.to_vec(),
        marking: opts.marking,
        max_len: opts.max_len,
        pooling: opts.pooling.as_str().into(),
        base: BaseEncoder {
            name: opts.base_name.clone(),
            source: opts.base_source.clone(),
        },
        training,
        scores,
        check,
    }
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), SentimentError> {
    Ok(write_json_file(path, value)?)
}

/// Writes a model folder: the base's `config.json` and `tokenizer.json`, the
/// weights as fp16 safetensors and `slant_model.json`.
fn save_model(
    vs: &nn::VarStore,
    base: &Path,
    out: &Path,
    config: &ModelConfig,
) -> Result<(), SentimentError> {
    write_weights(vs, base, out)?;
    write_json(&out.join(SLANT_FILE), config)
}

/// Why writing a model folder failed; each model turns it into its own
/// error.
#[derive(Debug)]
pub(crate) enum WriteError {
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    Encode {
        path: PathBuf,
        reason: String,
    },
    Torch(String),
}

impl From<WriteError> for SentimentError {
    fn from(e: WriteError) -> SentimentError {
        match e {
            WriteError::Read { path, error } => SentimentError::MissingModel {
                path,
                reason: error.to_string(),
                hint: MODEL_HINT,
            },
            WriteError::Write { path, error } => SentimentError::Io { path, error },
            WriteError::Encode { path, reason } => {
                SentimentError::Torch(format!("serialising {}: {reason}", path.display()))
            }
            WriteError::Torch(e) => SentimentError::Torch(e),
        }
    }
}

/// `value` as pretty JSON with a final newline, written atomically.
pub(crate) fn write_json_file<T: Serialize>(path: &Path, value: &T) -> Result<(), WriteError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| WriteError::Encode {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    text.push('\n');
    write_atomic(path, text.as_bytes()).map_err(|error| WriteError::Write {
        path: path.to_path_buf(),
        error,
    })
}

/// The part of a model folder every model of slant's has: the base's
/// `config.json` and `tokenizer.json`, copied, and the weights of `vs` as
/// fp16 safetensors (written beside, then renamed into place).
pub(crate) fn write_weights(vs: &nn::VarStore, base: &Path, out: &Path) -> Result<(), WriteError> {
    let write = |path: &Path| {
        let path = path.to_path_buf();
        move |error| WriteError::Write { path, error }
    };
    std::fs::create_dir_all(out).map_err(write(out))?;
    for f in [CONFIG_FILE, TOKENIZER_FILE] {
        let from = base.join(f);
        let bytes = std::fs::read(&from).map_err(|error| WriteError::Read { path: from, error })?;
        write_atomic(&out.join(f), &bytes).map_err(write(&out.join(f)))?;
    }
    let mut named: Vec<(String, Tensor)> = vs
        .variables()
        .into_iter()
        .map(|(k, v)| (k, v.detach().to_kind(Kind::Half)))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let dest = out.join(WEIGHTS_FILE);
    let tmp = out.join(format!(".{WEIGHTS_FILE}.tmp"));
    Tensor::write_safetensors(&named, &tmp).map_err(|e| WriteError::Torch(e.to_string()))?;
    std::fs::rename(&tmp, &dest).map_err(write(&dest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_warms_up_then_decays_to_zero() {
        assert!((lr_at(0, 100, 10, 1.0) - 0.1).abs() < 1e-12);
        assert!((lr_at(9, 100, 10, 1.0) - 1.0).abs() < 1e-12);
        assert!((lr_at(55, 100, 10, 1.0) - 0.5).abs() < 1e-12);
        assert!(lr_at(99, 100, 10, 1.0) > 0.0);
        assert_eq!(lr_at(100, 100, 10, 1.0), 0.0);
    }

    #[test]
    fn batches_cover_every_example_once() {
        let lens: Vec<usize> = (0..1000).map(|i| (i * 37) % 91).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let b = bucketed_batches(&lens, 16, &mut rng);
        let mut all: Vec<usize> = b.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        // Within a batch lengths are close (sorted groups).
        let spread: usize = b
            .iter()
            .map(|x| {
                let l: Vec<usize> = x.iter().map(|&i| lens[i]).collect();
                l.iter().max().unwrap() - l.iter().min().unwrap()
            })
            .sum();
        assert!(spread / b.len() < 10, "mean spread {}", spread / b.len());
    }
}
