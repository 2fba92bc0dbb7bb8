//! report.xlsx and `--excel` CSV, opened the way a person opens them: with
//! LibreOffice (headless, `scripts/setup-office.sh` installs it), whose
//! import is read back from the `.fods` it converts to.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{analyze, mention_parts, read_csv, stderr, ONE_PART};
use slant::report::columns::{kind, Kind};

const HOSTILE: &str = "tests/data/hostile";

/// A cell as LibreOffice has it after import.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Empty,
    Float(f64),
    Text(String),
    Boolean(bool),
    /// A date, time, percentage or currency, as shown.
    Other(String),
}

/// One imported sheet: its rows, and what in it would run or link.
struct Sheet {
    name: String,
    rows: Vec<Vec<Cell>>,
    formulas: Vec<String>,
    links: usize,
}

impl Sheet {
    fn cell(&self, row: usize, col: usize) -> &Cell {
        self.rows
            .get(row)
            .and_then(|r| r.get(col))
            .unwrap_or(&Cell::Empty)
    }

    /// The rows with their trailing empty cells and rows dropped.
    fn trimmed(&self) -> Vec<Vec<Cell>> {
        let mut rows: Vec<Vec<Cell>> = self
            .rows
            .iter()
            .map(|r| {
                let keep = r
                    .iter()
                    .rposition(|c| *c != Cell::Empty)
                    .map_or(0, |i| i + 1);
                r[..keep].to_vec()
            })
            .collect();
        while rows.last().is_some_and(|r| r.is_empty()) {
            rows.pop();
        }
        rows
    }
}

/// Converts `files` to `.fods` in `out` with LibreOffice, each under its
/// own name; `csv` reads them with the CSV import a double-click opens
/// (comma, `"`, UTF-8), whose formulas are evaluated.
fn libreoffice(files: &[&Path], out: &Path, csv: bool) -> Vec<PathBuf> {
    // A profile of its own: two LibreOffice processes cannot share one.
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = Command::new("soffice");
    cmd.arg(format!(
        "-env:UserInstallation=file://{}",
        profile.path().display()
    ))
    .args([
        "--headless",
        "--norestore",
        "--convert-to",
        "fods",
        "--outdir",
    ])
    .arg(out);
    if csv {
        cmd.arg("--infilter=CSV:44,34,76,1");
    }
    cmd.args(files);
    let run = cmd.output().unwrap_or_else(|e| {
        panic!("soffice: {e}: LibreOffice is needed, run scripts/setup-office.sh")
    });
    assert!(run.status.success(), "soffice: {}", stderr(&run));
    files
        .iter()
        .map(|f| {
            let fods = out.join(f.with_extension("fods").file_name().unwrap());
            assert!(
                fods.is_file(),
                "LibreOffice did not convert {f:?}: {}{}",
                String::from_utf8_lossy(&run.stdout),
                stderr(&run)
            );
            fods
        })
        .collect()
}

/// The text of a cell's paragraphs, as LibreOffice shows it.
fn paragraph_text(node: roxmltree::Node, out: &mut String) {
    for child in node.children() {
        if child.is_text() {
            out.push_str(child.text().unwrap_or_default());
            continue;
        }
        match child.tag_name().name() {
            "s" => {
                let n: usize = child
                    .attribute(("urn:oasis:names:tc:opendocument:xmlns:text:1.0", "c"))
                    .map_or(1, |c| c.parse().unwrap());
                out.push_str(&" ".repeat(n));
            }
            "tab" => out.push('\t'),
            "line-break" => out.push('\n'),
            _ => paragraph_text(child, out),
        }
    }
}

const TABLE: &str = "urn:oasis:names:tc:opendocument:xmlns:table:1.0";
const OFFICE: &str = "urn:oasis:names:tc:opendocument:xmlns:office:1.0";

/// The sheets of a `.fods` file.
fn read_fods(path: &Path) -> Vec<Sheet> {
    let xml = std::fs::read_to_string(path).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &xml,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap();
    let repeat = |n: roxmltree::Node, what: &str| -> usize {
        n.attribute((TABLE, what)).map_or(1, |r| r.parse().unwrap())
    };
    doc.descendants()
        .filter(|n| n.has_tag_name((TABLE, "table")))
        .map(|table| {
            let mut sheet = Sheet {
                name: table.attribute((TABLE, "name")).unwrap().to_string(),
                rows: Vec::new(),
                formulas: Vec::new(),
                links: 0,
            };
            for row in table
                .descendants()
                .filter(|n| n.has_tag_name((TABLE, "table-row")))
            {
                let mut cells = Vec::new();
                for c in row.children().filter(|n| n.is_element()) {
                    if let Some(f) = c.attribute((TABLE, "formula")) {
                        sheet.formulas.push(f.to_string());
                    }
                    sheet.links += c
                        .descendants()
                        .filter(|n| n.tag_name().name() == "a")
                        .count();
                    let mut text = Vec::new();
                    for p in c.children().filter(|n| n.tag_name().name() == "p") {
                        let mut s = String::new();
                        paragraph_text(p, &mut s);
                        text.push(s);
                    }
                    let value = c.attribute((OFFICE, "value"));
                    let cell = match c.attribute((OFFICE, "value-type")) {
                        None => Cell::Empty,
                        Some("float") => Cell::Float(value.unwrap().parse().unwrap()),
                        Some("boolean") => {
                            Cell::Boolean(c.attribute((OFFICE, "boolean-value")) == Some("true"))
                        }
                        Some("string") => Cell::Text(text.join("\n")),
                        // A date or time the CSV import recognised.
                        Some(_) => Cell::Other(text.join("\n")),
                    };
                    // Repeats of trailing empty cells run to the sheet's edge.
                    let n = repeat(c, "number-columns-repeated");
                    let n = if cell == Cell::Empty { n.min(64) } else { n };
                    cells.extend(std::iter::repeat_n(cell, n));
                }
                let n = repeat(row, "number-rows-repeated");
                let n = if cells.iter().all(|c| *c == Cell::Empty) {
                    n.min(2)
                } else {
                    n
                };
                sheet.rows.extend(std::iter::repeat_n(cells, n));
            }
            sheet
        })
        .collect()
}

fn sheet<'a>(sheets: &'a [Sheet], name: &str) -> &'a Sheet {
    sheets
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no sheet {name}"))
}

/// LibreOffice turns a carriage return into a new paragraph.
fn as_shown(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// The header and rows of a table as the CSV files have them: one file,
/// or the parts of `mentions/` in name order.
fn csv_table(out: &Path, table: &str) -> Vec<csv::StringRecord> {
    if table == "mentions" {
        return common::read_mentions(out);
    }
    read_csv(&out.join(format!("{table}.csv")))
}

/// Each cell of the sheet is the CSV cell: a number column's as a number,
/// the others' as text (booleans too, as the CSV has them), empty where it
/// is empty.
fn assert_sheet_is_csv(sheet: &Sheet, table: &str, rows: &[csv::StringRecord]) {
    let got = sheet.trimmed();
    assert_eq!(got.len(), rows.len(), "{table}: rows");
    let header: Vec<&str> = rows[0].iter().collect();
    for (r, row) in rows.iter().enumerate() {
        for (c, want) in row.iter().enumerate() {
            let at = format!("{table} row {} column {}", r + 1, header[c]);
            let got = sheet.cell(r, c);
            if want.is_empty() {
                assert_eq!(got, &Cell::Empty, "{at}");
                continue;
            }
            let kind = if r == 0 {
                Kind::Text
            } else {
                kind(table, header[c])
            };
            match (kind, got) {
                (Kind::Integer | Kind::Decimal, Cell::Float(v)) => {
                    let want: f64 = want.parse().unwrap();
                    assert!((v - want).abs() < 1e-9, "{at}: {v} for {want}");
                }
                (Kind::Text | Kind::Boolean, Cell::Text(t)) => {
                    assert_eq!(*t, as_shown(want), "{at}")
                }
                (kind, got) => panic!("{at}: {got:?} in a column of {kind:?} ({want:?})"),
            }
        }
    }
}

const TABLES: [&str; 10] = [
    "outlets",
    "groups",
    "concepts",
    "keyness",
    "labels",
    "divergence",
    "timeline",
    "actors",
    "articles",
    "mentions",
];

#[test]
fn the_sample_workbook_reads_back_as_the_csv_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = analyze(&["data/sample"], &out, &[]);
    assert!(run.status.success(), "{}", stderr(&run));
    let sheets = read_fods(&libreoffice(&[&out.join("report.xlsx")], dir.path(), false)[0]);
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    let mut want = vec!["about"];
    want.extend(TABLES);
    assert_eq!(names, want);
    for table in TABLES {
        let s = sheet(&sheets, table);
        assert_sheet_is_csv(s, table, &csv_table(&out, table));
        assert!(s.formulas.is_empty() && s.links == 0, "{table}");
    }
    // The about sheet names the run and every sheet.
    let about = sheet(&sheets, "about");
    let texts: Vec<&str> = about
        .rows
        .iter()
        .flatten()
        .filter_map(|c| match c {
            Cell::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    for want in [
        "slant version",
        env!("CARGO_PKG_VERSION"),
        "data/sample",
        "mentions/part-00001.csv",
        "none (--no-model)",
    ] {
        assert!(texts.contains(&want), "about has no {want:?}: {texts:?}");
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert!(texts.contains(&run["lexicon_hash"].as_str().unwrap()));
    assert!(run["timings_ms"]["xlsx"].is_u64());
}

/// The hostile corpus's texts as its manifest gives them.
fn hostile_titles() -> Vec<String> {
    let rows = read_csv(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(HOSTILE)
            .join("manifest.csv"),
    );
    let title = common::column(&rows, "title");
    rows[1..].iter().map(|r| r[title].to_string()).collect()
}

const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Every text cell of `sheet` that began with a trigger in `plain` (the
/// same table without `--excel`) is shown as the text with an apostrophe
/// in front; other cells as they are; no cell is a formula or a link.
fn assert_guarded(sheet: &Sheet, table: &str, plain: &[csv::StringRecord]) {
    assert!(
        sheet.formulas.is_empty(),
        "{table}: LibreOffice made formulas of {:?}",
        sheet.formulas
    );
    assert_eq!(sheet.links, 0, "{table}: a link");
    let header: Vec<&str> = plain[0].iter().collect();
    let mut guarded = 0;
    for (r, row) in plain.iter().enumerate().skip(1) {
        for (c, text) in row.iter().enumerate() {
            let got = sheet.cell(r, c);
            let at = format!("{table} row {} column {}", r + 1, header[c]);
            if kind(table, header[c]).is_number() {
                if !text.is_empty() {
                    let want: f64 = text.parse().unwrap();
                    assert_eq!(got, &Cell::Float(want), "{at}: a number stays a number");
                }
                continue;
            }
            let starts = text.trim_start_matches('\'').starts_with(TRIGGERS);
            if starts {
                guarded += 1;
                assert_eq!(got, &Cell::Text(as_shown(&format!("'{text}"))), "{at}");
            } else if let Cell::Text(t) = got {
                assert_eq!(*t, as_shown(text), "{at}");
            }
        }
    }
    assert!(guarded > 0, "{table}: no hostile cell to check");
}

#[test]
fn hostile_text_never_becomes_a_formula() {
    let dir = tempfile::tempdir().unwrap();
    let (excel, plain) = (dir.path().join("excel"), dir.path().join("plain"));
    for (out, extra) in [(&excel, vec!["--excel"]), (&plain, vec![])] {
        let mut args = extra;
        args.extend(ONE_PART);
        let run = analyze(&[HOSTILE], out, &args);
        assert!(run.status.success(), "{}", stderr(&run));
    }

    // Plain CSV keeps the exact text: what pandas and R should read.
    let articles = read_csv(&plain.join("articles.csv"));
    let title = common::column(&articles, "title");
    let mut titles: Vec<String> = articles[1..].iter().map(|r| r[title].to_string()).collect();
    // The manifest's fields are read trimmed: a title's leading tab or
    // carriage return is gone before any report is written.
    let mut want: Vec<String> = hostile_titles()
        .iter()
        .map(|t| t.trim().to_string())
        .collect();
    titles.sort();
    want.sort();
    assert_eq!(titles, want);
    let mentions = common::read_mentions(&plain);
    let sentence = common::column(&mentions, "sentence");
    for start in ["=1+1", "=HYPERLINK(", "+1", "-1", "@SUM(A1)"] {
        assert!(
            mentions[1..].iter().any(|r| r[sentence].starts_with(start)),
            "no mention sentence begins with {start}"
        );
    }

    // With --excel, LibreOffice opening the CSV files shows text, never a
    // formula: articles.csv, a part of mentions/, and a table whose outlet
    // and names are hostile too.
    let part = mention_parts(&excel).remove(0);
    let csvs = [
        excel.join("articles.csv"),
        part.clone(),
        excel.join("outlets.csv"),
    ];
    let files: Vec<&Path> = csvs.iter().map(PathBuf::as_path).collect();
    let imported = libreoffice(&files, dir.path(), true);
    let plain_tables = [
        read_csv(&plain.join("articles.csv")),
        read_csv(&mention_parts(&plain)[0]),
        read_csv(&plain.join("outlets.csv")),
    ];
    for ((fods, rows), table) in imported
        .iter()
        .zip(&plain_tables)
        .zip(["articles", "mentions", "outlets"])
    {
        let sheets = read_fods(fods);
        assert_guarded(&sheets[0], table, rows);
    }

    // report.xlsx has no formula with or without --excel, and the same
    // text either way: the guard's apostrophes are not in it.
    assert_eq!(
        std::fs::read(excel.join("report.xlsx")).unwrap(),
        std::fs::read(plain.join("report.xlsx")).unwrap(),
        "report.xlsx differs with --excel"
    );
    let book = dir.path().join("book");
    std::fs::create_dir(&book).unwrap();
    let sheets = read_fods(&libreoffice(&[&plain.join("report.xlsx")], &book, false)[0]);
    for s in &sheets {
        assert!(s.formulas.is_empty(), "{}: {:?}", s.name, s.formulas);
        assert_eq!(s.links, 0, "{}: a link", s.name);
    }
    assert_sheet_is_csv(
        sheet(&sheets, "articles"),
        "articles",
        &read_csv(&plain.join("articles.csv")),
    );
    assert_sheet_is_csv(
        sheet(&sheets, "mentions"),
        "mentions",
        &common::read_mentions(&plain),
    );
}

#[test]
fn a_rerun_that_turns_excel_on_or_off_writes_what_a_fresh_run_writes() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = extra.to_vec();
        args.extend(ONE_PART);
        let run = analyze(&[HOSTILE], &out, &args);
        assert!(run.status.success(), "{}", stderr(&run));
        out
    };
    let excel = fresh("excel", &["--excel"]);
    let plain = fresh("plain", &[]);
    // One folder, the flag turned on, then off again.
    let rerun = fresh("rerun", &[]);
    let files = |out: &Path| -> Vec<Vec<u8>> {
        let mut names: Vec<PathBuf> = common::REPORTS.iter().map(|n| out.join(n)).collect();
        names.push(out.join("report.xlsx"));
        names.iter().map(|p| std::fs::read(p).unwrap()).collect()
    };
    for (flags, want) in [(&["--excel"][..], &excel), (&[][..], &plain)] {
        let again = fresh("rerun", flags);
        assert_eq!(again, rerun);
        assert!(
            files(&rerun) == files(want),
            "rerun with {flags:?} differs from a fresh run"
        );
    }
}
