//! Command-line interface. Parses arguments and calls the library; no
//! analysis logic lives here.

mod analyze;
mod bench;
mod diff;
mod eval;
mod export;
mod lexicon;
#[cfg(feature = "model")]
mod model;
mod report;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Shows how news outlets frame the same story.
#[derive(Debug, Parser)]
#[command(name = "slant", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Analyse a corpus and write the framing reports.
    Analyze(analyze::AnalyzeArgs),
    /// Compare two report folders: what changed per outlet and label.
    Diff(diff::DiffArgs),
    /// Write report.html again from a report folder's files.
    Report(report::ReportArgs),
    /// Work with lexicon files.
    #[command(subcommand)]
    Lexicon(lexicon::LexiconCommand),
    /// Measure the analysis against labelled data.
    #[command(subcommand)]
    Eval(eval::EvalCommand),
    /// Export a report folder for other tools: a Jupyter notebook.
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Benchmarks: generate a synthetic corpus, time the stages.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Train, evaluate or inspect the target-sentiment model.
    #[cfg(feature = "model")]
    Model(model::ModelArgs),
}

/// Exit code for bad input (missing files, malformed data, skipped articles).
pub const EXIT_BAD_INPUT: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Analyze(args) => analyze::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Report(args) => report::run(args),
        Command::Lexicon(cmd) => lexicon::run(cmd),
        Command::Eval(cmd) => eval::run(cmd),
        Command::Export(cmd) => export::run(cmd),
        Command::Bench(cmd) => bench::run(cmd),
        #[cfg(feature = "model")]
        Command::Model(args) => model::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("slant: error: {err:#}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}
