//! What a run shows on stderr while it works: one line per stage under
//! way, with a bar, a rate and an ETA where the stage's length is known
//! (reading, analysing, scoring sentiment), a spinner with the time taken
//! where it is not (writing the reports). Drawn only on a terminal
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
