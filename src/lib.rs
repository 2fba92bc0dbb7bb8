//! slant shows how news outlets frame the same story.
//!
//! The library is laid out as the pipeline it runs:
//!
//! ```text
//! corpus (load articles) → text (clean, sentences, quotes/voice)
//!   → lexicon (load, compile, match) → sentiment (model)
//!   → score (aggregate, statistics) → report (CSV, run.json)
//! ```
//!
//! [`analyze`] ties the stages together for one article; the `slant` binary
//! only parses arguments and calls into these modules.

pub mod analyze;
pub mod atomic;
pub mod bench;
pub mod corpus;
pub mod lexicon;
pub mod mention;
pub mod pipeline;
pub mod report;
pub mod score;
pub mod sentiment;
pub mod text;

pub use mention::{Mention, Span, Voice};
