//! `slant eval loaded`: how well slant finds loaded language, measured on
//! BABE's expert labels.
//!
//! **Sentences.** Each sentence labelled `Biased` or `Non-biased` (rows
//! marked `No agreement` have no gold and are skipped, and counted) is
//! analysed as a one-sentence article by [`analyze_article`]. It is
//! predicted Biased iff it has at least one mention in the outlet's own
//! voice that is loaded: loadedness > 0 or a distancing marker (a scare
//! quote, "so-called"). Negated mentions count: "not an occupation" still
//! uses the word. Scores: accuracy, and precision, recall and F1 of each
//! class with their macro mean.
//!
//! **Words.** A word is a lower-cased Unicode word (UAX #29, as slant
//! counts words; `’` read as `'`), so `"Hard-line,"` gives `hard` and
//! `line`. In each sentence, the gold words are the words of the
//! annotators' `biased_words` items and the predicted words are the words
//! of the texts of the predicted (own-voice, loaded) mentions, each a set
//! (a word counts once per sentence). A gold word is found when it is one
//! of the predicted words. Summed over all sentences of the split (both
//! labels, since annotators also marked words in sentences the majority
//! called non-biased): precision = found ÷ predicted words, recall = found
//! ÷ gold words, F1 their harmonic mean.
//!
//! ```
//! use slant::eval::loaded::word_counts;
//! let gold = ["'thugs'".to_string(), "rioting".to_string()];
//! let predicted = ["so-called thugs".to_string()];
//! let c = word_counts(&gold, &predicted);
//! // gold {thugs, rioting}, predicted {so, called, thugs}: 1 found.
//! assert_eq!((c.gold, c.predicted, c.correct), (2, 3, 1));
//! ```
//!
//! **Layers.** A prediction comes from a [`Layer`]; the report has one row
//! per layer [`layers`] returns, so another detector is one more
//! implementation of the trait and one more entry there.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::EvalError;
use crate::analyze::{analyze_article_with, FinderError, WordFinder};
use crate::corpus::babe::{self, Bias, Sentence, Split};
use crate::corpus::{content_id, sha256_hex, Article, OutletId};
use crate::detect::Finder;
use crate::lexicon::{Lexicon, Matcher};
use crate::mention::{Mention, Voice};
use crate::metrics::{Confusion, Counts};
use crate::text::RepeatedLines;

/// What a layer says about one sentence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prediction {
    pub biased: bool,
    /// The texts it found loaded, as they stand in the sentence; scored
    /// word by word against `biased_words`.
    pub spans: Vec<String>,
}

/// A source of predictions: today the lexicon.
pub trait Layer: Sync {
    /// The row's name in the report.
    fn name(&self) -> &str;
    fn predict(&self, sentence: &Sentence) -> Prediction;
}

/// The framing lexicon through the whole per-article analysis: voice,
/// scare quotes, distancing; all of it, or one [`crate::mention::Layer`]
/// of it (the story lexicon, the general layer).
pub struct LexiconLayer<'a> {
    matcher: Matcher,
    /// The detector's hits join the analysis, as in `slant analyze`.
    finder: Option<&'a Finder>,
    // BABE sentences come one per article, from many pages: nothing is
    // boilerplate.
    repeated: RepeatedLines,
    only: Option<crate::mention::Layer>,
    name: String,
}

impl<'a> LexiconLayer<'a> {
    pub fn new(matcher: Matcher) -> LexiconLayer<'a> {
        LexiconLayer {
            matcher,
            finder: None,
            repeated: RepeatedLines::empty(),
            only: None,
            name: "lexicon".into(),
        }
    }

    /// The mentions of one layer of the lexicon alone.
    pub fn only(matcher: Matcher, layer: crate::mention::Layer) -> LexiconLayer<'a> {
        LexiconLayer {
            only: Some(layer),
            name: format!("lexicon: {}", layer.as_str()),
            ..LexiconLayer::new(matcher)
        }
    }
}

impl Layer for LexiconLayer<'_> {
    fn name(&self) -> &str {
        &self.name
    }

    fn predict(&self, sentence: &Sentence) -> Prediction {
        self.analyse(sentence).unwrap_or_default()
    }
}

impl LexiconLayer<'_> {
    fn analyse(&self, sentence: &Sentence) -> Result<Prediction, FinderError> {
        let content_hash = sha256_hex(sentence.text.as_bytes());
        let article = Article {
            id: content_id(&content_hash),
            outlet: OutletId(sentence.outlet.clone().unwrap_or_default()),
            outlet_name: None,
            title: None,
            published: None,
            url: None,
            metadata: Vec::new(),
            source: format!("line {}", sentence.line),
            text: sentence.text.clone(),
            content_hash,
        };
        let finder = self.finder.map(|f| f as &dyn WordFinder);
        let analysis = analyze_article_with(&article, &self.repeated, &self.matcher, finder)?;
        let spans: Vec<String> = analysis
            .mentions
            .iter()
            .filter(|m| is_own_loaded(m) && self.only.is_none_or(|l| l == m.layer))
            .map(|m| m.surface.clone())
            .collect();
        Ok(Prediction {
            biased: !spans.is_empty(),
            spans,
        })
    }
}

/// The loaded-word detector: a sentence is Biased when its sentence
/// probability reaches the detector's sentence threshold; its spans are the
/// runs of words at or above the word threshold. The model is not `Sync`,
/// so every sentence is tagged once, in batches, when the layer is made.
pub struct DetectorLayer {
    by_line: std::collections::HashMap<u64, Prediction>,
}

impl DetectorLayer {
    pub fn new(finder: &Finder, sentences: &[Sentence]) -> Result<DetectorLayer, EvalError> {
        let texts: Vec<&str> = sentences.iter().map(|s| s.text.as_str()).collect();
        let tagged = finder.tag(&texts)?;
        let t = finder.thresholds();
        let by_line = sentences
            .iter()
            .zip(tagged)
            .map(|(s, tagged)| {
                let spans = tagged
                    .hits(&s.text, t.word)
                    .into_iter()
                    .filter_map(|(r, _)| s.text.get(r).map(str::to_string))
                    .collect();
                let prediction = Prediction {
                    biased: tagged.sentence >= t.sentence,
                    spans,
                };
                (s.line, prediction)
            })
            .collect();
        Ok(DetectorLayer { by_line })
    }
}

impl Layer for DetectorLayer {
    fn name(&self) -> &str {
        "detector"
    }

    fn predict(&self, sentence: &Sentence) -> Prediction {
        self.by_line
            .get(&sentence.line)
            .cloned()
            .unwrap_or_default()
    }
}

/// The lexicon and the detector together, as `slant analyze` reports
/// them: the spans are the own-voice loaded mentions of the analysis with
/// the detector's hits in it (a hit inside a quotation is the speaker's,
/// so it does not count); the sentence is Biased when it has one, or when
/// the detector calls the whole sentence biased.
pub struct Combined<'a> {
    analysis: LexiconLayer<'a>,
    detector: &'a DetectorLayer,
}

impl<'a> Combined<'a> {
    pub fn new(matcher: Matcher, finder: &'a Finder, detector: &'a DetectorLayer) -> Combined<'a> {
        let mut analysis = LexiconLayer::new(matcher);
        analysis.finder = Some(finder);
        Combined { analysis, detector }
    }
}

impl Layer for Combined<'_> {
    fn name(&self) -> &str {
        "lexicon + detector"
    }

    fn predict(&self, sentence: &Sentence) -> Prediction {
        let mut p = self.analysis.predict(sentence);
        p.biased |= self.detector.predict(sentence).biased;
        p
    }
}

/// The mentions that make a sentence Biased.
pub fn is_own_loaded(m: &Mention) -> bool {
    m.voice == Voice::Own && (m.loaded > 0.0 || m.distancing)
}

/// Every lexicon layer this build can evaluate, in report order: each layer
/// of the lexicon that has terms (story, general), then the whole lexicon,
/// all through `matcher`, the lexicon compiled.
pub fn layers<'a>(lexicon: &Lexicon, matcher: &Matcher) -> Vec<Box<dyn Layer + 'a>> {
    let mut out: Vec<Box<dyn Layer>> = Vec::new();
    for layer in crate::mention::Layer::ALL {
        if lexicon.entries().iter().any(|e| e.layer == layer) {
            out.push(Box::new(LexiconLayer::only(matcher.clone(), layer)));
        }
    }
    out.push(Box::new(LexiconLayer::new(matcher.clone())));
    out
}

/// The words of a text, as the word-level scores count them (module doc).
///
/// ```
/// use slant::eval::loaded::words;
/// assert_eq!(words("\"Hard-line\" mobs’ don’t"), ["don't", "hard", "line", "mobs"].map(String::from).into());
/// ```
pub fn words(text: &str) -> BTreeSet<String> {
    crate::detect::word_keys(text)
}

/// Word-level counts of one sentence: gold words, predicted words and
/// gold words found among the predicted ones (module doc).
pub use crate::detect::word_counts;

/// One layer's scores on a set of sentences.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerScores {
    pub layer: String,
    /// Classes numbered by [`Bias::index`].
    pub sentences: Confusion<2>,
    pub words: Counts,
}

/// Scores a layer on labelled sentences (`No agreement` rows are passed
/// over: they have no gold).
pub fn evaluate(layer: &dyn Layer, sentences: &[Sentence]) -> LayerScores {
    let mut confusion = Confusion::new();
    let mut words = Counts::default();
    for sentence in sentences {
        let Some(gold) = sentence.label else { continue };
        let prediction = layer.predict(sentence);
        let predicted = if prediction.biased {
            Bias::Biased
        } else {
            Bias::NonBiased
        };
        confusion.add(gold.index(), predicted.index());
        words += word_counts(&sentence.biased_words, &prediction.spans);
    }
    LayerScores {
        layer: layer.name().to_string(),
        sentences: confusion,
        words,
    }
}

/// Counts and the scores derived from them, for the report and its JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub gold: usize,
    pub predicted: usize,
    pub correct: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl From<Counts> for Scored {
    fn from(c: Counts) -> Scored {
        Scored {
            gold: c.gold,
            predicted: c.predicted,
            correct: c.correct,
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
        }
    }
}

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerReport {
    pub layer: String,
    pub sentences: usize,
    pub correct: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub biased: Scored,
    pub non_biased: Scored,
    /// `correct` is the number of gold words found.
    pub words: Scored,
}

impl From<&LayerScores> for LayerReport {
    fn from(s: &LayerScores) -> LayerReport {
        let c = &s.sentences;
        LayerReport {
            layer: s.layer.clone(),
            sentences: c.n(),
            correct: c.correct(),
            accuracy: c.accuracy(),
            macro_f1: c.macro_f1(),
            biased: c.class(Bias::Biased.index()).into(),
            non_biased: c.class(Bias::NonBiased.index()).into(),
            words: s.words.into(),
        }
    }
}

/// What `slant eval loaded` prints (and writes with `--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub data: String,
    pub split: &'static str,
    /// Rows of the file.
    pub rows: usize,
    /// Rows of the split that were scored.
    pub sentences: usize,
    pub biased: usize,
    pub non_biased: usize,
    /// Rows of the split marked `No agreement`, not scored.
    pub skipped_no_agreement: usize,
    pub layers: Vec<LayerReport>,
}

/// Reads the BABE file at `data`, keeps the `split` and scores every layer
/// on it.
/// With a `detector`, two more rows: the detector alone, and the lexicon
/// with it ([`Combined`]).
pub fn run(
    data: &Path,
    lexicon: &Lexicon,
    split: Split,
    detector: Option<&Finder>,
) -> Result<Report, EvalError> {
    let rows = babe::read(data)?;
    let total = rows.len();
    let selected: Vec<Sentence> = rows.into_iter().filter(|s| split.keeps(&s.text)).collect();
    let count = |label: Option<Bias>| selected.iter().filter(|s| s.label == label).count();
    let (biased, non_biased) = (count(Some(Bias::Biased)), count(Some(Bias::NonBiased)));
    let bytes = selected.iter().map(|s| s.text.len()).sum();
    // Sized for the text the layers will read.
    let matcher = lexicon.compile_for(bytes)?;
    let mut layers: Vec<LayerReport> = layers(lexicon, &matcher)
        .iter()
        .map(|layer| LayerReport::from(&evaluate(layer.as_ref(), &selected)))
        .collect();
    if let Some(finder) = detector {
        let detector = DetectorLayer::new(finder, &selected)?;
        layers.push(LayerReport::from(&evaluate(&detector, &selected)));
        let both = Combined::new(matcher, finder, &detector);
        layers.push(LayerReport::from(&evaluate(&both, &selected)));
    }
    Ok(Report {
        data: data.display().to_string(),
        split: split.as_str(),
        rows: total,
        sentences: biased + non_biased,
        biased,
        non_biased,
        skipped_no_agreement: count(None),
        layers,
    })
}

impl Report {
    /// Plain-text tables, one row per layer.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "BABE {} ({} rows), split {}:",
            self.data, self.rows, self.split
        );
        let _ = writeln!(
            s,
            "{} sentences scored ({} Biased, {} Non-biased); {} skipped (No agreement)",
            self.sentences, self.biased, self.non_biased, self.skipped_no_agreement
        );
        let width = self
            .layers
            .iter()
            .map(|l| l.layer.len())
            .chain(["layer".len()])
            .max()
            .unwrap_or(0);

        let _ = writeln!(
            s,
            "\nsentences: lexicon rows: Biased iff an own-voice mention is loaded (loadedness > 0 or distancing);\n  detector: its sentence probability at or above its threshold;\n  lexicon + detector: an own-voice loaded mention of either, or the detector's sentence call"
        );
        let _ = writeln!(
            s,
            "{:<width$}  {:>9}  {:>7}  {:>8}  {:>8}",
            "layer", "sentences", "correct", "accuracy", "macro-F1"
        );
        for l in &self.layers {
            let _ = writeln!(
                s,
                "{:<width$}  {:>9}  {:>7}  {:>8.4}  {:>8.4}",
                l.layer, l.sentences, l.correct, l.accuracy, l.macro_f1
            );
        }

        let _ = writeln!(s, "\nper class:");
        let header = |s: &mut String, first: &str| {
            let _ = writeln!(
                s,
                "{:<width$}  {first:<10}  {:>6}  {:>9}  {:>7}  {:>9}  {:>6}  {:>6}",
                "layer", "gold", "predicted", "correct", "precision", "recall", "F1"
            );
        };
        let row = |s: &mut String, layer: &str, first: &str, c: &Scored| {
            let _ = writeln!(
                s,
                "{layer:<width$}  {first:<10}  {:>6}  {:>9}  {:>7}  {:>9.4}  {:>6.4}  {:>6.4}",
                c.gold, c.predicted, c.correct, c.precision, c.recall, c.f1
            );
        };
        header(&mut s, "class");
        for l in &self.layers {
            row(&mut s, &l.layer, Bias::Biased.as_str(), &l.biased);
            row(&mut s, &l.layer, Bias::NonBiased.as_str(), &l.non_biased);
        }

        let _ = writeln!(
            s,
            "\nwords: biased_words against the words of the predicted mentions (correct: gold words found)"
        );
        header(&mut s, "");
        for l in &self.layers {
            row(&mut s, &l.layer, "words", &l.words);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentence(text: &str, label: Option<Bias>, biased_words: &[&str]) -> Sentence {
        Sentence {
            line: 2,
            text: text.to_string(),
            label,
            biased_words: biased_words.iter().map(|w| w.to_string()).collect(),
            outlet: None,
            lean: None,
        }
    }

    /// Predicts from a fixed table, so the metrics can be checked by hand.
    struct Fixed(Vec<(&'static str, Prediction)>);

    impl Layer for Fixed {
        fn name(&self) -> &str {
            "fixed"
        }
        fn predict(&self, s: &Sentence) -> Prediction {
            self.0
                .iter()
                .find(|(t, _)| *t == s.text)
                .map(|(_, p)| p.clone())
                .unwrap_or_default()
        }
    }

    fn found(spans: &[&str]) -> Prediction {
        Prediction {
            biased: !spans.is_empty(),
            spans: spans.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn scores_match_hand_computation() {
        let data = [
            sentence("a", Some(Bias::Biased), &["radical", "mob"]),
            sentence("b", Some(Bias::Biased), &[]),
            sentence("c", Some(Bias::Biased), &["'slammed'"]),
            sentence("d", Some(Bias::NonBiased), &["claimed"]),
            sentence("e", Some(Bias::NonBiased), &[]),
            sentence("f", None, &["ignored"]),
        ];
        let layer = Fixed(vec![
            ("a", found(&["radical left"])),
            ("b", found(&["so-called"])),
            ("d", found(&["claimed"])),
            ("f", found(&["ignored"])),
        ]);
        let s = evaluate(&layer, &data);
        // gold B B B N N, predicted B B N B N.
        assert_eq!(s.sentences.matrix(), &[[2, 1], [1, 1]]);
        let r = LayerReport::from(&s);
        assert_eq!((r.sentences, r.correct, r.accuracy), (5, 3, 0.6));
        // Biased: P = 2/3, R = 2/3, F1 = 2/3; Non-biased: P = 1/2, R = 1/2.
        assert!((r.biased.f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.non_biased.precision - 0.5).abs() < 1e-12);
        assert!((r.macro_f1 - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-12);
        // Words: a {radical, mob} vs {radical, left}: 1 of 2, 1 of 2;
        // b {} vs {so, called}; c {slammed} vs {}; d {claimed} vs {claimed}.
        assert_eq!(
            s.words,
            Counts {
                gold: 4,
                predicted: 5,
                correct: 2
            }
        );
        assert!((r.words.f1 - 4.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn words_are_lower_cased_and_counted_once_per_sentence() {
        let c = word_counts(
            &["Mob".into(), "mob".into(), "\"mob,".into()],
            &["MOB rule".into(), "the mob".into()],
        );
        assert_eq!((c.gold, c.predicted, c.correct), (1, 3, 1));
    }

    #[test]
    fn the_lexicon_layer_reads_voice() {
        let lexicon = Lexicon::embedded();
        let layer = LexiconLayer::new(lexicon.compile_for(0).unwrap());
        let own = layer.predict(&sentence(
            "The so-called advisory mission went on.",
            None,
            &[],
        ));
        assert!(own.biased);
        assert!(own.spans.iter().any(|s| s == "so-called"), "{own:?}");
        let quoted = layer.predict(&sentence(
            "\"The regime must go,\" the minister said.",
            None,
            &[],
        ));
        assert!(!quoted.biased, "{quoted:?}");
        let unquoted = layer.predict(&sentence("The regime must go.", None, &[]));
        assert_eq!(unquoted.spans, ["regime"]);
        let plain = layer.predict(&sentence("The council met on Tuesday.", None, &[]));
        assert_eq!(plain, Prediction::default());
    }

    #[test]
    fn report_renders_counts_and_scores() {
        let data = [
            sentence("a", Some(Bias::Biased), &["mob"]),
            sentence("b", Some(Bias::NonBiased), &[]),
        ];
        let layer = Fixed(vec![("a", found(&["mob"]))]);
        let report = Report {
            data: "babe.csv".into(),
            split: "all",
            rows: 2,
            sentences: 2,
            biased: 1,
            non_biased: 1,
            skipped_no_agreement: 0,
            layers: vec![LayerReport::from(&evaluate(&layer, &data))],
        };
        let text = report.render();
        assert!(
            text.contains("fixed          2        2    1.0000    1.0000"),
            "{text}"
        );
        assert!(
            text.contains("fixed  words            1          1        1"),
            "{text}"
        );
    }
}
