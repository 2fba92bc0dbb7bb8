//! A deterministic synthetic corpus for benchmarks.
//!
//! Every article is generated from its own random stream (the seed, and the
//! article's index as the ChaCha stream number), so the corpus is the same
//! byte for byte whatever the chunking or the number of threads, and an
//! article can be regenerated without generating the ones before it. Output
//! is written as it is generated: memory stays at one chunk of articles
//! whatever the corpus size.
//!
//! What the text looks like (see [`super::vocab`]):
//!
//! * lengths drawn from a log-normal distribution with a median of
//!   [`MEDIAN_WORDS`] words (about one article in 150 is over 3,000 words),
//!   in paragraphs of one to four sentences;
//! * the outlet's own narration, reported speech (`X said that …`,
//!   `according to …`), direct quotes with curly, straight, single and
//!   angle quotation marks and named speakers, some spanning two
//!   sentences, and scare quotes;
//! * lexicon terms from the lexicon given (the embedded one by default) at
//!   a few per hundred words. Each outlet leans toward one side of each
//!   concept and picks its own-voice terms accordingly; quoted speakers
//!   lean their own way, so own and quoted language differ;
//! * page chrome, donation appeals and a per-outlet footer repeated across
//!   the outlet's articles; CRLF line ends for some outlets; rare
//!   obfuscated words (`IS.IS`, `kill.ing`).
//!
//! ```no_run
//! use slant::bench::gen::{generate, GenConfig};
//! use slant::lexicon::Lexicon;
//!
//! let config = GenConfig { articles: 1000, outlets: 6, seed: 7, ..GenConfig::default() };
//! let summary = generate(&config, &Lexicon::embedded(), "corpus".as_ref())?;
//! println!("{} articles, {} bytes", summary.articles, summary.bytes);
//! # Ok::<(), slant::bench::BenchError>(())
//! ```

use std::fs::{self, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::BenchError;
use crate::lexicon::Lexicon;

mod article;

pub use article::{GeneratedArticle, Generator, LENGTH_SIGMA, MAX_WORDS, MEDIAN_WORDS, MIN_WORDS};

/// Articles generated (in parallel) before being written out together.
const CHUNK: usize = 1024;

/// How the corpus is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// `DIR/manifest.csv` and one `DIR/articles/*.txt` per article.
    #[default]
    Manifest,
    /// One `DIR/corpus.jsonl`, an article per line
    /// (`outlet, id, title, published, text`).
    Jsonl,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    pub articles: usize,
    /// Number of outlets (at least 1).
    pub outlets: usize,
    pub seed: u64,
    pub format: Format,
    /// Add to an existing corpus (manifest rows / JSONL lines are appended)
    /// instead of refusing a folder that already holds one. Use a different
    /// seed from the corpus's: ids and file names carry the seed.
    pub append: bool,
    /// Seed of the outlets' names and leanings. Kept apart from `seed` so
    /// that articles added later with another seed come from the same
    /// outlets.
    pub outlet_seed: u64,
}

impl Default for GenConfig {
    fn default() -> GenConfig {
        GenConfig {
            articles: 1000,
            outlets: 8,
            seed: 1,
            format: Format::Manifest,
            append: false,
            outlet_seed: 0,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GenSummary {
    pub articles: usize,
    pub outlets: usize,
    /// Bytes of article text (UTF-8), not counting the manifest.
    pub bytes: u64,
    /// Whitespace-separated words of article text.
    pub words: u64,
    /// Lexicon terms the generator placed (the matcher finds somewhat
    /// more: filler words and variants can be terms too).
    pub terms_placed: u64,
}

#[derive(Serialize)]
struct JsonlRecord<'a> {
    outlet: &'a str,
    id: &'a str,
    title: &'a str,
    published: &'a str,
    text: &'a str,
}

/// Writes a corpus of `config.articles` articles into `dir`.
///
/// Refuses a folder that already holds a corpus unless `config.append` is
/// set; then it adds to it, and refuses a folder that holds none.
pub fn generate(
    config: &GenConfig,
    lexicon: &Lexicon,
    dir: &Path,
) -> Result<GenSummary, BenchError> {
    let gen = Generator::new(lexicon, config)?;
    generate_with(&gen, config, dir, |_| {})
}

/// [`generate`] with a callback after each chunk (the count written so far),
/// for progress display.
pub fn generate_with(
    gen: &Generator,
    config: &GenConfig,
    dir: &Path,
    mut progress: impl FnMut(usize),
) -> Result<GenSummary, BenchError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BenchError::Io {
            path,
            error: source,
        }
    };
    fs::create_dir_all(dir).map_err(io(dir))?;
    let target: PathBuf = match config.format {
        Format::Manifest => dir.join("manifest.csv"),
        Format::Jsonl => dir.join("corpus.jsonl"),
    };
    let exists = target.exists();
    if exists && !config.append {
        return Err(BenchError::Exists { path: target });
    }
    if !exists && config.append {
        return Err(BenchError::NothingToAppend { path: target });
    }
    if config.format == Format::Manifest {
        let articles = dir.join("articles");
        fs::create_dir_all(&articles).map_err(io(&articles))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&target)
        .map_err(io(&target))?;
    // One of the two, by format.
    let mut manifest = None;
    let mut jsonl = None;
    match config.format {
        Format::Manifest => {
            let mut w = csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(BufWriter::new(file));
            if !exists {
                w.write_record(["file", "outlet", "outlet_name", "title", "published", "id"])
                    .map_err(|e| csv_error(&target, e))?;
            }
            manifest = Some(w);
        }
        Format::Jsonl => jsonl = Some(BufWriter::new(file)),
    }

    let mut summary = GenSummary {
        outlets: gen.outlets.len(),
        ..GenSummary::default()
    };
    let total = config.articles as u64;
    let mut start = 0u64;
    while start < total {
        let end = (start + CHUNK as u64).min(total);
        let chunk: Vec<GeneratedArticle> = (start..end)
            .into_par_iter()
            .map(|i| gen.article(i))
            .collect();
        for a in &chunk {
            let outlet = &gen.outlets[a.outlet];
            if let Some(manifest) = manifest.as_mut() {
                let path = dir.join(&a.file);
                fs::write(&path, a.text.as_bytes()).map_err(io(&path))?;
                manifest
                    .write_record([
                        a.file.as_str(),
                        &outlet.id,
                        &outlet.name,
                        &a.title,
                        &a.published,
                        &a.id,
                    ])
                    .map_err(|e| csv_error(&target, e))?;
            }
            if let Some(sink) = jsonl.as_mut() {
                let record = JsonlRecord {
                    outlet: &outlet.id,
                    id: &a.id,
                    title: &a.title,
                    published: &a.published,
                    text: &a.text,
                };
                serde_json::to_writer(&mut *sink, &record).map_err(|e| BenchError::Io {
                    path: target.clone(),
                    error: e.into(),
                })?;
                sink.write_all(b"\n").map_err(io(&target))?;
            }
            summary.articles += 1;
            summary.bytes += a.text.len() as u64;
            summary.words += a.text.split_whitespace().count() as u64;
            summary.terms_placed += u64::from(a.terms_placed);
        }
        progress(summary.articles);
        start = end;
    }
    if let Some(mut w) = manifest {
        w.flush().map_err(io(&target))?;
    }
    if let Some(mut w) = jsonl {
        w.flush().map_err(io(&target))?;
    }
    Ok(summary)
}

fn csv_error(path: &Path, e: csv::Error) -> BenchError {
    BenchError::Io {
        path: path.to_path_buf(),
        error: std::io::Error::other(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A corpus of 40 articles from 5 outlets.
    pub(super) fn small(seed: u64) -> GenConfig {
        GenConfig {
            articles: 40,
            outlets: 5,
            seed,
            ..GenConfig::default()
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        let lexicon = Lexicon::embedded();
        let a = tempfile::tempdir().expect("tempdir");
        let b = tempfile::tempdir().expect("tempdir");
        let sa = generate(&small(3), &lexicon, a.path()).expect("gen a");
        let sb = generate(&small(3), &lexicon, b.path()).expect("gen b");
        assert_eq!(sa, sb);
        let read = |d: &Path, f: &str| fs::read(d.join(f)).expect("read");
        assert_eq!(
            read(a.path(), "manifest.csv"),
            read(b.path(), "manifest.csv")
        );
        for i in 0..40 {
            let f = format!("articles/s3_{i:07}.txt");
            assert_eq!(read(a.path(), &f), read(b.path(), &f), "{f}");
        }
    }

    #[test]
    fn append_adds_rows_and_needs_a_corpus() {
        let lexicon = Lexicon::embedded();
        let dir = tempfile::tempdir().expect("tempdir");
        let append = GenConfig {
            append: true,
            articles: 3,
            ..small(8)
        };
        assert!(matches!(
            generate(&append, &lexicon, dir.path()),
            Err(BenchError::NothingToAppend { .. })
        ));
        generate(&small(7), &lexicon, dir.path()).expect("gen");
        assert!(matches!(
            generate(&small(7), &lexicon, dir.path()),
            Err(BenchError::Exists { .. })
        ));
        generate(&append, &lexicon, dir.path()).expect("append");
        let manifest = fs::read_to_string(dir.path().join("manifest.csv")).expect("read");
        assert_eq!(manifest.lines().count(), 1 + 40 + 3);
        assert_eq!(manifest.matches("file,outlet").count(), 1);
    }

    #[test]
    fn jsonl_has_one_record_per_line() {
        let lexicon = Lexicon::embedded();
        let dir = tempfile::tempdir().expect("tempdir");
        let config = GenConfig {
            format: Format::Jsonl,
            articles: 12,
            ..small(2)
        };
        generate(&config, &lexicon, dir.path()).expect("gen");
        let text = fs::read_to_string(dir.path().join("corpus.jsonl")).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 12);
        for line in lines {
            let v: serde_json::Value = serde_json::from_str(line).expect("json");
            for key in ["outlet", "id", "title", "published", "text"] {
                assert!(v.get(key).is_some(), "{key} missing");
            }
        }
    }
}
