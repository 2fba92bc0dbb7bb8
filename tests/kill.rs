//! A run killed at any moment leaves every report file whole (the previous
//! run's or the new one's, never a mix inside a file) and a cache the next
//! run can use.

use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::{bench_gen, limit_file_size, stderr, PastTheLimit, ONE_PART, REPORTS};

fn slant(args: &[&str]) -> Command {
    let mut cmd = common::slant(args);
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd
}

fn ok(cmd: &mut Command) {
    let out = cmd.output().expect("run slant");
    assert!(out.status.success(), "{}", stderr(&out));
}

/// A run whose mentions fit in one part ([`ONE_PART`]): the whole mentions
/// file is compared byte for byte.
fn analyze_cmd(corpus: &Path, out: &Path) -> Command {
    let [flag, rows] = ONE_PART;
    slant(&[
        "analyze",
        corpus.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-model",
        "--quiet",
        flag,
        rows,
    ])
}

fn reports(dir: &Path) -> Vec<Vec<u8>> {
    REPORTS
        .iter()
        .map(|name| std::fs::read(dir.join(name)).unwrap_or_default())
        .collect()
}

fn partial_files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for sub in [dir.to_path_buf(), dir.join(".slant-cache")] {
        for e in std::fs::read_dir(sub).into_iter().flatten().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".partial") {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn killed_runs_leave_whole_reports_and_a_usable_cache() {
    let work = tempfile::tempdir().unwrap();
    let corpus = work.path().join("corpus");
    // Small enough that every mention row (actors' too) fits in one part
    // of `mentions/` (4 MiB): parts are what a rerun carries over, so with
    // several the split could differ from a fresh run's.
    let gen = |seed: u64, append: bool| bench_gen(&corpus, 100, 4, seed, append);
    gen(1, false);

    // The previous run's reports.
    let out = work.path().join("out");
    ok(&mut analyze_cmd(&corpus, &out));
    let old = reports(&out);

    // New articles arrive; what a complete run on them writes.
    gen(2, true);
    let reference = work.path().join("reference");
    let clock = Instant::now();
    ok(&mut analyze_cmd(&corpus, &reference));
    let total = clock.elapsed().as_millis() as u64;
    let new = reports(&reference);
    assert!(
        !reference.join("mentions/part-00002.csv").exists(),
        "the corpus no longer fits in one part"
    );
    assert_ne!(old, new);

    let check = |how: &str| {
        for (i, got) in reports(&out).iter().enumerate() {
            assert!(
                *got == old[i] || *got == new[i],
                "{} is neither the previous nor the new report after a kill {how}",
                REPORTS[i]
            );
        }
    };

    // Kills at moments spread over the run (reading, analysing, scoring).
    let mut killed = 0;
    for delay_ms in [0, 20, total / 4, total / 2, total * 3 / 4] {
        let mut child = analyze_cmd(&corpus, &out).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill();
        child.wait().unwrap();
        check(&format!("at {delay_ms} ms"));
    }
    assert!(killed > 0, "every run finished before it could be killed");

    // Kills in the middle of writing a file: with a file-size limit the
    // kernel kills the process (SIGXFSZ) at the write that crosses it, so
    // each limit stops the run inside a different report or cache file.
    // `--force`, because a run that finds its work cached (one of the timed
    // runs may have finished) writes too little to cross the limits.
    for limit in [1 << 10, 8 << 10, 64 << 10, 512 << 10, 2 << 20] {
        let mut cmd = analyze_cmd(&corpus, &out);
        cmd.arg("--force");
        limit_file_size(&mut cmd, limit, PastTheLimit::Killed);
        let status = cmd.status().unwrap();
        if status.signal() == Some(libc::SIGXFSZ) {
            killed += 1;
        }
        check(&format!("writing past {limit} bytes"));
    }
    assert!(killed >= 8, "only {killed} runs were killed mid-way");

    // The next run cleans up, uses what the cache holds and writes exactly
    // what an uninterrupted run writes.
    ok(&mut analyze_cmd(&corpus, &out));
    assert_eq!(reports(&out), new);
    assert!(partial_files(&out).is_empty(), "{:?}", partial_files(&out));
}
