//! Own-voice loadedness and label choices over time (`timeline.csv`).
//!
//! The run folds each article's [`ArticlePartial`] in with its `published`
//! date, per outlet and per group, as it folds it into the outlet's
//! accumulator; [`TimelineAccumulator::finish`] picks the period (ISO
//! weeks, or calendar months when the dates span more than
//! [`WEEKS_UP_TO_DAYS`] days or any date gives only a month) and turns the
//! sums into rows. Articles without a date slant can read are one more
//! period, `undated`, so they are counted, never dropped.

use std::collections::BTreeMap;

use compact_str::CompactString;
use foldhash::HashMap;
use time::{Date, Month, Weekday};

use super::{stats, wilson_estimate, ArticlePartial, Estimate};
use crate::corpus::OutletId;
use crate::lexicon::{ConceptKind, Lexicon};

/// Dates spanning at most this many days are shown by ISO week; longer
/// spans by calendar month, so a chart has between a few and a few dozen
/// points rather than hundreds.
pub const WEEKS_UP_TO_DAYS: i64 = 183;

/// The period of an undated article (no `published`, or one slant cannot
/// read); sorted after every dated period.
pub const UNDATED: &str = "undated";

/// What an article's `published` value says about when it appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Published {
    /// A calendar day.
    Day(Date),
    /// A month only (`2024-01`).
    Month(i32, Month),
    /// No value.
    Missing,
    /// A value that is none of the forms slant reads.
    Unreadable,
}

/// Reads a `published` value: an ISO 8601 date (`2024-01-04`), a date and
/// time that starts with one (`2024-01-04T10:00:00Z`, `2024-01-04 10:00`),
/// a month (`2024-01`), or an RFC 2822 date (`Thu, 04 Jan 2024 10:00:00
/// +0000`). The time of day and the zone are not used: an article is
/// placed on the day its outlet dated it.
///
/// ```
/// use slant::score::timeline::{published, Published};
/// use time::{macros::date, Month};
/// assert_eq!(published(Some("2024-01-04")), Published::Day(date!(2024 - 01 - 04)));
/// assert_eq!(published(Some("2024-01-04T23:30:00-05:00")), Published::Day(date!(2024 - 01 - 04)));
/// assert_eq!(published(Some("2024-01")), Published::Month(2024, Month::January));
/// assert_eq!(published(Some("")), Published::Missing);
/// assert_eq!(published(Some("last Tuesday")), Published::Unreadable);
/// ```
pub fn published(value: Option<&str>) -> Published {
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Published::Missing;
    }
    let day = time::macros::format_description!("[year]-[month]-[day]");
    if let Some(head) = value.get(..10) {
        let rest = &value[10..];
        if rest.is_empty() || rest.starts_with(['T', 't', ' ']) {
            if let Ok(d) = Date::parse(head, &day) {
                return Published::Day(d);
            }
        }
    }
    if value.len() == 7 {
        if let Ok(d) = Date::parse(&format!("{value}-01"), &day) {
            return Published::Month(d.year(), d.month());
        }
    }
    if let Ok(t) =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822)
    {
        return Published::Day(t.date());
    }
    Published::Unreadable
}

/// How dates are grouped into periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Week,
    Month,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Week => "week",
            Unit::Month => "month",
        }
    }
}

/// A period: its label (`2024-W02`, `2024-01`, or [`UNDATED`]) and its
/// first and last day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    /// First day; `None` for the undated articles, which sort last.
    pub start: Option<Date>,
    pub end: Option<Date>,
    pub label: String,
}

impl Period {
    fn undated() -> Period {
        Period {
            // `None` sorts first; undated is made to sort last by its key.
            start: None,
            end: None,
            label: UNDATED.into(),
        }
    }

    /// The period `when` falls in.
    pub fn of(when: Published, unit: Unit) -> Period {
        match (when, unit) {
            (Published::Day(d), Unit::Week) => {
                let (year, week, _) = d.to_iso_week_date();
                let start = Date::from_iso_week_date(year, week, Weekday::Monday).unwrap_or(d);
                Period {
                    start: Some(start),
                    end: start.checked_add(time::Duration::days(6)),
                    label: format!("{year}-W{week:02}"),
                }
            }
            (Published::Day(d), Unit::Month) => Period::month(d.year(), d.month()),
            (Published::Month(y, m), _) => Period::month(y, m),
            _ => Period::undated(),
        }
    }

    fn month(year: i32, month: Month) -> Period {
        let start = Date::from_calendar_date(year, month, 1).ok();
        let end = Date::from_calendar_date(year, month, month.length(year)).ok();
        Period {
            start,
            end,
            label: format!("{year}-{:02}", month as u8),
        }
    }

    /// Sort key: dated periods by their first day, undated last.
    fn order(&self) -> PeriodOrder {
        (self.start.is_none(), self.start)
    }
}

/// Where a period sorts: dated ones by their first day, undated last.
type PeriodOrder = (bool, Option<Date>);

/// One key's (an outlet's or a group's) dated sums.
#[derive(Debug, Clone, Default, PartialEq)]
struct KeyDates {
    /// (when, own-voice words, Σ own-voice loadedness) per article.
    articles: Vec<(Published, f64, f64)>,
    /// (when, concept, label) → own-voice mentions.
    labels: HashMap<(Published, CompactString, CompactString), u64>,
}

impl KeyDates {
    fn add(&mut self, when: Published, p: &ArticlePartial, referents: &[String]) {
        self.articles
            .push((when, p.sums.words_own, p.sums.loaded_own));
        for (concept, label, n) in p.labels_own() {
            if referents.iter().any(|r| r == concept) {
                *self
                    .labels
                    .entry((when, concept.into(), label.into()))
                    .or_default() += n;
            }
        }
    }

    fn merge(&mut self, other: KeyDates) {
        self.articles.extend(other.articles);
        for (k, n) in other.labels {
            *self.labels.entry(k).or_default() += n;
        }
    }
}

/// The timeline's sums per outlet and per group; mergeable like
/// [`super::OutletAccumulator`]. Only referent concepts' labels are kept:
/// they are the labeling choices (general-layer words are not labels
/// competing for one referent).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineAccumulator {
    referents: Vec<String>,
    outlets: BTreeMap<OutletId, KeyDates>,
    groups: BTreeMap<OutletId, KeyDates>,
}

impl TimelineAccumulator {
    /// An empty timeline for the referent concepts of `lexicon`.
    pub fn new(lexicon: &Lexicon) -> TimelineAccumulator {
        TimelineAccumulator {
            referents: lexicon
                .concepts()
                .iter()
                .filter(|c| c.kind == ConceptKind::Referent)
                .map(|c| c.id.clone())
                .collect(),
            ..TimelineAccumulator::default()
        }
    }

    /// Adds one article of `outlet` (and of `group`, when it has one),
    /// dated by its `published` value.
    pub fn add(
        &mut self,
        outlet: &OutletId,
        group: Option<&str>,
        published_value: Option<&str>,
        p: &ArticlePartial,
    ) {
        let when = published(published_value);
        let entry = match self.outlets.get_mut(outlet) {
            Some(e) => e,
            None => self.outlets.entry(outlet.clone()).or_default(),
        };
        entry.add(when, p, &self.referents);
        if let Some(group) = group {
            let entry = match self.groups.get_mut(group) {
                Some(e) => e,
                None => self.groups.entry(OutletId(group.into())).or_default(),
            };
            entry.add(when, p, &self.referents);
        }
    }

    /// Folds another accumulator (of other articles) into this one.
    pub fn merge(&mut self, other: TimelineAccumulator) {
        for (mine, theirs) in [
            (&mut self.outlets, other.outlets),
            (&mut self.groups, other.groups),
        ] {
            for (key, dates) in theirs {
                mine.entry(key).or_default().merge(dates);
            }
        }
    }

    /// The period unit for these dates: weeks when every date is a day
    /// and they span at most [`WEEKS_UP_TO_DAYS`] days; else months.
    pub fn unit(&self) -> Unit {
        let (mut first, mut last) = (None::<Date>, None::<Date>);
        for when in self.outlets.values().flat_map(|k| &k.articles).map(|a| a.0) {
            match when {
                Published::Month(..) => return Unit::Month,
                Published::Day(d) => {
                    first = Some(first.map_or(d, |f| f.min(d)));
                    last = Some(last.map_or(d, |l| l.max(d)));
                }
                _ => {}
            }
        }
        match (first, last) {
            (Some(f), Some(l)) if (l - f).whole_days() > WEEKS_UP_TO_DAYS => Unit::Month,
            _ => Unit::Week,
        }
    }

    /// The rows of `timeline.csv`: per scope (outlets, then groups), key
    /// and period (in time order, undated last), the period's rate row,
    /// then for each referent concept used that period (lexicon order) its
    /// labels' rows (lexicon order, labels the lexicon does not list
    /// after, by name) and its `(all)` row.
    pub fn finish(&self, lexicon: &Lexicon) -> Timeline {
        let unit = self.unit();
        let mut label_order: Vec<(&str, &str)> = Vec::new();
        for c in lexicon.concepts() {
            if self.referents.contains(&c.id) {
                for l in &c.labels {
                    label_order.push((&c.id, &l.id));
                }
            }
        }
        let mut rows = Vec::new();
        for (scope, keys) in [(Scope::Outlet, &self.outlets), (Scope::Group, &self.groups)] {
            for (key, dates) in keys {
                key_rows(
                    scope,
                    &key.0,
                    dates,
                    unit,
                    &self.referents,
                    &label_order,
                    &mut rows,
                );
            }
        }
        Timeline { unit, rows }
    }
}

fn key_rows(
    scope: Scope,
    key: &str,
    dates: &KeyDates,
    unit: Unit,
    referents: &[String],
    label_order: &[(&str, &str)],
    rows: &mut Vec<TimelineRow>,
) {
    let mut periods: BTreeMap<PeriodOrder, (Period, Vec<(f64, f64)>)> = BTreeMap::new();
    for &(when, words, loaded) in &dates.articles {
        let period = Period::of(when, unit);
        periods
            .entry(period.order())
            .or_insert_with(|| (period, Vec::new()))
            .1
            .push((loaded * 1000.0, words));
    }
    // (period order, concept, label) → mentions
    let mut labels: BTreeMap<PeriodOrder, BTreeMap<(&str, &str), u64>> = BTreeMap::new();
    for ((when, concept, label), n) in &dates.labels {
        *labels
            .entry(Period::of(*when, unit).order())
            .or_default()
            .entry((concept.as_str(), label.as_str()))
            .or_default() += n;
    }
    for (order, (period, mut articles)) in periods {
        // The resamples draw by position: sorted, the interval does not
        // depend on the order the articles were folded in.
        articles.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        let words: f64 = articles.iter().map(|a| a.1).sum();
        let loaded: f64 = articles.iter().map(|a| a.0).sum();
        let ci_key = format!("{}\u{1f}{key}\u{1f}{}", scope.as_str(), period.label);
        rows.push(TimelineRow {
            scope,
            key: key.to_string(),
            period: period.clone(),
            cells: Cells::Rate {
                articles: articles.len() as u64,
                words_own: words as u64,
                loaded_per_1k_own: Estimate {
                    value: (words > 0.0).then(|| loaded / words),
                    ci: stats::bootstrap_ratio(&articles, &ci_key),
                    n: articles.len() as u64,
                },
            },
        });
        let Some(used) = labels.get(&order) else {
            continue;
        };
        for concept in referents {
            let mut of_concept: Vec<((&str, &str), u64)> = used
                .iter()
                .filter(|((c, _), _)| c == concept)
                .map(|(k, n)| (*k, *n))
                .collect();
            if of_concept.is_empty() {
                continue;
            }
            // Lexicon order, then labels it does not list by name.
            of_concept.sort_by_key(|(k, _)| {
                (
                    label_order
                        .iter()
                        .position(|o| o == k)
                        .unwrap_or(usize::MAX),
                    k.1,
                )
            });
            let total: u64 = of_concept.iter().map(|x| x.1).sum();
            for ((c, l), n) in of_concept
                .into_iter()
                .chain([((concept.as_str(), super::ALL_LABELS), total)])
            {
                rows.push(TimelineRow {
                    scope,
                    key: key.to_string(),
                    period: period.clone(),
                    cells: Cells::Label {
                        concept: c.to_string(),
                        label: l.to_string(),
                        mentions_own: n,
                        share_own: wilson_estimate(n, total),
                    },
                });
            }
        }
    }
}

/// Whose row: an outlet's or a group's (the discovery reports' too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Outlet,
    Group,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Outlet => "outlet",
            Scope::Group => "group",
        }
    }
}

/// What a row of `timeline.csv` holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    /// The key's own-voice rate over the period's articles, with a
    /// bootstrap interval over those articles.
    Rate {
        articles: u64,
        words_own: u64,
        loaded_per_1k_own: Estimate,
    },
    /// One label's own-voice mentions in the period and its share of its
    /// concept's (`label` = `(all)`: the concept's total), with a Wilson
    /// interval.
    Label {
        concept: String,
        label: String,
        mentions_own: u64,
        share_own: Estimate,
    },
}

/// One row of `timeline.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRow {
    pub scope: Scope,
    pub key: String,
    pub period: Period,
    pub cells: Cells,
}

/// The timeline table and the unit its periods are in.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub unit: Unit,
    pub rows: Vec<TimelineRow>,
}

impl Default for Timeline {
    fn default() -> Timeline {
        Timeline {
            unit: Unit::Week,
            rows: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn partial(words: f64, loaded: f64) -> ArticlePartial {
        let mut p = ArticlePartial::default();
        p.sums.words_own = words;
        p.sums.loaded_own = loaded;
        p
    }

    fn labelled(words: f64, loaded: f64, labels: &[(&str, &str, u64)]) -> ArticlePartial {
        let mut p = partial(words, loaded);
        p.labels = labels
            .iter()
            .map(|&(c, l, n)| {
                (
                    (c.into(), l.into()),
                    super::super::LabelPart {
                        mentions_own: n,
                        mentions_all: n,
                        ..Default::default()
                    },
                )
            })
            .collect();
        p
    }

    #[test]
    fn dates_are_read_in_the_forms_news_gives_them() {
        assert_eq!(
            published(Some(" 2024-02-29 ")),
            Published::Day(date!(2024 - 02 - 29))
        );
        assert_eq!(
            published(Some("Thu, 04 Jan 2024 10:00:00 +0000")),
            Published::Day(date!(2024 - 01 - 04))
        );
        assert_eq!(published(Some("2023-02-29")), Published::Unreadable);
        assert_eq!(published(Some("2024-01-04junk")), Published::Unreadable);
        assert_eq!(published(Some("2024-13")), Published::Unreadable);
        assert_eq!(published(None), Published::Missing);
    }

    #[test]
    fn weeks_are_iso_weeks_and_months_calendar_months() {
        let w = Period::of(Published::Day(date!(2024 - 01 - 01)), Unit::Week);
        assert_eq!(w.label, "2024-W01");
        assert_eq!(w.start, Some(date!(2024 - 01 - 01)));
        assert_eq!(w.end, Some(date!(2024 - 01 - 07)));
        // 2021-01-03 is a Sunday in the last ISO week of 2020.
        let w = Period::of(Published::Day(date!(2021 - 01 - 03)), Unit::Week);
        assert_eq!(w.label, "2020-W53");
        let m = Period::of(Published::Day(date!(2024 - 02 - 10)), Unit::Month);
        assert_eq!(
            (m.label.as_str(), m.end),
            ("2024-02", Some(date!(2024 - 02 - 29)))
        );
    }

    #[test]
    fn the_unit_follows_the_span_and_the_precision() {
        let lexicon = Lexicon::embedded();
        let o = OutletId("o".into());
        let mut t = TimelineAccumulator::new(&lexicon);
        t.add(&o, None, Some("2024-01-01"), &partial(100.0, 1.0));
        t.add(&o, None, Some("2024-07-01"), &partial(100.0, 1.0));
        assert_eq!(t.unit(), Unit::Week, "182 days");
        t.add(&o, None, Some("2024-07-03"), &partial(100.0, 1.0));
        assert_eq!(t.unit(), Unit::Month, "184 days");
        let mut t = TimelineAccumulator::new(&lexicon);
        t.add(&o, None, Some("2024-01-01"), &partial(100.0, 1.0));
        t.add(&o, None, Some("2024-01"), &partial(100.0, 1.0));
        assert_eq!(t.unit(), Unit::Month, "a month-only date");
    }

    #[test]
    fn rows_count_every_article_and_shares_sum_per_concept() {
        let lexicon = Lexicon::embedded();
        let o = OutletId("o".into());
        let mut t = TimelineAccumulator::new(&lexicon);
        let occupation = labelled(
            200.0,
            1.6,
            &[("us_presence", "occupation", 2), ("emotive", "martyred", 1)],
        );
        t.add(&o, Some("g"), Some("2024-01-02"), &occupation);
        t.add(&o, Some("g"), Some("2024-01-03"), &partial(100.0, 0.0));
        t.add(
            &o,
            None,
            Some("2024-01-10"),
            &labelled(100.0, 0.0, &[("us_presence", "us_forces", 1)]),
        );
        t.add(&o, None, None, &partial(50.0, 0.5));
        t.add(&o, None, Some("soon"), &partial(50.0, 0.0));
        let timeline = t.finish(&lexicon);
        assert_eq!(timeline.unit, Unit::Week);
        let outlet: Vec<_> = timeline
            .rows
            .iter()
            .filter(|r| r.scope == Scope::Outlet)
            .collect();
        let rates: Vec<_> = outlet
            .iter()
            .filter_map(|r| match &r.cells {
                Cells::Rate {
                    articles,
                    loaded_per_1k_own,
                    ..
                } => Some((r.period.label.as_str(), *articles, loaded_per_1k_own.value)),
                _ => None,
            })
            .collect();
        assert_eq!(
            rates,
            [
                ("2024-W01", 2, Some(1600.0 / 300.0)),
                ("2024-W02", 1, Some(0.0)),
                (UNDATED, 2, Some(500.0 / 100.0)),
            ]
        );
        // Week 1: the occupation label's row and its concept's total; the
        // general-layer word is no label choice.
        let w1: Vec<_> = outlet
            .iter()
            .filter(|r| r.period.label == "2024-W01")
            .filter_map(|r| match &r.cells {
                Cells::Label {
                    label,
                    mentions_own,
                    share_own,
                    ..
                } => Some((label.as_str(), *mentions_own, share_own.value)),
                _ => None,
            })
            .collect();
        assert_eq!(w1, [("occupation", 2, Some(1.0)), ("(all)", 2, Some(1.0))]);
        // The group holds its two articles only.
        let group_articles: u64 = timeline
            .rows
            .iter()
            .filter(|r| r.scope == Scope::Group)
            .filter_map(|r| match r.cells {
                Cells::Rate { articles, .. } => Some(articles),
                _ => None,
            })
            .sum();
        assert_eq!(group_articles, 2);
    }

    #[test]
    fn merged_shards_give_the_whole() {
        let lexicon = Lexicon::embedded();
        let o = OutletId("o".into());
        let days = ["2024-01-02", "2024-01-09", "2024-01-16", "2024-01-17"];
        let mut whole = TimelineAccumulator::new(&lexicon);
        let (mut a, mut b) = (whole.clone(), whole.clone());
        for (i, d) in days.iter().enumerate() {
            let p = labelled(100.0, i as f64, &[("us_presence", "occupation", 1)]);
            whole.add(&o, None, Some(d), &p);
            if i % 2 == 0 { &mut a } else { &mut b }.add(&o, None, Some(d), &p);
        }
        a.merge(b);
        assert_eq!(a.finish(&lexicon), whole.finish(&lexicon));
    }
}
