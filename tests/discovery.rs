//! End-to-end: groups, metadata pass-through, keyness, label groups,
//! divergence and the drafted lexicon, from the real binary on real files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Output;

mod common;
use common::{column, read_csv, stderr};

const SEEDS: &str = "../shared/corpus/seeds-2024-iraq";

fn slant(args: &[&str]) -> Output {
    common::slant(args).output().expect("run slant")
}

use common::analyze;

fn values(rows: &[csv::StringRecord], name: &str) -> Vec<String> {
    let c = column(rows, name);
    rows[1..].iter().map(|r| r[c].to_string()).collect()
}

#[test]
fn groups_come_from_the_group_column_or_the_one_named_and_metadata_passes_through() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["data/sample"], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let articles = read_csv(&dir.path().join("articles.csv"));
    assert!(values(&articles, "group").contains(&"regional".to_string()));
    assert!(values(&articles, "story").contains(&"baghdad-strike".to_string()));
    let groups = read_csv(&dir.path().join("groups.csv"));
    assert_eq!(values(&groups, "group"), ["regional", "us", "wire"]);
    assert_eq!(values(&groups, "outlets")[0], "eastwind; tigris");
    assert_eq!(values(&groups, "articles"), ["6", "3", "3"]);
    // The group rows of the other reports.
    let labels = read_csv(&dir.path().join("labels.csv"));
    assert!(values(&labels, "scope").contains(&"group".to_string()));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(run["groups"]["column"], "group");
    assert_eq!(run["groups"]["articles"], 12);
    assert!(run["discovery"]["label_encoder"].is_null(), "--no-model");

    let by_story = tempfile::tempdir().unwrap();
    let out = analyze(&["data/sample"], by_story.path(), &["--group-by", "story"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let groups = read_csv(&by_story.path().join("groups.csv"));
    assert_eq!(
        values(&groups, "group"),
        [
            "analysis",
            "baghdad-strike",
            "base-attacks",
            "coalition-exit",
            "talks"
        ]
    );

    let nowhere = tempfile::tempdir().unwrap();
    let out = analyze(&["data/sample"], nowhere.path(), &["--group-by", "owner"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--group-by owner: no article has a value"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read_csv(&nowhere.path().join("groups.csv")).len(), 1);
}

#[test]
fn jsonl_fields_pass_through_as_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(
        &input,
        "{\"outlet\":\"a\",\"text\":\"US troops left Iraq.\",\"group\":\"left\",\"rank\":3}\n\
         {\"outlet\":\"b\",\"text\":\"The occupation forces left.\",\"group\":\"right\",\"tags\":[\"x\"]}\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = analyze(&[input.to_str().unwrap()], &out_dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let articles = read_csv(&out_dir.join("articles.csv"));
    assert_eq!(values(&articles, "group"), ["left", "right"]);
    assert_eq!(values(&articles, "rank"), ["3", ""]);
    assert_eq!(values(&articles, "tags"), ["", "[\"x\"]"]);
}

/// Phrases of each label group of `labels.csv`.
fn label_groups(out: &Path) -> Vec<BTreeSet<String>> {
    let rows = read_csv(&out.join("labels.csv"));
    let (g, p) = (column(&rows, "group_id"), column(&rows, "phrase"));
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in &rows[1..] {
        groups
            .entry(r[g].to_string())
            .or_default()
            .insert(r[p].to_string());
    }
    groups.into_values().collect()
}

#[test]
fn the_seeds_label_groups_hold_the_labels_the_outlets_used() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEEDS);
    assert!(seeds.is_dir(), "{SEEDS} is needed for this test");
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&[SEEDS], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let groups = label_groups(dir.path());
    let group_of = |phrase: &str| {
        groups
            .iter()
            .position(|g| g.contains(phrase))
            .unwrap_or_else(|| panic!("{phrase} is in no group: {groups:#?}"))
    };
    // One referent, one group, whatever each outlet called it.
    for (a, b) in [
        ("US forces", "occupation forces"),
        ("US forces", "US-led coalition"),
        ("ISIS", "Daesh"),
        ("ISIS", "Islamic State"),
        ("Popular Mobilization Forces", "Islamic Resistance"),
        ("Soleimani", "al-Muhandis"),
    ] {
        assert_eq!(group_of(a), group_of(b), "{a} / {b}: {groups:#?}");
    }
    assert_ne!(group_of("ISIS"), group_of("US forces"));
    assert_ne!(group_of("ISIS"), group_of("Popular Mobilization Forces"));
    // Five outlets of one article each: no phrase reaches the three
    // articles keyness asks of an outlet.
    assert_eq!(read_csv(&dir.path().join("keyness.csv")).len(), 1);
    // Every test of divergence.csv has a q-value no smaller than its p.
    let div = read_csv(&dir.path().join("divergence.csv"));
    let (p, q) = (column(&div, "p_value"), column(&div, "q_value"));
    assert!(div.len() > 1);
    for r in &div[1..] {
        let (p, q): (f64, f64) = (r[p].parse().unwrap(), r[q].parse().unwrap());
        assert!((0.0..=1.0).contains(&p) && q >= p, "{r:?}");
    }
}

#[test]
fn a_drafted_lexicon_checks_runs_and_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("story.toml");
    let reports = dir.path().join("reports");
    let out = slant(&[
        "lexicon",
        "suggest",
        "data/sample",
        "--out",
        draft.to_str().unwrap(),
        "--reports",
        reports.to_str().unwrap(),
        "--no-model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&draft).unwrap();
    assert!(
        text.contains("[[concept]]") && text.contains("SUGGESTED"),
        "{text}"
    );
    assert!(reports.join("labels.csv").is_file());
    let check = slant(&["lexicon", "check", draft.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );

    // The draft is a lexicon: the next run files mentions under its concepts.
    let run = dir.path().join("run");
    let out = analyze(
        &["data/sample"],
        &run,
        &["--lexicon", draft.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let concepts = read_csv(&run.join("concepts.csv"));
    assert!(
        values(&concepts, "concept")
            .iter()
            .any(|c| c.starts_with("g01_")),
        "{concepts:?}"
    );
    // The general layer is still there under a lexicon of one's own.
    let mentions = common::read_mentions(&run);
    let layer = column(&mentions, "layer");
    assert!(mentions[1..].iter().any(|m| &m[layer] == "general"));

    // A second draft does not replace the first, which may hold edits.
    std::fs::write(&draft, "# my edits\n").unwrap();
    let again = slant(&[
        "lexicon",
        "suggest",
        "data/sample",
        "--out",
        draft.to_str().unwrap(),
        "--no-model",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read_to_string(&draft).unwrap(), "# my edits\n");
}

#[test]
fn a_draft_takes_a_direction_from_the_model_where_no_word_is_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("seeds.toml");
    let out = slant(&[
        "lexicon",
        "suggest",
        SEEDS,
        "--out",
        draft.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(&draft).unwrap();
    // Each label block: its comments, then its TOML lines.
    let mut from_model = 0;
    for block in text
        .split("\n\n")
        .filter(|b| b.contains("[[concept.label]]"))
    {
        let read = block
            .lines()
            .find_map(|l| {
                l.strip_prefix(
                    "# model sentiment toward the referent where it is used (own voice): ",
                )
            })
            .map(|rest| {
                let (mean, n) = rest.split_once(" over ").unwrap();
                let n: u64 = n.trim_end_matches(" mentions").parse().unwrap();
                (mean.parse::<f64>().unwrap(), n)
            });
        let direction: f64 = block
            .lines()
            .find_map(|l| l.strip_prefix("direction = "))
            .unwrap()
            .parse()
            .unwrap();
        if block.contains("direction from the model's sentiment") {
            let (mean, n) = read.expect(block);
            assert!(n >= 5, "{block}");
            assert!((direction - mean).abs() < 0.006, "{block}");
            from_model += 1;
        } else if block.contains("no loaded word found") {
            assert_eq!(direction, 0.0, "{block}");
        }
    }
    assert!(from_model >= 3, "{text}");
}
