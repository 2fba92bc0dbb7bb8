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
use super::model::{head_features, Batch, Pooling};
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
        let query = self.query.as_ref().map(|(w, b)| (w, Some(b)));
        head_features(x, target, real, query).linear(&self.classifier.0, Some(&self.classifier.1))
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
mod tests;
