//! What the sentiment stage is asked and answers, as plain data: a
//! [`Target`] (a sentence and a span in it), its [`Sentiment`] and the
//! [`TargetKey`] results are stored under.
//!
//! These types sit low, beside [`crate::mention`]: the analysis produces
//! targets, the model scores them, the store keeps the results and the
//! reports print them, and none of those stages needs another's code for
//! that.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The three NewsMTSC classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Polarity {
    Negative,
    Neutral,
    Positive,
}

impl Polarity {
    /// All classes in the order of [`Sentiment::probs`] and of the model's
    /// output.
    pub const ALL: [Polarity; 3] = [Polarity::Negative, Polarity::Neutral, Polarity::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Polarity::Negative => "negative",
            Polarity::Neutral => "neutral",
            Polarity::Positive => "positive",
        }
    }

    /// Index into [`Sentiment::probs`].
    pub fn index(self) -> usize {
        match self {
            Polarity::Negative => 0,
            Polarity::Neutral => 1,
            Polarity::Positive => 2,
        }
    }

    /// The class at `i` in [`Polarity::ALL`]; `None` past 2.
    pub fn from_index(i: usize) -> Option<Polarity> {
        Polarity::ALL.get(i).copied()
    }
}

/// Class probabilities for one target, `probs = [negative, neutral, positive]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: Polarity,
    pub probs: [f32; 3],
}

impl Sentiment {
    /// `pos - neg`, in -1..=1: the number slant averages.
    pub fn score(&self) -> f32 {
        self.probs[2] - self.probs[0]
    }

    /// The sentiment whose label is the most probable class (ties go to the
    /// earlier class, so the result is deterministic).
    ///
    /// ```
    /// use slant::target::{Polarity, Sentiment};
    /// let s = Sentiment::from_probs([0.1, 0.2, 0.7]);
    /// assert_eq!(s.label, Polarity::Positive);
    /// ```
    pub fn from_probs(probs: [f32; 3]) -> Sentiment {
        let mut best = 0;
        for (i, p) in probs.iter().enumerate().skip(1) {
            if *p > probs[best] {
                best = i;
            }
        }
        Sentiment {
            label: Polarity::ALL[best],
            probs,
        }
    }
}

/// One thing to score: a sentence and the character span of the target in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub sentence: String,
    /// Character offsets of the target inside `sentence`.
    pub start: usize,
    pub end: usize,
}

impl Target {
    /// A target over `sentence[start..end]`, offsets in characters.
    pub fn new(sentence: impl Into<String>, start: usize, end: usize) -> Target {
        Target {
            sentence: sentence.into(),
            start,
            end,
        }
    }

    /// The target over the first occurrence of `needle` in `sentence`, or
    /// `None` when it does not occur.
    ///
    /// ```
    /// use slant::target::Target;
    /// let t = Target::find("The mayor praised the firefighters.", "firefighters").unwrap();
    /// assert_eq!((t.start, t.end), (22, 34));
    /// ```
    pub fn find(sentence: &str, needle: &str) -> Option<Target> {
        let byte = sentence.find(needle)?;
        let start = sentence[..byte].chars().count();
        Some(Target::new(sentence, start, start + needle.chars().count()))
    }

    /// The target's text, or `None` when the span does not fit the sentence.
    pub fn text(&self) -> Option<&str> {
        if self.start >= self.end {
            return None;
        }
        let b0 = char_to_byte(&self.sentence, self.start)?;
        let b1 = char_to_byte(&self.sentence, self.end)?;
        Some(&self.sentence[b0..b1])
    }
}

/// Byte offset of character `c` in `s`; `c == chars` gives `s.len()`.
pub(crate) fn char_to_byte(s: &str, c: usize) -> Option<usize> {
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .nth(c)
}

/// Cache key of one (model, sentence, span).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetKey(pub [u8; 16]);

impl TargetKey {
    /// The key of `target` scored by the model whose hash is `model_hash`
    /// (`ModelInfo::hash` of `crate::sentiment`).
    ///
    /// ```
    /// use slant::target::{Target, TargetKey};
    /// let t = Target::new("Ann thanked Bob.", 0, 3);
    /// assert_eq!(TargetKey::new("m1", &t), TargetKey::new("m1", &t.clone()));
    /// assert_ne!(TargetKey::new("m1", &t), TargetKey::new("m2", &t));
    /// assert_ne!(TargetKey::new("m1", &t), TargetKey::new("m1", &Target::new("Ann thanked Bob.", 12, 15)));
    /// ```
    pub fn new(model_hash: &str, target: &Target) -> TargetKey {
        let mut h = Sha256::new();
        // Lengths first, so no two different inputs concatenate the same.
        h.update((model_hash.len() as u64).to_le_bytes());
        h.update(model_hash.as_bytes());
        h.update((target.start as u64).to_le_bytes());
        h.update((target.end as u64).to_le_bytes());
        h.update(target.sentence.as_bytes());
        let d = h.finalize();
        let mut k = [0u8; 16];
        k.copy_from_slice(&d[..16]);
        TargetKey(k)
    }

    /// Lower-case hex, 32 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_text_uses_char_offsets() {
        let t = Target::new("Él criticó a la OTAN ayer", 16, 20);
        assert_eq!(t.text(), Some("OTAN"));
        let t = Target::new("abc", 2, 3);
        assert_eq!(t.text(), Some("c"));
        assert_eq!(Target::new("abc", 2, 4).text(), None);
        assert_eq!(Target::new("abc", 2, 2).text(), None);
    }

    #[test]
    fn find_counts_chars_not_bytes() {
        let t = Target::find("Für die Größe von Paris", "Paris").unwrap();
        assert_eq!(t.text(), Some("Paris"));
        assert_eq!(t.start, 18);
        assert!(Target::find("abc", "zz").is_none());
    }

    #[test]
    fn from_probs_picks_argmax() {
        assert_eq!(
            Sentiment::from_probs([0.5, 0.3, 0.2]).label,
            Polarity::Negative
        );
        assert_eq!(
            Sentiment::from_probs([0.2, 0.5, 0.3]).label,
            Polarity::Neutral
        );
        assert!((Sentiment::from_probs([0.2, 0.1, 0.7]).score() - 0.5).abs() < 1e-6);
    }
}
