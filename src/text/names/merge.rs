//! How names become actors: the spellings, transliterations, short forms
//! and acronyms of one name merged ([`merge_aliases`] within an article,
//! [`merge_corpus_aliases`] over a corpus).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{name_key, CONNECTORS};
use crate::text::dictionary::{is_given_name, is_ordinary_word};

/// Whether the key `short` is a short form of the key `long`: its last
/// word(s), not all of them, and not what follows an "of" or a "for"
/// ("Baghdad" is no short form of "University of Baghdad").
///
/// ```
/// use slant::text::names::{ends_name, name_key};
/// assert!(ends_name(&name_key("Qassem Soleimani"), &name_key("Soleimani")));
/// assert!(!ends_name(&name_key("University of Baghdad"), &name_key("Baghdad")));
/// assert!(!ends_name(&name_key("Soleimani"), &name_key("Soleimani")));
/// ```
pub fn ends_name(long: &[String], short: &[String]) -> bool {
    let Some(at) = long.len().checked_sub(short.len()).filter(|&at| at > 0) else {
        return false;
    };
    long.ends_with(short)
        && !CONNECTORS.contains(&long[at - 1].as_str())
        && !CONNECTORS.contains(&long[at].as_str())
}

/// Merges names into actors: each name (with how often it is used) → the
/// name of the actor it belongs to. The rules of one article; a corpus
/// adds one ([`merge_corpus_aliases`]).
///
/// * Spellings whose [`name_key`] is the same are one actor (`al-Sudani`,
///   `Al-Sudani`, `Al Sudani`).
/// * Names of two words or more that differ only as transliterations do
///   are one actor too: as many words, and each word of one has the same
///   consonants as the other's ([`consonants`]) and is at most two letters
///   away from it (`Mohammed Shia al-Sudani`, `Muhammad Shiaa al Sudani`;
///   `Qassem Soleimani`, `Qassam Soleimani`; but not `Ali Hassan` and `Ali
///   Hussein`).
/// * A short form, a name whose key is the last word(s) of longer names'
///   keys (`Sudani`, `Trump`), joins the one full name it is the end of.
///   Names that are themselves the end of a longer name count as that
///   longer name (`Shia al-Sudani` is `Mohammed Shia al-Sudani`).
/// * An acronym (one word of 2 to 6 capitals, dots aside, in its most used
///   spelling: `US`, `U.S.`, `FBI`) is a short form too, of the full names whose words' initials
///   spell it, with or without those of "of" and "for" (`United States`;
///   `Federal Bureau of Investigation`; `Centers for Disease Control`).
///   A person's name is not spelt so (`PR` is no short form of `Paul
///   Ryan`): a full name counts when it has an ordinary English word in it
///   ([`crate::text::dictionary`]: organisations and countries are named
///   with common words) or when its last word is not a name alone (as
///   `Ryan` is beside `Paul Ryan`). Nor is a name that holds the acronym
///   (`U.S. Senate`).
/// * A short form that two different full names end with (`Trump` after
///   `Donald Trump` and `Ivanka Trump`), or that two full names spell,
///   stays an actor of its own: which one is meant is not in the name.
///
/// An actor is named by the most used spelling (ties: the first in byte
/// order) of the full name its other names lead to, the longest: within
/// an article that is the name the article introduces it by. (A report
/// over a corpus names it by its most used name instead:
/// [`crate::score::actors::merge_actors`].) The result does not depend on
/// the order of `names`.
///
/// ```
/// use slant::text::names::merge_aliases;
/// let m = merge_aliases([("Mohammed Shia al-Sudani", 1), ("Al-Sudani", 4), ("Sudani", 1),
///                        ("Donald Trump", 1), ("Trump", 3), ("Ivanka Trump", 1),
///                        ("United States", 1), ("U.S.", 2)]);
/// assert_eq!(m["Sudani"], "Mohammed Shia al-Sudani");
/// assert_eq!(m["Al-Sudani"], "Mohammed Shia al-Sudani");
/// assert_eq!(m["Trump"], "Trump", "two full names end with it");
/// assert_eq!(m["U.S."], "United States");
/// ```
pub fn merge_aliases<'a>(
    names: impl IntoIterator<Item = (&'a str, u64)>,
) -> BTreeMap<String, String> {
    merge(names, None).0
}

/// The share, in percent, of a shared acronym's or surname's candidates'
/// uses that one full name must have for [`merge_corpus_aliases`] to give
/// it the short form.
pub const DOMINANT_PERCENT: u64 = 95;

/// [`merge_aliases`] over a whole corpus, with one more rule: a one-word
/// short form that several full names end with or spell joins the one
/// whose names have at least [`DOMINANT_PERCENT`] % of those full names'
/// uses, the names that end with a shorter candidate counted as its
/// (`U.S.` is `United States` when a corpus names it 444 times and `Uncle
/// Sam` and others 17 times), when the short form is an acronym or the
/// full name is a person's: it starts with a given name
/// ([`crate::text::dictionary`]) and holds no ordinary English word
/// (`Trump` is `Donald Trump` when Eric and Ivanka Trump are named a few
/// times besides). A bare "House" is seldom the White House's even where
/// the White House is named most, and "White House" is no person's name:
/// it stays an actor of its own. Within one article ([`merge_aliases`])
/// the rule does not apply.
///
/// What each joined short form went by is kept ([`CorpusMerge::by_share`]),
/// so a report can say which merges rest on this rule.
///
/// ```
/// use slant::text::names::merge_corpus_aliases;
/// let m = merge_corpus_aliases([("United States", 96), ("Uncle Sam", 4), ("US", 50),
///                               ("European Union", 80), ("Emergency Unit", 20), ("EU", 30),
///                               ("Donald Trump", 97), ("Ivanka Trump", 3), ("Trump", 50),
///                               ("White House", 98), ("Senate House", 2), ("House", 9)]);
/// assert_eq!(m.actor_of["US"], "United States");
/// assert_eq!(m.actor_of["EU"], "EU", "80 % is not enough");
/// assert_eq!(m.actor_of["Trump"], "Donald Trump");
/// assert_eq!(m.actor_of["House"], "House", "no person's name");
/// let joined = &m.by_share[0];
/// assert_eq!((joined.name.as_str(), joined.person, joined.candidates), ("Trump", 97, 100));
/// ```
pub fn merge_corpus_aliases<'a>(names: impl IntoIterator<Item = (&'a str, u64)>) -> CorpusMerge {
    let (actor_of, by_share) = merge(names, Some(DOMINANT_PERCENT));
    CorpusMerge { actor_of, by_share }
}

/// [`merge_corpus_aliases`]' result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusMerge {
    /// Each name → the name of its actor.
    pub actor_of: BTreeMap<String, String>,
    /// The acronyms and surnames joined to a full name by the share of its
    /// uses, in the order of their keys.
    pub by_share: Vec<ByShare>,
}

/// A short form joined to the person with [`DOMINANT_PERCENT`] % of its
/// candidates' uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ByShare {
    /// The short form, in its most used spelling.
    pub name: String,
    /// Its uses (its spellings' together).
    pub uses: u64,
    /// The uses of the person's names among the candidates…
    pub person: u64,
    /// …and of all the candidates: the full names the short form ends or
    /// spells.
    pub candidates: u64,
}

/// The merge; `dominant`: the share (percent) with which a shared short
/// form goes to the person most of its candidates' uses are of, those
/// joined so listed.
fn merge<'a>(
    names: impl IntoIterator<Item = (&'a str, u64)>,
    dominant: Option<u64>,
) -> (BTreeMap<String, String>, Vec<ByShare>) {
    let mut by_key: BTreeMap<Vec<String>, BTreeMap<&str, u64>> = BTreeMap::new();
    for (name, n) in names {
        let key = name_key(name);
        if key.is_empty() {
            continue;
        }
        *by_key.entry(key).or_default().entry(name).or_default() += n;
    }
    let keys: Vec<&[String]> = by_key.keys().map(Vec::as_slice).collect();
    let weight = |k: &[String]| -> u64 { by_key[k].values().sum() };
    // Transliterations: full names with the same consonants, word by word.
    let mut variant: HashMap<&[String], &[String]> = HashMap::new();
    let mut buckets: BTreeMap<Vec<String>, Vec<&[String]>> = BTreeMap::new();
    for &k in &keys {
        variant.insert(k, k);
        if k.len() >= 2 {
            buckets
                .entry(k.iter().map(|w| consonants(w)).collect())
                .or_default()
                .push(k);
        }
    }
    for bucket in buckets.values() {
        // Groups within the bucket, each led by its most used key.
        let mut groups: Vec<Vec<&[String]>> = Vec::new();
        for &k in bucket {
            let near = |g: &Vec<&[String]>| {
                g.iter().any(|o| {
                    o.iter()
                        .zip(k.iter())
                        .all(|(a, b)| edit_distance(a, b) <= 2)
                })
            };
            match groups.iter_mut().find(|g| near(g)) {
                Some(g) => g.push(k),
                None => groups.push(vec![k]),
            }
        }
        for g in groups {
            let lead = g
                .iter()
                .copied()
                .max_by(|a, b| weight(a).cmp(&weight(b)).then_with(|| b.cmp(a)))
                .unwrap_or(g[0]);
            for k in g {
                variant.insert(k, lead);
            }
        }
    }
    // Longest keys first: a short form's candidates are settled before
    // it; the spellings of one full name (as long as each other) together.
    let mut order: Vec<&[String]> = keys.clone();
    order.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    let mut root: HashMap<&[String], &[String]> = HashMap::new();
    // The uses of each root's names settled so far: a short form's
    // candidates, being longer, are complete when it is settled.
    let mut root_weight: HashMap<&[String], u64> = HashMap::new();
    // Proper suffix → the keys it ends.
    let mut ends: HashMap<&[String], Vec<&[String]>> = HashMap::new();
    // Initials → the full names they spell: not a person's ("PR" is no
    // short form of Paul Ryan). Organisations and countries are named with
    // common words, and their last word is seldom a name alone; people
    // are named with neither rule's exception.
    let mut spelled: HashMap<String, Vec<&[String]>> = HashMap::new();
    let no_person = |k: &[String]| {
        holds_ordinary_word(k)
            || !k
                .last()
                .is_some_and(|w| by_key.contains_key(std::slice::from_ref(w)))
    };
    for &k in keys.iter().filter(|k| k.len() >= 2 && no_person(k)) {
        let all: String = k.iter().filter_map(|w| w.chars().next()).collect();
        let core: String = k
            .iter()
            .filter(|w| !CONNECTORS.contains(&w.as_str()))
            .filter_map(|w| w.chars().next())
            .collect();
        spelled.entry(all.clone()).or_default().push(k);
        if core != all {
            spelled.entry(core).or_default().push(k);
        }
    }
    let spelling = |spellings: &BTreeMap<&str, u64>| -> String {
        let mut best: Option<(&str, u64)> = None;
        for (&s, &n) in spellings {
            if best.is_none_or(|b| n > b.1) {
                best = Some((s, n));
            }
        }
        best.map(|b| b.0.to_string()).unwrap_or_default()
    };
    // Written mostly in capitals: "TRUMP" in a headline is no acronym.
    let acronym = |k: &[String]| k.len() == 1 && is_acronym(&spelling(&by_key[k]));
    // Short form → (person's uses, candidates' uses), where the share chose.
    let mut by_share: Vec<(&[String], u64, u64)> = Vec::new();
    let mut at = 0;
    while at < order.len() {
        let len = order[at].len();
        let tier: Vec<&[String]> = order[at..]
            .iter()
            .copied()
            .take_while(|k| k.len() == len)
            .collect();
        at += tier.len();
        let mut candidates: BTreeMap<&[String], BTreeSet<&[String]>> = BTreeMap::new();
        for &k in &tier {
            let set = candidates.entry(variant[k]).or_default();
            if let Some(longer) = ends.get(k) {
                set.extend(longer.iter().map(|l| root[l]));
            }
            if let Some(full) = spelled.get(&k[0]).filter(|_| acronym(k)) {
                // "U.S. Senate" is built on "U.S.", not spelt by it.
                let spelt = full.iter().filter(|l| !l.contains(&k[0]));
                set.extend(spelt.map(|l| root[l]));
            }
        }
        for &k in &tier {
            let lead = variant[k];
            let r = match candidates.get(lead) {
                Some(set) if set.len() == 1 => set.iter().next().copied().unwrap_or(lead),
                // One word: an acronym, or a surname (of a person's name
                // only: a bare "House" is seldom the White House's).
                Some(set) if set.len() > 1 && k.len() == 1 => {
                    let joined = dominant
                        .and_then(|p| dominant_person(set, &root_weight, p))
                        .filter(|(full, ..)| acronym(k) || ends_with_person(full));
                    match joined {
                        Some((person, most, total)) => {
                            by_share.push((k, most, total));
                            person
                        }
                        None => lead,
                    }
                }
                _ => lead,
            };
            root.insert(k, r);
            *root_weight.entry(r).or_default() += weight(k);
        }
        for &k in &tier {
            // What follows "of" is another name ("Baghdad" in "University
            // of Baghdad"), not a short form of this one.
            for i in 1..k.len() {
                if ends_name(k, &k[i..]) {
                    ends.entry(&k[i..]).or_default().push(k);
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for (key, spellings) in &by_key {
        let r = root[key.as_slice()];
        let name = spelling(&by_key[r]);
        for s in spellings.keys() {
            out.insert(s.to_string(), name.clone());
        }
    }
    by_share.sort();
    let by_share = by_share
        .into_iter()
        .map(|(k, person, candidates)| ByShare {
            name: spelling(&by_key[k]),
            uses: weight(k),
            person,
            candidates,
        })
        .collect();
    (out, by_share)
}

/// The person most of a shared short form's candidates' uses are of, when
/// they are at least `percent` % of them: each candidate counted as the
/// shortest candidate it ends with (`Republican Donald Trump` as `Donald
/// Trump`), ties to the first key in order; with the person's uses and
/// all the candidates'.
fn dominant_person<'k>(
    candidates: &BTreeSet<&'k [String]>,
    weight: &HashMap<&[String], u64>,
    percent: u64,
) -> Option<(&'k [String], u64, u64)> {
    let mut persons: BTreeMap<&[String], u64> = BTreeMap::new();
    for &c in candidates {
        let person = candidates
            .iter()
            .copied()
            .filter(|&p| p == c || ends_name(c, p))
            .min_by_key(|p| p.len())
            .unwrap_or(c);
        *persons.entry(person).or_default() += weight.get(c).copied().unwrap_or(0);
    }
    let total: u64 = persons.values().sum();
    let (best, most) = persons
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0)))?;
    (total > 0 && most.saturating_mul(100) >= percent.saturating_mul(total))
        .then_some((best, most, total))
}

/// Whether a full name's key is or ends with a person's name: two words
/// or more, the first a given name ([`crate::text::dictionary`]), none an
/// ordinary English word or "of" ("Donald Trump", "Republican Donald
/// Trump"; not "White House", "Virginia Department of Health").
fn ends_with_person(key: &[String]) -> bool {
    (0..key.len().saturating_sub(1)).any(|at| {
        let name = &key[at..];
        is_given_name(&name[0])
            && !holds_ordinary_word(name)
            && !name.iter().any(|w| CONNECTORS.contains(&w.as_str()))
    })
}

/// Whether a key has an ordinary English word in it, "of" and "for"
/// aside: organisations and countries are named with common words.
fn holds_ordinary_word(key: &[String]) -> bool {
    key.iter()
        .any(|w| !CONNECTORS.contains(&w.as_str()) && is_ordinary_word(w))
}

/// Whether a name as written is an acronym: one word of 2 to 6 capital
/// letters, dots aside (`US`, `U.S.`, `NATO`).
fn is_acronym(name: &str) -> bool {
    let letters = name.chars().filter(|&c| c != '.');
    !name.contains(char::is_whitespace)
        && (2..=6).contains(&letters.clone().count())
        && letters.into_iter().all(|c| c.is_ascii_uppercase())
}

/// A word's consonants, lower case, a doubled letter once: what
/// transliterations of one name keep (`mohammed`, `muhammad`, `mohamed`:
/// `mhmd`).
///
/// ```
/// use slant::text::names::consonants;
/// assert_eq!(consonants("muhammad"), consonants("mohamed"));
/// assert_ne!(consonants("hassan"), consonants("hadi"));
/// ```
pub fn consonants(word: &str) -> String {
    let mut out = String::new();
    for c in word.chars().flat_map(char::to_lowercase) {
        if "aeiouy'".contains(c) || out.ends_with(c) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Levenshtein distance in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
