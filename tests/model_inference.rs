//! The committed sentiment model: loading, predictions, agreement with the
//! scores recorded at training time, the cache, and bad model folders.
#![cfg(feature = "model")]

use std::path::{Path, PathBuf};

use slant::pipeline::score_cached;
use slant::sentiment::data::read_jsonl;
use slant::sentiment::metrics::Scores;
use slant::sentiment::{LoadOptions, Polarity, Precision, SentimentError, SentimentModel, Target};
use slant::store::sentiment::{CacheLoad, SentimentCache};

fn model_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/newsmtsc-minilm-l6")
}

/// The exact (f32) network, whatever the default precision is.
fn model() -> SentimentModel {
    load(Precision::F32)
}

fn load(precision: Precision) -> SentimentModel {
    let options = LoadOptions {
        precision,
        max_len: None,
    };
    SentimentModel::load_with(&model_dir(), options).expect("the committed model loads")
}

#[test]
fn committed_model_loads_and_is_small() {
    let m = model();
    let info = m.info();
    assert_eq!(info.name, "newsmtsc-minilm-l6");
    assert_eq!(info.weights_sha256.len(), 64);
    assert_eq!(info.hash.len(), 64);
    assert_ne!(info.hash, info.weights_sha256);
    let total: u64 = std::fs::read_dir(model_dir())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 50 * 1024 * 1024, "model folder is {total} bytes");
    // Same files, same identity.
    assert_eq!(model().info(), info);
}

#[test]
fn unambiguous_sentences() {
    let m = model();
    let cases = [
        (
            "The volunteers were warmly praised for saving dozens of children from the fire.",
            "volunteers",
            Polarity::Positive,
        ),
        (
            "Critics say the corrupt governor stole millions and lied to voters for years.",
            "governor",
            Polarity::Negative,
        ),
        (
            "The committee will meet in the town hall on Thursday morning.",
            "committee",
            Polarity::Neutral,
        ),
        (
            "Fans celebrated the brilliant coach, calling her a hero and an inspiration.",
            "coach",
            Polarity::Positive,
        ),
        (
            "The gang was condemned for the brutal and senseless murder of two shopkeepers.",
            "gang",
            Polarity::Negative,
        ),
        (
            "The ministry published the quarterly figures on its website.",
            "ministry",
            Polarity::Neutral,
        ),
    ];
    let targets: Vec<Target> = cases
        .iter()
        .map(|(s, t, _)| Target::find(s, t).unwrap())
        .collect();
    let got = m.score(&targets).unwrap();
    for ((s, t, want), r) in cases.iter().zip(&got) {
        assert_eq!(r.label, *want, "{t:?} in {s:?}: {r:?}");
        let sum: f32 = r.probs.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4);
    }
}

#[test]
fn one_sentence_two_targets_two_answers() {
    // The point of target-dependent sentiment: praise for one, blame for the other.
    let m = model();
    let s = "The brave rescuers saved the families that the reckless arsonist had tried to kill.";
    let r = m
        .score(&[
            Target::find(s, "rescuers").unwrap(),
            Target::find(s, "arsonist").unwrap(),
        ])
        .unwrap();
    assert!(r[0].score() > r[1].score(), "{r:?}");
    assert_eq!(r[1].label, Polarity::Negative);
}

#[test]
fn agrees_with_training_time_evaluation() {
    let m = model();
    let check = m
        .config()
        .check
        .clone()
        .expect("slant_model.json records a check");
    let path = Path::new("../shared/data/newsmtsc/dev_rw.jsonl");
    if !path.exists() {
        eprintln!("skipping: {} not present", path.display());
        return;
    }
    let ex = read_jsonl(path).unwrap();
    let ex = &ex[..check.n];
    let targets: Vec<Target> = ex.iter().map(|e| e.target.clone()).collect();
    let pred: Vec<Polarity> = m.score(&targets).unwrap().iter().map(|s| s.label).collect();
    assert_eq!(pred, check.labels, "saved-model predictions changed");
    if let Some(training) = &check.labels_training {
        let agree = pred.iter().zip(training).filter(|(a, b)| a == b).count();
        assert!(
            agree + 2 >= check.n,
            "only {agree}/{} agree with the f32 weights",
            check.n
        );
    }
    let gold: Vec<Polarity> = ex.iter().map(|e| e.label).collect();
    let f1 = Scores::compute(&gold, &pred).macro_f1;
    assert!((f1 - check.macro_f1).abs() < 1e-9);
    // And the full dev score recorded in the model card.
    let all = read_jsonl(path).unwrap();
    let targets: Vec<Target> = all.iter().map(|e| e.target.clone()).collect();
    let pred: Vec<Polarity> = m.score(&targets).unwrap().iter().map(|s| s.label).collect();
    let gold: Vec<Polarity> = all.iter().map(|e| e.label).collect();
    let recorded = &m.config().scores["dev_rw"];
    assert_eq!(Scores::compute(&gold, &pred).confusion, recorded.confusion);
}

#[test]
fn batching_dedup_and_order_do_not_change_results() {
    let mut m = model();
    let a = Target::find("The senator defended the controversial law.", "senator").unwrap();
    let b = Target::find(
        "Police arrested the suspects after a long chase through the old city centre.",
        "suspects",
    )
    .unwrap();
    let one_a = m.score(std::slice::from_ref(&a)).unwrap()[0];
    let one_b = m.score(std::slice::from_ref(&b)).unwrap()[0];
    m.set_batch_size(1);
    let mixed = m
        .score(&[b.clone(), a.clone(), b.clone(), a.clone()])
        .unwrap();
    for (got, want) in mixed.iter().zip([one_b, one_a, one_b, one_a]) {
        assert_eq!(got.label, want.label);
        for k in 0..3 {
            assert!(
                (got.probs[k] - want.probs[k]).abs() < 1e-4,
                "{got:?} vs {want:?}"
            );
        }
    }
    let err = m.score(&[Target::new("short", 3, 40)]).unwrap_err();
    assert!(matches!(err, SentimentError::InvalidTarget { .. }), "{err}");
}

#[test]
fn long_sentences_are_windowed() {
    let m = model();
    let filler = "and then the meeting went on for a while ".repeat(40);
    let s = format!("{filler}the heroic nurse was applauded by everyone {filler}");
    let r = m.score(&[Target::find(&s, "nurse").unwrap()]).unwrap();
    assert_eq!(r.len(), 1);
    assert!(
        m.encode(&Target::find(&s, "nurse").unwrap())
            .unwrap()
            .ids
            .len()
            <= m.config().max_len
    );
}

#[test]
fn cache_hits_on_rerun() {
    let m = model();
    let out = tempfile::tempdir().unwrap();
    let path = SentimentCache::path_in(out.path());
    let targets = vec![
        Target::find("The council thanked the firefighters.", "firefighters").unwrap(),
        Target::find("The council thanked the firefighters.", "council").unwrap(),
        Target::find("The council thanked the firefighters.", "firefighters").unwrap(),
    ];

    let (mut cache, status) = SentimentCache::load(&path);
    assert_eq!(status, CacheLoad::Missing);
    let (first, stats) = score_cached(&m, &mut cache, &targets).unwrap();
    assert_eq!((stats.targets, stats.hits, stats.scored), (3, 0, 2));
    cache.save(&path).unwrap();

    // A rerun reads the file and scores nothing.
    let (mut cache, status) = SentimentCache::load(&path);
    assert_eq!(status, CacheLoad::Loaded { entries: 2 });
    let (second, stats) = score_cached(&m, &mut cache, &targets).unwrap();
    assert_eq!((stats.hits, stats.scored), (3, 0));
    assert_eq!(first, second);

    // One new target: only it is scored.
    let mut more = targets.clone();
    more.push(Target::find("The mayor resigned in disgrace.", "mayor").unwrap());
    let (_, stats) = score_cached(&m, &mut cache, &more).unwrap();
    assert_eq!((stats.hits, stats.scored), (3, 1));

    // A corrupt cache is reported and rebuilt, not trusted.
    std::fs::write(&path, b"garbage").unwrap();
    let (mut cache, status) = SentimentCache::load(&path);
    assert!(matches!(status, CacheLoad::Rebuilt { .. }));
    let (third, stats) = score_cached(&m, &mut cache, &targets).unwrap();
    assert_eq!(stats.scored, 2);
    assert_eq!(first, third);
}

fn copy_model(to: &Path) {
    for f in [
        "config.json",
        "tokenizer.json",
        "slant_model.json",
        "model.safetensors",
    ] {
        std::fs::copy(model_dir().join(f), to.join(f)).unwrap();
    }
}

#[test]
fn bad_model_folders_give_clear_errors() {
    let missing = SentimentModel::load(Path::new("/no/such/model")).unwrap_err();
    assert!(matches!(missing, SentimentError::MissingModel { .. }));
    let msg = missing.to_string();
    assert!(
        msg.contains("/no/such/model") && msg.contains("--no-model"),
        "{msg}"
    );

    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let err = SentimentModel::load(dir.path()).unwrap_err();
    assert!(matches!(err, SentimentError::MissingModel { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"));

    // Truncated weights.
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    let w = dir.path().join("model.safetensors");
    let bytes = std::fs::read(&w).unwrap();
    std::fs::write(&w, &bytes[..bytes.len() / 2]).unwrap();
    let err = SentimentModel::load(dir.path()).unwrap_err();
    assert!(matches!(err, SentimentError::BadModel { .. }), "{err}");

    // Garbage weights.
    std::fs::write(&w, b"not a safetensors file").unwrap();
    assert!(matches!(
        SentimentModel::load(dir.path()),
        Err(SentimentError::BadModel { .. })
    ));

    // A foreign slant_model.json.
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::write(
        dir.path().join("slant_model.json"),
        r#"{"format": "other"}"#,
    )
    .unwrap();
    let err = SentimentModel::load(dir.path()).unwrap_err();
    assert!(matches!(err, SentimentError::BadModel { .. }), "{err}");

    // A tokenizer that is not one.
    let dir = tempfile::tempdir().unwrap();
    copy_model(dir.path());
    std::fs::write(dir.path().join("tokenizer.json"), "{}").unwrap();
    let err = SentimentModel::load(dir.path()).unwrap_err();
    assert!(err.to_string().contains("tokenizer"), "{err}");
}

/// Labels of the int8 path on `path` (a NewsMTSC file) and their scores.
fn int8_dev(m: &SentimentModel, path: &Path) -> (Vec<Polarity>, Scores) {
    let ex = read_jsonl(path).unwrap();
    let targets: Vec<Target> = ex.iter().map(|e| e.target.clone()).collect();
    let pred: Vec<Polarity> = m.score(&targets).unwrap().iter().map(|s| s.label).collect();
    let gold: Vec<Polarity> = ex.iter().map(|e| e.label).collect();
    let scores = Scores::compute(&gold, &pred);
    (pred, scores)
}

#[test]
fn int8_agrees_with_f32_and_keeps_the_dev_scores() {
    let m = load(Precision::Int8);
    let exact = model();
    let (a, b) = (m.info(), exact.info());
    assert_eq!(
        (a.precision, b.precision),
        (Precision::Int8, Precision::F32)
    );
    // Different numerics, different cache keys.
    assert_ne!(a.hash, b.hash);
    assert_eq!(a.weights_sha256, b.weights_sha256);

    let check = exact.config().check.clone().expect("a recorded check");
    let path = Path::new("../shared/data/newsmtsc/dev_rw.jsonl");
    if !path.exists() {
        eprintln!("skipping: {} not present", path.display());
        return;
    }
    let (pred, rw) = int8_dev(&m, path);
    let agree = pred[..check.n]
        .iter()
        .zip(&check.labels)
        .filter(|(a, b)| a == b)
        .count();
    // Floor: at most 3 of the 64 recorded f32 labels may change.
    assert!(agree + 3 >= check.n, "{agree}/{} agree with f32", check.n);
    // The floors: int8 of model v3 measured 0.8358 / 0.7454 against f32's
    // 0.8309 / 0.7565 (dev_rw / dev_mt; v2: 0.8290 / 0.7341 against 0.8291 /
    // 0.7459), so within 0.005 on dev_rw and 0.015 on dev_mt (the card's
    // Speed section; int8 is an option for that).
    let recorded = &exact.config().scores;
    assert!(
        rw.macro_f1 >= recorded["dev_rw"].macro_f1 - 0.005,
        "dev_rw macro-F1 {:.4}",
        rw.macro_f1
    );
    let mt_path = Path::new("../shared/data/newsmtsc/dev_mt.jsonl");
    if mt_path.exists() {
        let (_, mt) = int8_dev(&m, mt_path);
        assert!(
            mt.macro_f1 >= recorded["dev_mt"].macro_f1 - 0.015,
            "dev_mt macro-F1 {:.4}",
            mt.macro_f1
        );
    }
}

/// int8 quantises each forward pass's input with one scale, so slant
/// scores one pair per pass: a pair's probabilities, to the bit, do not
/// depend on what else was scored, which keeps a rerun equal to a fresh run.
#[test]
fn int8_scores_do_not_depend_on_neighbours() {
    let mut m = load(Precision::Int8);
    m.set_batch_size(32);
    let path = Path::new("../shared/data/newsmtsc/dev_mt.jsonl");
    if !path.exists() {
        eprintln!("skipping: {} not present", path.display());
        return;
    }
    let targets: Vec<Target> = read_jsonl(path)
        .unwrap()
        .into_iter()
        .take(24)
        .map(|e| e.target)
        .collect();
    let all = m.score(&targets).unwrap();
    // Every third one, in reverse: other neighbours, other padding.
    let some: Vec<Target> = targets.iter().rev().step_by(3).cloned().collect();
    let again = m.score(&some).unwrap();
    for (got, want) in again.iter().zip(all.iter().rev().step_by(3)) {
        assert_eq!(got.probs, want.probs);
    }
}

#[test]
fn cached_scores_do_not_cross_precisions() {
    let exact = model();
    let int8 = load(Precision::Int8);
    let out = tempfile::tempdir().unwrap();
    let path = SentimentCache::path_in(out.path());
    let targets = vec![
        Target::find("The council thanked the firefighters.", "firefighters").unwrap(),
        Target::find("The council thanked the firefighters.", "council").unwrap(),
    ];
    let (mut cache, _) = SentimentCache::load(&path);
    let (_, stats) = score_cached(&exact, &mut cache, &targets).unwrap();
    assert_eq!(stats.scored, 2);
    // The f32 entries are no answer for int8: it scores both itself.
    let (_, stats) = score_cached(&int8, &mut cache, &targets).unwrap();
    assert_eq!((stats.hits, stats.scored), (0, 2));
    let (_, stats) = score_cached(&exact, &mut cache, &targets).unwrap();
    assert_eq!((stats.hits, stats.scored), (2, 0));
}
