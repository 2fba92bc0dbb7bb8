//! Articles as rows of a table: a `.csv` file with a `text` column, or a
//! `.jsonl` file of one JSON object per line.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::load::{
    article, csv_reader, decode, header_map, io_reason, other_columns, row_meta, Meta,
};
use super::{Article, Metadata, Skip};

fn table_article(meta: Meta, text: &str, source: String) -> Result<Article, Skip> {
    let skip = |reason: String| Skip {
        source: source.clone(),
        reason,
    };
    if meta.outlet.is_empty() {
        return Err(skip("empty `outlet`".into()));
    }
    let text = decode(text.as_bytes()).map_err(skip)?;
    Ok(article(text, meta, source))
}

pub(super) fn csv_rows(path: &Path) -> Box<dyn Iterator<Item = Result<Article, Skip>>> {
    let display = path.display().to_string();
    let fail = move |reason: String| -> Box<dyn Iterator<Item = Result<Article, Skip>>> {
        Box::new(std::iter::once(Err(Skip {
            source: display.clone(),
            reason,
        })))
    };
    let mut reader = match csv_reader(path) {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    let header = match header_map(&mut reader, path) {
        Ok(h) => h,
        Err(e) => return fail(e.to_string()),
    };
    let Some(&text_col) = header.get("text") else {
        return fail("missing required column `text`".into());
    };
    let others = other_columns(&header);
    let display = path.display().to_string();
    let mut lines = super::lines::RecordLines::open(path);
    Box::new(reader.into_byte_records().map(move |record| {
        let record = record.map_err(|e| Skip {
            source: format!("{display}:{}", e.position().map_or(0, |p| lines.line(p))),
            reason: match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => format!("row has {len} fields, the header has {expected_len}"),
                _ => e.to_string(),
            },
        })?;
        let line = record.position().map_or(0, |p| lines.line(p));
        let source = format!("{display}:{line}");
        let text = String::from_utf8_lossy(record.get(text_col).unwrap_or_default());
        if std::str::from_utf8(record.get(text_col).unwrap_or_default()).is_err() {
            return Err(Skip {
                source,
                reason: "`text` is not valid UTF-8".into(),
            });
        }
        let meta = row_meta(&header, &others, |i| {
            record.get(i).and_then(|b| std::str::from_utf8(b).ok())
        });
        table_article(meta, &text, source)
    }))
}

/// A JSON value as a cell: strings trimmed, numbers and booleans as JSON
/// writes them, null and empty strings as nothing, anything else (an
/// array, an object) as its JSON text.
fn json_cell(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

pub(super) fn jsonl_rows(path: &Path) -> Box<dyn Iterator<Item = Result<Article, Skip>>> {
    let display = path.display().to_string();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return Box::new(std::iter::once(Err(Skip {
                source: display,
                reason: io_reason(&e),
            })))
        }
    };
    let lines = BufReader::new(file).split(b'\n').enumerate();
    Box::new(lines.filter_map(move |(i, line)| {
        let source = format!("{display}:{}", i + 1);
        let skip = |reason: String| {
            Some(Err(Skip {
                source: source.clone(),
                reason,
            }))
        };
        let line = match line {
            Ok(l) => l,
            Err(e) => return skip(io_reason(&e)),
        };
        let Ok(line) = std::str::from_utf8(&line) else {
            return skip("not valid UTF-8".into());
        };
        let line = line.trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            return None;
        }
        let row: serde_json::Map<String, serde_json::Value> = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => return skip(format!("malformed JSON: {e}")),
        };
        let text = match row.get("text") {
            Some(serde_json::Value::String(t)) => t,
            Some(_) => return skip("field `text` is not a string".into()),
            None => return skip("missing field `text`".into()),
        };
        let field = |name: &str| row.get(name).and_then(json_cell);
        // A JSON object has no column order: its other fields come in the
        // order of their names.
        let metadata: Metadata = row
            .iter()
            .filter(|(k, _)| !super::load::KNOWN_COLUMNS.contains(&k.as_str()))
            .map(|(k, v)| (k.to_lowercase(), json_cell(v).unwrap_or_default()))
            .collect();
        let meta = Meta {
            outlet: field("outlet").unwrap_or_default(),
            outlet_name: field("outlet_name"),
            title: field("title"),
            published: field("published"),
            url: field("url"),
            id: field("id"),
            metadata,
        };
        Some(table_article(meta, text, source))
    }))
}
