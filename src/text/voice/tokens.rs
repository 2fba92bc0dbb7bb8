//! Tokens of a paragraph and the small tests on them, shared by the frame
//! and speaker matchers so that `U.S.`, `Gen.` or `al-Sudani` is one word
//! to all of them.

use std::ops::Range;

use super::words::{verbs, VerbKind, ADVERBS, VENUES, WEEKDAYS_MONTHS};
use super::Ctx;
use crate::text::sentences::{is_abbreviation, is_dotted_initialism};

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) word: bool,
}

/// Words (letters and digits, with inner `'`, `-` and `.`; a trailing dot
/// kept on abbreviations) and single punctuation characters.
pub(super) fn tokenize(text: &str, range: Range<usize>) -> Vec<Tok> {
    let s = &text[range.clone()];
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            continue;
        }
        if !c.is_alphanumeric() {
            out.push(Tok {
                start: range.start + i,
                end: range.start + i + c.len_utf8(),
                word: false,
            });
            continue;
        }
        let mut end = i + c.len_utf8();
        loop {
            match it.peek().copied() {
                Some((j, d)) if d.is_alphanumeric() => {
                    end = j + d.len_utf8();
                    it.next();
                }
                Some((j, '\'' | '-' | '.')) => {
                    let after = s[j + 1..].chars().next();
                    if after.is_some_and(char::is_alphanumeric) {
                        end = j + 1;
                        it.next();
                    } else {
                        break;
                    }
                }
                _ => break,
            }
        }
        // Keep the dot of an abbreviation with its word (`U.S.`, `Gen.`).
        if s[end..].starts_with('.') {
            let w = &s[i..end];
            if w.chars().count() == 1 || is_dotted_initialism(w) || is_abbreviation(w) {
                end += 1;
                it.next();
            }
        }
        out.push(Tok {
            start: range.start + i,
            end: range.start + end,
            word: true,
        });
    }
    out
}

pub(super) fn is_punct(ctx: &Ctx, t: Tok, set: &str) -> bool {
    !t.word && ctx.tok(t).chars().next().is_some_and(|c| set.contains(c))
}

pub(super) fn is_word(ctx: &Ctx, t: Tok, w: &str) -> bool {
    t.word && ctx.tok(t).eq_ignore_ascii_case(w)
}

pub(super) fn in_list(ctx: &Ctx, t: Tok, list: &[&str]) -> bool {
    t.word && list.iter().any(|w| ctx.tok(t).eq_ignore_ascii_case(w))
}

pub(super) fn verb_kind(ctx: &Ctx, t: Tok) -> Option<VerbKind> {
    if !t.word {
        return None;
    }
    verbs().get(ctx.tok(t)).copied()
}

/// Skips time and manner adverbials after a verb (`on Monday`, `last
/// week`, `in a statement`, `, however,`). Returns the next token index.
pub(super) fn skip_adverbials(ctx: &Ctx, toks: &[Tok], mut k: usize, end: usize) -> usize {
    loop {
        let start = k;
        if k < end && in_list(ctx, toks[k], ADVERBS) {
            k += 1;
        }
        if k + 1 < end && is_word(ctx, toks[k], "last") && toks[k + 1].word {
            k += 2;
        }
        if k + 1 < end && is_word(ctx, toks[k], "on") {
            let mut j = k + 1;
            let mut n = 0;
            while j < end && n < 3 && toks[j].word && {
                let w = ctx.tok(toks[j]);
                WEEKDAYS_MONTHS.contains(&w) || w.chars().all(|c| c.is_ascii_digit())
            } {
                j += 1;
                n += 1;
            }
            if n > 0 {
                k = j;
            }
        }
        if k + 1 < end && (is_word(ctx, toks[k], "in") || is_word(ctx, toks[k], "at")) {
            // `in a statement`, `at a news conference`: up to four words
            // ending with a venue word.
            let mut j = k + 1;
            while j < end && j <= k + 4 && toks[j].word {
                if in_list(ctx, toks[j], VENUES) {
                    k = j + 1;
                    break;
                }
                j += 1;
            }
        }
        // `, however,`
        if k + 2 < end
            && is_punct(ctx, toks[k], ",")
            && in_list(ctx, toks[k + 1], ADVERBS)
            && is_punct(ctx, toks[k + 2], ",")
        {
            k += 3;
        }
        if k == start {
            return k;
        }
    }
}
