//! What each column of each report holds: text, a whole number, a decimal
//! or a boolean. One definition, read by the `--excel` guard (which touches
//! text cells only, so that a direction of `-0.5` stays a number) and by
//! `report.xlsx` (which writes numbers as numbers). A column's kind comes
//! from the report's definition, never from how a cell looks: an article
//! titled `2024` is text.
//!
//! A table is named by its file's stem (`outlets` for `outlets.csv`;
//! `mentions` for the parts of `mentions/`). Columns of a table this module
//! does not know, and the metadata columns `articles.csv` passes through,
//! are text.
//!
//! ```
//! use slant::report::columns::{kind, Kind};
//! assert_eq!(kind("mentions", "direction"), Kind::Decimal);
//! assert_eq!(kind("articles", "title"), Kind::Text);
//! assert_eq!(kind("outlets", "sentiment_own_isis_n"), Kind::Integer);
//! assert_eq!(kind("a_table_of_its_own", "count"), Kind::Text);
//! ```

use std::path::Path;

/// The kind of value a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Anything a person or the input wrote: names, titles, sentences, ids.
    Text,
    /// A count or an offset, written without a decimal point.
    Integer,
    /// A rate, share, probability or statistic, written with four places.
    Decimal,
    /// `true` or `false`.
    Boolean,
}

impl Kind {
    /// Integer or decimal.
    pub fn is_number(self) -> bool {
        matches!(self, Kind::Integer | Kind::Decimal)
    }
}

/// The table a report file is, by its path: its stem, or `mentions` for a
/// part of `mentions/`.
///
/// ```
/// use std::path::Path;
/// use slant::report::columns::table_of;
/// assert_eq!(table_of(Path::new("out/outlets.csv")), "outlets");
/// assert_eq!(table_of(Path::new("out/mentions/part-00003.csv")), "mentions");
/// ```
pub fn table_of(path: &Path) -> &str {
    let in_mentions = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|d| d == super::mentions::DIR);
    if in_mentions {
        return super::mentions::DIR;
    }
    path.file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
}

/// The kind of each column of `header` in `table`.
pub fn kinds<S: AsRef<str>>(table: &str, header: &[S]) -> Vec<Kind> {
    header.iter().map(|c| kind(table, c.as_ref())).collect()
}

/// The kind of column `column` of `table` (see the README, Reports, for
/// what each column means).
pub fn kind(table: &str, column: &str) -> Kind {
    use Kind::*;
    match table {
        "outlets" | "groups" => outlet_kind(column),
        "concepts" => match column {
            "mentions_own" | "mentions_all" | "sentiment_own_n" => Integer,
            "loaded"
            | "direction"
            | "share_own"
            | "share_own_ci_low"
            | "share_own_ci_high"
            | "direction_mean_own"
            | "sentiment_own_mean"
            | "sentiment_own_ci_low"
            | "sentiment_own_ci_high" => Decimal,
            _ => Text,
        },
        "mentions" => match column {
            "sentence_index" | "start" | "end" => Integer,
            "model_prob" | "loaded" | "direction" | "sentiment_neg" | "sentiment_neu"
            | "sentiment_pos" => Decimal,
            "distancing" | "negated" => Boolean,
            _ => Text,
        },
        // Metadata columns (any other name) are the input's own: text.
        "articles" => match column {
            "words"
            | "words_own"
            | "sentences"
            | "mentions_own"
            | "mentions_all"
            | "boilerplate_removed"
            | "duplicates" => Integer,
            "loaded_per_1k_own" => Decimal,
            _ => Text,
        },
        "keyness" => match column {
            "count" | "count_rest" | "articles" => Integer,
            "log_odds" | "z" => Decimal,
            _ => Text,
        },
        "labels" => match column {
            "count" | "group_total" | "articles" => Integer,
            "share" | "share_ci_low" | "share_ci_high" => Decimal,
            _ => Text,
        },
        "divergence" => match column {
            "labels" | "mentions_a" | "mentions_b" | "articles_a" | "articles_b"
            | "permutations" => Integer,
            "jsd" | "p_value" | "q_value" => Decimal,
            _ => Text,
        },
        // `start` and `end` are dates, kept as the CSV writes them (text).
        "timeline" => match column {
            "articles" | "words_own" | "mentions_own" => Integer,
            "loaded_per_1k_own"
            | "loaded_per_1k_own_ci_low"
            | "loaded_per_1k_own_ci_high"
            | "share_own"
            | "share_own_ci_low"
            | "share_own_ci_high" => Decimal,
            _ => Text,
        },
        "actors" => match column {
            "mentions_own" | "mentions_quoted" | "mentions_attributed" | "sentiment_own_n" => {
                Integer
            }
            "sentiment_own_mean" | "sentiment_own_ci_low" | "sentiment_own_ci_high" => Decimal,
            _ => Text,
        },
        "diff_outlets" => match column {
            "articles_old" | "articles_new" | "articles_added" | "articles_removed" => Integer,
            "loaded_per_1k_own_old" | "loaded_per_1k_own_new" | "loaded_per_1k_own_change" => {
                Decimal
            }
            _ => Text,
        },
        "diff_concepts" => match column {
            "mentions_own_old" | "mentions_own_new" => Integer,
            "share_own_old" | "share_own_new" | "share_own_change" => Decimal,
            _ => Text,
        },
        _ => Text,
    }
}

/// `outlets.csv` and `groups.csv`: the same columns but the first two.
fn outlet_kind(column: &str) -> Kind {
    use Kind::*;
    match column {
        "articles"
        | "duplicates"
        | "words"
        | "words_own"
        | "words_quoted"
        | "words_attributed"
        | "mentions_own"
        | "mentions_quoted"
        | "mentions_attributed"
        | "distancing_own"
        | "negated_own" => Integer,
        "outlet" | "outlet_name" | "group" | "outlets" | "top_terms_own" => Text,
        // The rates and their intervals, by layer.
        c if c.starts_with("loaded_per_1k_") => Decimal,
        // One pair per referent concept: the mean and the mentions behind it.
        c if c.starts_with("sentiment_own_") && c.ends_with("_n") => Integer,
        c if c.starts_with("sentiment_own_") => Decimal,
        _ => Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn golden() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/sample")
    }

    /// The golden reports of `data/sample` (header and rows), by table.
    fn golden_tables() -> Vec<(String, csv::StringRecord, Vec<csv::StringRecord>)> {
        let dir = golden();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "csv"))
            .collect();
        files.push(dir.join("mentions/part-00001.csv"));
        files
            .iter()
            .map(|path| {
                let mut reader = csv::Reader::from_path(path).unwrap();
                let header = reader.headers().unwrap().clone();
                let rows = reader.records().map(|r| r.unwrap()).collect();
                (table_of(path).to_string(), header, rows)
            })
            .collect()
    }

    fn number(cell: &str) -> bool {
        cell.parse::<f64>().is_ok()
    }

    #[test]
    fn every_cell_of_the_golden_reports_fits_its_column_kind() {
        let tables = golden_tables();
        assert_eq!(tables.len(), 10, "the golden reports moved");
        for (table, header, rows) in &tables {
            assert!(!rows.is_empty(), "{table}: no rows to check");
            for (i, column) in header.iter().enumerate() {
                let cells: Vec<&str> = rows.iter().map(|r| &r[i]).collect();
                let filled: Vec<&&str> = cells.iter().filter(|c| !c.is_empty()).collect();
                let what = format!("{table}.{column}");
                match kind(table, column) {
                    Kind::Integer => {
                        assert!(!filled.is_empty(), "{what}: never filled");
                        for c in &filled {
                            assert!(c.parse::<i64>().is_ok(), "{what}: {c:?} is no integer");
                        }
                    }
                    Kind::Decimal => {
                        for c in &filled {
                            let places = c.split_once('.').map(|(_, p)| p.len());
                            assert!(
                                number(c) && places == Some(4),
                                "{what}: {c:?} is no decimal of four places"
                            );
                        }
                    }
                    Kind::Boolean => {
                        for c in &cells {
                            assert!(["true", "false"].contains(c), "{what}: {c:?}");
                        }
                    }
                    // A number column left out of the schema would be text
                    // whose every cell is a number.
                    Kind::Text => assert!(
                        filled.is_empty() || filled.iter().any(|c| !number(c)),
                        "{what}: every cell is a number; is it a number column?"
                    ),
                }
            }
        }
    }

    #[test]
    fn the_columns_slant_writes_are_all_known() {
        // Columns whose kind is text by definition, not by default.
        let text = [
            "outlet",
            "outlet_name",
            "top_terms_own",
            "concept",
            "label",
            "article_id",
            "surface",
            "term",
            "layer",
            "source",
            "voice",
            "speaker",
            "sentence",
            "sentiment_label",
            "title",
            "published",
            "content_sha256",
            "scope",
            "key",
            "phrase",
            "in_lexicon",
            "group_id",
            "group_name",
            "key_a",
            "key_b",
            "actor",
            "aliases",
        ];
        let tables: [(&str, &[&str]); 9] = [
            ("outlets", super::super::OUTLETS_COLUMNS),
            ("concepts", super::super::CONCEPTS_COLUMNS),
            ("mentions", super::super::MENTIONS_COLUMNS),
            ("articles", super::super::ARTICLES_COLUMNS),
            ("keyness", super::super::discovery::KEYNESS_COLUMNS),
            ("labels", super::super::discovery::LABELS_COLUMNS),
            ("divergence", super::super::discovery::DIVERGENCE_COLUMNS),
            ("diff_outlets", super::super::diff::DIFF_OUTLETS_COLUMNS),
            ("actors", super::super::actors::ACTORS_COLUMNS),
        ];
        for (table, columns) in tables {
            for c in columns {
                assert!(
                    kind(table, c) != Kind::Text || text.contains(c),
                    "{table}.{c}: not in the schema"
                );
            }
        }
        for c in super::super::diff::DIFF_CONCEPTS_COLUMNS {
            assert!(kind("diff_concepts", c) != Kind::Text || text.contains(c));
        }
    }

    #[test]
    fn metadata_and_unknown_tables_are_text() {
        assert_eq!(kind("articles", "group"), Kind::Text);
        assert_eq!(kind("articles", "score"), Kind::Text);
        assert_eq!(kind("timeline_of_mine", "mentions_own"), Kind::Text);
        assert_eq!(kind("groups", "outlets"), Kind::Text);
        assert_eq!(kind("groups", "sentiment_own_isis"), Kind::Decimal);
    }
}
