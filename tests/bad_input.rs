//! Every bad input of the README's table, run through the real binary: what
//! slant says, and that nothing is lost or silently skipped.
//!
//! Cases already covered in `tests/cli.rs` (missing corpus, Latin-1,
//! empty and over-10-MB articles, a manifest row naming a missing file,
//! a CSV without a required column, malformed lexicon TOML, an output path
//! that is a file, duplicate texts) are not repeated here.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{
    column, corpus_with, limit_file_size, read_csv, read_mentions, slant, stderr, PastTheLimit,
    GOOD,
};

fn analyze_args<'a>(input: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["analyze", input, "--out", out, "--quiet", "--no-model"];
    args.extend(extra);
    args
}

fn analyze(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let (input, out) = (input.to_str().unwrap(), out.to_str().unwrap());
    slant(&analyze_args(input, out, extra))
        .output()
        .expect("run slant")
}

/// `slant: skipped: SOURCE: REASON` lines of stderr.
fn skipped(out: &Output) -> Vec<String> {
    stderr(out)
        .lines()
        .filter_map(|l| l.strip_prefix("slant: skipped: "))
        .map(str::to_string)
        .collect()
}

fn assert_skipped(out: &Output, name: &str, why: &str) {
    let lines = skipped(out);
    assert!(
        lines.iter().any(|l| l.contains(name) && l.contains(why)),
        "no skip naming {name} with {why:?}: {}",
        stderr(out)
    );
    assert_eq!(out.status.code(), Some(2), "skips exit 2: {}", stderr(out));
}

/// (start, end, surface) of each mention in `out/mentions/`.
/// The lexicon's mention rows (start, end, surface); actor rows, which
/// name people and places rather than loaded terms, left out.
fn mentions(out: &Path) -> Vec<(usize, usize, String)> {
    all_mentions(out)
        .into_iter()
        .filter(|(_, _, _, concept)| concept != "actor")
        .map(|(s, e, t, _)| (s, e, t))
        .collect()
}

/// Every mention row: start, end, surface and concept.
fn all_mentions(out: &Path) -> Vec<(usize, usize, String, String)> {
    let rows = read_mentions(out);
    let (s, e, t, c) = (
        column(&rows, "start"),
        column(&rows, "end"),
        column(&rows, "surface"),
        column(&rows, "concept"),
    );
    rows[1..]
        .iter()
        .map(|r| {
            (
                r[s].parse().unwrap(),
                r[e].parse().unwrap(),
                r[t].to_string(),
                r[c].to_string(),
            )
        })
        .collect()
}

fn chars(text: &str, start: usize, end: usize) -> String {
    text.chars().skip(start).take(end - start).collect()
}

/// Runs the child as an unprivileged user when the tests run as root, so
/// file permissions apply to it.
fn unprivileged(cmd: &mut Command) {
    // SAFETY: only async-signal-safe libc calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            if libc::geteuid() == 0
                && (libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setgid(65534) != 0
                    || libc::setuid(65534) != 0)
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Whether the binary can run unprivileged here. As root in a container
/// without a `nobody` mapping, or with the build under a folder only root
/// may enter (`/root`), it cannot; the permission cases are then not
/// exercised, and the test says so.
fn can_run_unprivileged() -> bool {
    let mut cmd = slant(&["--version"]);
    unprivileged(&mut cmd);
    let ok = cmd.output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("note: slant cannot run as an unprivileged user here; permission case skipped");
    }
    ok
}

fn open_up(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn unreadable_article_is_skipped_with_the_reason() {
    let corpus = corpus_with(&[
        ("a/good.txt", GOOD),
        ("a/dir.txt/x", b"x"),
        ("manifest.csv", b"file,outlet\na/good.txt,a\na/dir.txt,a\n"),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert_skipped(&run, "dir.txt", "cannot read");
    assert_eq!(mentions(out.path()).len(), 2, "the good article is kept");
}

#[test]
fn permission_denied_names_the_file_and_the_rest_is_read() {
    if !can_run_unprivileged() {
        return;
    }
    let corpus = corpus_with(&[
        ("a/good.txt", GOOD),
        ("a/secret.txt", GOOD),
        ("b/x.txt", GOOD),
    ]);
    open_up(corpus.path(), 0o755);
    open_up(&corpus.path().join("a"), 0o755);
    open_up(&corpus.path().join("a/good.txt"), 0o644);
    open_up(&corpus.path().join("a/secret.txt"), 0o000);
    // An outlet folder that cannot be listed.
    open_up(&corpus.path().join("b"), 0o000);
    let out = tempfile::tempdir().unwrap();
    open_up(out.path(), 0o777);
    let (input, out_s) = (
        corpus.path().to_str().unwrap(),
        out.path().to_str().unwrap(),
    );
    let mut cmd = slant(&analyze_args(input, out_s, &[]));
    unprivileged(&mut cmd);
    let run = cmd.output().unwrap();
    assert_skipped(&run, "secret.txt", "permission denied");
    assert_skipped(&run, "b", "outlet folder: permission denied");
    assert_eq!(mentions(out.path()).len(), 2);
    open_up(&corpus.path().join("b"), 0o755);
}

#[test]
fn mixed_encodings_name_line_and_byte() {
    // UTF-8 until a Windows-1252 curly quote on line 3.
    let corpus = corpus_with(&[
        ("a/good.txt", GOOD),
        (
            "a/mixed.txt",
            b"The caf\xc3\xa9 opened.\nSecond line.\nHe said \x93no\x94.\n",
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert_skipped(&run, "mixed.txt", "not valid UTF-8 (line 3, byte 39)");
}

#[test]
fn utf16_is_skipped_with_how_to_fix_it() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("Hello".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let corpus = corpus_with(&[("a/good.txt", GOOD), ("a/utf16.txt", &utf16)]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert_skipped(&run, "utf16.txt", "save it as UTF-8");
}

#[test]
fn bom_is_dropped_and_offsets_count_from_the_text() {
    let mut text = b"\xEF\xBB\xBF".to_vec();
    text.extend_from_slice(GOOD);
    let corpus = corpus_with(&[("a/bom.txt", &text)]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    let plain = std::str::from_utf8(GOOD).unwrap();
    let found = mentions(out.path());
    assert!(!found.is_empty());
    for (s, e, surface) in found {
        assert_eq!(chars(plain, s, e), surface);
    }
}

#[test]
fn crlf_offsets_count_the_carriage_returns() {
    let text = "Line one.\r\n\r\nOfficials said the occupation forces must leave.\r\nThe US troops stayed.\r\n";
    let corpus = corpus_with(&[("a/crlf.txt", text.as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    let found = mentions(out.path());
    assert_eq!(found.len(), 2, "{found:?}");
    // Actor rows ("US") point into the text the same way.
    let every = all_mentions(out.path());
    assert!(every.len() > found.len(), "{every:?}");
    for (s, e, surface, _) in every {
        assert_eq!(chars(text, s, e), surface);
    }
}

#[test]
fn nul_bytes_and_blank_files_are_skipped() {
    let corpus = corpus_with(&[
        ("a/good.txt", GOOD),
        ("a/binary.txt", b"PK\x03\x04\nline two\x00\x00"),
        ("a/blank.txt", b" \n\t\r\n"),
        ("a/zero.txt", b""),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert_skipped(&run, "binary.txt", "NUL byte (line 2)");
    assert_skipped(&run, "blank.txt", "empty article");
    assert_skipped(&run, "zero.txt", "empty article");
}

#[test]
fn one_megabyte_single_line_is_analysed() {
    let mut text = String::new();
    while text.len() < 1024 * 1024 {
        text.push_str("and the occupation forces stayed near the base while convoys moved ");
    }
    let corpus = corpus_with(&[("a/line.txt", text.as_bytes())]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    let found = mentions(out.path());
    // Every repetition carries one mention, and the last ones are still at
    // their offsets: nothing was cut.
    let reps = text.matches("occupation forces").count();
    assert_eq!(found.len(), reps);
    let (s, e, surface) = found.last().unwrap();
    assert_eq!(chars(&text, *s, *e), *surface);
}

#[test]
fn duplicate_ids_keep_the_first_and_name_it() {
    let corpus = corpus_with(&[(
        "t.csv",
        b"outlet,id,text\na,x1,The occupation forces left.\na,x1,A different text about US troops.\n",
    )]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(&corpus.path().join("t.csv"), out.path(), &[]);
    assert_skipped(&run, "t.csv:3", "id `x1` is already used by");
    assert!(stderr(&run).contains("t.csv:2"), "{}", stderr(&run));
    assert_eq!(read_csv(&out.path().join("articles.csv")).len(), 2);
}

#[test]
fn manifest_rows_outside_the_corpus_are_refused() {
    let outside = corpus_with(&[("secret.txt", GOOD)]);
    let corpus = corpus_with(&[("good.txt", GOOD)]);
    let escape = format!(
        "file,outlet\ngood.txt,a\n../{}/secret.txt,a\n{}/secret.txt,a\n",
        outside.path().file_name().unwrap().to_str().unwrap(),
        outside.path().display()
    );
    std::fs::write(corpus.path().join("manifest.csv"), escape).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert_skipped(&run, "manifest.csv:3", "points outside the corpus folder");
    assert_skipped(&run, "manifest.csv:4", "points outside the corpus folder");
    assert_eq!(read_csv(&out.path().join("articles.csv")).len(), 2);
}

#[test]
fn symlink_loops_end_and_are_named() {
    let corpus = corpus_with(&[("a/good.txt", GOOD)]);
    let root = corpus.path();
    symlink("loop.txt", root.join("a/loop.txt")).unwrap();
    symlink("..", root.join("a/up")).unwrap();
    symlink(".", root.join("again")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let run = analyze(root, out.path(), &[]);
    assert_skipped(&run, "loop.txt", "symbolic links");
    assert_skipped(&run, "up", "a folder inside an outlet folder");
    // `again` is the corpus root seen as an outlet: its entries are folders
    // and are skipped one by one, without recursion.
    assert_skipped(&run, "again/a", "a folder inside an outlet folder");
    assert_eq!(read_csv(&out.path().join("articles.csv")).len(), 2);
}

#[test]
fn crlf_csv_rows_are_named_by_their_own_line() {
    // Excel and Python write CSV with CRLF line ends; a quoted text may
    // span lines.
    let corpus = corpus_with(&[(
        "t.csv",
        b"outlet,text\r\na,\"The occupation forces left.\r\nThey said so.\"\r\nb,too,many,fields\r\nc,US troops stayed.\r\n",
    )]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(&corpus.path().join("t.csv"), out.path(), &[]);
    assert_skipped(&run, "t.csv:4", "fields");
    let articles = read_csv(&out.path().join("articles.csv"));
    let source = column(&articles, "source");
    let sources: Vec<&str> = articles[1..].iter().map(|r| &r[source]).collect();
    let name = |line: u32| format!("{}:{line}", corpus.path().join("t.csv").display());
    assert_eq!(sources, [name(2), name(5)]);
}

#[test]
fn malformed_csv_rows_are_named_by_line() {
    let corpus = corpus_with(&[(
        "t.csv",
        b"outlet,text\na,The occupation forces left.\nb,too,many,fields\n",
    )]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(&corpus.path().join("t.csv"), out.path(), &[]);
    assert_skipped(&run, "t.csv:3", "fields");
    assert_eq!(read_csv(&out.path().join("articles.csv")).len(), 2);
}

#[test]
fn malformed_jsonl_lines_are_named_by_line() {
    let corpus = corpus_with(&[(
        "t.jsonl",
        b"{\"outlet\":\"a\",\"text\":\"The occupation forces left.\"}\n{\"outlet\":\"a\",\"text\":\n{\"text\":\"no outlet\"}\n",
    )]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(&corpus.path().join("t.jsonl"), out.path(), &[]);
    assert_skipped(&run, "t.jsonl:2", "");
    assert_skipped(&run, "t.jsonl:3", "outlet");
}

#[test]
fn other_manifest_columns_pass_through_not_dropped() {
    let corpus = corpus_with(&[
        ("good.txt", GOOD),
        (
            "manifest.csv",
            b"file,outlet,Byline\ngood.txt,a,\"Someone, Jr.\"\n",
        ),
    ]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(!stderr(&run).contains("warning"), "{}", stderr(&run));
    let articles = std::fs::read_to_string(out.path().join("articles.csv")).unwrap();
    let mut lines = articles.lines();
    assert!(lines.next().unwrap().ends_with(",byline"), "{articles}");
    assert!(
        lines.next().unwrap().ends_with(",\"Someone, Jr.\""),
        "{articles}"
    );
}

#[test]
fn missing_lexicon_file_is_exit_2_naming_it() {
    let corpus = corpus_with(&[("a/good.txt", GOOD)]);
    let out = tempfile::tempdir().unwrap();
    let run = analyze(corpus.path(), out.path(), &["--lexicon", "no/such.toml"]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("no/such.toml"), "{}", stderr(&run));
}

#[test]
fn unwritable_output_folder_is_an_error_naming_it() {
    if !can_run_unprivileged() {
        return;
    }
    let corpus = corpus_with(&[("a/good.txt", GOOD)]);
    open_up(corpus.path(), 0o755);
    open_up(&corpus.path().join("a"), 0o755);
    open_up(&corpus.path().join("a/good.txt"), 0o644);
    let parent = tempfile::tempdir().unwrap();
    open_up(parent.path(), 0o755);
    let out = parent.path().join("reports");
    std::fs::create_dir(&out).unwrap();
    open_up(&out, 0o555);
    let (input, out_s) = (corpus.path().to_str().unwrap(), out.to_str().unwrap());
    let mut cmd = slant(&analyze_args(input, out_s, &[]));
    unprivileged(&mut cmd);
    let run = cmd.output().unwrap();
    assert_ne!(run.status.code(), Some(0));
    let err = stderr(&run);
    assert!(
        err.contains("reports") && err.contains("ermission denied"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0);
}

/// A full disk, simulated with a file-size limit: the run fails naming the
/// file it could not write, and the previous reports are untouched.
#[test]
fn full_disk_leaves_previous_reports_intact() {
    let corpus = corpus_with(&[("a/one.txt", GOOD)]);
    let out = tempfile::tempdir().unwrap();
    let first = analyze(corpus.path(), out.path(), &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = snapshot(out.path());

    // Many more mentions, so the new reports exceed the limit.
    let big = GOOD.repeat(200);
    std::fs::write(corpus.path().join("a/two.txt"), &big).unwrap();
    let (input, out_s) = (
        corpus.path().to_str().unwrap(),
        out.path().to_str().unwrap(),
    );
    let mut cmd = slant(&analyze_args(input, out_s, &[]));
    limit_file_size(&mut cmd, 4096, PastTheLimit::WriteFails);
    let run = cmd.output().unwrap();
    assert_ne!(run.status.code(), Some(0));
    let err = stderr(&run);
    assert!(err.contains(".csv") && err.contains("too large"), "{err}");
    // Reports and the cache index are as they were. The cache's rows and
    // results files are append-only: the failed run may have added bytes
    // after the old ones, which the index does not point at and the next
    // run cuts off. The lock file holds the pid of the last run.
    let after = snapshot(out.path());
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(&after), names(&before));
    for ((name, old), (_, new)) in before.iter().zip(&after) {
        if name.ends_with(".rows") || name.ends_with(".results") {
            assert!(new.starts_with(old), "{name}: earlier bytes changed");
        } else if name != ".slant-lock" {
            assert_eq!(old, new, "{name} changed");
        }
    }
    let next = analyze(corpus.path(), out.path(), &[]);
    assert!(next.status.success(), "{}", stderr(&next));
    // The cache survived the failed run: it is used, not rebuilt (the old
    // article counts as changed because the new one repeats its lines,
    // which makes them boilerplate).
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("run.json")).unwrap()).unwrap();
    assert!(run["cache"]["note"].is_null(), "{}", run["cache"]);
    assert_eq!(run["cache"]["new"].as_u64(), Some(1), "{}", run["cache"]);
    assert_eq!(
        run["cache"]["changed"].as_u64(),
        Some(1),
        "{}",
        run["cache"]
    );
}

/// Name → bytes of the files in `dir` (mentions and cache folders
/// included).
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    for sub in [
        dir.to_path_buf(),
        dir.join("mentions"),
        dir.join(".slant-cache"),
    ] {
        let Ok(entries) = std::fs::read_dir(&sub) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_type().unwrap().is_file() {
                let name = e.path().strip_prefix(dir).unwrap().display().to_string();
                files.push((name, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    files.sort();
    files
}
