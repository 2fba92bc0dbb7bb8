//! Helpers shared by the end-to-end tests (each test file uses some).
#![allow(dead_code)]

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

/// Arguments that keep a run's mentions in one part: a rerun lays new rows
/// out in parts differently from a run from scratch (tests/rerun.rs checks
/// the layouts), so tests comparing whole reports byte for byte use one.
pub const ONE_PART: [&str; 2] = ["--part-rows", "1000000"];

/// The reports of a run on a small corpus, whose mentions fit in one
/// part: the CSV files and the page.
pub const REPORTS: [&str; 11] = [
    "outlets.csv",
    "groups.csv",
    "concepts.csv",
    "mentions/part-00001.csv",
    "articles.csv",
    "keyness.csv",
    "labels.csv",
    "divergence.csv",
    "timeline.csv",
    "actors.csv",
    "report.html",
];

/// The part files of `out/mentions`, in name order.
pub fn mention_parts(out: &Path) -> Vec<std::path::PathBuf> {
    let mut parts: Vec<_> = std::fs::read_dir(out.join("mentions"))
        .unwrap_or_else(|e| panic!("{out:?}/mentions: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    parts.sort();
    parts
}

/// The header and rows of every part of `out/mentions`, read in name
/// order (one header: the parts must all have the same).
pub fn read_mentions(out: &Path) -> Vec<csv::StringRecord> {
    let mut all: Vec<csv::StringRecord> = Vec::new();
    for part in mention_parts(out) {
        let rows = read_csv(&part);
        match all.first() {
            None => all.extend(rows),
            Some(header) => {
                assert_eq!(header, &rows[0], "{part:?}: another header");
                all.extend(rows.into_iter().skip(1));
            }
        }
    }
    all
}

/// A short article with one own-voice and one attributed loaded term.
pub const GOOD: &[u8] = b"Officials said the occupation forces must leave. The US troops stayed.\n";

/// The slant binary, run from the crate folder (so relative paths such as
/// `data/sample` resolve).
pub fn slant(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_slant"));
    cmd.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Writes a generated corpus of `articles` articles from `outlets` outlets
/// into `out` (`slant bench gen`), or adds them to it with `append`.
pub fn bench_gen(out: &Path, articles: usize, outlets: usize, seed: u64, append: bool) {
    bench_gen_with(out, articles, outlets, seed, append, &[]);
}

/// [`bench_gen`] with more arguments (`--format jsonl`).
pub fn bench_gen_with(
    out: &Path,
    articles: usize,
    outlets: usize,
    seed: u64,
    append: bool,
    extra: &[&str],
) {
    let (articles, outlets, seed) = (articles.to_string(), outlets.to_string(), seed.to_string());
    let mut args = vec![
        "bench",
        "gen",
        "--articles",
        &articles,
        "--outlets",
        &outlets,
        "--seed",
        &seed,
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ];
    if append {
        args.push("--append");
    }
    args.extend(extra);
    let run = slant(&args).output().expect("run slant");
    assert!(run.status.success(), "{}", stderr(&run));
}

/// `slant analyze INPUTS --out OUT --quiet --no-model EXTRA…`, run.
/// Lexicon-only, so reports do not depend on floating-point details of the
/// models on a given CPU.
#[allow(dead_code)]
pub fn analyze(inputs: &[&str], out: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["analyze"];
    args.extend(inputs);
    let out = out.to_str().expect("utf-8 temp path");
    args.extend(["--out", out, "--quiet", "--no-model"]);
    args.extend(extra);
    slant(&args).output().expect("run slant")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A temporary folder holding `files` (name → content; folders created).
pub fn corpus_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

/// The header and rows of a CSV file.
pub fn read_csv(path: &Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let header = reader.headers().expect("header").clone();
    let mut rows = vec![header];
    rows.extend(reader.records().map(|r| r.expect("row")));
    rows
}

/// Index of column `name` in the header `rows[0]`.
pub fn column(rows: &[csv::StringRecord], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// What the kernel does when the child writes past a file-size limit.
#[derive(Clone, Copy)]
pub enum PastTheLimit {
    /// The write fails (`File too large`), as on a full disk.
    WriteFails,
    /// The child is killed by SIGXFSZ in the middle of the write (no core).
    Killed,
}

/// Limits the size of any file `cmd`'s process writes to `bytes`.
pub fn limit_file_size(cmd: &mut Command, bytes: u64, past: PastTheLimit) {
    // SAFETY: only async-signal-safe libc calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = |n| libc::rlimit {
                rlim_cur: n,
                rlim_max: n,
            };
            let ok = match past {
                PastTheLimit::WriteFails => {
                    libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
                    true
                }
                PastTheLimit::Killed => libc::setrlimit(libc::RLIMIT_CORE, &limit(0)) == 0,
            };
            if !ok || libc::setrlimit(libc::RLIMIT_FSIZE, &limit(bytes)) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}
