//! `slant diff`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Report folder of the earlier run.
    old: PathBuf,
    /// Report folder of the later run.
    new: PathBuf,
    /// Where to write diff_outlets.csv and diff_concepts.csv (default: NEW).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let out = args.out.unwrap_or_else(|| args.new.clone());
    slant::report::prepare_out_dir(&out)?;
    slant::report::diff::diff(&args.old, &args.new, &out).context("diff")?;
    eprintln!(
        "slant: wrote {} and {}",
        out.join("diff_outlets.csv").display(),
        out.join("diff_concepts.csv").display()
    );
    Ok(ExitCode::SUCCESS)
}
