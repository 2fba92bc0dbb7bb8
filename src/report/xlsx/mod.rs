//! `report.xlsx`: the report folder's CSV files as one workbook, for people
//! who read the reports in a spreadsheet.
//!
//! The workbook is built from the CSV files as they lie in the folder
//! ([`write_workbook`]), so it holds what they hold and can be rebuilt from
//! them at any time. Each table gets a sheet (`outlets`, `groups`,
//! `concepts`, `keyness`, `labels`, `divergence`, any other CSV file of the
//! folder as text, then `articles`), the mention rows of `mentions/` a sheet
//! of their own (`mentions`, last), and a first sheet, `about`, says what
//! the run was (from `run.json`) and what each sheet holds.
//!
//! * Numbers are numbers: a column's kind comes from the report's
//!   definition ([`super::columns`]), never from how a cell looks. Decimals
//!   show the CSV's four places. Empty cells stay empty ("not defined",
//!   never zero). `distancing` and `negated` are `true`/`false` text, as in
//!   the CSV files.
//! * Every text cell is written as a string, never as a formula, whatever
//!   it begins with; text from `--excel` CSV files is read back without the
//!   guard's apostrophe ([`super::guard::unguard`]), so the workbook holds
//!   the exact text either way.
//! * Each sheet has its header row frozen, an autofilter, and column widths
//!   from its first rows (capped).
//! * A sheet holds at most [`MAX_ROWS`] rows below its header (Excel's
//!   limit is 1,048,576 rows in all): past that, a last row says how many
//!   rows are left out and where they are (`mentions/` holds every mention
//!   row), and so does the `about` sheet. A text longer than Excel's 32,767
//!   characters is cut, and counted there too.
//!
//! Sheets are written row by row to temporary files (rust_xlsxwriter's
//! constant-memory mode), so memory stays flat whatever the number of rows.
//! The file carries a fixed creation date: the same folder gives the same
//! bytes.

mod about;
mod rows;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::columns::{self, Kind};
use super::{io_error, ReportError};
#[cfg(test)]
use rows::count_records;
use rows::{CsvRows, Row};

/// The workbook's file name in the report folder.
pub const FILE: &str = "report.xlsx";
/// Excel's rows per sheet.
pub const EXCEL_ROWS: u32 = 1_048_576;
/// Rows a sheet holds below its header: Excel's limit less the header and
/// the row that says where the sheet is cut.
pub const MAX_ROWS: u32 = EXCEL_ROWS - 2;
/// Excel's longest text in a cell, in characters.
pub const MAX_CHARS: usize = 32_767;
/// Rows read to size the columns.
const WIDTH_ROWS: usize = 1_000;
/// Column widths, in characters.
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

/// The tables whose sheets come first, in this order; other CSV files of
/// the folder follow by name, then `articles`, then `mentions`.
const ORDER: &[&str] = &[
    "outlets",
    "groups",
    "concepts",
    "keyness",
    "labels",
    "divergence",
    "timeline",
    "actors",
];

/// Mention rows the `mentions` sheet holds by default: the evidence of a
/// corpus of a few thousand articles whole, and on a large corpus a first
/// slice, with a note, that writes in about a second (the full evidence is
/// `mentions/`, which the workbook would otherwise copy at tens of seconds
/// per million rows on every run).
pub const EVIDENCE_ROWS: u32 = 100_000;

/// How to build the workbook.
#[derive(Debug, Clone, Copy)]
pub struct WorkbookOptions {
    /// Most rows of a sheet below its header (at most [`MAX_ROWS`]).
    pub max_rows: u32,
    /// Most rows of the `mentions` sheet (at most `max_rows`).
    pub evidence_rows: u32,
}

impl Default for WorkbookOptions {
    fn default() -> WorkbookOptions {
        WorkbookOptions {
            max_rows: MAX_ROWS,
            evidence_rows: EVIDENCE_ROWS,
        }
    }
}

/// What a workbook holds, sheet by sheet (the `about` sheet aside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    pub sheets: Vec<SheetSummary>,
}

/// One sheet of the workbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetSummary {
    /// The sheet's name.
    pub name: String,
    /// The table it shows (`outlets`, `mentions`, …).
    pub table: String,
    /// Its files, relative to the report folder.
    pub files: Vec<String>,
    /// Rows of the files (headers aside).
    pub rows: u64,
    /// Rows the sheet holds; the rest are left out.
    pub written: u64,
    /// Texts cut to Excel's longest cell.
    pub cut_cells: u64,
    /// The most rows the sheet may hold.
    pub limit: u64,
}

impl SheetSummary {
    /// Rows the sheet does not hold.
    pub fn left_out(&self) -> u64 {
        self.rows - self.written
    }
}

/// Builds `DIR/report.xlsx` from the CSV files of report folder `dir` and
/// its `run.json` (the `about` sheet says so when there is none), and puts
/// it in place atomically.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("outlets.csv"), "outlet,articles\n2024,3\n")?;
/// let built = slant::report::xlsx::write_workbook(dir.path())?;
/// assert_eq!(built.sheets[0].name, "outlets");
/// assert_eq!(built.sheets[0].written, 1);
/// assert!(dir.path().join("report.xlsx").is_file());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_workbook(dir: &Path) -> Result<Built, ReportError> {
    let path = dir.join("run.json");
    let run = match std::fs::read(&path) {
        Ok(bytes) => Some(
            serde_json::from_slice(&bytes).map_err(|e| ReportError::Read {
                path: path.clone(),
                line: e.line() as u64,
                message: e.to_string(),
            })?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error(&path)(e)),
    };
    write_workbook_with(dir, run.as_ref(), WorkbookOptions::default())
}

/// [`write_workbook`] with the run described by `run` (the contents of
/// `run.json`, as a run has it before writing it) and `options`.
pub fn write_workbook_with(
    dir: &Path,
    run: Option<&serde_json::Value>,
    options: WorkbookOptions,
) -> Result<Built, ReportError> {
    let path = dir.join(FILE);
    let (staged, built) = stage_workbook(dir, &Staging::default(), run, options)?;
    staged.commit().map_err(io_error(&path))?;
    Ok(built)
}

/// The files of a report folder a run has written but not yet put in
/// place: each under its final path (`dir/outlets.csv`) and the path it
/// has for now, and the parts of `mentions/` in a staged folder.
#[derive(Debug, Clone, Default)]
pub struct Staging {
    /// (final path, staged path) of each file.
    pub files: Vec<(PathBuf, PathBuf)>,
    /// The staged `mentions/` folder, if any.
    pub mentions: Option<PathBuf>,
    /// The rows of the staged `mentions/` (headers aside), when the writer
    /// knows them: the `mentions` sheet's note then needs no scan of the
    /// rows past its cap, which on a large corpus are gigabytes.
    pub mention_rows: Option<u64>,
}

impl Staging {
    /// Where `path`, as the folder will have it, can be read now.
    pub fn read_path<'a>(&'a self, path: &'a Path) -> &'a Path {
        self.files
            .iter()
            .find(|(f, _)| f == path)
            .map_or(path, |(_, staged)| staged.as_path())
    }
}

/// [`write_workbook_with`] for a folder whose files are `staging` where it
/// names them: the workbook is built and staged beside the reports, not
/// put in place, so a run can put it in place together with them.
pub fn stage_workbook(
    dir: &Path,
    staging: &Staging,
    run: Option<&serde_json::Value>,
    options: WorkbookOptions,
) -> Result<(crate::disk::atomic::Staged, Built), ReportError> {
    finish_workbook(dir, staging, run, options, None)
}

/// The tables whose files a run stages first, before it has computed the
/// others, and the largest: their sheets can be written meanwhile
/// ([`begin_workbook`]).
const EARLY: &[&str] = &["articles", super::mentions::DIR];

/// A workbook whose largest sheets (`articles`, `mentions`) are written:
/// see [`begin_workbook`]. [`finish_workbook`] adds the others.
pub struct Begun {
    workbook: Workbook,
    /// Each written sheet's source and summary, in the order of the
    /// workbook's sheets.
    written: Vec<(Source, SheetSummary)>,
}

/// Writes the sheets of `articles` and `mentions/` as `staging` has them,
/// which is all a run has staged while it still computes the tables: the
/// two sheets that are most of a workbook's work then run beside that
/// arithmetic, not after it. [`finish_workbook`] takes the sheets as they
/// are if it finds the same files (by path) to show with the same cap, and
/// writes them again if not: the files must not change in between, as a
/// run's staged files do not.
///
/// ```
/// use slant::report::xlsx::{begin_workbook, finish_workbook, Staging, WorkbookOptions};
/// let dir = tempfile::tempdir()?;
/// std::fs::write(dir.path().join("articles.csv"), "article_id,outlet\na1,o\n")?;
/// let options = WorkbookOptions::default();
/// let begun = begin_workbook(dir.path(), &Staging::default(), options)?;
/// std::fs::write(dir.path().join("outlets.csv"), "outlet,articles\no,1\n")?;
/// let (_staged, built) =
///     finish_workbook(dir.path(), &Staging::default(), None, options, Some(begun))?;
/// let names: Vec<&str> = built.sheets.iter().map(|s| s.name.as_str()).collect();
/// assert_eq!(names, ["outlets", "articles"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn begin_workbook(
    dir: &Path,
    staging: &Staging,
    options: WorkbookOptions,
) -> Result<Begun, ReportError> {
    let xlsx = xlsx_error(dir);
    let mut workbook = new_workbook(dir)?;
    let sources: Vec<Source> = sources(dir, staging)?
        .into_iter()
        .filter(|s| EARLY.contains(&s.table.as_str()))
        .collect();
    let mut names = Vec::new();
    for source in &sources {
        let name = sheet_name(&source.table, &names);
        workbook
            .add_worksheet_with_constant_memory()
            .map_err(xlsx)?
            .set_name(&name)
            .map_err(xlsx)?;
        names.push(name);
    }
    let reused = sources.iter().map(|_| None).collect();
    let summaries = write_sheets(
        workbook.worksheets_mut(),
        &sources,
        names,
        reused,
        dir,
        options,
    )?;
    Ok(Begun {
        workbook,
        written: sources.into_iter().zip(summaries).collect(),
    })
}

/// [`stage_workbook`], with the sheets `begun` wrote where they show the
/// same files, with the same cap, as the folder's tables do now.
pub fn finish_workbook(
    dir: &Path,
    staging: &Staging,
    run: Option<&serde_json::Value>,
    options: WorkbookOptions,
    begun: Option<Begun>,
) -> Result<(crate::disk::atomic::Staged, Built), ReportError> {
    let xlsx = xlsx_error(dir);
    let (mut workbook, mut written) = match begun {
        Some(b) => (b.workbook, b.written),
        None => (new_workbook(dir)?, Vec::new()),
    };
    // The written sheets are taken out and put back in their places.
    let mut early = std::mem::take(workbook.worksheets_mut());
    // The about sheet comes first but is written last, when the others'
    // sizes are known; it is small, so it is held in memory.
    workbook.add_worksheet().set_name("about").map_err(xlsx)?;
    let sources = sources(dir, staging)?;
    let mut names = vec!["about".to_string()];
    let mut reused = Vec::with_capacity(sources.len());
    for source in &sources {
        let name = sheet_name(&source.table, &names);
        let cap = u64::from(sheet_cap(source, options));
        let same = written.iter().position(|(s, summary)| {
            (&s.table, &s.files, &s.read, s.rows)
                == (&source.table, &source.files, &source.read, source.rows)
                && summary.limit == cap
        });
        match same {
            Some(i) => {
                let (_, summary) = written.swap_remove(i);
                let mut sheet = early.swap_remove(i);
                sheet.set_name(&name).map_err(xlsx)?;
                workbook.push_worksheet(sheet);
                reused.push(Some(summary));
            }
            None => {
                workbook
                    .add_worksheet_with_constant_memory()
                    .map_err(xlsx)?
                    .set_name(&name)
                    .map_err(xlsx)?;
                reused.push(None);
            }
        }
        names.push(name);
    }
    let sheets = write_sheets(
        workbook.worksheets_mut().get_mut(1..).unwrap_or_default(),
        &sources,
        names.into_iter().skip(1).collect(),
        reused,
        dir,
        options,
    )?;
    let built = Built { sheets };
    let about = workbook.worksheet_from_index(0).map_err(xlsx)?;
    about::write(about, run, &built, &Formats::new()).map_err(xlsx)?;
    let path = dir.join(FILE);
    let mut file = crate::disk::atomic::StagingFile::create(&path).map_err(io_error(&path))?;
    workbook.save_to_writer(&mut file).map_err(xlsx)?;
    let staged = file.finish().map_err(io_error(&path))?;
    Ok((staged, built))
}

/// The error of report folder `dir`'s workbook from `rust_xlsxwriter`'s.
fn xlsx_error(dir: &Path) -> impl Fn(XlsxError) -> ReportError + Copy + '_ {
    move |e| ReportError::Xlsx {
        path: dir.join(FILE),
        message: e.to_string(),
    }
}

/// A workbook with its properties and settings, and no sheet yet.
fn new_workbook(dir: &Path) -> Result<Workbook, ReportError> {
    let xlsx = xlsx_error(dir);
    let mut workbook = Workbook::new();
    // Constant-memory sheets spool their rows beside the workbook, not in a
    // temporary folder that may be memory.
    workbook.set_tempdir(dir).map_err(xlsx)?;
    let created = ExcelDateTime::from_ymd(2000, 1, 1).map_err(xlsx)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title("slant report")
            .set_author("slant")
            .set_creation_datetime(&created),
    );
    // Saving is one thread's work after the sheets. On the 100,000-article
    // benchmark's folder level 2 saves in 0.83 s against 1.36 s at level 3
    // (the default 6 is slower still), for a file 4 % larger (29.2 MB
    // against 28.1 MB); level 1 takes 0.57 s but grows it by a third.
    workbook.set_zip_compression_level(2);
    Ok(workbook)
}

/// The most rows `source`'s sheet holds.
fn sheet_cap(source: &Source, options: WorkbookOptions) -> u32 {
    let max_rows = options.max_rows.min(MAX_ROWS);
    if source.table == super::mentions::DIR {
        options.evidence_rows.min(max_rows)
    } else {
        max_rows
    }
}

/// Writes each of `sources` into its sheet of `sheets`, named `names`,
/// but for those `reused` has a summary of: they were written before.
/// Each sheet spools to a file of its own, so the sheets are written on
/// all cores: `articles` and `mentions` are most of the work, and would
/// otherwise follow each other.
fn write_sheets(
    sheets: &mut [Worksheet],
    sources: &[Source],
    names: Vec<String>,
    reused: Vec<Option<SheetSummary>>,
    dir: &Path,
    options: WorkbookOptions,
) -> Result<Vec<SheetSummary>, ReportError> {
    let formats = Formats::new();
    sheets
        .par_iter_mut()
        .zip(sources.par_iter())
        .zip(names.into_par_iter())
        .zip(reused.into_par_iter())
        .map(|(((sheet, source), name), reused)| match reused {
            Some(summary) => Ok(SheetSummary { name, ..summary }),
            None => write_sheet(
                sheet,
                name,
                source,
                dir,
                sheet_cap(source, options),
                &formats,
            ),
        })
        .collect()
}

/// The cell formats of the workbook.
struct Formats {
    header: Format,
    decimal: Format,
    note: Format,
    title: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            decimal: Format::new().set_num_format("0.0000"),
            note: Format::new().set_italic(),
            title: Format::new().set_bold().set_font_size(14),
        }
    }
}

/// A table of the folder: one CSV file, or the parts of `mentions/`.
struct Source {
    table: String,
    /// The files as the folder has them (or will, once staged files are
    /// put in place): what the workbook and its errors name.
    files: Vec<PathBuf>,
    /// Where each of `files` is read from now.
    read: Vec<PathBuf>,
    /// Its rows, headers aside, if known without reading them.
    rows: Option<u64>,
}

/// The tables of report folder `dir`, in sheet order, with the files of
/// `staging` read where they are staged.
fn sources(dir: &Path, staging: &Staging) -> Result<Vec<Source>, ReportError> {
    let csv_files = |folder: &Path| -> Result<Vec<PathBuf>, ReportError> {
        let mut files = Vec::new();
        match std::fs::read_dir(folder) {
            Ok(entries) => {
                for entry in entries {
                    let path = entry.map_err(io_error(folder))?.path();
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    // Hidden names are a run's temporary files.
                    if name.ends_with(".csv") && !name.starts_with('.') && path.is_file() {
                        files.push(path);
                    }
                }
            }
            // A folder that only exists staged has nothing of its own yet.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(folder)(e)),
        }
        Ok(files)
    };
    let rank = |table: &str| match ORDER.iter().position(|t| *t == table) {
        Some(i) => (0, i),
        None if table == "articles" => (2, 0),
        None => (1, 0),
    };
    let mut files = csv_files(dir)?;
    for (path, _) in &staging.files {
        let csv = path.extension().is_some_and(|e| e == "csv");
        if csv && path.parent() == Some(dir) && !files.contains(path) {
            files.push(path.clone());
        }
    }
    files.sort();
    let mut tables: Vec<Source> = files
        .into_iter()
        .map(|path| Source {
            table: columns::table_of(&path).to_string(),
            read: vec![staging.read_path(&path).to_path_buf()],
            files: vec![path],
            rows: None,
        })
        .collect();
    tables.sort_by(|a, b| (rank(&a.table), &a.table).cmp(&(rank(&b.table), &b.table)));
    let parts = dir.join(super::mentions::DIR);
    let (folder, mut read) = match &staging.mentions {
        Some(staged) => (staged.as_path(), csv_files(staged)?),
        None if parts.is_dir() => (parts.as_path(), csv_files(&parts)?),
        None => return Ok(tables),
    };
    read.sort();
    let names = read
        .iter()
        .map(|f| parts.join(f.strip_prefix(folder).unwrap_or(f)))
        .collect();
    tables.push(Source {
        table: super::mentions::DIR.to_string(),
        files: names,
        read,
        rows: staging.mention_rows,
    });
    Ok(tables)
}

/// A sheet name for `table`: Excel's 31 characters at most, none of
/// `[]:*?/\`, and unlike the names `taken`.
fn sheet_name(table: &str, taken: &[String]) -> String {
    let clean: String = table
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect();
    let clean = if clean.trim_matches('\'').is_empty() {
        "sheet".to_string()
    } else {
        clean
    };
    let free = |name: &str| !taken.iter().any(|t| t.eq_ignore_ascii_case(name));
    let mut name = clean.clone();
    let mut n = 2;
    while !free(&name) {
        let suffix = format!("~{n}");
        let stem: String = clean.chars().take(31 - suffix.len()).collect();
        name = format!("{stem}{suffix}");
        n += 1;
    }
    name
}

/// Writes the rows of `source` into `sheet`.
fn write_sheet(
    sheet: &mut Worksheet,
    name: String,
    source: &Source,
    dir: &Path,
    max_rows: u32,
    formats: &Formats,
) -> Result<SheetSummary, ReportError> {
    let mut rows = CsvRows::new(&source.read, &source.files);
    let header = rows.header()?;
    let kinds = columns::kinds(&source.table, &header);
    let mut sample = Vec::new();
    while sample.len() < WIDTH_ROWS {
        match rows.next_row()? {
            Some(row) => sample.push(row),
            None => break,
        }
    }
    let xlsx = {
        let name = name.clone();
        move |e: XlsxError| ReportError::Xlsx {
            path: dir.join(FILE),
            message: format!("sheet {name}: {e}"),
        }
    };
    for (col, width) in widths(&header, &sample).into_iter().enumerate() {
        sheet
            .set_column_width(col as u16, width as f64)
            .map_err(&xlsx)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(&xlsx)?;
    for (col, h) in header.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, h.as_str(), &formats.header)
            .map_err(&xlsx)?;
    }
    let mut summary = SheetSummary {
        name,
        table: source.table.clone(),
        files: source
            .files
            .iter()
            .map(|f| f.strip_prefix(dir).unwrap_or(f).display().to_string())
            .collect(),
        rows: 0,
        written: 0,
        cut_cells: 0,
        limit: u64::from(max_rows),
    };
    // Writes a row; false once the sheet is full (the row only counted).
    let mut write = |row: &Row| -> Result<bool, ReportError> {
        summary.rows += 1;
        if summary.written >= u64::from(max_rows) {
            return Ok(false);
        }
        summary.written += 1;
        let at = summary.written as u32;
        for (col, cell) in row.record.iter().enumerate() {
            let kind = kinds.get(col).copied().unwrap_or(Kind::Text);
            let cut = write_cell(sheet, at, col as u16, kind, cell, row.guarded, formats).map_err(
                |e| match e {
                    CellError::Xlsx(e) => xlsx(e),
                    CellError::Kind => ReportError::Read {
                        path: source.files[row.file].clone(),
                        line: row.line,
                        message: format!(
                            "column {}: {cell:?} is not {}",
                            header.get(col).map_or("?", String::as_str),
                            match kind {
                                Kind::Boolean => "true or false",
                                _ => "a number",
                            }
                        ),
                    },
                },
            )?;
            summary.cut_cells += u64::from(cut);
        }
        Ok(summary.written < u64::from(max_rows))
    };
    let mut room = true;
    for row in &sample {
        room = write(row)?;
    }
    drop(sample);
    while room {
        match rows.next_row()? {
            Some(row) => room = write(&row)?,
            None => break,
        }
    }
    // Past the cap the rows are only counted, without reading their cells:
    // on a large corpus that is most of `mentions/`, whose count the run
    // already has.
    match source.rows {
        Some(known) if !room => summary.rows = known.max(summary.rows),
        _ => summary.rows += rows.count_rest()?,
    }
    let last = summary.written as u32;
    if summary.left_out() > 0 {
        sheet
            .write_string_with_format(last + 1, 0, cut_note(&summary), &formats.note)
            .map_err(&xlsx)?;
    }
    if !header.is_empty() {
        sheet
            .autofilter(0, 0, last, (header.len() - 1) as u16)
            .map_err(&xlsx)?;
    }
    Ok(summary)
}

/// The line below a sheet that is cut.
fn cut_note(sheet: &SheetSummary) -> String {
    let whole = if sheet.table == super::mentions::DIR {
        "every row is in mentions/"
    } else {
        "every row is in the CSV file"
    };
    format!(
        "The sheet stops here: it shows the first {} of {} rows, the most a sheet holds; {} rows are left out ({whole}).",
        thousands(sheet.written),
        thousands(sheet.rows),
        thousands(sheet.left_out()),
    )
}

pub(crate) use crate::report::thousands;

enum CellError {
    Xlsx(XlsxError),
    /// A cell that is not of its column's kind.
    Kind,
}

/// Writes one CSV cell; returns whether its text was cut to Excel's limit.
fn write_cell(
    sheet: &mut Worksheet,
    row: u32,
    col: u16,
    kind: Kind,
    cell: &str,
    guarded: bool,
    formats: &Formats,
) -> Result<bool, CellError> {
    if cell.is_empty() {
        return Ok(false);
    }
    let done = match kind {
        Kind::Integer | Kind::Decimal => {
            let value: f64 = cell.parse().map_err(|_| CellError::Kind)?;
            if !value.is_finite() {
                return Err(CellError::Kind);
            }
            if kind == Kind::Decimal {
                sheet.write_number_with_format(row, col, value, &formats.decimal)
            } else {
                sheet.write_number(row, col, value)
            }
        }
        // As the CSV has them, text: LibreOffice reads an Excel boolean as
        // the formula =TRUE(), and the workbook holds no formula.
        Kind::Boolean => match cell {
            "true" | "false" => sheet.write_string(row, col, cell),
            _ => return Err(CellError::Kind),
        },
        Kind::Text => {
            let text = if guarded {
                super::guard::unguard(cell)
            } else {
                cell
            };
            let (text, cut) = excel_text(text);
            sheet
                .write_string(row, col, text)
                .map_err(CellError::Xlsx)?;
            return Ok(cut);
        }
    };
    done.map(|_| false).map_err(CellError::Xlsx)
}

/// `text` cut to Excel's longest cell, and whether it was.
fn excel_text(text: &str) -> (&str, bool) {
    // Excel counts UTF-16 units; a byte count under the limit is safe.
    if text.len() <= MAX_CHARS {
        return (text, false);
    }
    let mut units = 0;
    for (i, c) in text.char_indices() {
        units += c.len_utf16();
        if units > MAX_CHARS {
            return (&text[..i], true);
        }
    }
    (text, false)
}

/// Column widths from the header and the first rows.
fn widths(header: &[String], sample: &[Row]) -> Vec<usize> {
    let chars = |s: &str| s.chars().take(MAX_WIDTH).count();
    header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            // Room for the autofilter's button beside the name.
            let name = chars(h) + 3;
            // The text as the sheet holds it: without the guard's apostrophe,
            // so that --excel does not change the workbook.
            let widest = sample
                .iter()
                .filter_map(|r| {
                    let cell = r.record.get(i)?;
                    Some(if r.guarded {
                        super::guard::unguard(cell)
                    } else {
                        cell
                    })
                })
                .map(chars)
                .max()
                .unwrap_or(0);
            (name.max(widest + 1)).clamp(MIN_WIDTH, MAX_WIDTH)
        })
        .collect()
}

#[cfg(test)]
mod tests;
