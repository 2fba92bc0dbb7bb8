//! NewsMTSC-format data: one sentence per JSONL line with its targets.
//!
//! ```text
//! {"sentence_normalized": "...", "targets": [{"from": 0, "to": 6, "polarity": 4.0}, ...]}
//! ```
//!
//! `polarity` is 2.0 (negative), 4.0 (neutral) or 6.0 (positive); `from`/`to`
//! are character offsets into the sentence, `to` exclusive. Users can label
//! their own mentions in the same format and fine-tune on them.

use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use super::{Polarity, SentimentError, Target};

/// One labelled target.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub target: Target,
    pub label: Polarity,
    /// 1-based line of the sentence in its file, for error messages.
    pub line: usize,
}

#[derive(Deserialize)]
struct RawLine {
    sentence_normalized: String,
    targets: Vec<RawTarget>,
}

#[derive(Deserialize)]
struct RawTarget {
    from: usize,
    to: usize,
    polarity: f64,
    #[serde(default)]
    mention: Option<String>,
}

/// Maps a NewsMTSC polarity value to a class.
///
/// ```
/// use slant::sentiment::{data::polarity_from_value, Polarity};
/// assert_eq!(polarity_from_value(2.0), Some(Polarity::Negative));
/// assert_eq!(polarity_from_value(5.0), None);
/// ```
pub fn polarity_from_value(v: f64) -> Option<Polarity> {
    if v == 2.0 {
        Some(Polarity::Negative)
    } else if v == 4.0 {
        Some(Polarity::Neutral)
    } else if v == 6.0 {
        Some(Polarity::Positive)
    } else {
        None
    }
}

/// Reads every target of a NewsMTSC JSONL file, in file order.
///
/// Blank lines are allowed; anything else that is not a valid line (bad JSON,
/// unknown polarity, a span outside the sentence, a `mention` that differs from
/// the span's text) is an error naming the file and line.
pub fn read_jsonl(path: &Path) -> Result<Vec<Example>, SentimentError> {
    let file = std::fs::File::open(path).map_err(|source| SentimentError::Io {
        path: path.to_path_buf(),
        error: source,
    })?;
    let reader = std::io::BufReader::new(file);
    let mut out = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let lineno = i + 1;
        let bad = |reason: String| SentimentError::Data {
            path: path.to_path_buf(),
            line: lineno,
            reason,
        };
        let line = line.map_err(|e| bad(e.to_string()))?;
        if line.trim().is_empty() {
            continue;
        }
        let raw: RawLine = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        for t in raw.targets {
            let label = polarity_from_value(t.polarity)
                .ok_or_else(|| bad(format!("polarity {} is not 2, 4 or 6", t.polarity)))?;
            let target = Target::new(raw.sentence_normalized.clone(), t.from, t.to);
            let text = target.text().ok_or_else(|| {
                bad(format!(
                    "target {}..{} does not fit the sentence",
                    t.from, t.to
                ))
            })?;
            if let Some(m) = &t.mention {
                if m != text {
                    return Err(bad(format!(
                        "mention {m:?} differs from the span's text {text:?}"
                    )));
                }
            }
            out.push(Example {
                target,
                label,
                line: lineno,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(s: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(s.as_bytes()).unwrap();
        f
    }

    #[test]
    fn reads_targets_in_order() {
        let f = write(concat!(
            r#"{"sentence_normalized": "Ann thanked Bob.", "targets": [{"from": 0, "to": 3, "polarity": 6.0, "mention": "Ann"}, {"from": 12, "to": 15, "polarity": 4.0}]}"#,
            "\n\n",
            r#"{"sentence_normalized": "Cy lied.", "targets": [{"from": 0, "to": 2, "polarity": 2.0}]}"#,
            "\n"
        ));
        let ex = read_jsonl(f.path()).unwrap();
        assert_eq!(ex.len(), 3);
        assert_eq!(ex[0].label, Polarity::Positive);
        assert_eq!(ex[1].target.text(), Some("Bob"));
        assert_eq!(ex[2].line, 3);
        assert_eq!(ex[2].label, Polarity::Negative);
    }

    #[test]
    fn errors_name_the_line() {
        let f = write(concat!(
            r#"{"sentence_normalized": "Ann.", "targets": []}"#,
            "\n",
            r#"{"sentence_normalized": "Ann.", "targets": [{"from": 0, "to": 9, "polarity": 2.0}]}"#,
            "\n"
        ));
        let err = read_jsonl(f.path()).unwrap_err().to_string();
        assert!(err.contains(":2:"), "{err}");
        let f = write(
            r#"{"sentence_normalized": "Ann.", "targets": [{"from": 0, "to": 3, "polarity": 3.0}]}"#,
        );
        assert!(read_jsonl(f.path())
            .unwrap_err()
            .to_string()
            .contains(":1:"));
        let f = write("not json\n");
        assert!(read_jsonl(f.path()).is_err());
    }
}
