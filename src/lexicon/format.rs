//! The on-disk shape of a lexicon file, as serde reads it.
//!
//! These types mirror the TOML one to one and keep a byte span for every
//! piece a diagnostic may need to point at; [`LineIndex`] turns spans into
//! line numbers. Validation lives in `build`, not here: serde only rejects
//! what it cannot represent (wrong types, unknown keys, missing fields).

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

/// One lexicon file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFile {
    pub meta: Spanned<RawMeta>,
    #[serde(default)]
    pub concept: Vec<Spanned<RawConcept>>,
    #[serde(default)]
    pub transliteration: Vec<Spanned<RawTransliteration>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<RawExclude>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeta {
    pub name: Spanned<String>,
    pub version: Spanned<String>,
    pub description: Spanned<String>,
    /// `story` (default) or `general`: see [`crate::mention::Layer`].
    #[serde(default)]
    pub layer: Option<crate::mention::Layer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum RawKind {
    #[default]
    Referent,
    Generic,
    Distancing,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawConcept {
    pub id: Spanned<String>,
    pub referent: Spanned<String>,
    #[serde(default)]
    pub kind: Option<Spanned<RawKind>>,
    #[serde(default)]
    pub label: Vec<Spanned<RawLabel>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLabel {
    pub id: Spanned<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub loaded: Spanned<f64>,
    pub direction: Spanned<f64>,
    /// Default for the label's terms; a term table may override it.
    #[serde(default)]
    pub inflect: Option<bool>,
    pub terms: Spanned<Vec<Spanned<RawTerm>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTransliteration {
    pub forms: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExclude {
    #[serde(default)]
    pub note: Option<String>,
    pub terms: Vec<Spanned<RawTerm>>,
}

/// A term: either a plain string, or a table with options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawTerm {
    pub term: String,
    /// `None` when the term does not say (the label's default applies).
    pub inflect: Option<bool>,
    pub case_sensitive: bool,
}

impl<'de> Deserialize<'de> for RawTerm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Hand-written rather than `#[serde(untagged)]`: untagged enums
        // swallow the real error ("unknown field `inflects`") and replace it
        // with "data did not match any variant".
        struct TermVisitor;

        impl<'de> Visitor<'de> for TermVisitor {
            type Value = RawTerm;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a term string or a table { term = \"…\", inflect = …, case_sensitive = … }",
                )
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawTerm, E> {
                Ok(RawTerm {
                    term: v.to_string(),
                    inflect: None,
                    case_sensitive: false,
                })
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTerm, A::Error> {
                let mut term = None;
                let mut inflect = None;
                let mut case_sensitive = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "term" if term.is_none() => term = Some(map.next_value::<String>()?),
                        "inflect" if inflect.is_none() => inflect = Some(map.next_value()?),
                        "case_sensitive" if case_sensitive.is_none() => {
                            case_sensitive = Some(map.next_value()?)
                        }
                        "term" | "inflect" | "case_sensitive" => {
                            return Err(de::Error::custom(format!("duplicate key `{key}`")))
                        }
                        _ => {
                            return Err(de::Error::unknown_field(
                                &key,
                                &["term", "inflect", "case_sensitive"],
                            ))
                        }
                    }
                }
                Ok(RawTerm {
                    term: term.ok_or_else(|| de::Error::missing_field("term"))?,
                    inflect,
                    case_sensitive: case_sensitive.unwrap_or(false),
                })
            }
        }

        d.deserialize_any(TermVisitor)
    }
}

/// Byte offset → 1-based line number.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    pub fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    #[cfg(test)]
    pub fn line_of(&self, span: &std::ops::Range<usize>) -> usize {
        self.line(span.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_from_one() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0), 1);
        assert_eq!(idx.line(1), 1);
        assert_eq!(idx.line(2), 2);
        assert_eq!(idx.line(5), 3);
        assert_eq!(idx.line(6), 4);
        assert_eq!(idx.line(600), 4);
    }

    #[test]
    fn spans_inside_arrays_of_tables_point_at_the_right_lines() {
        let src = r#"
[meta]
name = "t"
version = "1"
description = "d"

[[concept]]
id = "c"
referent = "r"

[[concept.label]]
id = "l"
loaded = 0.5
direction = -0.5
terms = [
  "alpha",
  { term = "beta", inflect = false },
]
"#;
        let raw: RawFile = toml::from_str(src).expect("parses");
        let idx = LineIndex::new(src);
        let concept = raw.concept[0].get_ref();
        assert_eq!(idx.line_of(&concept.id.span()), 8);
        let label = concept.label[0].get_ref();
        assert_eq!(idx.line_of(&label.loaded.span()), 13);
        let terms = label.terms.get_ref();
        assert_eq!(idx.line_of(&terms[0].span()), 16);
        assert_eq!(idx.line_of(&terms[1].span()), 17);
        assert_eq!(terms[1].get_ref().inflect, Some(false));
        assert_eq!(terms[0].get_ref().inflect, None);
    }

    #[test]
    fn unknown_term_option_is_an_error_with_a_span() {
        let src = "[meta]\nname='t'\nversion='1'\ndescription='d'\n[[concept]]\nid='c'\nreferent='r'\n[[concept.label]]\nid='l'\nloaded=0\ndirection=0\nterms=[{ term='x', inflects=false }]\n";
        let err = toml::from_str::<RawFile>(src).expect_err("unknown key");
        assert!(err.message().contains("inflects"), "{}", err.message());
        let idx = LineIndex::new(src);
        assert_eq!(idx.line_of(&err.span().expect("span")), 12);
    }
}
