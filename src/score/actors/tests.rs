use super::*;
use crate::score::stats::bootstrap_ratio;

fn part(name: &str, surfaces: &[&str], by_voice: [u64; 3], sentiment: (f64, f64)) -> ActorPart {
    ActorPart {
        name: name.into(),
        surfaces: surfaces.iter().map(|s| CompactString::from(*s)).collect(),
        by_voice,
        sentiment_own: sentiment,
    }
}

fn sums(articles: Vec<Vec<ActorPart>>) -> ActorSums {
    let mut s = ActorSums::default();
    for a in articles {
        s.add(&ActorParts(a));
    }
    s
}

#[test]
fn rows_add_up_by_hand_and_the_minimum_leaves_actors_out() {
    // Names no lexicon concept lists.
    let sudani = "Rana Karim al-Haddad";
    let a = sums(vec![
        vec![part(sudani, &[sudani], [1, 0, 0], (0.5, 1.0))],
        vec![part("Haddad", &["Haddad"], [2, 1, 0], (-0.2, 2.0))],
        vec![part("Pentagon", &["Pentagon"], [1, 0, 0], (0.0, 0.0))],
    ]);
    let b = sums(vec![vec![
        part("Al-Haddad", &["Al-Haddad"], [0, 0, 1], (0.0, 0.0)),
        part("Pentagon", &["Pentagon"], [0, 1, 0], (0.0, 0.0)),
        part("Reuters", &["Reuters"], [3, 0, 0], (0.0, 0.0)),
    ]]);
    let mut g = a.clone();
    g.merge(b.clone());
    let lexicon = Lexicon::embedded();
    let outlets = BTreeMap::from([(OutletId("a".into()), &a), (OutletId("b".into()), &b)]);
    let groups = BTreeMap::from([(OutletId("g".into()), &g)]);
    let t = finish_actors(&lexicon, &outlets, &groups);
    // Pentagon: 2 mentions; Reuters: 3 mentions in one article.
    assert_eq!((t.kept, t.left_out, t.mentions), (1, 2, 10));
    // (scope, key, actor, aliases, mentions by voice)
    type Row<'a> = (Scope, &'a str, &'a str, Vec<&'a str>, [u64; 3]);
    let got: Vec<Row> = t
        .rows
        .iter()
        .map(|r| {
            (
                r.scope,
                r.key.as_str(),
                r.actor.as_str(),
                r.aliases.iter().map(String::as_str).collect(),
                r.mentions,
            )
        })
        .collect();
    // The actor is named by its most used name: `Haddad` (3 mentions) and
    // `Al-Haddad` (1) share a key, which outweighs the full name (1).
    assert_eq!(
        got,
        [
            (
                Scope::Outlet,
                "a",
                "Haddad",
                vec!["Haddad", sudani],
                [3, 1, 0]
            ),
            (Scope::Outlet, "b", "Haddad", vec!["Al-Haddad"], [0, 0, 1]),
            (
                Scope::Group,
                "g",
                "Haddad",
                vec!["Al-Haddad", "Haddad", sudani],
                [3, 1, 1]
            ),
        ]
    );
    // (0.5 − 0.2) / 3 mentions, resampled over the two articles.
    let a_row = &t.rows[0].sentiment_own;
    assert!((a_row.value.unwrap() - 0.1).abs() < 1e-12);
    assert_eq!(a_row.n, 3);
    let clusters = [(0.5, 1.0), (-0.2, 2.0)];
    assert_eq!(
        a_row.ci,
        bootstrap_ratio(
            &clusters,
            &format!("outlet\u{1f}a\u{1f}actor\u{1f}{sudani}")
        )
    );
    assert!(a_row.ci.is_some());
    assert_eq!(t.rows[1].sentiment_own, Estimate::default());
    assert_eq!(
        t.rows[2].sentiment_own.ci,
        bootstrap_ratio(&clusters, &format!("group\u{1f}g\u{1f}actor\u{1f}{sudani}"))
    );
}

#[test]
fn names_of_one_article_merged_later_are_one_cluster() {
    // An article that writes "Haddad" and, apart, "Karim al-Haddad": the
    // corpus merges both into the full name, and the article stays one
    // cluster of the bootstrap.
    let s = sums(vec![
        vec![
            part(
                "Karim al-Haddad",
                &["Karim al-Haddad"],
                [1, 0, 0],
                (0.4, 1.0),
            ),
            part("Haddad", &["Haddad"], [1, 0, 0], (0.1, 1.0)),
            part("Trump", &["Trump"], [1, 0, 0], (0.0, 0.0)),
        ],
        vec![part(
            "Rana Karim al-Haddad",
            &["Rana Karim al-Haddad"],
            [1, 0, 0],
            (0.2, 1.0),
        )],
        vec![part("Haddad", &["Haddad"], [1, 0, 0], (-0.3, 1.0))],
    ]);
    let actor_of = merge_actors(&Lexicon::embedded(), [&s]);
    let merged = merged_of(&s, &actor_of);
    // "Haddad" is the most used name (two mentions), so it names the actor.
    let m = &merged["Haddad"];
    assert_eq!(m.articles.len(), 3);
    assert_eq!(
        m.sentiment_own.values().copied().collect::<Vec<_>>(),
        [(0.5, 2.0), (0.2, 1.0), (-0.3, 1.0)]
    );
}

#[test]
fn lexicon_concepts_that_name_actors_take_their_names() {
    let s = sums(vec![vec![
        part(
            "Qassem Soleimani",
            &["Qassem Soleimani"],
            [1, 0, 0],
            (0.0, 0.0),
        ),
        part(
            "Abu Mahdi al-Muhandis",
            &["Abu Mahdi al-Muhandis"],
            [1, 0, 0],
            (0.0, 0.0),
        ),
        part("Islamic State", &["Islamic State"], [1, 0, 0], (0.0, 0.0)),
        part("ISIS", &["ISIS"], [1, 0, 0], (0.0, 0.0)),
        part("Pentagon", &["Pentagon"], [1, 0, 0], (0.0, 0.0)),
    ]]);
    let actor_of = merge_actors(&Lexicon::embedded(), [&s]);
    assert_eq!(actor_of["Qassem Soleimani"], "slain_commanders");
    assert_eq!(actor_of["Abu Mahdi al-Muhandis"], "slain_commanders");
    assert_eq!(actor_of["Islamic State"], "isis");
    assert_eq!(actor_of["ISIS"], "isis");
    assert_eq!(actor_of["Pentagon"], "Pentagon");
}

#[test]
fn parts_of_an_analysed_article() {
    use crate::corpus::{sha256_hex, Article, ArticleId};
    let text = "Iraqi Prime Minister Mohammed Shia al-Sudani met the envoy.\n\
                Later, al-Sudani said \"Sudani is tired\" to the press.\n";
    let article = Article {
        id: ArticleId("1".into()),
        outlet: OutletId("o".into()),
        outlet_name: None,
        title: None,
        published: None,
        url: None,
        metadata: Vec::new(),
        source: "o/1.txt".into(),
        text: text.into(),
        content_hash: sha256_hex(text.as_bytes()),
    };
    let matcher = Lexicon::embedded().compile().unwrap();
    let a =
        crate::analyze::analyze_article(&article, &crate::text::RepeatedLines::empty(), &matcher);
    let terms: Vec<(&str, &str, &str)> = a
        .actors
        .iter()
        .map(|m| (m.surface.as_str(), m.term.as_str(), m.label.as_str()))
        .collect();
    let full = "Mohammed Shia al-Sudani";
    assert_eq!(
        terms,
        [
            (full, full, "Iraqi Prime Minister"),
            ("al-Sudani", full, ""),
            ("Sudani", full, "")
        ]
    );
    let parts = ActorParts::of(&a);
    assert_eq!(parts.0.len(), 1);
    assert_eq!(parts.0[0].by_voice, [2, 1, 0]);
    assert_eq!(parts.0[0].surfaces, [full, "Sudani", "al-Sudani"]);
    // Actors are counted nowhere else.
    assert!(a
        .mentions
        .iter()
        .all(|m| m.concept != crate::analyze::ACTOR));
}

#[test]
fn an_actor_is_named_by_its_most_used_name_not_its_longest() {
    // One article runs a word into the name ("GOP Speaker of the House John
    // Boehner"); the others name him in full or by his surname.
    let s = sums(vec![
        vec![part(
            "House John Boehner",
            &["House John Boehner"],
            [1, 0, 0],
            (0.0, 0.0),
        )],
        vec![part(
            "John Boehner",
            &["Boehner", "John Boehner"],
            [4, 1, 0],
            (0.0, 0.0),
        )],
        vec![part("Boehner", &["Boehner"], [2, 0, 0], (0.0, 0.0))],
        // A tie goes to the longer name.
        vec![part(
            "Karim Haddad",
            &["Karim Haddad"],
            [2, 0, 0],
            (0.0, 0.0),
        )],
        vec![part("Haddad", &["Haddad"], [2, 0, 0], (0.0, 0.0))],
    ]);
    let actor_of = merge_actors(&Lexicon::embedded(), [&s]);
    assert_eq!(actor_of["House John Boehner"], "John Boehner");
    assert_eq!(actor_of["Boehner"], "John Boehner");
    assert_eq!(actor_of["Haddad"], "Karim Haddad");
}
