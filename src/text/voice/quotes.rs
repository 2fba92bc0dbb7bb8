//! Quotation marks: pairing them into quotes per paragraph, chaining
//! quotes that run over several paragraphs, and telling scare quotes
//! (the outlet's own distancing) from quoted speech.

use std::ops::Range;

use super::{Ctx, SCARE_QUOTE_MAX_WORDS};
use crate::text::normalize::{QuoteHint, QuoteKind, QuoteMark};
use crate::text::sentences::{is_abbreviation, is_dotted_initialism, word_before};

#[derive(Debug, Clone)]
pub(super) struct Quote {
    /// Marks included.
    pub(super) range: Range<usize>,
    pub(super) inner: Range<usize>,
    pub(super) para: usize,
    pub(super) closed: bool,
    /// The next paragraph re-opens this quote.
    pub(super) continues: bool,
    /// Index of the quote that continues this one.
    pub(super) next_in_chain: Option<usize>,
    pub(super) in_chain: bool,
    pub(super) framed: bool,
    pub(super) speaker: Option<String>,
    pub(super) scare: bool,
    /// A name, title or word mentioned as a word: neither someone's speech
    /// nor distancing.
    pub(super) own: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Open,
    Close,
    Either,
}

fn double_role(ctx: &Ctx, para: &Range<usize>, m: &QuoteMark, reversed: bool) -> Role {
    let prev = ctx.char_before(m.pos, para.start);
    let next = ctx.char_after(m.pos + 1, para.end);
    let open_ctx = prev.is_none_or(|c| c.is_whitespace() || "([{-—/:".contains(c));
    let close_ctx = next.is_none_or(|c| c.is_whitespace() || ".,;:!?)]}-—".contains(c));
    let ctx_role = match (open_ctx, close_ctx) {
        (true, false) => Role::Open,
        (false, true) => Role::Close,
        _ => Role::Either,
    };
    let hint = match (m.glyph, reversed) {
        ('«', false) | ('»', true) => QuoteHint::Open,
        ('»', false) | ('«', true) => QuoteHint::Close,
        _ => m.hint,
    };
    match hint {
        QuoteHint::Open if ctx_role == Role::Close => Role::Close,
        QuoteHint::Open => Role::Open,
        QuoteHint::Close if ctx_role == Role::Open => Role::Open,
        QuoteHint::Close => Role::Close,
        _ => ctx_role,
    }
}

fn new_quote(range: Range<usize>, para: usize, closed: bool, continues: bool) -> Quote {
    let inner = if closed {
        range.start + 1..range.end - 1
    } else {
        range.start + 1..range.end
    };
    Quote {
        range,
        inner,
        para,
        closed,
        continues,
        next_in_chain: None,
        in_chain: false,
        framed: false,
        speaker: None,
        scare: false,
        own: false,
    }
}

/// End of an unclosed quote opened at `pos`: the end of its sentence.
fn cap_unclosed(ctx: &Ctx, para: &Range<usize>, pos: usize, limit: usize) -> usize {
    let end = ctx.sentence_at(pos).map_or(para.end, |s| s.end);
    end.clamp(pos + 1, limit.max(pos + 1))
}

fn mark_at(marks: &[QuoteMark], pos: usize) -> Option<&QuoteMark> {
    let k = marks.partition_point(|m| m.pos < pos);
    marks.get(k).filter(|m| m.pos == pos)
}

/// Whether `para` opens with a quote mark of `kind` that can open.
fn opens_with(
    ctx: &Ctx,
    marks: &[QuoteMark],
    para: Option<&Range<usize>>,
    kind: QuoteKind,
) -> bool {
    let Some(para) = para else { return false };
    let Some(m) = mark_at(marks, para.start) else {
        return false;
    };
    let next = ctx.char_after(para.start + 1, para.end);
    m.kind == kind
        && m.hint != QuoteHint::Apostrophe
        && (kind == QuoteKind::Double || m.hint != QuoteHint::Close)
        && next.is_some_and(|c| !c.is_whitespace())
}

pub(super) fn find_quotes(
    ctx: &Ctx,
    paragraphs: &[Range<usize>],
    marks: &[QuoteMark],
) -> Vec<Quote> {
    let mut quotes: Vec<Quote> = Vec::new();
    let mut pending_chain: Option<usize> = None;
    let mut mi = 0;
    for (pi, para) in paragraphs.iter().enumerate() {
        while mi < marks.len() && marks[mi].pos < para.start {
            mi += 1;
        }
        let mut mj = mi;
        while mj < marks.len() && marks[mj].pos < para.end {
            mj += 1;
        }
        let pm = &marks[mi..mj];
        mi = mj;
        let next_para = paragraphs.get(pi + 1);

        let doubles = pair_doubles(
            ctx,
            pi,
            para,
            pm,
            opens_with(ctx, marks, next_para, QuoteKind::Double),
        );
        let singles = pair_singles(
            ctx,
            pi,
            para,
            pm,
            &doubles,
            opens_with(ctx, marks, next_para, QuoteKind::Single),
        );
        // Singles that cross a double quote are dropped; doubles inside a
        // single quote are part of it. Both lists are sorted and
        // non-overlapping, so binary searches keep this linear.
        let singles: Vec<Quote> = singles
            .into_iter()
            .filter(|s| {
                let k = doubles.partition_point(|d| d.range.end <= s.range.start);
                doubles[k..]
                    .iter()
                    .take_while(|d| d.range.start < s.range.end)
                    .all(|d| s.range.start <= d.range.start && d.range.end <= s.range.end)
            })
            .collect();
        let mut para_quotes: Vec<Quote> = doubles
            .into_iter()
            .filter(|d| {
                let k = singles.partition_point(|s| s.range.start <= d.range.start);
                k.checked_sub(1)
                    .is_none_or(|i| d.range.end > singles[i].range.end)
            })
            .collect();
        para_quotes.extend(singles);
        para_quotes.sort_by_key(|q| q.range.start);

        let base = quotes.len();
        if let Some(prev) = pending_chain.take() {
            if para_quotes
                .first()
                .is_some_and(|q| q.range.start == para.start)
            {
                quotes[prev].next_in_chain = Some(base);
                quotes[prev].in_chain = true;
                para_quotes[0].in_chain = true;
            }
        }
        if let Some(last) = para_quotes.last() {
            if last.continues {
                pending_chain = Some(base + para_quotes.len() - 1);
            }
        }
        quotes.extend(para_quotes);
    }
    quotes
}

fn pair_doubles(
    ctx: &Ctx,
    pi: usize,
    para: &Range<usize>,
    pm: &[QuoteMark],
    next_opens: bool,
) -> Vec<Quote> {
    let reversed = pm
        .iter()
        .find(|m| m.glyph == '«' || m.glyph == '»')
        .is_some_and(|m| m.glyph == '»');
    let mut out = Vec::new();
    let mut open: Option<QuoteMark> = None;
    for m in pm.iter().filter(|m| m.kind == QuoteKind::Double) {
        let role = double_role(ctx, para, m, reversed);
        match open {
            None => {
                if role != Role::Close {
                    open = Some(*m);
                }
            }
            Some(o) => {
                let closes = match role {
                    Role::Close | Role::Either => true,
                    Role::Open => o.glyph == '\u{201E}' && m.glyph == '\u{201C}',
                };
                if closes {
                    out.push(new_quote(o.pos..m.pos + 1, pi, true, false));
                    open = None;
                } else {
                    let end = cap_unclosed(ctx, para, o.pos, m.pos);
                    out.push(new_quote(o.pos..end, pi, false, false));
                    open = Some(*m);
                }
            }
        }
    }
    if let Some(o) = open {
        if next_opens {
            out.push(new_quote(o.pos..para.end, pi, false, true));
        } else {
            let end = cap_unclosed(ctx, para, o.pos, para.end);
            out.push(new_quote(o.pos..end, pi, false, false));
        }
    }
    out
}

fn pair_singles(
    ctx: &Ctx,
    pi: usize,
    para: &Range<usize>,
    pm: &[QuoteMark],
    doubles: &[Quote],
    next_opens: bool,
) -> Vec<Quote> {
    let mut out = Vec::new();
    let mut open: Option<QuoteMark> = None;
    let mut di = 0;
    for m in pm.iter().filter(|m| m.kind == QuoteKind::Single) {
        if m.hint == QuoteHint::Apostrophe {
            continue;
        }
        while di < doubles.len() && doubles[di].range.end <= m.pos {
            di += 1;
        }
        if doubles.get(di).is_some_and(|d| d.range.start <= m.pos) {
            continue;
        }
        let prev = ctx.char_before(m.pos, para.start);
        let next = ctx.char_after(m.pos + 1, para.end);
        if prev.is_some_and(char::is_alphanumeric) && next.is_some_and(char::is_alphanumeric) {
            continue;
        }
        let opener = matches!(m.hint, QuoteHint::Open | QuoteHint::Either)
            && prev.is_none_or(|c| c.is_whitespace() || "([{-—/\"".contains(c))
            && next.is_some_and(|c| c.is_alphabetic() || c == '"');
        let closer = matches!(m.hint, QuoteHint::Close | QuoteHint::Either)
            && prev.is_some_and(|c| !c.is_whitespace())
            && next.is_none_or(|c| c.is_whitespace() || ".,;:!?)]}-—\"".contains(c));
        match open {
            None if opener => open = Some(*m),
            Some(o) if closer => {
                out.push(new_quote(o.pos..m.pos + 1, pi, true, false));
                open = None;
            }
            _ => {}
        }
    }
    if let Some(o) = open {
        // An unclosed single quote is only kept in the multi-paragraph
        // convention; anything else was an apostrophe.
        if next_opens && o.hint == QuoteHint::Open {
            out.push(new_quote(o.pos..para.end, pi, false, true));
        }
    }
    out
}

pub(super) fn in_quote(quotes: &[Quote], pos: usize) -> bool {
    let k = quotes.partition_point(|q| q.range.start <= pos);
    k > 0 && quotes[k - 1].range.end > pos
}

fn has_final_punct(ctx: &Ctx, inner: &Range<usize>) -> bool {
    let s = &ctx.text[inner.clone()];
    if s.contains(['!', '?']) {
        return true;
    }
    let t = s.trim_end();
    for (i, c) in t.char_indices() {
        if c != '.' {
            continue;
        }
        let at_end = i + 1 == t.len();
        let before_space = t[i + 1..].starts_with(char::is_whitespace);
        if !(at_end || before_space) {
            continue;
        }
        let w = word_before(t, 0, i);
        let single_cap = w.chars().count() == 1 && w.chars().all(char::is_uppercase);
        if !(is_dotted_initialism(w) || is_abbreviation(w) || single_cap || w.ends_with('.')) {
            return true;
        }
    }
    false
}

/// Whether `q` has the shape of a scare quote: short, closed, unframed,
/// with narration around it. What it then is, [`super::readings`] decides.
pub(super) fn is_scare(ctx: &Ctx, q: &Quote) -> bool {
    if !q.closed || q.framed || q.in_chain {
        return false;
    }
    let words = crate::text::word_count(&ctx.text[q.inner.clone()]);
    if words == 0 || words > SCARE_QUOTE_MAX_WORDS || has_final_punct(ctx, &q.inner) {
        return false;
    }
    let Some(sent) = ctx.sentence_at(q.range.start) else {
        return false;
    };
    let outside = |r: Range<usize>| {
        ctx.text
            .get(r)
            .is_some_and(|s| s.chars().any(char::is_alphanumeric))
    };
    outside(sent.start..q.range.start) || outside(q.range.end.min(sent.end)..sent.end)
}
