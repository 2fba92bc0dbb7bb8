//! Replays inputs the fuzzers found (`fuzz/regressions/TARGET/*`) and the
//! seed inputs (`fuzz/seeds/TARGET/*`) through the same checks the fuzz
//! targets run (`slant::bench::fuzz`), so a fixed crash stays fixed without
//! a fuzzer or a nightly compiler.
//!
//! A saved input whose bug is not fixed yet sits in
//! `fuzz/regressions/TARGET/open/`; it is replayed by the ignored test
//! `open_findings` (`cargo test --test fuzz_regressions -- --ignored`), and
//! moves up one folder when the fix lands.

use std::path::{Path, PathBuf};

use slant::bench::fuzz::TARGETS;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Files directly in `dir`, sorted (missing folder: none).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every input under `sub/TARGET/` through TARGET's check; returns
/// how many ran, and fails listing every input that panicked.
fn replay(sub: &str) -> usize {
    let mut ran = 0;
    let mut failed = Vec::new();
    for (name, check) in TARGETS {
        for path in files(&root().join(sub).join(name)) {
            let data = std::fs::read(&path).expect("read input");
            ran += 1;
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "inputs that still fail:\n{}",
        failed.join("\n")
    );
    ran
}

#[test]
fn seeds_pass() {
    let ran = replay("seeds");
    assert!(ran >= TARGETS.len(), "only {ran} seed inputs found");
}

#[test]
fn fixed_findings_pass() {
    replay("regressions");
}

#[test]
#[ignore = "findings whose fix is pending in the text/lexicon modules; see fuzz/README.md"]
fn open_findings() {
    let mut ran = 0;
    let mut failed = Vec::new();
    for (name, check) in TARGETS {
        for path in files(&root().join("regressions").join(name).join("open")) {
            let data = std::fs::read(&path).expect("read input");
            ran += 1;
            if std::panic::catch_unwind(|| check(&data)).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "open findings that still fail:\n{}",
        failed.join("\n")
    );
    eprintln!("{ran} open findings replayed, all pass: move them up to fuzz/regressions/TARGET/");
}
