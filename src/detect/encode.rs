//! From a sentence to tagger input: token ids, and the token that stands
//! for each word.
//!
//! A word is a Unicode word (UAX #29), the unit `slant eval loaded` scores
//! and BABE's annotators marked. The tagger judges a word by its first
//! sub-word token, the usual choice for word tagging with a WordPiece
//! vocabulary: the first piece carries the word's stem. A sentence longer
//! than `max_len` tokens is cut; its words past the cut are not judged
//! ([`EncodedSentence::first_token`] is `None` for them) rather than judged
//! out of context.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use tokenizers::Tokenizer;
use unicode_segmentation::UnicodeSegmentation;

use super::DetectError;
use crate::metrics::Counts;

/// Byte spans of the words of `text`, in order.
///
/// ```
/// use slant::detect::word_spans;
/// let s = "Its \"hard-line\" mobs’ rampage";
/// let words: Vec<&str> = word_spans(s).into_iter().map(|r| &s[r]).collect();
/// assert_eq!(words, ["Its", "hard", "line", "mobs", "rampage"]);
/// ```
pub fn word_spans(text: &str) -> Vec<Range<usize>> {
    text.unicode_word_indices()
        .map(|(i, w)| i..i + w.len())
        .collect()
}

/// How two spellings of a word are compared: lower case, `’` read as `'`.
///
/// ```
/// assert_eq!(slant::detect::word_key("Mobs’"), "mobs'");
/// ```
pub fn word_key(word: &str) -> String {
    word.replace('\u{2019}', "'").to_lowercase()
}

/// The word keys of a text, each once: the words the word-level scores
/// count (`slant eval loaded`, and training's choices).
///
/// ```
/// let keys = slant::detect::word_keys("\"Hard-line\" mobs’ don’t");
/// assert_eq!(keys, ["don't", "hard", "line", "mobs"].map(String::from).into());
/// ```
pub fn word_keys(text: &str) -> BTreeSet<String> {
    word_spans(text)
        .into_iter()
        .map(|r| word_key(&text[r]))
        .collect()
}

/// Word-level counts of one sentence: its gold words (the keys of the
/// annotators' items), the predicted words (the keys of the predicted
/// texts) and the gold words found among them.
///
/// ```
/// let gold = ["'thugs'".to_string(), "rioting".to_string()];
/// let c = slant::detect::word_counts(&gold, &["so-called thugs".to_string()]);
/// assert_eq!((c.gold, c.predicted, c.correct), (2, 3, 1));
/// ```
pub fn word_counts(gold: &[String], predicted: &[String]) -> Counts {
    let gold: BTreeSet<String> = gold.iter().flat_map(|w| word_keys(w)).collect();
    let predicted: BTreeSet<String> = predicted.iter().flat_map(|s| word_keys(s)).collect();
    Counts {
        gold: gold.len(),
        predicted: predicted.len(),
        correct: gold.intersection(&predicted).count(),
    }
}

/// The tagger's input for one sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedSentence {
    /// `[CLS] tokens [SEP]`.
    pub ids: Vec<i64>,
    /// Byte spans of the sentence's words ([`word_spans`]).
    pub words: Vec<Range<usize>>,
    /// For each word, the position in `ids` of its first token; `None` when
    /// the word lies past the cut or has no token of its own.
    pub first_token: Vec<Option<usize>>,
}

/// Tokeniser and cut; cheap to share, `encode` is `&self`.
pub struct WordEncoder {
    tokenizer: Tokenizer,
    max_len: usize,
    cls: i64,
    sep: i64,
}

impl WordEncoder {
    /// Reads `tokenizer.json`; `max_len` counts `[CLS]` and `[SEP]` (at
    /// least 8).
    pub fn from_file(path: &Path, max_len: usize) -> Result<WordEncoder, DetectError> {
        let bad = |reason: String| DetectError::BadModel {
            path: path.to_path_buf(),
            reason,
        };
        let mut tokenizer = Tokenizer::from_file(path)
            .map_err(|e| bad(format!("cannot read the tokenizer: {e}")))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| bad(format!("cannot switch off truncation: {e}")))?;
        let id = |tok: &str| {
            tokenizer
                .token_to_id(tok)
                .map(i64::from)
                .ok_or_else(|| bad(format!("the vocabulary has no {tok} token")))
        };
        if max_len < 8 {
            return Err(bad(format!("max_len {max_len} is below 8")));
        }
        Ok(WordEncoder {
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
            tokenizer,
            max_len,
        })
    }

    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Token ids of `sentence` and the first token of each of its words.
    pub fn encode(&self, sentence: &str) -> Result<EncodedSentence, DetectError> {
        let enc = self
            .tokenizer
            .encode(sentence, false)
            .map_err(|e| DetectError::Tokenizer(e.to_string()))?;
        let keep = enc.get_ids().len().min(self.max_len - 2);
        let mut ids = Vec::with_capacity(keep + 2);
        ids.push(self.cls);
        ids.extend(enc.get_ids()[..keep].iter().map(|&i| i64::from(i)));
        ids.push(self.sep);
        let offsets = &enc.get_offsets()[..keep];
        let words = word_spans(sentence);
        // Both lists are in text order: one walk pairs each word with the
        // first token that starts inside it.
        let mut first_token = Vec::with_capacity(words.len());
        let mut t = 0;
        for w in &words {
            while t < offsets.len() && offsets[t].1 <= w.start {
                t += 1;
            }
            let hit = (t < offsets.len() && offsets[t].0 < w.end).then_some(t + 1);
            first_token.push(hit);
        }
        Ok(EncodedSentence {
            ids,
            words,
            first_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_keys_ignore_case_and_curly_apostrophes() {
        assert_eq!(word_key("DON’T"), word_key("don't"));
    }

    fn encoder(max_len: usize) -> WordEncoder {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("models/newsmtsc-minilm-l6/tokenizer.json");
        WordEncoder::from_file(&path, max_len).unwrap()
    }

    #[test]
    fn each_word_points_at_its_first_token() {
        let e = encoder(128);
        let s = "Unbelievably, the far-left mob’s rampage";
        let enc = e.encode(s).unwrap();
        assert_eq!(enc.words.len(), 6);
        assert_eq!(enc.ids.first(), Some(&101), "[CLS]");
        assert_eq!(enc.ids.last(), Some(&102), "[SEP]");
        let firsts: Vec<usize> = enc.first_token.iter().map(|t| t.unwrap()).collect();
        // Strictly increasing: no two words share a token, none is skipped.
        assert!(firsts.windows(2).all(|w| w[0] < w[1]), "{firsts:?}");
        // "Unbelievably" is several pieces; "the" comes after all of them
        // and the comma.
        assert!(firsts[1] > firsts[0] + 1);
    }

    #[test]
    fn words_past_the_cut_are_not_judged() {
        let e = encoder(8);
        let s = "one two three four five six seven eight nine";
        let enc = e.encode(s).unwrap();
        assert_eq!(enc.ids.len(), 8);
        let judged = enc.first_token.iter().filter(|t| t.is_some()).count();
        assert_eq!(judged, 6);
        assert_eq!(enc.first_token[8], None);
    }

    #[test]
    fn spans_are_byte_ranges_of_words() {
        let s = "Él dijo «sí»: 3.5 veces";
        let w: Vec<&str> = word_spans(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(w, ["Él", "dijo", "sí", "3.5", "veces"]);
    }
}
