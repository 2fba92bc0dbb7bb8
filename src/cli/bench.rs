//! `slant bench …`

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use slant::bench::gen::{self, Format, GenConfig, Generator};
use slant::bench::stage::{self, StageConfig};
use slant::bench::{peak_rss_bytes, write_terms};
use slant::lexicon::Lexicon;

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Write a deterministic synthetic corpus (same seed, same bytes).
    Gen(GenArgs),
    /// Time the lexicon + voice stage on a corpus: articles/s, MB/s, peak RSS.
    Run(RunArgs),
    /// Write every pattern the matcher looks for, one per line
    /// (`PATTERN<TAB>i|c|x`: case-insensitive, case-sensitive, exclusion).
    Terms {
        /// Output file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Lexicon file(s); default: the embedded starter lexicon.
        #[arg(long = "lexicon", value_name = "FILE")]
        lexicons: Vec<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    /// DIR/manifest.csv and DIR/articles/*.txt
    Manifest,
    /// DIR/corpus.jsonl
    Jsonl,
}

#[derive(Debug, clap::Args)]
pub struct GenArgs {
    /// Number of articles.
    #[arg(long, default_value_t = 1000)]
    articles: usize,
    /// Number of outlets.
    #[arg(long, default_value_t = 8)]
    outlets: usize,
    /// Seed of the article texts; ids and file names carry it.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Seed of the outlets' names and leanings (keep it when appending).
    #[arg(long, default_value_t = 0)]
    outlet_seed: u64,
    #[arg(long, value_enum, default_value_t = FormatArg::Manifest)]
    format: FormatArg,
    /// Add to the corpus already in DIR (use another --seed).
    #[arg(long)]
    append: bool,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Lexicon file(s) to draw terms from; default: the embedded lexicon.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Corpus inputs, as for `slant analyze`.
    #[arg(required = true, value_name = "CORPUS")]
    inputs: Vec<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Lexicon file(s); default: the embedded lexicon.
    #[arg(long = "lexicon", value_name = "FILE")]
    lexicons: Vec<PathBuf>,
    /// Stop after this many articles.
    #[arg(long)]
    limit: Option<usize>,
    /// Articles timed part by part on one thread (0: skip).
    #[arg(long, default_value_t = 5000)]
    breakdown: usize,
    /// Also write the report as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
}

fn load_lexicon(files: &[PathBuf]) -> anyhow::Result<Lexicon> {
    if files.is_empty() {
        Ok(Lexicon::embedded())
    } else {
        Lexicon::load(files).context("lexicon")
    }
}

pub fn run(cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        BenchCommand::Gen(args) => run_gen(args),
        BenchCommand::Run(args) => run_stage(args),
        BenchCommand::Terms { out, lexicons } => {
            let lexicon = load_lexicon(&lexicons)?;
            let n = match &out {
                Some(path) => {
                    let file = File::create(path)
                        .with_context(|| format!("{}: cannot create", path.display()))?;
                    let mut w = BufWriter::new(file);
                    let n = write_terms(&lexicon, &mut w)
                        .and_then(|n| w.flush().map(|()| n))
                        .with_context(|| format!("{}: cannot write", path.display()))?;
                    eprintln!("slant: {n} patterns written to {}", path.display());
                    n
                }
                None => {
                    let stdout = std::io::stdout();
                    let mut lock = stdout.lock();
                    write_terms(&lexicon, &mut lock).context("standard output")?
                }
            };
            let _ = n;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_gen(args: GenArgs) -> anyhow::Result<ExitCode> {
    let lexicon = load_lexicon(&args.lexicons)?;
    let config = GenConfig {
        articles: args.articles,
        outlets: args.outlets,
        seed: args.seed,
        outlet_seed: args.outlet_seed,
        format: match args.format {
            FormatArg::Manifest => Format::Manifest,
            FormatArg::Jsonl => Format::Jsonl,
        },
        append: args.append,
    };
    let generator = Generator::new(&lexicon, &config).context("generator")?;
    let bar = if args.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(args.articles as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} articles [{elapsed_precise}] {wide_bar} {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    };
    let clock = Instant::now();
    let summary = gen::generate_with(&generator, &config, &args.out, |n| {
        bar.set_position(n as u64)
    })
    .with_context(|| format!("bench gen into {}", args.out.display()))?;
    bar.finish_and_clear();
    if !args.quiet {
        eprintln!(
            "slant: {} articles from {} outlets, {:.1} MB, {} words, {} terms placed ({:.2} per 100 words) in {:.1} s; corpus in {}",
            summary.articles,
            summary.outlets,
            summary.bytes as f64 / 1e6,
            summary.words,
            summary.terms_placed,
            summary.terms_placed as f64 * 100.0 / summary.words.max(1) as f64,
            clock.elapsed().as_secs_f64(),
            args.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn run_stage(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = StageConfig {
        inputs: args.inputs,
        lexicons: args.lexicons,
        threads: args.threads,
        limit: args.limit,
        breakdown: args.breakdown,
        ..StageConfig::default()
    };
    let report = stage::run(&config).context("bench run")?;
    println!("{report}");
    if let Some(path) = args.json {
        let json = serde_json::to_vec_pretty(&report).context("report as JSON")?;
        std::fs::write(&path, json).with_context(|| format!("{}: cannot write", path.display()))?;
    }
    // The final figure, after everything above has been freed and reported.
    if let Some(rss) = peak_rss_bytes() {
        eprintln!("slant: peak RSS {:.1} MiB", rss as f64 / 1048576.0);
    }
    Ok(ExitCode::SUCCESS)
}
