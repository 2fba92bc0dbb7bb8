//! BABE ("Bias Annotations By Experts", Spinde et al. 2021): news sentences
//! labelled `Biased` / `Non-biased` by expert annotators, with the words
//! they marked as biased. slant measures its loaded-language detection on
//! it (`slant eval loaded`), and a detector trained on it must hold out the
//! same sentences: both take the split from [`is_dev`].
//!
//! The file (`final_labels_SG2.csv`) is semicolon-separated UTF-8 with a
//! byte-order mark; quoted fields may span lines. Columns read: `text`,
//! `label_bias` and `biased_words` (required), `outlet` and `type` (the
//! outlet's lean; optional). Others are ignored.

use std::path::Path;

use super::load::{csv_error, csv_reader_with, header_map, require};
use super::CorpusError;

/// The annotators' verdict on a sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Bias {
    Biased,
    NonBiased,
}

impl Bias {
    /// Both classes, in the order [`Bias::index`] numbers them.
    pub const ALL: [Bias; 2] = [Bias::Biased, Bias::NonBiased];

    pub fn as_str(self) -> &'static str {
        match self {
            Bias::Biased => "Biased",
            Bias::NonBiased => "Non-biased",
        }
    }

    /// Class number for [`crate::metrics::Confusion`].
    pub fn index(self) -> usize {
        match self {
            Bias::Biased => 0,
            Bias::NonBiased => 1,
        }
    }
}

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// Line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub text: String,
    /// `None` for `No agreement`: the annotators split, there is no gold.
    pub label: Option<Bias>,
    /// The `biased_words` list, each item as written (quotes and
    /// punctuation the annotators selected included).
    pub biased_words: Vec<String>,
    pub outlet: Option<String>,
    /// The outlet's lean (`left`, `center`, `right`), column `type`.
    pub lean: Option<String>,
}

/// The fixed train/dev split: a sentence is in **dev** when the first byte
/// of the SHA-256 of its `text` (the UTF-8 bytes exactly as the CSV reader
/// returns the field: no trimming, no normalisation) is divisible by 5,
/// about 20 % of the sentences; else in **train**.
///
/// A hash rather than a shuffle: the split does not depend on row order, on
/// a seed or on which rows a version of the file has, and a sentence that
/// occurs twice falls on one side only.
///
/// ```
/// use slant::corpus::babe::is_dev;
/// // SHA-256("") starts with 0xe3 = 227, 227 % 5 = 2: train.
/// assert!(!is_dev(""));
/// ```
pub fn is_dev(text: &str) -> bool {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())[0] % 5 == 0
}

/// Sentences of the train split set aside to choose a model's checkpoint
/// and thresholds while training on the rest: the second byte of the same
/// SHA-256 divisible by 8 (about 12 % of train). The dev split is never
/// used for a choice, so its figures stay honest.
///
/// ```
/// use slant::corpus::babe::{is_dev, is_tune};
/// // SHA-256("") = e3 b0 …: 0xb0 = 176 = 8 × 22, and "" is in train.
/// assert!(is_tune("") && !is_dev(""));
/// ```
pub fn is_tune(text: &str) -> bool {
    use sha2::Digest;
    let h = sha2::Sha256::digest(text.as_bytes());
    h[0] % 5 != 0 && h[1] % 8 == 0
}

/// Which sentences to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// The sentences [`is_dev`] holds out (figures are reported on these).
    Dev,
    /// The rest, for training.
    Train,
    /// The part of train that chooses checkpoints, thresholds and rules
    /// ([`is_tune`]).
    Tune,
    All,
}

impl Split {
    pub fn keeps(self, text: &str) -> bool {
        match self {
            Split::Dev => is_dev(text),
            Split::Train => !is_dev(text),
            Split::Tune => is_tune(text),
            Split::All => true,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Train => "train",
            Split::Tune => "tune",
            Split::All => "all",
        }
    }
}

/// Reads every row of a BABE file. A missing file or column, a row with the
/// wrong number of fields, an unknown `label_bias` or a `biased_words` cell
/// that is not a list of quoted words is an error naming the file (and the
/// line), so that figures are never computed on part of the data.
pub fn read(path: &Path) -> Result<Vec<Sentence>, CorpusError> {
    if !path.exists() {
        return Err(CorpusError::NotFound {
            path: path.to_path_buf(),
        });
    }
    let mut reader = csv_reader_with(path, b';')?;
    let header = header_map(&mut reader, path)?;
    let text_col = require(&header, path, "text")?;
    let label_col = require(&header, path, "label_bias")?;
    let words_col = require(&header, path, "biased_words")?;
    let outlet_col = header.get("outlet").copied();
    let lean_col = header.get("type").copied();
    let malformed = |line: u64, message: String| CorpusError::Malformed {
        path: path.to_path_buf(),
        line,
        message,
    };

    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(path, e))?;
        let line = record.position().map_or(0, |p| p.line());
        let cell = |i: usize| record.get(i).unwrap_or("");
        let text = cell(text_col);
        if text.trim().is_empty() {
            return Err(malformed(line, "empty `text`".into()));
        }
        let label = match cell(label_col).trim() {
            "Biased" => Some(Bias::Biased),
            "Non-biased" => Some(Bias::NonBiased),
            "No agreement" => None,
            other => {
                return Err(malformed(
                    line,
                    format!(
                        "`label_bias` is {other:?}; expected Biased, Non-biased or No agreement"
                    ),
                ))
            }
        };
        let biased_words = parse_word_list(cell(words_col)).map_err(|why| {
            malformed(
                line,
                format!("`biased_words` is not a list of quoted words ({why})"),
            )
        })?;
        let optional = |col: Option<usize>| {
            col.map(|i| cell(i).trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        out.push(Sentence {
            line,
            text: text.to_string(),
            label,
            biased_words,
            outlet: optional(outlet_col),
            lean: optional(lean_col),
        });
    }
    Ok(out)
}

/// Parses a Python list literal of strings, as BABE writes `biased_words`:
/// items in `'…'` or `"…"` (the latter when the word holds an apostrophe),
/// backslash escapes, a trailing comma allowed. A blank cell is an empty
/// list.
///
/// ```
/// use slant::corpus::babe::parse_word_list;
/// assert_eq!(parse_word_list(r#"['mob', "don't", '"so']"#)?, ["mob", "don't", "\"so"]);
/// assert_eq!(parse_word_list("[]")?, Vec::<String>::new());
/// assert!(parse_word_list("mob, thugs").is_err());
/// # Ok::<(), String>(())
/// ```
pub fn parse_word_list(cell: &str) -> Result<Vec<String>, String> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Ok(Vec::new());
    }
    let inner = cell
        .strip_prefix('[')
        .and_then(|s| s.strip_suffix(']'))
        .ok_or("it does not start with `[` and end with `]`")?;
    let mut chars = inner.chars().peekable();
    let mut words = Vec::new();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(quote) = chars.next() else { break };
        if quote != '\'' && quote != '"' {
            return Err(format!("expected a quoted word, found `{quote}`"));
        }
        let mut word = String::new();
        loop {
            match chars.next() {
                None => return Err(format!("a word opened with {quote} is never closed")),
                Some(c) if c == quote => break,
                Some('\\') => match chars.next() {
                    Some(c @ ('\\' | '\'' | '"')) => word.push(c),
                    Some('n') => word.push('\n'),
                    Some('t') => word.push('\t'),
                    // Python keeps an unknown escape as written.
                    Some(c) => {
                        word.push('\\');
                        word.push(c);
                    }
                    None => return Err("the list ends inside an escape".into()),
                },
                Some(c) => word.push(c),
            }
        }
        words.push(word);
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        match chars.next() {
            None => break,
            Some(',') => {}
            Some(c) => return Err(format!("expected `,` between words, found `{c}`")),
        }
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_fixed_by_the_text() {
        // First bytes of SHA-256: "" e3 (227 % 5 = 2), "a" ca (202 % 5 = 2),
        // "abc" ba (186 % 5 = 1), "hello" 2c (44 % 5 = 4), "1" 6b (107 % 5 = 2),
        // "3" 4e (78 % 5 = 3), "4" 4b (75 % 5 = 0), "x" 2d (45 % 5 = 0).
        for (text, dev) in [
            ("", false),
            ("a", false),
            ("abc", false),
            ("hello", false),
            ("1", false),
            ("3", false),
            ("4", true),
            ("x", true),
        ] {
            assert_eq!(is_dev(text), dev, "{text:?}");
            assert_eq!(Split::Dev.keeps(text), dev);
            assert_eq!(Split::Train.keeps(text), !dev);
            assert!(Split::All.keeps(text));
        }
        // Not trimmed: a trailing space is another sentence.
        // "x " 2a (42 % 5 = 2).
        assert!(!is_dev("x "));
    }

    #[test]
    fn about_a_fifth_is_dev() {
        let dev = (0..10_000)
            .filter(|i| is_dev(&format!("Sentence number {i}.")))
            .count();
        assert!((1_800..2_200).contains(&dev), "{dev}");
    }

    #[test]
    fn word_lists_parse_like_python() {
        assert_eq!(
            parse_word_list(r#" ['a', "b'c" , 'd\'e', 'f\\g',] "#).unwrap(),
            ["a", "b'c", "d'e", "f\\g"]
        );
        assert_eq!(parse_word_list("").unwrap(), Vec::<String>::new());
        assert_eq!(parse_word_list("[ ]").unwrap(), Vec::<String>::new());
        for bad in ["['a'", "['a' 'b']", "[a]", "['a]", "['a\\"] {
            assert!(parse_word_list(bad).is_err(), "{bad}");
        }
    }

    fn write(content: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("babe.csv");
        std::fs::write(&path, content).unwrap();
        (dir, path)
    }

    const HEADER: &str =
        "\u{feff}text;news_link;outlet;topic;type;label_bias;label_opinion;biased_words\n";

    #[test]
    fn reads_rows_with_a_bom_and_multi_line_fields() {
        let (_dir, path) = write(&format!(
            "{HEADER}\
             The mayor's plan is a disaster.;http://x;Paper A;city;left;Biased;Entirely factual;['disaster']\n\
             \"Two lines;\none sentence.\";;Paper B;city;right;Non-biased;Entirely factual;[]\n\
             Who knows.;;;city;;No agreement;;[]\n"
        ));
        let rows = read(&path).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].label, Some(Bias::Biased));
        assert_eq!(rows[0].biased_words, ["disaster"]);
        assert_eq!(rows[0].lean.as_deref(), Some("left"));
        assert_eq!(rows[1].text, "Two lines;\none sentence.");
        assert_eq!(rows[1].label, Some(Bias::NonBiased));
        assert_eq!(rows[2].line, 5, "the quoted field spans lines 3 and 4");
        assert_eq!(rows[2].label, None);
        assert_eq!(rows[2].outlet, None);
    }

    #[test]
    fn bad_rows_name_file_and_line() {
        let cases = [
            (
                "x;;a;t;left;Maybe;;[]\n",
                "babe.csv:2: `label_bias` is \"Maybe\"",
            ),
            (
                "x;;a;t;left;Biased;;mob\n",
                "babe.csv:2: `biased_words` is not",
            ),
            (
                "x;;a;t;left;Biased\n",
                "babe.csv:2: row has 6 fields, the header has 8",
            ),
            (" ;;a;t;left;Biased;;[]\n", "babe.csv:2: empty `text`"),
        ];
        for (row, want) in cases {
            let (_dir, path) = write(&format!("{HEADER}{row}"));
            let err = read(&path).unwrap_err().to_string();
            assert!(err.contains(want), "{err} lacks {want}");
        }
        let (_dir, path) = write("text;outlet;biased_words\nx;a;[]\n");
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("missing required column `label_bias`"),
            "{err}"
        );
        let err = read(Path::new("/nonexistent/babe.csv")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/babe.csv"));
    }
}
