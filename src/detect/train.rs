//! Fine-tuning on BABE: `slant model train-detector`.
//!
//! The data is BABE's labelled sentences (`No agreement` left out) in the
//! train split ([`crate::corpus::babe::is_dev`] false); of those, the
//! [`is_tune`] sentences choose the checkpoint and the two thresholds and
//! the rest are trained on. The dev split is scored once, on the saved
//! model, for the record; nothing is chosen on it.
//!
//! Loss: binary cross-entropy of each word's first token against "an
//! annotator marked this word" (a word is marked when its [`word_key`]
//! is a word of a `biased_words` item), averaged over the words of the
//! batch, plus binary cross-entropy of the sentence logit against the
//! Biased label. Optimiser, schedule and batching are the sentiment
//! model's (AdamW, linear warm-up and decay, clipping at norm 1,
//! length-bucketed batches).
//!
//! After each epoch the tune sentences are scored; the checkpoint kept is
//! the one with the best mean of the sentence macro-F1 and the word F1,
//! each at its best threshold on a 0.05 grid.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tch::nn::OptimizerConfig;
use tch::{nn, Device, Kind, Reduction, Tensor};

use super::encode::{word_counts, word_key, word_keys, EncodedSentence, WordEncoder};
use super::model::{
    predict, read_bert_config, Batch, DetectorConfig, Net, CONFIG_FILE, FORMAT, FORMAT_VERSION,
    SLANT_FILE, TOKENIZER_FILE, WEIGHTS_FILE,
};
use super::{DetectError, Detector, Tagged, Tagger};
use crate::corpus::babe::{self, is_dev, is_tune, Bias, Sentence};
use crate::metrics::{Confusion, Counts};
use crate::sentiment::train::{
    bucketed_batches, file_sha256, lr_at, write_json_file, write_weights, WriteError,
};
use crate::sentiment::BaseEncoder;

/// Everything `slant model train-detector` takes.
#[derive(Debug, Clone, Serialize)]
pub struct TrainOptions {
    /// BABE's `final_labels_SG2.csv`.
    pub data: PathBuf,
    /// Base encoder folder (`config.json`, `tokenizer.json`,
    /// `model.safetensors`).
    pub base: PathBuf,
    pub out: PathBuf,
    pub name: String,
    pub version: String,
    pub base_name: String,
    pub base_source: String,
    pub max_len: usize,
    pub epochs: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub warmup: f64,
    pub weight_decay: f64,
    pub seed: u64,
    pub threads: usize,
    pub log_every: usize,
    /// Train on a seeded subset of this many sentences (smoke runs).
    pub limit: Option<usize>,
    pub command: String,
}

/// Scores of a detector on a set of sentences, each at its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DetectScores {
    pub sentences: usize,
    pub sentence_threshold: f32,
    pub sentence_accuracy: f64,
    pub sentence_macro_f1: f64,
    pub word_threshold: f32,
    pub word_precision: f64,
    pub word_recall: f64,
    pub word_f1: f64,
}

/// One evaluation on the tune sentences during training.
#[derive(Debug, Clone, Serialize)]
pub struct EvalRecord {
    pub step: usize,
    pub epoch: usize,
    pub train_loss: f64,
    pub tune: DetectScores,
    pub seconds: f64,
}

/// What a training run did.
#[derive(Debug, Clone, Serialize)]
pub struct TrainSummary {
    pub steps: usize,
    pub evals: Vec<EvalRecord>,
    pub best: Option<EvalRecord>,
    /// The saved (fp16) model on the tune and dev sentences.
    pub saved_tune: Option<DetectScores>,
    pub saved_dev: Option<DetectScores>,
    pub seconds: f64,
}

/// The gold word keys of a sentence: the words of its `biased_words` items.
pub fn gold_words(sentence: &Sentence) -> BTreeSet<String> {
    sentence
        .biased_words
        .iter()
        .flat_map(|item| word_keys(item))
        .collect()
}

/// Sentence and word scores of predictions at fixed thresholds, counted as
/// `slant eval loaded` counts them: the words of the [`Tagged::hits`], a
/// word key once per sentence.
pub fn score_at(
    sentences: &[Sentence],
    tagged: &[Tagged],
    sentence_threshold: f32,
    word_threshold: f32,
) -> (Confusion<2>, Counts) {
    let mut confusion = Confusion::new();
    let mut words = Counts::default();
    for (s, t) in sentences.iter().zip(tagged) {
        if let Some(gold) = s.label {
            let predicted = if t.sentence >= sentence_threshold {
                Bias::Biased
            } else {
                Bias::NonBiased
            };
            confusion.add(gold.index(), predicted.index());
        }
        let hits: Vec<String> = t
            .hits(&s.text, word_threshold)
            .into_iter()
            .map(|(r, _)| s.text[r].to_string())
            .collect();
        words += word_counts(&s.biased_words, &hits);
    }
    (confusion, words)
}

fn scores(
    sentences: &[Sentence],
    tagged: &[Tagged],
    sentence_threshold: f32,
    word_threshold: f32,
) -> DetectScores {
    let (c, w) = score_at(sentences, tagged, sentence_threshold, word_threshold);
    DetectScores {
        sentences: c.n(),
        sentence_threshold,
        sentence_accuracy: c.accuracy(),
        sentence_macro_f1: c.macro_f1(),
        word_threshold,
        word_precision: w.precision(),
        word_recall: w.recall(),
        word_f1: w.f1(),
    }
}

/// The thresholds on a 0.05 grid that give the best sentence macro-F1 and
/// the best word F1 (the lower threshold on a tie).
pub fn best_scores(sentences: &[Sentence], tagged: &[Tagged]) -> DetectScores {
    let grid: Vec<f32> = (1..20).map(|i| i as f32 * 0.05).collect();
    let best_sentence = grid
        .iter()
        .map(|&t| (t, score_at(sentences, tagged, t, 1.1).0.macro_f1()))
        .fold((0.5, f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
        .0;
    let best_word = grid
        .iter()
        .map(|&t| (t, score_at(sentences, tagged, 1.1, t).1.f1()))
        .fold((0.5, f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
        .0;
    scores(sentences, tagged, best_sentence, best_word)
}

struct Example {
    encoded: EncodedSentence,
    /// Per word: 1.0 marked, 0.0 not.
    word_labels: Vec<f32>,
    biased: f32,
}

fn example(encoder: &WordEncoder, s: &Sentence) -> Result<Example, DetectError> {
    let encoded = encoder.encode(&s.text)?;
    let gold = gold_words(s);
    let word_labels = encoded
        .words
        .iter()
        .map(|r| f32::from(u8::from(gold.contains(&word_key(&s.text[r.clone()])))))
        .collect();
    Ok(Example {
        encoded,
        word_labels,
        biased: f32::from(u8::from(s.label == Some(Bias::Biased))),
    })
}

/// Word targets and their weights (1 at each judged word's first token).
fn word_targets(items: &[&Example], len: usize) -> (Tensor, Tensor) {
    let b = items.len();
    let mut y = vec![0f32; b * len];
    let mut w = vec![0f32; b * len];
    for (row, e) in items.iter().enumerate() {
        for (t, label) in e.encoded.first_token.iter().zip(&e.word_labels) {
            if let Some(t) = t {
                y[row * len + t] = *label;
                w[row * len + t] = 1.0;
            }
        }
    }
    let shape = [b as i64, len as i64];
    (
        Tensor::from_slice(&y).view(shape),
        Tensor::from_slice(&w).view(shape),
    )
}

/// Fine-tunes and saves the best checkpoint to `opts.out`; `log` gets one
/// line per progress report.
pub fn train(opts: &TrainOptions, log: &mut dyn FnMut(&str)) -> Result<TrainSummary, DetectError> {
    let t0 = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let rows = babe::read(&opts.data).map_err(|e| DetectError::Data(e.to_string()))?;
    let labelled: Vec<Sentence> = rows.into_iter().filter(|s| s.label.is_some()).collect();
    let dev: Vec<Sentence> = labelled
        .iter()
        .filter(|s| is_dev(&s.text))
        .cloned()
        .collect();
    let tune: Vec<Sentence> = labelled
        .iter()
        .filter(|s| is_tune(&s.text))
        .cloned()
        .collect();
    let mut fit: Vec<Sentence> = labelled
        .into_iter()
        .filter(|s| !is_dev(&s.text) && !is_tune(&s.text))
        .collect();
    if let Some(n) = opts.limit {
        use rand::seq::SliceRandom;
        fit.shuffle(&mut rng);
        fit.truncate(n);
    }
    if fit.is_empty() || tune.is_empty() {
        return Err(DetectError::Data(format!(
            "{}: no labelled sentences to train on",
            opts.data.display()
        )));
    }

    let bert_config = read_bert_config(&opts.base.join(CONFIG_FILE))?;
    let encoder = WordEncoder::from_file(&opts.base.join(TOKENIZER_FILE), opts.max_len)?;
    let fit_ex = fit
        .iter()
        .map(|s| example(&encoder, s))
        .collect::<Result<Vec<_>, _>>()?;
    let encode_all = |set: &[Sentence]| {
        set.iter()
            .map(|s| encoder.encode(&s.text))
            .collect::<Result<Vec<_>, _>>()
    };
    let tune_enc = encode_all(&tune)?;
    let marked: f32 = fit_ex.iter().flat_map(|e| &e.word_labels).sum();
    let words: usize = fit_ex.iter().map(|e| e.word_labels.len()).sum();
    log(&format!(
        "fit: {} sentences ({} words, {} marked), tune: {}, dev: {} (scored once, at the end)",
        fit.len(),
        words,
        marked,
        tune.len(),
        dev.len()
    ));

    crate::sentiment::configure_threads(Some(opts.threads));
    tch::manual_seed(opts.seed as i64);
    let mut vs = nn::VarStore::new(Device::Cpu);
    let net = Net::new(&vs.root(), &bert_config);
    let weights = opts.base.join(WEIGHTS_FILE);
    let missing = vs
        .load_partial(&weights)
        .map_err(|e| DetectError::BadModel {
            path: weights.clone(),
            reason: e.to_string(),
        })?;
    if let Some(m) = missing
        .iter()
        .find(|m| !m.starts_with("word_head.") && !m.starts_with("sentence_head."))
    {
        return Err(DetectError::BadModel {
            path: weights,
            reason: format!("the base encoder has no tensor {m}"),
        });
    }
    vs.float();
    let mut opt = nn::AdamW {
        wd: opts.weight_decay,
        ..Default::default()
    }
    .build(&vs, opts.lr)
    .map_err(|e| DetectError::Torch(e.to_string()))?;

    let lens: Vec<usize> = fit_ex.iter().map(|e| e.encoded.ids.len()).collect();
    let per_epoch = fit_ex.len().div_ceil(opts.batch_size.max(1));
    let total = per_epoch * opts.epochs;
    let warm = ((total as f64 * opts.warmup).round() as usize).max(1);
    log(&format!(
        "{per_epoch} batches per epoch, {total} steps, {warm} warm-up steps, lr {}, batch {}, seed {}, {} threads",
        opts.lr, opts.batch_size, opts.seed, opts.threads
    ));

    let mut step = 0usize;
    let mut evals: Vec<EvalRecord> = Vec::new();
    let mut best: Option<EvalRecord> = None;
    let (mut loss_sum, mut loss_n) = (0f64, 0usize);
    let mut window_t = Instant::now();
    let mut window_ex = 0usize;
    for epoch in 0..opts.epochs {
        for b in bucketed_batches(&lens, opts.batch_size.max(1), &mut rng) {
            opt.set_lr(lr_at(step, total, warm, opts.lr));
            let items: Vec<&Example> = b.iter().map(|&i| &fit_ex[i]).collect();
            let encoded: Vec<&EncodedSentence> = items.iter().map(|e| &e.encoded).collect();
            let batch = Batch::collate(&encoded);
            let len = batch.ids.size()[1] as usize;
            let (wl, sl) = net.forward(&batch, true)?;
            let (wy, ww) = word_targets(&items, len);
            let word_loss = wl.binary_cross_entropy_with_logits::<&Tensor>(
                &wy,
                Some(&ww),
                None,
                Reduction::Sum,
            ) / ww.sum(Kind::Float).clamp_min(1.0);
            let sy: Vec<f32> = items.iter().map(|e| e.biased).collect();
            let sentence_loss = sl.binary_cross_entropy_with_logits::<&Tensor>(
                &Tensor::from_slice(&sy),
                None,
                None,
                Reduction::Mean,
            );
            let loss = word_loss + sentence_loss;
            opt.backward_step_clip_norm(&loss, 1.0);
            let l = loss.double_value(&[]);
            if !l.is_finite() {
                return Err(DetectError::Torch(format!(
                    "loss is {l} at step {step}: lower --lr"
                )));
            }
            loss_sum += l;
            loss_n += 1;
            window_ex += b.len();
            step += 1;
            if step.is_multiple_of(opts.log_every.max(1)) {
                log(&format!(
                    "epoch {} step {step}/{total} loss {:.4} {:.1} sentences/s elapsed {:.0}s",
                    epoch + 1,
                    loss_sum / loss_n.max(1) as f64,
                    window_ex as f64 / window_t.elapsed().as_secs_f64().max(1e-9),
                    t0.elapsed().as_secs_f64()
                ));
                window_t = Instant::now();
                window_ex = 0;
            }
        }
        let tagged = predict(&net, &tune_enc, 64)?;
        let s = best_scores(&tune, &tagged);
        let rec = EvalRecord {
            step,
            epoch: epoch + 1,
            train_loss: loss_sum / loss_n.max(1) as f64,
            tune: s,
            seconds: t0.elapsed().as_secs_f64(),
        };
        (loss_sum, loss_n) = (0.0, 0);
        let quality = |s: &DetectScores| (s.sentence_macro_f1 + s.word_f1) / 2.0;
        let improved = best.as_ref().is_none_or(|b| quality(&s) > quality(&b.tune));
        log(&format!(
            "eval epoch {}: train loss {:.4} tune sentence macro-F1 {:.4} (t {:.2}) word P/R/F1 {:.4}/{:.4}/{:.4} (t {:.2}){}",
            epoch + 1,
            rec.train_loss,
            s.sentence_macro_f1,
            s.sentence_threshold,
            s.word_precision,
            s.word_recall,
            s.word_f1,
            s.word_threshold,
            if improved { " (best, saved)" } else { "" }
        ));
        evals.push(rec.clone());
        if improved {
            save(
                &vs,
                opts,
                &config(opts, &evals, &rec, serde_json::Value::Null),
            )?;
            best = Some(rec);
        }
        window_t = Instant::now();
        window_ex = 0;
    }

    let mut summary = TrainSummary {
        steps: step,
        evals: evals.clone(),
        best: best.clone(),
        saved_tune: None,
        saved_dev: None,
        seconds: 0.0,
    };
    let Some(best) = best else {
        return Ok(summary);
    };
    // The saved fp16 model as it will be used, at the thresholds chosen on
    // the tune sentences.
    let detector = Detector::load(&opts.out)?;
    let (st, wt) = (best.tune.sentence_threshold, best.tune.word_threshold);
    let tag = |set: &[Sentence]| {
        let texts: Vec<&str> = set.iter().map(|s| s.text.as_str()).collect();
        detector.tag(&texts)
    };
    let saved_tune = scores(&tune, &tag(&tune)?, st, wt);
    let saved_dev = scores(&dev, &tag(&dev)?, st, wt);
    log(&format!(
        "saved model (fp16): tune sentence macro-F1 {:.4} word F1 {:.4}; dev sentence macro-F1 {:.4} word P/R/F1 {:.4}/{:.4}/{:.4}",
        saved_tune.sentence_macro_f1,
        saved_tune.word_f1,
        saved_dev.sentence_macro_f1,
        saved_dev.word_precision,
        saved_dev.word_recall,
        saved_dev.word_f1
    ));
    let recorded = serde_json::json!({ "tune": saved_tune, "dev": saved_dev });
    write_json_file(
        &opts.out.join(SLANT_FILE),
        &config(opts, &evals, &best, recorded),
    )?;
    summary.saved_tune = Some(saved_tune);
    summary.saved_dev = Some(saved_dev);
    summary.seconds = t0.elapsed().as_secs_f64();
    Ok(summary)
}

fn config(
    opts: &TrainOptions,
    evals: &[EvalRecord],
    best: &EvalRecord,
    scores: serde_json::Value,
) -> DetectorConfig {
    let training = serde_json::json!({
        "command": opts.command,
        "data": {"file": opts.data.display().to_string(), "sha256": file_sha256(&opts.data)},
        "split": "BABE rows with a label; dev = SHA-256(text)[0] % 5 == 0 (never used to choose); tune = the rest with SHA-256(text)[1] % 8 == 0 (chooses the epoch and thresholds); fit = the rest",
        "seed": opts.seed,
        "epochs": opts.epochs,
        "batch_size": opts.batch_size,
        "lr": opts.lr,
        "warmup": opts.warmup,
        "weight_decay": opts.weight_decay,
        "threads": opts.threads,
        "limit": opts.limit,
        "best_epoch": best.epoch,
        "evals": evals,
    });
    DetectorConfig {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        name: opts.name.clone(),
        version: opts.version.clone(),
        max_len: opts.max_len,
        word_threshold: best.tune.word_threshold,
        sentence_threshold: best.tune.sentence_threshold,
        base: BaseEncoder {
            name: opts.base_name.clone(),
            source: opts.base_source.clone(),
        },
        training,
        scores,
    }
}

impl From<WriteError> for DetectError {
    fn from(e: WriteError) -> DetectError {
        match e {
            WriteError::Read { path, error } => DetectError::MissingModel {
                path,
                reason: error.to_string(),
            },
            WriteError::Write { path, error } => DetectError::Io { path, error },
            WriteError::Encode { path, reason } => {
                DetectError::Data(format!("serialising {}: {reason}", path.display()))
            }
            WriteError::Torch(e) => DetectError::Torch(e),
        }
    }
}

/// Writes the folder: the base's `config.json` and `tokenizer.json`, the
/// weights as fp16 safetensors and `slant_detector.json`.
fn save(
    vs: &nn::VarStore,
    opts: &TrainOptions,
    config: &DetectorConfig,
) -> Result<(), DetectError> {
    write_weights(vs, &opts.base, &opts.out)?;
    Ok(write_json_file(&opts.out.join(SLANT_FILE), config)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, label: Option<Bias>, words: &[&str]) -> Sentence {
        Sentence {
            line: 2,
            text: text.into(),
            label,
            biased_words: words.iter().map(|w| w.to_string()).collect(),
            outlet: None,
            lean: None,
        }
    }

    #[test]
    fn gold_words_are_the_words_of_each_item() {
        let s = sentence("x", Some(Bias::Biased), &["far-left", "Thugs"]);
        assert_eq!(
            gold_words(&s),
            ["far", "left", "thugs"].map(String::from).into()
        );
    }

    #[test]
    fn scores_count_sentences_and_word_keys_at_their_thresholds() {
        let a = sentence("Thugs rioted", Some(Bias::Biased), &["thugs"]);
        let b = sentence("Police came", Some(Bias::NonBiased), &[]);
        let tagged = [
            Tagged {
                sentence: 0.8,
                words: vec![(0..5, 0.9), (6..12, 0.4)],
            },
            Tagged {
                sentence: 0.3,
                words: vec![(0..6, 0.6), (7..11, 0.1)],
            },
        ];
        let s = scores(&[a.clone(), b.clone()], &tagged, 0.5, 0.5);
        assert_eq!(s.sentence_accuracy, 1.0);
        // Predicted {thugs} and {police}; gold {thugs}.
        assert!((s.word_precision - 0.5).abs() < 1e-9);
        assert!((s.word_recall - 1.0).abs() < 1e-9);
        let best = best_scores(&[a, b], &tagged);
        assert!(best.word_threshold > 0.6 && best.word_threshold <= 0.9);
        assert_eq!(best.word_f1, 1.0);
    }
}
