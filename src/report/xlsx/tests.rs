use super::*;
use std::fs::File;
use std::io::Read;

/// One cell of a sheet as the file has it.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Number(f64),
    Text(String),
    Boolean(bool),
}

/// A sheet's cells by reference (`B2`), and whether any is a formula.
struct Sheet {
    cells: std::collections::BTreeMap<String, Cell>,
    formulas: usize,
}

/// The sheets of an xlsx file, by name, read from its XML.
fn read_xlsx(path: &Path) -> Vec<(String, Sheet)> {
    let mut zip = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    let mut xml = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let book = xml("xl/workbook.xml");
    let book = roxmltree::Document::parse(&book).unwrap();
    let names: Vec<String> = book
        .descendants()
        .filter(|n| n.has_tag_name("sheet"))
        .map(|n| n.attribute("name").unwrap().to_string())
        .collect();
    // No shared strings: every sheet but `about` is written in
    // constant-memory mode, whose strings are inline.
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let text = xml(&format!("xl/worksheets/sheet{}.xml", i + 1));
            let doc = roxmltree::Document::parse(&text).unwrap();
            let mut cells = std::collections::BTreeMap::new();
            let mut formulas = 0;
            for c in doc.descendants().filter(|n| n.has_tag_name("c")) {
                formulas += c.children().filter(|n| n.has_tag_name("f")).count();
                let at = c.attribute("r").unwrap().to_string();
                let value = || {
                    c.descendants()
                        .find(|n| n.has_tag_name("v"))
                        .and_then(|v| v.text())
                        .unwrap_or_default()
                        .to_string()
                };
                let cell = match c.attribute("t") {
                    Some("inlineStr") => Cell::Text(
                        c.descendants()
                            .filter(|n| n.has_tag_name("t"))
                            .filter_map(|t| t.text())
                            .collect(),
                    ),
                    Some("b") => Cell::Boolean(value() == "1"),
                    // Shared strings: only the about sheet has them.
                    Some("s") => Cell::Text(format!("shared {}", value())),
                    None | Some("n") => Cell::Number(value().parse().unwrap()),
                    Some(other) => panic!("cell {at} of type {other}"),
                };
                cells.insert(at, cell);
            }
            (name, Sheet { cells, formulas })
        })
        .collect()
}

fn sheet<'a>(sheets: &'a [(String, Sheet)], name: &str) -> &'a Sheet {
    &sheets.iter().find(|(n, _)| n == name).unwrap().1
}

fn text(s: &str) -> Option<Cell> {
    Some(Cell::Text(s.to_string()))
}

fn number(n: f64) -> Option<Cell> {
    Some(Cell::Number(n))
}

const MENTIONS: &str = "article_id,outlet,sentence_index,start,end,surface,term,concept,label,layer,source,model_prob,loaded,direction,voice,speaker,distancing,negated,sentence,sentiment_label,sentiment_neg,sentiment_neu,sentiment_pos\n";

fn mention(id: &str, sentence: &str) -> String {
    format!("{id},o,0,0,5,thugs,thugs,generic,pejorative,general,lexicon,,0.7000,-0.7000,own,,true,false,\"{sentence}\",,,,\n")
}

/// A report folder with an outlets table and two parts of mentions.
fn folder(parts: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("outlets.csv"),
        "outlet,outlet_name,articles,loaded_per_1k_own,loaded_per_1k_own_ci_low\n2024,=1+1,3,-0.5000,\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("mentions")).unwrap();
    for (i, rows) in parts.iter().enumerate() {
        let name = format!("mentions/part-{:05}.csv", i + 1);
        std::fs::write(dir.path().join(name), format!("{MENTIONS}{rows}")).unwrap();
    }
    dir
}

#[test]
fn numbers_are_numbers_text_is_text_and_nothing_is_a_formula() {
    let dir = folder(&[&mention("a1", "=HYPERLINK(\"\"http://x\"\",\"\"y\"\")")]);
    // An --excel file: a byte-order mark and guarded text.
    std::fs::write(
        dir.path().join("articles.csv"),
        "\u{feff}article_id,outlet,title,words,group\n'-1,o,'@SUM(A1),12,'+left\n",
    )
    .unwrap();
    let built = write_workbook(dir.path()).unwrap();
    let names: Vec<&str> = built.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["outlets", "articles", "mentions"]);
    let sheets = read_xlsx(&dir.path().join(FILE));
    assert_eq!(sheets[0].0, "about");
    for (name, s) in &sheets {
        assert_eq!(s.formulas, 0, "{name} has a formula");
    }
    let outlets = sheet(&sheets, "outlets");
    // An outlet named 2024 is text; a rate is a number; an empty cell is
    // no cell at all.
    assert_eq!(outlets.cells.get("A2").cloned(), text("2024"));
    assert_eq!(outlets.cells.get("B2").cloned(), text("=1+1"));
    assert_eq!(outlets.cells.get("C2").cloned(), number(3.0));
    assert_eq!(outlets.cells.get("D2").cloned(), number(-0.5));
    assert_eq!(outlets.cells.get("E2"), None);
    assert_eq!(outlets.cells.get("A1").cloned(), text("outlet"));
    // The guard's apostrophes are gone: the workbook has the exact text.
    let articles = sheet(&sheets, "articles");
    assert_eq!(articles.cells.get("A2").cloned(), text("-1"));
    assert_eq!(articles.cells.get("C2").cloned(), text("@SUM(A1)"));
    assert_eq!(articles.cells.get("D2").cloned(), number(12.0));
    assert_eq!(articles.cells.get("E2").cloned(), text("+left"));
    let mentions = sheet(&sheets, "mentions");
    assert_eq!(
        mentions.cells.get("S2").cloned(),
        text("=HYPERLINK(\"http://x\",\"y\")")
    );
    // Booleans are the CSV's text: LibreOffice reads an Excel boolean as a
    // formula.
    assert_eq!(mentions.cells.get("Q2").cloned(), text("true"));
    assert_eq!(mentions.cells.get("R2").cloned(), text("false"));
    assert_eq!(mentions.cells.get("N2").cloned(), number(-0.7));
    assert_eq!(mentions.cells.get("L2"), None);
}

#[test]
fn a_sheet_past_its_limit_is_cut_with_a_note_and_the_about_sheet_says_so() {
    let rows = |ids: &[&str]| ids.iter().map(|id| mention(id, "s.")).collect::<String>();
    let dir = folder(&[&rows(&["a1", "a2", "a3"]), &rows(&["b1", "b2"])]);
    let options = WorkbookOptions {
        max_rows: 2,
        evidence_rows: 2,
    };
    let built = write_workbook_with(dir.path(), None, options).unwrap();
    let m = built.sheets.iter().find(|s| s.table == "mentions").unwrap();
    assert_eq!((m.rows, m.written, m.left_out()), (5, 2, 3));
    assert_eq!(
        m.files,
        ["mentions/part-00001.csv", "mentions/part-00002.csv"]
    );
    let sheets = read_xlsx(&dir.path().join(FILE));
    let mentions = sheet(&sheets, "mentions");
    assert_eq!(mentions.cells.get("A3").cloned(), text("a2"));
    let Some(Cell::Text(note)) = mentions.cells.get("A4") else {
        panic!("no note below the last row");
    };
    assert!(note.contains("first 2 of 5 rows") && note.contains("3 rows are left out"));
    assert!(note.contains("mentions/"), "{note}");
    assert!(!mentions.cells.keys().any(|k| k.ends_with('5')));
    // The about sheet (shared strings) has the note too.
    let mut zip = zip::ZipArchive::new(File::open(dir.path().join(FILE)).unwrap()).unwrap();
    let mut strings = String::new();
    zip.by_name("xl/sharedStrings.xml")
        .unwrap()
        .read_to_string(&mut strings)
        .unwrap();
    assert!(
        strings.contains("the other 3 are in mentions/"),
        "{strings}"
    );
    assert!(strings.contains("run.json"));
}

#[test]
fn a_known_row_count_spares_the_scan_past_the_cap() {
    let rows = |ids: &[&str]| ids.iter().map(|id| mention(id, "s.")).collect::<String>();
    let dir = folder(&[&rows(&["a1", "a2", "a3"]), &rows(&["b1", "b2"])]);
    let cut = |mention_rows| {
        let staging = Staging {
            mention_rows,
            ..Staging::default()
        };
        let options = WorkbookOptions {
            max_rows: 2,
            evidence_rows: 2,
        };
        let (_, built) = stage_workbook(dir.path(), &staging, None, options).unwrap();
        let m = built.sheets.iter().find(|s| s.table == "mentions").unwrap();
        (m.rows, m.written)
    };
    // The files are not read past the cap when the writer knows the count
    // (a figure unlike the files' shows which was used) ...
    assert_eq!(cut(Some(7)), (7, 2));
    assert_eq!(cut(None), (5, 2));
    // ... and a sheet that holds every row counts what it read.
    let staging = Staging {
        mention_rows: Some(7),
        ..Staging::default()
    };
    let (_, built) =
        stage_workbook(dir.path(), &staging, None, WorkbookOptions::default()).unwrap();
    let m = built.sheets.iter().find(|s| s.table == "mentions").unwrap();
    assert_eq!((m.rows, m.written), (5, 5));
}

#[test]
fn a_cell_that_is_not_of_its_column_kind_is_named_by_file_and_line() {
    let dir = folder(&[&format!(
        "{}{}",
        mention("a1", "fine"),
        mention("a2", "two\nlines")
    )]);
    std::fs::write(
        dir.path().join("mentions/part-00002.csv"),
        format!("{MENTIONS}a3,o,zero,0,5,x,x,c,l,story,lexicon,,0.1,0.1,own,,false,false,s,,,,\n"),
    )
    .unwrap();
    let err = write_workbook(dir.path()).unwrap_err().to_string();
    assert!(err.contains("part-00002.csv:2:"), "{err}");
    assert!(
        err.contains("sentence_index") && err.contains("\"zero\""),
        "{err}"
    );
    assert!(!dir.path().join(FILE).exists(), "a workbook was written");
}

#[test]
fn parts_with_another_header_are_refused() {
    let dir = folder(&[&mention("a1", "s.")]);
    std::fs::write(
        dir.path().join("mentions/part-00002.csv"),
        "article_id\nx\n",
    )
    .unwrap();
    let err = write_workbook(dir.path()).unwrap_err().to_string();
    assert!(err.contains("part-00002.csv:1: another header"), "{err}");
}

#[test]
fn the_same_folder_gives_the_same_bytes() {
    let dir = folder(&[&mention("a1", "s.")]);
    write_workbook(dir.path()).unwrap();
    let first = std::fs::read(dir.path().join(FILE)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write_workbook(dir.path()).unwrap();
    assert_eq!(first, std::fs::read(dir.path().join(FILE)).unwrap());
    // Nothing left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

#[test]
fn sheet_names_fit_excel() {
    let taken = vec!["about".to_string(), "outlets".to_string()];
    assert_eq!(sheet_name("keyness", &taken), "keyness");
    assert_eq!(sheet_name("a[b]:c*d?e/f\\g", &taken), "a_b__c_d_e_f_g");
    assert_eq!(sheet_name("About", &taken), "About~2");
    let long = "x".repeat(40);
    assert_eq!(sheet_name(&long, &taken).chars().count(), 31);
    let taken = vec![long[..31].to_string()];
    assert_eq!(sheet_name(&long, &taken), format!("{}~2", &long[..29]));
}

#[test]
fn texts_are_cut_at_excels_limit_in_utf16_units() {
    let short = "é".repeat(MAX_CHARS);
    assert_eq!(excel_text(&short), (short.as_str(), false));
    let long = "a".repeat(MAX_CHARS + 5);
    let (cut, was) = excel_text(&long);
    assert!(was);
    assert_eq!(cut.len(), MAX_CHARS);
    // An emoji is two UTF-16 units: it does not fit in the last one.
    let emoji = format!("{}😀", "a".repeat(MAX_CHARS - 1));
    assert_eq!(excel_text(&emoji), (&emoji[..MAX_CHARS - 1], true));
}

#[test]
fn thousands_are_separated() {
    assert_eq!(thousands(0), "0");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_048_574), "1,048,574");
}

/// Records as the csv reader counts them.
fn csv_records(bytes: &[u8]) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut n = 0;
    while reader.read_byte_record(&mut record).unwrap() {
        n += 1;
    }
    n
}

#[test]
fn records_are_counted_as_the_csv_reader_reads_them() {
    let cases: &[&[u8]] = &[
        b"",
        b"a,b\n",
        b"a,b",
        b"a,b\n\"x\ny\",2\n\"say \"\"hi\"\"\",3",
        b"a\r\nb\r\n\r\nc\r\n",
        b"a\n\n\nb\n",
        b"\"\n\",\"\"\"\n\"\"\"\n",
        b"=1+1,\"a,\nb\"\n-2,'x\n",
    ];
    for case in cases {
        assert_eq!(
            count_records(*case).unwrap(),
            csv_records(case),
            "{:?}",
            String::from_utf8_lossy(case)
        );
    }
}

proptest::proptest! {
    #[test]
    fn any_csv_file_is_counted_as_the_reader_counts_it(
        rows in proptest::collection::vec(
            proptest::collection::vec("[a-c\",\n\r ]{0,6}", 1..4),
            0..6,
        ),
        crlf in proptest::bool::ANY,
    ) {
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
            .from_writer(Vec::new());
        for row in &rows {
            writer.write_record(row).unwrap();
        }
        let bytes = writer.into_inner().unwrap();
        proptest::prop_assert_eq!(count_records(&bytes[..]).unwrap(), csv_records(&bytes));
    }
}

#[test]
fn a_staged_folder_is_read_where_it_is_staged() {
    let dir = tempfile::tempdir().unwrap();
    let staged = tempfile::tempdir().unwrap();
    // An old outlets.csv in place and a new one staged; a table that only
    // exists staged; mentions only staged.
    std::fs::write(dir.path().join("outlets.csv"), "outlet,articles\nold,1\n").unwrap();
    std::fs::write(staged.path().join("o.tmp"), "outlet,articles\nnew,2\n").unwrap();
    std::fs::write(staged.path().join("t.tmp"), "scope,key\noutlet,x\n").unwrap();
    let parts = staged.path().join("parts");
    std::fs::create_dir(&parts).unwrap();
    std::fs::write(
        parts.join("part-00001.csv"),
        format!("{MENTIONS}{}", mention("a1", "s.")),
    )
    .unwrap();
    let staging = Staging {
        files: vec![
            (dir.path().join("outlets.csv"), staged.path().join("o.tmp")),
            (dir.path().join("timeline.csv"), staged.path().join("t.tmp")),
        ],
        mentions: Some(parts),
        mention_rows: None,
    };
    let (book, built) =
        stage_workbook(dir.path(), &staging, None, WorkbookOptions::default()).unwrap();
    // Nothing is in place before the commit.
    assert!(!dir.path().join(FILE).exists());
    book.commit().unwrap();
    let names: Vec<(&str, &[String])> = built
        .sheets
        .iter()
        .map(|s| (s.name.as_str(), s.files.as_slice()))
        .collect();
    assert_eq!(
        names,
        [
            ("outlets", &["outlets.csv".to_string()][..]),
            ("timeline", &["timeline.csv".to_string()][..]),
            ("mentions", &["mentions/part-00001.csv".to_string()][..]),
        ]
    );
    let sheets = read_xlsx(&dir.path().join(FILE));
    assert_eq!(
        sheet(&sheets, "outlets").cells.get("A2").cloned(),
        text("new")
    );
    assert_eq!(
        sheet(&sheets, "mentions").cells.get("A2").cloned(),
        text("a1")
    );
}

#[test]
fn a_workbook_begun_early_is_the_workbook_built_at_once() {
    let dir = folder(&[&mention("a1", "s."), &mention("b1", "t.")]);
    std::fs::write(dir.path().join("articles.csv"), "article_id,outlet\na1,o\n").unwrap();
    // A table named like a begun sheet, to be named after it.
    std::fs::write(dir.path().join("Articles.csv"), "x\n1\n").unwrap();
    let options = WorkbookOptions {
        max_rows: 10,
        evidence_rows: 1,
    };
    let book = |begun| {
        let (staged, built) =
            finish_workbook(dir.path(), &Staging::default(), None, options, begun).unwrap();
        staged.commit().unwrap();
        (std::fs::read(dir.path().join(FILE)).unwrap(), built)
    };
    let (at_once, built) = book(None);
    let begun = begin_workbook(dir.path(), &Staging::default(), options).unwrap();
    // Taken as they were written: the files are the caller's to keep as
    // they were (a run's are staged and left alone), and are not read
    // again, so a change made in place meanwhile does not show.
    std::fs::write(dir.path().join("articles.csv"), "article_id,outlet\nzz,o\n").unwrap();
    let (early, built_early) = book(Some(begun));
    assert_eq!(built_early, built);
    let names: Vec<&str> = built.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["outlets", "Articles", "articles~2", "mentions"]);
    assert!(early == at_once, "the begun workbook's bytes differ");
}

#[test]
fn a_begun_sheet_is_written_again_when_its_files_or_cap_are_not_the_same() {
    let dir = folder(&[&format!("{}{}", mention("a1", "s."), mention("a2", "t."))]);
    std::fs::write(dir.path().join("articles.csv"), "article_id,outlet\na1,o\n").unwrap();
    let staged = dir.path().join(".articles.csv.staged");
    std::fs::write(&staged, "article_id,outlet\na1,o\na2,o\n").unwrap();
    let options = WorkbookOptions::default();
    let begun = begin_workbook(dir.path(), &Staging::default(), options).unwrap();
    // The articles now read from elsewhere, the mentions with a lower cap.
    let staging = Staging {
        files: vec![(dir.path().join("articles.csv"), staged)],
        ..Staging::default()
    };
    let capped = WorkbookOptions {
        evidence_rows: 1,
        ..options
    };
    let (_, built) = finish_workbook(dir.path(), &staging, None, capped, Some(begun)).unwrap();
    let rows = |table: &str| {
        let s = built.sheets.iter().find(|s| s.table == table).unwrap();
        (s.rows, s.written)
    };
    assert_eq!(rows("articles"), (2, 2));
    assert_eq!(rows("mentions"), (2, 1));
}
