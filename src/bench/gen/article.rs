//! One synthetic article: its outlet, length, voices, terms and page
//! chrome, from its own random stream ([`Generator::article`]).

use rand::distributions::{Distribution, WeightedIndex};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::GenConfig;
use crate::bench::vocab::*;
use crate::bench::BenchError;
use crate::lexicon::{ConceptKind, Lexicon};

/// Median article length in words.
pub const MEDIAN_WORDS: f64 = 600.0;
/// Spread of the log-normal length distribution (σ of ln(words)).
pub const LENGTH_SIGMA: f64 = 0.6;
/// Bounds on article length in words.
pub const MIN_WORDS: usize = 60;
pub const MAX_WORDS: usize = 15_000;

/// One generated article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedArticle {
    pub index: u64,
    pub outlet: usize,
    pub id: String,
    pub file: String,
    pub title: String,
    pub published: String,
    pub text: String,
    pub terms_placed: u32,
}

/// A term the generator can place, with the weights that pick it.
#[derive(Debug, Clone)]
struct Term {
    surface: String,
    /// Stays as written: changing its case would make it not match.
    case_sensitive: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Outlet {
    pub(super) id: String,
    pub(super) name: String,
    /// Picks the outlet's own-voice terms.
    own: WeightedIndex<f64>,
    /// Chance that a sentence slot meant for a term gets one.
    term_rate: f64,
    quote_rate: f64,
    attributed_rate: f64,
    scare_rate: f64,
    /// Chance that a term is preceded by a distancing word.
    distancing_rate: f64,
    chrome: bool,
    crlf: bool,
    footer: Vec<String>,
}

/// Builds articles; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Generator {
    seed: u64,
    terms: Vec<Term>,
    distancing: Vec<String>,
    pub(super) outlets: Vec<Outlet>,
    outlet_sizes: WeightedIndex<f64>,
    /// Term pickers for quoted speakers of each side.
    speaker_sides: [WeightedIndex<f64>; 2],
}

impl Generator {
    /// Prepares outlets and term weights from `lexicon`.
    pub fn new(lexicon: &Lexicon, config: &GenConfig) -> Result<Generator, BenchError> {
        let entries = lexicon.entries();
        let mut terms = Vec::new();
        let mut directions = Vec::new();
        let mut loaded = Vec::new();
        let mut concept_of = Vec::new();
        let mut distancing = Vec::new();
        let mut concepts: Vec<&str> = Vec::new();
        for e in entries {
            if e.distancing || e.kind == ConceptKind::Distancing {
                distancing.push(e.term.clone());
                continue;
            }
            let c = match concepts.iter().position(|c| *c == e.concept) {
                Some(c) => c,
                None => {
                    concepts.push(&e.concept);
                    concepts.len() - 1
                }
            };
            terms.push(Term {
                surface: e.term.clone(),
                case_sensitive: e.case_sensitive,
            });
            directions.push(f64::from(e.direction));
            loaded.push(f64::from(e.loaded));
            concept_of.push(c);
        }
        if terms.is_empty() {
            return Err(BenchError::EmptyLexicon);
        }

        let mut rng = ChaCha8Rng::seed_from_u64(config.outlet_seed);
        // Which side of the story each concept's referent is on; an outlet
        // leaning to one side is warm to that side's referents and hostile
        // to the other's.
        let concept_side: Vec<f64> = concepts
            .iter()
            .map(|_| if rng.gen_bool(0.5) { 1.0 } else { -1.0 })
            .collect();
        // Weight of term `i` for someone with leaning `lean` (−1..1) and a
        // taste for loaded words `heat` (0..2).
        let weights = |lean: f64, heat: f64| -> Vec<f64> {
            (0..terms.len())
                .map(|i| {
                    let toward = lean * concept_side[concept_of[i]];
                    let w = (3.0 * toward * directions[i]).exp();
                    w * ((1.0 - loaded[i]) + loaded[i] * heat)
                })
                .collect()
        };
        let index = |w: Vec<f64>| WeightedIndex::new(w).map_err(|_| BenchError::EmptyLexicon);

        let n = config.outlets.max(1);
        let mut outlets = Vec::with_capacity(n);
        let mut names = Vec::new();
        for first in OUTLET_FIRST {
            for second in OUTLET_SECOND {
                names.push(format!("The {first} {second}"));
            }
        }
        names.shuffle(&mut rng);
        for k in 0..n {
            let base = &names[k % names.len()];
            let round = k / names.len();
            let name = if round == 0 {
                base.clone()
            } else {
                format!("{base} {}", round + 1)
            };
            let id = slug(&name);
            // Spread the leanings evenly over −1..1 so every corpus has
            // outlets on both sides, then shuffle which outlet gets which.
            let lean = if n == 1 {
                0.0
            } else {
                -1.0 + 2.0 * k as f64 / (n - 1) as f64
            };
            let heat = rng.gen_range(0.3..1.8);
            outlets.push(Outlet {
                own: index(weights(lean, heat))?,
                term_rate: rng.gen_range(0.35..0.6),
                quote_rate: rng.gen_range(0.08..0.2),
                attributed_rate: rng.gen_range(0.08..0.16),
                scare_rate: rng.gen_range(0.0..0.03),
                distancing_rate: rng.gen_range(0.0..0.06),
                chrome: rng.gen_bool(0.6),
                crlf: rng.gen_bool(0.2),
                footer: vec![
                    format!("© 2024 {name}. All rights reserved."),
                    format!("Follow {name} on Telegram for breaking news."),
                ],
                id,
                name,
            });
        }
        // Larger and smaller outlets, as in any real scrape.
        let outlet_sizes = WeightedIndex::new((0..n).map(|k| 1.0 / ((k + 1) as f64).sqrt()))
            .map_err(|_| BenchError::EmptyLexicon)?;
        let speaker_sides = [index(weights(-0.9, 1.6))?, index(weights(0.9, 1.6))?];
        Ok(Generator {
            seed: config.seed,
            terms,
            distancing,
            outlets,
            outlet_sizes,
            speaker_sides,
        })
    }

    /// Outlet ids and display names, in generation order.
    pub fn outlets(&self) -> impl Iterator<Item = (&str, &str)> {
        self.outlets
            .iter()
            .map(|o| (o.id.as_str(), o.name.as_str()))
    }

    /// The article with this index; the same index and seed always give
    /// the same article.
    pub fn article(&self, index: u64) -> GeneratedArticle {
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        rng.set_stream(index);
        let o = self.outlet_sizes.sample(&mut rng);
        let outlet = &self.outlets[o];
        let mut w = Writer {
            gen: self,
            outlet,
            rng,
            out: String::new(),
            terms_placed: 0,
            speaker: None,
        };
        let target = w.length();
        let title = w.headline();
        let published = w.date();
        w.body(target);
        let text = if outlet.crlf {
            w.out.replace('\n', "\r\n")
        } else {
            w.out
        };
        GeneratedArticle {
            index,
            outlet: o,
            id: format!("s{}-{index:07}", self.seed),
            file: format!("articles/s{}_{index:07}.txt", self.seed),
            title,
            published,
            text,
            terms_placed: w.terms_placed,
        }
    }
}

/// Writes one article into `out`.
struct Writer<'a> {
    gen: &'a Generator,
    outlet: &'a Outlet,
    rng: ChaCha8Rng,
    out: String,
    terms_placed: u32,
    /// The last named speaker: (full reference, surname).
    speaker: Option<(String, String)>,
}

impl Writer<'_> {
    fn pick<'s>(&mut self, list: &[&'s str]) -> &'s str {
        list.choose(&mut self.rng).copied().unwrap_or("")
    }

    /// Target length in words: log-normal around [`MEDIAN_WORDS`].
    fn length(&mut self) -> usize {
        // Box–Muller: rand 0.8 has no normal distribution without an extra
        // crate, and two uniforms are all it takes.
        let u1: f64 = 1.0 - self.rng.gen::<f64>();
        let u2: f64 = self.rng.gen();
        let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        let words = (MEDIAN_WORDS.ln() + LENGTH_SIGMA * z).exp();
        (words as usize).clamp(MIN_WORDS, MAX_WORDS)
    }

    fn date(&mut self) -> String {
        const DAYS_IN: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let mut day = self.rng.gen_range(0..366u32);
        let mut month = 0;
        while day >= DAYS_IN[month] {
            day -= DAYS_IN[month];
            month += 1;
        }
        format!("2024-{:02}-{:02}", month + 1, day + 1)
    }

    fn headline(&mut self) -> String {
        let template = self.pick(HEADLINES);
        let mut s = String::new();
        self.fill(&mut s, template, Voice::Own);
        capitalise_first(&s)
    }

    fn body(&mut self, target_words: usize) {
        let outlet = self.outlet;
        if outlet.chrome {
            let lines = self.rng.gen_range(1..=3);
            for _ in 0..lines {
                let line = self.pick(CHROME_TOP);
                self.out.push_str(line);
                self.out.push('\n');
            }
            self.out.push('\n');
        }
        let mut words = 0;
        while words < target_words {
            // Mostly multi-sentence paragraphs: a one-sentence paragraph is
            // a "line" that can repeat across articles and be taken for
            // boilerplate, which real copy rarely does.
            let sentences = [1, 2, 2, 3, 3, 3, 4, 4][self.rng.gen_range(0..8)];
            let mut para = String::new();
            if self.rng.gen_bool(outlet.quote_rate / 10.0) {
                self.fill(&mut para, LONG_QUOTE, Voice::Quoted);
                words += para.split_whitespace().count();
                self.out.push_str(&para);
                self.out.push_str("\n\n");
                continue;
            }
            for i in 0..sentences {
                if i > 0 {
                    para.push(' ');
                }
                self.sentence(&mut para);
            }
            words += para.split_whitespace().count();
            self.out.push_str(&para);
            self.out.push_str("\n\n");
        }
        if outlet.chrome {
            let line = self.pick(CHROME_BOTTOM);
            self.out.push_str(line);
            self.out.push_str("\n\n");
        }
        for line in &outlet.footer {
            self.out.push_str(line);
            self.out.push('\n');
        }
    }

    fn sentence(&mut self, out: &mut String) {
        let o = self.outlet;
        let r: f64 = self.rng.gen();
        let mut s = String::new();
        if r < o.quote_rate {
            let template = self.pick(QUOTED);
            self.fill(&mut s, template, Voice::Quoted);
        } else if r < o.quote_rate + o.attributed_rate {
            let template = self.pick(ATTRIBUTED);
            self.fill(&mut s, template, Voice::Attributed);
        } else if r < o.quote_rate + o.attributed_rate + o.scare_rate {
            let template = self.pick(SCARE_SENTENCES);
            self.fill(&mut s, template, Voice::Own);
        } else {
            let template = self.pick(OWN);
            self.fill(&mut s, template, Voice::Own);
        }
        out.push_str(&capitalise_first(&s));
    }

    /// Expands `{…}` slots of `template` into `out`.
    fn fill(&mut self, out: &mut String, template: &str, voice: Voice) {
        // A quote's speaker is chosen before its words, so the terms inside
        // follow the speaker's side.
        let side = self.rng.gen_range(0..2usize);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let Some(close) = rest[open..].find('}') else {
                out.push_str(&rest[open..]);
                return;
            };
            let slot = &rest[open + 1..open + close];
            rest = &rest[open + close + 1..];
            match slot {
                "T" => self.term(out, voice, side),
                "P" => out.push_str(self.pick(PLACES)),
                "D" => out.push_str(self.pick(DAYS)),
                "N" => {
                    let n = if self.rng.gen_bool(0.8) {
                        self.rng.gen_range(2..60)
                    } else {
                        self.rng.gen_range(60..2000)
                    };
                    out.push_str(&n.to_string());
                }
                "S" => {
                    let role = self.pick(ROLES);
                    let first = self.pick(FIRST_NAMES);
                    let last = self.pick(LAST_NAMES);
                    // Initials now and then: "J. Hart" must not end a sentence.
                    let name = if self.rng.gen_bool(0.1) {
                        let initial = first.chars().next().unwrap_or('A');
                        format!("{role} {initial}. {last}")
                    } else {
                        format!("{role} {first} {last}")
                    };
                    out.push_str(&name);
                    self.speaker = Some((name, last.to_string()));
                }
                "R" => {
                    let r = match (&self.speaker, self.rng.gen_bool(0.5)) {
                        (Some((_, last)), true) => last.clone(),
                        _ => self.pick(REFERENCES).to_string(),
                    };
                    out.push_str(&r);
                }
                "G" => out.push_str(self.pick(UNNAMED)),
                "O" => out.push_str(self.pick(ORGS)),
                "A" => out.push_str(self.pick(ADJECTIVES)),
                "X" => {
                    if self.rng.gen_bool(0.01) {
                        let word = self.pick(OBFUSCATABLE);
                        out.push_str("the ");
                        out.push_str(&obfuscate(word));
                    } else {
                        out.push_str(self.pick(NOUNS));
                    }
                }
                "V" => out.push_str(self.pick(VERBS)),
                "C" => out.push_str(self.pick(CLAUSES)),
                "AUD" => out.push_str(self.pick(AUDIENCES)),
                "Q" => {
                    let q = self.pick(QUOTES);
                    let mut inner = String::new();
                    self.fill(&mut inner, q, Voice::Quoted);
                    out.push_str(&capitalise_first(&inner));
                }
                "Q2" => out.push_str(self.pick(QUOTES2)),
                "SQ" => {
                    let phrase = self.pick(SCARE);
                    if self.rng.gen_bool(0.5) {
                        out.push('“');
                        out.push_str(phrase);
                        out.push('”');
                    } else {
                        out.push('"');
                        out.push_str(phrase);
                        out.push('"');
                    }
                }
                other => {
                    out.push('{');
                    out.push_str(other);
                    out.push('}');
                }
            }
        }
        out.push_str(rest);
    }

    /// A lexicon term, or a neutral noun phrase when the outlet's term rate
    /// says no term here.
    fn term(&mut self, out: &mut String, voice: Voice, side: usize) {
        let rate = match voice {
            // Quotes are where the strongest language is.
            Voice::Quoted => 0.85,
            _ => self.outlet.term_rate,
        };
        if !self.rng.gen_bool(rate) {
            out.push_str(self.pick(NOUNS));
            return;
        }
        let i = match voice {
            Voice::Own => self.outlet.own.sample(&mut self.rng),
            _ => self.gen.speaker_sides[side].sample(&mut self.rng),
        };
        let term = &self.gen.terms[i];
        if voice == Voice::Own
            && !self.gen.distancing.is_empty()
            && self.rng.gen_bool(self.outlet.distancing_rate)
        {
            let d = self
                .gen
                .distancing
                .choose(&mut self.rng)
                .map_or("", String::as_str);
            out.push_str(d);
            out.push(' ');
            self.terms_placed += 1;
        }
        let mut surface = term.surface.clone();
        if !term.case_sensitive {
            surface = self.vary(&surface);
        }
        if self.rng.gen_bool(0.003) && !surface.contains([' ', '-', '.']) && surface.len() >= 4 {
            surface = obfuscate(&surface);
        }
        out.push_str(&surface);
        self.terms_placed += 1;
    }

    /// The spelling variations a matcher must handle: `US`/`U.S.`/
    /// `American`, hyphen or space.
    fn vary(&mut self, term: &str) -> String {
        let mut s = term.to_string();
        if s.split([' ', '-']).any(|t| t == "US") && self.rng.gen_bool(0.5) {
            let with = if self.rng.gen_bool(0.7) {
                "U.S."
            } else {
                "American"
            };
            s = s
                .split(' ')
                .map(|t| {
                    if t == "US" {
                        with.to_string()
                    } else if let Some(rest) = t.strip_prefix("US-") {
                        format!("{with}-{rest}")
                    } else {
                        t.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
        }
        if s.contains('-') && self.rng.gen_bool(0.1) {
            s = s.replace('-', " ");
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Voice {
    Own,
    Attributed,
    Quoted,
}

/// Upper-cases the first letter (sentences built from a lowercase term).
fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(chars).collect(),
        _ => s.to_string(),
    }
}

/// `killing` → `kill.ing`: a dot in the middle of the word.
fn obfuscate(word: &str) -> String {
    let mid = word
        .char_indices()
        .nth(word.chars().count() / 2)
        .map_or(word.len(), |(i, _)| i);
    format!("{}.{}", &word[..mid], &word[mid..])
}

/// `The Daily Meridian` → `daily-meridian`.
fn slug(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "the")
        .collect();
    words.join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::gen::tests::small;
    use crate::bench::gen::GenConfig;

    #[test]
    fn other_seed_other_text_same_outlets() {
        let lexicon = Lexicon::embedded();
        let g1 = Generator::new(&lexicon, &small(1)).expect("gen");
        let g2 = Generator::new(&lexicon, &small(2)).expect("gen");
        assert_ne!(g1.article(0).text, g2.article(0).text);
        let o1: Vec<_> = g1.outlets().collect();
        let o2: Vec<_> = g2.outlets().collect();
        assert_eq!(o1, o2);
    }

    #[test]
    fn an_article_does_not_depend_on_the_others() {
        let lexicon = Lexicon::embedded();
        let g = Generator::new(&lexicon, &small(9)).expect("gen");
        let direct = g.article(17);
        let after: Vec<_> = (0..20).map(|i| g.article(i)).collect();
        assert_eq!(after[17], direct);
    }

    #[test]
    fn lengths_are_news_like() {
        let lexicon = Lexicon::embedded();
        let g = Generator::new(&lexicon, &small(5)).expect("gen");
        let mut words: Vec<usize> = (0..2000)
            .map(|i| g.article(i).text.split_whitespace().count())
            .collect();
        words.sort_unstable();
        let median = words[words.len() / 2];
        assert!((500..800).contains(&median), "median {median}");
        assert!(words.iter().any(|&w| w > 3000), "no long article");
        assert!(words[0] >= MIN_WORDS);
    }

    #[test]
    fn text_has_quotes_terms_and_boilerplate() {
        let lexicon = Lexicon::embedded();
        let g = Generator::new(&lexicon, &small(11)).expect("gen");
        let all: String = (0..200).map(|i| g.article(i).text).collect();
        for needle in ["“", "”", "\"", " said", "According to", "©", "Follow "] {
            assert!(all.contains(needle), "no {needle:?} in the corpus");
        }
        let matcher = lexicon.compile().expect("compiles");
        let words = all.split_whitespace().count();
        let hits = matcher.find(&all).len();
        let per_100 = hits as f64 * 100.0 / words as f64;
        assert!(
            (1.0..8.0).contains(&per_100),
            "{per_100:.2} hits per 100 words"
        );
    }

    #[test]
    fn outlets_differ_in_their_own_terms() {
        let lexicon = Lexicon::embedded();
        let config = GenConfig {
            outlets: 2,
            ..small(4)
        };
        let g = Generator::new(&lexicon, &config).expect("gen");
        let matcher = lexicon.compile().expect("compiles");
        let mut direction = [0.0f64; 2];
        let mut count = [0usize; 2];
        for i in 0..600 {
            let a = g.article(i);
            for hit in matcher.find(&a.text) {
                let e = matcher.entry(hit.entry);
                direction[a.outlet] += f64::from(e.direction);
                count[a.outlet] += 1;
            }
        }
        assert!(count[0] > 100 && count[1] > 100, "{count:?}");
        let mean = [
            direction[0] / count[0] as f64,
            direction[1] / count[1] as f64,
        ];
        // Leanings are per concept, so the means need not have opposite
        // signs; they must differ clearly.
        assert!((mean[0] - mean[1]).abs() > 0.05, "{mean:?}");
    }

    #[test]
    fn obfuscate_splits_in_the_middle() {
        assert_eq!(obfuscate("ISIS"), "IS.IS");
        assert_eq!(obfuscate("killing"), "kil.ling");
        assert_eq!(slug("The Daily Meridian 2"), "daily-meridian-2");
    }
}
