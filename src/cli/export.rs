//! `slant export`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use slant::report::notebook::{self, Located};

#[derive(Debug, clap::Subcommand)]
pub enum ExportCommand {
    /// Write a Jupyter notebook that loads a report folder with pandas and
    /// draws its main figures with matplotlib.
    Notebook(NotebookArgs),
}

#[derive(Debug, clap::Args)]
pub struct NotebookArgs {
    /// The report folder (`slant analyze --out DIR`).
    #[arg(value_name = "DIR")]
    reports: PathBuf,
    /// The notebook to write (`.ipynb`).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
}

pub fn run(cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::Notebook(args) => {
            let done = notebook::export(&args.reports, &args.out, args.force)
                .context("export notebook")?;
            let how = match &done.reports {
                Located::Relative(_) => "relative to the notebook's folder",
                Located::Absolute(_) => "absolute",
            };
            eprintln!(
                "slant: wrote {}; it reads {} (REPORTS = {:?}, {how}). Open it in Jupyter and run all cells.",
                done.path.display(),
                args.reports.display(),
                done.reports.path().display().to_string(),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
