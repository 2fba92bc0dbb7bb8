//! `slant export notebook`: a Jupyter notebook (nbformat 4.5) that reads
//! a report folder's CSV files with pandas and draws their main figures
//! with matplotlib, each under a short explanation.
//!
//! The cells live in `cells.py`, in the "percent" format that editors and
//! jupytext read (`# %%` starts a code cell, `# %% [markdown]` a markdown
//! cell whose lines start with `# `), so the Python is edited and read as
//! Python. Two placeholders are filled in: `{{REPORTS}}`, the report folder
//! as a Python string, and `{{WHERE}}`, the sentence that says how that
//! path is written ([`Located`]).
//!
//! The notebook is written unexecuted (no outputs): running it is the
//! reader's step, and it keeps no numbers that could go stale.
//!
//! ```
//! use slant::report::notebook::{render, Located};
//! let nb = render(&Located::Relative("../reports/sample".into()))?;
//! let json: serde_json::Value = serde_json::from_slice(&nb)?;
//! assert_eq!(json["nbformat"], 4);
//! let first_code = json["cells"].as_array().unwrap().iter()
//!     .find(|c| c["cell_type"] == "code").unwrap();
//! let source: String = first_code["source"].as_array().unwrap().iter()
//!     .map(|l| l.as_str().unwrap()).collect();
//! assert!(source.contains(r#"REPORTS = Path("../reports/sample")"#));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

/// The cells, in the percent format (see the module documentation).
const CELLS: &str = include_str!("cells.py");

/// Columns the notebook reads from each required report: a folder whose
/// files lack one is refused at export, naming file and column, rather
/// than failing halfway down the notebook.
const REQUIRED: [(&str, &[&str]); 3] = [
    (
        "outlets.csv",
        &[
            "outlet",
            "outlet_name",
            "articles",
            "words_own",
            "mentions_own",
            "loaded_per_1k_own",
            "loaded_per_1k_own_ci_low",
            "loaded_per_1k_own_ci_high",
            "loaded_per_1k_own_story",
            "loaded_per_1k_own_general",
            "loaded_per_1k_own_detector",
            "loaded_per_1k_quoted",
            "distancing_own",
            "top_terms_own",
        ],
    ),
    (
        "concepts.csv",
        &[
            "outlet",
            "concept",
            "label",
            "mentions_own",
            "share_own",
            "sentiment_own_mean",
            "sentiment_own_ci_low",
            "sentiment_own_ci_high",
            "sentiment_own_n",
        ],
    ),
    ("articles.csv", &["article_id", "outlet"]),
];

#[derive(Debug, thiserror::Error)]
pub enum NotebookError {
    #[error("{path}: no such folder; give the folder `slant analyze --out` wrote")]
    NoReports { path: PathBuf },
    #[error("{path}: not found; is {dir} a folder `slant analyze --out` wrote?", dir = .path.parent().unwrap_or(Path::new("")).display())]
    NotReports { path: PathBuf },
    #[error("{path}: no column `{column}`; these reports come from another version of slant: run `slant analyze` again")]
    Column { path: PathBuf, column: String },
    #[error("{path}: cannot read: {message}")]
    Read { path: PathBuf, message: String },
    #[error("{path}: exists; --force replaces it")]
    Exists { path: PathBuf },
    #[error("{path}: is a folder; --out names the notebook file")]
    IsFolder { path: PathBuf },
    #[error("{path}: the path is not UTF-8, so the notebook cannot name it")]
    NotUtf8 { path: PathBuf },
    #[error("cannot write the notebook's JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{path}: cannot write notebook: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// How the notebook names the report folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// Relative to the notebook's folder, where Jupyter runs a notebook:
    /// the two move together.
    Relative(PathBuf),
    /// Absolute: the notebook and the reports share no folder below the
    /// root, so a relative path would climb to it and break on any move.
    Absolute(PathBuf),
}

impl Located {
    /// How a notebook in `notebook_dir` finds `reports` (both absolute
    /// and free of symbolic links, as `canonicalize` gives them):
    /// relatively when the two share a folder below the root.
    ///
    /// ```
    /// use std::path::Path;
    /// use slant::report::notebook::Located;
    /// assert_eq!(
    ///     Located::of(Path::new("/work/slant/reports/sample"), Path::new("/work/slant/notebooks")),
    ///     Located::Relative("../reports/sample".into())
    /// );
    /// assert_eq!(
    ///     Located::of(Path::new("/data/reports"), Path::new("/home/me")),
    ///     Located::Absolute("/data/reports".into())
    /// );
    /// ```
    pub fn of(reports: &Path, notebook_dir: &Path) -> Located {
        let top = |p: &Path| {
            p.components()
                .find(|c| matches!(c, Component::Normal(_)))
                .map(|c| c.as_os_str().to_owned())
        };
        let shared = top(reports).is_some() && top(reports) == top(notebook_dir);
        match pathdiff::diff_paths(reports, notebook_dir) {
            Some(rel) if shared && rel.as_os_str().is_empty() => Located::Relative(".".into()),
            Some(rel) if shared => Located::Relative(rel),
            _ => Located::Absolute(reports.to_path_buf()),
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Located::Relative(p) | Located::Absolute(p) => p,
        }
    }

    /// The markdown sentence that says how `REPORTS` is written.
    fn explain(&self) -> String {
        match self {
            Located::Relative(p) => format!(
                "It is written relative to this notebook's folder (`{}`; Jupyter runs a \
                 notebook in its own folder), so the notebook keeps working when it moves \
                 together with the reports. If you move only the notebook, set `REPORTS` to \
                 the report folder again.",
                p.display()
            ),
            Located::Absolute(p) => format!(
                "It is the report folder's absolute path (`{}`), because the notebook and the \
                 reports share no folder below the root: the notebook keeps working wherever \
                 it moves, as long as the reports stay where they are. To read another run, \
                 set `REPORTS` to its folder.",
                p.display()
            ),
        }
    }
}

/// What [`export`] wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub path: PathBuf,
    pub reports: Located,
}

/// Writes the notebook for the report folder `reports` to `out`, which it
/// refuses to replace unless `force`. The folder must hold the reports the
/// notebook reads (`outlets.csv`, `concepts.csv`, `articles.csv`) with the
/// columns it reads; the other reports are drawn when present.
pub fn export(reports: &Path, out: &Path, force: bool) -> Result<Exported, NotebookError> {
    check_reports(reports)?;
    if out.is_dir() {
        return Err(NotebookError::IsFolder {
            path: out.to_path_buf(),
        });
    }
    if !force && out.exists() {
        return Err(NotebookError::Exists {
            path: out.to_path_buf(),
        });
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |error| NotebookError::Io {
            path: path.clone(),
            error,
        }
    };
    // The notebook's folder must exist to be canonical; the temporary
    // file beside it would create it anyway.
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let notebook_dir = dir.canonicalize().map_err(io(&dir))?;
    let reports_dir = reports.canonicalize().map_err(|e| NotebookError::Read {
        path: reports.to_path_buf(),
        message: e.to_string(),
    })?;
    let located = Located::of(&reports_dir, &notebook_dir);
    let bytes = render(&located)?;
    let mut tmp = crate::disk::atomic::temp_beside(out).map_err(io(out))?;
    tmp.write_all(&bytes).map_err(io(out))?;
    tmp.as_file().sync_all().map_err(io(out))?;
    // Without --force the rename itself refuses an existing file, so a
    // notebook written meanwhile is not replaced either.
    let persisted = if force {
        tmp.persist(out)
    } else {
        tmp.persist_noclobber(out)
    };
    persisted.map_err(|e| match e.error.kind() {
        std::io::ErrorKind::AlreadyExists => NotebookError::Exists {
            path: out.to_path_buf(),
        },
        _ => NotebookError::Io {
            path: out.to_path_buf(),
            error: e.error,
        },
    })?;
    Ok(Exported {
        path: out.to_path_buf(),
        reports: located,
    })
}

/// Refuses a folder that is not a report folder the notebook can read.
fn check_reports(reports: &Path) -> Result<(), NotebookError> {
    if !reports.is_dir() {
        return Err(NotebookError::NoReports {
            path: reports.to_path_buf(),
        });
    }
    for (name, columns) in REQUIRED {
        let path = reports.join(name);
        if !path.is_file() {
            return Err(NotebookError::NotReports { path });
        }
        let read = |message: String| NotebookError::Read {
            path: path.clone(),
            message,
        };
        let mut reader = csv::Reader::from_path(&path).map_err(|e| read(e.to_string()))?;
        let header = reader.headers().map_err(|e| read(e.to_string()))?;
        // With --excel the first name carries a byte-order mark.
        let names: Vec<&str> = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}'))
            .collect();
        if let Some(missing) = columns.iter().find(|c| !names.contains(c)) {
            return Err(NotebookError::Column {
                path,
                column: missing.to_string(),
            });
        }
    }
    Ok(())
}

/// The notebook's JSON: its cells with `REPORTS` set as `located` says.
pub fn render(located: &Located) -> Result<Vec<u8>, NotebookError> {
    let path = located.path();
    let text = path.to_str().ok_or_else(|| NotebookError::NotUtf8 {
        path: path.to_path_buf(),
    })?;
    // A JSON string is a Python string literal too: the escapes it uses
    // (\" \\ \n \uXXXX …) mean the same in both.
    let literal = serde_json::to_string(text).unwrap_or_default();
    let cells = cells(CELLS)
        .into_iter()
        .enumerate()
        .map(|(i, (kind, source))| {
            let source = source
                .replace("{{REPORTS}}", &literal)
                .replace("{{WHERE}}", &located.explain());
            Cell::new(i, kind, &source)
        })
        .collect();
    let notebook = Notebook {
        cells,
        metadata: Metadata {
            kernelspec: KernelSpec {
                display_name: "Python 3 (ipykernel)",
                language: "python",
                name: "python3",
            },
            language_info: LanguageInfo { name: "python" },
            slant: SlantInfo {
                version: env!("CARGO_PKG_VERSION"),
            },
        },
        nbformat: 4,
        nbformat_minor: 5,
    };
    // Jupyter's own layout (one-space indent, keys sorted: the fields below
    // are declared in name order), so that a notebook saved by Jupyter
    // differs from the exported one only where its content does.
    let mut bytes = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b" ");
    let mut ser = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    notebook.serialize(&mut ser)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Markdown,
    Code,
}

/// Splits the percent-format template into cells: kind and source, with
/// the `# ` of markdown lines taken off and blank lines around a cell
/// dropped.
fn cells(template: &str) -> Vec<(Kind, String)> {
    let mut cells: Vec<(Kind, Vec<&str>)> = Vec::new();
    for line in template.lines() {
        if let Some(rest) = line.strip_prefix("# %%") {
            let kind = if rest.trim() == "[markdown]" {
                Kind::Markdown
            } else {
                Kind::Code
            };
            cells.push((kind, Vec::new()));
            continue;
        }
        if let Some((kind, lines)) = cells.last_mut() {
            let line = match kind {
                Kind::Markdown => line
                    .strip_prefix("# ")
                    .or_else(|| line.strip_prefix('#'))
                    .unwrap_or(line),
                Kind::Code => line,
            };
            lines.push(line);
        }
    }
    cells
        .into_iter()
        .map(|(kind, lines)| (kind, lines.join("\n").trim_matches('\n').to_string()))
        .collect()
}

// Field order is name order throughout: serde writes fields in declaration
// order, and nbformat writes keys sorted.
#[derive(Serialize)]
struct Notebook {
    cells: Vec<Cell>,
    metadata: Metadata,
    nbformat: u32,
    nbformat_minor: u32,
}

#[derive(Serialize)]
struct Metadata {
    kernelspec: KernelSpec,
    language_info: LanguageInfo,
    slant: SlantInfo,
}

#[derive(Serialize)]
struct KernelSpec {
    display_name: &'static str,
    language: &'static str,
    name: &'static str,
}

#[derive(Serialize)]
struct LanguageInfo {
    name: &'static str,
}

#[derive(Serialize)]
struct SlantInfo {
    version: &'static str,
}

/// A cell as nbformat 4.5 has it: a code cell has `execution_count` (null
/// until run) and `outputs`; a markdown cell has neither.
#[derive(Serialize)]
struct Cell {
    cell_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    execution_count: Option<Option<u32>>,
    id: String,
    metadata: Empty,
    #[serde(skip_serializing_if = "Option::is_none")]
    outputs: Option<[(); 0]>,
    /// Lines, each with its `\n` but the last, as Jupyter saves them.
    source: Vec<String>,
}

#[derive(Serialize)]
struct Empty {}

impl Cell {
    fn new(index: usize, kind: Kind, source: &str) -> Cell {
        let code = kind == Kind::Code;
        Cell {
            cell_type: if code { "code" } else { "markdown" },
            execution_count: code.then_some(None),
            // Stable ids, so that exporting twice gives the same file.
            id: format!("slant-{:02}", index + 1),
            metadata: Empty {},
            outputs: code.then_some([]),
            source: source.split_inclusive('\n').map(str::to_string).collect(),
        }
    }
}

#[cfg(test)]
mod tests;
