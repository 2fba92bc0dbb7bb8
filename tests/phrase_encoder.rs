//! The committed phrase encoder (`models/all-minilm-l6-v2`): unit vectors,
//! determinism, agreement with a reference computed without libtorch
//! (`scripts/embed_reference.py`, fixture `tests/data/`), semantic sanity,
//! in-context embeddings and their errors. `throughput` (ignored) measures
//! phrases per second.
#![cfg(feature = "model")]

use std::path::{Path, PathBuf};
use std::time::Instant;

use slant::discover::embed::{cosine, EmbedError, PhraseEncoder};

mod common;

fn encoder_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models/all-minilm-l6-v2")
}

fn encoder() -> PhraseEncoder {
    PhraseEncoder::load(&encoder_dir()).expect("the committed encoder loads")
}

fn norm(v: &[f32]) -> f64 {
    v.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>().sqrt()
}

#[test]
fn committed_encoder_loads_and_is_small() {
    let e = encoder();
    assert_eq!(e.dim(), 384);
    assert_eq!(e.config().max_len, 64);
    assert_eq!(e.config().pooling, "mean");
    assert!(e.config().normalize);
    assert_eq!(e.sha256().len(), 64);
    assert_eq!(encoder().sha256(), e.sha256(), "same files, same identity");
    let total: u64 = std::fs::read_dir(encoder_dir())
        .unwrap()
        .map(|f| f.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 50 * 1024 * 1024, "encoder folder is {total} bytes");
    if std::env::var_os("SLANT_ENCODER").is_none() {
        assert!(PhraseEncoder::default_dir()
            .join("slant_encoder.json")
            .is_file());
    }
}

#[test]
fn embeddings_are_unit_length_and_deterministic() {
    let e = encoder();
    let texts = [
        "US troops",
        "American forces",
        "occupation forces",
        "",
        "ISIS",
        "the Islamic State group's fighters in northern Iraq and Syria",
        "US troops",
    ];
    let a = e.embed(&texts).unwrap();
    assert_eq!(a.len(), texts.len());
    for (t, v) in texts.iter().zip(&a) {
        assert_eq!(v.len(), 384);
        assert!((norm(v) - 1.0).abs() < 1e-5, "{t:?}: norm {}", norm(v));
    }
    assert_eq!(a[0], a[6], "identical texts, identical vectors");
    let b = e.embed(&texts).unwrap();
    assert_eq!(a, b, "the same input gives the same vectors bit for bit");
    // Alone or in a batch of others: the same vector up to summation order.
    let alone = e.embed(&["occupation forces"]).unwrap();
    assert!(cosine(&alone[0], &a[2]) > 0.99999);
    assert!(e.embed(&[]).unwrap().is_empty());
}

/// `tests/data/phrase_encoder_reference.json`, written by
/// `scripts/embed_reference.py` from the package's fp32 weights (see the
/// script for the command).
fn reference() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/phrase_encoder_reference.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn matches_the_sentence_transformers_computation() {
    let r = reference();
    let tokenizer = std::fs::read(encoder_dir().join("tokenizer.json")).unwrap();
    assert_eq!(
        r["tokenizer_sha256"].as_str().unwrap(),
        slant::corpus::sha256_hex(&tokenizer),
        "the reference used the tokenizer the encoder ships"
    );
    let sentences: Vec<&str> = r["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(sentences.len(), 3);
    let expected: Vec<Vec<f32>> = r["embeddings"]
        .as_array()
        .unwrap()
        .iter()
        .map(floats)
        .collect();
    let got = encoder().embed(&sentences).unwrap();
    for ((s, g), x) in sentences.iter().zip(&got).zip(&expected) {
        let c = cosine(g, x);
        eprintln!("cosine to the reference {c:.7}: {s}");
        assert!(c > 1.0 - 1e-2, "{s:?}: cosine {c} to the reference");
        // Component by component too: fp16 storage moves them by up to
        // 2e-4; with the same fp16 weights the two agree to 1e-7.
        let worst = g
            .iter()
            .zip(x)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-3, "{s:?}: a component differs by {worst}");
    }
    for (pair, want) in r["cosines"].as_object().unwrap() {
        let (i, j) = pair.split_once(',').unwrap();
        let (i, j): (usize, usize) = (i.parse().unwrap(), j.parse().unwrap());
        let have = cosine(&got[i], &got[j]);
        let want = want.as_f64().unwrap() as f32;
        assert!((have - want).abs() < 1e-2, "cos({i},{j}) {have} vs {want}");
    }
}

#[test]
fn names_of_one_referent_are_closer_than_other_topics() {
    let e = encoder();
    let v = e
        .embed(&[
            "US troops",
            "American forces",
            "tax cuts",
            "ISIS",
            "Islamic State",
            "Federal Reserve",
        ])
        .unwrap();
    let troops_forces = cosine(&v[0], &v[1]);
    let troops_tax = cosine(&v[0], &v[2]);
    let isis_is = cosine(&v[3], &v[4]);
    let isis_fed = cosine(&v[3], &v[5]);
    eprintln!("US troops ~ American forces {troops_forces:.4}, ~ tax cuts {troops_tax:.4}");
    eprintln!("ISIS ~ Islamic State {isis_is:.4}, ~ Federal Reserve {isis_fed:.4}");
    assert!(troops_forces > troops_tax);
    assert!(isis_is > isis_fed);
}

#[test]
fn in_context_vectors_are_unit_and_not_the_bare_phrase() {
    let e = encoder();
    let s1 = "Residents said the occupation forces raided the village at dawn.";
    let s2 = "The US troops left Baghdad on Tuesday, officials said.";
    let span = |s: &'static str, p: &str| {
        let i = s.find(p).unwrap();
        (s, i..i + p.len())
    };
    let items = [
        span(s1, "occupation forces"),
        span(s2, "US troops"),
        span(s1, "occupation forces"),
    ];
    let ctx = e.embed_in_context(&items).unwrap();
    let bare = e.embed(&["occupation forces", "US troops"]).unwrap();
    assert_eq!(ctx.len(), 3);
    assert_eq!(ctx[0], ctx[2]);
    for (c, b) in ctx.iter().zip(&bare) {
        assert!((norm(c) - 1.0).abs() < 1e-5);
        let sim = cosine(c, b);
        eprintln!("in context vs bare: cosine {sim:.4}");
        assert!(sim < 0.99, "in-context equals the bare phrase ({sim})");
    }
    // The same phrase in two sentences reads differently.
    let s3 = "Analysts expect the US troops to stay in Syria through next year.";
    let other = e.embed_in_context(&[span(s3, "US troops")]).unwrap();
    assert!(cosine(&other[0], &ctx[1]) < 0.999);

    // A long sentence is cut to a window around the span, which still pools it.
    let long = format!(
        "{} the occupation forces {}",
        "word ".repeat(150),
        "word ".repeat(150)
    );
    let i = long.find("occupation").unwrap();
    let v = e
        .embed_in_context(&[(long.as_str(), i..i + "occupation forces".len())])
        .unwrap();
    assert!((norm(&v[0]) - 1.0).abs() < 1e-5);
}

#[test]
fn bad_spans_name_the_item() {
    let e = encoder();
    let s = "Daesh fighters fled Mosul.";
    let accented = "Él dijo";
    let cases: [(&str, std::ops::Range<usize>, &str); 5] = [
        (s, 3..3, "empty"),
        (s, 20..40, "past"),
        (accented, 1..4, "character boundaries"),
        (s, 5..6, "covers no token"),
        (s, std::ops::Range { start: 6, end: 2 }, "empty"),
    ];
    for (sentence, span, why) in cases {
        let items = [(s, 0..5), (sentence, span.clone())];
        match e.embed_in_context(&items) {
            Err(EmbedError::Span { index, reason, .. }) => {
                assert_eq!(index, 1, "{span:?}");
                assert!(reason.contains(why), "{span:?}: {reason}");
            }
            other => panic!("{span:?}: expected a span error, got {other:?}"),
        }
    }
}

#[test]
fn missing_or_broken_folders_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = PhraseEncoder::load(&missing).unwrap_err();
    assert!(matches!(err, EmbedError::Missing { .. }));
    assert!(err.to_string().contains("nope"), "{err}");

    // A folder whose weights are cut short.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    for f in ["config.json", "tokenizer.json", "slant_encoder.json"] {
        std::fs::copy(encoder_dir().join(f), broken.join(f)).unwrap();
    }
    std::fs::write(broken.join("model.safetensors"), b"not weights").unwrap();
    let err = PhraseEncoder::load(&broken).unwrap_err();
    assert!(matches!(err, EmbedError::BadModel { .. }), "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");

    // Settings this code does not implement are refused, not ignored.
    let json = std::fs::read_to_string(encoder_dir().join("slant_encoder.json")).unwrap();
    std::fs::write(
        broken.join("slant_encoder.json"),
        json.replace("\"mean\"", "\"cls\""),
    )
    .unwrap();
    let err = PhraseEncoder::load(&broken).unwrap_err();
    assert!(err.to_string().contains("slant_encoder.json"), "{err}");
}

/// Phrases per second for 1,000 distinct short phrases, with 1 and 2
/// libtorch threads. A measurement, not a check:
/// `cargo test --release --test phrase_encoder throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let e = encoder();
    let adjectives = [
        "US",
        "American",
        "British",
        "Iraqi",
        "Syrian",
        "Kurdish",
        "Iranian",
        "Turkish",
        "occupation",
        "coalition",
        "government",
        "rebel",
        "militant",
        "allied",
        "foreign",
        "armed",
        "security",
        "peacekeeping",
        "special",
        "local",
        "regime",
        "opposition",
        "Shiite",
        "Sunni",
        "federal",
    ];
    let nouns = [
        "troops",
        "forces",
        "soldiers",
        "fighters",
        "militias",
        "officials",
        "leaders",
        "protesters",
        "civilians",
        "refugees",
        "police",
        "army",
        "units",
        "commanders",
        "advisers",
        "contractors",
        "authorities",
        "ministers",
        "envoys",
        "negotiators",
        "lawmakers",
        "judges",
        "journalists",
        "activists",
        "insurgents",
        "tribes",
        "clerics",
        "diplomats",
        "spokesmen",
        "analysts",
        "voters",
        "residents",
        "families",
        "workers",
        "students",
        "doctors",
        "patrols",
        "convoys",
        "airstrikes",
        "checkpoints",
    ];
    let phrases: Vec<String> = adjectives
        .iter()
        .flat_map(|a| nouns.iter().map(move |n| format!("{a} {n}")))
        .collect();
    assert_eq!(phrases.len(), 1000);
    let refs: Vec<&str> = phrases.iter().map(String::as_str).collect();
    for threads in [1, 2] {
        tch::set_num_threads(threads);
        e.embed(&refs[..64]).unwrap(); // warm-up
        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let v = e.embed(&refs).unwrap();
            best = best.min(t.elapsed().as_secs_f64());
            assert_eq!(v.len(), 1000);
        }
        println!(
            "threads {threads}: 1000 phrases in {best:.3} s (best of 3), {:.0} phrases/s",
            1000.0 / best
        );
    }
}

/// The label candidates' vectors are kept beside the other results: a
/// rerun on the same articles embeds none again and groups alike; a damaged
/// file is said and computed again.
#[test]
fn a_rerun_embeds_only_label_candidates_it_has_not_met() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/seeds-2024-iraq");
    let seeds = seeds.to_str().unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| -> serde_json::Value {
        let o = out.path().to_str().unwrap();
        let mut args = vec!["analyze", seeds, "--out", o, "--quiet"];
        args.extend(extra);
        let done = common::slant(&args).output().unwrap();
        assert!(done.status.success(), "{}", common::stderr(&done));
        serde_json::from_slice(&std::fs::read(out.path().join("run.json")).unwrap()).unwrap()
    };
    let vectors = |run: &serde_json::Value| {
        let d = &run["discovery"];
        (
            d["label_vectors_kept"].as_u64().unwrap(),
            d["label_vectors_computed"].as_u64().unwrap(),
        )
    };
    let first = run(&[]);
    let (kept, computed) = vectors(&first);
    assert!(kept == 0 && computed > 1, "{kept} {computed}");
    assert_eq!(
        computed,
        first["discovery"]["label_candidates"].as_u64().unwrap()
    );
    let labels = std::fs::read(out.path().join("labels.csv")).unwrap();

    let again = run(&[]);
    assert_eq!(vectors(&again), (computed, 0));
    assert_eq!(
        std::fs::read(out.path().join("labels.csv")).unwrap(),
        labels
    );

    let file = out.path().join(".slant-cache/phrase-vectors-v1.bin");
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&file, bytes).unwrap();
    let damaged = run(&[]);
    assert_eq!(vectors(&damaged), (0, computed));
    let warnings = damaged["warnings"].to_string();
    assert!(warnings.contains("phrase-vectors-v1.bin"), "{warnings}");
    assert_eq!(
        std::fs::read(out.path().join("labels.csv")).unwrap(),
        labels
    );
}
