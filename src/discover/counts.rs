//! What discovery keeps of a run: phrase counts per cell (an outlet and
//! the article's group), the names of the phrases, and each article's
//! own-voice lexicon labels for the permutation tests. Everything here is
//! folded one article at a time, in any order, and an article can be taken
//! out again ([`Discovery::remove`]): a rerun starts from the cells the
//! previous run kept ([`SavedCells`]), takes out the articles that changed
//! or left and adds the new ones, rather than folding every cached article
//! again.

use std::borrow::Cow;
use std::collections::BTreeMap;

use compact_str::CompactString;
use foldhash::HashMap;
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::corpus::OutletId;
use crate::text::phrases::ArticlePhrases;

/// Uses of one phrase in one cell: how often and in how many articles, in
/// the outlet's own voice and in quoted or attributed speech.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uses {
    pub own: u32,
    pub other: u32,
    pub articles_own: u32,
    pub articles_other: u32,
}

/// A cell's uses of a phrase, and whether the accumulator has its name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CellUses {
    pub uses: Uses,
    /// Its articles' shapes ([`crate::text::phrases::display`]).
    pub shapes: Shapes,
    named: bool,
}

/// The shapes of a phrase's articles ([`crate::text::phrases::PhraseUse::shape`]),
/// each with the number of articles that write the phrase so. Counted
/// rather than ORed so that an article taken out takes its shape with it;
/// most phrases are written one way, which fits without an allocation.
///
/// ```
/// use slant::discover::counts::Shapes;
///
/// let mut s = Shapes::default();
/// s.add(0b01, 1);
/// s.add(0b10, 2);
/// assert_eq!(s.or(), 0b11);
/// assert!(s.remove(0b01));
/// assert_eq!(s.or(), 0b10);
/// assert!(!s.remove(0b01));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shapes(SmallVec<[(u16, u32); 1]>);

impl Shapes {
    /// Counts `n` more articles that write the phrase as `shape`.
    pub fn add(&mut self, shape: u16, n: u32) {
        match self.0.iter_mut().find(|(s, _)| *s == shape) {
            Some((_, count)) => *count += n,
            None => self.0.push((shape, n)),
        }
    }

    /// Takes out one article that wrote the phrase as `shape`; `false`
    /// when no article did.
    pub fn remove(&mut self, shape: u16) -> bool {
        let Some(i) = self.0.iter().position(|(s, _)| *s == shape) else {
            return false;
        };
        self.0[i].1 -= 1;
        if self.0[i].1 == 0 {
            self.0.swap_remove(i);
        }
        true
    }

    /// The shapes ORed: what [`crate::text::phrases::display`] reads.
    pub fn or(&self) -> u16 {
        self.0.iter().fold(0, |acc, (s, _)| acc | s)
    }

    fn merge(&mut self, other: &Shapes) {
        for &(shape, n) in &other.0 {
            self.add(shape, n);
        }
    }
}

impl Uses {
    /// (uses, articles) counted: own voice, or every voice with `quotes`.
    /// An article that uses the phrase in both voices counts once.
    pub fn counted(&self, quotes: bool) -> (u64, u32) {
        if quotes {
            (
                u64::from(self.own) + u64::from(self.other),
                self.articles_own.max(self.articles_other),
            )
        } else {
            (u64::from(self.own), self.articles_own)
        }
    }

    fn add(&mut self, other: &Uses) {
        self.own += other.own;
        self.other += other.other;
        self.articles_own += other.articles_own;
        self.articles_other += other.articles_other;
    }

    /// Takes `other` away; `false` when it was not all there.
    fn remove(&mut self, other: &Uses) -> bool {
        let take = |a: &mut u32, b: u32| match a.checked_sub(b) {
            Some(v) => {
                *a = v;
                true
            }
            None => false,
        };
        take(&mut self.own, other.own)
            & take(&mut self.other, other.other)
            & take(&mut self.articles_own, other.articles_own)
            & take(&mut self.articles_other, other.articles_other)
    }

    fn is_empty(&self) -> bool {
        *self == Uses::default()
    }

    /// One article's uses: how often, and that it is one article.
    fn of(u: &crate::text::phrases::PhraseUse) -> Uses {
        Uses {
            own: u.own,
            other: u.other,
            articles_own: u32::from(u.own > 0),
            articles_other: u32::from(u.other > 0),
        }
    }
}

/// The articles of one outlet that share one group value (or have none).
/// A cell whose articles have all been taken out has none and takes part
/// in nothing.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Cell {
    pub outlet: OutletId,
    pub group: Option<String>,
    pub articles: u32,
    /// Phrase uses summed over the cell's articles, own voice and other.
    pub total_own: u64,
    pub total_other: u64,
    pub phrases: HashMap<u64, CellUses>,
}

/// One article's own-voice uses of the lexicon's labels: (label index,
/// mentions), for the permutation tests of `divergence.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleLabels {
    pub cell: u32,
    pub labels: Vec<(u32, u32)>,
}

/// The discovery accumulator of a run. Names are keys, the same whichever
/// article gives them; only counts and shapes come from the articles.
///
/// ```
/// use slant::corpus::OutletId;
/// use slant::discover::Discovery;
/// use slant::text::{phrases::{article_phrases, phrase_hash}, PreparedText, RepeatedLines};
///
/// let mut d = Discovery::default();
/// for (outlet, text) in [("a", "US troops left."), ("b", "The occupation forces left.")] {
///     let p = article_phrases(&PreparedText::prepare(text, &RepeatedLines::empty()));
///     d.add(&OutletId(outlet.into()), Some("left"), &p, []);
/// }
/// let left = d.sum(|c| c.group.as_deref() == Some("left"));
/// assert_eq!(left.articles, 2);
/// assert_eq!(left.phrases[&phrase_hash("left")].uses.articles_own, 2);
/// assert_eq!(d.name(phrase_hash("occupation forces")), Some("occupation forces"));
/// ```
#[derive(Debug, Default)]
pub struct Discovery {
    cells: Vec<Cell>,
    cell_of: BTreeMap<(OutletId, Option<String>), u32>,
    names: HashMap<u64, CompactString>,
    label_of: BTreeMap<(CompactString, CompactString), u32>,
    labels: Vec<(String, String)>,
    articles: Vec<ArticleLabels>,
}

impl Discovery {
    /// An accumulator that knows the names a previous run kept.
    pub fn with_names(names: &[(u64, String)]) -> Discovery {
        let mut d = Discovery::default();
        d.names.reserve(names.len());
        for (hash, name) in names {
            d.names.insert(*hash, CompactString::from(name.as_str()));
        }
        d
    }

    /// An accumulator that starts from the cells a previous run kept
    /// ([`Discovery::saved`]) and knows its names. The articles behind the
    /// cells are in them; their labels are not: each article of this run,
    /// cached or not, gives its labels ([`Discovery::add_labels`]).
    pub fn resume(cells: Vec<Cell>, names: &[(u64, String)]) -> Discovery {
        let mut d = Discovery::with_names(names);
        for (i, c) in cells.iter().enumerate() {
            d.cell_of
                .insert((c.outlet.clone(), c.group.clone()), i as u32);
        }
        d.cells = cells;
        d
    }

    /// What the next run resumes from: the cells, and the cell of each
    /// article in the order they were added (see [`SavedCells`]).
    pub fn saved<'a>(&'a self, article_cells: &'a [u32]) -> SavedCells<'a> {
        SavedCells {
            cells: &self.cells,
            article_cells,
        }
    }

    /// Adds one article of `outlet` in `group`: its phrases and its
    /// own-voice lexicon labels as (concept, label, mentions). Returns
    /// its cell.
    pub fn add<'l>(
        &mut self,
        outlet: &OutletId,
        group: Option<&str>,
        phrases: &ArticlePhrases,
        labels: impl IntoIterator<Item = (&'l str, &'l str, u64)>,
    ) -> u32 {
        let cell = self.cell(outlet, group);
        self.add_phrases(cell, phrases);
        self.add_labels(cell, labels);
        cell
    }

    /// Adds an article's phrases to cell `cell` (from [`Discovery::cell_of`]).
    pub fn add_phrases(&mut self, cell: u32, phrases: &ArticlePhrases) {
        let c = &mut self.cells[cell as usize];
        c.articles += 1;
        let mut names = phrases.names();
        for u in &phrases.uses {
            c.total_own += u64::from(u.own);
            c.total_other += u64::from(u.other);
            let name = names.next();
            let entry = match c.phrases.get_mut(&u.hash) {
                Some(e) => e,
                None => {
                    let named = self.names.contains_key(&u.hash);
                    c.phrases.entry(u.hash).or_insert(CellUses {
                        named,
                        ..CellUses::default()
                    })
                }
            };
            entry.uses.add(&Uses::of(u));
            entry.shapes.add(u.shape, 1);
            // A name is looked up once per cell and phrase, not per use.
            if !entry.named {
                if let Some(name) = name {
                    self.names.insert(u.hash, CompactString::from(name));
                    entry.named = true;
                }
            }
        }
    }

    /// Takes an article's phrases, added before, out of cell `cell`.
    /// `false` when the cell did not hold them (a cache that does not
    /// match its cells): the counts are then wrong, and the caller must
    /// start again from the articles.
    #[must_use]
    pub fn remove(&mut self, cell: u32, phrases: &ArticlePhrases) -> bool {
        let Some(c) = self.cells.get_mut(cell as usize) else {
            return false;
        };
        let Some(articles) = c.articles.checked_sub(1) else {
            return false;
        };
        c.articles = articles;
        let mut whole = true;
        for u in &phrases.uses {
            let total = (
                c.total_own.checked_sub(u64::from(u.own)),
                c.total_other.checked_sub(u64::from(u.other)),
            );
            let (Some(own), Some(other)) = total else {
                return false;
            };
            (c.total_own, c.total_other) = (own, other);
            let Some(entry) = c.phrases.get_mut(&u.hash) else {
                return false;
            };
            whole &= entry.uses.remove(&Uses::of(u)) & entry.shapes.remove(u.shape);
            if entry.uses.is_empty() {
                whole &= entry.shapes.0.is_empty();
                c.phrases.remove(&u.hash);
            }
        }
        whole
    }

    /// Adds an article's own-voice lexicon labels as (concept, label,
    /// mentions), in cell `cell`, for the permutation tests: every article
    /// of a run gives them, in corpus order.
    pub fn add_labels<'l>(
        &mut self,
        cell: u32,
        labels: impl IntoIterator<Item = (&'l str, &'l str, u64)>,
    ) {
        let mut used = Vec::new();
        for (concept, label, n) in labels {
            if n == 0 {
                continue;
            }
            let key = (CompactString::from(concept), CompactString::from(label));
            let next = self.labels.len() as u32;
            let i = *self.label_of.entry(key).or_insert_with(|| {
                self.labels.push((concept.to_string(), label.to_string()));
                next
            });
            used.push((i, n.min(u64::from(u32::MAX)) as u32));
        }
        self.articles.push(ArticleLabels { cell, labels: used });
    }

    /// The cell of `outlet`'s articles in `group`, made when new.
    pub fn cell_of(&mut self, outlet: &OutletId, group: Option<&str>) -> u32 {
        self.cell(outlet, group)
    }

    fn cell(&mut self, outlet: &OutletId, group: Option<&str>) -> u32 {
        let key = (outlet.clone(), group.map(str::to_string));
        if let Some(&i) = self.cell_of.get(&key) {
            return i;
        }
        let i = self.cells.len() as u32;
        self.cells.push(Cell {
            outlet: outlet.clone(),
            group: key.1.clone(),
            ..Cell::default()
        });
        self.cell_of.insert(key, i);
        i
    }

    /// The cells, in the order first met; a cell whose articles were all
    /// taken out has `articles == 0`.
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// The articles' label uses, in the order added.
    pub fn articles(&self) -> &[ArticleLabels] {
        &self.articles
    }

    /// The (concept, label) of a label index in [`ArticleLabels`].
    pub fn label(&self, i: u32) -> Option<(&str, &str)> {
        self.labels
            .get(i as usize)
            .map(|(c, l)| (c.as_str(), l.as_str()))
    }

    /// A phrase's key ([`crate::text::phrases::phrase_key`]), when known.
    pub fn name(&self, hash: u64) -> Option<&str> {
        self.names.get(&hash).map(CompactString::as_str)
    }

    /// A phrase as reports show it: its key in the shape `cell` gives it
    /// (the corpus's, for one name across outlets).
    pub fn display(&self, hash: u64, cell: &Cell) -> Option<String> {
        let shape = cell.phrases.get(&hash).map_or(0, |u| u.shapes.or());
        self.name(hash)
            .map(|key| crate::text::phrases::display(key, shape))
    }

    /// The cells `select` picks, summed into one.
    pub fn sum(&self, select: impl Fn(&Cell) -> bool) -> Cell {
        let mut out = Cell::default();
        for c in self.cells.iter().filter(|c| select(c)) {
            out.articles += c.articles;
            out.total_own += c.total_own;
            out.total_other += c.total_other;
            if out.phrases.is_empty() {
                out.phrases = c.phrases.clone();
                continue;
            }
            out.phrases.reserve(c.phrases.len());
            for (h, u) in &c.phrases {
                let e = out.phrases.entry(*h).or_default();
                e.uses.add(&u.uses);
                e.shapes.merge(&u.shapes);
                e.named |= u.named;
            }
        }
        out
    }

    /// The names to keep for the next run: every phrase's the corpus still
    /// uses, so that a rerun names each phrase as the run that first met it
    /// did, and a report of a rerun is the report of a run from scratch on
    /// the same articles in the same order.
    pub fn names_to_keep(&self, corpus: &Cell) -> Vec<(u64, String)> {
        let mut out: Vec<(u64, String)> = corpus
            .phrases
            .keys()
            .filter_map(|h| self.name(*h).map(|n| (*h, n.to_string())))
            .collect();
        out.sort_unstable();
        out
    }
}

/// What a run keeps of discovery for the next run: every cell, and the
/// cell of each article in the order the run added them (the order of the
/// store's records). Written by reference, read back as [`LoadedCells`]:
/// the two encode alike.
#[derive(Debug, Serialize)]
pub struct SavedCells<'a> {
    pub cells: &'a [Cell],
    pub article_cells: &'a [u32],
}

/// [`SavedCells`] read back.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct LoadedCells {
    pub cells: Vec<Cell>,
    pub article_cells: Vec<u32>,
}

/// A report breaks its figures down by outlet and by group.
pub use crate::score::timeline::Scope;

/// An outlet or a group, and the cells that make it up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key {
    pub scope: Scope,
    pub name: String,
}

impl Key {
    /// Whether `cell` belongs to this key.
    pub fn holds(&self, cell: &Cell) -> bool {
        match self.scope {
            Scope::Outlet => cell.outlet.0 == self.name,
            Scope::Group => cell.group.as_deref() == Some(self.name.as_str()),
        }
    }
}

/// A key and its cells summed: borrowed when one cell holds all its
/// articles, as an outlet's does unless its articles have several groups.
pub type KeyCell<'a> = (Key, Cow<'a, Cell>);

/// Every key ([`keys`]) with its cells summed: what each report of a key
/// reads, summed once for all of them. A key of one cell borrows it: a
/// copy of every outlet's counts is as large as the counts themselves.
pub fn key_cells(d: &Discovery) -> Vec<KeyCell<'_>> {
    keys(d)
        .into_iter()
        .map(|key| {
            let mut live = d.cells.iter().filter(|c| c.articles > 0 && key.holds(c));
            let cell = match (live.next(), live.next()) {
                (Some(one), None) => Cow::Borrowed(one),
                _ => Cow::Owned(d.sum(|c| key.holds(c))),
            };
            (key, cell)
        })
        .collect()
}

/// Every outlet, then every group, sorted by name.
pub fn keys(d: &Discovery) -> Vec<Key> {
    let live = || d.cells.iter().filter(|c| c.articles > 0);
    let mut outlets: Vec<&str> = live().map(|c| c.outlet.0.as_str()).collect();
    outlets.sort_unstable();
    outlets.dedup();
    let mut groups: Vec<&str> = live().filter_map(|c| c.group.as_deref()).collect();
    groups.sort_unstable();
    groups.dedup();
    outlets
        .into_iter()
        .map(|o| Key {
            scope: Scope::Outlet,
            name: o.to_string(),
        })
        .chain(groups.into_iter().map(|g| Key {
            scope: Scope::Group,
            name: g.to_string(),
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::phrases::PhraseUse;

    fn phrases(uses: &[(u64, u32, u32)]) -> ArticlePhrases {
        ArticlePhrases {
            uses: uses
                .iter()
                .map(|&(hash, own, other)| PhraseUse {
                    hash,
                    own,
                    other,
                    shape: 0,
                })
                .collect(),
            names: uses
                .iter()
                .map(|u| format!("p{}", u.0))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    #[test]
    fn cells_sum_counts_and_articles_by_voice() {
        let mut d = Discovery::default();
        let a = OutletId("a".into());
        d.add(&a, Some("g"), &phrases(&[(1, 2, 0), (2, 0, 1)]), []);
        d.add(&a, Some("g"), &phrases(&[(1, 1, 1)]), [("c", "l", 2)]);
        d.add(&OutletId("b".into()), None, &phrases(&[(1, 5, 0)]), []);
        let g = d.sum(|c| c.group.as_deref() == Some("g"));
        assert_eq!(g.articles, 2);
        assert_eq!((g.total_own, g.total_other), (3, 2));
        assert_eq!(
            g.phrases[&1].uses,
            Uses {
                own: 3,
                other: 1,
                articles_own: 2,
                articles_other: 1
            }
        );
        assert_eq!(g.phrases[&1].uses.counted(true), (4, 2));
        let all = d.sum(|_| true);
        assert_eq!(all.phrases[&1].uses.counted(false), (8, 3));
        assert_eq!(d.articles()[1].labels, [(0, 2)]);
        assert_eq!(d.label(0), Some(("c", "l")));
        let kept: Vec<u64> = d.names_to_keep(&all).into_iter().map(|n| n.0).collect();
        assert_eq!(kept, [1, 2]);
        let k = keys(&d);
        assert_eq!(k.len(), 3, "{k:?}");
        assert!(k[2].holds(&d.cells()[0]) && !k[2].holds(&d.cells()[1]));
    }

    /// A cell as the reports can read it: outlet, group, articles, totals,
    /// and its phrases as (hash, uses, shape), sorted.
    type Seen = (String, Option<String>, u32, u64, u64, Vec<(u64, Uses, u16)>);

    fn seen(d: &Discovery) -> Vec<Seen> {
        let mut out: Vec<_> = d
            .cells()
            .iter()
            .filter(|c| c.articles > 0)
            .map(|c| {
                let mut p: Vec<_> = c
                    .phrases
                    .iter()
                    .map(|(h, u)| (*h, u.uses, u.shapes.or()))
                    .collect();
                p.sort_unstable_by_key(|e| e.0);
                (
                    c.outlet.0.clone(),
                    c.group.clone(),
                    c.articles,
                    c.total_own,
                    c.total_other,
                    p,
                )
            })
            .collect();
        out.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        out
    }

    fn shaped(uses: &[(u64, u32, u32, u16)]) -> ArticlePhrases {
        ArticlePhrases {
            uses: uses
                .iter()
                .map(|&(hash, own, other, shape)| PhraseUse {
                    hash,
                    own,
                    other,
                    shape,
                })
                .collect(),
            names: String::new(),
        }
    }

    #[test]
    fn taking_articles_out_of_resumed_cells_equals_counting_from_scratch() {
        let a = OutletId("a".into());
        let b = OutletId("b".into());
        let one = shaped(&[(1, 2, 0, 0b1), (2, 0, 1, 0)]);
        let two = shaped(&[(1, 1, 1, 0b1 << 8), (3, 1, 0, 0)]);
        let three = shaped(&[(1, 4, 0, 0b1)]);
        let four = shaped(&[(3, 0, 2, 0b10)]);
        // The previous run: one and two in a/g, three in b.
        let mut before = Discovery::default();
        let c1 = before.add(&a, Some("g"), &one, []);
        let c2 = before.add(&a, Some("g"), &two, []);
        let c3 = before.add(&b, None, &three, []);
        assert_eq!(c1, c2);
        // Round trip through the saved form, as the store does.
        let cells = [c1, c2, c3];
        let bytes = postcard::to_stdvec(&before.saved(&cells)).unwrap();
        let loaded: LoadedCells = postcard::from_bytes(&bytes).unwrap();
        assert_eq!(loaded.article_cells, cells);
        // This run: two left, three moved to group h, four is new.
        let mut after = Discovery::resume(loaded.cells, &[]);
        assert!(after.remove(c2, &two));
        assert!(after.remove(c3, &three));
        let h = after.cell_of(&b, Some("h"));
        after.add_phrases(h, &three);
        let g = after.cell_of(&a, Some("g"));
        after.add_phrases(g, &four);

        let mut fresh = Discovery::default();
        fresh.add(&a, Some("g"), &one, []);
        fresh.add(&b, Some("h"), &three, []);
        fresh.add(&a, Some("g"), &four, []);
        assert_eq!(seen(&after), seen(&fresh));
        // The cell b/none is empty, and in no key.
        assert!(after.cells().iter().any(|c| c.articles == 0));
        assert_eq!(keys(&after), keys(&fresh));
        // The shape of phrase 1 in a/g lost two's lower-case use.
        let ag = &seen(&after)[0].5;
        assert_eq!(
            ag[0],
            (
                1,
                Uses {
                    own: 2,
                    other: 0,
                    articles_own: 1,
                    articles_other: 0
                },
                0b1
            )
        );
    }

    #[test]
    fn taking_out_what_was_never_added_is_refused() {
        let a = OutletId("a".into());
        let mut d = Discovery::default();
        let c = d.add(&a, None, &shaped(&[(1, 1, 0, 0)]), []);
        assert!(!d.remove(c, &shaped(&[(2, 1, 0, 0)])));
        let mut d = Discovery::default();
        let c = d.add(&a, None, &shaped(&[(1, 1, 0, 0)]), []);
        assert!(!d.remove(c, &shaped(&[(1, 1, 0, 0b1)])), "another shape");
        assert!(!d.remove(7, &shaped(&[])), "no such cell");
        let mut d = Discovery::default();
        let c = d.cell_of(&a, None);
        assert!(!d.remove(c, &shaped(&[])), "no article in the cell");
    }
}
