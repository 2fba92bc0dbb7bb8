//! `slant eval loaded` end to end: the real binary on small invented files
//! in BABE's format (`;`-separated, a byte-order mark, a field across lines).

use std::path::Path;
use std::process::Output;

mod common;
use common::{corpus_with, stderr};

const HEADER: &str =
    "\u{feff}text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words\n";

/// Invented sentences. With the starter lexicon: 1, 2 and 6 are predicted
/// Biased (own-voice "regime", "gang"/"thugs", "so-called"); 5 is not (the
/// loaded word is quoted); 3 has loaded words the lexicon lacks.
const ROWS: &str = "\
The regime jailed the reporters again.;http://a.example/1;Paper A;media;left;Biased;Somewhat factual but also opinionated;['regime']
A gang of thugs looted the shops downtown.;http://b.example/2;Paper B;crime;right;Biased;Expresses writer's opinion;['thugs', 'looted']
The senator's reckless plan will ruin the state.;;Paper B;politics;right;Biased;Expresses writer's opinion;[\"reckless\", 'ruin']
The council approved the budget on Monday.;;Paper C;politics;center;Non-biased;Entirely factual;[]
\"\"\"They are criminals,\"\" the mayor said of the protesters.\";;Paper A;crime;left;Non-biased;Entirely factual;[]
The so-called experts met in Geneva.;;Paper C;science;center;Non-biased;Entirely factual;['so-called']
\"The committee met on
Tuesday; it adjourned early.\";;Paper A;politics;left;Non-biased;Entirely factual;[]
The governor spoke at length.;;Paper B;politics;right;No agreement;No agreement;[]
";

fn eval(args: &[&str]) -> Output {
    let mut all = vec!["eval", "loaded"];
    all.extend(args);
    common::slant(&all).output().expect("run slant")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whether a line of the printed tables has exactly these fields (columns
/// are separated by two or more spaces; names like `lexicon: story` have
/// one).
fn has_row(text: &str, fields: &[&str]) -> bool {
    text.lines().any(|line| {
        let got: Vec<&str> = line
            .trim()
            .split("  ")
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        got == fields
    })
}

/// The starter lexicon as it was when the figures below were worked out by
/// hand, so that they do not move with the embedded one.
const LEXICON: [&str; 4] = [
    "--lexicon",
    "data/lexicon/iraq-2024.toml",
    "--lexicon",
    "data/lexicon/generic.toml",
];

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `slant eval loaded` on `ROWS` (every split) with the hand-worked
/// lexicon and `extra` options, writing `eval.json` beside the data.
fn eval_invented(extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = corpus_with(&[("babe.csv", format!("{HEADER}{ROWS}").as_bytes())]);
    let data = dir.path().join("babe.csv");
    let json = dir.path().join("eval.json");
    let mut args = vec![
        "--data",
        path_str(&data),
        "--split",
        "all",
        "--json",
        path_str(&json),
    ];
    args.extend(extra);
    args.extend(LEXICON);
    let out = eval(&args);
    (dir, out)
}

#[test]
fn figures_on_an_invented_file() {
    let (dir, out) = eval_invented(&["--no-model"]);
    let json = dir.path().join("eval.json");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Gold B B B N N N N, predicted B B N N N B N.
    assert!(
        text.contains("7 sentences scored (3 Biased, 4 Non-biased); 1 skipped (No agreement)"),
        "{text}"
    );
    // accuracy 5/7; macro-F1 (2/3 + 3/4) / 2.
    assert!(
        has_row(&text, &["lexicon", "7", "5", "0.7143", "0.7083"]),
        "{text}"
    );
    assert!(
        has_row(
            &text,
            &["lexicon", "Biased", "3", "3", "2", "0.6667", "0.6667", "0.6667"]
        ),
        "{text}"
    );
    assert!(
        has_row(
            &text,
            &[
                "lexicon",
                "Non-biased",
                "4",
                "4",
                "3",
                "0.7500",
                "0.7500",
                "0.7500"
            ]
        ),
        "{text}"
    );
    // Gold words {regime} {thugs, looted} {reckless, ruin} {so, called};
    // predicted {regime} {gang, thugs} {so, called}: 4 of 7 found, 4 of 5
    // right, F1 = 8/12.
    assert!(
        has_row(
            &text,
            &["lexicon", "words", "7", "5", "4", "0.8000", "0.5714", "0.6667"]
        ),
        "{text}"
    );

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("json");
    assert_eq!(report["split"], "all");
    assert_eq!(report["rows"], 8);
    assert_eq!(report["skipped_no_agreement"], 1);
    // One row per layer of the lexicon (story, general), then the whole.
    assert_eq!(report["layers"].as_array().map(Vec::len), Some(3));
    let lexicon = &report["layers"][2];
    assert_eq!(lexicon["layer"], "lexicon");
    assert_eq!(lexicon["correct"], 5);
    assert_eq!(lexicon["words"]["correct"], 4);
}

/// Without `--no-model` the detector adds its two rows after the lexicon's,
/// which stay as they are.
#[cfg(feature = "model")]
#[test]
fn the_detector_adds_its_rows_and_leaves_the_lexicons() {
    let (dir, out) = eval_invented(&[]);
    let json = dir.path().join("eval.json");
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("json");
    let names: Vec<&str> = report["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["layer"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "lexicon: story",
            "lexicon: general",
            "lexicon",
            "detector",
            "lexicon + detector"
        ]
    );
    assert_eq!(report["layers"][2]["correct"], 5);
    // Seven scored sentences, and "thugs" and "reckless" are what the
    // detector was trained to find.
    let detector = &report["layers"][3];
    assert_eq!(detector["sentences"], 7);
    assert!(
        detector["words"]["correct"].as_u64().unwrap() >= 2,
        "{detector}"
    );
}

/// Two more invented rows whose SHA-256 starts with a byte divisible by 5
/// (0x00 and 0xd2), so in dev; every row of `ROWS` is in train.
const DEV_ROWS: &str = "\
The regime's puppets cheered again.;;Paper B;politics;right;Biased;Expresses writer's opinion;['puppets']
The bridge reopens on Thursday.;;Paper C;transport;center;Non-biased;Entirely factual;[]
";

#[test]
fn dev_and_train_split_the_rows_by_their_hash() {
    let dir = corpus_with(&[("babe.csv", format!("{HEADER}{ROWS}{DEV_ROWS}").as_bytes())]);
    let data = dir.path().join("babe.csv");
    let run = |split: &[&str]| {
        let mut args = vec!["--data", path_str(&data)];
        args.extend(split);
        args.extend(LEXICON);
        let out = eval(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        stdout(&out)
    };
    let dev = run(&[]);
    assert!(dev.contains("split dev:"), "dev is the default: {dev}");
    assert!(
        dev.contains("2 sentences scored (1 Biased, 1 Non-biased); 0 skipped (No agreement)"),
        "{dev}"
    );
    assert!(
        has_row(&dev, &["lexicon", "2", "2", "1.0000", "1.0000"]),
        "{dev}"
    );
    let train = run(&["--split", "train"]);
    assert!(
        train.contains("7 sentences scored (3 Biased, 4 Non-biased); 1 skipped (No agreement)"),
        "{train}"
    );
    assert!(
        has_row(&train, &["lexicon", "7", "5", "0.7143", "0.7083"]),
        "{train}"
    );
}

#[test]
fn a_missing_file_is_exit_2_naming_it() {
    let out = eval(&["--data", "/nonexistent/babe.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/babe.csv"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_missing_column_is_exit_2_naming_file_and_column() {
    let dir = corpus_with(&[(
        "babe.csv",
        b"\xef\xbb\xbftext;outlet;biased_words\nA sentence.;Paper A;[]\n",
    )]);
    let out = eval(&["--data", path_str(&dir.path().join("babe.csv"))]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("babe.csv") && err.contains("`label_bias`"),
        "{err}"
    );
}

#[test]
fn a_malformed_row_is_exit_2_naming_file_and_line() {
    // The row after the two-line field starts on line 4.
    let cases = [
        (
            "Fine.;;A;t;left;Sure;;[]\n",
            "babe.csv:4: `label_bias` is \"Sure\"",
        ),
        (
            "Fine.;;A;t;left;Biased;;[mob]\n",
            "babe.csv:4: `biased_words` is not a list",
        ),
        (
            "Fine.;;A;t;left;Biased\n",
            "babe.csv:4: row has 6 fields, the header has 8",
        ),
    ];
    for (row, want) in cases {
        let content = format!("{HEADER}\"Two\nlines.\";;A;t;left;Non-biased;;[]\n{row}");
        let dir = corpus_with(&[("babe.csv", content.as_bytes())]);
        let out = eval(&["--data", path_str(&dir.path().join("babe.csv"))]);
        assert_eq!(out.status.code(), Some(2), "{row}");
        assert!(stderr(&out).contains(want), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "no figures on part of the data");
    }
}

#[test]
fn a_malformed_lexicon_is_exit_2_naming_file_and_line() {
    let dir = corpus_with(&[
        ("babe.csv", format!("{HEADER}{ROWS}").as_bytes()),
        ("bad.toml", b"[meta]\nname = \"x\"\n[[concept]\n"),
    ]);
    let out = eval(&[
        "--data",
        path_str(&dir.path().join("babe.csv")),
        "--lexicon",
        path_str(&dir.path().join("bad.toml")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("bad.toml:3"), "{}", stderr(&out));
}
