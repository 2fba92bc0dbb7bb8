//! Speakers: cutting a speaker's name out of the words around a speech
//! verb, giving quotes without a frame of their own a speaker from their
//! context, and resolving `he`/`she` to the last speaker named.

use std::ops::Range;

use super::quotes::Quote;
use super::tokens::{in_list, Tok};
use super::words::{
    lower_in, verbs, ADVERBS, CONJUNCTIONS, CUT_WORDS, DETERMINERS, LEAD_INS, NAME_PARTICLES,
    OBJECT_STARTS, PAST_VERBS, PREPOSITIONS, RELATIVES, ROLE_NOUNS, SUBORDINATORS, WEEKDAYS_MONTHS,
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
    // `Sen. Ann Lee (R-Maine) said`: the party tag is no boundary.
    let without_tag;
    let s = match whole
        .trim_end()
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once('('))
    {
        Some((head, tag)) if tag.split_whitespace().count() <= 3 && !head.trim().is_empty() => {
            without_tag = head.trim_end().to_string();
            without_tag.as_str()
        }
        _ => whole,
    };
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
    let chosen = parts
        .iter()
        .rev()
        .find(|p| name_like(p) && !party_tag(p))
        .or(parts.first());
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
    // `Wednesday afternoon the council said`: the time is not the speaker.
    while words.len() > from + 1 && is_time_word(words[from]) {
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
            // `Mr. Dale went on`, `activist Ann Lee warned lawmakers`: the
            // phrase has become a clause.
            let finite = lower_in(w, PAST_VERBS) || verbs().contains_key(*w);
            // `Sheriff Ray Lee dispelled rumors`: a past tense right after a
            // name.
            let after_name = words[k - 1].chars().next().is_some_and(char::is_uppercase)
                && !lower_in(words[k - 1], DETERMINERS);
            let finite = finite
                || (after_name
                    && w.len() > 4
                    && w.ends_with("ed")
                    && w.chars().all(char::is_lowercase));
            // `American officials routinely describe`.
            let adverb = w.len() > 5
                && w.ends_with("ly")
                && w.chars().all(char::is_lowercase)
                && !lower_in(w, &["family", "assembly", "supply", "monopoly", "anomaly"]);
            if is_ed_verb || finite || adverb {
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
    speaker_phrase(trimmed)
}

/// A speaker is a name, a role with a name, a role or body by itself (`a
/// senior official`, `court records`) or a pronoun; a clause fragment
/// (`A large share of`, `taking office`, `Wednesday afternoon`) names
/// nobody.
fn speaker_phrase(s: &str) -> Option<String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let first = bare(words.first()?);
    let last_raw = *words.last()?;
    let last = bare(last_raw);
    if words.len() == 1 && is_pronoun(first) {
        return Some(s.to_string());
    }
    // `That year it`: the pronoun is the subject.
    if words.len() > 1 && lower_in(last, &["he", "she", "it", "they", "we"]) {
        return Some(last.to_string());
    }
    let capital = |w: &str| w.chars().next().is_some_and(char::is_uppercase);
    let function_end = lower_in(last, PREPOSITIONS)
        || lower_in(last, DETERMINERS)
        || lower_in(last, CONJUNCTIONS)
        || lower_in(last, &["be", "being", "been", "of", "to"]);
    let gerund_start = first.len() > 4
        && first.ends_with("ing")
        && (!capital(first)
            || lower_in(
                first,
                &[
                    "using",
                    "being",
                    "becoming",
                    "having",
                    "citing",
                    "speaking",
                    "following",
                ],
            ));
    let clause_start = lower_in(first, &["of", "that", "to", "if", "whether"])
        || (first.ends_with("ly") && !capital(first));
    let dangling_possessive = last_raw.ends_with("'s") || last_raw.ends_with("s'");
    let only_dates = words.iter().all(|w| is_time_word(w));
    if function_end || gerund_start || clause_start || dangling_possessive || only_dates {
        return None;
    }
    // Without a name, the phrase's head must be someone who speaks. A
    // capital opening a longer phrase may only open its sentence.
    // `al-Sudani`, `McCain`: a capital inside a word is no sentence start.
    let inner_capital = |w: &str| w.chars().skip(1).any(char::is_uppercase);
    let named = words
        .iter()
        .skip(1)
        .any(|w| w.chars().any(char::is_uppercase))
        || inner_capital(words[0])
        || (words.len() == 1 && capital(first) && !lower_in(first, DETERMINERS));
    if !named && !speaks(head(&words)) {
        return None;
    }
    Some(s.to_string())
}

/// The head noun of a phrase: its last word before any prepositional part
/// (`three people with knowledge of …` → `people`).
fn head<'a>(words: &[&'a str]) -> &'a str {
    let cut = [
        "of", "with", "familiar", "close", "from", "in", "at", "for", "on",
    ];
    let end = words
        .iter()
        .skip(1)
        .position(|w| lower_in(w, &cut))
        .map_or(words.len(), |i| i + 1);
    words[..end].last().map_or("", |w| bare(w))
}

/// Whether a noun names a person, a body or a document that can speak.
fn speaks(noun: &str) -> bool {
    let w = noun.to_lowercase();
    let w = w.trim_end_matches("'s");
    let singular = if let Some(stem) = w.strip_suffix("ies") {
        format!("{stem}y")
    } else {
        w.strip_suffix('s').unwrap_or(w).to_string()
    };
    let person = [
        "er", "or", "ist", "ian", "man", "men", "woman", "women", "ee", "ive",
    ];
    [w, singular.as_str()]
        .iter()
        .any(|x| lower_in(x, ROLE_NOUNS) || (x.len() > 3 && person.iter().any(|p| x.ends_with(p))))
}

fn is_time_word(w: &str) -> bool {
    let w = bare(w);
    lower_in(w, WEEKDAYS_MONTHS)
        || lower_in(
            w,
            &[
                "morning",
                "afternoon",
                "evening",
                "night",
                "last",
                "late",
                "early",
            ],
        )
}

/// `D-Vt.`, `R-Alaska`, `Republican of Ohio`, `California Democrat`: a
/// party tag after a name, which is the speaker.
fn party_tag(part: &str) -> bool {
    let words: Vec<&str> = part.split_whitespace().collect();
    let parties = [
        "Democrat",
        "Republican",
        "Independent",
        "Democrats",
        "Republicans",
    ];
    match words.as_slice() {
        [w] => {
            let b = w.as_bytes();
            b.len() > 2 && matches!(b[0], b'D' | b'R' | b'I') && b[1] == b'-'
        }
        [a, b] => parties.contains(b) && !lower_in(a, DETERMINERS),
        [a, b, _] => parties.contains(a) && *b == "of",
        _ => false,
    }
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
