//! Reruns on a growing corpus: what the cache reuses, what it must not,
//! and that a rerun writes exactly what a run from scratch writes.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime};

mod common;
use common::{bench_gen, stderr, ONE_PART, REPORTS};

fn slant(args: &[&str]) -> Output {
    common::slant(args)
        .stdout(Stdio::null())
        .output()
        .expect("run slant")
}

struct Corpus {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Corpus {
    /// A generated corpus of `n` articles from 3 outlets (manifest layout).
    fn generate(n: usize) -> Corpus {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        let c = Corpus { _dir: dir, root };
        c.gen(n, 1, false);
        c
    }

    fn gen(&self, n: usize, seed: u64, append: bool) {
        bench_gen(&self.root, n, 3, seed, append);
    }

    fn manifest(&self) -> PathBuf {
        self.root.join("manifest.csv")
    }

    /// The article files, in manifest order.
    fn files(&self) -> Vec<PathBuf> {
        let text = std::fs::read_to_string(self.manifest()).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = header.iter().position(|h| *h == "file").unwrap();
        lines
            .map(|l| self.root.join(l.split(',').nth(col).unwrap()))
            .collect()
    }

    /// Sets every file's modification time an hour back and waits until
    /// their status-change times have settled, so that the next run keeps
    /// their fingerprints (it does not trust a file touched in the last
    /// seconds).
    fn settle(&self) {
        let past = SystemTime::now() - Duration::from_secs(3600);
        for f in self.files() {
            std::fs::File::options()
                .append(true)
                .open(&f)
                .unwrap()
                .set_modified(past)
                .unwrap();
        }
        std::thread::sleep(Duration::from_millis(2100));
    }
}

fn analyze(corpus: &Path, out: &Path, extra: &[&str]) -> String {
    let mut args = vec![
        "analyze",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-model",
    ];
    args.extend(extra);
    // One part unless the test says otherwise: see `reports`.
    if !extra.contains(&ONE_PART[0]) {
        args.extend(ONE_PART);
    }
    let run = slant(&args);
    assert!(run.status.success(), "{}", stderr(&run));
    stderr(&run)
}

/// (new, changed, cached, removed) from the counts line.
fn counts(stderr: &str) -> [usize; 4] {
    let line = stderr
        .lines()
        .find(|l| l.contains(" new, "))
        .unwrap_or_else(|| panic!("no counts line in {stderr}"));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    [numbers[1], numbers[2], numbers[3], numbers[4]]
}

/// The reports of `dir`; the corpora here are small enough that the
/// mentions fit in one part, so that part is the whole evidence.
fn reports(dir: &Path) -> Vec<Vec<u8>> {
    assert_eq!(common::mention_parts(dir).len(), 1, "{}", dir.display());
    REPORTS
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap())
        .collect()
}

/// The reports of a run from scratch on `corpus`.
fn fresh(corpus: &Path) -> Vec<Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    analyze(corpus, out.path(), &[]);
    reports(out.path())
}

fn cache_file(out: &Path, ext: &str) -> PathBuf {
    out.join(".slant-cache")
        .join(format!("articles-v{}.{ext}", slant::store::CACHE_VERSION))
}

#[test]
fn rerun_analyses_only_what_changed_and_writes_what_a_fresh_run_writes() {
    let corpus = Corpus::generate(120);
    let out = tempfile::tempdir().unwrap();
    assert_eq!(
        counts(&analyze(&corpus.root, out.path(), &[])),
        [120, 0, 0, 0]
    );

    // The generated articles name people by role and name ("Defence
    // Minister Karim Haddad", then "Haddad"): actors.csv, which the
    // comparisons below include, has rows to compare.
    assert!(actor_rows(out.path()) > 0);

    // Unchanged input: everything cached, byte-identical reports.
    let before = reports(out.path());
    assert_eq!(
        counts(&analyze(&corpus.root, out.path(), &[])),
        [0, 0, 120, 0]
    );
    assert_eq!(reports(out.path()), before);

    // 10 new articles, one edited, one dropped from the manifest.
    corpus.gen(10, 2, true);
    let files = corpus.files();
    let edited = &files[5];
    let mut text = std::fs::read_to_string(edited).unwrap();
    // A new full name, written twice more as its short form: the edited
    // article's actor rows change with it.
    text.push_str(
        "\nThe occupation forces stayed another year, Defence Minister Idris Quillfeather said. \
         Quillfeather spoke for an hour. Officials said Quillfeather left.\n",
    );
    std::fs::write(edited, text).unwrap();
    let manifest = std::fs::read_to_string(corpus.manifest()).unwrap();
    let dropped = files[9].file_name().unwrap().to_str().unwrap().to_string();
    let kept: Vec<&str> = manifest.lines().filter(|l| !l.contains(&dropped)).collect();
    assert_eq!(kept.len(), manifest.lines().count() - 1);
    std::fs::write(corpus.manifest(), kept.join("\n") + "\n").unwrap();

    let [new, changed, cached, removed] = counts(&analyze(&corpus.root, out.path(), &[]));
    assert_eq!((new, removed), (10, 1));
    // The edited article, plus any whose boilerplate changed because a new
    // article repeats one of their lines.
    assert!(changed >= 1, "changed {changed}");
    assert_eq!(new + changed + cached, 129);
    assert!(cached > 100, "only {cached} cached");
    // Discovery's counts were carried over: only what changed or left was
    // read back, to be taken out of them.
    assert_eq!(phrases_read(out.path()), changed + removed);
    assert_eq!(reports(out.path()), fresh(&corpus.root));
    let mentions = common::read_mentions(out.path());
    let [term, concept] = ["term", "concept"].map(|c| common::column(&mentions, c));
    let quillfeather = mentions[1..]
        .iter()
        .filter(|r| &r[concept] == "actor" && &r[term] == "Idris Quillfeather")
        .count();
    assert_eq!(
        quillfeather, 3,
        "the short forms take the article's full name"
    );
}

#[test]
fn the_same_folder_spelled_another_way_is_the_same_corpus() {
    let corpus = Corpus::generate(30);
    let out = tempfile::tempdir().unwrap();
    let out = out.path().to_str().unwrap().to_string();
    let parent = corpus.root.parent().unwrap();
    let run = |input: &str| {
        let mut args = vec!["analyze", input, "--out", &out, "--no-model"];
        args.extend(ONE_PART);
        let run = common::slant(&args)
            .current_dir(parent)
            .stdout(Stdio::null())
            .output()
            .expect("run slant");
        assert!(run.status.success(), "{input}: {}", stderr(&run));
        counts(&stderr(&run))
    };
    assert_eq!(run("corpus"), [30, 0, 0, 0]);
    let first = reports(Path::new(&out));
    let root = corpus.root.to_str().unwrap();
    // A shell's completion adds the slash; a script may give the full path.
    for again in ["corpus/", "./corpus", "corpus//", &format!("{root}/"), root] {
        assert_eq!(run(again), [0, 0, 30, 0], "{again}");
        assert_eq!(reports(Path::new(&out)), first, "{again}");
    }
}

#[test]
fn table_rows_that_moved_and_a_renamed_table_are_not_analysed_again() {
    let dir = tempfile::tempdir().unwrap();
    let generate = |name: &str, articles: usize, seed: u64| {
        let at = dir.path().join(name);
        common::bench_gen_with(&at, articles, 3, seed, false, &["--format", "jsonl"]);
        std::fs::read_to_string(at.join("corpus.jsonl")).unwrap()
    };
    let (old, new) = (generate("a", 40, 1), generate("b", 5, 2));
    let today = dir.path().join("news.jsonl");
    std::fs::write(&today, &old).unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(counts(&analyze(&today, out.path(), &[])), [40, 0, 0, 0]);
    // Tomorrow's export: another name, the new articles first, so every
    // article of today's is on another line.
    let tomorrow = dir.path().join("news-2.jsonl");
    std::fs::write(&tomorrow, new + &old).unwrap();
    let [new, changed, cached, removed] = counts(&analyze(&tomorrow, out.path(), &[]));
    assert_eq!((new, removed), (5, 0));
    assert_eq!(new + changed + cached, 45);
    // Only an article whose boilerplate a new one changed is analysed again.
    assert!(cached >= 35, "only {cached} cached");
    // ... and `articles.csv` names each article where it is now.
    assert_eq!(reports(out.path()), fresh(&tomorrow));
}

/// The rows of `actors.csv` in `out`.
fn actor_rows(out: &Path) -> usize {
    common::read_csv(&out.join("actors.csv")).len() - 1
}

/// `cache.phrases_read` of the run that wrote `out`.
fn phrases_read(out: &Path) -> usize {
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    run["cache"]["phrases_read"].as_u64().unwrap() as usize
}

/// Gives each article of `corpus` a `group` column: `group(i)` for the
/// article on line `i` of the manifest.
fn set_groups(corpus: &Corpus, group: impl Fn(usize) -> String) {
    let mut reader = csv::Reader::from_path(corpus.manifest()).unwrap();
    let mut header = reader.headers().unwrap().clone();
    let at = header.iter().position(|h| h == "group");
    if at.is_none() {
        header.push_field("group");
    }
    let at = at.unwrap_or(header.len() - 1);
    let mut rows = vec![header];
    for (i, row) in reader.records().enumerate() {
        let mut row: Vec<String> = row.unwrap().iter().map(str::to_string).collect();
        row.resize(at, String::new());
        row.push(group(i));
        rows.push(row.iter().map(String::as_str).collect());
    }
    let mut writer = csv::Writer::from_path(corpus.manifest()).unwrap();
    for row in rows {
        writer.write_record(&row).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn an_article_that_changes_group_is_counted_in_its_new_group() {
    let corpus = Corpus::generate(60);
    set_groups(&corpus, |i| format!("g{}", i % 3));
    let out = tempfile::tempdir().unwrap();
    analyze(&corpus.root, out.path(), &[]);
    // Same texts; every fifth article moves, and the first leaves its group.
    set_groups(&corpus, |i| match i {
        0 => String::new(),
        i if i % 5 == 0 => "moved".into(),
        i => format!("g{}", i % 3),
    });
    assert_eq!(
        counts(&analyze(&corpus.root, out.path(), &[])),
        [0, 0, 60, 0]
    );
    let groups = std::fs::read_to_string(out.path().join("groups.csv")).unwrap();
    assert!(groups.contains("\nmoved,"), "{groups}");
    // Only the twelve that moved had their phrases read back: the rest
    // stayed in the counts the first run kept.
    assert_eq!(phrases_read(out.path()), 12);
    assert_eq!(reports(out.path()), fresh(&corpus.root));
}

#[test]
fn an_edit_that_keeps_size_and_modification_time_is_still_seen() {
    let corpus = Corpus::generate(30);
    corpus.settle();
    let out = tempfile::tempdir().unwrap();
    analyze(&corpus.root, out.path(), &[]);
    assert_eq!(
        counts(&analyze(&corpus.root, out.path(), &[])),
        [0, 0, 30, 0]
    );

    // Same length, same modification time: only the status-change time
    // (which no user can set back) tells the file changed.
    let target = &corpus.files()[3];
    let meta = std::fs::metadata(target).unwrap();
    let mut bytes = std::fs::read(target).unwrap();
    // A letter in the longest line: a paragraph, never a repeated line, so
    // no other article's boilerplate changes with it.
    let text = String::from_utf8(bytes.clone()).unwrap();
    let longest = text.lines().max_by_key(|l| l.len()).unwrap();
    let start = longest.as_ptr() as usize - text.as_ptr() as usize;
    let at = start
        + longest
            .bytes()
            .position(|b| b.is_ascii_lowercase())
            .unwrap();
    bytes[at] = if bytes[at] == b'x' { b'y' } else { b'x' };
    std::fs::write(target, &bytes).unwrap();
    std::fs::File::options()
        .append(true)
        .open(target)
        .unwrap()
        .set_modified(meta.modified().unwrap())
        .unwrap();
    assert_eq!(std::fs::metadata(target).unwrap().len(), meta.len());

    assert_eq!(
        counts(&analyze(&corpus.root, out.path(), &[])),
        [0, 1, 29, 0]
    );
    assert_eq!(reports(out.path()), fresh(&corpus.root));
}

#[test]
fn damaged_cache_files_are_reported_and_never_trusted() {
    let corpus = Corpus::generate(40);
    let want = fresh(&corpus.root);
    let out = tempfile::tempdir().unwrap();
    analyze(&corpus.root, out.path(), &[]);

    type Damage = fn(&Path);
    let flip_middle: Damage = |p| {
        let mut b = std::fs::read(p).unwrap();
        let i = b.len() / 2;
        b[i] ^= 0x55;
        std::fs::write(p, b).unwrap();
    };
    let cut: Damage = |p| {
        let b = std::fs::read(p).unwrap();
        std::fs::write(p, &b[..b.len() / 3]).unwrap();
    };
    let foreign: Damage = |p| std::fs::write(p, b"article_id,outlet\n").unwrap();
    let cases: [(&str, Damage, &str); 6] = [
        ("rows", flip_middle, "do not match their checksum"),
        ("results", flip_middle, "do not match their checksum"),
        ("idx", flip_middle, "digest does not match"),
        ("rows", cut, "cut short"),
        ("idx", cut, "digest does not match"),
        ("idx", foreign, "not a slant cache index"),
    ];
    for (ext, damage, why) in cases {
        damage(&cache_file(out.path(), ext));
        // Rows are read only to write a part of `mentions/` again: without
        // its part, the run needs them (and a run that does not need them
        // never trusts them).
        std::fs::remove_file(out.path().join("mentions/part-00001.csv")).unwrap();
        let err = analyze(&corpus.root, out.path(), &[]);
        assert!(
            err.contains("slant: cache: ") && err.contains(why),
            "{ext}: expected `{why}` in:\n{err}"
        );
        assert_eq!(reports(out.path()), want, "{ext}: {why}");
        // The run rebuilt the cache: the next one uses all of it.
        let again = analyze(&corpus.root, out.path(), &[]);
        assert_eq!(counts(&again), [0, 0, 40, 0], "{ext}: {why}\n{again}");
    }

    // --force ignores a good cache and says so.
    let forced = analyze(&corpus.root, out.path(), &["--force"]);
    assert!(forced.contains("--force"), "{forced}");
    assert_eq!(counts(&forced), [40, 0, 0, 0]);
}

#[test]
fn the_cache_is_compacted_when_most_of_it_is_stale() {
    let corpus = Corpus::generate(40);
    let out = tempfile::tempdir().unwrap();
    analyze(&corpus.root, out.path(), &[]);
    let first = std::fs::metadata(cache_file(out.path(), "rows"))
        .unwrap()
        .len();
    let mut sizes = Vec::new();
    for round in 0..4 {
        // Every article changes: its old rows become dead bytes.
        for f in corpus.files() {
            let mut text = std::fs::read_to_string(&f).unwrap();
            text.push_str(&format!("\nRound {round}: the US troops stayed.\n"));
            std::fs::write(&f, text).unwrap();
        }
        assert_eq!(counts(&analyze(&corpus.root, out.path(), &[]))[1], 40);
        sizes.push(
            std::fs::metadata(cache_file(out.path(), "rows"))
                .unwrap()
                .len(),
        );
    }
    // Appending grows the file; a run that finds it over half dead writes
    // it afresh, so it stays within about three times the live rows.
    assert!(sizes[0] > first, "{first} {sizes:?}");
    assert!(
        sizes.iter().any(|&s| s < sizes[0]),
        "never compacted: {sizes:?}"
    );
    assert!(sizes.iter().all(|&s| s < 4 * first), "{first} {sizes:?}");
    assert_eq!(reports(out.path()), fresh(&corpus.root));
}

#[test]
fn a_line_that_becomes_repeated_re_analyses_the_articles_that_have_it() {
    let line = "The occupation forces must leave now";
    let one = format!("{line}\nUS troops stayed at the base for another year of talks.\n");
    let corpus = common::corpus_with(&[("a/one.txt", one.as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    analyze(corpus.path(), out.path(), &[]);
    let mentions = std::fs::read_to_string(out.path().join("mentions/part-00001.csv")).unwrap();
    assert!(mentions.contains("occupation forces"), "{mentions}");

    // A second article repeats the line: in both, it is now the outlet's
    // boilerplate, so the first article's analysis changes too.
    let two = format!("{line}\nThe coalition said the talks would go on.\n");
    std::fs::write(corpus.path().join("a/two.txt"), two).unwrap();
    assert_eq!(
        counts(&analyze(corpus.path(), out.path(), &[])),
        [1, 1, 0, 0]
    );
    let want = fresh(corpus.path());
    assert_eq!(reports(out.path()), want);
    let mentions = String::from_utf8(want[2].clone()).unwrap();
    assert!(!mentions.contains("occupation forces"), "{mentions}");
}

#[test]
fn an_article_analysed_again_with_the_same_rows_keeps_its_part() {
    // The repeated line has no mention: the first article is analysed
    // again (its boilerplate changed) but its rows come out the same, so
    // its part is carried over, not written again.
    let line = "Read more stories like this one every single day";
    let one = format!("US troops stayed at the base, occupation forces said.\n{line}\n");
    let corpus = common::corpus_with(&[("a/one.txt", one.as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    // One article per part.
    let small = ["--part-rows", "1"];
    analyze(corpus.path(), out.path(), &small);
    let first = parts(out.path());
    assert_eq!(first.len(), 1);

    let two = format!("The coalition said the talks would go on.\n{line}\n");
    std::fs::write(corpus.path().join("a/two.txt"), two).unwrap();
    assert_eq!(
        counts(&analyze(corpus.path(), out.path(), &small)),
        [1, 1, 0, 0]
    );
    let second = parts(out.path());
    assert_eq!(second.len(), 2);
    assert_eq!(second[0], first[0], "part of the re-analysed article");
    let fresh_out = tempfile::tempdir().unwrap();
    analyze(corpus.path(), fresh_out.path(), &small);
    assert_eq!(sorted_rows(out.path()), sorted_rows(fresh_out.path()));
}

/// Each part's (inode, rows) in `out/mentions`, by file name.
fn parts(out: &Path) -> Vec<(String, u64, Vec<csv::StringRecord>)> {
    use std::os::unix::fs::MetadataExt;
    common::mention_parts(out)
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let inode = std::fs::metadata(&p).unwrap().ino();
            (name, inode, common::read_csv(&p))
        })
        .collect()
}

/// Every mention row of `out`, sorted (the parts' order aside).
fn sorted_rows(out: &Path) -> Vec<csv::StringRecord> {
    let mut rows = common::read_mentions(out);
    rows.remove(0);
    rows.sort_by(|a, b| a.iter().cmp(b.iter()));
    rows
}

#[test]
fn mention_parts_are_carried_over_and_only_what_changed_is_written() {
    let corpus = Corpus::generate(120);
    corpus.settle();
    let out = tempfile::tempdir().unwrap();
    let small = ["--part-rows", "300"];
    analyze(&corpus.root, out.path(), &small);
    let first = parts(out.path());
    assert!(first.len() >= 4, "{} parts", first.len());
    let id_col = 0;
    for (name, _, rows) in &first {
        let articles: std::collections::BTreeSet<_> =
            rows[1..].iter().map(|r| &r[id_col]).collect();
        assert!(rows.len() - 1 <= 300 || articles.len() == 1, "{name}");
    }
    // Read in name order, the parts are one report in report order.
    let whole = tempfile::tempdir().unwrap();
    analyze(&corpus.root, whole.path(), &[]);
    assert_eq!(common::mention_parts(whole.path()).len(), 1);
    assert_eq!(
        common::read_mentions(out.path()),
        common::read_mentions(whole.path())
    );

    // Unchanged: every part is carried over, not written again.
    analyze(&corpus.root, out.path(), &small);
    let inodes = |p: &[(String, u64, Vec<csv::StringRecord>)]| {
        p.iter()
            .map(|(n, i, _)| (n.clone(), *i))
            .collect::<Vec<_>>()
    };
    assert_eq!(inodes(&parts(out.path())), inodes(&first));
    assert_eq!(parts(out.path()), first);

    // One article edited, five added: the edited article's part is written
    // again, the others are carried, and the rows are a fresh run's.
    let edited = &corpus.files()[7];
    let mut text = std::fs::read_to_string(edited).unwrap();
    text.push_str("\nThe occupation forces stayed another year.\n");
    std::fs::write(edited, text).unwrap();
    corpus.gen(5, 2, true);
    assert_eq!(
        counts(&analyze(&corpus.root, out.path(), &small)),
        [5, 1, 119, 0]
    );
    let second = parts(out.path());
    let carried = first.iter().filter(|p| second.contains(p)).count();
    assert!(
        carried >= first.len() - 2,
        "{carried} of {} carried",
        first.len()
    );
    assert!(carried < first.len());
    let fresh_out = tempfile::tempdir().unwrap();
    analyze(&corpus.root, fresh_out.path(), &small);
    assert_eq!(sorted_rows(out.path()), sorted_rows(fresh_out.path()));
    for (name, _, rows) in &second {
        assert_eq!(rows[0], first[0].2[0], "{name}: header");
    }

    // A part deleted and one edited by hand are written again from the
    // cache; the rest stay as they are.
    let names: Vec<&String> = second.iter().map(|p| &p.0).collect();
    let mentions = out.path().join("mentions");
    std::fs::remove_file(mentions.join(names[0])).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(mentions.join(names[1]))
        .unwrap();
    std::io::Write::write_all(&mut f, b"an,edit\n").unwrap();
    drop(f);
    // A mentions.csv of an earlier layout is removed, and the user told.
    std::fs::write(out.path().join("mentions.csv"), b"old").unwrap();
    let err = analyze(&corpus.root, out.path(), &small);
    assert!(err.contains("mentions.csv"), "{err}");
    assert!(!out.path().join("mentions.csv").exists());
    let third = parts(out.path());
    assert_eq!(third.len(), second.len());
    for (i, (old, new)) in second.iter().zip(&third).enumerate() {
        assert_eq!(old.2, new.2, "{}: rows", old.0);
        assert_eq!(old.1 == new.1, i > 1, "{}: carried or written", old.0);
    }
}
