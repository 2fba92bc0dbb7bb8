//! From file contents to a validated [`Lexicon`] plus diagnostics.
//!
//! [`Lexicon::load`] and [`crate::lexicon::check`] share this code, so the
//! checker reports exactly what loading would refuse (errors) and what
//! loading resolves silently by a fixed rule (warnings).

use std::collections::{BTreeMap, HashMap};

use sha2::{Digest, Sha256};

use super::format::{LineIndex, RawFile, RawKind, RawTerm};
use super::matcher::PatternTarget;
use super::variants::{self, ExpandOptions, TokenError, Transliterations, MAX_VARIANTS};
use super::{
    Concept, ConceptKind, Diagnostic, Exclusion, Label, Lexicon, LexiconFile, Meta, Severity,
    TermEntry, DISTANCING,
};

/// One lexicon file's text and the name diagnostics use for it.
pub(crate) struct Source {
    pub path: String,
    pub content: String,
    pub embedded: bool,
}

/// The outcome of building: a lexicon unless some diagnostic is an error.
pub(crate) struct Built {
    pub lexicon: Option<Lexicon>,
    pub diagnostics: Vec<Diagnostic>,
}

struct Diags {
    list: Vec<Diagnostic>,
}

impl Diags {
    fn error(&mut self, path: &str, line: Option<usize>, message: impl Into<String>) {
        self.push(path, line, Severity::Error, message.into());
    }

    fn warning(&mut self, path: &str, line: Option<usize>, message: impl Into<String>) {
        self.push(path, line, Severity::Warning, message.into());
    }

    fn note(&mut self, path: &str, line: Option<usize>, message: impl Into<String>) {
        self.push(path, line, Severity::Note, message.into());
    }

    fn push(&mut self, path: &str, line: Option<usize>, severity: Severity, message: String) {
        self.list.push(Diagnostic {
            path: path.to_string(),
            line,
            severity,
            message,
        });
    }
}

/// Something that owns surface forms: an entry or an exclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Owner {
    Entry(usize),
    Exclusion(usize),
}

pub(crate) fn build(sources: Vec<Source>) -> Built {
    let mut d = Diags { list: Vec::new() };
    let mut files = Vec::new();
    let mut metas = Vec::new();
    let mut concepts: Vec<Concept> = Vec::new();
    let mut entries: Vec<TermEntry> = Vec::new();
    let mut exclusions: Vec<Exclusion> = Vec::new();
    let mut groups: Vec<(Vec<String>, String, usize)> = Vec::new();
    // Written term (lowercased) → (entry index) for duplicate detection.
    let mut written: HashMap<String, usize> = HashMap::new();

    let mut hasher = Sha256::new();
    for src in &sources {
        let sha = hex::encode(Sha256::digest(src.content.as_bytes()));
        hasher.update((src.content.len() as u64).to_le_bytes());
        hasher.update(src.content.as_bytes());
        files.push(LexiconFile {
            path: src.path.clone(),
            sha256: sha,
            embedded: src.embedded,
        });
    }
    let hash = hex::encode(hasher.finalize());

    for src in &sources {
        let path = src.path.as_str();
        let lines = LineIndex::new(&src.content);
        let line = |span: std::ops::Range<usize>| Some(lines.line(span.start));
        let raw: RawFile = match toml::from_str(&src.content) {
            Ok(raw) => raw,
            Err(e) => {
                let mut message = e.message().trim_end().replace('\n', " ");
                if message.is_empty() {
                    message = "invalid TOML".to_string();
                }
                d.error(path, e.span().and_then(line), message);
                continue;
            }
        };

        let meta = raw.meta.get_ref();
        for (field, value) in [
            ("name", &meta.name),
            ("version", &meta.version),
            ("description", &meta.description),
        ] {
            if value.get_ref().trim().is_empty() {
                d.error(path, line(value.span()), format!("[meta] {field} is empty"));
            }
        }
        let layer = meta.layer.unwrap_or(crate::mention::Layer::Story);
        if layer == crate::mention::Layer::Detector {
            d.error(
                path,
                line(raw.meta.span()),
                "[meta] layer is \"detector\": that layer is the model's hits; a lexicon file is \"story\" or \"general\"".to_string(),
            );
        }
        metas.push(Meta {
            name: meta.name.get_ref().clone(),
            version: meta.version.get_ref().clone(),
            description: meta.description.get_ref().clone(),
            layer,
            path: path.to_string(),
        });

        for group in &raw.transliteration {
            let gl = lines.line(group.span().start);
            let mut forms = Vec::new();
            for form in &group.get_ref().forms {
                let fl = line(form.span());
                let f = form.get_ref();
                for (sev, msg) in text_problems(f) {
                    d.push(path, fl, sev, format!("transliteration form {f:?}: {msg}"));
                }
                if f.contains([' ', '-']) {
                    d.error(
                        path,
                        fl,
                        format!(
                            "transliteration form {f:?} has a space or hyphen; forms are single \
                             words (spaces and hyphens are varied anyway)"
                        ),
                    );
                }
                if forms.iter().any(|g: &String| g.eq_ignore_ascii_case(f)) {
                    d.warning(path, fl, format!("transliteration form {f:?} listed twice"));
                } else {
                    forms.push(f.clone());
                }
            }
            if forms.len() < 2 {
                d.warning(
                    path,
                    Some(gl),
                    "transliteration group with fewer than two forms has no effect",
                );
            }
            for (other, opath, oline) in &groups {
                if let Some(shared) = forms
                    .iter()
                    .find(|f| other.iter().any(|o| o.eq_ignore_ascii_case(f)))
                {
                    d.warning(
                        path,
                        Some(gl),
                        format!(
                            "form {shared:?} is also in the group at {opath}:{oline}; a word in \
                             both groups stands for the forms of both"
                        ),
                    );
                }
            }
            groups.push((forms, path.to_string(), gl));
        }

        for rc in &raw.concept {
            let c = rc.get_ref();
            let cline = lines.line(c.id.span().start);
            let id = c.id.get_ref().clone();
            check_id(&mut d, path, Some(cline), "concept", &id);
            if let Some(prev) = concepts.iter().find(|p| p.id == id) {
                d.error(
                    path,
                    Some(cline),
                    format!(
                        "concept `{id}` is already defined at {}:{}",
                        prev.path, prev.line
                    ),
                );
                continue;
            }
            if c.referent.get_ref().trim().is_empty() {
                d.error(
                    path,
                    line(c.referent.span()),
                    format!("concept `{id}`: referent is empty"),
                );
            }
            let kind = match c.kind.as_ref().map(|k| *k.get_ref()) {
                None | Some(RawKind::Referent) => ConceptKind::Referent,
                Some(RawKind::Generic) => ConceptKind::Generic,
                Some(RawKind::Distancing) => ConceptKind::Distancing,
            };
            let kind_line = c.kind.as_ref().map_or(Some(cline), |k| line(k.span()));
            if kind == ConceptKind::Distancing && id != DISTANCING {
                d.error(
                    path,
                    kind_line,
                    format!("kind = \"distancing\" is reserved for the concept `{DISTANCING}`, not `{id}`"),
                );
            }
            if id == DISTANCING && kind != ConceptKind::Distancing {
                d.error(
                    path,
                    kind_line,
                    format!("concept `{DISTANCING}` must have kind = \"distancing\""),
                );
            }
            if c.label.is_empty() {
                d.warning(path, Some(cline), format!("concept `{id}` has no labels"));
            }
            let mut labels: Vec<Label> = Vec::new();
            for rl in &c.label {
                let l = rl.get_ref();
                let lline = lines.line(l.id.span().start);
                let lid = l.id.get_ref().clone();
                check_id(&mut d, path, Some(lline), "label", &lid);
                if labels.iter().any(|p| p.id == lid) {
                    d.error(
                        path,
                        Some(lline),
                        format!("label `{lid}` appears twice in concept `{id}`"),
                    );
                    continue;
                }
                let loaded = *l.loaded.get_ref();
                if !(0.0..=1.0).contains(&loaded) {
                    d.error(
                        path,
                        line(l.loaded.span()),
                        format!("`{id}/{lid}`: loaded = {loaded} is outside 0..1"),
                    );
                }
                let direction = *l.direction.get_ref();
                if !(-1.0..=1.0).contains(&direction) {
                    d.error(
                        path,
                        line(l.direction.span()),
                        format!("`{id}/{lid}`: direction = {direction} is outside -1..1"),
                    );
                }
                let terms = l.terms.get_ref();
                if terms.is_empty() {
                    d.warning(
                        path,
                        line(l.terms.span()),
                        format!("label `{id}/{lid}` has no terms"),
                    );
                }
                let mut label_terms = Vec::new();
                for t in terms {
                    let tline = lines.line(t.span().start);
                    let rt: &RawTerm = t.get_ref();
                    if !term_ok(&mut d, path, tline, &rt.term) {
                        continue;
                    }
                    ordinary_forms(&mut d, path, tline, &rt.term);
                    let key = rt.term.to_lowercase();
                    let this_entry = || TermEntry {
                        term: rt.term.clone(),
                        concept: id.clone(),
                        label: lid.clone(),
                        loaded: loaded as f32,
                        direction: direction as f32,
                        distancing: kind == ConceptKind::Distancing,
                        kind,
                        inflect: rt.inflect.or(l.inflect).unwrap_or(true),
                        case_sensitive: rt.case_sensitive,
                        layer,
                        path: path.to_string(),
                        line: tline,
                    };
                    if let Some(&prev) = written.get(&key) {
                        let p: &TermEntry = &entries[prev];
                        // A story lexicon names its referents: where it
                        // lists a word the general layer has too, the
                        // story's label is the one that counts.
                        let story_wins = p.layer == crate::mention::Layer::General
                            && layer == crate::mention::Layer::Story;
                        let general_loses = p.layer == crate::mention::Layer::Story
                            && layer == crate::mention::Layer::General;
                        if story_wins || general_loses {
                            let (story_at, general_at) = if story_wins {
                                (
                                    format!("`{id}/{lid}`"),
                                    format!("`{}/{}` ({}:{})", p.concept, p.label, p.path, p.line),
                                )
                            } else {
                                (
                                    format!("`{}/{}` ({}:{})", p.concept, p.label, p.path, p.line),
                                    format!("`{id}/{lid}`"),
                                )
                            };
                            d.warning(
                                path,
                                Some(tline),
                                format!(
                                    "term {:?} is in story label {story_at} and in general label {general_at}; the story label counts",
                                    rt.term
                                ),
                            );
                            if general_loses {
                                continue;
                            }
                            entries[prev] = this_entry();
                            label_terms.push(rt.term.clone());
                            continue;
                        }
                        if p.concept == id && p.label == lid {
                            d.warning(
                                path,
                                Some(tline),
                                format!(
                                    "duplicate term {:?} (also at {}:{}); ignored",
                                    rt.term, p.path, p.line
                                ),
                            );
                        } else {
                            d.error(
                                path,
                                Some(tline),
                                format!(
                                    "conflict: term {:?} is in `{id}/{lid}` and in `{}/{}` ({}:{})",
                                    rt.term, p.concept, p.label, p.path, p.line
                                ),
                            );
                        }
                        continue;
                    }
                    written.insert(key, entries.len());
                    label_terms.push(rt.term.clone());
                    entries.push(this_entry());
                }
                labels.push(Label {
                    id: lid,
                    description: l.description.clone(),
                    loaded: loaded as f32,
                    direction: direction as f32,
                    terms: label_terms,
                    line: lline,
                });
            }
            concepts.push(Concept {
                id,
                referent: c.referent.get_ref().clone(),
                kind,
                labels,
                path: path.to_string(),
                line: cline,
            });
        }

        for rx in &raw.exclude {
            let note = rx.get_ref().note.clone();
            for t in &rx.get_ref().terms {
                let tline = lines.line(t.span().start);
                let rt = t.get_ref();
                if !term_ok(&mut d, path, tline, &rt.term) {
                    continue;
                }
                let key = rt.term.to_lowercase();
                if let Some(&prev) = written.get(&key) {
                    let p = &entries[prev];
                    d.error(
                        path,
                        Some(tline),
                        format!(
                            "conflict: excluded term {:?} is also a term of `{}/{}` ({}:{})",
                            rt.term, p.concept, p.label, p.path, p.line
                        ),
                    );
                    continue;
                }
                if let Some(p) = exclusions.iter().find(|x| x.term.to_lowercase() == key) {
                    d.warning(
                        path,
                        Some(tline),
                        format!(
                            "duplicate excluded term {:?} (also at {}:{}); ignored",
                            rt.term, p.path, p.line
                        ),
                    );
                    continue;
                }
                exclusions.push(Exclusion {
                    note: note.clone(),
                    term: rt.term.clone(),
                    inflect: rt.inflect.unwrap_or(true),
                    case_sensitive: rt.case_sensitive,
                    path: path.to_string(),
                    line: tline,
                });
            }
        }
    }

    let translit = Transliterations::new(groups.into_iter().map(|g| g.0).collect());
    let (patterns, targets) = plan(&mut d, &entries, &exclusions, &translit);

    if entries.is_empty() && !d.list.iter().any(|x| x.severity == Severity::Error) {
        let path = sources.first().map_or("-", |s| s.path.as_str());
        d.error(path, None, "the lexicon defines no terms");
    }

    // Diagnostics in file order, then line order: how an editor reads them.
    let order: HashMap<&str, usize> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.as_str(), i))
        .collect();
    d.list
        .sort_by_key(|x| (order.get(x.path.as_str()).copied(), x.line));

    let ok = !d.list.iter().any(|x| x.severity == Severity::Error);
    Built {
        lexicon: ok.then_some(Lexicon {
            files,
            metas,
            concepts,
            entries,
            exclusions,
            transliterations: translit,
            patterns,
            targets,
            hash,
        }),
        diagnostics: d.list,
    }
}

/// Expands every term, settles surfaces claimed by several owners, and
/// returns the automaton's patterns with what each stands for.
///
/// A surface claimed twice goes to the owner whose written term is closest
/// to it (written literally; else fewest words and separators changed),
/// then to the owner defined first (entries before exclusions); the losing
/// side is warned about once per pair of owners.
fn plan(
    d: &mut Diags,
    entries: &[TermEntry],
    exclusions: &[Exclusion],
    translit: &Transliterations,
) -> (Vec<String>, Vec<PatternTarget>) {
    struct Claim {
        owner: Owner,
        /// Distance from the owner's written term (0: written literally).
        cost: u32,
        surface: String,
    }
    let mut claims: BTreeMap<String, Vec<Claim>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let owners = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (Owner::Entry(i), &e.term, e.inflect, &e.path, e.line))
        .chain(
            exclusions
                .iter()
                .enumerate()
                .map(|(i, x)| (Owner::Exclusion(i), &x.term, x.inflect, &x.path, x.line)),
        );
    for (owner, term, inflect, path, line) in owners {
        let forms = variants::expand_with_cost(term, ExpandOptions { inflect }, translit);
        if forms.len() > MAX_VARIANTS {
            d.error(
                path,
                Some(line),
                format!(
                    "term {term:?} expands to more than {MAX_VARIANTS} variants; split it or set inflect = false"
                ),
            );
        }
        for (surface, cost) in forms {
            let key = surface.to_lowercase();
            let list = claims.entry(key.clone()).or_default();
            if list.is_empty() {
                order.push(key);
            }
            if list.iter().any(|c| c.owner == owner) {
                continue;
            }
            list.push(Claim {
                owner,
                cost,
                surface,
            });
        }
    }

    let describe = |o: Owner| -> (String, String, usize, Option<(String, String)>) {
        match o {
            Owner::Entry(i) => {
                let e = &entries[i];
                (
                    e.term.clone(),
                    e.path.clone(),
                    e.line,
                    Some((e.concept.clone(), e.label.clone())),
                )
            }
            Owner::Exclusion(i) => {
                let x = &exclusions[i];
                (x.term.clone(), x.path.clone(), x.line, None)
            }
        }
    };

    let mut won: Vec<bool> = vec![false; entries.len() + exclusions.len()];
    let slot = |o: Owner| match o {
        Owner::Entry(i) => i,
        Owner::Exclusion(i) => entries.len() + i,
    };
    // (winner, loser) → (count, example surface)
    let mut lost: BTreeMap<(Owner, Owner), (usize, String)> = BTreeMap::new();
    let mut patterns = Vec::new();
    let mut targets = Vec::new();
    let mut seen_patterns: HashMap<String, ()> = HashMap::new();
    for key in &order {
        let list = &claims[key];
        let Some(win) = list.iter().min_by_key(|c| (c.cost, c.owner)) else {
            continue;
        };
        won[slot(win.owner)] = true;
        for c in list.iter().filter(|c| c.owner != win.owner) {
            let same_label = match (win.owner, c.owner) {
                (Owner::Entry(a), Owner::Entry(b)) => {
                    entries[a].concept == entries[b].concept && entries[a].label == entries[b].label
                }
                _ => false,
            };
            if !same_label {
                lost.entry((win.owner, c.owner))
                    .or_insert((0, c.surface.clone()))
                    .0 += 1;
            }
        }
        let (entry, case_sensitive) = match win.owner {
            Owner::Entry(i) => (Some(i), entries[i].case_sensitive),
            Owner::Exclusion(i) => (None, exclusions[i].case_sensitive),
        };
        let mut forms = vec![win.surface.clone()];
        if !case_sensitive && !win.surface.is_ascii() {
            // The automaton folds ASCII case only.
            forms.push(win.surface.to_lowercase());
            forms.push(win.surface.to_uppercase());
            let mut chars = win.surface.chars();
            if let Some(first) = chars.next() {
                forms.push(first.to_uppercase().chain(chars).collect());
            }
        }
        for form in forms {
            if seen_patterns.insert(form.clone(), ()).is_some() {
                continue;
            }
            targets.push(PatternTarget {
                entry,
                exact: case_sensitive.then(|| form.clone()),
            });
            patterns.push(form);
        }
    }

    for ((win, lose), (count, example)) in &lost {
        let (wterm, wpath, wline, wlabel) = describe(*win);
        let (lterm, lpath, lline, _) = describe(*lose);
        let wdesc = match wlabel {
            Some((c, l)) => format!("`{c}/{l}`"),
            None => "an exclusion".to_string(),
        };
        d.warning(
            &lpath,
            Some(lline),
            format!(
                "conflict: {count} form(s) of {lterm:?} (e.g. {example:?}) are also forms of \
                 {wterm:?} in {wdesc} ({wpath}:{wline}) and match there"
            ),
        );
    }
    for (i, e) in entries.iter().enumerate() {
        if !won[i] {
            d.warning(
                &e.path,
                Some(e.line),
                format!(
                    "term {:?} can never match: every form of it belongs to another term",
                    e.term
                ),
            );
        }
    }
    (patterns, targets)
}

/// Reports problems with a term's text; `false` when it cannot be used.
fn term_ok(d: &mut Diags, path: &str, line: usize, term: &str) -> bool {
    let mut ok = true;
    for (sev, msg) in text_problems(term) {
        ok &= sev != Severity::Error;
        d.push(path, Some(line), sev, format!("term {term:?}: {msg}"));
    }
    if ok {
        match variants::tokens(term) {
            Ok(_) => {}
            Err(TokenError::Empty) => {}
            Err(TokenError::EdgeSeparator) => {
                d.error(
                    path,
                    Some(line),
                    format!("term {term:?} starts or ends with a hyphen; it can never match a whole word"),
                );
                ok = false;
            }
            Err(TokenError::DoubleSeparator) => {
                d.error(
                    path,
                    Some(line),
                    format!(
                        "term {term:?} has two separators in a row (\"  \", \" - \"); write one space or one hyphen"
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}

/// Problems with a piece of lexicon text that the normalised article text
/// could never contain.
pub(crate) fn text_problems(s: &str) -> Vec<(Severity, String)> {
    let mut out = Vec::new();
    if s.is_empty() {
        out.push((Severity::Error, "empty; it can never match".to_string()));
        return out;
    }
    if s.trim() != s {
        out.push((
            Severity::Error,
            "leading or trailing whitespace; it can never match as a whole word".to_string(),
        ));
    }
    if let Some(c) = s.chars().find(|c| c.is_whitespace() && *c != ' ') {
        out.push((
            Severity::Error,
            format!(
                "contains U+{:04X}; the only whitespace a term may contain is a single ASCII space",
                c as u32
            ),
        ));
    }
    if !s.chars().any(char::is_alphanumeric) {
        out.push((
            Severity::Error,
            "has no letter or digit; it can never be a word".to_string(),
        ));
    }
    if out.is_empty() {
        // The text stage is the one authority on what normalised text looks
        // like: a term it would change never occurs in it as written.
        let normalized = crate::text::normalize::normalize(s).text;
        if normalized != s {
            let changed: Vec<String> = s
                .chars()
                .filter(|c| !normalized.contains(*c))
                .map(|c| format!("{c:?} (U+{:04X})", c as u32))
                .collect();
            let what = if changed.is_empty() {
                String::new()
            } else {
                format!(" (it replaces or removes {})", changed.join(", "))
            };
            out.push((
                Severity::Error,
                format!(
                    "can never match: the text stage turns it into {normalized:?}{what}; write that instead"
                ),
            ));
        }
    }
    out
}

fn check_id(d: &mut Diags, path: &str, line: Option<usize>, what: &str, id: &str) {
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        d.error(
            path,
            line,
            format!("{what} id {id:?} must be lowercase ASCII letters, digits and _ (starting with a letter)"),
        );
    }
}

/// Notes a hyphenated term whose spaced form is a phrase of ordinary
/// English, which expansion leaves out (see [`super::ordinary`]). A term
/// written with spaces is the author's explicit choice ("what they call")
/// and is matched as written.
fn ordinary_forms(d: &mut Diags, path: &str, line: usize, term: &str) {
    use super::ordinary::ordinary_phrase;
    let spaced = term.replace('-', " ");
    if spaced != term && ordinary_phrase(&spaced) {
        d.note(
            path,
            Some(line),
            format!("the form {spaced:?} of term {term:?} is a phrase of ordinary English (every word a common function word): it is not matched, only {term:?}"),
        );
    }
}
