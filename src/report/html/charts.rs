//! The page's charts, drawn by `plotters` as SVG whose text the browser
//! sets (no font files): estimates with their intervals, and lines over
//! time. Every chart has a table beside it on the page with the same
//! numbers and the links to their evidence, and its legend in HTML
//! ([`super::page::figure`]), where it cannot hide a point.

use plotters::prelude::*;

use super::HtmlError;

/// Series colours: Okabe and Ito's palette, told apart with the common
/// colour-vision deficiencies; past eight they repeat.
const COLOURS: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(0, 0, 0),
    RGBColor(240, 228, 66),
];

/// The colour of series `i`.
pub fn colour(i: usize) -> RGBColor {
    COLOURS[i % COLOURS.len()]
}

/// The colour of series `i` as CSS.
pub fn css_colour(i: usize) -> String {
    let RGBColor(r, g, b) = colour(i);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// One value with its interval (either end may be missing).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub value: f64,
    pub ci: Option<(f64, f64)>,
}

impl Point {
    pub fn of(value: Option<f64>, low: Option<f64>, high: Option<f64>) -> Option<Point> {
        Some(Point {
            value: value?,
            ci: low.zip(high),
        })
    }

    fn low(&self) -> f64 {
        self.ci.map_or(self.value, |c| c.0)
    }

    fn high(&self) -> f64 {
        self.ci.map_or(self.value, |c| c.1)
    }
}

/// A named series: one point (or none) per category or period.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub points: Vec<Option<Point>>,
}

fn chart_error<E: std::fmt::Debug>(e: E) -> HtmlError {
    HtmlError::Chart(format!("{e:?}"))
}

/// Shortens a label for an axis (the table beside the chart has it whole).
fn short(label: &str, chars: usize) -> String {
    if label.chars().count() <= chars {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(chars.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The range a set of points needs, padded, and holding `floor` (0 for
/// rates, −1 and 1 for sentiment).
fn range(series: &[Series], floor: &[f64]) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in series.iter().flat_map(|s| s.points.iter().flatten()) {
        lo = lo.min(p.low());
        hi = hi.max(p.high());
    }
    for &f in floor {
        lo = lo.min(f);
        hi = hi.max(f);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.04;
    (lo - if lo < 0.0 { pad } else { 0.0 }, hi + pad)
}

/// An axis number: as many decimals as the axis's span needs, and no
/// `-0`.
fn tick(v: f64, span: f64) -> String {
    let places = if span >= 10.0 {
        0
    } else if span >= 1.0 {
        1
    } else {
        2
    };
    let s = format!("{v:.places$}");
    if s.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        s.trim_start_matches('-').to_string()
    } else {
        s
    }
}

/// Categories down the side, values across: each category's points of
/// every series with their intervals, the first category at the top.
pub fn intervals(
    categories: &[String],
    series: &[Series],
    x_label: &str,
    floor: &[f64],
) -> Result<String, HtmlError> {
    let n = categories.len().max(1);
    let s = series.len().max(1);
    // Integer positions: each category takes s + 1 rows, one per series
    // and one of space.
    let per = (s + 1) as i32;
    let rows = n as i32 * per;
    let height = (48 + rows * 11 + 46).max(140) as u32;
    let width = 760u32;
    let (x0, x1) = range(series, floor);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(190)
            .build_cartesian_2d(x0..x1, -1..rows)
            .map_err(chart_error)?;
        let centre = |i: usize| rows - 1 - i as i32 * per - (s as i32 - 1) / 2;
        let labels: Vec<(i32, String)> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (centre(i), short(c, 30)))
            .collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE)
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .y_labels(rows as usize + 1)
            .y_label_formatter(&|y| {
                labels
                    .iter()
                    .find(|(at, _)| at == y)
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default()
            })
            .x_desc(x_label)
            .x_label_formatter(&|x| tick(*x, x1 - x0))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(chart_error)?;
        if x0 < 0.0 && x1 > 0.0 {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, -1), (0.0, rows)],
                    BLACK.mix(0.4).stroke_width(1),
                ))
                .map_err(chart_error)?;
        }
        for (si, one) in series.iter().enumerate() {
            let colour = colour(si);
            let y = |i: usize| rows - 1 - i as i32 * per - si as i32;
            let bars = one.points.iter().enumerate().filter_map(|(i, p)| {
                let p = (*p)?;
                let (lo, hi) = p.ci?;
                Some(ErrorBar::new_horizontal(
                    y(i),
                    lo,
                    p.value,
                    hi,
                    colour.stroke_width(2),
                    6,
                ))
            });
            chart.draw_series(bars).map_err(chart_error)?;
            let dots =
                one.points.iter().enumerate().filter_map(|(i, p)| {
                    p.map(|p| Circle::new((p.value, y(i)), 4, colour.filled()))
                });
            chart.draw_series(dots).map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Periods across, values up: one line per series through the periods it
/// has (a period without a point breaks the line), each point with its
/// interval.
pub fn lines(periods: &[String], series: &[Series], y_label: &str) -> Result<String, HtmlError> {
    let p = periods.len().max(1) as i32;
    let (y0, y1) = range(series, &[0.0]);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 340)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        // Half-steps, so that points sit on whole ones with room beside.
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-1..2 * p - 1, y0..y1)
            .map_err(chart_error)?;
        let every = (periods.len() / 10).max(1);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .x_labels(2 * p as usize + 1)
            .x_label_formatter(&|x| {
                if x.rem_euclid(2) != 0 || !((x / 2) as usize).is_multiple_of(every) {
                    return String::new();
                }
                periods.get((x / 2) as usize).cloned().unwrap_or_default()
            })
            .y_desc(y_label)
            .y_label_formatter(&|y| tick(*y, y1 - y0))
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(chart_error)?;
        for (si, one) in series.iter().enumerate() {
            let colour = colour(si);
            // Consecutive runs of periods with a point.
            let mut runs: Vec<Vec<(i32, f64)>> = vec![Vec::new()];
            for (i, point) in one.points.iter().enumerate() {
                match point {
                    Some(pt) => runs
                        .last_mut()
                        .map(|r| r.push((2 * i as i32, pt.value)))
                        .unwrap_or_default(),
                    None => runs.push(Vec::new()),
                }
            }
            for run in runs.into_iter().filter(|r| r.len() > 1) {
                chart
                    .draw_series(LineSeries::new(run, colour.stroke_width(2)))
                    .map_err(chart_error)?;
            }
            let bars = one.points.iter().enumerate().filter_map(|(i, pt)| {
                let pt = (*pt)?;
                let (lo, hi) = pt.ci?;
                Some(ErrorBar::new_vertical(
                    2 * i as i32,
                    lo,
                    pt.value,
                    hi,
                    colour.mix(0.6).stroke_width(1),
                    6,
                ))
            });
            chart.draw_series(bars).map_err(chart_error)?;
            let dots = one.points.iter().enumerate().filter_map(|(i, pt)| {
                pt.map(|pt| Circle::new((2 * i as i32, pt.value), 4, colour.filled()))
            });
            chart.draw_series(dots).map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Does the chart set `text` as a text element?
    fn has_text(svg: &str, text: &str) -> bool {
        svg.contains(&format!(">\n{text}\n</text>"))
    }

    fn series(name: &str, points: &[Option<(f64, f64, f64)>]) -> Series {
        Series {
            name: name.into(),
            points: points
                .iter()
                .map(|p| {
                    p.map(|(v, lo, hi)| Point {
                        value: v,
                        ci: Some((lo, hi)),
                    })
                })
                .collect(),
        }
    }

    #[test]
    fn an_interval_chart_names_its_categories_and_escapes_them() {
        let svg = intervals(
            &["<b>east</b>".into(), "west".into()],
            &[
                series("all", &[Some((3.0, 1.0, 5.0)), None]),
                series("story", &[Some((1.0, 0.5, 2.0)), Some((0.0, 0.0, 0.0))]),
            ],
            "per 1,000 words",
            &[0.0],
        )
        .unwrap();
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.contains("&lt;b&gt;east&lt;/b&gt;") && !svg.contains("<b>"));
        assert!(has_text(&svg, "west"), "{svg}");
        assert_eq!(svg.matches("r=\"4\"").count(), 3, "three points");
    }

    #[test]
    fn ticks_have_the_decimals_the_span_needs_and_no_minus_zero() {
        assert_eq!(tick(-0.0001, 2.0), "0.0");
        assert_eq!(tick(-0.25, 2.0), "-0.2");
        assert_eq!(tick(40.0, 55.0), "40");
        assert_eq!(tick(0.125, 0.5), "0.12");
    }

    #[test]
    fn a_line_breaks_where_a_period_has_no_point() {
        let svg = lines(
            &["2024-W01".into(), "2024-W02".into(), "2024-W03".into()],
            &[series(
                "east",
                &[Some((1.0, 0.0, 2.0)), None, Some((2.0, 1.0, 3.0))],
            )],
            "rate",
        )
        .unwrap();
        assert!(
            has_text(&svg, "2024-W01") && has_text(&svg, "2024-W03"),
            "{svg}"
        );
        // Two lone points: no line of the series' colour across the gap;
        // without the gap, one.
        let line = |svg: &str| {
            svg.to_lowercase()
                .matches("<polyline fill=\"none\" opacity=\"1\" stroke=\"#0072b2\"")
                .count()
        };
        assert_eq!(line(&svg), 0, "{svg}");
        let joined = lines(
            &["2024-W01".into(), "2024-W02".into()],
            &[series(
                "east",
                &[Some((1.0, 0.0, 2.0)), Some((2.0, 1.0, 3.0))],
            )],
            "rate",
        )
        .unwrap();
        assert_eq!(line(&joined), 1, "{joined}");
    }
}
