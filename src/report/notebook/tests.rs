use super::*;

fn json(located: &Located) -> serde_json::Value {
    serde_json::from_slice(&render(located).unwrap()).unwrap()
}

/// Each cell's type and whole source.
fn sources(nb: &serde_json::Value) -> Vec<(String, String)> {
    nb["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let source = c["source"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap())
                .collect();
            (c["cell_type"].as_str().unwrap().to_string(), source)
        })
        .collect()
}

/// A minimal report folder with the columns the notebook reads.
fn reports() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, columns) in REQUIRED {
        std::fs::write(dir.path().join(name), columns.join(",") + "\n").unwrap();
    }
    dir
}

#[test]
fn percent_format_splits_into_cells() {
    let template = "# %% [markdown]\n# # Title\n#\n# Some *text*.\n\n# %%\nx = 1\n\n\ny = 2\n\n# %%\n# a comment\n";
    assert_eq!(
        cells(template),
        vec![
            (Kind::Markdown, "# Title\n\nSome *text*.".to_string()),
            (Kind::Code, "x = 1\n\n\ny = 2".to_string()),
            (Kind::Code, "# a comment".to_string()),
        ]
    );
}

#[test]
fn the_template_starts_with_markdown_and_alternates_with_code() {
    let cells = cells(CELLS);
    assert!(cells.len() > 10, "{} cells", cells.len());
    assert_eq!(cells[0].0, Kind::Markdown);
    for pair in cells.windows(2) {
        assert_ne!(pair[0].0, pair[1].0, "two cells of one kind: {:?}", pair[1]);
    }
    assert!(cells.iter().all(|(_, s)| !s.is_empty()));
}

#[test]
fn placeholders_are_filled_and_the_path_is_a_python_literal() {
    let odd = Located::Absolute(PathBuf::from("/data/a \"b\"\\c"));
    let nb = json(&odd);
    let all: String = sources(&nb).into_iter().map(|(_, s)| s).collect();
    assert!(!all.contains("{{"), "a placeholder is left");
    assert!(
        all.contains(r#"REPORTS = Path("/data/a \"b\"\\c")"#),
        "{all}"
    );
    assert!(all.contains("absolute path"));
    let nb = json(&Located::Relative("../reports/sample".into()));
    let all: String = sources(&nb).into_iter().map(|(_, s)| s).collect();
    assert!(all.contains(r#"REPORTS = Path("../reports/sample")"#));
    assert!(all.contains("relative to this notebook's folder (`../reports/sample`"));
}

#[test]
fn cells_have_the_fields_of_nbformat_4_5_and_unique_ids() {
    let nb = json(&Located::Relative("r".into()));
    assert_eq!(
        (nb["nbformat"].as_u64(), nb["nbformat_minor"].as_u64()),
        (Some(4), Some(5))
    );
    assert_eq!(nb["metadata"]["kernelspec"]["name"], "python3");
    let mut ids = std::collections::HashSet::new();
    for cell in nb["cells"].as_array().unwrap() {
        let id = cell["id"].as_str().unwrap();
        assert!(id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert!(ids.insert(id.to_string()), "id {id} twice");
        let keys: Vec<&str> = cell
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        match cell["cell_type"].as_str().unwrap() {
            "code" => {
                assert_eq!(
                    keys,
                    [
                        "cell_type",
                        "execution_count",
                        "id",
                        "metadata",
                        "outputs",
                        "source"
                    ]
                );
                assert!(cell["execution_count"].is_null());
                assert_eq!(cell["outputs"], serde_json::json!([]));
            }
            "markdown" => assert_eq!(keys, ["cell_type", "id", "metadata", "source"]),
            other => panic!("cell type {other}"),
        }
        // Every line but the last ends with its newline, as Jupyter saves.
        let lines = cell["source"].as_array().unwrap();
        for line in &lines[..lines.len() - 1] {
            assert!(line.as_str().unwrap().ends_with('\n'));
        }
        assert!(!lines.last().unwrap().as_str().unwrap().ends_with('\n'));
    }
}

#[test]
fn rendering_is_deterministic_and_laid_out_as_jupyter_saves() {
    let a = render(&Located::Relative("r".into())).unwrap();
    assert_eq!(a, render(&Located::Relative("r".into())).unwrap());
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with("{\n \"cells\": [\n  {\n   \"cell_type\": \"markdown\",\n"));
    assert!(text.ends_with("}\n"));
}

#[test]
fn located_is_relative_below_a_shared_folder_else_absolute() {
    let rel = |a: &str, b: &str| Located::of(Path::new(a), Path::new(b));
    assert_eq!(rel("/w/r", "/w/r"), Located::Relative(".".into()));
    assert_eq!(rel("/w/nb/r", "/w/nb"), Located::Relative("r".into()));
    assert_eq!(
        rel("/w/a/r", "/w/b/c"),
        Located::Relative("../../a/r".into())
    );
    assert_eq!(rel("/w", "/w/nb"), Located::Relative("..".into()));
    assert_eq!(
        rel("/data/r", "/home/me"),
        Located::Absolute("/data/r".into())
    );
    assert_eq!(rel("/r", "/"), Located::Absolute("/r".into()));
}

#[test]
fn export_writes_and_refuses_to_replace_without_force() {
    let reports = reports();
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("nested/report.ipynb");
    let done = export(reports.path(), &out, false).unwrap();
    assert!(matches!(done.reports, Located::Relative(_)));
    let first = std::fs::read(&out).unwrap();
    std::fs::write(&out, b"edited").unwrap();
    let err = export(reports.path(), &out, false).unwrap_err();
    assert!(matches!(err, NotebookError::Exists { .. }));
    assert!(err.to_string().contains("report.ipynb"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"edited");
    export(reports.path(), &out, true).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), first);
}

#[test]
fn a_folder_without_reports_or_columns_is_refused_naming_the_file() {
    let out = tempfile::tempdir().unwrap();
    let nb = out.path().join("a.ipynb");
    let missing = out.path().join("nowhere");
    let err = export(&missing, &nb, false).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:", missing.display())),
        "{err}"
    );

    let reports = reports();
    std::fs::remove_file(reports.path().join("concepts.csv")).unwrap();
    let err = export(reports.path(), &nb, false).unwrap_err();
    assert!(err.to_string().contains("concepts.csv: not found"), "{err}");

    let reports = self::reports();
    std::fs::write(reports.path().join("outlets.csv"), "outlet,articles\n").unwrap();
    let err = export(reports.path(), &nb, false).unwrap_err();
    assert!(
        err.to_string()
            .contains("outlets.csv: no column `outlet_name`"),
        "{err}"
    );
    assert!(!nb.exists(), "nothing is written for a refused folder");
}

#[test]
fn excel_reports_with_a_byte_order_mark_are_read() {
    let reports = reports();
    let path = reports.path().join("articles.csv");
    let body = std::fs::read(&path).unwrap();
    std::fs::write(&path, [b"\xEF\xBB\xBF".as_slice(), &body].concat()).unwrap();
    let out = tempfile::tempdir().unwrap();
    export(reports.path(), &out.path().join("a.ipynb"), false).unwrap();
}

#[test]
fn a_folder_in_the_way_is_refused() {
    let reports = reports();
    let out = tempfile::tempdir().unwrap();
    let err = export(reports.path(), out.path(), true).unwrap_err();
    assert!(matches!(err, NotebookError::IsFolder { .. }), "{err}");
}
