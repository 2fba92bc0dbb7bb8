# %% [markdown]
# # How the outlets frame the story
#
# This notebook reads the reports of one `slant analyze` run and draws their
# main figures: how loaded each outlet's own narration is, which labels it
# chooses for each referent, how it feels about them, the phrases that set
# it apart, and where two outlets' labeling differs by more than chance.
# `slant export notebook` wrote it; run it from the top (*Run All*).
#
# Every figure is drawn from a CSV file of the report folder, and each
# section names the file and its columns, so any number here can be checked
# in a spreadsheet and traced to the sentences behind it (`mentions/`, last
# section). The columns are explained in slant's README, section "Reports".
#
# **Where the reports are.** The first code cell sets `REPORTS`. {{WHERE}}

# %%
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import display

REPORTS = Path({{REPORTS}})

if not (REPORTS / "outlets.csv").is_file():
    raise FileNotFoundError(
        f"{(REPORTS / 'outlets.csv').absolute()}: not found; "
        "set REPORTS to the folder `slant analyze --out` wrote"
    )

# Small figures keep the saved notebook light.
plt.rcParams.update({"figure.dpi": 72, "savefig.dpi": 72, "font.size": 9})
pd.set_option("display.max_rows", 40)
pd.set_option("display.max_colwidth", 90)


def read_csv(path):
    """One CSV report. An empty cell means "not defined" and reads as
    missing (NaN), never as zero; text such as "NA" stays text."""
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def report(name):
    """The report `name` of REPORTS, or None (saying so) when the run did
    not write it: an older slant, or a report that is written only when
    the corpus has what it needs."""
    path = REPORTS / name
    if not path.is_file():
        print(f"{name}: not in {REPORTS}; its section is skipped")
        return None
    return read_csv(path)


outlets = report("outlets.csv")
concepts = report("concepts.csv")
articles = report("articles.csv")
groups = report("groups.csv")
keyness = report("keyness.csv")
labels = report("labels.csv")
divergence = report("divergence.csv")
# The evidence comes in parts (each a whole CSV file); read them together.
parts = sorted((REPORTS / "mentions").glob("*.csv"))
mentions = pd.concat(map(read_csv, parts), ignore_index=True) if parts else None
run = json.loads((REPORTS / "run.json").read_text()) if (REPORTS / "run.json").is_file() else {}

print(f"{len(outlets)} outlets, {len(articles)} articles, "
      f"{0 if mentions is None else len(mentions)} mentions in {len(parts)} part(s)")
if run:
    print(f"slant {run['slant_version']}; inputs: {', '.join(run['inputs'])}")
    model = run.get("model")
    print("sentiment model: " + (f"{model['name']} {model['version']}" if model else "none (--no-model)"))
    print(f"skipped inputs: {len(run.get('skipped', []))}; warnings: {len(run.get('warnings', []))}")

# %% [markdown]
# ## 1. How loaded is each outlet's own narration?
#
# `outlets.csv`, `loaded_per_1k_own`: the loadedness of the outlet's
# own-voice mentions per 1,000 words of its own voice (quotes and reported
# speech left out: those words are the speakers'). The line is the 95%
# bootstrap interval over articles (`_ci_low`, `_ci_high`). An outlet with
# one article has no interval (nothing to resample): read its dot as an
# anecdote. Two outlets whose intervals overlap are not shown to differ.

# %%
def interval_chart(table, key, value, low, high, title, xlabel):
    """One row per key: the value as a dot, its interval as a line."""
    t = table.sort_values(value, na_position="first").reset_index(drop=True)
    y = np.arange(len(t))
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(t) + 1.2))
    has = t[low].notna() & t[high].notna()
    ax.hlines(y[has], t.loc[has, low], t.loc[has, high], color="tab:blue", lw=2, label="95% interval")
    ax.plot(t[value], y, "o", color="black", label=value)
    names = [f"{k}  ({n} art.)" for k, n in zip(t[key], t["articles"])]
    ax.set_yticks(y, names)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.set_xlim(left=min(0, t[low].min(skipna=True) if has.any() else 0))
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    plt.show()


interval_chart(outlets, "outlet", "loaded_per_1k_own", "loaded_per_1k_own_ci_low",
               "loaded_per_1k_own_ci_high", "Own-voice loadedness per outlet (outlets.csv)",
               "loadedness per 1,000 own-voice words")
display(outlets[["outlet", "outlet_name", "articles", "words_own", "mentions_own",
                 "loaded_per_1k_own", "loaded_per_1k_own_ci_low", "loaded_per_1k_own_ci_high",
                 "loaded_per_1k_quoted", "distancing_own", "top_terms_own"]]
        .sort_values("loaded_per_1k_own", ascending=False))

# %% [markdown]
# ### Its three parts: story, general, detector
#
# The rate adds up from three layers (`loaded_per_1k_own_story`,
# `_general`, `_detector`, each with its own interval in the file): the
# story lexicon's competing labels, the general layer of loaded language
# (emotive words, distancing words, generic labels, scare quotes), and the
# loaded-word detector's hits that no lexicon term covers (0 without the
# model). On a corpus of the lexicon's own story the story part is the one
# to compare; elsewhere it is near zero.

# %%
def parts_chart(table, key, title):
    layers = ["loaded_per_1k_own_story", "loaded_per_1k_own_general", "loaded_per_1k_own_detector"]
    t = table.sort_values("loaded_per_1k_own").reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(7, 0.3 * len(t) + 1.2))
    left = np.zeros(len(t))
    for layer, color in zip(layers, ["tab:red", "tab:orange", "tab:purple"]):
        values = t[layer].fillna(0).to_numpy()
        ax.barh(t[key], values, left=left, color=color, label=layer.removeprefix("loaded_per_1k_own_"))
        left += values
    ax.set_xlabel("loadedness per 1,000 own-voice words")
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    plt.show()


parts_chart(outlets, "outlet", "Own-voice loadedness by layer (outlets.csv)")

# %% [markdown]
# ### Groups
#
# `groups.csv` has the same columns for each group of outlets or articles
# (the manifest's `group` column, or the one `--group-by` names), with
# `outlets` listing its outlets. It is empty when no article has a group.

# %%
if groups is None or groups.empty:
    print("groups.csv: no group (no article has a value in the group column)")
else:
    interval_chart(groups, "group", "loaded_per_1k_own", "loaded_per_1k_own_ci_low",
                   "loaded_per_1k_own_ci_high", "Own-voice loadedness per group (groups.csv)",
                   "loadedness per 1,000 own-voice words")
    parts_chart(groups, "group", "Own-voice loadedness by layer, per group (groups.csv)")
    display(groups[["group", "outlets", "articles", "words_own", "loaded_per_1k_own",
                    "loaded_per_1k_own_ci_low", "loaded_per_1k_own_ci_high"]])

# %% [markdown]
# ## 2. Which label does each outlet choose?
#
# `concepts.csv`, `share_own`: of an outlet's own-voice mentions of a
# referent (the US presence, the armed groups, …), the share that uses each
# label. One heatmap per referent concept of the lexicon (the concepts
# `outlets.csv` has a `sentiment_own_<concept>` column for); rows are
# outlets, columns the labels any outlet uses. A blank row: the outlet
# never mentions the referent in its own voice, so it has no share. The
# number of mentions behind a row is beside its name; the 95% Wilson interval of
# each share is in `share_own_ci_low`, `_ci_high`. The general layer's
# concepts (emotive words, distancing, …) have rows in the file too.

# %%
referents = [c for c in concepts["concept"].unique()
             if f"sentiment_own_{c}" in outlets.columns and f"sentiment_own_{c}_n" in outlets.columns]
shares = concepts[concepts["label"] != "(all)"]
totals = concepts[concepts["label"] == "(all)"].set_index(["concept", "outlet"])["mentions_own"]
shown = 0
for concept in referents:
    c = shares[shares["concept"] == concept]
    used = c.groupby("label", sort=False)["mentions_own"].sum()
    used = used[used > 0].index
    if len(used) == 0:
        continue
    grid = c[c["label"].isin(used)].pivot(index="outlet", columns="label", values="share_own")
    grid = grid[list(used)]
    values = grid.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(0.9 * grid.shape[1] + 3, 0.3 * grid.shape[0] + 1.8))
    ax.imshow(values, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]),
                  [f"{o} (n={totals.get((concept, o), 0)})" for o in grid.index])
    for (i, j), v in np.ndenumerate(values):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.6 else "black")
    ax.set_title(f"{concept}: share of own-voice mentions by label (concepts.csv)")
    fig.tight_layout()
    plt.show()
    shown += 1
print(f"{shown} of {len(referents)} referent concepts are mentioned in some outlet's own voice")

# %% [markdown]
# ## 3. Sentiment toward each referent
#
# `concepts.csv`, the `(all)` row of each concept: `sentiment_own_mean`, the
# model's mean sentiment (P(positive) − P(negative), −1 to 1) over the
# outlet's own-voice mentions of the referent, with its 95% bootstrap
# interval over articles and `sentiment_own_n`, the mentions behind it.
# Empty without the sentiment model (`--no-model`). With a handful of
# mentions, differences of this size are not evidence.

# %%
s = concepts[(concepts["label"] == "(all)") & concepts["concept"].isin(referents)
             & concepts["sentiment_own_mean"].notna()]
if s.empty:
    print("no sentiment in concepts.csv (a run with --no-model, or no own-voice mention of a referent)")
else:
    shown = [c for c in referents if c in set(s["concept"])]
    # Every outlet on every panel, in one order, so a row reads across.
    names = sorted(outlets["outlet"])
    y = {o: i for i, o in enumerate(names)}
    cols = 3
    rows = -(-len(shown) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(10, rows * (0.25 * len(names) + 1.3)),
                             sharex=True, squeeze=False, layout="constrained")
    for ax, concept in zip(axes.flat, shown):
        c = s[s["concept"] == concept]
        at = c["outlet"].map(y)
        has = c["sentiment_own_ci_low"].notna()
        ax.hlines(at[has], c.loc[has, "sentiment_own_ci_low"], c.loc[has, "sentiment_own_ci_high"],
                  color="tab:blue", lw=2)
        ax.plot(c["sentiment_own_mean"], at, "o", color="black")
        n = dict(zip(c["outlet"], c["sentiment_own_n"]))
        ax.set_yticks(range(len(names)), [f"{o} (n={n.get(o, 0)})" for o in names])
        ax.set_ylim(-0.5, len(names) - 0.5)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_xlim(-1, 1)
        ax.set_title(concept, fontsize=9)
    for ax in axes.flat[len(shown):]:
        ax.axis("off")
    fig.suptitle("Own-voice sentiment toward each referent, 95% interval (concepts.csv)")
    plt.show()

# %% [markdown]
# ## 4. The phrases that set each outlet apart
#
# `keyness.csv`: per outlet (and per group), the phrases its own voice uses
# more than the rest of the corpus, by the log-odds ratio with the corpus
# as prior (Monroe et al. 2008); `z` is how many standard errors above the
# rest. A phrase is listed only when at least `--keyness-min-articles`
# (default 3) of the key's articles use it, so one article's subject does
# not pass for a habit: with few articles per outlet the file is empty,
# which is the honest answer. Ten phrases per key are drawn; the file has
# more.

# %%
def keyness_charts(rows, scope, top=10, cols=3):
    keys = list(dict.fromkeys(rows["key"]))
    n = len(keys)
    nrows = -(-n // cols)
    fig, axes = plt.subplots(nrows, cols, figsize=(10, nrows * 2.6), squeeze=False,
                             layout="constrained")
    for ax, key in zip(axes.flat, keys):
        k = rows[rows["key"] == key].nlargest(top, "z").iloc[::-1]
        ax.barh([f"{p} ({c})" for p, c in zip(k["phrase"], k["count"])], k["z"], color="tab:green")
        ax.set_title(f"{scope} {key}", fontsize=9)
        ax.tick_params(axis="y", labelsize=8)
    for ax in axes.flat[n:]:
        ax.axis("off")
    fig.suptitle(f"Distinctive own-voice phrases per {scope}: z, (uses) (keyness.csv)")
    plt.show()


if keyness is None or keyness.empty:
    print("keyness.csv: no phrase passes the article cut (too few articles per outlet)")
else:
    for scope in ["outlet", "group"]:
        rows = keyness[keyness["scope"] == scope]
        if rows.empty:
            print(f"keyness.csv: no {scope} rows")
        else:
            keyness_charts(rows, scope)

# %% [markdown]
# ## 5. Competing labels for one referent
#
# `labels.csv`: phrases that name one referent, grouped (`group_id`,
# named after its most used phrase) by the lexicon and by the phrase
# encoder's similarity, whether the lexicon lists them or not. For each
# outlet, each phrase's `share` of its own-voice uses of the group, with a
# 95% Wilson interval (`share_ci_low`, `_ci_high`) and `group_total`, the
# uses behind it. The eight groups with the most uses are drawn; phrases
# past the six most used of a group are summed as "other".

# %%
if labels is None or labels.empty:
    print("labels.csv: no label group (no two phrases that name one referent)")
else:
    out = labels[labels["scope"] == "outlet"]
    top = out.groupby("group_id")["count"].sum().sort_values(ascending=False).index[:8]
    for gid in top:
        g = out[out["group_id"] == gid]
        phrases = g.groupby("phrase")["count"].sum().sort_values(ascending=False)
        keep = list(phrases.index[:6])
        g = g.assign(phrase=g["phrase"].where(g["phrase"].isin(keep), "other"))
        grid = g.pivot_table(index="key", columns="phrase", values="share", aggfunc="sum")
        grid = grid[[p for p in keep + ["other"] if p in grid.columns]]
        n = g.groupby("key")["group_total"].first()
        fig, ax = plt.subplots(figsize=(8, 0.3 * len(grid) + 1.4))
        left = np.zeros(len(grid))
        for phrase in grid.columns:
            v = grid[phrase].fillna(0).to_numpy()
            ax.barh([f"{k} (n={n[k]})" for k in grid.index], v, left=left, label=phrase)
            left += v
        ax.set_xlim(0, 1)
        ax.set_xlabel("share of the outlet's own-voice uses of the group")
        ax.set_title(f"{gid}, \"{g['group_name'].iloc[0]}\" (labels.csv)")
        ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
        fig.tight_layout()
        plt.show()
    display(labels[labels["group_id"] == top[0]].sort_values(["scope", "key", "count"],
                                                              ascending=[True, True, False]))

# %% [markdown]
# ## 6. Where two outlets' labeling differs by more than chance
#
# `divergence.csv`: for each pair of outlets (and of groups) and each
# referent concept both use, the Jensen–Shannon divergence of their
# own-voice label distributions (`jsd`: 0 the same shares, 1 no label in
# common), a permutation p-value over whole articles, and the
# Benjamini–Hochberg `q_value` over every row of the file. Only rows with
# q < 0.05 are listed: the findings that survive the correction for the
# number of tests.

# %%
if divergence is None or divergence.empty:
    print("divergence.csv: no test (no pair of outlets both mention a referent concept)")
else:
    significant = divergence[divergence["q_value"] < 0.05].sort_values(["q_value", "jsd"],
                                                                      ascending=[True, False])
    print(f"{len(significant)} of {len(divergence)} tests have q < 0.05; "
          f"the smallest q is {divergence['q_value'].min():.4f}")
    if not significant.empty:
        display(significant)
        t = significant.head(20).iloc[::-1]
        fig, ax = plt.subplots(figsize=(7, 0.3 * len(t) + 1.2))
        ax.barh([f"{a} / {b}: {c}" for a, b, c in zip(t["key_a"], t["key_b"], t["concept"])],
                t["jsd"], color="tab:red")
        ax.set_xlabel("Jensen–Shannon divergence (base 2)")
        ax.set_title("Pairs that label a referent differently, q < 0.05 (divergence.csv)")
        fig.tight_layout()
        plt.show()

# %% [markdown]
# ## 7. Over time
#
# `timeline.csv`, when the run wrote it: each outlet's own-voice rate
# (`loaded_per_1k_own`) per `period`, with its interval where the file
# has one: the rows of `scope` `outlet` without a `concept` (the rows with
# one are the outlet's label choices that period). A period with few
# articles has a wide interval or none; `undated` articles are left out
# of the chart.

# %%
timeline = report("timeline.csv")
if timeline is not None:
    if timeline.empty:
        print("timeline.csv: no rows")
    else:
        rates = timeline[(timeline["scope"] == "outlet") & timeline["concept"].isna()
                         & (timeline["period"].astype(str) != "undated")]
        periods = sorted(rates["period"].astype(str).unique())
        x = {p: i for i, p in enumerate(periods)}
        fig, ax = plt.subplots(figsize=(9, 4))
        for outlet, t in rates.groupby("key", sort=True):
            t = t.assign(x=t["period"].astype(str).map(x)).sort_values("x")
            line, = ax.plot(t["x"], t["loaded_per_1k_own"], "o-", label=outlet)
            if {"loaded_per_1k_own_ci_low", "loaded_per_1k_own_ci_high"} <= set(t.columns):
                ax.fill_between(t["x"], t["loaded_per_1k_own_ci_low"], t["loaded_per_1k_own_ci_high"],
                                color=line.get_color(), alpha=0.15)
        ax.set_xticks(range(len(periods)), periods, rotation=45, ha="right")
        ax.set_ylabel("loadedness per 1,000 own-voice words")
        ax.set_title("Own-voice loadedness per period (timeline.csv)")
        ax.legend(bbox_to_anchor=(1.01, 1), loc="upper left", fontsize=8)
        fig.tight_layout()
        plt.show()

# %% [markdown]
# ## 8. Actors
#
# `actors.csv`, when the run wrote it: the people, organisations and
# countries the articles name, per outlet (and group), with their mentions
# by voice and the own-voice sentiment toward them (mean of P(positive) −
# P(negative), 95% bootstrap interval over articles).

# %%
actors = report("actors.csv")
if actors is not None:
    display(actors.head(40))

# %% [markdown]
# ## 9. The evidence behind a number
#
# Every mention is a row of `mentions/` with its article, voice, sentence
# and character offsets into the original file. Here: the own-voice
# mentions behind the highest own-voice rate above, most loaded first
# (the rows of actors, `concept` = `actor`, are `actors.csv`'s evidence and
# left out here). Change `OUTLET` to read another outlet's, or filter on
# `concept`, `label`, `layer` or `voice`.

# %%
OUTLET = outlets.sort_values("loaded_per_1k_own", ascending=False)["outlet"].iloc[0]
if mentions is None:
    print("mentions/: no part")
else:
    own = mentions[(mentions["outlet"] == OUTLET) & (mentions["voice"] == "own")
                   & (mentions["concept"] != "actor")]
    print(f"{OUTLET}: {len(own)} own-voice mentions")
    display(own.sort_values("loaded", ascending=False)
            [["article_id", "surface", "concept", "label", "layer", "loaded", "sentence"]].head(15))
