//! The framing lexicon: load, validate, compile, match.
//!
//! A lexicon is a set of TOML files (format: `data/lexicon/README.md`). Each
//! file names **concepts** — referents such as "the US military presence in
//! Iraq" — and, for each, the competing **labels** outlets use for it
//! ("coalition", "occupation", "US troops"), with the surface **terms** of
//! each label, a **loadedness** in 0..=1 and a **direction** toward the
//! referent in -1..=1. Generic loaded language (delegitimising labels,
//! intensifiers) and distancing words ("so-called", "allegedly") are concepts
//! too, of kind `generic` and `distancing`.
//!
//! ```
//! use slant::lexicon::Lexicon;
//!
//! let lexicon = Lexicon::embedded();
//! let matcher = lexicon.compile()?;
//! let text = "The so-called advisory mission of U.S. forces' bases.";
//! let hits = matcher.find(text);
//! let concepts: Vec<&str> = hits.iter().map(|h| matcher.entry(h.entry).concept.as_str()).collect();
//! assert_eq!(concepts, vec!["distancing", "us_presence", "us_presence"]);
//! # Ok::<(), slant::lexicon::LexiconError>(())
//! ```
//!
//! Stages: [`Lexicon::load`] parses and validates (the same checks as
//! [`check`], which reports instead of failing); [`Lexicon::compile`]
//! builds one Aho-Corasick automaton over every generated variant of every
//! term ([`Matcher`]); [`is_negated`] decides whether a hit is negated in its
//! sentence.

mod affiliation;
mod format;
mod matcher;
mod negation;
mod ordinary;
mod validate;
mod variants;

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

pub use affiliation::{affiliation_labels, AFFILIATION, AFFILIATION_LOADED};
pub use matcher::{Hit, Matcher};
pub use negation::{is_negated, MAX_GAP as NEGATION_MAX_GAP};
pub use ordinary::ordinary_phrase;
pub use variants::US_FORMS;

use validate::{build, Source};

/// Concept id of distancing markers.
pub const DISTANCING: &str = "distancing";

/// Text to analyse from which [`Lexicon::compile_for`] builds the DFA. The
/// DFA matches a megabyte about 3 ms faster than the NFA on one core and
/// costs about 120 ms to build and fill (64 MB); it pays past ~40 MB.
pub const DFA_MIN_BYTES: usize = 64 << 20;

/// The starter lexicon, embedded in the binary: `(path, content)`.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "data/lexicon/general.toml",
        include_str!("../../data/lexicon/general.toml"),
    ),
    (
        "data/lexicon/generic.toml",
        include_str!("../../data/lexicon/generic.toml"),
    ),
    (
        "data/lexicon/iraq-2024.toml",
        include_str!("../../data/lexicon/iraq-2024.toml"),
    ),
];

/// The embedded files of the general layer (`[meta] layer = "general"`).
const GENERAL_FILES: &[&str] = &["data/lexicon/general.toml", "data/lexicon/generic.toml"];

/// A loaded, validated lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    files: Vec<LexiconFile>,
    metas: Vec<Meta>,
    concepts: Vec<Concept>,
    entries: Vec<TermEntry>,
    exclusions: Vec<Exclusion>,
    transliterations: variants::Transliterations,
    patterns: Vec<String>,
    targets: Vec<matcher::PatternTarget>,
    hash: String,
}

/// A lexicon file as recorded in `run.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LexiconFile {
    /// The path given (or `data/lexicon/…` for the embedded lexicon).
    pub path: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// Compiled into the binary rather than read at run time.
    pub embedded: bool,
}

/// A file's `[meta]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meta {
    pub name: String,
    pub version: String,
    pub description: String,
    /// The layer of every term in the file.
    pub layer: crate::mention::Layer,
    pub path: String,
}

/// What a concept's labels are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConceptKind {
    /// A referent of the story (the US presence, ISIS, …).
    Referent,
    /// Loaded language not tied to one referent (intensifiers,
    /// delegitimising labels); direction is toward whatever it is applied to.
    Generic,
    /// Distancing words ("so-called", "allegedly"); only the concept
    /// `distancing` has this kind.
    Distancing,
}

impl ConceptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConceptKind::Referent => "referent",
            ConceptKind::Generic => "generic",
            ConceptKind::Distancing => "distancing",
        }
    }
}

/// A concept and its labels, in file order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concept {
    pub id: String,
    /// What the concept refers to, in words.
    pub referent: String,
    pub kind: ConceptKind,
    pub labels: Vec<Label>,
    pub path: String,
    pub line: usize,
}

/// One way of naming a concept's referent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    pub id: String,
    pub description: Option<String>,
    pub loaded: f32,
    pub direction: f32,
    /// Terms as written (duplicates and invalid terms left out).
    pub terms: Vec<String>,
    pub line: usize,
}

/// One term of one label, as written in the lexicon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermEntry {
    /// The term as written, before variant expansion.
    pub term: String,
    pub concept: String,
    pub label: String,
    /// Loadedness in 0..=1 (0 for neutral labels).
    pub loaded: f32,
    /// Direction toward the referent in -1..=1 (negative: hostile,
    /// delegitimising).
    pub direction: f32,
    /// The term is a distancing marker (concept `distancing`).
    pub distancing: bool,
    pub kind: ConceptKind,
    /// Number and possessive variants are generated.
    pub inflect: bool,
    /// ASCII case must match too.
    pub case_sensitive: bool,
    /// The layer of the file the term is in.
    pub layer: crate::mention::Layer,
    pub path: String,
    pub line: usize,
}

/// A term matched only to keep shorter terms from matching inside it
/// ("claimed responsibility" keeps "claimed" from counting as distancing).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusion {
    pub term: String,
    /// Why the phrase is excluded, as the author wrote it.
    pub note: Option<String>,
    pub inflect: bool,
    pub case_sensitive: bool,
    pub path: String,
    pub line: usize,
}

/// How many terms of a concept lean each way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Balance {
    pub concept: String,
    pub kind: ConceptKind,
    /// Terms with direction < 0.
    pub negative: usize,
    /// Terms with direction = 0.
    pub neutral: usize,
    /// Terms with direction > 0.
    pub positive: usize,
}

/// Sizes of a lexicon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub files: usize,
    pub concepts: usize,
    pub labels: usize,
    /// Terms as written.
    pub terms: usize,
    pub exclusions: usize,
    pub transliteration_groups: usize,
    /// Distinct patterns after variant expansion.
    pub patterns: usize,
}

/// How serious a [`Diagnostic`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Loading refuses the lexicon.
    Error,
    /// Loading resolves it by a fixed rule; the author should look.
    Warning,
    /// Nothing to fix: what variant expansion did with a term, for the
    /// author to know (a form that is not matched).
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// A problem found in a lexicon file.
///
/// Displays as `path:line: error: message` (or `path: error: message`
/// when no line applies), the format editors and CI logs link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub path: String,
    /// 1-based line, when the problem has one.
    pub line: Option<usize>,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(
                f,
                "{}:{}: {}: {}",
                self.path, line, self.severity, self.message
            ),
            None => write!(f, "{}: {}: {}", self.path, self.severity, self.message),
        }
    }
}

/// Why a lexicon could not be loaded or compiled.
#[derive(Debug, thiserror::Error)]
pub enum LexiconError {
    #[error("{path}: cannot read lexicon: {error}")]
    Io { path: String, error: std::io::Error },
    /// One or more errors (each with file and line); warnings are left out.
    #[error("{}", list(.0))]
    Invalid(Vec<Diagnostic>),
    #[error("no lexicon file given")]
    NoFiles,
    #[error("cannot build the lexicon automaton: {message}")]
    Compile { message: String },
}

fn list(diagnostics: &[Diagnostic]) -> String {
    let mut s = String::new();
    for (i, d) in diagnostics.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&d.to_string());
    }
    if diagnostics.len() > 1 {
        s.push_str(&format!("\n{} errors in lexicon", diagnostics.len()));
    }
    s
}

impl Lexicon {
    /// Loads and validates lexicon files; together they form one lexicon
    /// (transliteration groups and exclusions of any file apply to all).
    ///
    /// Fails on the first unreadable file, or with every error
    /// [`check`] would report. Warnings do not fail loading.
    pub fn load(paths: &[PathBuf]) -> Result<Lexicon, LexiconError> {
        if paths.is_empty() {
            return Err(LexiconError::NoFiles);
        }
        finish(build(read_all(paths)?))
    }

    /// Lexicon files over the general layer compiled into the binary (the
    /// embedded files whose `[meta] layer` is `general`): what
    /// `slant analyze --lexicon FILE` uses, so that a story lexicon of its
    /// own still finds loaded language the story lexicon does not list.
    /// Where a file lists a term of the general layer, its label counts.
    pub fn load_over_general(paths: &[PathBuf]) -> Result<Lexicon, LexiconError> {
        if paths.is_empty() {
            return Err(LexiconError::NoFiles);
        }
        let mut sources: Vec<Source> = EMBEDDED
            .iter()
            .filter(|(path, _)| GENERAL_FILES.contains(path))
            .map(|(path, content)| Source {
                path: path.to_string(),
                content: content.to_string(),
                embedded: true,
            })
            .collect();
        sources.extend(read_all(paths)?);
        finish(build(sources))
    }

    /// The starter lexicon compiled into the binary (`data/lexicon/*.toml`).
    ///
    /// # Panics
    ///
    /// Never for a released binary: a unit test loads it, so a broken
    /// starter lexicon fails the build's tests rather than a user's run.
    pub fn embedded() -> Lexicon {
        let sources = EMBEDDED
            .iter()
            .map(|(path, content)| Source {
                path: path.to_string(),
                content: content.to_string(),
                embedded: true,
            })
            .collect();
        match finish(build(sources)) {
            Ok(lexicon) => lexicon,
            Err(e) => panic!("the embedded lexicon is invalid:\n{e}"),
        }
    }

    /// Loads a lexicon from one file's text; `name` is used in diagnostics.
    pub fn from_str(name: &str, toml: &str) -> Result<Lexicon, LexiconError> {
        finish(build(vec![Source {
            path: name.to_string(),
            content: toml.to_string(),
            embedded: false,
        }]))
    }

    /// The files, in load order.
    pub fn files(&self) -> &[LexiconFile] {
        &self.files
    }

    /// Each file's `[meta]`, in load order.
    pub fn metas(&self) -> &[Meta] {
        &self.metas
    }

    /// SHA-256 (hex) over all files' contents in load order: the same
    /// files give the same hash wherever they are, so it can key caches.
    pub fn hash(&self) -> String {
        self.hash.clone()
    }

    /// Every term, in file order; [`Hit::entry`] indexes this.
    pub fn entries(&self) -> &[TermEntry] {
        &self.entries
    }

    /// Terms that only suppress shorter matches.
    pub fn exclusions(&self) -> &[Exclusion] {
        &self.exclusions
    }

    /// Concepts with their labels, in file order (labels without terms
    /// included, so reports can list labels that were never used).
    pub fn concepts(&self) -> &[Concept] {
        &self.concepts
    }

    /// The label `label` of concept `concept`.
    pub fn label(&self, concept: &str, label: &str) -> Option<&Label> {
        self.concepts
            .iter()
            .find(|c| c.id == concept)?
            .labels
            .iter()
            .find(|l| l.id == label)
    }

    /// Transliteration groups from all files.
    pub fn transliterations(&self) -> &[Vec<String>] {
        self.transliterations.groups()
    }

    /// Every surface form `entry` expands to (the written form first),
    /// including forms that another term claims.
    pub fn variants(&self, entry: usize) -> Vec<String> {
        let Some(e) = self.entries.get(entry) else {
            return Vec::new();
        };
        variants::expand(
            &e.term,
            variants::ExpandOptions { inflect: e.inflect },
            &self.transliterations,
        )
    }

    /// Terms per concept by sign of direction, in concept order.
    pub fn balance(&self) -> Vec<Balance> {
        self.concepts
            .iter()
            .map(|c| {
                let mut b = Balance {
                    concept: c.id.clone(),
                    kind: c.kind,
                    negative: 0,
                    neutral: 0,
                    positive: 0,
                };
                for l in &c.labels {
                    let n = l.terms.len();
                    if l.direction < 0.0 {
                        b.negative += n;
                    } else if l.direction > 0.0 {
                        b.positive += n;
                    } else {
                        b.neutral += n;
                    }
                }
                b
            })
            .collect()
    }

    pub fn stats(&self) -> Stats {
        Stats {
            files: self.files.len(),
            concepts: self.concepts.len(),
            labels: self.concepts.iter().map(|c| c.labels.len()).sum(),
            terms: self.entries.len(),
            exclusions: self.exclusions.len(),
            transliteration_groups: self.transliterations.groups().len(),
            patterns: self.patterns.len(),
        }
    }

    /// Builds the matcher: one automaton over all variants, the fastest
    /// to match with (a DFA).
    pub fn compile(&self) -> Result<Matcher, LexiconError> {
        self.compile_for(usize::MAX)
    }

    /// Builds the matcher for about `bytes` of text to analyse: the DFA of
    /// [`Lexicon::compile`] when it saves more matching time than it costs
    /// to build, else a small NFA that finds the same hits (a rerun that
    /// analyses 1 % of a corpus matches a few megabytes; matching is a
    /// twentieth of the analysis).
    ///
    /// ```
    /// let lexicon = slant::lexicon::Lexicon::embedded();
    /// let text = "Daesh fighters and ISIS fighters.";
    /// let small = lexicon.compile_for(text.len())?;
    /// assert_eq!(small.find(text), lexicon.compile()?.find(text));
    /// # Ok::<(), slant::lexicon::LexiconError>(())
    /// ```
    pub fn compile_for(&self, bytes: usize) -> Result<Matcher, LexiconError> {
        Matcher::new(
            self.patterns.clone(),
            self.targets.clone(),
            self.entries.clone(),
            bytes >= DFA_MIN_BYTES,
        )
        .map_err(|e| LexiconError::Compile {
            message: e.to_string(),
        })
    }
}

/// Validates lexicon files and reports every problem found, errors and
/// warnings, sorted by file and line. An empty result means the files load
/// cleanly. Unreadable files are reported, not skipped.
///
/// ```
/// use slant::lexicon::{check, Severity};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("bad.toml");
/// std::fs::write(&path, "[meta]\nname = \"x\"\nversion = \"1\"\ndescription = \"d\"\n\
///     [[concept]]\nid = \"c\"\nreferent = \"r\"\n\
///     [[concept.label]]\nid = \"l\"\nloaded = 1.5\ndirection = 0\nterms = [\"a term\"]\n")?;
/// let diagnostics = check(&[path]);
/// assert_eq!(diagnostics.len(), 1);
/// assert_eq!(diagnostics[0].severity, Severity::Error);
/// assert_eq!(diagnostics[0].line, Some(10));
/// assert!(diagnostics[0].to_string().ends_with("bad.toml:10: error: `c/l`: loaded = 1.5 is outside 0..1"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check(paths: &[PathBuf]) -> Vec<Diagnostic> {
    if paths.is_empty() {
        return vec![Diagnostic {
            path: "-".to_string(),
            line: None,
            severity: Severity::Error,
            message: "no lexicon file given".to_string(),
        }];
    }
    let mut out = Vec::new();
    let mut sources = Vec::new();
    for p in paths {
        match read(p) {
            Ok(src) => sources.push(src),
            Err(ReadError::Io(e)) => out.push(Diagnostic {
                path: p.display().to_string(),
                line: None,
                severity: Severity::Error,
                message: format!("cannot read: {e}"),
            }),
            Err(ReadError::Invalid(d)) => out.push(d),
        }
    }
    if !sources.is_empty() {
        out.extend(build(sources).diagnostics);
    }
    out
}

enum ReadError {
    Io(std::io::Error),
    Invalid(Diagnostic),
}

/// Every file's source, or the first file that cannot be read.
fn read_all(paths: &[PathBuf]) -> Result<Vec<Source>, LexiconError> {
    paths
        .iter()
        .map(|p| match read(p) {
            Ok(src) => Ok(src),
            Err(ReadError::Io(source)) => Err(LexiconError::Io {
                path: p.display().to_string(),
                error: source,
            }),
            Err(ReadError::Invalid(d)) => Err(LexiconError::Invalid(vec![d])),
        })
        .collect()
}

fn read(path: &std::path::Path) -> Result<Source, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let name = path.display().to_string();
    match String::from_utf8(bytes) {
        Ok(content) => Ok(Source {
            path: name,
            content,
            embedded: false,
        }),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(ReadError::Invalid(Diagnostic {
                path: name,
                line: Some(line),
                severity: Severity::Error,
                message: format!("not valid UTF-8 (byte {valid})"),
            }))
        }
    }
}

fn finish(built: validate::Built) -> Result<Lexicon, LexiconError> {
    match built.lexicon {
        Some(lexicon) => Ok(lexicon),
        None => Err(LexiconError::Invalid(
            built
                .diagnostics
                .into_iter()
                .filter(|d| d.severity == Severity::Error)
                .collect(),
        )),
    }
}

#[cfg(test)]
mod tests;
