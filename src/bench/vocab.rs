//! Word lists and sentence templates for the synthetic corpus.
//!
//! Everything here is invented for the generator. The templates are built
//! to exercise what the text stage must get right on real news copy:
//! abbreviations (`U.S.`, `Gen.`, `Jan. 9`), initials, curly and straight
//! quotes, quotes spanning sentences, reported speech, scare quotes, dashes
//! and non-ASCII names.
//!
//! Template slots, filled by [`super::gen`]:
//!
//! | slot  | filled with                                                  |
//! |-------|--------------------------------------------------------------|
//! | `{T}` | a lexicon term (the outlet's or the speaker's choice)        |
//! | `{P}` | a place                                                      |
//! | `{D}` | a time phrase (`on Tuesday`, `late on Jan. 9`)               |
//! | `{N}` | a number                                                     |
//! | `{S}` | a named speaker with role (`Defence Minister Karim Haddad`)  |
//! | `{R}` | a short speaker reference (`the minister`, `Haddad`)         |
//! | `{G}` | an unnamed source (`two officials`, `a senior diplomat`)     |
//! | `{O}` | an organisation                                              |
//! | `{A}` | a neutral adjective                                          |
//! | `{X}` | a neutral noun phrase                                        |
//! | `{V}` | a past-tense verb                                            |
//! | `{C}` | a neutral clause (no slots)                                  |

pub(crate) const PLACES: &[&str] = &[
    "Baghdad",
    "Erbil",
    "Basra",
    "Mosul",
    "Kirkuk",
    "Anbar province",
    "the Ain al-Asad base",
    "Sulaimaniyah",
    "Najaf",
    "Karbala",
    "Tikrit",
    "Fallujah",
    "Ramadi",
    "Samarra",
    "the Syrian border",
    "Deir ez-Zor",
    "al-Tanf",
    "Damascus",
    "Tehran",
    "Amman",
    "Doha",
    "Washington",
    "Brussels",
    "the Green Zone",
    "Halabja",
    "Duhok",
    "Sinjar",
    "Qaim",
];

pub(crate) const FIRST_NAMES: &[&str] = &[
    "Karim",
    "Layla",
    "Omar",
    "Hana",
    "Daniel",
    "Sarah",
    "Mustafa",
    "Zainab",
    "Thomas",
    "Rania",
    "Ali",
    "Nadia",
    "Michael",
    "Farah",
    "Hussein",
    "Emily",
    "Yusuf",
    "Amira",
    "James",
    "Dilan",
    "Rebwar",
    "Ahmad",
    "Leila",
    "Chloé",
    "Saïd",
    "Jürgen",
    "Ibrāhīm",
];

pub(crate) const LAST_NAMES: &[&str] = &[
    "Haddad",
    "al-Rawi",
    "Hart",
    "Khalil",
    "al-Jubouri",
    "Mahmoud",
    "Reed",
    "Barzani-Aziz",
    "Salim",
    "al-Obeidi",
    "Novak",
    "Kareem",
    "Fischer",
    "al-Dulaimi",
    "Whitfield",
    "Mansour",
    "Darwish",
    "O’Connell",
    "Hamid",
    "al-Tamimi",
    "Lefèvre",
    "Sørensen",
];

/// Roles that precede a name. Several end in an abbreviation with a
/// period, which a naive sentence splitter breaks on.
pub(crate) const ROLES: &[&str] = &[
    "Prime Minister",
    "Defence Minister",
    "Foreign Minister",
    "government spokesman",
    "Pentagon spokeswoman",
    "State Department spokesman",
    "Gen.",
    "Lt. Gen.",
    "Col.",
    "Maj.",
    "Dr.",
    "Sen.",
    "Rep.",
    "lawmaker",
    "commander",
    "militia leader",
    "tribal sheikh",
    "analyst",
    "Prof.",
    "ambassador",
];

/// Short references to an already named speaker.
pub(crate) const REFERENCES: &[&str] = &[
    "he",
    "she",
    "the minister",
    "the official",
    "the spokesman",
    "the commander",
];

/// Sources without a name.
pub(crate) const UNNAMED: &[&str] = &[
    "two officials",
    "a senior diplomat",
    "U.S. officials",
    "Iraqi security sources",
    "a military source",
    "witnesses",
    "local residents",
    "a government statement",
    "the Pentagon",
    "the prime minister’s office",
    "observers",
    "a spokesperson for the group",
];

pub(crate) const ORGS: &[&str] = &[
    "the parliament",
    "the Coordination Framework",
    "the Kurdistan Regional Government",
    "the United Nations mission",
    "the Defence Ministry",
    "the State Department",
    "the Security Council",
    "the Arab League",
    "NATO",
    "the Interior Ministry",
    "the electoral commission",
    "the central bank",
];

pub(crate) const ADJECTIVES: &[&str] = &[
    "new",
    "fresh",
    "long-delayed",
    "regional",
    "bilateral",
    "formal",
    "technical",
    "joint",
    "annual",
    "emergency",
    "preliminary",
    "broader",
    "security",
    "economic",
    "diplomatic",
    "late-night",
];

pub(crate) const NOUNS: &[&str] = &[
    "talks",
    "negotiations",
    "a timetable",
    "the budget",
    "the agreement",
    "a committee",
    "the withdrawal schedule",
    "a statement",
    "the investigation",
    "a convoy",
    "the airport road",
    "the border crossing",
    "a delegation",
    "the memorandum",
    "oil exports",
    "electricity supplies",
    "the checkpoint",
    "a drone",
    "the rocket launchers",
    "the hearing",
    "the visa rules",
    "the reconstruction fund",
];

pub(crate) const VERBS: &[&str] = &[
    "discussed",
    "announced",
    "postponed",
    "rejected",
    "approved",
    "reviewed",
    "criticised",
    "welcomed",
    "questioned",
    "suspended",
    "resumed",
    "extended",
    "inspected",
    "delayed",
    "confirmed",
    "denied",
];

pub(crate) const DAYS: &[&str] = &[
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "late on Thursday",
    "early on Friday",
    "on Saturday",
    "over the weekend",
    "on Jan. 9",
    "on Feb. 2",
    "in mid-March",
    "on Aug. 14",
    "last week",
    "earlier this month",
    "in December",
    "at 3 a.m. local time",
    "on Sept. 30",
];

pub(crate) const AUDIENCES: &[&str] = &[
    "reporters",
    "state television",
    "a news conference",
    "lawmakers",
    "the wire service",
    "a local radio station",
    "visiting journalists",
];

/// Neutral clauses: independent sentences with no slot, the filler that
/// makes up most of an article.
pub(crate) const CLAUSES: &[&str] = &[
    "the meeting lasted nearly three hours",
    "no date was set for the next round",
    "traffic was diverted around the city centre for most of the day",
    "the figures could not be independently verified",
    "electricity cuts have worsened as temperatures rise",
    "the committee is expected to publish its findings next month",
    "several roads remained closed until the evening",
    "the talks were held behind closed doors",
    "prices of basic goods have risen sharply since the summer",
    "the delegation returned home without a joint statement",
    "a curfew was lifted after two days",
    "schools in the district reopened on schedule",
    "the budget vote has been postponed twice this year",
    "the airport resumed flights after a short suspension",
    "dozens of families have returned to the area",
    "the ministry did not respond to a request for comment",
    "the session was broadcast live on state television",
    "officials gave no further details",
    "the exchange rate fell for a third straight week",
    "the report runs to more than 200 pages",
];

/// Sentences in the outlet's own voice.
pub(crate) const OWN: &[&str] = &[
    "{T} {V} {X} near {P} {D}, and {C}.",
    "The {A} round of {X} in {P} came as {T} faced growing pressure.",
    "For weeks, {T} has dominated the debate in {O}.",
    "{N} people were wounded in {P} {D}, a week after {T} {V} {X}.",
    "{O} {V} {X} {D} — a move widely seen as a response to {T}.",
    "In {P}, {C}; {T} remained the main topic.",
    "The vote in {O} followed months of pressure over {T}.",
    "Critics of {T} have {V} {X} in {P} for years.",
    "In {P}, {C} {D}.",
    "{C}, and {C}, {G} said {D}.",
    "At least {N} vehicles were seen near {P} {D}.",
    "{O} {V} {X} {D}.",
    "The {A} plan, first {V} {D}, would affect {T} across {P}.",
    "It was the {N}th such incident involving {T} since January.",
];

/// Reported speech: `{R}`/`{S}`/`{G}` says something without quotation
/// marks.
pub(crate) const ATTRIBUTED: &[&str] = &[
    "{S} said that {T} had {V} {X} {D}.",
    "According to {G}, {T} {V} {X} near {P}.",
    "{S} told {AUD} that {T} would not be allowed to stay in {P}.",
    "{G} said {T} {V} {X} {D}.",
    "{S} described {T} as a threat to the country’s sovereignty.",
    "{S} accused {T} of having {V} {X}.",
    "{G} claimed that {T} {V} {X} in {P}.",
];

/// Direct quotes. `{Q}` is a quoted sentence (with a term), `{Q2}` a second
/// one; `“`/`”` and `"` are both used, as in scraped copy.
pub(crate) const QUOTED: &[&str] = &[
    "“{Q},” {S} said {D}.",
    "“{Q},” said {S}.",
    "\"{Q},\" {S} told {AUD}.",
    "{S} said: “{Q}. {Q2}”",
    "{S} said: \"{Q}. {Q2}\"",
    "“{Q},” {R} added.",
    "\"{Q},\" {R} said, declining to give details.",
    "In a statement, {O} said: “{Q}.”",
    "“{Q}.” — {S}",
    "{S} wrote on social media: ‘{Q}.’",
    "«{Q}», {S} said.",
    "“{Q}?” {R} asked.",
];

/// A quote running over two paragraphs, in the news convention: the first
/// paragraph has no closing mark, the second opens again.
pub(crate) const LONG_QUOTE: &str = "{S} said: “{Q}. {Q2}\n\n“{Q}. {Q2}”";

/// Quoted sentences, said by a speaker; `{T}` is the speaker's term.
pub(crate) const QUOTES: &[&str] = &[
    "We will not accept {T} on our soil",
    "The presence of {T} is a matter for the government alone",
    "{T} must end, and it must end now",
    "Our people have paid too high a price for {T}",
    "Nobody here asked for {T}",
    "We have been clear about {T} from the start",
    "This is about {T}, nothing else",
    "The attacks on {P} were carried out by {T}",
    "Let me be clear: {T} will be held accountable",
    "What happened in {P} was {T}",
];

/// Second quoted sentences, usually without a term.
pub(crate) const QUOTES2: &[&str] = &[
    "That is our position.",
    "We will see what the coming weeks bring.",
    "The door to dialogue remains open.",
    "There is no other way forward.",
    "We call on everyone to show restraint.",
    "Our patience has limits.",
];

/// Short phrases an outlet puts in scare quotes (distancing, no speaker).
pub(crate) const SCARE: &[&str] = &[
    "advisory",
    "temporary",
    "liberation",
    "resistance",
    "peacekeeping",
    "training",
    "security arrangements",
    "accidental",
    "self-defence",
];

/// Sentences carrying a scare quote; `{SQ}` is the quoted phrase with its
/// marks.
pub(crate) const SCARE_SENTENCES: &[&str] = &[
    "The {SQ} mission has now lasted more than a decade.",
    "Officials in {P} insist the deployment is {SQ}.",
    "What {O} calls a {SQ} role has involved {N} air strikes.",
    "The {SQ} presence near {P} was extended again {D}.",
];

/// Headline patterns; `{T}` is a term, `{P}` a place.
pub(crate) const HEADLINES: &[&str] = &[
    "{P} talks stall over {T}",
    "What next for {T}?",
    "{O} {V} new measures after {P} attack",
    "Inside the debate over {T}",
    "{N} wounded near {P}",
    "Pressure grows on {T}",
    "{P}: {T} under scrutiny",
];

/// Page chrome at the top of a scraped page.
pub(crate) const CHROME_TOP: &[&str] = &[
    "Skip to main content",
    "Skip to content",
    "Menu",
    "Subscribe",
    "Home › World › Middle East",
];

/// Page chrome and appeals at the bottom.
pub(crate) const CHROME_BOTTOM: &[&str] = &[
    "Back To Top",
    "Share this article",
    "Related articles",
    "If you value our journalism, please consider supporting us with a donation. Independent reporting depends on readers like you.",
    "Sign up for our newsletter to get the day’s top stories in your inbox.",
];

/// Outlet name parts: `{first} {second}`.
pub(crate) const OUTLET_FIRST: &[&str] = &[
    "Daily", "Evening", "Northern", "Coastal", "Free", "Capital", "Eastern", "Global", "Morning",
    "National", "Valley", "River",
];
pub(crate) const OUTLET_SECOND: &[&str] = &[
    "Meridian",
    "Ledger",
    "Courier",
    "Dispatch",
    "Observer",
    "Herald",
    "Tribune",
    "Sentinel",
    "Chronicle",
    "Post",
    "Bulletin",
    "Gazette",
];

/// Words that may be obfuscated with a dot inside (`kill.ing`), in the
/// style of copy written to dodge keyword filters.
pub(crate) const OBFUSCATABLE: &[&str] =
    &["killing", "terrorists", "attack", "militants", "strikes"];
