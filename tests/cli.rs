//! End-to-end tests: the real `slant` binary on real files.

use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::{column, corpus_with, read_csv, read_mentions, stderr, GOOD, REPORTS};

const SEEDS: &str = "../shared/corpus/seeds-2024-iraq";
fn slant(args: &[&str]) -> Output {
    common::slant(args).output().expect("run slant")
}

use common::analyze;

#[test]
fn sample_matches_golden_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["data/sample"], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample");
    let bless = std::env::var_os("SLANT_BLESS").is_some();
    // The page is checked in a browser (tests/report_html.rs), not byte for
    // byte: its tables are these files'.
    for name in REPORTS.iter().filter(|n| !n.ends_with(".html")) {
        let got = std::fs::read_to_string(dir.path().join(name)).unwrap();
        let path = golden.join(name);
        if bless {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path:?}: {e} (SLANT_BLESS=1 writes it)"));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(g, w)| g != w)
                .unwrap_or(got.lines().count().min(want.lines().count()));
            panic!(
                "{name} differs from the golden file at line {}:\n got: {:?}\nwant: {:?}",
                line + 1,
                got.lines().nth(line),
                want.lines().nth(line)
            );
        }
    }
}

/// Every mention must be found at its offsets in the original file.
fn assert_mentions_at_offsets(out: &Path) {
    let articles = read_csv(&out.join("articles.csv"));
    let (id_col, src_col) = (column(&articles, "article_id"), column(&articles, "source"));
    let sources: std::collections::HashMap<String, String> = articles[1..]
        .iter()
        .map(|r| (r[id_col].to_string(), r[src_col].to_string()))
        .collect();
    let mentions = read_mentions(out);
    let [id, start, end, surface, sentence] =
        ["article_id", "start", "end", "surface", "sentence"].map(|c| column(&mentions, c));
    assert!(mentions.len() > 1, "no mentions");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for row in &mentions[1..] {
        let text = std::fs::read_to_string(root.join(&sources[&row[id]])).unwrap();
        let text = text.trim_start_matches('\u{feff}');
        let s: usize = row[start].parse().unwrap();
        let e: usize = row[end].parse().unwrap();
        let at: String = text.chars().skip(s).take(e - s).collect();
        assert_eq!(
            at, &row[surface],
            "mention at {s}..{e} in {}",
            &sources[&row[id]]
        );
        assert!(row[sentence].contains(&row[surface]), "{row:?}");
    }
}

#[test]
fn sample_mentions_point_at_original_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["data/sample"], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_mentions_at_offsets(dir.path());
}

#[test]
fn seeds_corpus_reports() {
    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join(SEEDS);
    if !seeds.is_dir() {
        eprintln!("note: {SEEDS} not present; seed test not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&[SEEDS], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    for name in REPORTS.iter().chain(&["run.json"]) {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
    let outlets = read_csv(&dir.path().join("outlets.csv"));
    assert_eq!(outlets.len(), 1 + 5, "five outlets");
    assert_mentions_at_offsets(dir.path());
    // Loaded language is found in the outlets' own voice and in quotes.
    let mentions = read_mentions(dir.path());
    let voice = column(&mentions, "voice");
    for v in ["own", "quoted", "attributed"] {
        assert!(
            mentions[1..].iter().any(|r| &r[voice] == v),
            "no {v} mention"
        );
    }
}

#[test]
fn seeds_actors_merge_spellings_and_name_the_commanders() {
    if !Path::new(env!("CARGO_MANIFEST_DIR")).join(SEEDS).is_dir() {
        eprintln!("note: {SEEDS} not present; seed test not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&[SEEDS], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let actors = read_csv(&dir.path().join("actors.csv"));
    assert_eq!(
        actors[0].iter().collect::<Vec<_>>(),
        [
            "scope",
            "outlet",
            "actor",
            "aliases",
            "mentions_own",
            "mentions_quoted",
            "mentions_attributed",
            "sentiment_own_mean",
            "sentiment_own_ci_low",
            "sentiment_own_ci_high",
            "sentiment_own_n"
        ]
    );
    let [actor, aliases, mean, n] =
        ["actor", "aliases", "sentiment_own_mean", "sentiment_own_n"].map(|c| column(&actors, c));
    // Every spelling of al-Sudani's name, in full or short, in all five
    // articles, is one actor.
    let sudani: std::collections::BTreeSet<&str> = actors[1..]
        .iter()
        .filter(|r| r[aliases].contains("Sudan"))
        .map(|r| &r[actor])
        .collect();
    assert_eq!(sudani.len(), 1, "{sudani:?}");
    let name = *sudani.iter().next().unwrap();
    let written: std::collections::BTreeSet<&str> = actors[1..]
        .iter()
        .filter(|r| &r[actor] == name)
        .flat_map(|r| r[aliases].split("; "))
        .collect();
    for spelling in [
        "Al-Sudani",
        "al-Sudani",
        "Sudani",
        "Muhammad Shiaa al Sudani",
    ] {
        assert!(written.contains(spelling), "{spelling} not in {written:?}");
    }
    assert_eq!(
        actors[1..].iter().filter(|r| &r[actor] == name).count(),
        5,
        "one row per outlet"
    );
    // Soleimani and al-Muhandis: the lexicon's concept of the two
    // commanders names them.
    let commanders: Vec<&str> = actors[1..]
        .iter()
        .filter(|r| &r[actor] == "slain_commanders")
        .map(|r| &r[aliases])
        .collect();
    assert!(
        commanders.iter().any(|a| a.contains("Soleimani")),
        "{commanders:?}"
    );
    assert!(
        commanders.iter().any(|a| a.contains("Muhandis")),
        "{commanders:?}"
    );
    // --no-model: counts, no sentiment.
    assert!(actors[1..]
        .iter()
        .all(|r| r[mean].is_empty() && &r[n] == "0"));
    // Each actor row's evidence is in mentions/, told apart by its concept.
    let mentions = read_mentions(dir.path());
    let [concept, layer, term] = ["concept", "layer", "term"].map(|c| column(&mentions, c));
    let rows: Vec<_> = mentions[1..]
        .iter()
        .filter(|r| &r[concept] == "actor")
        .collect();
    assert!(rows.iter().all(|r| &r[layer] == "actor"));
    assert!(rows.iter().any(|r| r[term].contains("Sudani")));
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    assert!(run["actors"]["left_out"].as_u64().unwrap() > 0);
    assert_eq!(run["actors"]["min_mentions"], 3);
    // Every short form joined by share is listed, with its figures.
    let joined = run["actors"]["joined_by_share"].as_array().unwrap();
    for j in joined {
        let [person, all] =
            ["person_mentions", "candidate_mentions"].map(|k| j[k].as_u64().unwrap());
        assert!(person * 100 >= 95 * all && person <= all, "{j}");
    }
}

/// Over a corpus, a bare surname joins the person almost every full name
/// with it names; a bare "House" does not join the White House, though
/// the White House has as large a share of the names ending with it.
#[test]
fn a_bare_surname_joins_the_person_the_corpus_names_by_it() {
    let mut lines = String::new();
    let mut push = |outlet: &str, text: String| {
        lines += &serde_json::json!({ "outlet": outlet, "text": text }).to_string();
        lines.push('\n');
    };
    for day in 1..=15 {
        push(
            "a",
            format!(
                "On day {day} Donald Trump spoke in Ohio. Later Trump left. \
                 The White House said so. Aides at the White House agreed."
            ),
        );
    }
    push(
        "a",
        "Yesterday Ivanka Trump spoke in Ohio. Guests stayed at Blair House.".to_string(),
    );
    for day in 1..=5 {
        push(
            "b",
            format!("On day {day} the senators met President Trump. Then the House voted."),
        );
    }
    let corpus = corpus_with(&[("a.jsonl", lines.as_bytes())]);
    let dir = tempfile::tempdir().unwrap();
    let path = corpus.path().join("a.jsonl");
    let out = analyze(&[path.to_str().unwrap()], dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let actors = read_csv(&dir.path().join("actors.csv"));
    let [outlet, actor, aliases, own] =
        ["outlet", "actor", "aliases", "mentions_own"].map(|c| column(&actors, c));
    let row = |o: &str, a: &str| {
        actors[1..]
            .iter()
            .find(|r| &r[outlet] == o && &r[actor] == a)
            .unwrap_or_else(|| panic!("no row {o} {a} in {actors:?}"))
    };
    assert!(
        actors[1..].iter().all(|r| &r[actor] != "Trump"),
        "{actors:?}"
    );
    let b = row("b", "Donald Trump");
    assert_eq!((&b[aliases], &b[own]), ("Trump", "5"));
    assert_eq!(&row("b", "House")[own], "5");
    assert_eq!(&row("a", "White House")[own], "30");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("run.json")).unwrap()).unwrap();
    let joined = run["actors"]["joined_by_share"].as_array().unwrap();
    assert_eq!(joined.len(), 1, "{joined:?}");
    assert_eq!(joined[0]["name"], "Trump");
    assert_eq!(joined[0]["actor"], "Donald Trump");
    assert_eq!(joined[0]["mentions"], 5);
    assert_eq!(joined[0]["person_mentions"], 30);
    assert_eq!(joined[0]["candidate_mentions"], 31);
}

#[test]
fn rerun_is_byte_identical() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    assert!(analyze(&["data/sample"], a.path(), &[]).status.success());
    assert!(analyze(&["data/sample"], b.path(), &[]).status.success());
    for name in REPORTS {
        assert_eq!(
            std::fs::read(a.path().join(name)).unwrap(),
            std::fs::read(b.path().join(name)).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn excel_flag_adds_a_bom() {
    let dir = tempfile::tempdir().unwrap();
    assert!(analyze(&["data/sample"], dir.path(), &["--excel"])
        .status
        .success());
    let bytes = std::fs::read(dir.path().join("outlets.csv")).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFoutlet,"));
}

#[test]
fn missing_folder_is_exit_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze(&["no/such/corpus"], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no/such/corpus"), "{}", stderr(&out));
}

#[test]
fn bad_articles_are_skipped_named_and_listed() {
    let big = vec![b'a'; 10 * 1024 * 1024 + 10];
    let corpus = corpus_with(&[
        ("good.txt", GOOD),
        ("latin1.txt", b"caf\xe9 occupation\n"),
        ("empty.txt", b""),
        ("big.txt", &big),
        (
            "manifest.csv",
            b"file,outlet\ngood.txt,a\nlatin1.txt,a\nempty.txt,b\nbig.txt,b\ngone.txt,b\n",
        ),
    ]);
    let out_dir = tempfile::tempdir().unwrap();
    let input = corpus.path().to_str().unwrap();
    let out = analyze(&[input], out_dir.path(), &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for (name, why) in [
        ("latin1.txt", "UTF-8"),
        ("empty.txt", "empty"),
        ("big.txt", "10 MB"),
        ("gone.txt", "not found"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(name) && l.contains(why)),
            "{name}: {why} not in {err}"
        );
    }
    // The good article is still reported, and run.json lists the skips.
    let articles = read_csv(&out_dir.path().join("articles.csv"));
    assert_eq!(articles.len(), 2);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.path().join("run.json")).unwrap()).unwrap();
    assert_eq!(run["skipped"].as_array().unwrap().len(), 4);

    // --strict: the same input fails and writes nothing.
    let strict_dir = tempfile::tempdir().unwrap();
    let out = analyze(&[input], strict_dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!strict_dir.path().join("outlets.csv").exists());
}

#[test]
fn csv_missing_column_is_exit_2_naming_file_and_column() {
    let corpus = corpus_with(&[("articles.csv", b"outlet,body\na,hello\n")]);
    let path = corpus.path().join("articles.csv");
    let out_dir = tempfile::tempdir().unwrap();
    let out = analyze(&[path.to_str().unwrap()], out_dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("articles.csv") && err.contains("`text`"),
        "{err}"
    );
}

#[test]
fn malformed_lexicon_is_exit_2_naming_file_and_line() {
    let corpus = corpus_with(&[
        ("a/1.txt", GOOD),
        ("bad.toml", b"[meta]\nname = \"x\"\n[[concept]\n"),
    ]);
    let lexicon = corpus.path().join("bad.toml");
    let out_dir = tempfile::tempdir().unwrap();
    let input = corpus.path().join("a");
    let out = analyze(
        &[corpus.path().to_str().unwrap()],
        out_dir.path(),
        &["--lexicon", lexicon.to_str().unwrap()],
    );
    let _ = input;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml:3"), "{err}");
}

#[test]
fn jsonl_input_sources_carry_lines() {
    let corpus = corpus_with(&[(
        "a.jsonl",
        b"{\"outlet\":\"x\",\"id\":\"x1\",\"text\":\"The occupation forces left.\"}\n{\"outlet\":\"y\",\"text\":\"US troops stayed.\"}\n",
    )]);
    let out_dir = tempfile::tempdir().unwrap();
    let path = corpus.path().join("a.jsonl");
    let out = analyze(&[path.to_str().unwrap()], out_dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let articles = read_csv(&out_dir.path().join("articles.csv"));
    let src = column(&articles, "source");
    assert!(articles[1][src].ends_with("a.jsonl:1"));
    assert!(articles[2][src].ends_with("a.jsonl:2"));
}

#[test]
fn duplicate_articles_are_counted_once() {
    let corpus = corpus_with(&[("a/1.txt", GOOD), ("a/2.txt", GOOD), ("b/1.txt", GOOD)]);
    let out_dir = tempfile::tempdir().unwrap();
    let out = analyze(&[corpus.path().to_str().unwrap()], out_dir.path(), &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let outlets = read_csv(&out_dir.path().join("outlets.csv"));
    let (articles, dups) = (column(&outlets, "articles"), column(&outlets, "duplicates"));
    assert_eq!((&outlets[1][articles], &outlets[1][dups]), ("1", "1"));
    // The same text from another outlet is that outlet's own choice: kept.
    assert_eq!((&outlets[2][articles], &outlets[2][dups]), ("1", "0"));
}

#[test]
fn output_path_that_is_a_file_is_refused() {
    let corpus = corpus_with(&[("a/1.txt", GOOD), ("out", b"")]);
    let out = analyze(
        &[corpus.path().join("a").parent().unwrap().to_str().unwrap()],
        &corpus.path().join("out"),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a folder"), "{}", stderr(&out));
}

#[test]
fn lexicon_check_passes_on_the_starter_lexicon() {
    let files: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("data/lexicon"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
    assert!(!files.is_empty());
    let mut args = vec!["lexicon", "check"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let out = slant(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn lexicon_check_reports_errors_with_lines() {
    let dir = corpus_with(&[("bad.toml", b"[meta]\nname = \"x\"\nversion = \"1\"\n\n[[concept]]\nid = \"c\"\nreferent = \"r\"\n[[concept.label]]\nid = \"l\"\nloaded = 7.0\ndirection = 0.0\nterms = [\"a\"]\n")]);
    let path = dir.path().join("bad.toml");
    let out = slant(&["lexicon", "check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("bad.toml:"), "{stdout}");
}

#[test]
fn a_second_run_into_a_busy_folder_says_who_holds_it_and_touches_nothing() {
    let corpus = corpus_with(&[("a/1.txt", GOOD)]);
    let out = tempfile::tempdir().unwrap();
    // Another run holds the folder: a process holding the lock, as slant
    // does, with its pid in the file.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(out.path().join(".slant-lock"))
        .unwrap();
    lock.try_lock().unwrap();
    std::fs::write(out.path().join(".slant-lock"), "4242\n").unwrap();
    let busy = analyze(&[corpus.path().to_str().unwrap()], out.path(), &[]);
    assert_eq!(busy.status.code(), Some(2));
    let err = stderr(&busy);
    assert!(err.contains("another slant run (pid 4242)"), "{err}");
    // Said once, not once per layer of the error.
    assert_eq!(err.matches("another slant run").count(), 1, "{err}");
    let left: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [".slant-lock"], "the busy run wrote something");

    // A lock left by a run that ended (its pid still in the file) does not
    // block the next one.
    drop(lock);
    let next = analyze(&[corpus.path().to_str().unwrap()], out.path(), &[]);
    assert!(next.status.success(), "{}", stderr(&next));
    assert!(out.path().join("outlets.csv").exists());
}

#[test]
fn an_unreadable_cache_file_is_named_once_in_the_error() {
    let corpus = corpus_with(&[("a/1.txt", GOOD)]);
    let out = tempfile::tempdir().unwrap();
    let first = analyze(&[corpus.path().to_str().unwrap()], out.path(), &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    // The rows file turned into a folder: the store cannot open it.
    let name = format!("articles-v{}.rows", slant::store::CACHE_VERSION);
    let rows = out.path().join(".slant-cache").join(&name);
    std::fs::remove_file(&rows).unwrap();
    std::fs::create_dir(&rows).unwrap();
    let again = analyze(&[corpus.path().to_str().unwrap()], out.path(), &["--force"]);
    let err = stderr(&again);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert_eq!(err.matches(name.as_str()).count(), 1, "{err}");
    assert_eq!(
        err.lines().filter(|l| l.contains("error")).count(),
        1,
        "{err}"
    );
}

#[test]
fn the_last_lines_say_where_the_reports_are_and_what_to_open_first() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reports");
    let o = out.to_str().unwrap();
    let run = slant(&["analyze", "data/sample", "--out", o, "--no-model"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let err = stderr(&run);
    let lines: Vec<&str> = err.lines().collect();
    let html = out.join("report.html");
    assert!(html.is_file() && out.join("report.xlsx").is_file());
    // The page a person opens first, then the workbook and the tables, each
    // by its full path.
    let tail: Vec<String> = vec![
        format!("slant: reports in {o}"),
        format!("slant: open first: {} (in a browser)", html.display()),
        format!(
            "slant: for a spreadsheet: {o}/report.xlsx (a sheet per table), or the CSV files: {o}/outlets.csv (one row per outlet), concepts.csv, articles.csv, mentions/"
        ),
    ];
    assert_eq!(lines[lines.len() - tail.len()..], tail[..], "{err}");
    let counts = lines[lines.len() - tail.len() - 1];
    assert!(
        counts.starts_with("slant: 12 articles from 4 outlets, ")
            && counts.contains("; 0 duplicate(s), 0 skipped; done in "),
        "{counts}"
    );
    // Not a terminal: no progress line is drawn, only the last lines.
    assert!(lines.iter().all(|l| l.starts_with("slant: ")), "{err}");

    let quiet = slant(&[
        "analyze",
        "data/sample",
        "--out",
        o,
        "--no-model",
        "--quiet",
    ]);
    assert!(quiet.status.success());
    assert_eq!(stderr(&quiet), "", "--quiet prints nothing on a clean run");
}
