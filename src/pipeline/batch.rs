//! Pass 2, a batch at a time: each article's rows come from the store when
//! its key is known there, or it is read again, analysed, scored and
//! rendered, on all cores.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::plan::{second_read, Kept, Plan};
use super::progress::Progress;
use super::read_ahead::read_ahead;
use super::scorer::{attach_sentiment, SentimentScorer};
use super::sink::Sink;
use super::{PipelineError, BATCH_ARTICLES, BATCH_BYTES};
use crate::analyze::{analyze_article_with, ArticleAnalysis, FinderError, WordFinder};
use crate::corpus::{Article, Corpus, Entry, OutletId, Skip};
use crate::lexicon::Matcher;
use crate::score::ArticlePartial;
use crate::store::{ArticleResults, PreviousCache, StoreError};
use crate::target::TargetKey;
use crate::text::phrases::ArticlePhrases;
use crate::text::RepeatedLines;

/// One article of pass 2, from its corpus entry to the sink: its rows are
/// the previous run's, or it is fresh, and `F` is how far the fresh one
/// has come (read, analysed, rendered).
// Nearly every article of a rerun is cached: boxing its results would cost
// an allocation per article to make the rare fresh one smaller.
#[allow(clippy::large_enum_variant)]
pub(super) enum Outcome<F> {
    /// The previous run's record `record` holds its rows; its text is not
    /// read.
    Cached {
        record: usize,
        results: ArticleResults,
    },
    Fresh(F),
}

impl<F> Outcome<F> {
    /// The fresh article a step further; a cached one passes as it is.
    fn map<G>(self, f: impl FnOnce(F) -> G) -> Outcome<G> {
        match self {
            Outcome::Cached { record, results } => Outcome::Cached { record, results },
            Outcome::Fresh(x) => Outcome::Fresh(f(x)),
        }
    }

    /// [`Outcome::map`] by a step that can fail.
    fn try_map<G, E>(self, f: impl FnOnce(F) -> Result<G, E>) -> Result<Outcome<G>, E> {
        Ok(match self {
            Outcome::Cached { record, results } => Outcome::Cached { record, results },
            Outcome::Fresh(x) => Outcome::Fresh(f(x)?),
        })
    }
}

/// A fresh article read again, with its key.
pub(super) struct Read {
    article: Box<Article>,
    key: u128,
}

/// A fresh article analysed; sentiment is attached per batch.
pub(super) struct Analysed {
    key: u128,
    analysis: Box<ArticleAnalysis>,
}

/// A fresh article in a batch: analysed and waiting for the model, or
/// rendered already.
// Boxing the rendered one would cost an allocation per article.
#[allow(clippy::large_enum_variant)]
enum Step {
    Analysed(Analysed),
    Rendered(Rendered),
}

/// A fresh article rendered: what the sink writes to the store.
pub(super) struct Rendered {
    pub key: u128,
    /// The previous record of its id, when the previous run had it (with
    /// other content or context).
    pub previous: Option<usize>,
    pub rows: Vec<u8>,
    pub results: ArticleResults,
    pub phrases: ArticlePhrases,
}

/// An article of the batch, done, for the sink.
pub(super) struct Done {
    /// Its index in [`Plan::kept`].
    pub slot: usize,
    pub outcome: Outcome<Rendered>,
}

/// What a batch gives: its articles done, in order; those skipped because
/// they changed since pass 1; the time spent in the sentiment model.
pub(super) struct BatchDone {
    pub done: Vec<Done>,
    pub skips: Vec<Skip>,
    pub sentiment: Duration,
}

/// Decides, for each article of pass 2, whether its rows are cached, and
/// analyses batches of those that are not on all cores.
pub(super) struct Batcher<'a> {
    pub plan: &'a Plan<'a>,
    pub previous: &'a PreviousCache,
    pub matcher: &'a Matcher,
    /// The sentiment model's hash, empty without a model.
    pub model_hash: &'a str,
    /// Both models' hashes, for the cache key.
    pub key_models: &'a str,
    /// The loaded-word detector, when it runs.
    pub finder: Option<&'a dyn WordFinder>,
    pub empty: RepeatedLines,
    /// Articles analysed (or taken from the cache).
    pub bar: indicatif::ProgressBar,
    pub progress: &'a Progress,
    /// Targets scored by the sentiment model: a line of its own, shown
    /// from the first batch the model scores.
    pub scoring: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Batcher<'_> {
    fn repeated(&self, outlet: &OutletId) -> &RepeatedLines {
        self.plan.repeated.get(outlet).unwrap_or(&self.empty)
    }

    /// The corpus entry of a kept article: cached (its file not read, its
    /// results read back and checked), fresh (read again and checked
    /// against pass 1) or a skip.
    fn prepare(
        &self,
        kept: &Kept<'_>,
        entry: Entry<'_>,
    ) -> Result<Result<Outcome<Read>, Skip>, StoreError> {
        let key = |head| {
            crate::store::key(
                head,
                &kept.lines,
                self.repeated(&kept.outlet),
                kept.duplicates,
                self.key_models,
            )
        };
        let cached = |record| -> Result<_, StoreError> {
            Ok(Ok(Outcome::Cached {
                record,
                results: self.previous.results(record)?,
            }))
        };
        // A table row comes read; a file is read only if its rows are not
        // cached.
        let read = match entry {
            Entry::File(file) => {
                let key = key(file.head(&kept.id, &kept.content_hash));
                if let Some(record) = self.previous.lookup(key) {
                    return cached(record);
                }
                second_read(kept, file.read()).map(|article| (article, key))
            }
            Entry::Loaded(item) => match second_read(kept, item) {
                Ok(article) => {
                    let key = key(article.head());
                    if let Some(record) = self.previous.lookup(key) {
                        return cached(record);
                    }
                    Ok((article, key))
                }
                Err(skip) => Err(skip),
            },
        };
        Ok(read.map(|(article, key)| {
            Outcome::Fresh(Read {
                article: Box::new(article),
                key,
            })
        }))
    }

    fn analyse(&self, Read { article, key }: Read) -> Result<Analysed, FinderError> {
        Ok(Analysed {
            analysis: Box::new(analyze_article_with(
                &article,
                self.repeated(&article.outlet),
                self.matcher,
                self.finder,
            )?),
            key,
        })
    }

    /// Runs one batch of `(slot, entry)` pairs, emptying it.
    pub(super) fn run(
        &self,
        batch: &mut Vec<(usize, Entry<'_>)>,
        sentiment: Option<&mut (dyn SentimentScorer + '_)>,
    ) -> Result<BatchDone, PipelineError> {
        // An analysis is several times the size of its rendered rows. The
        // model scores a batch's targets together, so with it the analyses
        // wait for one another; without it each is rendered and dropped at
        // once, and a batch in flight holds rows, not analyses.
        let wait = sentiment.is_some();
        let prepared: Vec<(usize, Result<Outcome<Step>, Skip>)> = std::mem::take(batch)
            .into_par_iter()
            .map(|(slot, entry)| -> Result<_, PipelineError> {
                let outcome = match self.prepare(&self.plan.kept[slot], entry)? {
                    Ok(read) => Ok(read.try_map(|r| {
                        let analysed = self.analyse(r)?;
                        Ok::<_, FinderError>(if wait {
                            Step::Analysed(analysed)
                        } else {
                            Step::Rendered(self.rendered(slot, analysed))
                        })
                    })?),
                    Err(skip) => Err(skip),
                };
                self.bar.inc(1);
                Ok((slot, outcome))
            })
            .collect::<Result<_, PipelineError>>()?;
        let mut skips = Vec::new();
        let mut outcomes: Vec<(usize, Outcome<Step>)> = Vec::with_capacity(prepared.len());
        for (slot, p) in prepared {
            match p {
                Ok(outcome) => outcomes.push((slot, outcome)),
                Err(skip) => skips.push(skip),
            }
        }
        let clock = Instant::now();
        if let Some(scorer) = sentiment {
            let mut fresh: Vec<&mut ArticleAnalysis> = Vec::new();
            let mut keep: Vec<TargetKey> = Vec::new();
            for (_, outcome) in &mut outcomes {
                match outcome {
                    Outcome::Fresh(Step::Analysed(a)) => fresh.push(&mut a.analysis),
                    Outcome::Fresh(Step::Rendered(_)) => {}
                    Outcome::Cached { results, .. } => {
                        keep.extend(results.targets.iter().map(|k| TargetKey(*k)))
                    }
                }
            }
            let bar = self
                .scoring
                .get_or_init(|| self.progress.bar("scoring sentiment", "targets", 0));
            attach_sentiment(scorer, &mut fresh, bar)?;
            scorer.keep(&keep);
        }
        let sentiment = clock.elapsed();
        // Rendering rows and results is most of the per-article cost after
        // the analysis: do it on all cores, leaving the sink only to append.
        let done = outcomes
            .into_par_iter()
            .map(|(slot, outcome)| Done {
                slot,
                outcome: outcome.map(|step| match step {
                    Step::Analysed(a) => self.rendered(slot, a),
                    Step::Rendered(r) => r,
                }),
            })
            .collect();
        Ok(BatchDone {
            done,
            skips,
            sentiment,
        })
    }

    /// A fresh article of slot `slot` rendered, its analysis dropped.
    fn rendered(&self, slot: usize, Analysed { key, analysis }: Analysed) -> Rendered {
        let kept = &self.plan.kept[slot];
        let (rows, results, phrases) = self.render(*analysis, kept.duplicates);
        Rendered {
            key,
            previous: self.previous.record_of(&kept.id),
            rows,
            results,
            phrases,
        }
    }

    /// An analysed article's mention rows and results.
    fn render(
        &self,
        mut analysis: ArticleAnalysis,
        duplicates: usize,
    ) -> (Vec<u8>, ArticleResults, ArticlePhrases) {
        let analysis = &mut analysis;
        let rows = crate::report::render(analysis, duplicates);
        let targets = if self.model_hash.is_empty() {
            Vec::new()
        } else {
            analysis
                .mentions
                .iter()
                .chain(&analysis.actors)
                .filter_map(crate::analyze::sentiment_target)
                .map(|t| TargetKey::new(self.model_hash, &t).0)
                .collect()
        };
        let results = ArticleResults {
            article_row: rows.article_row,
            partial: ArticlePartial::of(analysis),
            targets,
            mentions: analysis.mentions.len() as u64,
            actor_mentions: analysis.actors.len() as u64,
        };
        (
            rows.mention_rows,
            results,
            std::mem::take(&mut analysis.phrases),
        )
    }
}

/// What pass 2 leaves: the sink with every article added, the articles
/// skipped because they changed since pass 1, and the time spent in the
/// sentiment model.
pub(super) struct Passed<'a> {
    pub sink: Sink<'a>,
    pub skips: Vec<Skip>,
    pub sentiment: Duration,
}

/// Runs pass 2 over the articles `plan` kept: in batches on all cores,
/// while the sink, on a thread of its own, takes each batch in order.
pub(super) fn pass_two<'a>(
    corpus: &Corpus,
    batcher: &Batcher<'_>,
    sink: Sink<'a>,
    mut sentiment: Option<&mut (dyn SentimentScorer + '_)>,
) -> Result<Passed<'a>, PipelineError> {
    let plan = batcher.plan;
    // Articles in files are taken in report order, (outlet, id), so that on
    // a first run their rows lie in the rows file as they lie in the report
    // and are copied in one piece; table rows follow, in table order (a
    // table can only be read front to back).
    let mut file_slots: Vec<usize> = (0..plan.kept.len())
        .filter(|&s| plan.kept[s].file.is_some())
        .collect();
    file_slots.sort_by(|&a, &b| {
        let (a, b) = (&plan.kept[a], &plan.kept[b]);
        (&a.outlet, &a.id).cmp(&(&b.outlet, &b.id))
    });
    let work = || {
        let files = file_slots.iter().filter_map(|&slot| {
            let file = plan.kept[slot].file?;
            Some((slot, Entry::File(file)))
        });
        let rows = corpus
            .entries()
            .enumerate()
            .filter_map(|(pos, entry)| match entry {
                Entry::File(_) => None,
                entry => Some((plan.slots.get(pos).copied().flatten()?, entry)),
            });
        files.chain(rows)
    };
    let mut spent = Duration::ZERO;
    let mut skips = Vec::new();
    let kept = &plan.kept;
    let (sink, read) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Done>>(1);
        let sink = scope.spawn(move || -> Result<Sink, StoreError> {
            let mut sink = sink;
            for batch in rx {
                for done in batch {
                    let kept = &kept[done.slot];
                    sink.add(done, kept)?;
                }
            }
            Ok(sink)
        });
        // Entries are only listed ahead (table rows come read): keys are
        // computed, and texts read, in the batch, on all cores. A batch is
        // bounded by what pass 1 measured of its texts, so no more than one
        // batch of texts is ever read.
        let read = read_ahead(
            work,
            |item| item,
            |(_, entry): &(usize, Entry<'_>)| match entry {
                Entry::Loaded(Ok(article)) => article.text.len(),
                _ => 0,
            },
            |items| -> Result<(), PipelineError> {
                let mut batch = Vec::new();
                let mut batch_bytes = 0;
                let mut items = items.peekable();
                while let Some((slot, entry)) = items.next() {
                    batch_bytes += plan.kept[slot].bytes;
                    batch.push((slot, entry));
                    let full = batch.len() >= BATCH_ARTICLES || batch_bytes >= BATCH_BYTES;
                    if full || items.peek().is_none() {
                        let out = batcher.run(&mut batch, sentiment.as_deref_mut())?;
                        spent += out.sentiment;
                        skips.extend(out.skips);
                        batch_bytes = 0;
                        if tx.send(out.done).is_err() {
                            // The sink stopped on an error, which it returns.
                            return Ok(());
                        }
                    }
                }
                Ok(())
            },
        );
        drop(tx);
        (sink.join(), read)
    });
    // The sink's error comes first: it is why reading stopped.
    let sink = match sink {
        Ok(sink) => sink?,
        Err(panic) => std::panic::resume_unwind(panic),
    };
    read?;
    batcher.bar.finish_and_clear();
    if let Some(bar) = batcher.scoring.get() {
        bar.finish_and_clear();
    }
    Ok(Passed {
        sink,
        skips,
        sentiment: spent,
    })
}
