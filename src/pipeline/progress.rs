//! What a run shows on stderr while it works: one line per stage under
//! way, with a bar, a rate and an ETA where the stage's length is known
//! (reading, analysing, scoring sentiment), or where its steps' lengths can
//! be told from the last run in the same folder (writing the reports).
//! Drawn only on a terminal
//! (indicatif hides it elsewhere), never with `--quiet`, and cleared
//! before the run's last lines are printed.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};

/// How often a line is redrawn without news (spinners, ETAs).
const TICK: Duration = Duration::from_millis(200);

/// The progress lines of one run.
///
/// ```
/// // With `--quiet` nothing is drawn, and the stages count all the same.
/// let progress = slant::pipeline::Progress::new(false);
/// let bar = progress.bar("analysing", "articles", 10);
/// bar.inc(3);
/// assert_eq!(bar.position(), 3);
/// bar.finish_and_clear();
/// ```
pub struct Progress {
    lines: Option<MultiProgress>,
}

impl Progress {
    /// Lines on stderr, or none at all when `show` is false.
    pub fn new(show: bool) -> Progress {
        Progress {
            lines: show.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())),
        }
    }

    /// A stage of `len` steps counted in `unit`s: `what [bar] pos/len unit,
    /// eta`. Its length can change as the stage learns more
    /// ([`ProgressBar::set_length`]).
    pub fn bar(&self, what: &str, unit: &str, len: u64) -> ProgressBar {
        self.line(ProgressBar::new(len), &bar_template(what, unit))
    }

    /// A stage whose length is not known ahead: `what pos unit (elapsed)`.
    pub fn counter(&self, what: &str, unit: &str) -> ProgressBar {
        self.line(ProgressBar::no_length(), &counter_template(what, unit))
    }

    /// A stage of named steps: `what [bar] step, eta`, the bar counting
    /// `len` units of expected work ([`ReportSteps`]); each step is named
    /// with [`ProgressBar::set_message`] as it starts.
    pub fn steps(&self, what: &str, len: u64) -> ProgressBar {
        self.line(ProgressBar::new(len), &steps_template(what))
    }

    /// A stage that is not counted: `what (elapsed)`.
    pub fn spinner(&self, what: &str) -> ProgressBar {
        self.line(ProgressBar::no_length(), &spinner_template(what))
    }

    fn line(&self, bar: ProgressBar, template: &str) -> ProgressBar {
        let Some(lines) = &self.lines else {
            return ProgressBar::hidden();
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        // A stage left on an error clears its line too.
        let bar = lines.add(bar.with_finish(ProgressFinish::AndClear));
        bar.enable_steady_tick(TICK);
        bar
    }
}

// Stage names are padded to one width so that the bars line up.
fn bar_template(what: &str, unit: &str) -> String {
    format!("{{spinner}} {what:<17} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit}, eta {{eta}}")
}

fn steps_template(what: &str) -> String {
    format!("{{spinner}} {what:<17} [{{bar:30}}] {{msg}}, eta {{eta}}")
}

/// The steps of writing the reports and the work each is expected to take,
/// in milliseconds: the last run's times from its `run.json` when the
/// folder has one, otherwise even shares. The ETA is then the last run's
/// time, scaled by how fast this run goes.
///
/// ```
/// use slant::pipeline::ReportSteps;
/// let last = serde_json::json!({"timings_ms": {"report": 3000, "render": 1000, "cache_save": 200}});
/// let steps = ReportSteps::from_run(Some(&last));
/// assert_eq!(steps.total(), 3000 + 1000 + 200);
/// assert_eq!(steps.weight(ReportSteps::PAGES), 1000);
/// assert_eq!(ReportSteps::from_run(None).weight(ReportSteps::TABLES), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSteps {
    weights: [u64; 3],
}

impl ReportSteps {
    /// The tables, `mentions/` and `articles.csv`, staged.
    pub const TABLES: usize = 0;
    /// `report.html` and `report.xlsx`, staged side by side.
    pub const PAGES: usize = 1;
    /// Everything put in place, the cache last.
    pub const IN_PLACE: usize = 2;
    /// What each step shows while it runs.
    pub const NAMES: [&'static str; 3] =
        ["tables", "report.html and report.xlsx", "putting in place"];

    /// The steps as the run described by `run` (a `run.json`) took them.
    /// A `run.json` of an older slant, which timed the workbook alone
    /// (`xlsx`), serves as well.
    pub fn from_run(run: Option<&serde_json::Value>) -> ReportSteps {
        let ms = |key: &str| {
            run.and_then(|r| r.get("timings_ms"))
                .and_then(|t| t.get(key))
                .and_then(serde_json::Value::as_u64)
        };
        match (ms("report"), ms("render").or(ms("xlsx")), ms("cache_save")) {
            (Some(report), Some(pages), Some(save)) => ReportSteps {
                weights: [report.max(1), pages.max(1), save.max(1)],
            },
            _ => ReportSteps { weights: [1; 3] },
        }
    }

    /// The expected work of step `step`.
    pub fn weight(&self, step: usize) -> u64 {
        self.weights.get(step).copied().unwrap_or(0)
    }

    /// The expected work of all steps.
    pub fn total(&self) -> u64 {
        self.weights.iter().sum()
    }

    /// Marks the steps before `step` done on `bar` and names `step`.
    pub fn start(&self, bar: &ProgressBar, step: usize) {
        bar.set_position(self.weights.iter().take(step).sum());
        if let Some(name) = Self::NAMES.get(step) {
            bar.set_message(*name);
        }
    }
}

fn counter_template(what: &str, unit: &str) -> String {
    format!("{{spinner}} {what:<17} {{human_pos}} {unit} ({{elapsed}})")
}

fn spinner_template(what: &str) -> String {
    format!("{{spinner}} {what} ({{elapsed}})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_lines_are_hidden_and_still_count() {
        let progress = Progress::new(false);
        let bar = progress.bar("analysing", "articles", 3);
        assert!(bar.is_hidden());
        bar.inc(2);
        assert_eq!(bar.position(), 2);
        assert!(progress.spinner("writing").is_hidden());
    }

    #[test]
    fn every_template_parses() {
        // indicatif refuses a bad template at run time, and the line would
        // then fall back to a bare bar: check each one here.
        for template in [
            bar_template("analysing", "articles"),
            counter_template("reading", "articles"),
            steps_template("writing reports"),
            spinner_template("writing reports"),
        ] {
            assert!(
                ProgressStyle::with_template(&template).is_ok(),
                "{template}"
            );
            assert!(!template.contains("{{"), "{template}");
        }
    }
}
