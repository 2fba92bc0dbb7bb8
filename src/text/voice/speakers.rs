//! Speakers: cutting a speaker's name out of the words around a speech
//! verb, giving quotes without a frame of their own a speaker from their
//! context, and resolving `he`/`she` to the last speaker named.

use std::ops::Range;

use super::quotes::Quote;
use super::tokens::{in_list, Tok};
use super::words::{
    lower_in, ADVERBS, CONJUNCTIONS, CUT_WORDS, DETERMINERS, LEAD_INS, NAME_PARTICLES,
    OBJECT_STARTS, PREPOSITIONS, RELATIVES, SUBORDINATORS,
};
use super::Ctx;
use crate::text::VoiceSegment;

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn name_like(part: &str) -> bool {
    let w = first_word(part);
    w.chars().next().is_some_and(char::is_uppercase) && !lower_in(w, DETERMINERS)
}

/// Longest stretch (bytes) before a verb searched for its subject: speaker
/// phrases are short, and a bound keeps a huge unpunctuated text linear.
pub(super) const SUBJECT_WINDOW: usize = 300;

/// Words of `s` with their byte offsets.
fn words_at(s: &str) -> impl DoubleEndedIterator<Item = (usize, &str)> {
    s.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

/// Splits at commas, except a comma between digits (`2,500`).
fn split_commas(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b',' {
            let digits =
                i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if !digits {
                out.push(&s[from..i]);
                from = i + 1;
            }
        }
    }
    out.push(&s[from..]);
    out
}

fn bare(w: &str) -> &str {
    w.trim_matches(|c: char| !c.is_alphanumeric())
}

/// The speaker named in `region`, which ends right before a speech verb.
pub(super) fn subject_before(text: &str, region: Range<usize>) -> Option<String> {
    let mut from = region.start.max(region.end.saturating_sub(SUBJECT_WINDOW));
    while from < region.end && !text.is_char_boundary(from) {
        from += 1;
    }
    let whole = text.get(from..region.end)?;
    let s = whole;
    // Start after the last clause boundary.
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let boundary = match c {
            ';' | ':' | '—' | '"' | '(' | ')' | '[' | ']' => true,
            '-' => chars.peek().is_none_or(|&(_, n)| n.is_whitespace()),
            _ => false,
        };
        if boundary {
            start = i + c.len_utf8();
        }
    }
    let mut s = &s[start..];
    // A subordinate clause has its own subject: `what Washington describes
    // as`, `after Bush claimed`.
    let sub = words_at(s)
        .rfind(|(_, w)| lower_in(bare(w), SUBORDINATORS) && !w.ends_with(','))
        .map(|(i, w)| (i, i + w.len()));
    if let Some((at, e)) = sub {
        let rest = &s[e..];
        let pieces = split_commas(rest);
        if rest.trim_end().ends_with(',') {
            // `X, …, since the war began in October, said`: the clause is
            // closed before the verb, whose subject comes before it.
            s = &s[..at];
        } else if pieces.len() > 1 {
            // `after the strike, officials said`: the clause ended at its
            // comma; the subject follows it.
            s = &rest[pieces[0].len() + 1..];
        } else {
            s = rest;
        }
    }
    // `…, in which he stressed`: a pronoun right before the verb is the
    // subject (resolved later to the last named speaker).
    for (_, w) in words_at(s).rev() {
        let w = bare(w);
        if lower_in(w, CUT_WORDS) || lower_in(w, ADVERBS) {
            continue;
        }
        if lower_in(w, &["he", "she"]) {
            // `Sudani held a press conference, in which he stressed`: a
            // name opening the sentence is the likeliest antecedent.
            let name = (from == region.start)
                .then(|| leading_name(whole))
                .flatten();
            return name.or_else(|| Some(w.to_string()));
        }
        break;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in split_commas(s) {
        let mut p = part.trim();
        while lower_in(first_word(p), CONJUNCTIONS) {
            p = p[first_word(p).len()..].trim_start();
        }
        let fw = first_word(p);
        if p.is_empty() || lower_in(fw, LEAD_INS) || lower_in(fw, RELATIVES) {
            continue;
        }
        parts.push(p);
    }
    let chosen = parts.iter().rev().find(|p| name_like(p)).or(parts.first());
    chosen
        .and_then(|p| clean_np(p))
        .or_else(|| capitalised_run_before(s))
}

/// A name opening `s` (`Sudani held …` → `Sudani`, `The Iraqi President
/// Ali Rashid met …` → `The Iraqi President Ali Rashid`): capitalised words
/// and name particles, after an optional `The`, up to the first lowercase
/// word, which must follow.
fn leading_name(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().take(12).collect();
    let mut k = usize::from(words.first().is_some_and(|w| *w == "The"));
    let first = k;
    while k < words.len() {
        let w = words[k];
        let cap = w.chars().next().is_some_and(char::is_uppercase);
        if (cap && !w.ends_with(',')) || (k > first && lower_in(bare(w), NAME_PARTICLES)) {
            k += 1;
        } else {
            break;
        }
    }
    let lower_next = words
        .get(k)
        .is_some_and(|w| w.chars().next().is_some_and(char::is_lowercase));
    let first_word = words.get(first).map_or("", |w| bare(w));
    if k == first || !lower_next || lower_in(first_word, LEAD_INS) || is_pronoun(first_word) {
        return None;
    }
    clean_np(&words[..k].join(" "))
}

/// The run of capitalised words (name particles allowed) that ends right
/// before the verb: `This comes after Iraqi President Abdel Rashid` →
/// `Iraqi President Abdel Rashid`.
fn capitalised_run_before(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut end = words.len();
    while end > 0
        && (lower_in(bare(words[end - 1]), CUT_WORDS) || lower_in(bare(words[end - 1]), ADVERBS))
    {
        end -= 1;
    }
    let mut start = end;
    while start > 0 {
        let w = words[start - 1];
        let cap = w.chars().next().is_some_and(char::is_uppercase);
        if cap || lower_in(bare(w), NAME_PARTICLES) {
            start -= 1;
        } else {
            break;
        }
    }
    while start < end && !words[start].chars().next().is_some_and(char::is_uppercase) {
        start += 1;
    }
    if start == end || lower_in(words[start], DETERMINERS) && end - start == 1 {
        return None;
    }
    clean_np(&words[start..end].join(" "))
}

/// Trims a speaker phrase: drops a leading `what`, stops at auxiliaries,
/// adverbs and verbs with objects, keeps at most twelve words.
pub(super) fn clean_np(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let mut from = 0;
    while from < words.len() && lower_in(words[from], &["what", "which", "whom", "who"]) {
        from += 1;
    }
    let mut out: Vec<&str> = Vec::new();
    for (k, w) in words.iter().enumerate().skip(from) {
        if k > from {
            // `the then president` is a title, not an adverb.
            let the_then =
                w.eq_ignore_ascii_case("then") && words[k - 1].eq_ignore_ascii_case("the");
            if lower_in(w, CUT_WORDS) && !the_then {
                break;
            }
            let is_ed_verb = w.len() > 4
                && w.ends_with("ed")
                && w.chars().all(|c| c.is_lowercase())
                && words.get(k + 1).is_some_and(|n| lower_in(n, OBJECT_STARTS));
            if is_ed_verb {
                break;
            }
        }
        out.push(w);
    }
    let joined = out.join(" ");
    let trimmed = joined.trim_matches(|c: char| !(c.is_alphanumeric() || c == '.' || c == ')'));
    let trimmed = trimmed.trim_end_matches(['.', ')']);
    let n = trimmed.split_whitespace().count();
    if n == 0 || n > 12 || !trimmed.chars().any(char::is_alphabetic) {
        return None;
    }
    Some(trimmed.to_string())
}

/// Words for `VERB NP` frames (`…," said the official.`).
pub(super) fn np_after(ctx: &Ctx, toks: &[Tok], from: usize, end: usize) -> Option<String> {
    let mut k = from;
    while k < end && k < from + 8 && toks[k].word && !in_list(ctx, toks[k], PREPOSITIONS) {
        if in_list(ctx, toks[k], CUT_WORDS) && k > from {
            break;
        }
        k += 1;
    }
    if k == from {
        return None;
    }
    clean_np(&ctx.text[toks[from].start..toks[k - 1].end])
}

pub(super) fn assign_quote_speakers(
    ctx: &Ctx,
    quotes: &mut [Quote],
    attributed: &[(Range<usize>, Option<String>)],
) {
    // Chains share the first speaker any member names.
    let mut k = 0;
    while k < quotes.len() {
        let is_head = quotes[k].in_chain && !(k > 0 && quotes[k - 1].next_in_chain == Some(k));
        if is_head {
            let mut members = vec![k];
            let mut cur = k;
            while let Some(n) = quotes[cur].next_in_chain {
                members.push(n);
                cur = n;
            }
            let sp = members.iter().find_map(|&m| quotes[m].speaker.clone());
            for &m in &members {
                if quotes[m].speaker.is_none() {
                    quotes[m].speaker = sp.clone();
                }
            }
        }
        k += 1;
    }
    for i in 0..quotes.len() {
        if quotes[i].speaker.is_some() {
            continue;
        }
        let start = quotes[i].range.start;
        let a = attributed.partition_point(|(r, _)| r.start <= start);
        if let Some((r, sp)) = a.checked_sub(1).map(|j| &attributed[j]) {
            if r.end > start && sp.is_some() {
                quotes[i].speaker = sp.clone();
                continue;
            }
        }
        // `"…," Nasiri added. "…"`: a quote opening a sentence goes on with
        // the previous quote's speaker in the paragraph.
        if ctx.sentence_at(start).is_some_and(|s| s.start == start)
            && i > 0
            && quotes[i - 1].para == quotes[i].para
        {
            quotes[i].speaker = quotes[i - 1].speaker.clone();
        }
    }
}

/// Pronouns and placeholders that name nobody by themselves.
fn is_pronoun(s: &str) -> bool {
    lower_in(
        s,
        &[
            "he", "she", "him", "her", "it", "they", "them", "we", "i", "you", "us", "me", "there",
            "here", "this", "that", "these", "those", "which", "who", "one",
        ],
    )
}

/// `he`/`she` → the last speaker named before; other pronouns and
/// placeholders (`it`, `they`, `there`) → none.
pub(super) fn resolve_pronouns(segments: &mut [VoiceSegment]) {
    let mut last: Option<String> = None;
    for seg in segments.iter_mut() {
        match seg.speaker.as_deref() {
            Some(p) if is_pronoun(p) => {
                seg.speaker = if lower_in(p, &["he", "she", "him", "her"]) {
                    last.clone()
                } else {
                    None
                };
            }
            Some(name) => last = Some(name.to_string()),
            None => {}
        }
    }
}
