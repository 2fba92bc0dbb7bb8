//! `slant export notebook` end to end: the real binary writes the
//! notebook, nbformat validates it and Jupyter (nbconvert) runs it, as a
//! reader would. The Python side is the virtual environment
//! `scripts/setup-notebook.sh` installs (`.deps/notebook`, or
//! `$SLANT_NOTEBOOK_VENV`).

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{slant, stderr};

const SEEDS: &str = "../shared/corpus/seeds-2024-iraq";

fn venv() -> PathBuf {
    let dir = std::env::var_os("SLANT_NOTEBOOK_VENV").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".deps/notebook"),
        PathBuf::from,
    );
    assert!(
        dir.join("bin/jupyter").is_file(),
        "{}: no Jupyter there; run scripts/setup-notebook.sh",
        dir.display()
    );
    dir
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{cmd:?}: {}", stderr(&out));
    stderr(&out)
}

/// Analyses `corpus` into `out` (`extra` arguments added, quietly).
fn analyze(corpus: &str, out: &Path, extra: &[&str]) {
    let mut args = vec!["analyze", corpus, "--out", out.to_str().unwrap(), "--quiet"];
    args.extend(extra);
    run(&mut slant(&args));
}

fn export(reports: &Path, notebook: &Path) -> std::process::Output {
    let (r, n) = (reports.to_str().unwrap(), notebook.to_str().unwrap());
    slant(&["export", "notebook", r, "--out", n])
        .output()
        .expect("run slant")
}

/// Validates `notebook` with nbformat, runs it with nbconvert and returns
/// the executed notebook.
fn validate_and_execute(notebook: &Path) -> serde_json::Value {
    let venv = venv();
    let check = format!(
        "import nbformat; nbformat.validate(nbformat.read({:?}, as_version=4))",
        notebook.to_str().unwrap()
    );
    run(Command::new(venv.join("bin/python")).args(["-c", &check]));
    let executed = notebook.with_file_name("executed.ipynb");
    run(Command::new(venv.join("bin/jupyter")).args([
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--output",
        executed.to_str().unwrap(),
        notebook.to_str().unwrap(),
    ]));
    serde_json::from_slice(&std::fs::read(&executed).unwrap()).unwrap()
}

/// Each code cell's outputs, with the cell's source.
fn code_cells(nb: &serde_json::Value) -> Vec<(String, Vec<serde_json::Value>)> {
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cell_type"] == "code")
        .map(|c| (text(&c["source"]), c["outputs"].as_array().unwrap().clone()))
        .collect()
}

/// A notebook string, saved whole or as a list of lines.
fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap()).collect(),
        v => v.as_str().unwrap_or_default().to_string(),
    }
}

/// The PNG figures and the printed text of a cell's outputs.
fn figures_and_text(outputs: &[serde_json::Value]) -> (usize, String) {
    let mut figures = 0;
    let mut printed = String::new();
    for o in outputs {
        assert_ne!(o["output_type"], "error", "a cell failed: {o}");
        if o["data"]["image/png"].is_string() {
            figures += 1;
        }
        printed += &text(&o["text"]);
    }
    (figures, printed)
}

/// The figures and text of the code cell whose source holds `marker`.
fn section(cells: &[(String, Vec<serde_json::Value>)], marker: &str) -> (usize, String) {
    let (_, outputs) = cells
        .iter()
        .find(|(source, _)| source.contains(marker))
        .unwrap_or_else(|| panic!("no code cell with {marker}"));
    figures_and_text(outputs)
}

#[test]
fn the_exported_notebook_runs_on_the_sample_and_draws_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports/sample");
    analyze("data/sample", &reports, &[]);
    let notebook = dir.path().join("notebooks/sample.ipynb");
    let said = export(&reports, &notebook);
    assert!(said.status.success(), "{}", stderr(&said));
    assert!(stderr(&said).contains("sample.ipynb"), "{}", stderr(&said));
    let nb = validate_and_execute(&notebook);
    let cells = code_cells(&nb);
    for (source, outputs) in &cells {
        figures_and_text(outputs);
        assert!(!source.contains("{{"), "a placeholder is left: {source}");
    }
    let (_, printed) = section(&cells, "REPORTS = Path(");
    assert!(printed.contains("4 outlets, 12 articles"), "{printed}");
    assert!(printed.contains("sentiment model: newsmtsc"), "{printed}");
    // The sample has four outlets in three groups, three articles each,
    // and the models on: every section with data draws.
    assert_eq!(section(&cells, "interval_chart(outlets").0, 1);
    assert_eq!(section(&cells, "parts_chart(outlets").0, 1);
    assert_eq!(section(&cells, "if groups is None").0, 2);
    assert!(section(&cells, "referents = [").0 >= 5);
    assert_eq!(section(&cells, "no sentiment in concepts.csv").0, 1);
    assert_eq!(section(&cells, "keyness_charts(rows, scope)").0, 2);
    assert!(section(&cells, "labels.csv: no label group").0 >= 1);
    let (_, printed) = section(&cells, "significant = divergence");
    assert!(printed.contains(" tests have q < 0.05"), "{printed}");
    // The sample's articles are dated: its timeline is drawn.
    assert_eq!(section(&cells, "timeline = report(").0, 1);
}

#[test]
fn sections_without_data_say_so_and_the_notebook_still_runs() {
    // The seeds: one article per outlet (no intervals, no keyness), no
    // groups, and no model (no sentiment).
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("seeds");
    analyze(SEEDS, &reports, &["--no-model"]);
    // The seeds' articles carry months: the timeline the run wrote is drawn.
    assert!(reports.join("timeline.csv").is_file());
    let notebook = dir.path().join("seeds.ipynb");
    let said = export(&reports, &notebook);
    assert!(said.status.success(), "{}", stderr(&said));
    let cells = code_cells(&validate_and_execute(&notebook));
    let (_, printed) = section(&cells, "if groups is None");
    assert!(printed.contains("groups.csv: no group"), "{printed}");
    let (figures, printed) = section(&cells, "no sentiment in concepts.csv");
    assert_eq!(figures, 0);
    assert!(
        printed.contains("no sentiment in concepts.csv"),
        "{printed}"
    );
    let (_, printed) = section(&cells, "keyness_charts(rows, scope)");
    assert!(printed.contains("keyness.csv: no phrase"), "{printed}");
    assert_eq!(section(&cells, "interval_chart(outlets").0, 1);
    assert_eq!(section(&cells, "timeline = report(").0, 1);
    // The run wrote actors.csv: the notebook shows it.
    let (_, printed) = section(&cells, "actors = report(");
    assert!(!printed.contains("actors.csv: not in"), "{printed}");
}

#[test]
fn the_committed_notebook_is_what_the_exporter_writes_today() {
    // The committed notebook was exported from reports/sample into
    // notebooks-export/: lay out the same folders so REPORTS comes out the
    // same, and compare every cell's source.
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports/sample");
    analyze("data/sample", &reports, &["--no-model"]);
    let fresh = dir.path().join("notebooks-export/sample.ipynb");
    let said = export(&reports, &fresh);
    assert!(said.status.success(), "{}", stderr(&said));
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("notebooks-export/sample.ipynb");
    let bytes = std::fs::read(&committed).unwrap();
    assert!(
        bytes.len() < 1 << 20,
        "{} bytes: keep it under 1 MiB",
        bytes.len()
    );
    let committed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let fresh: serde_json::Value = serde_json::from_slice(&std::fs::read(&fresh).unwrap()).unwrap();
    let cells = |nb: &serde_json::Value| -> Vec<(String, String)> {
        nb["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["cell_type"].as_str().unwrap().to_string(),
                    text(&c["source"]),
                )
            })
            .collect()
    };
    assert_eq!(
        cells(&committed),
        cells(&fresh),
        "notebooks-export/sample.ipynb is stale: remake it with scripts/export-sample-notebook.sh"
    );
    // It is committed run, with its figures, and no cell failed.
    let figures: usize = code_cells(&committed)
        .iter()
        .map(|(_, outputs)| figures_and_text(outputs).0)
        .sum();
    assert!(figures >= 10, "{figures} figures: commit it executed");
}

#[test]
fn an_existing_notebook_is_kept_unless_forced_and_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let reports = dir.path().join("reports");
    analyze("data/sample", &reports, &["--no-model"]);
    let notebook = dir.path().join("mine.ipynb");
    std::fs::write(&notebook, "my edits").unwrap();
    let refused = export(&reports, &notebook);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains(&format!(
        "{}: exists; --force replaces it",
        notebook.display()
    )));
    assert_eq!(std::fs::read_to_string(&notebook).unwrap(), "my edits");
    let (r, n) = (reports.to_str().unwrap(), notebook.to_str().unwrap());
    run(&mut slant(&[
        "export", "notebook", r, "--out", n, "--force",
    ]));
    assert!(std::fs::read_to_string(&notebook)
        .unwrap()
        .contains("\"nbformat\": 4"));

    let missing = dir.path().join("nowhere");
    let err = export(&missing, &dir.path().join("b.ipynb"));
    assert_eq!(err.status.code(), Some(2));
    assert!(
        stderr(&err).contains(&format!("{}: no such folder", missing.display())),
        "{}",
        stderr(&err)
    );
    std::fs::remove_file(reports.join("concepts.csv")).unwrap();
    let err = export(&reports, &dir.path().join("c.ipynb"));
    assert!(
        stderr(&err).contains("concepts.csv: not found"),
        "{}",
        stderr(&err)
    );
    assert!(!dir.path().join("c.ipynb").exists());
}
