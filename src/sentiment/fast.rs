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
//! batches to single-threaded workers.
//!
//! Quantisation follows ATen's `fbgemm_linear_quantize_weight`, which `tch`
//! does not expose: one scale and zero point per weight matrix, chosen from
//! its min and max as FBGEMM's `ChooseQuantizationParams` does, and the
//! column offsets (each output row's sum of int8 weights minus
//! `zero_point · K`) that the int8 GEMM needs to undo the zero points.

use std::collections::HashMap;
use std::path::Path;

use rust_bert::bert::BertConfig;
use tch::{Kind, Tensor};

use super::encode::Encoded;
use super::model::Batch;
use super::{Precision, SentimentError, MODEL_HINT};

/// Per-tensor affine quantisation parameters: `real = scale · (q − zero_point)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct QParams {
    pub(crate) scale: f32,
    pub(crate) zero_point: i32,
}

/// FBGEMM's `ChooseQuantizationParams` without sparsity preservation or
/// power-of-two scales: the range is widened to hold 0, the scale maps it
/// onto `qmin..=qmax`, and the zero point is the integer nearest to where 0
/// lands (computed from whichever end adds the smaller rounding error).
pub(crate) fn choose_qparams(min: f32, max: f32, qmin: i32, qmax: i32) -> QParams {
    const SMALL_SCALE_THRESHOLD: f32 = 6.1e-5;
    let mut min = min.min(0.0);
    let mut max = max.max(0.0);
    let mut scale = ((f64::from(max) - f64::from(min)) / f64::from(qmax - qmin)) as f32;
    if scale == 0.0 || (1.0 / scale).is_infinite() {
        scale = 0.1;
    }
    if scale < SMALL_SCALE_THRESHOLD {
        let org = scale;
        scale = SMALL_SCALE_THRESHOLD;
        if min == 0.0 {
            max = SMALL_SCALE_THRESHOLD * (qmax - qmin) as f32;
        } else if max == 0.0 {
            min = -SMALL_SCALE_THRESHOLD * (qmax - qmin) as f32;
        } else {
            let amplifier = SMALL_SCALE_THRESHOLD / org;
            min *= amplifier;
            max *= amplifier;
        }
    }
    let s = f64::from(scale);
    let from_min = f64::from(qmin) - f64::from(min) / s;
    let from_max = f64::from(qmax) - f64::from(max) / s;
    let err_min = f64::from(qmin).abs() + (f64::from(min) / s).abs();
    let err_max = f64::from(qmax).abs() + (f64::from(max) / s).abs();
    let initial = if err_min < err_max {
        from_min
    } else {
        from_max
    };
    let zero_point = if initial < f64::from(qmin) {
        qmin
    } else if initial > f64::from(qmax) {
        qmax
    } else {
        initial.round_ties_even() as i32
    };
    QParams { scale, zero_point }
}

/// An `[n, k]` f32 weight quantised to int8 as ATen's
/// `fbgemm_linear_quantize_weight` does: the int8 values (row-major), the
/// column offsets (one per output row) and the parameters.
pub(crate) fn quantize_weight(w: &[f32], n: usize, k: usize) -> (Vec<i8>, Vec<i32>, QParams) {
    let (lo, hi) = w
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    let q = choose_qparams(lo, hi, -128, 127);
    let inv = 1.0 / q.scale;
    let values: Vec<i8> = w
        .iter()
        .map(|&x| {
            let v = q.zero_point as f32 + (x * inv).round_ties_even();
            v.clamp(-128.0, 127.0) as i8
        })
        .collect();
    let offsets = (0..n)
        .map(|row| {
            let sum: i32 = values[row * k..(row + 1) * k]
                .iter()
                .map(|&v| i32::from(v))
                .sum();
            sum - q.zero_point * k as i32
        })
        .collect();
    (values, offsets, q)
}

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

/// Takes a named tensor of the given shape out of the loaded file.
type Take<'a> = dyn FnMut(&str, &[i64]) -> Result<Tensor, SentimentError> + 'a;

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

/// The encoder plus slant's three-class head, for inference.
pub(crate) struct FastNet {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: i64,
    classifier: (Tensor, Tensor),
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

impl FastNet {
    /// Another handle on the same weights (no copy), for another thread.
    fn shallow_clone(&self) -> FastNet {
        FastNet {
            word: self.word.shallow_clone(),
            position: self.position.shallow_clone(),
            token_type: self.token_type.shallow_clone(),
            embedding_norm: self.embedding_norm.shallow_clone(),
            layers: self.layers.iter().map(Layer::shallow_clone).collect(),
            heads: self.heads,
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
        precision: Precision,
    ) -> Result<FastNet, SentimentError> {
        let bad = |reason: String| SentimentError::BadModel {
            path: path.to_path_buf(),
            reason,
            hint: MODEL_HINT,
        };
        if format!("{:?}", config.hidden_act) != "gelu" {
            return Err(bad(format!(
                "hidden_act {:?} is not supported (gelu)",
                config.hidden_act
            )));
        }
        let mut tensors: HashMap<String, Tensor> = Tensor::read_safetensors(path)
            .map_err(|e| bad(e.to_string()))?
            .into_iter()
            .map(|(name, t)| (name, t.to_kind(Kind::Float)))
            .collect();
        let mut take = |name: &str, shape: &[i64]| -> Result<Tensor, SentimentError> {
            let t = tensors
                .remove(name)
                .ok_or_else(|| bad(format!("no tensor {name}")))?;
            if t.size() != shape {
                return Err(bad(format!(
                    "{name} has shape {:?}, expected {shape:?}",
                    t.size()
                )));
            }
            Ok(t)
        };
        let h = config.hidden_size;
        let i = config.intermediate_size;
        let norm = |take: &mut Take<'_>, prefix: &str| {
            Ok::<_, SentimentError>(LayerNorm {
                weight: take(&format!("{prefix}.weight"), &[h])?,
                bias: take(&format!("{prefix}.bias"), &[h])?,
                eps: LAYER_NORM_EPS,
            })
        };
        let linear = |take: &mut Take<'_>, prefix: &str, n: i64, k: i64, precision: Precision| {
            let w = take(&format!("{prefix}.weight"), &[n, k])?;
            let b = take(&format!("{prefix}.bias"), &[n])?;
            Linear::new(w, b, precision).map_err(|e| SentimentError::BadModel {
                path: path.to_path_buf(),
                reason: e,
                hint: MODEL_HINT,
            })
        };
        let embedding_norm = norm(&mut take, "embeddings.LayerNorm")?;
        let mut layers = Vec::new();
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            // After its attention the last layer computes only the rows the
            // head reads (see `forward`), few enough that f32 costs little.
            let own = if l + 1 == config.num_hidden_layers {
                Precision::F32
            } else {
                precision
            };
            layers.push(Layer {
                query: linear(
                    &mut take,
                    &format!("{p}.attention.self.query"),
                    h,
                    h,
                    precision,
                )?,
                key: linear(
                    &mut take,
                    &format!("{p}.attention.self.key"),
                    h,
                    h,
                    precision,
                )?,
                value: linear(
                    &mut take,
                    &format!("{p}.attention.self.value"),
                    h,
                    h,
                    precision,
                )?,
                attention_out: linear(
                    &mut take,
                    &format!("{p}.attention.output.dense"),
                    h,
                    h,
                    own,
                )?,
                attention_norm: norm(&mut take, &format!("{p}.attention.output.LayerNorm"))?,
                intermediate: linear(&mut take, &format!("{p}.intermediate.dense"), i, h, own)?,
                output: linear(&mut take, &format!("{p}.output.dense"), h, i, own)?,
                output_norm: norm(&mut take, &format!("{p}.output.LayerNorm"))?,
            });
        }
        let net = FastNet {
            word: take("embeddings.word_embeddings.weight", &[config.vocab_size, h])?,
            position: take(
                "embeddings.position_embeddings.weight",
                &[config.max_position_embeddings, h],
            )?,
            token_type: take(
                "embeddings.token_type_embeddings.weight",
                &[config.type_vocab_size, h],
            )?,
            embedding_norm,
            layers,
            heads: config.num_attention_heads,
            classifier: (
                take("classifier.weight", &[3, 2 * h])?,
                take("classifier.bias", &[3])?,
            ),
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
        let size = b.ids.size();
        let (n, len) = (size[0], size[1]);
        let positions = Tensor::arange(len, (Kind::Int64, tch::Device::Cpu));
        let x = Tensor::embedding(&self.word, &b.ids, -1, false, false)
            + Tensor::embedding(&self.position, &positions, -1, false, false)
            + Tensor::embedding(&self.token_type, &b.types, -1, false, false);
        let mut x = self.embedding_norm.forward(&x);
        // 0 where a token is real, -10000 on padding: what BERT adds to the
        // attention scores so padding gets no weight.
        let mask = ((b.mask.to_kind(Kind::Float) - 1.0) * 10000.0).view([n, 1, 1, len]);
        let hidden = x.size()[2];
        let head = hidden / self.heads;
        let split = |t: Tensor| t.view([n, len, self.heads, head]).transpose(1, 2);
        let Some((last, layers)) = self.layers.split_last() else {
            return self.head(&x, b);
        };
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
        for layer in layers {
            let context = attention(layer, &x);
            let a = layer
                .attention_norm
                .forward(&(layer.attention_out.forward(&context) + &x));
            let f = layer.intermediate.forward(&a).gelu("none");
            x = layer.output_norm.forward(&(layer.output.forward(&f) + &a));
        }
        // The head reads only [CLS] and the target's tokens, so after its
        // attention (which needs every token) the last layer goes on with
        // their rows only: about a tenth of the rows of real sentences.
        let context = attention(last, &x);
        let keep = b.target.gt(0.0).logical_or(&positions.eq(0).unsqueeze(0));
        let rows = keep.view([-1]).nonzero().view([-1]);
        let pick = |t: &Tensor| t.view([n * len, hidden]).index_select(0, &rows);
        let a = last
            .attention_norm
            .forward(&(last.attention_out.forward(&pick(&context)) + pick(&x)));
        let f = last.intermediate.forward(&a).gelu("none");
        let y = last.output_norm.forward(&(last.output.forward(&f) + &a));
        let x = Tensor::zeros([n * len, hidden], (Kind::Float, tch::Device::Cpu))
            .index_copy(0, &rows, &y)
            .view([n, len, hidden]);
        self.head(&x, b)
    }

    /// Logits from the final hidden states `x` `[batch, len, hidden]`:
    /// `[CLS]` beside the mean of the target's tokens, one linear layer.
    fn head(&self, x: &Tensor, b: &Batch) -> Tensor {
        let cls = x.select(1, 0);
        let w = b.target.unsqueeze(-1);
        let sum = (x * &w).sum_dim_intlist(1, false, Kind::Float);
        let count = b
            .target
            .sum_dim_intlist(1, true, Kind::Float)
            .clamp_min(1.0);
        let feat = Tensor::cat(&[cls, sum / count], 1);
        feat.linear(&self.classifier.0, Some(&self.classifier.1))
    }
}

/// Class probabilities for each input, in input order, from `workers`
/// threads that each take the next batch (of inputs sorted by length) when
/// done with one, each with one libtorch thread. On a small machine this
/// beats one forward pass spread over all cores: the matrices of one batch
/// are small enough that the threads of one pass spend much of their time
/// waiting for each other, and a pass whose thread the system descheduled
/// holds up only its own batch. After each batch, `done` is told how many
/// inputs are scored so far.
pub(crate) fn predict_parallel(
    net: &FastNet,
    inputs: &[Encoded],
    batch_size: usize,
    workers: usize,
    done: &dyn Fn(usize),
) -> Result<Vec<[f32; 3]>, SentimentError> {
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&i| (inputs[i].ids.len(), i));
    let batches: Vec<&[usize]> = order.chunks(batch_size.max(1)).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut out = vec![[0f32; 3]; inputs.len()];
    let (tx, rx) = std::sync::mpsc::channel::<Result<(usize, Vec<f32>), String>>();
    let result = std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, batches.len().max(1)) {
            let tx = tx.clone();
            let net = net.shallow_clone();
            let (batches, next) = (&batches, &next);
            scope.spawn(move || {
                // Per thread: libtorch's OpenMP and MKL settings are
                // thread-local, so this leaves the caller's threads alone.
                tch::set_num_threads(1);
                let _guard = tch::no_grad_guard();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(chunk) = batches.get(i) else { break };
                    let items: Vec<&Encoded> = chunk.iter().map(|&k| &inputs[k]).collect();
                    let probs = net
                        .forward(&Batch::collate(&items))
                        .softmax(-1, Kind::Float);
                    let flat = Vec::<f32>::try_from(probs.flatten(0, -1))
                        .map(|v| (i, v))
                        .map_err(|e| e.to_string());
                    if tx.send(flat).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut scored = 0;
        for message in rx {
            let (i, flat) = message.map_err(SentimentError::Torch)?;
            for (k, &slot) in batches[i].iter().enumerate() {
                out[slot] = [flat[3 * k], flat[3 * k + 1], flat[3 * k + 2]];
            }
            scored += batches[i].len();
            done(scored);
        }
        Ok::<_, SentimentError>(())
    });
    // A worker's `set_num_threads(1)` also set the default that threads
    // which have not used libtorch yet start from: put it back.
    tch::set_num_threads(i32::try_from(workers).unwrap_or(1).max(1));
    result?;
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
        let net = Net::new(&vs.root(), &bert);
        vs.load(dir.join("model.safetensors")).expect("weights");
        vs.float();
        let fast = FastNet::load(&dir.join("model.safetensors"), &bert, Precision::F32)
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
    fn int8_forward_mostly_agrees_with_f32() {
        let Some((dir, bert, encoded)) = model_and_dev(64) else {
            return;
        };
        let path = dir.join("model.safetensors");
        let exact = FastNet::load(&path, &bert, Precision::F32).expect("f32");
        let int8 = FastNet::load(&path, &bert, Precision::Int8).expect("int8");
        let _guard = tch::no_grad_guard();
        let items: Vec<&Encoded> = encoded.iter().collect();
        let batch = Batch::collate(&items);
        let a = exact.forward(&batch).argmax(-1, false);
        let b = int8.forward(&batch).argmax(-1, false);
        let agree = a.eq_tensor(&b).sum(Kind::Int64).int64_value(&[]);
        assert!(agree >= 58, "only {agree}/64 labels agree");
    }

    #[test]
    fn qparams_match_fbgemm_on_simple_ranges() {
        // [-1, 1] over 255 steps: 0 lands between -1 and 0, nearer 0 …
        let q = choose_qparams(-1.0, 1.0, -128, 127);
        assert!((q.scale - 2.0 / 255.0).abs() < 1e-9);
        assert_eq!(q.zero_point, 0);
        // … a positive-only range is widened to hold 0, which maps to qmin.
        let q = choose_qparams(0.5, 2.55, 0, 255);
        assert!((q.scale - 0.01).abs() < 1e-7);
        assert_eq!(q.zero_point, 0);
        let q = choose_qparams(-2.55, -0.5, -128, 127);
        assert_eq!(q.zero_point, 127);
        // A constant zero tensor still gets a usable scale.
        assert_eq!(choose_qparams(0.0, 0.0, -128, 127).scale, 0.1);
    }

    #[test]
    fn quantised_weights_round_trip_and_offsets_sum_rows() {
        let w: Vec<f32> = (0..12).map(|i| (i as f32 - 4.0) / 8.0).collect();
        let (q, offsets, p) = quantize_weight(&w, 3, 4);
        for (&x, &v) in w.iter().zip(&q) {
            let back = p.scale * (i32::from(v) - p.zero_point) as f32;
            assert!((back - x).abs() <= p.scale / 2.0 + 1e-6, "{x} -> {back}");
        }
        for row in 0..3 {
            let sum: i32 = q[row * 4..row * 4 + 4].iter().map(|&v| i32::from(v)).sum();
            assert_eq!(offsets[row], sum - 4 * p.zero_point);
        }
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
