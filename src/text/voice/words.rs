//! Word lists the voice heuristics match against: speech verbs by how they
//! report (with or without `that`, finite or participle), and the small
//! closed classes that bound speaker phrases and reported clauses. Kept in
//! one place so tuning a list never means reading the parsing code.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VerbKind {
    /// Finite, reports speech with or without `that`.
    Say,
    /// Finite, reports speech only with `that` (or a quote).
    SayThat,
    /// Participle, with or without `that`.
    Saying,
    /// Participle, only with `that`.
    SayingThat,
    /// `describe … as`.
    Describe,
}

impl VerbKind {
    pub(super) fn finite(self) -> bool {
        matches!(self, VerbKind::Say | VerbKind::SayThat)
    }
    pub(super) fn participle(self) -> bool {
        matches!(self, VerbKind::Saying | VerbKind::SayingThat)
    }
}

/// Finite verbs that report speech with a bare clause (`X said the plan
/// failed`), or with `that`. Title-case forms are for headlines (`PM Says
/// Troops Must Go`); `Said` is left out because it is also a name.
#[rustfmt::skip]
const SAY_BARE: &[&str] = &[
    "said", "says", "say", "told", "tells", "tell", "added", "adds", "insisted", "insists",
    "insist", "argued", "argues", "argue", "warned", "warns",
    "Says", "Tells", "Warns", "Insists", "Adds", "Argues",
];

/// Whether `word` is one of the verbs that report speech (`said`,
/// `claimed`, …), in any case.
pub(crate) fn is_speech_verb(word: &str) -> bool {
    let lower = word.to_lowercase();
    SAY_BARE.contains(&lower.as_str()) || SAY_THAT.contains(&lower.as_str())
}

/// Finite verbs that report speech only with `that` (`noted that`), with a
/// quote, or as a closing frame (`…, analysts noted.`): without one of
/// those they are as often something else (`claimed responsibility`,
/// `declared victory`, `wrote a letter`).
#[rustfmt::skip]
const SAY_THAT: &[&str] = &[
    "stressed", "stresses", "claimed", "claim", "claims", "stated", "states", "declared",
    "declares", "asserted", "asserts", "explained", "explains", "wrote", "writes", "asked",
    "asks", "replied", "replies", "responded", "reiterated", "reiterates", "emphasized",
    "emphasised", "emphasizes", "emphasises", "alleged", "alleges", "contended", "contends",
    "countered", "cautioned", "conceded", "vowed", "vows", "predicted", "admitted", "admits",
    "acknowledged", "acknowledges", "tweeted", "affirmed", "affirms", "underlined",
    "underscored", "noted", "notes", "announced", "announces", "confirmed", "confirms",
    "revealed", "reveals", "indicated", "indicates", "suggested", "suggests", "highlighted",
    "observed", "recalled", "denied", "denies", "estimated", "believes", "believed", "reported",
    "reports", "agreed", "hoped", "hopes", "feared", "fears", "threatened", "pledged",
    "promised", "concluded", "maintained", "maintains", "expressed", "pointed", "mentioned",
    "Stresses", "Declares", "Claims",
];

/// Participles that report speech with a bare clause (`…, saying the plan
/// failed`).
#[rustfmt::skip]
const SAYING_BARE: &[&str] = &[
    "saying", "adding", "insisting", "warning", "arguing", "telling",
];

/// Participles that report speech only with `that`.
#[rustfmt::skip]
const SAYING_THAT: &[&str] = &[
    "claiming", "declaring", "asserting", "writing", "stressing", "noting", "stating",
    "explaining", "alleging", "emphasizing", "emphasising", "reiterating", "affirming",
    "underlining", "underscoring", "contending", "cautioning", "announcing", "confirming",
    "acknowledging", "admitting", "suggesting", "indicating", "revealing", "denying", "vowing",
    "implying", "pointing", "expressing",
];

/// `X described Y as Z`.
#[rustfmt::skip]
const DESCRIBE: &[&str] = &[
    "described", "describes", "describe", "describing", "labelled", "labeled", "labels",
    "labelling", "labeling", "branded", "brands", "branding", "characterized", "characterised",
    "characterizes", "characterises", "characterizing", "characterising", "portrayed",
    "portrays", "portraying", "depicted", "depicts", "depicting", "regards", "regarded",
];

pub(super) fn verbs() -> &'static HashMap<&'static str, VerbKind> {
    static VERBS: OnceLock<HashMap<&'static str, VerbKind>> = OnceLock::new();
    VERBS.get_or_init(|| {
        let mut m = HashMap::new();
        let lists = [
            (SAY_BARE, VerbKind::Say),
            (SAY_THAT, VerbKind::SayThat),
            (SAYING_BARE, VerbKind::Saying),
            (SAYING_THAT, VerbKind::SayingThat),
            (DESCRIBE, VerbKind::Describe),
        ];
        for (list, kind) in lists {
            for v in list {
                m.insert(*v, kind);
            }
        }
        m
    })
}

/// Speech verbs that are also plural nouns.
pub(super) const NOUN_OR_VERB: &[&str] = &[
    "reports", "claims", "notes", "states", "fears", "hopes", "says",
];

/// Words before a noun (not a verb) in `various reports that`.
#[rustfmt::skip]
pub(super) const NOUN_BEFORE: &[&str] = &[
    "the", "a", "an", "various", "some", "many", "several", "these", "those", "such",
    "numerous", "multiple", "other", "conflicting", "unconfirmed", "recent", "earlier",
    "previous", "his", "her", "its", "their", "our", "my", "your", "media", "news", "press",
    "local", "further", "initial", "first", "new", "no", "any", "all", "both", "false",
    "widespread", "persistent", "growing",
];

/// Words that open an adverbial part before a subject (`In addition, …`).
pub(super) const LEAD_INS: &[&str] = &[
    "in",
    "on",
    "at",
    "for",
    "meanwhile",
    "however",
    "earlier",
    "later",
    "last",
    "this",
    "also",
    "since",
    "after",
    "before",
    "yet",
    "still",
    "separately",
    "moreover",
    "furthermore",
    "additionally",
    "just",
    "then",
    "now",
    "today",
    "yesterday",
    "during",
    "while",
    "when",
    "as",
    "according",
    "speaking",
    "addressing",
    "following",
    "despite",
    "although",
    "though",
    "with",
    "without",
    "instead",
    "indeed",
    "similarly",
    "likewise",
    "nevertheless",
    "previously",
    "once",
    "recently",
    "if",
    "because",
    "by",
    "from",
    "to",
    "over",
    "under",
    "amid",
    "after",
    "asked",
    "responding",
    "commenting",
    "writing",
    "in addition",
];

pub(super) const CONJUNCTIONS: &[&str] = &[
    "and", "but", "or", "so", "while", "then", "because", "though", "although", "yet", "plus",
    "nor",
];

pub(super) const RELATIVES: &[&str] = &["who", "which", "whose", "where", "when", "whom", "what"];

pub(super) const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "my",
    "your", "he", "she", "it", "they", "we", "i", "you", "some", "many", "several", "both", "all",
    "each", "most", "other", "another",
];

/// Words at which a speaker phrase stops (`Sudani has stated`, `Ali on
/// Monday said`).
pub(super) const CUT_WORDS: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "will",
    "would",
    "could",
    "should",
    "may",
    "might",
    "must",
    "can",
    "also",
    "later",
    "earlier",
    "then",
    "again",
    "once",
    "openly",
    "publicly",
    "repeatedly",
    "previously",
    "reportedly",
    "recently",
    "on",
    "in",
    "at",
    "during",
    "last",
    "this",
    "today",
    "yesterday",
    "who",
    "which",
    "that",
    "separately",
    "further",
    "subsequently",
    "immediately",
    "not",
    "never",
    "did",
    "does",
    "do",
    "already",
    "himself",
    "herself",
    "itself",
    "themselves",
    "however",
    "therefore",
    "still",
    "just",
    "even",
    "only",
    "first",
    "finally",
    "too",
    "afterwards",
    "tonight",
    "now",
    "probably",
];

/// Words that follow a transitive verb (used to spot `issued a`, `denied
/// it` inside a would-be speaker phrase).
pub(super) const OBJECT_STARTS: &[&str] = &[
    "the", "a", "an", "it", "this", "that", "its", "his", "her", "their", "them", "him", "to",
    "on", "in", "at", "by", "for", "with", "any", "all", "no", "some", "our", "us",
];

/// Words after a speech verb that cannot open a reported clause.
pub(super) const PREPOSITIONS: &[&str] = &[
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "of",
    "from",
    "about",
    "into",
    "during",
    "after",
    "before",
    "when",
    "while",
    "as",
    "over",
    "through",
    "against",
    "up",
    "out",
    "off",
    "and",
    "or",
    "but",
    "than",
    "so",
    "if",
    "because",
    "nothing",
    "something",
    "anything",
    "goodbye",
    "yes",
    "no",
    "so",
];

/// Objects of `tell` that are skipped before the reported clause.
pub(super) const TELL_OBJECTS: &[&str] = &[
    "reporters",
    "journalists",
    "lawmakers",
    "parliament",
    "him",
    "her",
    "them",
    "us",
    "me",
    "you",
    "officials",
    "delegates",
    "supporters",
    "crowds",
    "troops",
    "media",
    "press",
    "television",
    "tv",
    "radio",
    "agency",
    "newspaper",
    "broadcaster",
    "channel",
    "audience",
];

pub(super) const WEEKDAYS_MONTHS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Jan.",
    "Feb.",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
];

pub(super) const ADVERBS: &[&str] = &[
    "earlier",
    "later",
    "today",
    "yesterday",
    "again",
    "also",
    "repeatedly",
    "recently",
    "previously",
    "publicly",
    "openly",
    "then",
    "too",
    "once",
    "however",
    "separately",
    "privately",
    "bluntly",
    "flatly",
    "firmly",
    "reportedly",
    "tonight",
    "now",
];

pub(super) const VENUES: &[&str] = &[
    "statement",
    "interview",
    "conference",
    "speech",
    "address",
    "post",
    "tweet",
    "briefing",
    "letter",
    "message",
    "remarks",
    "session",
    "meeting",
    "call",
];

/// Words after which a new clause, with its own subject, starts (`… after
/// the then president Bush claimed that`).
pub(super) const SUBORDINATORS: &[&str] = &[
    "after", "before", "when", "while", "because", "since", "until", "although", "though",
    "whereas", "if", "once", "as", "where", "what",
];

/// Name particles that may sit inside a capitalised name (`Abu Mahdi
/// al-Muhandis`, `Muhammad al Sudani`).
pub(super) const NAME_PARTICLES: &[&str] = &[
    "al", "el", "bin", "ibn", "bint", "de", "da", "di", "du", "la", "le", "van", "von", "der",
];

pub(super) fn lower_in(w: &str, list: &[&str]) -> bool {
    list.iter().any(|x| x.eq_ignore_ascii_case(w))
}

/// Heads of a speaker phrase without a name (`a senior official`, `court
/// records`): people, bodies and documents that speak.
#[rustfmt::skip]
pub(super) const ROLE_NOUNS: &[&str] = &[
    "official", "officials", "spokesman", "spokeswoman", "spokesperson", "spokespeople",
    "aide", "aides", "source", "sources", "lawmaker", "lawmakers", "senator", "senators",
    "legislator", "legislators", "leader", "leaders", "prosecutor", "prosecutors",
    "authorities", "police", "investigator", "investigators", "expert", "experts", "analyst",
    "analysts", "critic", "critics", "advocate", "advocates", "observer", "observers",
    "resident", "residents", "witness", "witnesses", "commander", "commanders", "people",
    "person", "president", "minister", "secretary", "governor", "mayor", "judge", "judges",
    "justice", "justices", "lawyer", "lawyers", "attorney", "attorneys", "administration",
    "government", "department", "agency", "office", "ministry", "committee", "campaign",
    "court", "organization", "organisation", "group", "groups", "company", "firm", "member",
    "members", "representative", "representatives", "voters", "activists", "supporters",
    "opponent", "opponents", "protesters", "officer", "officers", "agents", "staff",
    "staffers", "doctors", "scientists", "researchers", "economists", "speakers", "chairman",
    "chairwoman", "chair", "director", "chief", "adviser", "advisers", "advisor", "advisors",
    "diplomat", "diplomats", "envoy", "ambassador", "general", "soldiers", "troops",
    "military", "army", "team", "candidate", "candidates", "nominee", "manager", "counsel",
    "sheriff", "deputies", "neighbor", "neighbors", "neighbour", "neighbours", "parents",
    "union", "inspector", "watchdog", "outlets", "media", "broadcaster", "newspaper",
    "report", "reports", "statement", "letter", "complaint", "memo", "filing", "records",
    "documents", "study", "survey", "poll", "polls", "analysis", "estimate", "ruling",
    "order", "lawsuit", "senate", "house", "congress", "council", "board", "commission",
    "panel", "party", "parties", "allies", "partners", "colleagues", "friends", "family",
    "users", "readers", "viewers", "participants", "respondents", "negotiators", "rebels",
    "militants", "fighters", "insurgents", "clerics", "cleric", "scholars", "historians",
    "executives", "executive", "owners", "owner", "workers", "employees", "pilot", "victims",
    "survivors", "students", "teachers", "republicans", "democrats", "conservatives",
    "liberals", "progressives", "moderates", "others", "some", "many", "both", "all",
    "agent", "student", "participant", "correspondent", "assistant", "consultant",
    "lieutenant", "sergeant", "television", "radio", "news", "agency", "press", "network",
    "channel", "website", "outlet", "data", "figures", "government", "faction", "factions",
    "resistance", "militia", "militias", "coalition", "alliance",
];

/// Common irregular past tenses, at which a speaker phrase has turned into
/// a clause (`Mr. Dale went on`).
#[rustfmt::skip]
pub(super) const PAST_VERBS: &[&str] = &[
    "went", "came", "took", "made", "gave", "got", "saw", "knew", "thought", "spoke", "began",
    "left", "met", "sent", "put", "kept", "held", "brought", "became", "ran", "felt", "found",
    "led", "won", "lost", "paid", "built", "sought", "struck", "fought", "stood", "wrote",
];
