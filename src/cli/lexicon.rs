//! `slant lexicon …`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use slant::lexicon::{self, Severity};

#[derive(Debug, Subcommand)]
pub enum LexiconCommand {
    /// Validate lexicon files: syntax, ranges, duplicates, conflicts and
    /// terms that can never match. Exits 2 when there is an error.
    Check {
        /// Lexicon TOML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

pub fn run(cmd: LexiconCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        LexiconCommand::Check { files } => {
            let diagnostics = lexicon::check(&files);
            let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
            let errors = count(Severity::Error);
            for d in &diagnostics {
                println!("{d}");
            }
            println!(
                "{} file(s): {errors} error(s), {} warning(s), {} note(s)",
                files.len(),
                count(Severity::Warning),
                count(Severity::Note)
            );
            Ok(if errors > 0 {
                ExitCode::from(super::EXIT_BAD_INPUT)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
