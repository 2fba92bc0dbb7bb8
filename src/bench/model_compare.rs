//! `slant model bench --paths f32,int8`: several ways of scoring, timed side
//! by side on the same pairs.
//!
//! Each path runs in a child process of this same executable (`slant model
//! bench --pairs … --precision …`), so each has its own model load and peak
//! RSS and none inherits another's warm caches. With `--rounds N` the paths
//! take turns N times and the fastest run of each counts, which keeps the
//! ratio fair when other jobs share the machine. The table also gives how
//! many labels each path shares with the first, and the largest probability
//! difference, from the predictions each child writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::model::{BenchArgs, Figures};
use crate::sentiment::SentimentError;
use crate::target::Target;

/// One line of a child's `--write-predictions`.
#[derive(Debug, serde::Deserialize)]
struct Prediction {
    label: String,
    probs: [f64; 3],
}

fn err(e: impl std::fmt::Display) -> SentimentError {
    SentimentError::Input(e.to_string())
}

fn read_predictions(path: &Path) -> Result<Vec<Prediction>, SentimentError> {
    let text = std::fs::read_to_string(path).map_err(|error| SentimentError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    text.lines()
        .map(|l| serde_json::from_str(l).map_err(err))
        .collect()
}

/// `/proc/loadavg`'s three load averages, for the record beside timings.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// Runs every `--paths` entry `--rounds` times in child processes and
/// prints the table.
pub(super) fn run(args: &BenchArgs, targets: &[Target]) -> Result<(), SentimentError> {
    let dir = tempfile::tempdir().map_err(err)?;
    let pairs = dir.path().join("pairs.jsonl");
    super::model::write_pairs(&pairs, targets)?;
    let exe = std::env::current_exe().map_err(err)?;
    let rounds = args.rounds.max(1);
    let load_before = load_average();
    println!(
        "{} pairs; {} paths, {rounds} round(s); load average before: {load_before}",
        targets.len(),
        args.paths.len()
    );
    let mut best: Vec<Option<Figures>> = vec![None; args.paths.len()];
    let mut runs: Vec<Vec<f64>> = vec![Vec::new(); args.paths.len()];
    for round in 0..rounds {
        for (i, spec) in args.paths.iter().enumerate() {
            let predictions = dir.path().join(format!("pred-{i}.jsonl"));
            let summary = dir.path().join(format!("fig-{i}.json"));
            let mut cmd = Command::new(&exe);
            cmd.args(["model", "bench", "--pairs"])
                .arg(&pairs)
                .args(["--precision", spec.precision.as_str()])
                .args(["--batch-size", &args.batch_size.to_string()])
                .arg("--summary-json")
                .arg(&summary)
                .arg("--write-predictions")
                .arg(&predictions)
                .stdout(Stdio::null());
            if let Some(m) = spec.max_len {
                cmd.args(["--max-len", &m.to_string()]);
            }
            if let Some(t) = args.threads {
                cmd.args(["--threads", &t.to_string()]);
            }
            if let Some(m) = &args.model {
                cmd.arg("--model").arg(m);
            }
            // Dev scores do not change between rounds: the first computes them.
            if round == 0 {
                for d in &args.dev {
                    cmd.arg("--dev").arg(d);
                }
            }
            let status = cmd.status().map_err(err)?;
            if !status.success() {
                return Err(err(format!("bench of path {spec} failed: {status}")));
            }
            let text = std::fs::read_to_string(&summary).map_err(|error| SentimentError::Io {
                path: summary.clone(),
                error,
            })?;
            let mut f: Figures = serde_json::from_str(&text).map_err(err)?;
            runs[i].push(f.score_s);
            eprintln!(
                "round {}: {spec}: scoring {:.2}s, load {:.2}s (load average {})",
                round + 1,
                f.score_s,
                f.load_s,
                load_average()
            );
            best[i] = Some(match best[i].take() {
                None => f,
                Some(mut b) => {
                    if f.score_s < b.score_s {
                        f.dev = std::mem::take(&mut b.dev);
                        f.peak_rss_mib = max_opt(f.peak_rss_mib, b.peak_rss_mib);
                        f
                    } else {
                        b.peak_rss_mib = max_opt(f.peak_rss_mib, b.peak_rss_mib);
                        b
                    }
                }
            });
        }
    }
    let best: Vec<Figures> = best.into_iter().flatten().collect();
    let preds: Vec<Vec<Prediction>> = (0..best.len())
        .map(|i| read_predictions(&dir.path().join(format!("pred-{i}.jsonl"))))
        .collect::<Result<_, _>>()?;
    if let Some(p) = &args.write_predictions {
        std::fs::copy(dir.path().join("pred-0.jsonl"), p).map_err(|error| SentimentError::Io {
            path: PathBuf::from(p),
            error,
        })?;
    }
    let Some(base) = best.first() else {
        return Ok(());
    };
    let dev_names: Vec<String> = base.dev.iter().map(|d| d.name.clone()).collect();
    print!(
        "{:<10} {:>7} {:>8} {:>9} {:>8} {:>9} {:>7} {:>9} {:>9}",
        "path", "load s", "score s", "pairs/s", "ratio", "total s", "RSS MiB", "agree", "max |dp|"
    );
    for name in &dev_names {
        print!(" {:>8}", format!("{name} F1"));
    }
    println!();
    for (i, f) in best.iter().enumerate() {
        let agree = preds[i]
            .iter()
            .zip(&preds[0])
            .filter(|(a, b)| a.label == b.label)
            .count();
        let dp = preds[i]
            .iter()
            .zip(&preds[0])
            .flat_map(|(a, b)| (0..3).map(move |k| (a.probs[k] - b.probs[k]).abs()))
            .fold(0.0, f64::max);
        print!(
            "{:<10} {:>7.2} {:>8.2} {:>9.1} {:>7.2}x {:>9.2} {:>7} {:>9} {:>9.2e}",
            format!("{}:{}", f.precision, f.max_len),
            f.load_s,
            f.score_s,
            f.pairs as f64 / f.score_s,
            base.score_s / f.score_s,
            f.total_s,
            f.peak_rss_mib.map_or("?".into(), |r| format!("{r:.0}")),
            format!("{agree}/{}", preds[0].len()),
            dp
        );
        for name in &dev_names {
            match f.dev.iter().find(|d| &d.name == name) {
                Some(d) => print!(" {:>8.4}", d.macro_f1),
                None => print!(" {:>8}", "-"),
            }
        }
        println!();
    }
    println!(
        "path = precision:max_len; threads: {}; batch size: {}; scoring times of every round (s): {}",
        base.threads,
        base.batch_size,
        runs.iter()
            .map(|r| r
                .iter()
                .map(|s| format!("{s:.2}"))
                .collect::<Vec<_>>()
                .join(" "))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    println!("load average after: {}", load_average());
    Ok(())
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}
