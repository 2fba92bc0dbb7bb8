//! `slant report`

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use slant::store::OutLock;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// A report folder written by `slant analyze`: report.html and
    /// report.xlsx are written again from its CSV files and mentions/.
    dir: PathBuf,
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let dir = &args.dir;
    if !dir.is_dir() {
        anyhow::bail!("{}: not a report folder", dir.display());
    }
    // A run writing the folder meanwhile would change the files under the
    // page: the run's lock keeps the two apart.
    let _lock = OutLock::acquire(dir)?;
    let cache = slant::store::cache_dir(dir).join(slant::report::html::cache::DIR);
    let path =
        slant::report::html::rebuild(dir, slant::pipeline::DEFAULT_GROUP_COLUMN, Some(cache))
            .context("report")?;
    eprintln!("slant: wrote {}", path.display());
    slant::report::xlsx::write_workbook(dir).context("report")?;
    eprintln!(
        "slant: wrote {}",
        dir.join(slant::report::xlsx::FILE).display()
    );
    Ok(ExitCode::SUCCESS)
}
