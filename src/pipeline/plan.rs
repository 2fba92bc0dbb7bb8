//! Pass 1: decides what to analyse and learns each outlet's repeated
//! lines, keeping a hash per article and per short line, not the text.

use std::borrow::Cow;
use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::read_ahead::read_ahead;
use super::{BATCH_ARTICLES, BATCH_BYTES};
use crate::corpus::{Article, ArticleFile, Corpus, Entry, OutletId, Skip};
use crate::disk::FileStamp;
use crate::store::{PreviousCache, Record};
use crate::text::{LineKey, RepeatedLines, RepeatedLinesBuilder};

/// What pass 1 learned about an article it keeps.
pub(crate) struct Kept<'c> {
    /// Its file, when it has one (not a table row).
    pub(crate) file: Option<ArticleFile<'c>>,
    pub(crate) outlet: OutletId,
    pub(crate) id: String,
    pub(crate) content_hash: String,
    /// [`Article::source`].
    pub(crate) source: String,
    /// Bytes of decoded text.
    pub(crate) bytes: usize,
    /// Its line keys, for its outlet's repeated lines and its cache key
    /// (borrowed from the previous run's record when the file is known).
    pub(crate) lines: Cow<'c, [LineKey]>,
    /// Its file's fingerprint, taken before it was read.
    pub(crate) fingerprint: Option<FileStamp>,
    /// Copies dropped (same outlet, same content).
    pub(crate) duplicates: usize,
    /// [`Article::metadata`] (borrowed from the corpus for a file).
    pub(crate) metadata: Cow<'c, [(String, String)]>,
    /// [`Article::published`] and [`Article::url`], for the timeline and
    /// `articles.csv`.
    pub(crate) published: Option<String>,
    pub(crate) url: Option<String>,
}

/// The outcome of pass 1 over the corpus.
pub(crate) struct Plan<'c> {
    /// One entry per item of `Corpus::entries`, in order: the index in
    /// `kept` of an article to analyse, `None` for a skip or a copy.
    pub(crate) slots: Vec<Option<usize>>,
    pub(crate) kept: Vec<Kept<'c>>,
    pub(crate) repeated: HashMap<OutletId, RepeatedLines>,
    pub(crate) bytes: usize,
    /// Bytes of the texts pass 1 read (files the cache did not know).
    pub(crate) read_bytes: usize,
    pub(crate) skipped: Vec<Skip>,
    pub(crate) warnings: Vec<String>,
}

/// Pass 1's view of one corpus entry.
enum Seen<'c> {
    /// An article read (its line keys still to compute).
    Read {
        article: Box<Article>,
        file: Option<ArticleFile<'c>>,
        fingerprint: Option<FileStamp>,
    },
    /// A file the cache knows by its fingerprint: not read, its content
    /// hash and line keys are the record's.
    Known {
        file: ArticleFile<'c>,
        fingerprint: Option<FileStamp>,
        record: &'c Record,
    },
    Skipped(Skip),
}

/// Pass 1: reads every article the cache does not know (by fingerprint)
/// once, drops copies, refuses reused ids and learns each outlet's repeated
/// lines, keeping no text.
///
/// A copy is the same text from the same outlet. The same text from two
/// outlets is kept for both: syndicated wire copy is a choice each outlet
/// made, and part of its framing. `bar` counts the corpus entries seen.
pub(crate) fn plan_articles<'c>(
    corpus: &'c Corpus,
    previous: &'c PreviousCache,
    bar: &indicatif::ProgressBar,
) -> Plan<'c> {
    let mut plan = Plan {
        slots: Vec::new(),
        kept: Vec::new(),
        repeated: HashMap::new(),
        bytes: 0,
        read_bytes: 0,
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    // First article kept per (outlet, content) and per id, for messages.
    let mut by_content: HashMap<(OutletId, String), usize> = HashMap::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut builders: BTreeMap<OutletId, RepeatedLinesBuilder> = BTreeMap::new();
    // The outlet is cloned only for its first article.
    fn count(
        builders: &mut BTreeMap<OutletId, RepeatedLinesBuilder>,
        outlet: &OutletId,
        keys: &[LineKey],
    ) {
        match builders.get_mut(outlet) {
            Some(b) => b.add_keys(keys),
            None => {
                let mut b = RepeatedLinesBuilder::default();
                b.add_keys(keys);
                builders.insert(outlet.clone(), b);
            }
        }
    }
    // Texts whose line keys are still to be computed (in parallel, a batch
    // at a time) and counted for their outlet, with their slot.
    let mut pending: Vec<(usize, String)> = Vec::new();
    let mut pending_bytes = 0;
    let flush = |pending: &mut Vec<(usize, String)>,
                 kept: &mut Vec<Kept<'c>>,
                 builders: &mut BTreeMap<OutletId, RepeatedLinesBuilder>| {
        let keys: Vec<_> = pending
            .par_iter()
            .map(|(_, text)| RepeatedLinesBuilder::keys(text))
            .collect();
        for ((slot, _), keys) in pending.drain(..).zip(keys) {
            count(builders, &kept[slot].outlet, &keys);
            kept[slot].lines = Cow::Owned(keys);
        }
    };
    let see = |entry: Entry<'c>| -> Seen<'c> {
        match entry {
            Entry::File(file) => {
                // The fingerprint is taken before the file is read: a file
                // changed after it is not taken for the text read here.
                let fingerprint = file.fingerprint();
                if let Some(record) = previous.known_file(&file.source(), fingerprint) {
                    return Seen::Known {
                        file,
                        fingerprint,
                        record,
                    };
                }
                match file.read() {
                    Ok(article) => Seen::Read {
                        article: Box::new(article),
                        file: Some(file),
                        fingerprint,
                    },
                    Err(skip) => Seen::Skipped(skip),
                }
            }
            Entry::Loaded(Ok(article)) => Seen::Read {
                article: Box::new(article),
                file: None,
                fingerprint: None,
            },
            Entry::Loaded(Err(skip)) => Seen::Skipped(skip),
        }
    };
    read_ahead(
        || corpus.entries(),
        see,
        |seen| match seen {
            Seen::Read { article, .. } => article.text.len(),
            _ => 0,
        },
        |items| {
            for item in items {
                bar.inc(1);
                plan.slots.push(None);
                // A known file is not read: what pass 2 needs of it comes
                // from the input's metadata and the cache's record.
                let (kept, text, known) = match item {
                    Seen::Known {
                        file,
                        fingerprint,
                        record,
                    } => {
                        let id = file.id(&record.content_hash).0;
                        let head = file.head(&id, &record.content_hash);
                        let (published, url) =
                            (head.published.map(String::from), head.url.map(String::from));
                        let kept = Kept {
                            file: Some(file),
                            outlet: OutletId(file.outlet().to_string()),
                            id,
                            content_hash: record.content_hash.clone(),
                            source: record.source.clone(),
                            bytes: record.bytes as usize,
                            lines: Cow::Borrowed(record.lines.as_slice()),
                            fingerprint,
                            duplicates: 0,
                            metadata: Cow::Borrowed(file.metadata().as_slice()),
                            published,
                            url,
                        };
                        (kept, String::new(), true)
                    }
                    Seen::Read {
                        article,
                        file,
                        fingerprint,
                    } => {
                        let Article {
                            id,
                            outlet,
                            source,
                            text,
                            content_hash,
                            metadata,
                            published,
                            url,
                            ..
                        } = *article;
                        let kept = Kept {
                            file,
                            outlet,
                            id: id.0,
                            content_hash,
                            source,
                            bytes: text.len(),
                            lines: Cow::Borrowed(&[]),
                            fingerprint,
                            duplicates: 0,
                            metadata: Cow::Owned(metadata),
                            published,
                            url,
                        };
                        (kept, text, false)
                    }
                    Seen::Skipped(skip) => {
                        plan.skipped.push(skip);
                        continue;
                    }
                };
                let content_key = (kept.outlet.clone(), kept.content_hash.clone());
                if let Some(&first) = by_content.get(&content_key) {
                    let first = &mut plan.kept[first];
                    first.duplicates += 1;
                    plan.warnings.push(format!(
                        "{}: same text as {} (outlet {}); counted once, as a duplicate",
                        kept.source, first.source, kept.outlet
                    ));
                    continue;
                }
                if let Some(&first) = by_id.get(&kept.id) {
                    plan.skipped.push(Skip {
                        reason: format!(
                            "id `{}` is already used by {} for a different text",
                            kept.id, plan.kept[first].source
                        ),
                        source: kept.source,
                    });
                    continue;
                }
                let slot = plan.kept.len();
                by_content.insert(content_key, slot);
                by_id.insert(kept.id.clone(), slot);
                if let Some(last) = plan.slots.last_mut() {
                    *last = Some(slot);
                }
                plan.bytes += kept.bytes;
                if known {
                    count(&mut builders, &kept.outlet, &kept.lines);
                    plan.kept.push(kept);
                } else {
                    plan.read_bytes += kept.bytes;
                    plan.kept.push(kept);
                    pending_bytes += text.len();
                    pending.push((slot, text));
                    if pending.len() >= BATCH_ARTICLES || pending_bytes >= BATCH_BYTES {
                        flush(&mut pending, &mut plan.kept, &mut builders);
                        pending_bytes = 0;
                    }
                }
            }
        },
    );
    flush(&mut pending, &mut plan.kept, &mut builders);
    plan.repeated = builders
        .into_iter()
        .map(|(outlet, b)| (outlet, b.build()))
        .collect();
    plan
}

/// Pass 2's reading of an article pass 1 kept: the same text, or a skip
/// (it changed or vanished in between; its earlier reading is not used,
/// since its mentions could not be checked against the file).
pub(super) fn second_read(kept: &Kept<'_>, item: Result<Article, Skip>) -> Result<Article, Skip> {
    let a = item?;
    if a.content_hash == kept.content_hash {
        Ok(a)
    } else {
        Err(Skip {
            source: a.source,
            reason: "changed while slant was reading the corpus; run again".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{sha256_hex, ArticleId};

    fn article(text: &str) -> Article {
        let hash = sha256_hex(text.as_bytes());
        Article {
            id: ArticleId("a1".into()),
            outlet: OutletId("o".into()),
            outlet_name: None,
            title: None,
            published: None,
            url: None,
            metadata: Vec::new(),
            source: "o/a1.txt".into(),
            text: text.into(),
            content_hash: hash,
        }
    }

    #[test]
    fn an_article_changed_between_the_passes_is_skipped_by_name() {
        let first = article("The occupation forces left.");
        let kept = Kept {
            file: None,
            outlet: first.outlet.clone(),
            id: first.id.0.clone(),
            content_hash: first.content_hash.clone(),
            source: first.source.clone(),
            bytes: first.text.len(),
            lines: Cow::Borrowed(&[]),
            fingerprint: None,
            duplicates: 0,
            metadata: Cow::Borrowed(&[]),
            published: None,
            url: None,
        };
        assert!(second_read(&kept, Ok(first.clone())).is_ok());
        let skip = second_read(&kept, Ok(article("The coalition left."))).unwrap_err();
        assert_eq!(skip.source, "o/a1.txt");
        assert!(
            skip.reason.contains("changed while slant was reading"),
            "{skip:?}"
        );
        // Gone in between: the loader's own skip is passed on.
        let gone = Skip {
            source: "o/a1.txt".into(),
            reason: "file not found".into(),
        };
        assert_eq!(second_read(&kept, Err(gone.clone())).unwrap_err(), gone);
    }
}
