//! The workbook's first sheet: what the run was (from `run.json`), what
//! each sheet holds, and where a sheet is cut.
//!
//! Only what the run's input decides goes in (version, inputs, lexicon,
//! models, sizes), never its timings or cache counts, so that a rerun's
//! workbook is a fresh run's.

use rust_xlsxwriter::{Worksheet, XlsxError};
use serde_json::Value;

use super::{thousands, Built, Formats, SheetSummary, MAX_CHARS};

/// What each table is, in a line.
fn what(table: &str) -> &'static str {
    match table {
        "outlets" => "one row per outlet: words and mentions by voice, loaded language per 1,000 own-voice words with 95% intervals, by layer; distancing, negation, top terms, mean sentiment per concept",
        "groups" => "the columns of outlets, one row per group (the group column's values) over its articles",
        "concepts" => "one row per outlet × concept × label: mentions, the label's share of the concept's own-voice mentions with its Wilson interval, mean direction and sentiment",
        "keyness" => "distinctive phrases per outlet and per group: counts, log-odds with the corpus as prior, z-score",
        "labels" => "competing labels for one referent: label groups, each phrase's share per outlet and group with its interval",
        "divergence" => "do two outlets (or groups) label a referent differently: Jensen-Shannon divergence, permutation p-value, BH q-value",
        "articles" => "one row per article: source, words, sentences, mentions, own-voice rate, boilerplate removed, duplicates, content hash, then the input's metadata columns",
        "mentions" => "the evidence: one row per mention (article, sentence, character offsets into the original text, term, concept, label, layer, voice, speaker, the sentence, sentiment)",
        "timeline" => "mentions and rates over time",
        "actors" => "one row per outlet (and group) × actor the articles name: aliases merged, mentions by voice, own-voice sentiment with its 95% interval",
        "diff_outlets" => "slant diff: per outlet, articles and own-voice rate before and after",
        "diff_concepts" => "slant diff: per outlet × concept × label whose mentions or share changed",
        _ => "a CSV file of the folder, as text",
    }
}

/// Fills the `about` sheet.
pub(super) fn write(
    sheet: &mut Worksheet,
    run: Option<&Value>,
    built: &Built,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 24)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(2, 14)?;
    sheet.set_column_width(3, 100)?;
    let mut at = Lines { sheet, row: 0 };
    at.sheet
        .write_string_with_format(0, 0, "slant report", &formats.title)?;
    at.row = 2;
    at.heading("The run", formats)?;
    match run {
        Some(run) => run_lines(&mut at, run)?,
        None => at.pair("run.json", "not found: the run is not described")?,
    }
    at.row += 1;
    at.heading("The sheets", formats)?;
    for (col, h) in ["sheet", "file(s)", "rows", "what it holds"]
        .into_iter()
        .enumerate()
    {
        at.sheet
            .write_string_with_format(at.row, col as u16, h, &formats.header)?;
    }
    at.row += 1;
    for s in &built.sheets {
        at.sheet.write_string(at.row, 0, &s.name)?;
        at.sheet.write_string(at.row, 1, files(s))?;
        at.sheet.write_number(at.row, 2, s.rows as f64)?;
        at.sheet.write_string(at.row, 3, what(&s.table))?;
        at.row += 1;
    }
    at.row += 1;
    at.heading("How to read it", formats)?;
    let mut notes = vec![
        "Every sheet is a CSV file of this folder (the mentions sheet: the parts of mentions/, in name order); the README's Reports section says what every column means.".to_string(),
        "Numbers are numbers (rates and shares with the CSV's four places); an empty cell means \"not defined\" (a rate with no words, an interval with fewer than two articles), never zero.".to_string(),
        "distancing and negated (mentions) are the text true or false, as in the CSV files.".to_string(),
        "Every text cell is text, never a formula or a link, whatever it begins with.".to_string(),
    ];
    for s in &built.sheets {
        if s.left_out() > 0 {
            notes.push(format!(
                "The {} sheet is cut: it holds the first {} of {} rows ({} rows at most in this sheet); the other {} are in {}.",
                s.name,
                thousands(s.written),
                thousands(s.rows),
                thousands(s.limit),
                thousands(s.left_out()),
                rest_of(s),
            ));
        }
        if s.cut_cells > 0 {
            notes.push(format!(
                "The {} sheet has {} text(s) longer than Excel's {} characters, cut there; the CSV file has them whole.",
                s.name,
                thousands(s.cut_cells),
                thousands(MAX_CHARS as u64),
            ));
        }
    }
    for n in notes {
        at.sheet.write_string(at.row, 0, n)?;
        at.row += 1;
    }
    Ok(())
}

/// The files of a sheet, shortly: `mentions/part-00001.csv … part-00524.csv (524 files)`.
fn files(s: &SheetSummary) -> String {
    match s.files.as_slice() {
        [] => "(none)".to_string(),
        [one] => one.clone(),
        [first, .., last] => {
            let last = last.rsplit('/').next().unwrap_or(last);
            format!("{first} … {last} ({} files)", s.files.len())
        }
    }
}

/// Where the rows a cut sheet leaves out are.
fn rest_of(s: &SheetSummary) -> String {
    match s.files.as_slice() {
        [one] => one.clone(),
        _ => format!("{}/", super::super::mentions::DIR),
    }
}

/// Rows written one after another.
struct Lines<'a> {
    sheet: &'a mut Worksheet,
    row: u32,
}

impl Lines<'_> {
    fn heading(&mut self, text: &str, formats: &Formats) -> Result<(), XlsxError> {
        self.sheet
            .write_string_with_format(self.row, 0, text, &formats.header)?;
        self.row += 1;
        Ok(())
    }

    fn pair(&mut self, name: &str, value: impl Into<String>) -> Result<(), XlsxError> {
        self.sheet.write_string(self.row, 0, name)?;
        self.sheet.write_string(self.row, 1, value.into())?;
        self.row += 1;
        Ok(())
    }

    fn count(&mut self, name: &str, value: Option<u64>) -> Result<(), XlsxError> {
        self.sheet.write_string(self.row, 0, name)?;
        if let Some(v) = value {
            self.sheet.write_number(self.row, 1, v as f64)?;
        }
        self.row += 1;
        Ok(())
    }
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// A model's line: `name version (sha256 …)`, or how the run went without.
fn model(v: &Value, without: &str) -> String {
    if v.is_null() {
        return without.to_string();
    }
    let mut line = format!("{} {}", text(v, "name"), text(v, "version"));
    if let Some(t) = v.get("word_threshold").and_then(Value::as_f64) {
        line.push_str(&format!(", word threshold {t}"));
    }
    format!("{line} (sha256 {})", text(v, "sha256"))
}

fn run_lines(at: &mut Lines<'_>, run: &Value) -> Result<(), XlsxError> {
    at.pair("slant version", text(run, "slant_version"))?;
    let inputs: Vec<&str> = run
        .get("inputs")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    at.pair("inputs", inputs.join("; "))?;
    at.pair("lexicon hash", text(run, "lexicon_hash"))?;
    for file in run
        .get("lexicon")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let embedded = if file.get("embedded").and_then(Value::as_bool) == Some(true) {
            ", embedded"
        } else {
            ""
        };
        at.pair(
            "lexicon file",
            format!(
                "{} (sha256 {}{embedded})",
                text(file, "path"),
                text(file, "sha256")
            ),
        )?;
    }
    let none = Value::Null;
    at.pair(
        "sentiment model",
        model(run.get("model").unwrap_or(&none), "none (--no-model)"),
    )?;
    at.pair(
        "loaded-word detector",
        model(run.get("detector").unwrap_or(&none), "none (--no-model)"),
    )?;
    let discovery = run.get("discovery").unwrap_or(&none);
    let encoder = discovery
        .get("label_encoder")
        .and_then(Value::as_str)
        .unwrap_or("none: label groups from string evidence alone");
    at.pair("phrase encoder", encoder)?;
    for key in ["articles", "outlets", "mentions", "duplicates"] {
        at.count(key, run.get(key).and_then(Value::as_u64))?;
    }
    let skipped = run.get("skipped").and_then(Value::as_array).map(Vec::len);
    at.count("skipped inputs", skipped.map(|n| n as u64))?;
    let groups = run.get("groups").unwrap_or(&none);
    at.pair(
        "groups",
        format!(
            "column {}: {} groups of {} articles",
            text(groups, "column"),
            groups.get("groups").and_then(Value::as_u64).unwrap_or(0),
            groups.get("articles").and_then(Value::as_u64).unwrap_or(0),
        ),
    )?;
    Ok(())
}
