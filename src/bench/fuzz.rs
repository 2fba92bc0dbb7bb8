//! Invariant checks on untrusted input, shared by the `cargo fuzz` targets
//! (`fuzz/fuzz_targets/*.rs`) and the replay of their saved inputs
//! (`tests/fuzz_regressions.rs`), so a saved input is replayed through
//! exactly the code the fuzzer ran.
//!
//! Each check takes arbitrary bytes, runs one entry point and panics if a
//! contract of that entry point does not hold. Bytes that are not UTF-8 are
//! decoded lossily: slant decodes before the text stage, so the text stage
//! only ever sees valid strings.
//!
//! ```
//! slant::bench::fuzz::normalize(b"The \xe2\x80\x9cIS.IS\xe2\x80\x9d threat");
//! slant::bench::fuzz::prepare(b"He said: \"We will stay.\" Officials denied it.");
//! ```

use std::ops::Range;
use std::sync::OnceLock;

use crate::analyze::analyze_article;
use crate::corpus::{content_id, sha256_hex, Article, OutletId};
use crate::lexicon::{Lexicon, Matcher};
use crate::mention::{Span, Voice};
use crate::text::normalize;
use crate::text::{PreparedText, RepeatedLines};

/// The targets, by the names used for `fuzz/fuzz_targets/NAME.rs` and
/// `fuzz/regressions/NAME/`.
/// A fuzz target: a name and the function that runs one input.
pub type Target = (&'static str, fn(&[u8]));

pub const TARGETS: &[Target] = &[
    ("normalize", normalize),
    ("prepare", prepare),
    ("analyze", analyze),
    ("lexicon", lexicon),
];

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn assert_range(what: &str, text: &str, r: &Range<usize>) {
    assert!(
        r.start <= r.end && r.end <= text.len(),
        "{what} {r:?} out of bounds (len {})",
        text.len()
    );
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what} {r:?} not on character boundaries"
    );
}

fn assert_sorted_disjoint<'a>(what: &str, ranges: impl IntoIterator<Item = &'a Range<usize>>) {
    let mut prev: Option<&Range<usize>> = None;
    for r in ranges {
        if let Some(p) = prev {
            assert!(
                p.end <= r.start,
                "{what}: {p:?} and {r:?} overlap or are out of order"
            );
        }
        prev = Some(r);
    }
}

fn assert_span(what: &str, span: Span, original_chars: usize) {
    assert!(
        span.start <= span.end && span.end <= original_chars,
        "{what}: span {span:?} is not a character range of the input ({original_chars} chars)"
    );
}

/// Normaliser, obfuscation repair and the offset map: every range of the
/// normalised text maps to a valid character range of the input, in order.
///
/// # Panics
///
/// When a contract does not hold; that is what the check is for.
pub fn normalize(data: &[u8]) {
    let original = text(data);
    let chars = original.chars().count();
    let n = normalize::normalize(&original);
    for r in &n.repairs {
        assert_range("repair", &n.text, r);
    }
    assert_sorted_disjoint("repairs", &n.repairs);
    let mut last = 0;
    for q in &n.quotes {
        assert!(q.pos >= last, "quote marks out of order");
        last = q.pos + 1;
        let b = n.text.as_bytes().get(q.pos).copied();
        assert!(
            matches!(b, Some(b'"' | b'\'')),
            "quote mark at {} is {b:?}",
            q.pos
        );
    }
    // Each character alone, and mapped starts never go backwards.
    let mut prev = Span::new(0, 0);
    let bounds: Vec<usize> = n
        .text
        .char_indices()
        .map(|(i, _)| i)
        .chain([n.text.len()])
        .collect();
    for w in bounds.windows(2) {
        let span = n.map.original_span(&n.text, w[0]..w[1]);
        assert_span("character", span, chars);
        assert!(
            span.start >= prev.start,
            "map goes backwards at byte {}: {prev:?} then {span:?}",
            w[0]
        );
        prev = span;
    }
    let whole = n.map.original_span(&n.text, 0..n.text.len());
    assert_span("whole text", whole, chars);
    // Ranges chosen by the input, including out-of-bounds and mid-character
    // ones, which are clamped.
    for pair in data.chunks(2).take(64) {
        let a = usize::from(pair[0]) * n.text.len() / 255;
        let b = usize::from(*pair.get(1).unwrap_or(&255)) * n.text.len() / 255 + 3;
        let span = n.map.original_span(&n.text, a.min(b)..b);
        assert_span("range", span, chars);
    }
}

/// The whole text stage: sentences and voice segments are sorted,
/// non-overlapping, in bounds and on character boundaries, and everything
/// maps back to characters of the input.
///
/// # Panics
///
/// When a contract does not hold.
pub fn prepare(data: &[u8]) {
    let original = text(data);
    let chars = original.chars().count();
    // A second "article" sharing every other line, so that some lines are
    // repeated boilerplate.
    let other: String = original.lines().step_by(2).collect::<Vec<_>>().join("\n");
    let repeated = RepeatedLines::from_texts([original.as_str(), other.as_str()]);
    for rep in [&RepeatedLines::empty(), &repeated] {
        let p = PreparedText::prepare(&original, rep);
        let t = &p.normalized;
        for s in &p.sentences {
            assert_range("sentence", t, &s.range);
            assert!(s.range.start < s.range.end, "empty sentence {:?}", s.range);
            assert_span("sentence", p.original_span(s.range.clone()), chars);
        }
        assert_sorted_disjoint("sentences", p.sentences.iter().map(|s| &s.range));
        for v in &p.voice {
            assert_range("voice segment", t, &v.range);
            assert!(
                v.voice != Voice::Own,
                "own voice listed as a segment {:?}",
                v.range
            );
        }
        assert_sorted_disjoint("voice segments", p.voice.iter().map(|v| &v.range));
        for q in &p.scare_quotes {
            assert_range("scare quote", t, q);
        }
        assert_sorted_disjoint("scare quotes", &p.scare_quotes);
        for b in &p.boilerplate {
            assert_range("boilerplate", t, b);
        }
        assert_sorted_disjoint("boilerplate", &p.boilerplate);
        for r in &p.repairs {
            assert_range("repair", t, r);
        }
        // No sentence reaches into boilerplate.
        for s in &p.sentences {
            for b in &p.boilerplate {
                assert!(
                    s.range.end <= b.start || b.end <= s.range.start,
                    "sentence {:?} overlaps boilerplate {b:?}",
                    s.range
                );
            }
        }
        let words = p.words();
        let by_voice = p.words_by_voice();
        assert_eq!(by_voice.iter().sum::<usize>(), words, "words by voice");
        for (i, s) in p.sentences.iter().enumerate() {
            assert_eq!(p.sentence_index_at(s.range.start), Some(i));
            let _ = p.voice_at(s.range.clone());
            let _ = p.in_scare_quote(s.range.clone());
        }
    }
}

fn matcher() -> &'static Matcher {
    static MATCHER: OnceLock<Matcher> = OnceLock::new();
    MATCHER.get_or_init(|| match Lexicon::embedded().compile() {
        Ok(m) => m,
        Err(e) => panic!("the embedded lexicon does not compile: {e}"),
    })
}

/// One article through text and lexicon stages with the embedded lexicon:
/// every mention's offsets select exactly its surface in the input, and its
/// sentence contains it.
///
/// # Panics
///
/// When a contract does not hold.
pub fn analyze(data: &[u8]) {
    let original = text(data);
    let chars: Vec<char> = original.chars().collect();
    let matcher = matcher();
    let hits = matcher.find(&original);
    for h in &hits {
        assert_range("hit", &original, &h.range);
        assert!(h.range.start < h.range.end, "empty hit");
        assert!(h.entry < matcher.entries().len(), "hit entry out of range");
    }
    assert_sorted_disjoint("hits", hits.iter().map(|h| &h.range));

    let hash = sha256_hex(original.as_bytes());
    let article = Article {
        id: content_id(&hash),
        outlet: OutletId("fuzz".into()),
        outlet_name: None,
        title: None,
        published: None,
        url: None,
        metadata: Vec::new(),
        source: "fuzz".into(),
        text: original.clone(),
        content_hash: hash,
    };
    let a = analyze_article(&article, &RepeatedLines::empty(), matcher);
    let slice = |s: Span| -> String { chars[s.start..s.end].iter().collect() };
    for m in &a.mentions {
        assert_span("mention", m.span, chars.len());
        assert_span("mention sentence", m.sentence_span, chars.len());
        assert_eq!(slice(m.span), m.surface, "surface at {:?}", m.span);
        assert_eq!(slice(m.sentence_span), m.sentence, "sentence text");
        assert!(
            m.sentence_span.start <= m.span.start && m.span.end <= m.sentence_span.end,
            "mention {:?} outside its sentence {:?}",
            m.span,
            m.sentence_span
        );
        assert!(m.sentence_index < a.sentences, "sentence index");
        assert!((0.0..=1.0).contains(&m.loaded), "loaded {}", m.loaded);
        assert!(
            (-1.0..=1.0).contains(&m.direction),
            "direction {}",
            m.direction
        );
    }
    assert_eq!(a.words_by_voice.iter().sum::<usize>(), a.words);
}

/// Sample text the lexicon check matches with each compiled fuzz lexicon.
const SAMPLE: &str = "The so-called U.S.-led coalition and \"occupation forces\" left Iraq's \
    bases; Da'esh\tfighters, ISIS and IS.IS. Kata'ib Hezbollah's militia-men.";

/// Lexicon parser and compiler: any TOML either loads (and then compiles,
/// and matching stays in bounds) or fails with an error that displays.
///
/// # Panics
///
/// When a contract does not hold.
pub fn lexicon(data: &[u8]) {
    let source = text(data);
    let lex = match Lexicon::from_str("fuzz.toml", &source) {
        Ok(lex) => lex,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let matcher = match lex.compile() {
        Ok(m) => m,
        Err(e) => panic!("a lexicon that loads must compile: {e}"),
    };
    let _ = lex.hash();
    let _ = lex.stats();
    let _ = lex.balance();
    for i in 0..lex.entries().len() {
        let v = lex.variants(i);
        assert!(!v.is_empty(), "entry {i} has no variant");
    }
    for t in [SAMPLE, source.as_str()] {
        let hits = matcher.find(t);
        for h in &hits {
            assert_range("hit", t, &h.range);
            assert!(h.entry < lex.entries().len(), "hit entry out of range");
        }
        assert_sorted_disjoint("hits", hits.iter().map(|h| &h.range));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_pass_on_plain_inputs() {
        let samples: &[&[u8]] = &[
            b"",
            b"\xff\xfe\x00",
            "Gen. Smith said: \u{201c}The U.S.-led coalition must go.\u{201d} He left.".as_bytes(),
            "\u{fb01}ne \u{2014} kill.ing IS.IS \u{ab}occupation\u{bb}\r\n\r\nBack to top"
                .as_bytes(),
        ];
        for (_, check) in TARGETS {
            for s in samples {
                check(s);
            }
        }
    }

    #[test]
    fn the_embedded_lexicon_passes_the_lexicon_check() {
        for (_, content) in [
            ("generic", include_str!("../../data/lexicon/generic.toml")),
            ("iraq", include_str!("../../data/lexicon/iraq-2024.toml")),
        ] {
            lexicon(content.as_bytes());
        }
    }
}
