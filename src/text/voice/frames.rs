//! Attribution frames: the `X said` around a quote that names its speaker,
//! and the `X said that …`, `…, X said`, `according to X` patterns that
//! mark unquoted text as attributed.

use std::collections::HashSet;
use std::ops::Range;

use super::quotes::{in_quote, Quote};
use super::speakers::{clean_np, np_after, subject_before, SUBJECT_WINDOW};
use super::tokens::{in_list, is_punct, is_word, skip_adverbials, verb_kind, Tok};
use super::words::{lower_in, VerbKind, NOUN_BEFORE, NOUN_OR_VERB, PREPOSITIONS, TELL_OBJECTS};
use super::Ctx;

/// Frames found so far, as (verb position, speaker). Two lists, each
/// filled in text order (so pushing keeps them sorted and cheap): quote
/// frames, found paragraph by paragraph before the attributed ones.
#[derive(Default)]
pub(super) struct Frames {
    pub(super) quote: Vec<(usize, Option<String>)>,
    attributed: Vec<(usize, Option<String>)>,
}

impl Frames {
    pub(super) fn push_quote(&mut self, verb_start: usize, speaker: Option<String>) {
        self.quote.push((verb_start, speaker));
    }

    /// Sorts the quote frames pushed since `from` (one paragraph's).
    pub(super) fn sort_quote_tail(&mut self, from: usize) {
        self.quote[from..].sort_by_key(|f| f.0);
    }

    fn push_attributed(&mut self, verb_start: usize, speaker: Option<String>) {
        self.attributed.push((verb_start, speaker));
    }

    /// The last frame before `pos`.
    fn last_before(&self, pos: usize) -> Option<&(usize, Option<String>)> {
        fn last(v: &[(usize, Option<String>)], pos: usize) -> Option<&(usize, Option<String>)> {
            let k = v.partition_point(|f| f.0 < pos);
            k.checked_sub(1).map(|i| &v[i])
        }
        match (last(&self.quote, pos), last(&self.attributed, pos)) {
            (Some(a), Some(b)) => Some(if a.0 > b.0 { a } else { b }),
            (a, b) => a.or(b),
        }
    }
}

/// Where a subject phrase for a verb at `verb_start` may begin: the
/// sentence start, or the end of the last quote before the verb in it.
pub(super) fn subject_region_start(ctx: &Ctx, quotes: &[Quote], verb_start: usize) -> usize {
    let sent_start = ctx.sentence_at(verb_start).map_or(verb_start, |s| s.start);
    let k = quotes.partition_point(|q| q.range.start < verb_start);
    quotes[..k]
        .iter()
        .rev()
        .map(|q| q.range.end)
        .find(|&e| e <= verb_start)
        .map_or(sent_start, |e| e.max(sent_start))
}

/// The speaker for a participle frame (`…, adding that`): the last frame of
/// the sentence, else the sentence's subject.
pub(super) fn participle_speaker(
    ctx: &Ctx,
    frames: &Frames,
    sent: &Range<usize>,
    verb_start: usize,
) -> Option<String> {
    if let Some((pos, sp)) = frames.last_before(verb_start) {
        if *pos >= sent.start {
            return sp.clone();
        }
    }
    let mut from = sent.start.max(verb_start.saturating_sub(SUBJECT_WINDOW));
    while !ctx.text.is_char_boundary(from) {
        from += 1;
    }
    let head = &ctx.text[from..verb_start];
    let cut = head.find(',').map_or(verb_start, |i| from + i);
    subject_before(ctx.text, from..cut)
}

/// `"…," Sudani said` / `"…," said Sudani` / `"…." Sudani said.`
pub(super) fn after_frame(
    ctx: &Ctx,
    toks: &[Tok],
    quotes: &[Quote],
    qi: usize,
) -> Option<(usize, Option<String>)> {
    let q = &quotes[qi];
    if !q.closed {
        return None;
    }
    let n = toks.len();
    let mut t = toks.partition_point(|x| x.start < q.range.end);
    let inner_last = ctx.text[q.inner.clone()].trim_end().chars().next_back();
    let mut comma = matches!(inner_last, Some(',' | '?' | '!' | '-' | '—'));
    if t < n && is_punct(ctx, toks[t], ",") {
        comma = true;
        t += 1;
    }
    if t >= n {
        return None;
    }
    if let Some(kind) = verb_kind(ctx, toks[t]) {
        if kind.finite() && comma {
            return Some((toks[t].start, np_after(ctx, toks, t + 1, n)));
        }
    }
    let mut k = t;
    let mut words = 0;
    let mut saw_comma = false;
    while k < n && words <= 12 {
        let tok = toks[k];
        if !tok.word {
            if is_punct(ctx, tok, ",") {
                saw_comma = true;
                k += 1;
                continue;
            }
            return None;
        }
        if let Some(kind) = verb_kind(ctx, tok) {
            if !kind.finite() {
                return None;
            }
            if !comma {
                // Without a comma tying them, only a bare frame sentence
                // (`"…." Sudani said.`) belongs to the quote.
                if saw_comma {
                    return None;
                }
                let a = skip_adverbials(ctx, toks, k + 1, n);
                if a < n && !is_punct(ctx, toks[a], ".!?;,") {
                    return None;
                }
            }
            let sp = subject_before(ctx.text, q.range.end..tok.start);
            return Some((tok.start, sp));
        }
        words += 1;
        k += 1;
    }
    None
}

/// `Sudani said: "…"`, `Sudani told reporters on Monday "…"`.
pub(super) fn before_frame(
    ctx: &Ctx,
    toks: &[Tok],
    quotes: &[Quote],
    qi: usize,
) -> Option<(usize, Option<String>)> {
    let q = &quotes[qi];
    let mut k = toks.partition_point(|x| x.start < q.range.start);
    if k > 0 && is_punct(ctx, toks[k - 1], ":,") {
        k -= 1;
    }
    let mut words = 0;
    while k > 0 && words < 6 {
        let tok = toks[k - 1];
        if !tok.word {
            if is_punct(ctx, tok, ",") {
                k -= 1;
                continue;
            }
            return None;
        }
        if is_word(ctx, tok, "that") {
            return None;
        }
        if let Some(kind) = verb_kind(ctx, tok) {
            if kind == VerbKind::Describe {
                return None;
            }
            let sent = ctx.sentence_at(tok.start)?;
            let sp = if kind.participle() {
                participle_speaker(ctx, &Frames::default(), &sent, tok.start)
            } else {
                let from = subject_region_start(ctx, quotes, tok.start);
                subject_before(ctx.text, from..tok.start)
            };
            return Some((tok.start, sp));
        }
        words += 1;
        k -= 1;
    }
    None
}

/// Clause from token `from` to the sentence end.
fn clause_to_end(
    toks: &[Tok],
    from: usize,
    end: usize,
    sent: &Range<usize>,
) -> Option<Range<usize>> {
    (from < end).then(|| toks[from].start..sent.end)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn attributed_in_sentence(
    ctx: &Ctx,
    toks: &[Tok],
    sent: Range<usize>,
    quotes: &[Quote],
    used_verbs: &HashSet<usize>,
    frames: &mut Frames,
    out: &mut Vec<(Range<usize>, Option<String>)>,
) {
    let a = toks.partition_point(|t| t.start < sent.start);
    let b = toks.partition_point(|t| t.start < sent.end);
    according_to(ctx, toks, a, b, &sent, quotes, out);
    for v in a..b {
        let tok = toks[v];
        let Some(kind) = verb_kind(ctx, tok) else {
            continue;
        };
        if used_verbs.contains(&tok.start) || in_quote(quotes, tok.start) {
            continue;
        }
        // `various reports that …`, `the claims that …`: a noun, not a verb.
        if lower_in(ctx.tok(tok), NOUN_OR_VERB) && v > a && in_list(ctx, toks[v - 1], NOUN_BEFORE) {
            continue;
        }
        let speaker = || -> Option<String> {
            if kind.participle() || ctx.tok(tok).ends_with("ing") {
                participle_speaker(ctx, frames, &sent, tok.start)
            } else {
                let from = subject_region_start(ctx, quotes, tok.start);
                subject_before(ctx.text, from..tok.start)
            }
        };
        if kind == VerbKind::Describe {
            let mut j = v + 1;
            while j < b && j <= v + 8 && !is_punct(ctx, toks[j], ".;!?") {
                if is_word(ctx, toks[j], "as") {
                    let start = j + 1;
                    let mut e = start;
                    while e < b && !is_punct(ctx, toks[e], ",;:") {
                        e += 1;
                    }
                    if e > start {
                        let sp = speaker();
                        frames.push_attributed(tok.start, sp.clone());
                        out.push((toks[start].start..toks[e - 1].end, sp));
                    }
                    break;
                }
                j += 1;
            }
            continue;
        }
        // `… that CLAUSE` within a few words (`told Reuters that`, `said
        // last week that`, `expressed hope that`).
        let mut j = v + 1;
        let mut that_at = None;
        while j < b && j <= v + 9 {
            let t = toks[j];
            if !t.word && !is_punct(ctx, t, ",") {
                break;
            }
            if in_quote(quotes, t.start) {
                break;
            }
            if t.word && ctx.tok(t) == "that" {
                that_at = Some(j);
                break;
            }
            j += 1;
        }
        if let Some(j) = that_at {
            if let Some(r) = clause_to_end(toks, j + 1, b, &sent) {
                let sp = speaker();
                frames.push_attributed(tok.start, sp.clone());
                out.push((r, sp));
            }
            continue;
        }
        if !matches!(kind, VerbKind::Say | VerbKind::SayThat | VerbKind::Saying) {
            continue;
        }
        let mut after = skip_adverbials(ctx, toks, v + 1, b);
        if v > a && is_punct(ctx, toks[v - 1], ",") {
            // `CLAUSE, said the official.`: the speaker follows the verb.
            // Not `X, the spokesman, warned the attacks would go on`: there
            // the words after the verb are a clause, which the speaker
            // phrase cleaning cuts short (at `would`).
            let mut j = v + 1;
            while j < b && j <= v + 8 && toks[j].word && !in_list(ctx, toks[j], PREPOSITIONS) {
                j += 1;
            }
            let whole_np = j > v + 1
                && clean_np(&ctx.text[toks[v + 1].start..toks[j - 1].end])
                    .is_some_and(|np| np.split_whitespace().count() == j - v - 1);
            if whole_np {
                after = skip_adverbials(ctx, toks, j, b);
            }
        }
        let at_end = after >= b || is_punct(ctx, toks[after], ".!?;");
        let then_comma = after < b && is_punct(ctx, toks[after], ",");
        if kind.finite() && (at_end || then_comma) {
            if let Some((before, sp)) = inverted_frame(ctx, toks, a, v, quotes) {
                let sp =
                    sp.or_else(|| (v + 1 < b).then(|| np_after(ctx, toks, v + 1, b)).flatten());
                frames.push_attributed(tok.start, sp.clone());
                if before.start < before.end {
                    out.push((before, sp.clone()));
                }
                if then_comma {
                    if let Some(r) = clause_to_end(toks, after + 1, b, &sent) {
                        out.push((r, sp));
                    }
                }
                continue;
            }
        }
        if kind == VerbKind::SayThat || at_end {
            continue;
        }
        // `X said CLAUSE` / `X told reporters CLAUSE` / `…, saying CLAUSE`.
        let mut c = after;
        if matches!(
            ctx.tok(tok),
            "told" | "tells" | "tell" | "telling" | "Tells"
        ) {
            c = skip_tell_object(ctx, toks, c, b);
        }
        c = skip_adverbials(ctx, toks, c, b);
        if c < b && is_punct(ctx, toks[c], ":") {
            c += 1;
        }
        if c >= b
            || !toks[c].word
            || in_list(ctx, toks[c], PREPOSITIONS)
            || in_quote(quotes, toks[c].start)
        {
            continue;
        }
        if let Some(r) = clause_to_end(toks, c, b, &sent) {
            let sp = speaker();
            frames.push_attributed(tok.start, sp.clone());
            out.push((r, sp));
        }
    }
}

fn skip_tell_object(ctx: &Ctx, toks: &[Tok], mut k: usize, end: usize) -> usize {
    let start = k;
    if k < end
        && lower_in(
            ctx.tok(toks[k]),
            &["the", "a", "an", "his", "her", "its", "their", "state"],
        )
    {
        k += 1;
    }
    let mut n = 0;
    while k < end
        && n < 4
        && toks[k].word
        && (in_list(ctx, toks[k], TELL_OBJECTS)
            || ctx
                .tok(toks[k])
                .chars()
                .next()
                .is_some_and(char::is_uppercase))
    {
        k += 1;
        n += 1;
    }
    if n == 0 {
        start
    } else {
        k
    }
}

/// `CLAUSE, X said.` / `A, X said, B` / `CLAUSE, said X.`: returns the
/// clause before the frame and the speaker between the comma and the verb.
fn inverted_frame(
    ctx: &Ctx,
    toks: &[Tok],
    a: usize,
    v: usize,
    quotes: &[Quote],
) -> Option<(Range<usize>, Option<String>)> {
    let mut k = v;
    let mut words = 0;
    while k > a && words <= 8 {
        let t = toks[k - 1];
        if is_punct(ctx, t, ",") {
            // A comma right after a quote: the quote's own frame.
            let ends_here = {
                let j = quotes.partition_point(|q| q.range.end < t.start);
                quotes.get(j).is_some_and(|q| q.range.end == t.start)
            };
            if in_quote(quotes, t.start) || ends_here {
                return None;
            }
            if k - 1 == a {
                return None;
            }
            let before = toks[a].start..toks[k - 2].end;
            let sp = if k == v {
                None
            } else {
                subject_before(ctx.text, t.end..toks[v].start)
            };
            return Some((before, sp));
        }
        if !t.word || verb_kind(ctx, t).is_some() {
            return None;
        }
        words += 1;
        k -= 1;
    }
    None
}

/// `according to X, CLAUSE` / `CLAUSE, according to X` / `A, according to
/// X, B`.
fn according_to(
    ctx: &Ctx,
    toks: &[Tok],
    a: usize,
    b: usize,
    sent: &Range<usize>,
    quotes: &[Quote],
    out: &mut Vec<(Range<usize>, Option<String>)>,
) {
    for k in a..b.saturating_sub(1) {
        if !(is_word(ctx, toks[k], "according") && is_word(ctx, toks[k + 1], "to")) {
            continue;
        }
        if in_quote(quotes, toks[k].start) {
            continue;
        }
        let x_start = k + 2;
        let mut x_end = x_start;
        while x_end < b && x_end < x_start + 12 && toks[x_end].word {
            x_end += 1;
        }
        if x_end == x_start {
            continue;
        }
        let speaker = clean_np(&ctx.text[toks[x_start].start..toks[x_end - 1].end]);
        let comma_before = k > a && is_punct(ctx, toks[k - 1], ",");
        let comma_after = x_end < b && is_punct(ctx, toks[x_end], ",");
        if k > a && (comma_before || x_end >= b || !comma_after) {
            let end = if comma_before { k - 1 } else { k };
            if end > a {
                out.push((toks[a].start..toks[end - 1].end, speaker.clone()));
            }
        }
        if comma_after {
            if let Some(r) = clause_to_end(toks, x_end + 1, b, sent) {
                out.push((r, speaker));
            }
        }
    }
}
