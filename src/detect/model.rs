//! The network and [`Detector`], the inference side.
//!
//! rust-bert's `BertModel` (no pooler, for training; inference runs the
//! same network through `crate::sentiment`'s forward pass) with two linear
//! heads on the final hidden states: `word_head` (hidden → 1) on every token, read at each
//! word's first token, and `sentence_head` (hidden → 1) on `[CLS]`. The
//! encoder's variables sit at the root of the variable store, as in the
//! sentiment model, so a Hugging Face BERT `model.safetensors` without the
//! `bert.` prefix loads as the base.
//!
//! A model folder holds `config.json` (BERT), `tokenizer.json`,
//! `model.safetensors` (fp16) and `slant_detector.json` ([`DetectorConfig`]).

use std::path::{Path, PathBuf};

use rust_bert::bert::{BertConfig, BertEmbeddings, BertModel};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tch::{nn, Tensor};

use super::encode::{EncodedSentence, WordEncoder};
use super::{DetectError, Tagged, Tagger, Thresholds};
use crate::corpus::sha256_hex;
use crate::sentiment::BaseEncoder;
use crate::sentiment::{length_batches, on_workers, read_tensors, take, Body, Precision};

/// Name of the model folder committed under `models/`.
pub const DEFAULT_DETECTOR_NAME: &str = "babe-loaded-minilm-l6";

pub(crate) const FORMAT: &str = "slant-loaded-detector";
pub(crate) const FORMAT_VERSION: u32 = 1;
pub(crate) const WEIGHTS_FILE: &str = "model.safetensors";
pub(crate) const CONFIG_FILE: &str = "config.json";
pub(crate) const TOKENIZER_FILE: &str = "tokenizer.json";
pub(crate) const SLANT_FILE: &str = "slant_detector.json";

/// `slant_detector.json`: everything about a detector folder except its
/// weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectorConfig {
    pub format: String,
    pub format_version: u32,
    pub name: String,
    pub version: String,
    pub max_len: usize,
    /// A word at or above this probability is a hit.
    pub word_threshold: f32,
    /// A sentence at or above this probability is called biased.
    pub sentence_threshold: f32,
    /// The base encoder: its name and where its weights came from.
    pub base: BaseEncoder,
    /// How it was trained (command, data, split, hyper-parameters, log).
    #[serde(default)]
    pub training: serde_json::Value,
    /// Scores of the saved model by data split name.
    #[serde(default)]
    pub scores: serde_json::Value,
}

/// Identity of a loaded detector, for `run.json` and cache keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectorInfo {
    pub name: String,
    pub version: String,
    pub dir: PathBuf,
    /// SHA-256 over the weights, the tokenizer and the settings that decide
    /// a hit.
    pub hash: String,
}

pub(crate) struct Net {
    bert: BertModel<BertEmbeddings>,
    word_head: nn::Linear,
    sentence_head: nn::Linear,
    dropout: f64,
}

/// A padded batch.
pub(crate) struct Batch {
    pub(crate) ids: Tensor,
    pub(crate) mask: Tensor,
}

impl Batch {
    pub(crate) fn collate(items: &[&EncodedSentence]) -> Batch {
        let b = items.len();
        let len = items.iter().map(|e| e.ids.len()).max().unwrap_or(1).max(1);
        let mut ids = vec![0i64; b * len];
        let mut mask = vec![0i64; b * len];
        for (row, e) in items.iter().enumerate() {
            let o = row * len;
            ids[o..o + e.ids.len()].copy_from_slice(&e.ids);
            mask[o..o + e.ids.len()].fill(1);
        }
        let shape = [b as i64, len as i64];
        Batch {
            ids: Tensor::from_slice(&ids).view(shape),
            mask: Tensor::from_slice(&mask).view(shape),
        }
    }
}

impl Net {
    pub(crate) fn new(p: &nn::Path, config: &BertConfig) -> Net {
        let h = config.hidden_size;
        Net {
            bert: BertModel::new_with_optional_pooler(p, config, false),
            word_head: nn::linear(p / "word_head", h, 1, Default::default()),
            sentence_head: nn::linear(p / "sentence_head", h, 1, Default::default()),
            dropout: config.hidden_dropout_prob,
        }
    }

    /// Word logits `[batch, len]` and sentence logits `[batch]`.
    pub(crate) fn forward(&self, b: &Batch, train: bool) -> Result<(Tensor, Tensor), DetectError> {
        let out = self
            .bert
            .forward_t(
                Some(&b.ids),
                Some(&b.mask),
                None,
                None,
                None,
                None,
                None,
                train,
            )
            .map_err(|e| DetectError::Torch(e.to_string()))?;
        let h = out.hidden_state.dropout(self.dropout, train);
        let words = h.apply(&self.word_head).squeeze_dim(-1);
        let sentence = h.select(1, 0).apply(&self.sentence_head).squeeze_dim(-1);
        Ok((words, sentence))
    }
}

/// Probabilities for each encoded sentence, in input order; batches are
/// formed from inputs sorted by length (training's evaluations).
pub(crate) fn predict(
    net: &Net,
    inputs: &[EncodedSentence],
    batch_size: usize,
) -> Result<Vec<Tagged>, DetectError> {
    let lens: Vec<usize> = inputs.iter().map(|e| e.ids.len()).collect();
    let mut out: Vec<Option<Tagged>> = vec![None; inputs.len()];
    let _guard = tch::no_grad_guard();
    for chunk in length_batches(&lens, batch_size, 1) {
        let items: Vec<&EncodedSentence> = chunk.iter().map(|&i| &inputs[i]).collect();
        let batch = Batch::collate(&items);
        let (w, s) = net.forward(&batch, false)?;
        let probs = Probs::read(&batch, &w, &s).map_err(DetectError::Torch)?;
        probs.tag(inputs, &chunk, &mut out);
    }
    Ok(out.into_iter().flatten().collect())
}

/// A batch's word and sentence probabilities, off libtorch.
struct Probs {
    len: usize,
    words: Vec<f32>,
    sentences: Vec<f32>,
}

impl Probs {
    /// Sigmoids of word logits `w` `[batch, len]` and sentence logits `s`.
    fn read(batch: &Batch, w: &Tensor, s: &Tensor) -> Result<Probs, String> {
        let err = |e: tch::TchError| e.to_string();
        Ok(Probs {
            len: batch.ids.size()[1] as usize,
            words: Vec::<f32>::try_from(w.sigmoid().flatten(0, -1)).map_err(err)?,
            sentences: Vec::<f32>::try_from(s.sigmoid()).map_err(err)?,
        })
    }

    /// Each word's probability at its first token, for the inputs of
    /// `chunk` (the batch's rows), into their slots of `out`.
    fn tag(&self, inputs: &[EncodedSentence], chunk: &[usize], out: &mut [Option<Tagged>]) {
        for (k, &i) in chunk.iter().enumerate() {
            let e = &inputs[i];
            let words = e
                .words
                .iter()
                .zip(&e.first_token)
                .map(|(span, t)| {
                    let p = t.map_or(0.0, |t| self.words[k * self.len + t]);
                    (span.clone(), p)
                })
                .collect();
            out[i] = Some(Tagged {
                sentence: self.sentences[k],
                words,
            });
        }
    }
}

/// The network for inference: slant's forward pass of the encoder
/// (`crate::sentiment::Body`, f32: the same logits as [`Net`] within float
/// summation order) and the two heads.
struct FastDetector {
    body: Body,
    word_head: (Tensor, Tensor),
    sentence_head: (Tensor, Tensor),
}

impl FastDetector {
    fn load(path: &Path, config: &BertConfig) -> Result<FastDetector, DetectError> {
        let bad = |reason: String| DetectError::BadModel {
            path: path.to_path_buf(),
            reason,
        };
        let mut tensors = read_tensors(path).map_err(bad)?;
        let body = Body::load(&mut tensors, config, Precision::F32).map_err(bad)?;
        let h = config.hidden_size;
        let mut head = |name: &str| {
            Ok::<_, DetectError>((
                take(&mut tensors, &format!("{name}.weight"), &[1, h]).map_err(bad)?,
                take(&mut tensors, &format!("{name}.bias"), &[1]).map_err(bad)?,
            ))
        };
        Ok(FastDetector {
            word_head: head("word_head")?,
            sentence_head: head("sentence_head")?,
            body,
        })
    }

    fn shallow_clone(&self) -> FastDetector {
        let two = |(w, b): &(Tensor, Tensor)| (w.shallow_clone(), b.shallow_clone());
        FastDetector {
            body: self.body.shallow_clone(),
            word_head: two(&self.word_head),
            sentence_head: two(&self.sentence_head),
        }
    }

    /// Word logits `[batch, len]` and sentence logits `[batch]`.
    fn forward(&self, b: &Batch) -> (Tensor, Tensor) {
        let h = self
            .body
            .forward(&b.ids, &b.ids.zeros_like(), &b.mask, None);
        let words = h
            .linear(&self.word_head.0, Some(&self.word_head.1))
            .squeeze_dim(-1);
        let sentence = h
            .select(1, 0)
            .linear(&self.sentence_head.0, Some(&self.sentence_head.1))
            .squeeze_dim(-1);
        (words, sentence)
    }
}

/// [`predict`] with [`FastDetector`], the batches shared among `workers`
/// threads (`crate::sentiment::on_workers`).
fn predict_fast(
    net: &FastDetector,
    inputs: &[EncodedSentence],
    batch_size: usize,
    workers: usize,
) -> Result<Vec<Tagged>, DetectError> {
    let lens: Vec<usize> = inputs.iter().map(|e| e.ids.len()).collect();
    let batches = length_batches(&lens, batch_size, workers);
    let mut out: Vec<Option<Tagged>> = vec![None; inputs.len()];
    on_workers(
        || net.shallow_clone(),
        batches.len(),
        workers,
        |net, i| {
            let items: Vec<&EncodedSentence> = batches[i].iter().map(|&k| &inputs[k]).collect();
            let batch = Batch::collate(&items);
            let (w, s) = net.forward(&batch);
            Probs::read(&batch, &w, &s)
        },
        |i, probs| probs.tag(inputs, &batches[i], &mut out),
    )
    .map_err(DetectError::Torch)?;
    Ok(out.into_iter().flatten().collect())
}

pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, DetectError> {
    std::fs::read(path).map_err(|e| DetectError::MissingModel {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

pub(crate) fn read_bert_config(path: &Path) -> Result<BertConfig, DetectError> {
    serde_json::from_slice(&read_file(path)?).map_err(|e| DetectError::BadModel {
        path: path.to_path_buf(),
        reason: format!("not a BERT config.json: {e}"),
    })
}

pub(crate) fn read_config(path: &Path) -> Result<DetectorConfig, DetectError> {
    let bad = |reason: String| DetectError::BadModel {
        path: path.to_path_buf(),
        reason,
    };
    let config: DetectorConfig =
        serde_json::from_slice(&read_file(path)?).map_err(|e| bad(e.to_string()))?;
    if config.format != FORMAT {
        return Err(bad(format!(
            "format is {:?}, expected {FORMAT:?}",
            config.format
        )));
    }
    if config.format_version != FORMAT_VERSION {
        return Err(bad(format!(
            "format_version {} is not supported (this slant reads {FORMAT_VERSION})",
            config.format_version
        )));
    }
    let unit = 0.0..=1.0;
    if !unit.contains(&config.word_threshold) || !unit.contains(&config.sentence_threshold) {
        return Err(bad("thresholds must lie in 0..=1".into()));
    }
    Ok(config)
}

/// A loaded detector, ready to tag sentences on the CPU. `Send`, not
/// `Sync` (libtorch tensors): tag from one thread, whole batches at a time.
pub struct Detector {
    net: FastDetector,
    encoder: WordEncoder,
    config: DetectorConfig,
    info: DetectorInfo,
    batch_size: usize,
    /// Worker threads, one libtorch thread each.
    threads: usize,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Detector {
    /// Loads a detector folder (see the module docs for its files). A
    /// missing folder or file gives [`DetectError::MissingModel`], an
    /// unusable one [`DetectError::BadModel`]; both say how to fix it.
    pub fn load(dir: &Path) -> Result<Detector, DetectError> {
        if !dir.is_dir() {
            return Err(DetectError::MissingModel {
                path: dir.to_path_buf(),
                reason: "no such folder".into(),
            });
        }
        let config = read_config(&dir.join(SLANT_FILE))?;
        let bert_config = read_bert_config(&dir.join(CONFIG_FILE))?;
        let tokenizer_path = dir.join(TOKENIZER_FILE);
        let tokenizer_bytes = read_file(&tokenizer_path)?;
        let encoder = WordEncoder::from_file(&tokenizer_path, config.max_len)?;
        let weights_path = dir.join(WEIGHTS_FILE);
        let weights_sha256 = sha256_hex(&read_file(&weights_path)?);

        crate::sentiment::configure_threads(None);
        let net = FastDetector::load(&weights_path, &bert_config)?;

        let mut h = Sha256::new();
        h.update(weights_sha256.as_bytes());
        h.update(Sha256::digest(&tokenizer_bytes));
        h.update(format!("{}/{}", config.max_len, config.word_threshold).as_bytes());
        // Tagged by slant's own forward pass since version 2 of this key:
        // the same logits within float summation order, which can move a
        // probability in its fourth decimal, so cached tags of the earlier
        // pass are not mixed with new ones.
        h.update(b"/forward-2");
        let info = DetectorInfo {
            name: config.name.clone(),
            version: config.version.clone(),
            dir: dir.to_path_buf(),
            hash: format!("{:x}", h.finalize()),
        };
        Ok(Detector {
            net,
            encoder,
            config,
            info,
            batch_size: crate::sentiment::DEFAULT_BATCH_SIZE,
            threads: usize::try_from(tch::get_num_threads()).unwrap_or(1).max(1),
        })
    }

    /// Where slant looks for its detector when `--detector` is not given:
    /// `$SLANT_DETECTOR`, else `models/babe-loaded-minilm-l6` beside the
    /// executable (up to two levels up), else in the source tree the binary
    /// was built from.
    pub fn default_dir() -> PathBuf {
        crate::sentiment::bundled_dir("SLANT_DETECTOR", DEFAULT_DETECTOR_NAME, SLANT_FILE)
    }

    pub fn info(&self) -> &DetectorInfo {
        &self.info
    }

    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }
}

impl Tagger for Detector {
    fn tag(&self, sentences: &[&str]) -> Result<Vec<Tagged>, DetectError> {
        let encoded = sentences
            .iter()
            .map(|s| self.encoder.encode(s))
            .collect::<Result<Vec<_>, _>>()?;
        predict_fast(&self.net, &encoded, self.batch_size, self.threads)
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            word: self.config.word_threshold,
            sentence: self.config.sentence_threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed detector through rust-bert's network (what training
    /// ran) and through the forward pass that tags: the same logits.
    #[test]
    fn fast_forward_reproduces_the_training_network() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/babe-loaded-minilm-l6");
        let bert = read_bert_config(&dir.join(CONFIG_FILE)).expect("config.json");
        let config = read_config(&dir.join(SLANT_FILE)).expect("slant_detector.json");
        let encoder =
            WordEncoder::from_file(&dir.join(TOKENIZER_FILE), config.max_len).expect("tokenizer");
        let mut vs = nn::VarStore::new(tch::Device::Cpu);
        let net = Net::new(&vs.root(), &bert);
        vs.load(dir.join(WEIGHTS_FILE)).expect("weights");
        vs.float();
        let fast = FastDetector::load(&dir.join(WEIGHTS_FILE), &bert).expect("loads");
        let sentences = [
            "The regime's thugs brutally crushed the peaceful protest.",
            "The committee will meet on Tuesday.",
            "Critics slammed the radical plan as a reckless giveaway to lobbyists, \
             while supporters said it was long overdue and would help families.",
        ];
        let encoded: Vec<EncodedSentence> = sentences
            .iter()
            .map(|s| encoder.encode(s).expect("encodes"))
            .collect();
        let items: Vec<&EncodedSentence> = encoded.iter().collect();
        // One batch of three lengths: padding and the mask are exercised.
        let batch = Batch::collate(&items);
        let _guard = tch::no_grad_guard();
        let (w, s) = net.forward(&batch, false).expect("forward");
        let (fw, fs) = fast.forward(&batch);
        let real = batch.mask.to_kind(tch::Kind::Float);
        let dw = ((&w - &fw) * &real).abs().max().double_value(&[]);
        let ds = (&s - &fs).abs().max().double_value(&[]);
        assert!(dw < 1e-4 && ds < 1e-4, "word {dw}, sentence {ds}");
        // And the worker pool returns them in input order.
        let tagged = predict_fast(&fast, &encoded, 2, 2).expect("tags");
        let again = predict(&net, &encoded, 3).expect("tags");
        for (a, b) in tagged.iter().zip(&again) {
            assert!((a.sentence - b.sentence).abs() < 1e-5);
            assert_eq!(a.words.len(), b.words.len());
        }
    }
}
