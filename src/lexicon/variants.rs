//! Variant expansion: the surface forms a lexicon term stands for.
//!
//! A lexicon author writes `US forces` once; the matcher looks for `US
//! forces`, `U.S. forces`, `United States forces`, `American forces`, `US
//! force`, `US force's`, `US forces'`, … Case is not expanded here: the
//! automaton is ASCII case-insensitive (see [`crate::lexicon::Matcher`]).
//!
//! Rules, applied together (every combination is generated):
//!
//! 1. **Separators.** Tokens are split at single spaces and hyphens; each
//!    separator may appear as either (`US-led` ⇄ `US led`), except where
//!    that makes a phrase of ordinary English (`would-be` is not also
//!    `would be`: see [`super::ordinary`]).
//! 2. **`US`.** A token written exactly `US` or `U.S.` stands for `US`,
//!    `U.S.`, `United States` and `American`.
//! 3. **Transliterations.** A token equal (ignoring ASCII case) to a form of
//!    a `[[transliteration]]` group stands for every form of that group.
//! 4. **Number and possessive** of the last token, unless the term sets
//!    `inflect = false`. A last token starting with a lowercase letter gets
//!    singular and plural (`forces` ⇄ `force`, `proxies` ⇄ `proxy`,
//!    `militiamen` ⇄ `militiaman`) and the possessive of each (`force's`,
//!    `forces'`, `forces's`); a capitalised one (a name: `Hamas`, `PMF`)
//!    gets only possessives.

use std::collections::{BTreeMap, BTreeSet};

/// The alternatives the `US` token stands for.
pub const US_FORMS: [&str; 4] = ["US", "U.S.", "United States", "American"];

/// More variants than this from one term is almost surely a mistake (a
/// long term with many hyphens and transliterated tokens), and would bloat
/// the automaton.
pub(crate) const MAX_VARIANTS: usize = 2048;

/// Groups of interchangeable spellings of one token.
#[derive(Debug, Clone, Default)]
pub(crate) struct Transliterations {
    groups: Vec<Vec<String>>,
}

impl Transliterations {
    pub fn new(groups: Vec<Vec<String>>) -> Transliterations {
        Transliterations { groups }
    }

    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Every form of every group containing `token` (ignoring ASCII case),
    /// or `None` when no group lists it.
    fn forms(&self, token: &str) -> Option<Vec<&str>> {
        let mut out: Vec<&str> = Vec::new();
        for group in &self.groups {
            if group.iter().any(|f| f.eq_ignore_ascii_case(token)) {
                for f in group {
                    if !out.iter().any(|o| o.eq_ignore_ascii_case(f)) {
                        out.push(f);
                    }
                }
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// Why a term cannot be split into tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenError {
    Empty,
    EdgeSeparator,
    DoubleSeparator,
}

/// Splits a term into tokens at single spaces and hyphens.
pub(crate) fn tokens(term: &str) -> Result<Vec<&str>, TokenError> {
    if term.is_empty() {
        return Err(TokenError::Empty);
    }
    let parts: Vec<&str> = term.split([' ', '-']).collect();
    if parts.first().is_some_and(|p| p.is_empty()) || parts.last().is_some_and(|p| p.is_empty()) {
        return Err(TokenError::EdgeSeparator);
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Err(TokenError::DoubleSeparator);
    }
    Ok(parts)
}

/// Options a term carries into expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExpandOptions {
    pub inflect: bool,
}

/// All surface forms of `term`, the written form first, the rest sorted.
///
/// Returns the written form alone when it cannot be tokenised (the caller
/// reports that separately), and stops at [`MAX_VARIANTS`] (the caller
/// reports that too, by comparing the length).
pub(crate) fn expand(term: &str, opts: ExpandOptions, translit: &Transliterations) -> Vec<String> {
    expand_with_cost(term, opts, translit)
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

/// Like [`expand`], with each form's distance from the written term: how
/// many words or separators differ (0 for the written form itself). When
/// two terms generate the same form, the closer one keeps it.
pub(crate) fn expand_with_cost(
    term: &str,
    opts: ExpandOptions,
    translit: &Transliterations,
) -> Vec<(String, u32)> {
    let Ok(toks) = tokens(term) else {
        return vec![(term.to_string(), 0)];
    };
    let written_seps: Vec<char> = term.chars().filter(|c| *c == ' ' || *c == '-').collect();
    let last = toks.len() - 1;
    let mut alternatives: Vec<Vec<(String, u32)>> = Vec::with_capacity(toks.len());
    for (i, tok) in toks.iter().enumerate() {
        let mut alts: Vec<String> = if *tok == "US" || *tok == "U.S." {
            let mut v = vec![tok.to_string()];
            v.extend(US_FORMS.iter().map(|s| s.to_string()));
            v
        } else if let Some(forms) = translit.forms(tok) {
            let mut v = vec![tok.to_string()];
            v.extend(
                forms
                    .into_iter()
                    .filter(|f| !f.eq_ignore_ascii_case(tok))
                    .map(str::to_string),
            );
            v
        } else {
            vec![tok.to_string()]
        };
        dedup_keep_order(&mut alts);
        // The written spelling is first and costs nothing.
        let mut costed: Vec<(String, u32)> = alts
            .into_iter()
            .enumerate()
            .map(|(j, a)| (a, u32::from(j > 0)))
            .collect();
        if i == last && opts.inflect {
            costed = costed
                .iter()
                .flat_map(|(a, c)| {
                    inflections(a).into_iter().map(move |f| {
                        let extra = u32::from(f != *a);
                        (f, c + extra)
                    })
                })
                .collect();
        }
        alternatives.push(costed);
    }

    let mut partial: Vec<(String, u32)> = alternatives[0].clone();
    for (k, alts) in alternatives[1..].iter().enumerate() {
        let written = written_seps.get(k).copied().unwrap_or(' ');
        let mut next = Vec::with_capacity(partial.len() * alts.len() * 2);
        'outer: for (p, pc) in &partial {
            for sep in [' ', '-'] {
                let sc = u32::from(sep != written);
                for (a, ac) in alts {
                    next.push((format!("{p}{sep}{a}"), pc + sc + ac));
                    if next.len() > MAX_VARIANTS {
                        break 'outer;
                    }
                }
            }
        }
        partial = next;
    }
    let mut best: BTreeMap<String, u32> = BTreeMap::new();
    for (s, c) in partial {
        let e = best.entry(s).or_insert(c);
        *e = (*e).min(c);
    }
    best.remove(term);
    best.retain(|s, _| !super::ordinary::ordinary_phrase(s));
    let mut v = Vec::with_capacity(best.len() + 1);
    v.push((term.to_string(), 0));
    v.extend(best);
    v.truncate(MAX_VARIANTS + 1);
    v
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    v.retain(|s| seen.insert(s.clone()));
}

/// Number and possessive forms of one word (see the module docs).
pub(crate) fn inflections(word: &str) -> Vec<String> {
    let Some(last) = word.chars().next_back() else {
        return vec![word.to_string()];
    };
    if !last.is_alphabetic() {
        return vec![word.to_string()];
    }
    let first_upper = word.chars().next().is_some_and(char::is_uppercase);
    // Participles and adverbs ("so-called", "allegedly") have neither
    // number nor possessive.
    if !first_upper && (word.ends_with("ed") || word.ends_with("ly")) {
        return vec![word.to_string()];
    }
    let numbers = if first_upper || !word.is_ascii() {
        vec![word.to_string()]
    } else {
        let mut v = vec![word.to_string()];
        v.extend(other_number(word));
        v
    };
    let mut out = Vec::with_capacity(numbers.len() * 3);
    for w in numbers {
        out.push(format!("{w}'s"));
        if w.ends_with('s') {
            out.push(format!("{w}'"));
        }
        out.push(w);
    }
    out
}

/// The plural of a singular, or the singular of a plural (ASCII lowercase
/// English; `None` when the word is not a noun-like form worth inflecting).
fn other_number(w: &str) -> Option<String> {
    let n = w.len();
    if n < 3 {
        return None;
    }
    if let Some(stem) = w.strip_suffix("men") {
        return Some(format!("{stem}man"));
    }
    if let Some(stem) = w.strip_suffix("man") {
        return Some(format!("{stem}men"));
    }
    if n > 4 && w.ends_with("oes") {
        return Some(w[..n - 2].to_string());
    }
    if n > 4 && w.ends_with("ies") {
        return Some(format!("{}y", &w[..n - 3]));
    }
    if n > 4
        && ["sses", "shes", "ches", "xes", "zes"]
            .iter()
            .any(|s| w.ends_with(s))
    {
        return Some(w[..n - 2].to_string());
    }
    if w.ends_with('s') {
        if ["ss", "us", "is", "os"].iter().any(|s| w.ends_with(s)) {
            return Some(format!("{w}es"));
        }
        return Some(w[..n - 1].to_string());
    }
    let bytes = w.as_bytes();
    if w.ends_with('y') && !b"aeiou".contains(&bytes[n - 2]) {
        return Some(format!("{}ies", &w[..n - 1]));
    }
    if w.ends_with('o') && !b"aeiou".contains(&bytes[n - 2]) {
        return Some(format!("{w}es"));
    }
    if ["x", "z", "ch", "sh"].iter().any(|s| w.ends_with(s)) {
        return Some(format!("{w}es"));
    }
    Some(format!("{w}s"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(term: &str) -> Vec<String> {
        expand(
            term,
            ExpandOptions { inflect: true },
            &Transliterations::default(),
        )
    }

    fn has(v: &[String], s: &str) -> bool {
        v.iter().any(|x| x == s)
    }

    #[test]
    fn us_token_expands_to_four_forms() {
        let v = ex("US forces");
        for want in [
            "US forces",
            "U.S. forces",
            "United States forces",
            "American forces",
            "US-forces",
        ] {
            assert!(has(&v, want), "{want} missing from {v:?}");
        }
        assert_eq!(v[0], "US forces", "written form first");
    }

    #[test]
    fn us_inside_a_word_is_not_the_marker() {
        let v = ex("USAID staff");
        assert!(!v.iter().any(|s| s.contains("U.S.")), "{v:?}");
        let v = ex("us and them");
        assert!(!v.iter().any(|s| s.contains("American")), "{v:?}");
    }

    #[test]
    fn hyphen_and_space_are_interchangeable() {
        let v = ex("US-led coalition");
        for want in [
            "US-led coalition",
            "US led coalition",
            "US-led-coalition",
            "U.S.-led coalition",
            "U.S. led coalition",
            "American-led coalition",
            "United States-led coalition",
        ] {
            assert!(has(&v, want), "{want} missing");
        }
        let v = ex("boots on the ground");
        assert!(has(&v, "boots-on-the-ground"));
    }

    #[test]
    fn plural_singular_and_possessive() {
        let v = ex("forces");
        for want in ["forces", "force", "force's", "forces'", "forces's"] {
            assert!(has(&v, want), "{want} missing from {v:?}");
        }
        let v = ex("Iranian proxies");
        assert!(has(&v, "Iranian proxy"));
        assert!(has(&v, "Iranian proxy's"));
        assert!(has(&v, "Iranian proxies'"));
        let v = ex("militiamen");
        assert!(has(&v, "militiaman"));
        let v = ex("massacre");
        assert!(has(&v, "massacres"));
        let v = ex("atrocity");
        assert!(has(&v, "atrocities"));
        let v = ex("thug");
        assert!(has(&v, "thugs"));
        let v = ex("onslaught");
        assert!(has(&v, "onslaughts"));
    }

    #[test]
    fn names_get_possessives_only() {
        let v = ex("Hamas");
        assert_eq!(
            v.iter().cloned().collect::<BTreeSet<_>>(),
            ["Hamas", "Hamas'", "Hamas's"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        );
        let v = ex("PMF");
        assert!(has(&v, "PMF's"));
        assert!(!has(&v, "PMFs"));
    }

    #[test]
    fn participles_and_adverbs_get_no_number() {
        let v = ex("so-called");
        assert!(!has(&v, "so-calleds"));
        assert!(has(&v, "so called"));
        let v = ex("allegedly");
        assert!(!has(&v, "allegedlies"));
    }

    #[test]
    fn inflect_false_keeps_the_word() {
        let v = expand(
            "chaos",
            ExpandOptions { inflect: false },
            &Transliterations::default(),
        );
        assert_eq!(v, vec!["chaos".to_string()]);
    }

    #[test]
    fn transliterations_substitute_tokens() {
        let t = Transliterations::new(vec![
            vec!["Kataib".into(), "Kata'ib".into()],
            vec!["Hezbollah".into(), "Hizbullah".into(), "Hizballah".into()],
            vec!["Daesh".into(), "Da'esh".into(), "Daish".into()],
        ]);
        let v = expand("Kataib Hezbollah", ExpandOptions { inflect: true }, &t);
        for want in [
            "Kata'ib Hizballah",
            "Kataib-Hizbullah",
            "Kata'ib Hezbollah's",
        ] {
            assert!(has(&v, want), "{want} missing");
        }
        let v = expand("daesh terrorists", ExpandOptions { inflect: true }, &t);
        assert!(has(&v, "Da'esh terrorist"), "{v:?}");
        assert_eq!(v[0], "daesh terrorists");
    }

    #[test]
    fn bad_separators_are_token_errors() {
        assert_eq!(tokens(""), Err(TokenError::Empty));
        assert_eq!(tokens(" a"), Err(TokenError::EdgeSeparator));
        assert_eq!(tokens("a-"), Err(TokenError::EdgeSeparator));
        assert_eq!(tokens("a  b"), Err(TokenError::DoubleSeparator));
        assert_eq!(tokens("a - b"), Err(TokenError::DoubleSeparator));
        assert_eq!(tokens("a b-c"), Ok(vec!["a", "b", "c"]));
    }

    #[test]
    fn expansion_is_capped() {
        let t = Transliterations::new(vec![vec![
            "a".into(),
            "b".into(),
            "c".into(),
            "d".into(),
            "e".into(),
        ]]);
        let v = expand("a a a a a a a", ExpandOptions { inflect: true }, &t);
        assert!(v.len() <= MAX_VARIANTS + 1);
    }
}
