use super::*;

fn names(text: &str) -> Vec<String> {
    // One sentence per line, as the text stage splits a simple article.
    let mut ranges = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        ranges.push(at..at + line.trim_end().len());
        at += line.len();
    }
    find_names(text, &ranges)
        .into_iter()
        .map(|n| n.name)
        .collect()
}

#[test]
fn titles_stay_out_of_the_name_and_are_kept_beside_it() {
    let text = "Iraqi Prime Minister Mohammed Shia al-Sudani said the coalition should leave.\n";
    let found = find_names(text, std::slice::from_ref(&(0..text.len() - 1)));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].name, "Mohammed Shia al-Sudani");
    assert_eq!(found[0].title.as_deref(), Some("Iraqi Prime Minister"));
    assert_eq!(&text[found[0].range.clone()], "Mohammed Shia al-Sudani");
    // (name, title) of each name in one sentence.
    let titled = |text: &str| -> Vec<(String, Option<String>)> {
        find_names(text, std::slice::from_ref(&(0..text.len())))
            .into_iter()
            .map(|n| (n.name, n.title))
            .collect()
    };
    let named = |name: &str, title: Option<&str>| (name.to_string(), title.map(String::from));
    assert_eq!(
        titled("“We remain focused,” the Pentagon Press Secretary, Major General Pat Ryder, said."),
        [
            named("Pentagon", Some("Press Secretary")),
            named("Pat Ryder", Some("Major General"))
        ]
    );
    // A title with "of" in it, up to the given name that starts the name.
    assert_eq!(
        titled("Secretary of State John F. Kerry met Secretary of State Clinton."),
        [
            named("John F. Kerry", Some("Secretary of State")),
            named("Secretary of State Clinton", None)
        ]
    );
}

#[test]
fn a_capital_at_a_sentence_start_needs_the_article_to_confirm_it() {
    let text = "Officials said the talks went on.\n\
                Sudani told Reuters the forces must go.\n\
                The Pentagon disagreed with Sudani on Tuesday.\n";
    assert_eq!(names(text), ["Sudani", "Reuters", "Pentagon", "Sudani"]);
    // Without the confirming mention, a sentence-initial word is no name.
    let text = "Sudani told reporters the forces must go.\n";
    assert_eq!(names(text), Vec::<String>::new());
    // Nor is one a particle follows.
    assert_eq!(names("Hundreds of U.S. troops stayed.\n"), ["U.S."]);
    // A quotation's first word is like a sentence's.
    let text = "“Right now, I am not aware of any plans,” Ryder said.\n";
    assert_eq!(names(text), ["Ryder"]);
}

#[test]
fn an_ordinary_word_at_a_sentence_start_is_the_sentence_s_capital() {
    // "Meet" and "Originally" are ordinary words: a name starts after them.
    let text = "Meet Barack Obama.\n“Originally FBI focused on the rules.”\n";
    assert_eq!(names(text), ["Barack Obama", "FBI"]);
    // A given name or a place is no ordinary word: it stays.
    let text = "Donald Trump spoke.\nSouth Korea agreed.\nMark Esper left.\n";
    assert_eq!(names(text), ["Donald Trump", "South Korea", "Mark Esper"]);
    // A committee's chairman is a title.
    let text = "The panel's Chairman Trey Gowdy spoke.\n";
    let found = find_names(text, std::slice::from_ref(&(0..text.len() - 1)));
    assert_eq!(found[0].name, "Trey Gowdy");
    assert_eq!(found[0].title.as_deref(), Some("Chairman"));
    // A function word with a contraction is no name.
    let text = "\"Ultimately I'm running because I can win,\" he said.\n";
    assert_eq!(names(text), Vec::<String>::new());
}

#[test]
fn numbers_and_capitals_do_not_hide_a_headline() {
    // A title-case headline with numbers, and a line in capitals: their
    // words need the article to confirm them.
    let text = "12 Reasons Ted Cruz Is a Strong GOP 2016 Candidate\n\
                WE LOVE PENNSYLVANIA\n\
                Supporters of Ted Cruz rallied in Pennsylvania.\n";
    assert_eq!(
        names(text),
        ["Ted Cruz", "PENNSYLVANIA", "Ted Cruz", "Pennsylvania"]
    );
}

#[test]
fn possessives_particles_and_stop_words() {
    let text = "Meanwhile, Israel's war on Gaza went on as the Islamic State of Iraq regrouped.\n\
                Osama bin Laden and Abu Mahdi al Muhandis were named by the U.S. Department of Defense.\n";
    assert_eq!(
        names(text),
        [
            "Israel",
            "Gaza",
            "Islamic State of Iraq",
            "Osama bin Laden",
            "Abu Mahdi al Muhandis",
            "U.S. Department of Defense"
        ]
    );
}

#[test]
fn a_middle_initial_is_inside_a_name_and_left_out_of_its_key() {
    assert_eq!(
        names("Her deputy, Gary M. Cohen, agreed with Rep. Elijah E. Cummings on it.\n"),
        ["Gary M. Cohen", "Elijah E. Cummings"]
    );
    // Not at a name's ends, and not where a sentence ends.
    assert_eq!(names("They met J. Smith.\n"), ["Smith"]);
    assert_eq!(names("They met Ali B.\nThe court agreed.\n"), ["Ali"]);
    assert_eq!(names("They met Ali B. The court agreed.\n"), ["Ali"]);
    let m = merge_aliases([
        ("Elijah E. Cummings", 2),
        ("Elijah Cummings", 1),
        ("Cummings", 3),
    ]);
    assert_eq!(m["Elijah Cummings"], "Elijah E. Cummings");
    assert_eq!(m["Cummings"], "Elijah E. Cummings");
}

#[test]
fn pronouns_months_hyphenated_adjectives_and_numbers_are_no_names() {
    let text =
        "He said on January 9 that US-led forces and Iran-backed groups clashed, and I agree.\n\
                They met in 2024 at the COVID-19 ward.\n";
    assert_eq!(names(text), Vec::<String>::new());
}

#[test]
fn a_title_case_headline_needs_each_word_confirmed() {
    let text = "Iraqi PM Says Baghdad Wants US-Led Coalition To Leave\n\
                The Iraqi government in Baghdad asked the coalition to leave, the PM said.\n";
    // "PM" alone is a title, not a name.
    assert_eq!(names(text), ["Iraqi", "Baghdad", "Iraqi", "Baghdad"]);
}

#[test]
fn spellings_and_short_forms_merge_and_a_shared_short_form_does_not() {
    let m = merge_aliases([
        ("Mohammed Shia al-Sudani", 2),
        ("Mohammed Shia Al-Sudani", 1),
        ("al-Sudani", 3),
        ("Al-Sudani", 4),
        ("Al Sudani", 1),
        ("Sudani", 1),
        ("Shia al-Sudani", 1),
        ("Qassem Soleimani", 2),
        ("Qassam Soleimani", 1),
        ("Soleimani", 5),
        ("Pentagon", 3),
        ("University of Baghdad", 1),
        ("Baghdad", 4),
        ("Muhammad Shiaa al Sudani", 1),
        ("Mohammed Shia al-Sudan", 1),
    ]);
    for alias in [
        "Mohammed Shia Al-Sudani",
        "al-Sudani",
        "Al-Sudani",
        "Al Sudani",
        "Sudani",
        "Shia al-Sudani",
        "Muhammad Shiaa al Sudani",
        "Mohammed Shia al-Sudan",
    ] {
        assert_eq!(m[alias], "Mohammed Shia al-Sudani", "{alias}");
    }
    // Transliterations of one full name are one name; its short form
    // joins it.
    assert_eq!(m["Qassam Soleimani"], "Qassem Soleimani");
    assert_eq!(m["Soleimani"], "Qassem Soleimani");
    assert_eq!(m["Pentagon"], "Pentagon");
    // The name after "of" is another actor's.
    assert_eq!(m["Baghdad"], "Baghdad");
    assert_eq!(m["University of Baghdad"], "University of Baghdad");
    // The order of the input does not matter.
    let mut reversed: Vec<(&str, u64)> = vec![("Sudani", 1), ("Mohammed Shia al-Sudani", 2)];
    let a = merge_aliases(reversed.clone());
    reversed.reverse();
    assert_eq!(a, merge_aliases(reversed));
}

#[test]
fn a_short_form_two_full_names_end_with_stays_its_own_actor() {
    let m = merge_aliases([
        ("Donald Trump", 3),
        ("Ivanka Trump", 1),
        ("Trump", 7),
        ("Ali Hassan", 1),
        ("Ali Hussein", 1),
        ("Hassan", 2),
    ]);
    assert_eq!(m["Trump"], "Trump");
    assert_eq!(m["Donald Trump"], "Donald Trump");
    // Two people, not two spellings: "Hassan" is the end of one only.
    assert_eq!(m["Ali Hussein"], "Ali Hussein");
    assert_eq!(m["Hassan"], "Ali Hassan");
}

#[test]
fn an_acronym_joins_the_one_full_name_it_spells() {
    let m = merge_aliases([
        ("United States", 2),
        ("U.S.", 5),
        ("US", 1),
        ("Federal Bureau of Investigation", 1),
        ("FBI", 3),
        ("Centers for Disease Control", 1),
        ("CDC", 2),
        ("European Union", 1),
        ("Emergency Unit", 1),
        ("EU", 2),
        // Not written as an acronym: no initials are read into it.
        ("Us", 1),
        ("Pentagon", 1),
    ]);
    assert_eq!(m["U.S."], "United States");
    assert_eq!(m["US"], "United States");
    // With the initial of "of" or without it.
    assert_eq!(m["FBI"], "Federal Bureau of Investigation");
    assert_eq!(m["CDC"], "Centers for Disease Control");
    // Two full names spell it: not merged within an article.
    assert_eq!(m["EU"], "EU");
    assert_eq!(m["Pentagon"], "Pentagon");
    // "Us" shares the key of `US`, written as an acronym more often.
    assert_eq!(m["Us"], "United States");
    // A person's initials, a name built on the acronym: neither spells it.
    let m = merge_aliases([
        ("Paul Ryan", 3),
        ("Ryan", 1),
        ("PR", 1),
        ("U.S. Senate", 2),
        ("US", 1),
    ]);
    assert_eq!(m["PR"], "PR");
    assert_eq!(m["Ryan"], "Paul Ryan");
    assert_eq!(m["US"], "US");
    let m = merge_aliases([("Upper Silesia", 1), ("Us", 2)]);
    assert_eq!(m["Us"], "Us", "a capitalised word is no acronym");
}

#[test]
fn over_a_corpus_an_acronym_or_a_surname_joins_a_dominant_full_name() {
    let names = [
        ("United States", 444),
        ("Uncle Sam", 14),
        ("United Steelworkers", 3),
        ("U.S.", 334),
        ("European Union", 80),
        ("Emergency Unit", 20),
        ("EU", 12),
        ("Donald Trump", 1421),
        ("Republican Donald Trump", 12),
        ("Ivanka Trump", 8),
        ("Eric Trump", 24),
        ("Trump", 985),
        // A headline in capitals: not an acronym, as "Trump" is written
        // most.
        ("TRUMP", 4),
        ("White House", 828),
        ("Senate House", 15),
        ("House", 173),
        // A person's name, but the surname is shared evenly.
        ("Hillary Clinton", 300),
        ("Bill Clinton", 30),
        ("Clinton", 197),
    ];
    let merged = merge_corpus_aliases(names);
    // Which short forms the share joined, with the figures behind them:
    // "Republican Donald Trump" counts as Donald Trump.
    let trump = ByShare {
        name: "Trump".into(),
        uses: 989,
        person: 1433,
        candidates: 1465,
    };
    let us = ByShare {
        name: "U.S.".into(),
        uses: 334,
        person: 444,
        candidates: 461,
    };
    assert_eq!(merged.by_share, [trump, us]);
    let corpus = merged.actor_of;
    assert_eq!(corpus["U.S."], "United States");
    // One actor, named (here) by its longest full name.
    assert_eq!(corpus["Donald Trump"], "Republican Donald Trump");
    assert_eq!(corpus["Trump"], "Republican Donald Trump");
    assert_eq!(corpus["TRUMP"], "Republican Donald Trump");
    // 80 % and 91 %: not enough.
    assert_eq!(corpus["EU"], "EU");
    assert_eq!(corpus["Clinton"], "Clinton");
    // "White House" is no person's name: a bare "House" is seldom its.
    assert_eq!(corpus["House"], "House");
    // Within an article the rule does not apply.
    let article = merge_aliases(names);
    assert_eq!(article["U.S."], "U.S.");
    assert_eq!(article["Trump"], "Trump");
    // At exactly the share it joins; below, it does not.
    let actor = |[full, other, short]: [&str; 3], uses: [u64; 3]| {
        let names = [(full, uses[0]), (other, uses[1]), (short, uses[2])];
        merge_corpus_aliases(names).actor_of[short].clone()
    };
    let us = ["United States", "Uncle Sam", "US"];
    assert_eq!(actor(us, [95, 5, 1]), "United States");
    assert_eq!(actor(us, [94, 6, 1]), "US");
    let biden = ["Joe Biden", "Hunter Biden", "Biden"];
    assert_eq!(actor(biden, [95, 5, 1]), "Joe Biden");
    assert_eq!(actor(biden, [94, 6, 1]), "Biden");
    // Not a person's: a word of it is an ordinary one, or the first is no
    // given name.
    let not_person = |full| actor([full, "Anna Smith", "Smith"], [99, 1, 5]);
    assert_eq!(not_person("Wesson Smith"), "Smith", "no given name");
    assert_eq!(
        not_person("Donald Foundation Smith"),
        "Smith",
        "an ordinary word"
    );
    assert_eq!(not_person("Donald Smith"), "Donald Smith");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Names of one to three words from a small stock, so that spellings,
    /// short forms and acronyms meet.
    fn name() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "Donald",
            "Ivanka",
            "Trump",
            "United",
            "States",
            "US",
            "U.S.",
            "Sudani",
            "al-Sudani",
            "Shia",
            "Federal",
            "Bureau",
            "of",
            "Investigation",
            "FBI",
            "Emergency",
            "Unit",
            "EU",
        ]);
        prop::collection::vec(words, 1..4).prop_map(|w| w.join(" "))
    }

    proptest! {
        #[test]
        fn the_merge_does_not_depend_on_order_and_names_an_actor_by_one_of_its_names(
            names in prop::collection::vec((name(), 1u64..50), 1..12),
            corpus in any::<bool>(),
        ) {
            let merge = |n: &[(String, u64)]| {
                let n = n.iter().map(|(s, w)| (s.as_str(), *w));
                if corpus { merge_corpus_aliases(n).actor_of } else { merge_aliases(n) }
            };
            let m = merge(&names);
            let mut reversed = names.clone();
            reversed.reverse();
            prop_assert_eq!(&m, &merge(&reversed));
            for (name, actor) in &m {
                prop_assert!(names.iter().any(|(n, _)| n == name));
                prop_assert!(m.contains_key(actor), "{} → {} is no input name", name, actor);
                prop_assert_eq!(&m[actor], actor, "{} → {} → {}", name, actor, &m[actor]);
            }
        }
    }
}
