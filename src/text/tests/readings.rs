//! What a short quotation is: a partial quote of a named speaker, a name
//! or title, a word mentioned as a word, or a scare quote; and what a
//! speaker phrase may be.

use super::*;

fn scare_texts(p: &PreparedText) -> Vec<&str> {
    p.scare_quotes
        .iter()
        .map(|q| &p.normalized[q.clone()])
        .collect()
}

#[test]
fn partial_quotes_of_a_named_speaker_are_quoted() {
    let p = prep(
        "The governor said the plan was a “costly blunder” for the state.\n\
         Mayor Lena Ortiz told reporters the delay is “baffling”.\n\
         Holt called the vote a “sad day” for the town.\n\
         According to the mayor, the budget is “in freefall” this year.",
    );
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
    assert_eq!(
        voice_of(&p, "costly"),
        (Voice::Quoted, Some("The governor".into()))
    );
    assert_eq!(
        voice_of(&p, "baffling"),
        (Voice::Quoted, Some("Mayor Lena Ortiz".into()))
    );
    assert_eq!(
        voice_of(&p, "sad day"),
        (Voice::Quoted, Some("Holt".into()))
    );
    assert_eq!(
        voice_of(&p, "freefall"),
        (Voice::Quoted, Some("the mayor".into()))
    );
}

#[test]
fn partial_quotes_framed_after_or_by_a_pronoun() {
    let p = prep(
        "Senator Amy Holt said the fair was a success. She mocked her rivals, whom she derided as \
         “timid,” “dull” and “lost”.\n\
         “First among farmers,” she boasted.\n\
         Critics seized on his remark that the tax was “dead”.",
    );
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
    for word in ["timid", "dull", "lost", "First among"] {
        assert_eq!(
            voice_of(&p, word),
            (Voice::Quoted, Some("Senator Amy Holt".into())),
            "{word}"
        );
    }
    assert_eq!(voice_of(&p, "dead").0, Voice::Quoted);
}

#[test]
fn names_and_titles_are_not_scare_quotes() {
    let p = prep(
        "The charity runs the “Circle of Neighbours” scheme in the town.\n\
         She spoke on “Morning Table” last week about the harvest.\n\
         The “Harvest Week” events drew few visitors.",
    );
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
    assert_eq!(voice_of(&p, "Neighbours"), (Voice::Own, None));
    assert_eq!(voice_of(&p, "Morning Table"), (Voice::Own, None));
    assert_eq!(voice_of(&p, "Harvest"), (Voice::Own, None));
    assert!(!p.in_scare_quote(find(&p, "Harvest")));
}

#[test]
fn a_capital_that_only_opens_the_sentence_is_no_title() {
    let p = prep("“Reform” is back in fashion in the capital.");
    assert_eq!(scare_texts(&p), vec!["\"Reform\""]);
}

#[test]
fn words_mentioned_as_words_are_not_scare_quotes() {
    let p = prep(
        "The word “siege” appears nowhere in the filing.\n\
         Officials avoid the term “retreat” at all costs.\n\
         The agency classified the app as an “information utility” last year.\n\
         The court treated the tower as a low-cost “shared facility” for years.\n\
         The board is a “standing body” under the charter, and “quorum” means half.\n\
         Posts with keywords such as “harvest” and “plough” were hidden.",
    );
    assert_eq!(scare_texts(&p), Vec::<&str>::new());
    assert_eq!(voice_of(&p, "siege"), (Voice::Own, None));
    assert_eq!(voice_of(&p, "retreat"), (Voice::Own, None));
    assert_eq!(voice_of(&p, "information"), (Voice::Own, None));
}

#[test]
fn scare_quotes_stay_scare_quotes() {
    let p = prep(
        "Troops stay on in what the ministry describes as an “advisory” mission.\n\
         The envoy and the minister agreed in March last year that the foreign brigades \
         in the north would move on to a “training” role.\n\
         The “reform” left thousands without pay.\n\
         Rents rose again after the so-called “temporary” freeze.\n\
         The gunmen call themselves the “defenders” of the valley.",
    );
    assert_eq!(
        scare_texts(&p),
        vec![
            "\"advisory\"",
            "\"training\"",
            "\"reform\"",
            "\"temporary\"",
            "\"defenders\""
        ]
    );
    assert_eq!(voice_of(&p, "reform"), (Voice::Own, None));
}

#[test]
fn a_quoted_modifier_near_a_speech_verb_is_the_speakers() {
    let p = prep(
        "Mayor Ann Vole praised the “heroic” work of the crews.\n\
         The senators called the report “shocking,” “cruel” and “reckless” reading.",
    );
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
    assert_eq!(
        voice_of(&p, "heroic"),
        (Voice::Quoted, Some("Mayor Ann Vole".into()))
    );
    assert_eq!(
        voice_of(&p, "cruel"),
        (Voice::Quoted, Some("The senators".into()))
    );
}

#[test]
fn a_quote_repeating_a_longer_quote_is_its_speakers() {
    let p = prep(
        "“We are the party of builders and we say so,” Vole said at the rally.\n\
         Hours later the “builders” were nowhere to be seen.",
    );
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
    assert_eq!(
        voice_of(&p, "builders\" were"),
        (Voice::Quoted, Some("Vole".into()))
    );
}

#[test]
fn headline_speaker_before_a_colon() {
    let p = prep("Lee: farm bill “dead on arrival”\n\nThe vote is set for Friday.");
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
    assert_eq!(voice_of(&p, "dead"), (Voice::Quoted, Some("Lee".into())));
    // A label before the colon is no speaker.
    let p = prep("Analysis: the so-called “truce” holds\n\nThe guns are quiet.");
    assert_eq!(scare_texts(&p), vec!["\"truce\""]);
    // Headlines quote in single marks.
    let p = prep("Senator vows to fight on, calls plan 'a disgrace'\n\nThe vote is set.");
    assert!(p.scare_quotes.is_empty(), "{:?}", scare_texts(&p));
}

#[test]
fn a_colon_or_semicolon_ends_the_quotes_clause() {
    let p = prep("For the “liberators”, it is a test: if talks fail, the rebels say, war resumes.");
    assert_eq!(scare_texts(&p), vec!["\"liberators\""]);
}

#[test]
fn speakers_are_names_or_roles_not_fragments() {
    let p = prep(
        "Sen. Mark Dale, D-Ore., said the strikes were legal.\n\
         Wednesday afternoon the council said the vote was delayed.\n\
         Sheriff Ray Lee dispelled rumors, saying the gunman was charged.\n\
         Mr. Dale went on to say the men were tried.\n\
         Sen. Ann Lee (R-Maine) said the rules were unfair.",
    );
    assert_eq!(
        voice_of(&p, "rules were"),
        (Voice::Attributed, Some("Sen. Ann Lee".into()))
    );
    assert_eq!(
        voice_of(&p, "strikes"),
        (Voice::Attributed, Some("Sen. Mark Dale".into()))
    );
    assert_eq!(
        voice_of(&p, "vote was"),
        (Voice::Attributed, Some("the council".into()))
    );
    assert_eq!(
        voice_of(&p, "gunman"),
        (Voice::Attributed, Some("Sheriff Ray Lee".into()))
    );
    assert_eq!(
        voice_of(&p, "men were"),
        (Voice::Attributed, Some("Mr. Dale".into()))
    );
}

#[test]
fn a_fragment_before_the_verb_names_nobody() {
    let p = prep(
        "Prices rose. Serious, the new rules said nothing about rent.\n\
         Part of the reason, by many accounts, argued that the plan failed.",
    );
    for s in p.voice.iter().filter_map(|s| s.speaker.as_deref()) {
        assert!(
            !["Serious", "Part of the reason", "by many accounts"].contains(&s),
            "{s}"
        );
    }
}
