//! slant shows how news outlets frame the same story.
//!
//! The library is laid out as the pipeline it runs, each folder one stage,
//! and a folder imports only folders above it in this list:
//!
//! ```text
//! disk        atomic writes, file stamps, positioned reads
//! metrics     precision, recall, F1, accuracy: one definition for all
//! corpus      find and decode articles; the labelled BABE sentences
//! target      plain data the stages share: targets, sentiments, their keys
//! mention     the unit of evidence (beside target)
//! text        normalise, boilerplate, sentences, voice, names
//! lexicon     load, check, compile, match
//! analyze     one article through text and lexicon: its mentions
//! sentiment   the target-sentiment model (train, evaluate, score)
//! detect      the loaded-word detector model (train on BABE, tag sentences)
//! score       per-outlet aggregates with intervals
//! discover    keyness, competing labels, divergence, a draft lexicon
//! report      renders the tables: CSV files, `slant diff`
//! store       what a run keeps on disk between runs, and the lock
//! pipeline    a whole run: pass 1, pass 2, sink, finish
//! bench       synthetic corpora and timings of the pipeline's own code
//! eval        the analysis measured against labelled data (BABE)
//! ```
//!
//! The `slant` binary only parses arguments and calls into these modules.

pub mod analyze;
pub mod bench;
pub mod corpus;
pub mod detect;
pub mod discover;
pub mod disk;
pub mod eval;
pub mod lexicon;
pub mod mention;
pub mod metrics;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod sentiment;
pub mod store;
pub mod target;
pub mod text;

pub use mention::{Layer, Mention, Span, Voice};
