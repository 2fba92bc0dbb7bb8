//! [`PhraseEncoder`]: sentence-encoder embeddings of phrases, the semantic
//! half of discovery's grouping of phrases that name one referent ("US
//! troops", "American forces", "occupation forces"; "ISIS", "Islamic
//! State", "Daesh"). String evidence (shared words, acronyms) is the other
//! half: embeddings alone also pull together phrases that are merely about
//! the same topic.
//!
//! The encoder is `sentence-transformers/all-MiniLM-L6-v2` unchanged (no
//! fine-tuning), stored in fp16. A folder holds:
//!
//! | file | what |
//! |------|------|
//! | `config.json` | the BERT encoder configuration (Hugging Face format) |
//! | `tokenizer.json` | the tokenizer (Hugging Face `tokenizers` format) |
//! | `model.safetensors` | the encoder's weights, fp16 (loaded back to f32) |
//! | `slant_encoder.json` | [`EncoderConfig`]: name, pinned source, pooling, `max_len`, licence |
//!
//! It is built the way the sentiment model and the detector build their
//! encoder (rust-bert's `BertModel` without pooler, variables at the root of
//! the store, so the names are those of a Hugging Face BERT
//! `model.safetensors` without the `bert.` prefix), and batched with the
//! sentiment model's `Batch`, whose "target" is here the tokens to pool.
//! [`write_encoder`] writes such a folder from the sentence-transformers
//! package (`examples/convert_encoder.rs`, `scripts/convert-encoder.sh`).
//!
//! Two views of a phrase:
//!
//! * [`PhraseEncoder::embed`]: the text alone, as sentence-transformers
//!   embeds a sentence: the mean of the final hidden states over every real
//!   token (`[CLS]` and `[SEP]` included, padding excluded), L2-normalised.
//!   These are sentence-transformers' own vectors up to fp16 storage
//!   (`tests/phrase_encoder.rs` checks against a reference computed
//!   without libtorch, `scripts/embed_reference.py`).
//! * [`PhraseEncoder::embed_in_context`]: the phrase's own tokens read inside
//!   its sentence, mean-pooled over those tokens only: "the forces" in a
//!   sentence about Baghdad is not "the forces" in one about physics. These
//!   vectors are a different pooling of the same space: compare in-context
//!   vectors with in-context vectors.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tch::{nn, Device, Kind};
use tokenizers::Tokenizer;

use crate::corpus::sha256_hex;
use crate::sentiment::encode::{tokens_overlapping, window_around, Encoded};
use crate::sentiment::train::{write_json_file, write_weights, WriteError};
use crate::sentiment::{bundled_dir, configure_threads, BaseEncoder, Batch};

/// Name of the encoder folder committed under `models/`.
pub const DEFAULT_ENCODER_NAME: &str = "all-minilm-l6-v2";
/// `format` field of `slant_encoder.json`.
pub const ENCODER_FORMAT: &str = "slant-phrase-encoder";
/// Current `format_version` of `slant_encoder.json`.
pub const ENCODER_FORMAT_VERSION: u32 = 1;
/// The settings file of an encoder folder (also its marker for
/// [`PhraseEncoder::default_dir`]).
pub const ENCODER_FILE: &str = "slant_encoder.json";

const CONFIG_FILE: &str = "config.json";
const TOKENIZER_FILE: &str = "tokenizer.json";
const WEIGHTS_FILE: &str = "model.safetensors";
/// The only pooling there is: sentence-transformers' mean pooling.
const POOLING: &str = "mean";
/// Inputs per forward pass. Inputs are sorted by length first, so a batch
/// of short phrases pads little.
const BATCH_SIZE: usize = 64;

/// How to get a working encoder again, shown with every file error.
pub const ENCODER_HINT: &str =
    "Restore the committed folder (git checkout models/all-minilm-l6-v2), \
     or set SLANT_ENCODER to a folder written by scripts/convert-encoder.sh";

/// What can go wrong loading, running or writing the phrase encoder. File
/// errors name the file.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The folder or one of its files is missing or unreadable.
    #[error("phrase encoder not found: {path}: {reason}. {hint}")]
    Missing {
        path: PathBuf,
        reason: String,
        hint: &'static str,
    },
    /// A file exists but cannot be used (bad JSON, foreign format, settings
    /// this slant does not support, weights that do not fit the config).
    #[error("phrase encoder file {path} is unusable: {reason}. {hint}")]
    BadModel {
        path: PathBuf,
        reason: String,
        hint: &'static str,
    },
    /// An `embed_in_context` item whose span is not a usable byte range of
    /// its sentence.
    #[error("item {index}: span {start}..{end} of a sentence of {len} bytes: {reason}")]
    Span {
        /// Position of the item in the input.
        index: usize,
        start: usize,
        end: usize,
        len: usize,
        reason: &'static str,
    },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("libtorch: {0}")]
    Torch(String),
    /// Writing an encoder folder failed.
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl From<WriteError> for EmbedError {
    fn from(e: WriteError) -> EmbedError {
        match e {
            WriteError::Read { path, error } => EmbedError::Missing {
                path,
                reason: error.to_string(),
                hint: ENCODER_HINT,
            },
            WriteError::Write { path, error } => EmbedError::Io { path, error },
            WriteError::Encode { path, reason } => {
                EmbedError::Torch(format!("serialising {}: {reason}", path.display()))
            }
            WriteError::Torch(e) => EmbedError::Torch(e),
        }
    }
}

/// `slant_encoder.json`: everything about an encoder folder except its
/// weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncoderConfig {
    pub format: String,
    pub format_version: u32,
    /// Folder name, e.g. `all-minilm-l6-v2`.
    pub name: String,
    /// The sentence encoder and where its weights came from, pinned.
    pub base: BaseEncoder,
    /// Always `mean` (sentence-transformers' pooling for this encoder).
    pub pooling: String,
    /// Always true: vectors are L2-normalised, so a dot product is a cosine.
    pub normalize: bool,
    /// Longest input in tokens, `[CLS]` and `[SEP]` included. Longer texts
    /// are cut (`embed`) or cut to a window around the span
    /// (`embed_in_context`).
    pub max_len: usize,
    /// Licence of the weights.
    pub licence: String,
    /// What slant uses the encoder for.
    #[serde(default)]
    pub used_for: String,
}

/// Reads a file of an encoder folder; a failure names the file.
fn read_file(path: &Path) -> Result<Vec<u8>, EmbedError> {
    std::fs::read(path).map_err(|e| EmbedError::Missing {
        path: path.to_path_buf(),
        reason: e.to_string(),
        hint: ENCODER_HINT,
    })
}

fn bad(path: &Path, reason: String) -> EmbedError {
    EmbedError::BadModel {
        path: path.to_path_buf(),
        reason,
        hint: ENCODER_HINT,
    }
}

fn read_bert_config(path: &Path) -> Result<BertConfig, EmbedError> {
    serde_json::from_slice(&read_file(path)?)
        .map_err(|e| bad(path, format!("not a BERT config.json: {e}")))
}

/// Reads and checks `slant_encoder.json`: the settings must be ones this
/// code implements, or the vectors would silently mean something else.
fn read_encoder_config(path: &Path, bert: &BertConfig) -> Result<EncoderConfig, EmbedError> {
    let config: EncoderConfig =
        serde_json::from_slice(&read_file(path)?).map_err(|e| bad(path, e.to_string()))?;
    if config.format != ENCODER_FORMAT {
        return Err(bad(
            path,
            format!("format is {:?}, expected {ENCODER_FORMAT:?}", config.format),
        ));
    }
    if config.format_version != ENCODER_FORMAT_VERSION {
        return Err(bad(
            path,
            format!(
                "format_version {} is not supported (this slant reads {ENCODER_FORMAT_VERSION})",
                config.format_version
            ),
        ));
    }
    if config.pooling != POOLING || !config.normalize {
        return Err(bad(
            path,
            format!(
                "pooling {:?} with normalize {} is not supported (only \"mean\", true)",
                config.pooling, config.normalize
            ),
        ));
    }
    let positions = usize::try_from(bert.max_position_embeddings).unwrap_or(0);
    if config.max_len < 8 || config.max_len > positions {
        return Err(bad(
            path,
            format!(
                "max_len {} must lie in 8..={positions} (the encoder's positions)",
                config.max_len
            ),
        ));
    }
    Ok(config)
}

/// A loaded phrase encoder, ready to embed on the CPU.
///
/// `Send` but not `Sync` (libtorch tensors): embed from one thread and hand
/// it whole lists; libtorch uses its thread pool inside each batch.
pub struct PhraseEncoder {
    bert: BertModel<BertEmbeddings>,
    // Owns the variables `bert` reads.
    _vs: nn::VarStore,
    tokenizer: Tokenizer,
    cls: i64,
    sep: i64,
    dim: usize,
    config: EncoderConfig,
    sha256: String,
}

impl std::fmt::Debug for PhraseEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhraseEncoder")
            .field("name", &self.config.name)
            .field("sha256", &self.sha256)
            .finish_non_exhaustive()
    }
}

impl PhraseEncoder {
    /// Loads `dir` (config.json, tokenizer.json, model.safetensors fp16 read
    /// back as f32, slant_encoder.json).
    ///
    /// A missing folder or file gives [`EmbedError::Missing`]; a file that
    /// cannot be used (bad JSON, unsupported settings, weights that do not
    /// match the config) gives [`EmbedError::BadModel`]. Both name the file.
    /// Like the other models' `load`, this sizes libtorch's thread pool to
    /// the machine ([`configure_threads`]); call `tch::set_num_threads`
    /// afterwards to use fewer.
    pub fn load(dir: &Path) -> Result<PhraseEncoder, EmbedError> {
        if !dir.is_dir() {
            return Err(EmbedError::Missing {
                path: dir.to_path_buf(),
                reason: "no such folder".into(),
                hint: ENCODER_HINT,
            });
        }
        let bert_config = read_bert_config(&dir.join(CONFIG_FILE))?;
        let config = read_encoder_config(&dir.join(ENCODER_FILE), &bert_config)?;

        let tokenizer_path = dir.join(TOKENIZER_FILE);
        let tokenizer_bytes = read_file(&tokenizer_path)?;
        let mut tokenizer = Tokenizer::from_bytes(&tokenizer_bytes)
            .map_err(|e| bad(&tokenizer_path, format!("cannot read the tokenizer: {e}")))?;
        // Padding and truncation are ours: batch-longest, window on a span.
        tokenizer.with_padding(None);
        tokenizer.with_truncation(None).map_err(|e| {
            bad(
                &tokenizer_path,
                format!("cannot switch off truncation: {e}"),
            )
        })?;
        let id = |tok: &str| {
            tokenizer.token_to_id(tok).map(i64::from).ok_or_else(|| {
                bad(
                    &tokenizer_path,
                    format!("the vocabulary has no {tok} token"),
                )
            })
        };
        let (cls, sep) = (id("[CLS]")?, id("[SEP]")?);

        let weights_path = dir.join(WEIGHTS_FILE);
        let weights_sha256 = sha256_hex(&read_file(&weights_path)?);
        configure_threads(None);
        let mut vs = nn::VarStore::new(Device::Cpu);
        let bert = BertModel::new_with_optional_pooler(vs.root(), &bert_config, false);
        vs.load(&weights_path)
            .map_err(|e| bad(&weights_path, e.to_string()))?;
        // The file is fp16; loading switched the variables to it.
        vs.float();
        vs.freeze();

        let mut h = Sha256::new();
        h.update(weights_sha256.as_bytes());
        h.update(Sha256::digest(&tokenizer_bytes));
        h.update(format!("{}/{}/{}", config.pooling, config.normalize, config.max_len).as_bytes());
        Ok(PhraseEncoder {
            bert,
            _vs: vs,
            tokenizer,
            cls,
            sep,
            dim: usize::try_from(bert_config.hidden_size).unwrap_or(0),
            config,
            sha256: format!("{:x}", h.finalize()),
        })
    }

    /// The folder slant uses by default, first hit wins:
    ///
    /// 1. `$SLANT_ENCODER`, if set;
    /// 2. `models/all-minilm-l6-v2` next to the executable or one or two
    ///    levels up (an unpacked release: `bin/slant` beside `models/`);
    /// 3. `models/all-minilm-l6-v2` in the source tree the binary was built
    ///    from, returned even when missing so the error names it.
    pub fn default_dir() -> PathBuf {
        bundled_dir("SLANT_ENCODER", DEFAULT_ENCODER_NAME, ENCODER_FILE)
    }

    /// SHA-256 (hex) over what decides a vector: the weights' SHA-256, the
    /// tokenizer's, and the settings (pooling, normalisation, `max_len`).
    /// Goes into `run.json` and any cache key of embeddings.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Length of every vector (the encoder's hidden size, 384 for MiniLM).
    pub fn dim(&self) -> usize {
        self.dim
    }

    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// One L2-normalised embedding per text, in input order: the mean of the
    /// final hidden states over the text's real tokens (`[CLS]` and `[SEP]`
    /// included, padding excluded by the attention mask), as
    /// sentence-transformers computes it, so the vectors are comparable with
    /// its own.
    ///
    /// A text longer than `max_len` tokens is cut to its first `max_len - 2`
    /// (phrases never are). Identical texts are embedded once; inputs are
    /// sorted by length into batches of 64, each padded to its longest
    /// member; no gradients are kept. The same input list gives the same
    /// vectors bit for bit with the same thread count.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let (unique, index) = dedupe(texts);
        let budget = self.config.max_len - 2;
        let inputs = unique
            .iter()
            .map(|t| {
                let enc = self
                    .tokenizer
                    .encode(*t, false)
                    .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
                let ids = enc.get_ids();
                let ids = &ids[..ids.len().min(budget)];
                let n = ids.len() + 2;
                Ok(self.input(ids.iter().map(|&i| i64::from(i)), 0..n))
            })
            .collect::<Result<Vec<_>, EmbedError>>()?;
        let vectors = self.run(&inputs)?;
        Ok(index.into_iter().map(|i| vectors[i].clone()).collect())
    }

    /// For each `(sentence, span)`, the mean of the final hidden states of
    /// the tokens that overlap `span` (a byte range of `sentence`), the
    /// whole sentence encoded around them, L2-normalised: the phrase as the
    /// sentence uses it.
    ///
    /// A span must be non-empty, inside its sentence, on character
    /// boundaries, and cover at least one token (not only spaces); otherwise
    /// [`EmbedError::Span`] names the item. A sentence longer than `max_len`
    /// tokens is cut to a window of `max_len - 2` tokens centred on the span
    /// (a span longer than that is pooled over its part in the window).
    /// Identical items are embedded once; batching as in [`Self::embed`].
    pub fn embed_in_context(
        &self,
        items: &[(&str, Range<usize>)],
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let (unique, index) = dedupe(items);
        let budget = self.config.max_len - 2;
        let mut inputs = Vec::with_capacity(unique.len());
        for (k, &(sentence, ref span)) in unique.iter().enumerate() {
            let err = |reason| EmbedError::Span {
                // The first input position holding this item.
                index: index.iter().position(|&i| i == k).unwrap_or(k),
                start: span.start,
                end: span.end,
                len: sentence.len(),
                reason,
            };
            if span.start >= span.end {
                return Err(err("the span is empty"));
            }
            if span.end > sentence.len() {
                return Err(err("the span runs past the sentence"));
            }
            if !sentence.is_char_boundary(span.start) || !sentence.is_char_boundary(span.end) {
                return Err(err("the span does not fall on character boundaries"));
            }
            let enc = self
                .tokenizer
                .encode(sentence, false)
                .map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
            let tokens = tokens_overlapping(enc.get_offsets(), span)
                .ok_or_else(|| err("the span covers no token"))?;
            let ids = enc.get_ids();
            let window = window_around(ids.len(), &tokens, budget);
            // Positions in the model input: [CLS] comes first.
            let pool = tokens.start.max(window.start) - window.start + 1
                ..tokens.end.min(window.end) - window.start + 1;
            inputs.push(self.input(ids[window].iter().map(|&i| i64::from(i)), pool));
        }
        let vectors = self.run(&inputs)?;
        Ok(index.into_iter().map(|i| vectors[i].clone()).collect())
    }

    /// `[CLS] ids [SEP]`, pooling over `pool` (positions in that sequence).
    fn input(&self, ids: impl Iterator<Item = i64>, pool: Range<usize>) -> Encoded {
        let mut out = vec![self.cls];
        out.extend(ids);
        out.push(self.sep);
        Encoded {
            type_ids: vec![0; out.len()],
            ids: out,
            target: pool,
        }
    }

    /// Pooled, normalised vectors of the inputs, in input order.
    fn run(&self, inputs: &[Encoded]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let torch = |e: tch::TchError| EmbedError::Torch(e.to_string());
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        order.sort_by_key(|&i| (inputs[i].ids.len(), i));
        let mut out = vec![Vec::new(); inputs.len()];
        let _guard = tch::no_grad_guard();
        for chunk in order.chunks(BATCH_SIZE) {
            let items: Vec<&Encoded> = chunk.iter().map(|&i| &inputs[i]).collect();
            let b = Batch::collate(&items);
            let h = self
                .bert
                .forward_t(
                    Some(&b.ids),
                    Some(&b.mask),
                    Some(&b.types),
                    None,
                    None,
                    None,
                    None,
                    false,
                )
                .map_err(|e| EmbedError::Torch(e.to_string()))?
                .hidden_state;
            let w = b.target.unsqueeze(-1);
            let sum = (&h * &w).sum_dim_intlist(1, false, Kind::Float);
            // sentence-transformers' clamp, for the record: every input pools
            // at least one token.
            let count = b
                .target
                .sum_dim_intlist(1, true, Kind::Float)
                .clamp_min(1e-9);
            let mean = Vec::<f32>::try_from((sum / count).flatten(0, -1)).map_err(torch)?;
            for (k, &i) in chunk.iter().enumerate() {
                out[i] = normalized(&mean[k * self.dim..(k + 1) * self.dim]);
            }
        }
        Ok(out)
    }
}

/// The distinct items in first-seen order, and for each input the position
/// of its item among them.
fn dedupe<T: Eq + std::hash::Hash + Clone>(items: &[T]) -> (Vec<T>, Vec<usize>) {
    let mut slot: HashMap<&T, usize> = HashMap::new();
    let mut unique = Vec::new();
    let index = items
        .iter()
        .map(|t| {
            *slot.entry(t).or_insert_with(|| {
                unique.push(t.clone());
                unique.len() - 1
            })
        })
        .collect();
    (unique, index)
}

/// `v / max(|v|, 1e-12)`, as `torch.nn.functional.normalize`.
fn normalized(v: &[f32]) -> Vec<f32> {
    let norm = v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt();
    let scale = 1.0 / norm.max(1e-12);
    v.iter().map(|&x| (f64::from(x) * scale) as f32).collect()
}

/// Cosine of two L2-normalised vectors: their dot product (summed in f64).
/// Vectors of different lengths are compared over the shorter one's length;
/// [`PhraseEncoder`]'s vectors all have [`PhraseEncoder::dim`] entries.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| f64::from(x) * f64::from(y))
        .sum::<f64>() as f32
}

/// Writes an encoder folder from a sentence-transformers model folder
/// `base` (Hugging Face BERT `config.json`, `tokenizer.json`,
/// `model.safetensors` without the `bert.` prefix): the two JSON files
/// copied, the encoder's weights as fp16 safetensors (the pooler, which
/// mean pooling does not use, left out) and `config` as
/// `slant_encoder.json`. The same writer as the other models' folders.
pub fn write_encoder(base: &Path, out: &Path, config: &EncoderConfig) -> Result<(), EmbedError> {
    let bert_config = read_bert_config(&base.join(CONFIG_FILE))?;
    let mut vs = nn::VarStore::new(Device::Cpu);
    let _bert: BertModel<BertEmbeddings> =
        BertModel::new_with_optional_pooler(vs.root(), &bert_config, false);
    let weights = base.join(WEIGHTS_FILE);
    let missing = vs
        .load_partial(&weights)
        .map_err(|e| bad(&weights, e.to_string()))?;
    if let Some(m) = missing.first() {
        return Err(bad(
            &weights,
            format!("the base encoder has no tensor {m} (names must have no `bert.` prefix)"),
        ));
    }
    vs.float();
    write_weights(&vs, base, out)?;
    Ok(write_json_file(&out.join(ENCODER_FILE), config)?)
}

/// The encoder as label grouping uses it: one at a time (libtorch runs a
/// batch on all cores itself), named in `run.json` by its folder and hash.
pub struct SharedEncoder {
    encoder: std::sync::Mutex<PhraseEncoder>,
    identity: String,
}

impl SharedEncoder {
    /// Loads the encoder in `dir` ([`PhraseEncoder::load`]).
    pub fn open(dir: &Path) -> Result<SharedEncoder, EmbedError> {
        let encoder = PhraseEncoder::load(dir)?;
        let identity = format!(
            "{} ({}, sha256 {})",
            encoder.config().name,
            dir.display(),
            encoder.sha256()
        );
        Ok(SharedEncoder {
            encoder: std::sync::Mutex::new(encoder),
            identity,
        })
    }
}

impl super::labels::PhraseEmbedder for SharedEncoder {
    fn embed(&self, phrases: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        // A poisoned lock means an earlier call panicked mid-batch; the
        // model itself is read-only, so it is still good to use.
        let encoder = self
            .encoder
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        encoder.embed(phrases).map_err(|e| e.to_string())
    }

    fn identity(&self) -> String {
        self.identity.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_has_unit_length_and_keeps_zero() {
        let v = normalized(&[3.0, 4.0]);
        assert!((v[0] - 0.6).abs() < 1e-7 && (v[1] - 0.8).abs() < 1e-7);
        assert_eq!(normalized(&[0.0, 0.0]), [0.0, 0.0]);
        assert!((cosine(&v, &v) - 1.0).abs() < 1e-7);
    }

    #[test]
    fn dedupe_maps_every_input_to_its_item() {
        let (u, i) = dedupe(&["a", "b", "a", "c", "b"]);
        assert_eq!(u, ["a", "b", "c"]);
        assert_eq!(i, [0, 1, 0, 2, 1]);
    }
}
