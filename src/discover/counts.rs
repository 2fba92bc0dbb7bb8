//! What discovery keeps of a run: phrase counts per cell (an outlet and
//! the article's group), the names of the phrases, and each article's
//! own-voice lexicon labels for the permutation tests. Everything here is
//! folded one article at a time, in any order, so a rerun folds its cached
//! articles the same way a full run folds fresh ones.

use std::collections::BTreeMap;

use compact_str::CompactString;
use foldhash::HashMap;

use crate::corpus::OutletId;
use crate::text::phrases::ArticlePhrases;

/// Uses of one phrase in one cell: how often and in how many articles, in
/// the outlet's own voice and in quoted or attributed speech.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uses {
    pub own: u32,
    pub other: u32,
    pub articles_own: u32,
    pub articles_other: u32,
}

/// A cell's uses of a phrase, and whether the accumulator has its name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellUses {
    pub uses: Uses,
    /// Its articles' shapes ORed ([`crate::text::phrases::display`]).
    pub shape: u16,
    named: bool,
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
}

/// The articles of one outlet that share one group value (or have none).
#[derive(Debug, Clone, Default)]
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

    /// Adds one article of `outlet` in `group`: its phrases and its
    /// own-voice lexicon labels as (concept, label, mentions).
    pub fn add<'l>(
        &mut self,
        outlet: &OutletId,
        group: Option<&str>,
        phrases: &ArticlePhrases,
        labels: impl IntoIterator<Item = (&'l str, &'l str, u64)>,
    ) {
        let cell = self.cell(outlet, group);
        let c = &mut self.cells[cell as usize];
        c.articles += 1;
        let mut names = phrases.names();
        for u in &phrases.uses {
            c.total_own += u64::from(u.own);
            c.total_other += u64::from(u.other);
            let name = names.next();
            let uses = Uses {
                own: u.own,
                other: u.other,
                articles_own: u32::from(u.own > 0),
                articles_other: u32::from(u.other > 0),
            };
            let entry = match c.phrases.get_mut(&u.hash) {
                Some(e) => e,
                None => {
                    let named = self.names.contains_key(&u.hash);
                    c.phrases.entry(u.hash).or_insert(CellUses {
                        uses: Uses::default(),
                        shape: 0,
                        named,
                    })
                }
            };
            entry.uses.add(&uses);
            entry.shape |= u.shape;
            // A name is looked up once per cell and phrase, not per use.
            if !entry.named {
                if let Some(name) = name {
                    self.names.insert(u.hash, CompactString::from(name));
                    entry.named = true;
                }
            }
        }
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

    /// The cells, in the order first met.
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
        let shape = cell.phrases.get(&hash).map_or(0, |u| u.shape);
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
                e.shape |= u.shape;
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

/// A report breaks its figures down by outlet and by group.
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

/// Every key ([`keys`]) with its cells summed: what each report of a key
/// reads, summed once for all of them.
pub fn key_cells(d: &Discovery) -> Vec<(Key, Cell)> {
    keys(d)
        .into_iter()
        .map(|key| {
            let cell = d.sum(|c| key.holds(c));
            (key, cell)
        })
        .collect()
}

/// Every outlet, then every group, sorted by name.
pub fn keys(d: &Discovery) -> Vec<Key> {
    let mut outlets: Vec<&str> = d.cells.iter().map(|c| c.outlet.0.as_str()).collect();
    outlets.sort_unstable();
    outlets.dedup();
    let mut groups: Vec<&str> = d.cells.iter().filter_map(|c| c.group.as_deref()).collect();
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
}
