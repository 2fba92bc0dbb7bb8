#!/usr/bin/env python3
"""Builds data/lexicon/general.toml, the general layer of loaded language,
from open word lists that registry packages ship (data/lexicon/SOURCES.md):

  VADER 3.3.2 (PyPI vaderSentiment, MIT): 7,500 words rated by ten people
      for valence, -4..4, with the spread of the ratings;
  Pattern's subjectivity lexicon (PyPI textblob 0.20.1, the file is PDDL,
      the package MIT): adjectives with polarity -1..1 and subjectivity 0..1.

A word's valence says how bad or good the thing is, not whether naming it
so is a choice: "killed", "war", "crisis" score far below zero and are the
plain words of news copy. So a word is kept only where the lists say its
use is evaluative:

  * in Pattern's lexicon with subjectivity >= 0.6 (its senses averaged,
    weighted by their confidence) and |polarity| >= 0.3; or
  * rated by VADER with |mean| >= 2.0, raters agreeing (sd <= 1.2), and
    not known to Pattern as objective (subjectivity < 0.5);

and never when it is one of NEWS_PLAIN below (read and kept out by hand,
with the reason), a common function word (data/english/stop-words.txt),
shorter than four letters, or already a term of the starter lexicon.

Weights, recorded per word in a comment: direction = the mean of the
sources' signed scores (VADER mean / 4, Pattern polarity); loadedness =
|direction| x subjectivity (Pattern's, or 0.8 for a VADER-only word whose
raters agreed), rounded to the nearest of the labels' weights (0.3, 0.5,
0.7, 0.9). Every entry keeps the sources and numbers it came from.

Usage: scripts/build-general-lexicon.py [--cache DIR] [--out FILE]
The packages are fetched with pip into DIR (default .deps/lexsrc) and
checked against the SHA-256 below; the output is deterministic.
"""
import argparse
import collections
import hashlib
import pathlib
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = {
    "vaderSentiment==3.3.2": ("vaderSentiment-3.3.2-py2.py3-none-any.whl", None),
    "textblob==0.20.1": ("textblob-0.20.1-py3-none-any.whl", None),
}

# Plain words of news copy that the lists rate as strongly good or bad:
# the event, not a choice of words. Each group says why.
NEWS_PLAIN = {
    # violence, death and crime as events
    "killed", "kill", "kills", "killing", "killings", "killer", "killers",
    "died", "dies", "dying", "dead", "death", "deaths", "deadly", "murder",
    "murdered", "murders", "murderer", "war", "wars", "attack", "attacks",
    "attacked", "attacking", "attacker", "attackers", "bomb", "bombs",
    "bombing", "bombed", "shooting", "shootings", "shot", "shoot", "violence",
    "violent", "victim", "victims", "injured", "injury", "injuries", "wounded",
    "crime", "crimes", "criminal", "criminals", "arrest", "arrested",
    "arrests", "prison", "jail", "jailed", "convicted", "guilty", "fraud",
    "abuse", "abused", "assault", "assaulted", "rape", "raped", "robbery",
    "stolen", "theft", "kidnapped", "hostage", "hostages", "terror",
    "weapon", "weapons", "gun", "guns", "army", "military", "fight",
    "fighting", "fought", "battle", "conflict", "conflicts", "combat",
    "destroyed", "destruction", "damage", "damaged", "explosion",
    # illness, disaster, economy as events
    "cancer", "disease", "illness", "sick", "pandemic", "epidemic", "virus",
    "disaster", "disasters", "accident", "accidents", "emergency", "crisis",
    "crises", "recession", "unemployment", "unemployed", "poverty", "poor",
    "debt", "bankrupt", "bankruptcy", "fire", "fires", "flood", "floods",
    "storm", "drought", "famine", "hurricane", "earthquake",
    # the business of government and law
    "court", "lawsuit", "sued", "sue", "charges", "charged", "indicted",
    "investigation", "ban", "banned", "sanctions", "protest", "protests",
    "protesters", "strike", "strikes", "striking", "struck", "vote", "won", "win", "wins", "winner",
    "lost", "lose", "loss", "losses", "defeat", "defeated", "victory",
    "threat", "threats", "threatened", "danger", "dangerous", "risk", "risks",
    "warning", "warned", "warn", "security", "safe", "safety", "protect",
    "protection", "support", "supported", "supporters", "help", "helped",
    "care", "health", "healthy", "benefit", "benefits", "free", "freedom",
    "rights", "justice", "legal", "illegal", "law", "peace", "agreement",
    "agreed", "deal", "reform", "growth", "gains", "rescue", "rescued",
    "relief", "aid", "award", "prize", "honor", "honored", "celebrate",
    "celebration", "congratulations", "thanks", "thank", "welcome",
    "welcomed", "please", "sorry", "apology", "apologized",
    # names, institutions and set phrases of public life: Senate
    # Intelligence Committee, Supreme Court, grand jury, Secret Service,
    # death penalty, approval rating, Cold War, Super PAC, president-elect,
    # Liberty University, Josh Earnest, Dick Durbin, Rose Garden
    "intelligence", "supreme", "grand", "secret", "penalty", "approval",
    "cold", "super", "elect", "liberty", "liberties", "earnest", "dick",
    "rose", "hand", "base", "light", "heart", "hearts", "kind", "mean",
    "latest", "confirmed", "rare", "original", "elementary", "clean",
    "secure", "effective", "favorable", "winning", "confidence", "gain",
    "save", "cutting", "friends", "friend", "respect", "pretty",
    "prominent", "wealthy", "powerful", "huge", "detailed", "precise",
    "relevant", "accurate", "credible", "unique", "filled", "experienced",
    "engaging", "comfortable", "safely", "successfully", "strength",
    "expensive", "impossible", "complicated", "elaborate", "favored",
    "favorite", "popularity", "rich", "innocent", "sexual", "celebrated",
    # topics and events the story is about, not a way of naming them
    "terrorism", "racism", "slavery", "harassment", "violation",
    "violations", "violate", "violated", "violates", "violating",
    "prosecution", "punish", "punished", "punishment", "tragedy", "riot",
    "riots", "infected", "suffering", "suffered", "suffer", "pain", "hurt",
    "harm", "fired", "suspended", "abandoned", "rejected", "rejects",
    "rejecting", "rejection", "blamed", "beating", "troubles", "hate",
    "arguing", "motivated", "acceptance", "honors", "loyalty", "dedicated",
    "depression", "collapse", "abuses", "wealthiest", "poorest", "wealth",
    "survived", "smuggling", "stabbing", "assaults", "assaulting",
    "decreased", "improvement", "bonus", "chicken", "famous", "champion",
    "tired", "cares", "honestly", "enjoyed",
    # set phrases and verbs of ordinary reporting: lame duck, rank and
    # file, challenging a law, failing to act, an overwhelming majority
    "lame", "rank", "challenging", "challenge", "failing", "succeed",
    "overwhelming",
    # ordinary evaluation in reporting
    "good", "great", "best", "better", "well", "bad", "worse", "worst",
    "important", "significant", "major", "serious", "strong", "weak",
    "high", "low", "positive", "negative", "true", "false", "wrong", "right",
    "fair", "unfair", "clear", "popular", "successful", "success", "failed",
    "failure", "fail", "problem", "problems", "concern", "concerns",
    "concerned", "hope", "hopes", "fear", "fears", "worried", "worry",
    "love", "like", "liked", "want", "wanted", "need", "needed", "interest",
    "interested", "ready", "able", "hard", "easy", "difficult", "possible",
    "likely", "certain", "sure", "special", "whole", "full", "nice",
}

LABELS = [  # (id, loaded, direction, description)
    ("pejorative_strong", 0.9, -0.9, "strongly pejorative or dysphemistic"),
    ("pejorative", 0.7, -0.7, "pejorative"),
    ("negative_emotive", 0.5, -0.5, "negatively emotive or dramatising"),
    ("negative_mild", 0.3, -0.3, "mildly negative evaluation"),
    ("positive_mild", 0.3, 0.3, "mildly positive evaluation"),
    ("positive_emotive", 0.5, 0.5, "positively emotive"),
    ("glorifying", 0.7, 0.7, "glorifying or flattering"),
    ("glorifying_strong", 0.9, 0.9, "strongly glorifying"),
]


def fetch(cache: pathlib.Path) -> dict:
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for spec, (name, _) in PACKAGES.items():
        path = cache / name
        if not path.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                            "--disable-pip-version-check", spec, "-d", str(cache)], check=True)
        out[spec] = (path, hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def stop_words() -> set:
    text = (ROOT / "data/english/stop-words.txt").read_text()
    return {l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")}


def starter_terms() -> set:
    """The starter lexicon's terms with their number forms: a word the
    starter lexicon already weighs (in any number) stays its."""
    terms = set()
    for f in ("generic.toml", "iraq-2024.toml"):
        for m in re.finditer(r'"([^"\n]+)"', (ROOT / "data/lexicon" / f).read_text()):
            t = m.group(1).lower()
            terms |= {t, t + "s", t + "es", t.removesuffix("s"), t.removesuffix("es")}
            if t.endswith("ies"):
                terms.add(t[:-3] + "y")
            if t.endswith("y"):
                terms.add(t[:-1] + "ies")
    return terms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default=str(ROOT / ".deps/lexsrc"))
    ap.add_argument("--out", default=str(ROOT / "data/lexicon/general.toml"))
    args = ap.parse_args()
    pkgs = fetch(pathlib.Path(args.cache))
    vader_whl, vader_sha = pkgs["vaderSentiment==3.3.2"]
    tb_whl, tb_sha = pkgs["textblob==0.20.1"]

    vader = {}
    with zipfile.ZipFile(vader_whl) as z:
        for line in z.read("vaderSentiment/vader_lexicon.txt").decode("utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and re.fullmatch(r"[a-z][a-z-]*[a-z]", parts[0]):
                vader[parts[0]] = (float(parts[1]), float(parts[2]))
    pattern = collections.defaultdict(list)
    with zipfile.ZipFile(tb_whl) as z:
        root = ET.fromstring(z.read("textblob/en/en-sentiment.xml"))
    for e in root:
        form = e.get("form", "")
        if re.fullmatch(r"[a-z][a-z-]*[a-z]", form):
            conf = float(e.get("confidence") or e.get("reliability") or 1.0)
            pattern[form].append((float(e.get("polarity")), float(e.get("subjectivity")), conf))
    pat = {}
    for form, senses in pattern.items():
        w = sum(c for _, _, c in senses)
        pat[form] = (sum(p * c for p, _, c in senses) / w, sum(s * c for _, s, c in senses) / w)

    stops, starter = stop_words(), starter_terms()
    chosen = []
    for word in sorted(set(vader) | set(pat)):
        if word in NEWS_PLAIN or word in stops or word in starter or len(word) < 4:
            continue
        v, p = vader.get(word), pat.get(word)
        keep = False
        if p and p[1] >= 0.6 and abs(p[0]) >= 0.3:
            keep = True
        if v and abs(v[0]) >= 2.0 and v[1] <= 1.2 and not (p and p[1] < 0.5):
            keep = True
        if not keep:
            continue
        signed = [x for x in (v and v[0] / 4, p and p[0]) if x]
        direction = max(-1.0, min(1.0, sum(signed) / len(signed)))
        subjectivity = p[1] if p else 0.8
        loaded = abs(direction) * subjectivity
        if loaded < 0.2 or direction == 0:
            continue
        src = []
        if v:
            src.append(f"vader {v[0]:+.1f} sd {v[1]:.2f}")
        if p:
            src.append(f"pattern pol {p[0]:+.2f} subj {p[1]:.2f}")
        chosen.append((word, direction, loaded, "; ".join(src)))

    by_label = collections.defaultdict(list)
    for word, direction, loaded, src in chosen:
        steps = [0.3, 0.5, 0.7, 0.9]
        step = min(steps, key=lambda s: abs(s - loaded))
        label = next(l for l in LABELS if l[1] == step and (l[2] > 0) == (direction > 0))
        by_label[label[0]].append((word, src))

    out = [
        "# The general layer of loaded language: emotive, pejorative and glorifying",
        "# words whatever the story. Generated by scripts/build-general-lexicon.py",
        "# (do not edit by hand: change the script and run it again) from",
        f"#   VADER 3.3.2, PyPI vaderSentiment (sha256 {vader_sha[:16]}), MIT, (c) 2016",
        "#     C.J. Hutto (LICENSE.vader beside this file); Hutto & Gilbert, ICWSM 2014;",
        f"#   Pattern's subjectivity lexicon, PyPI textblob 0.20.1 (sha256 {tb_sha[:16]}),",
        "#     the file PDDL (Tom De Smedt, Walter Daelemans), the package MIT, (c) Steven",
        "#     Loria and contributors (LICENSE.textblob beside this file).",
        "# How a word is chosen and weighed: the script's docstring. Each term's",
        "# comment gives the numbers it came from.",
        "",
        "[meta]",
        'name = "general"',
        'version = "0.1.0"',
        'description = "Emotive, pejorative and glorifying words, whatever the story, from VADER and Pattern\'s subjectivity lexicon, with the plain words of news copy kept out."',
        'layer = "general"',
        "",
        "[[concept]]",
        'id = "emotive"',
        'kind = "generic"',
        'referent = "Whatever the word is applied to"',
    ]
    for lid, loaded, direction, desc in LABELS:
        words = by_label.get(lid, [])
        if not words:
            continue
        out += ["", "[[concept.label]]", f'id = "{lid}"', f'description = "{desc}"',
                f"loaded = {loaded}", f"direction = {direction}",
                "# Listed forms only: the lists rate inflected forms apart.",
                "inflect = false", "terms = ["]
        for word, src in words:
            out.append(f'  "{word}",  # {src}')
        out.append("]")
    pathlib.Path(args.out).write_text("\n".join(out) + "\n")
    counts = {l: len(w) for l, w in sorted(by_label.items())}
    print(f"{sum(counts.values())} terms: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
