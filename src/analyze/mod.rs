//! One article through the text and lexicon stages: the mentions it holds and
//! the counts its rates are built from.
//!
//! This is the per-article "map" step. It reads nothing but its arguments, so
//! articles can be analysed in any order, in parallel, or on other machines,
//! and the results merged by [`crate::score`]. The run cache
//! ([`crate::store`]) keeps what each article gave between runs,
//! so a rerun analyses only new or changed articles.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::corpus::{Article, ArticleId, OutletId};
use crate::lexicon::{affiliation_labels, is_negated, Matcher, AFFILIATION, AFFILIATION_LOADED};
use crate::mention::{Layer, Mention, Span, Voice};
use crate::target::Target;
use crate::text::{PreparedText, RepeatedLines};

/// Concept id of distancing markers: the lexicon's distancing words and
/// the scare quotes the analysis adds to them.
pub use crate::lexicon::DISTANCING;

/// Label and loadedness given to a scare quote. The lexicon cannot weigh a
/// scare quote (its words can be anything), so it gets a fixed mid weight.
pub const SCARE_QUOTE_LABEL: &str = "scare_quote";
pub const SCARE_QUOTE_LOADED: f32 = 0.5;

/// Concept id of the detector's own hits (words no lexicon term covers).
pub const DETECTED: &str = "detected";

/// Concept id of a mention of an actor: a proper name the text stage found
/// ([`crate::text::names`]), whether or not the lexicon lists it.
pub const ACTOR: &str = "actor";

/// Loaded words found by a model rather than listed in a lexicon: the
/// loaded-word detector ([`crate::detect`]), or a stand-in in tests.
///
/// `find` gets the article's sentences (normalised text, boilerplate left
/// out) and returns, for each, the loaded stretches it found: byte ranges
/// into that sentence with their probability.
pub trait WordFinder: Sync {
    fn find(&self, sentences: &[&str]) -> Result<Vec<Stretches>, FinderError>;
}

/// A sentence's loaded stretches: byte ranges into it, with probabilities.
pub type Stretches = Vec<(Range<usize>, f32)>;

/// A [`WordFinder`] that failed; the run stops rather than report an
/// article without the detector's hits.
#[derive(Debug, Clone, thiserror::Error)]
#[error("loaded-word detector: {0}")]
pub struct FinderError(pub String);

/// What the reports need to know about one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleAnalysis {
    pub id: ArticleId,
    pub outlet: OutletId,
    pub outlet_name: Option<String>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub source: String,
    pub content_hash: String,
    /// Words in sentences (boilerplate excluded), total and by voice.
    pub words: usize,
    pub words_by_voice: [usize; 3],
    pub sentences: usize,
    pub boilerplate_removed: usize,
    /// Mentions in text order.
    pub mentions: Vec<Mention>,
    /// Mentions of actors (concept [`ACTOR`]), in text order: evidence
    /// rows and `actors.csv`, apart from `mentions` so that no other table
    /// counts them. `term` is the name the article gives the actor in
    /// full (a short form joins the one longer name of the article it is
    /// the end of: [`crate::text::names::merge_aliases`] on the article's
    /// names), `label` the title written before it ("Prime Minister"),
    /// empty when none.
    #[serde(default)]
    pub actors: Vec<Mention>,
    /// Its phrases by voice, for discovery ([`crate::text::phrases`]).
    pub phrases: crate::text::phrases::ArticlePhrases,
}

/// What the sentiment model scores for a mention: its sentence and its span
/// in that sentence (character offsets), or `None` for a distancing marker
/// or a detector hit, which name no referent to judge ("slammed",
/// "so-called").
pub fn sentiment_target(m: &Mention) -> Option<Target> {
    if m.concept == DISTANCING || m.layer == Layer::Detector {
        return None;
    }
    Some(Target {
        sentence: m.sentence.clone(),
        start: m.span.start.saturating_sub(m.sentence_span.start),
        end: m.span.end.saturating_sub(m.sentence_span.start),
    })
}

/// Runs the text and lexicon stages on one article.
pub fn analyze_article(
    article: &Article,
    repeated: &RepeatedLines,
    matcher: &Matcher,
) -> ArticleAnalysis {
    match analyze_article_with(article, repeated, matcher, None) {
        Ok(analysis) => analysis,
        // Without a finder nothing can fail.
        Err(_) => unreachable!("analysis without a finder failed"),
    }
}

/// [`analyze_article`] with a [`WordFinder`]'s hits as mentions too.
///
/// The lexicon is the authority where both hit: a lexicon mention that a
/// finder's stretch overlaps keeps its concept and label and records the
/// probability ([`Mention::model_prob`]); the words of the stretch beyond
/// the lexicon's (trimmed to letters and digits), and any other stretch,
/// become a [`Layer::Detector`] mention of concept [`DETECTED`], its label
/// the lower-cased words, its loadedness the stretch's probability,
/// direction 0 (a word's lean toward a referent is not something the
/// detector knows), and voice, speaker, scare quote and negation as for
/// any mention.
///
/// The story lexicon is taken as it is; a [`Layer::General`] hit the
/// finder did not call loaded keeps its mention with loadedness 0: the
/// general layer lists words that are loaded in most uses, and the finder
/// reads the use.
pub fn analyze_article_with(
    article: &Article,
    repeated: &RepeatedLines,
    matcher: &Matcher,
    finder: Option<&dyn WordFinder>,
) -> Result<ArticleAnalysis, FinderError> {
    let prepared = PreparedText::prepare(&article.text, repeated);
    let chars = CharIndex::new(&article.text);
    let norm = &prepared.normalized;
    let mut mentions = Vec::new();

    // The normalised text of a mention's sentence: the sentence it starts
    // in, extended to the end of the one it ends in when it runs past it (a
    // term matched across a line break, a quote across a full stop), so the
    // sentence shown as evidence always contains the mention.
    let sentence_range = |range: &std::ops::Range<usize>, sentence_index: usize| {
        let first = prepared.sentences[sentence_index].range.clone();
        let end = prepared
            .sentence_index_at(range.end.saturating_sub(1))
            .map_or(range.end, |last| prepared.sentences[last].range.end);
        first.start..first.end.max(end)
    };
    // A mention at a range of the normalised text, with everything that is
    // read off the text the same way whoever found it: offsets, surface,
    // sentence, voice and speaker, scare quote, negation. What found it
    // fills in the rest (term and label default to the surface; general
    // layer, loadedness and direction 0).
    let at = |range: Range<usize>, sentence_index: usize| -> Mention {
        let span = prepared.original_span(range.clone());
        let whole = sentence_range(&range, sentence_index);
        let sentence_span = prepared.original_span(whole.clone());
        let (voice, speaker) = prepared.voice_at(range.clone());
        let surface = chars.slice(span).to_string();
        Mention {
            article_id: article.id.clone(),
            outlet: article.outlet.clone(),
            sentence_index,
            span,
            term: surface.clone(),
            label: surface.clone(),
            surface,
            concept: String::new(),
            layer: Layer::General,
            model_prob: None,
            loaded: 0.0,
            direction: 0.0,
            voice,
            speaker: speaker.map(str::to_string),
            distancing: prepared.in_scare_quote(range.clone()),
            negated: is_negated(norm, whole, range),
            sentence_span,
            sentence: chars.slice(sentence_span).to_string(),
            sentiment: None,
        }
    };

    // The normalised range of each mention pushed, index for index, so that
    // a finder's stretch can find the lexicon mentions it overlaps.
    let mut lexicon_ranges: Vec<Range<usize>> = Vec::new();
    for hit in matcher.find(norm) {
        // Hits in boilerplate belong to no sentence: page chrome is not the
        // outlet's framing of the story.
        let Some(sentence_index) = prepared.sentence_index_at(hit.range.start) else {
            continue;
        };
        let entry = matcher.entry(hit.entry);
        let m = at(hit.range.clone(), sentence_index);
        lexicon_ranges.push(hit.range);
        mentions.push(Mention {
            term: entry.term.clone(),
            concept: entry.concept.clone(),
            label: entry.label.clone(),
            layer: entry.layer,
            loaded: entry.loaded,
            direction: entry.direction,
            distancing: entry.distancing || m.distancing,
            ..m
        });
    }

    // Affiliation labels the lexicon does not list ("Saudi-funded"): the
    // general layer's pattern; a listed term keeps its own concept.
    for range in affiliation_labels(norm) {
        if lexicon_ranges
            .iter()
            .any(|l| l.start < range.end && range.start < l.end)
        {
            continue;
        }
        let Some(sentence_index) = prepared.sentence_index_at(range.start) else {
            continue;
        };
        let m = at(range.clone(), sentence_index);
        let label = m
            .surface
            .rsplit('-')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        lexicon_ranges.push(range);
        mentions.push(Mention {
            concept: AFFILIATION.to_string(),
            label,
            loaded: AFFILIATION_LOADED,
            ..m
        });
    }

    for quote in &prepared.scare_quotes {
        let Some(sentence_index) = prepared.sentence_index_at(quote.start) else {
            continue;
        };
        lexicon_ranges.push(quote.clone());
        mentions.push(Mention {
            concept: DISTANCING.to_string(),
            label: SCARE_QUOTE_LABEL.to_string(),
            // Found by the text stage on any story.
            layer: Layer::General,
            loaded: SCARE_QUOTE_LOADED,
            // A scare quote is the outlet distancing itself, by definition.
            voice: Voice::Own,
            speaker: None,
            distancing: true,
            negated: false,
            ..at(quote.clone(), sentence_index)
        });
    }
    if let Some(finder) = finder {
        let texts: Vec<&str> = prepared
            .sentences
            .iter()
            .map(|s| norm.get(s.range.clone()).unwrap_or(""))
            .collect();
        let found = finder.find(&texts)?;
        for (sentence_index, stretches) in found.into_iter().enumerate() {
            let Some(sentence) = prepared.sentences.get(sentence_index) else {
                break;
            };
            for (r, p) in stretches {
                let range = sentence.range.start + r.start..sentence.range.start + r.end;
                if range.end > sentence.range.end || r.start >= r.end {
                    continue;
                }
                // The lexicon keeps the words it covers; what the stretch
                // holds beyond them is the detector's.
                let mut pieces = vec![range.clone()];
                for (i, l) in lexicon_ranges.iter().enumerate() {
                    if l.start < range.end && range.start < l.end {
                        let m: &mut Mention = &mut mentions[i];
                        m.model_prob = Some(m.model_prob.map_or(p, |q| q.max(p)));
                        pieces = pieces.into_iter().flat_map(|r| outside(r, l)).collect();
                    }
                }
                for piece in pieces {
                    let Some(range) = words_within(norm, piece) else {
                        continue;
                    };
                    let m = at(range, sentence_index);
                    mentions.push(Mention {
                        label: crate::text::lower_words(&m.surface),
                        concept: DETECTED.to_string(),
                        layer: Layer::Detector,
                        model_prob: Some(p),
                        loaded: p,
                        ..m
                    });
                }
            }
        }
        // The general layer lists words that are loaded in most uses, not
        // in every one ("radical change", "a brutal winter"); the detector
        // reads the use. A general hit it did not call loaded stays as
        // evidence, with loadedness 0.
        for m in &mut mentions {
            if m.layer == Layer::General && m.model_prob.is_none() {
                m.loaded = 0.0;
            }
        }
    }
    mentions.sort_by(|a, b| (a.span, &a.concept).cmp(&(b.span, &b.concept)));

    let ranges: Vec<Range<usize>> = prepared.sentences.iter().map(|s| s.range.clone()).collect();
    let names = crate::text::names::find_names(norm, &ranges);
    let full = crate::text::names::merge_aliases(names.iter().map(|n| (n.name.as_str(), 1)));
    let mut actors = Vec::with_capacity(names.len());
    for name in names {
        let Some(sentence_index) = prepared.sentence_index_at(name.range.start) else {
            continue;
        };
        let m = at(name.range, sentence_index);
        actors.push(Mention {
            term: full.get(&name.name).cloned().unwrap_or(name.name),
            concept: ACTOR.to_string(),
            label: name.title.unwrap_or_default(),
            ..m
        });
    }

    Ok(ArticleAnalysis {
        id: article.id.clone(),
        outlet: article.outlet.clone(),
        outlet_name: article.outlet_name.clone(),
        title: article.title.clone(),
        published: article.published.clone(),
        source: article.source.clone(),
        content_hash: article.content_hash.clone(),
        words: prepared.words(),
        words_by_voice: prepared.words_by_voice(),
        sentences: prepared.sentences.len(),
        boilerplate_removed: prepared.boilerplate_removed,
        mentions,
        actors,
        phrases: crate::text::phrases::article_phrases(&prepared),
    })
}

/// `r` without the part `cut` covers: nothing, or one or two ranges.
fn outside(r: Range<usize>, cut: &Range<usize>) -> Vec<Range<usize>> {
    [r.start..r.end.min(cut.start), r.start.max(cut.end)..r.end]
        .into_iter()
        .filter(|piece| piece.start < piece.end)
        .collect()
}

/// `r` trimmed to its first and last letter or digit, if it has a letter.
fn words_within(text: &str, r: Range<usize>) -> Option<Range<usize>> {
    let piece = text.get(r.clone())?;
    let trimmed = piece.trim_matches(|c: char| !c.is_alphanumeric());
    if !trimmed.chars().any(char::is_alphabetic) {
        return None;
    }
    let start = r.start + (trimmed.as_ptr() as usize - piece.as_ptr() as usize);
    Some(start..start + trimmed.len())
}

/// Character offsets → byte offsets without a byte offset per character:
/// one checkpoint every [`CharIndex::STRIDE`] characters bounds both memory
/// (a 10 MB article) and lookup cost.
struct CharIndex<'a> {
    text: &'a str,
    checkpoints: Vec<usize>,
}

impl<'a> CharIndex<'a> {
    const STRIDE: usize = 64;

    fn new(text: &'a str) -> CharIndex<'a> {
        let checkpoints = text
            .char_indices()
            .step_by(Self::STRIDE)
            .map(|(b, _)| b)
            .collect();
        CharIndex { text, checkpoints }
    }

    fn byte(&self, char_offset: usize) -> usize {
        let Some(&start) = self.checkpoints.get(char_offset / Self::STRIDE) else {
            return self.text.len();
        };
        self.text[start..]
            .char_indices()
            .nth(char_offset % Self::STRIDE)
            .map_or(self.text.len(), |(b, _)| start + b)
    }

    fn slice(&self, span: Span) -> &'a str {
        let start = self.byte(span.start);
        let end = self.byte(span.end).max(start);
        &self.text[start..end]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{content_id, sha256_hex};
    use crate::lexicon::Lexicon;

    /// Finds fixed words wherever they stand, at probability 0.9.
    struct Words(&'static [&'static str]);

    impl WordFinder for Words {
        fn find(&self, sentences: &[&str]) -> Result<Vec<Stretches>, FinderError> {
            Ok(sentences
                .iter()
                .map(|s| {
                    self.0
                        .iter()
                        .filter_map(|w| s.find(w).map(|i| (i..i + w.len(), 0.9)))
                        .collect()
                })
                .collect())
        }
    }

    fn article(text: &str) -> Article {
        let content_hash = sha256_hex(text.as_bytes());
        Article {
            id: content_id(&content_hash),
            outlet: OutletId("o".into()),
            outlet_name: None,
            title: None,
            published: None,
            url: None,
            metadata: Vec::new(),
            source: "o/a.txt".into(),
            text: text.into(),
            content_hash,
        }
    }

    #[test]
    fn a_finders_stretch_is_a_mention_with_its_voice_and_the_lexicon_keeps_its_own() {
        let lexicon = Lexicon::embedded();
        let matcher = lexicon.compile().unwrap();
        let text = "The occupation forces stayed, a shameful choice.\n\
                    \"It is a disgraceful retreat,\" the minister said.\n";
        let finder = Words(&["stayed", "disgraceful", "occupation"]);
        let a = analyze_article_with(
            &article(text),
            &RepeatedLines::empty(),
            &matcher,
            Some(&finder),
        )
        .unwrap();
        let detected: Vec<(&str, Voice)> = a
            .mentions
            .iter()
            .filter(|m| m.layer == Layer::Detector)
            .map(|m| (m.surface.as_str(), m.voice))
            .collect();
        assert_eq!(
            detected,
            [("stayed", Voice::Own), ("disgraceful", Voice::Quoted)]
        );
        let d = a.mentions.iter().find(|m| m.surface == "stayed").unwrap();
        assert_eq!((d.concept.as_str(), d.label.as_str()), (DETECTED, "stayed"));
        assert_eq!((d.loaded, d.model_prob, d.direction), (0.9, Some(0.9), 0.0));
        // "occupation forces" is the story lexicon's: it stays its mention,
        // with the model's probability beside it.
        let story = a
            .mentions
            .iter()
            .find(|m| m.surface == "occupation forces")
            .unwrap();
        assert_eq!((story.layer, story.model_prob), (Layer::Story, Some(0.9)));
        // "shameful" is the general layer's; the finder did not call it
        // loaded here, so it stays as evidence with loadedness 0.
        let general = |a: &ArticleAnalysis| {
            let m = a.mentions.iter().find(|m| m.surface == "shameful").unwrap();
            (m.layer, m.loaded, m.model_prob)
        };
        assert_eq!(general(&a), (Layer::General, 0.0, None));
        // Without a finder: the same lexicon mentions, no probabilities.
        let plain = analyze_article(&article(text), &RepeatedLines::empty(), &matcher);
        let lexicon_only: Vec<_> = a
            .mentions
            .iter()
            .filter(|m| m.layer != Layer::Detector)
            .map(|m| (m.span, m.concept.clone()))
            .collect();
        let want: Vec<_> = plain
            .mentions
            .iter()
            .map(|m| (m.span, m.concept.clone()))
            .collect();
        assert_eq!(lexicon_only, want);
        assert!(plain.mentions.iter().all(|m| m.model_prob.is_none()));
        assert!(general(&plain).1 > 0.0);
    }

    #[test]
    fn a_stretch_over_a_lexicon_term_leaves_it_the_term_and_keeps_the_rest() {
        let lexicon = Lexicon::embedded();
        let matcher = lexicon.compile().unwrap();
        let text = "They made a shameful, reckless choice.\n";
        let finder = Words(&["shameful, reckless choice"]);
        let a = analyze_article_with(
            &article(text),
            &RepeatedLines::empty(),
            &matcher,
            Some(&finder),
        )
        .unwrap();
        let shameful = a.mentions.iter().find(|m| m.surface == "shameful").unwrap();
        assert_eq!(shameful.layer, Layer::General);
        assert_eq!(shameful.model_prob, Some(0.9));
        assert!(shameful.loaded > 0.0, "confirmed: it keeps its weight");
        let detected: Vec<&str> = a
            .mentions
            .iter()
            .filter(|m| m.layer == Layer::Detector)
            .map(|m| m.surface.as_str())
            .collect();
        // What the lexicon does not cover is the detector's, trimmed to
        // its words (no ", " left at the front).
        assert_eq!(detected, ["reckless choice"]);
    }

    #[test]
    fn affiliation_labels_the_lexicon_lacks_are_general_mentions() {
        let lexicon = Lexicon::embedded();
        let matcher = lexicon.compile().unwrap();
        let text = "Saudi-funded outlets praised the Iran-backed militias.\n";
        let a = analyze_article(&article(text), &RepeatedLines::empty(), &matcher);
        let of = |surface: &str| a.mentions.iter().find(|m| m.surface == surface).unwrap();
        let saudi = of("Saudi-funded");
        assert_eq!(
            (saudi.concept.as_str(), saudi.label.as_str(), saudi.layer),
            (AFFILIATION, "funded", Layer::General)
        );
        assert_eq!(
            (saudi.loaded, saudi.voice),
            (AFFILIATION_LOADED, Voice::Own)
        );
        // The story lexicon lists "Iran-backed": its concept, not the pattern's.
        assert_ne!(of("Iran-backed").concept, AFFILIATION);
        assert_eq!(
            a.mentions
                .iter()
                .filter(|m| m.concept == AFFILIATION)
                .count(),
            1
        );
    }

    #[test]
    fn a_failing_finder_fails_the_analysis() {
        struct Broken;
        impl WordFinder for Broken {
            fn find(&self, _: &[&str]) -> Result<Vec<Stretches>, FinderError> {
                Err(FinderError("out of memory".into()))
            }
        }
        let lexicon = Lexicon::embedded();
        let matcher = lexicon.compile().unwrap();
        let r = analyze_article_with(
            &article("A sentence.\n"),
            &RepeatedLines::empty(),
            &matcher,
            Some(&Broken),
        );
        assert!(r.is_err());
    }

    #[test]
    fn char_index_matches_chars() {
        let text = "ab€d".repeat(50);
        let index = CharIndex::new(&text);
        for start in [0, 1, 3, 63, 64, 65, 130, 199] {
            for len in [0, 1, 5, 70] {
                let end = (start + len).min(200);
                let want: String = text.chars().skip(start).take(end - start).collect();
                assert_eq!(index.slice(Span::new(start, end)), want);
            }
        }
        assert_eq!(
            index.slice(Span::new(195, 500)),
            "ab€d"[..].chars().skip(3).collect::<String>() + "ab€d"
        );
    }
}
