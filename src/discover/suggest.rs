//! A draft story lexicon from a run's label groups: `slant lexicon
//! suggest`. Each group becomes a concept and each of its phrases a label,
//! in the lexicon's TOML format (`data/lexicon/README.md`), every entry a
//! suggestion with its evidence in a comment, for a person to edit:
//! rename, merge, split, delete, and set loadedness and direction.
//!
//! Loadedness and direction are estimates:
//! * a phrase the lexicon of the run already files under a referent
//!   concept keeps that label's figures;
//! * else a phrase holding a word of the general layer of loaded language
//!   takes that word's figures (the most loaded one);
//! * else loadedness 0 and, when the sentiment model has read at least
//!   [`MIN_SENTIMENT`] of the label's own-voice mentions (a second analysis
//!   with the draft as its only lexicon, [`LabelSentiment`]), the mean
//!   sentiment toward the referent of the sentences that use it as its
//!   direction: a label said in hostile sentences leans hostile;
//! * else 0 and 0, the plain name.
//!
//! The model's mean is shown beside every label it read, whatever the
//! estimate came from, as evidence for the person editing.
//!
//! The comment above each label says which it was, and which outlets and
//! groups use the phrase most (its share of the group's uses, from
//! `labels.csv`), so a reader sees at once whose word it is.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::labels::{LabelRow, Labels, Phrase};
use crate::lexicon::Matcher;
use crate::mention::Layer;

/// What the draft says about where it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DraftSource {
    /// The inputs as given.
    pub inputs: Vec<String>,
    pub articles: usize,
    pub outlets: usize,
}

/// The fewest own-voice mentions the model must have read for their mean
/// sentiment to set a label's direction.
pub const MIN_SENTIMENT: u64 = 5;

/// Mean model sentiment (P(positive) − P(negative)) of each draft label's
/// own-voice mentions and how many there were, by (concept id, label id) as
/// [`draft`] names them.
pub type LabelSentiment = BTreeMap<(String, String), (f64, u64)>;

/// The draft lexicon, as TOML text. `sentiment` is what the model read of
/// an earlier draft's labels (empty without a model).
pub fn draft(
    labels: &Labels,
    matcher: &Matcher,
    source: &DraftSource,
    sentiment: &LabelSentiment,
) -> String {
    let mut out = String::new();
    let q = |s: &str| toml::Value::String(s.to_string()).to_string();
    let _ = writeln!(
        out,
        "# A draft story lexicon, suggested by `slant lexicon suggest` from\n\
         # {} articles of {} outlets ({}).\n\
         # Every concept and label below is a suggestion: check what each group\n\
         # of phrases refers to, rename, merge, split or delete, and set\n\
         # `loaded` (0..1) and `direction` (-1..1) where the estimate is wrong.\n\
         # Label groups: {}.\n\
         # Then: slant lexicon check FILE; slant analyze CORPUS --lexicon FILE.\n",
        source.articles,
        source.outlets,
        source.inputs.join(", "),
        labels.method,
    );
    let _ = writeln!(out, "[meta]");
    let _ = writeln!(out, "name = \"suggested\"");
    let _ = writeln!(out, "version = \"0.1.0\"");
    let _ = writeln!(
        out,
        "description = {}",
        q(&format!(
            "Draft: {} groups of competing labels suggested from {} articles; edit before use.",
            labels.groups.len(),
            source.articles
        ))
    );
    let _ = writeln!(out, "layer = \"story\"");
    let mut by_phrase: BTreeMap<(&str, &str), Vec<&LabelRow>> = BTreeMap::new();
    for r in &labels.rows {
        by_phrase
            .entry((r.group.as_str(), r.phrase.as_str()))
            .or_default()
            .push(r);
    }
    let mut written = std::collections::HashSet::new();
    for g in &labels.groups {
        let uses: u64 = g.phrases.iter().map(|p| p.uses).sum();
        let _ = writeln!(
            out,
            "\n# --- {}: {} phrases, {} own-voice uses -----------------------------",
            g.id,
            g.phrases.len(),
            uses
        );
        let _ = writeln!(out, "[[concept]]");
        let concept_id = format!("{}_{}", g.id, slug(&g.name));
        let _ = writeln!(out, "id = {}", q(&concept_id));
        let names: Vec<String> = g.phrases.iter().map(|p| format!("`{}`", p.name)).collect();
        let _ = writeln!(
            out,
            "referent = {}",
            q(&format!("SUGGESTED: what {} name (edit)", names.join(", ")))
        );
        let mut ids = std::collections::HashSet::new();
        for p in &g.phrases {
            let term = bare(&p.name);
            // Spellings the lexicon's variants join (`al-Muhandis` and
            // `al Muhandis`, `commander` and `commanders`) are one term.
            if !written.insert(variant_key(&term)) {
                continue;
            }
            let mut id = slug(&term);
            let base = id.clone();
            let mut k = 2;
            while !ids.insert(id.clone()) {
                id = format!("{base}_{k}");
                k += 1;
            }
            let read = sentiment.get(&(concept_id.clone(), id.clone())).copied();
            let (loaded, direction, why) = estimate(p, matcher, read);
            let _ = writeln!(out, "\n# `{}`: {} own-voice uses; {why}", p.name, p.uses);
            if let Some((mean, n)) = read {
                let _ = writeln!(
                    out,
                    "# model sentiment toward the referent where it is used (own voice): {mean:+.2} over {n} mentions"
                );
            }
            let rows = by_phrase.get(&(g.id.as_str(), p.name.as_str()));
            let mut most: Vec<&&LabelRow> = rows.map(|r| r.iter().collect()).unwrap_or_default();
            most.retain(|r| r.count > 0);
            most.sort_by(|a, b| b.share.total_cmp(&a.share).then(a.key.cmp(&b.key)));
            if !most.is_empty() {
                let top: Vec<String> = most
                    .iter()
                    .take(4)
                    .map(|r| {
                        format!(
                            "{} {} {:.0}% of {}",
                            r.key.scope.as_str(),
                            r.key.name,
                            r.share * 100.0,
                            r.total
                        )
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "# share of the group's uses, highest: {}",
                    top.join("; ")
                );
            }
            let _ = writeln!(out, "[[concept.label]]");
            let _ = writeln!(out, "id = {}", q(&id));
            let _ = writeln!(out, "description = \"suggested\"");
            let _ = writeln!(out, "loaded = {loaded:.2}");
            let _ = writeln!(out, "direction = {direction:.2}");
            let _ = writeln!(out, "terms = [{}]", q(&term));
        }
    }
    out
}

/// (loaded, direction, how it was estimated); `read` is the model's mean
/// sentiment toward the referent of the phrase's own-voice uses, and how
/// many it read.
fn estimate(p: &Phrase, matcher: &Matcher, read: Option<(f64, u64)>) -> (f32, f32, String) {
    if let Some((concept, label)) = &p.lexicon {
        let entry = matcher
            .entries()
            .iter()
            .find(|e| &e.concept == concept && &e.label == label);
        if let Some(e) = entry {
            return (
                e.loaded,
                e.direction,
                format!("loaded and direction from the lexicon's `{concept}/{label}`"),
            );
        }
    }
    let general = matcher
        .find(&p.name)
        .into_iter()
        .map(|h| matcher.entry(h.entry))
        .filter(|e| e.layer == Layer::General && !e.distancing)
        .max_by(|a, b| a.loaded.total_cmp(&b.loaded));
    match general {
        Some(e) => (
            e.loaded,
            e.direction,
            format!(
                "loaded and direction from the general layer's `{}` ({}/{})",
                e.term, e.concept, e.label
            ),
        ),
        None => match read {
            Some((mean, n)) if n >= MIN_SENTIMENT => (
                0.0,
                // Two places, as written: the TOML shows what was used.
                ((mean.clamp(-1.0, 1.0) * 100.0).round() / 100.0) as f32,
                format!(
                    "no loaded word found; direction from the model's sentiment over {n} own-voice mentions (edit if not)"
                ),
            ),
            _ => (
                0.0,
                0.0,
                "no loaded word found: the plain name (edit if not)".into(),
            ),
        },
    }
}

/// What the lexicon's variants make alike: case, hyphen or space, `US`
/// and `American`, a plural `s` on a last word in lower case.
///
/// ```text
/// "al-Muhandis" ~ "al Muhandis"; "commanders" ~ "commander";
/// "American forces" ~ "US forces"; "Democrats" ≁ "Democrat"
/// ```
fn variant_key(term: &str) -> String {
    let mut lower = term.to_lowercase().replace('-', " ");
    for us in ["american ", "u.s. ", "united states "] {
        if let Some(rest) = lower.strip_prefix(us) {
            lower = format!("us {rest}");
        }
    }
    // The lexicon inflects a last word that starts in lower case only
    // (`forces` ⇄ `force`, not `Democrats` ⇄ `Democrat`).
    let last_lower = term
        .rsplit([' ', '-'])
        .next()
        .and_then(|w| w.chars().next())
        .is_some_and(char::is_lowercase);
    match lower.strip_suffix('s') {
        Some(stem) if last_lower && stem.rsplit(' ').next().is_some_and(|w| w.len() > 2) => {
            stem.to_string()
        }
        _ => lower,
    }
}

/// The phrase as a term: a trailing possessive dropped (the lexicon
/// generates possessives itself).
fn bare(name: &str) -> String {
    name.strip_suffix("'s")
        .or_else(|| name.strip_suffix("\u{2019}s"))
        .unwrap_or(name)
        .to_string()
}

/// A lexicon id from a phrase: lower-case ASCII letters and digits, runs
/// of anything else as one `_`.
///
/// ```
/// assert_eq!(slant::discover::suggest::slug("US-led coalition's"), "us_led_coalition_s");
/// assert_eq!(slant::discover::suggest::slug("Ça"), "a");
/// ```
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_end_matches('_').to_string();
    if out.is_empty() {
        "label".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_the_lexicon_makes_are_one_term_and_others_are_not() {
        assert_eq!(variant_key("al-Muhandis"), variant_key("al Muhandis"));
        assert_eq!(
            variant_key("anti-terror commanders"),
            variant_key("anti-terror commander")
        );
        assert_eq!(variant_key("American forces"), variant_key("US forces"));
        assert_ne!(variant_key("Democrats"), variant_key("Democrat"));
        assert_eq!(bare("Iran's"), "Iran");
        assert_eq!(slug("--"), "label");
    }
}
