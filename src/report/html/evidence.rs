//! The sentences behind the figures, sampled from `mentions/`.
//!
//! Every figure of the page is a count over own-voice mentions of one key
//! (an outlet's or a group's layer, label, or sentiment toward a concept).
//! For each key the page shows how many mentions there are and at most
//! [`PER_KEY`] of them: those with the smallest hash of (article id,
//! start). The choice depends only on the rows, not on their order or on
//! how they are split into parts, so each part is sampled on its own (on
//! all cores) and the samples merge: a key's merged sample is the
//! [`PER_KEY`] smallest of its parts' samples.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::cache;
use super::read::{headers, open};
use super::HtmlError;
use crate::disk::FileStamp;

/// Sentences shown per key.
pub const PER_KEY: usize = 5;

/// Whose figure: an outlet's or a group's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    Outlet,
    Group,
}

/// What a figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// Own-voice mentions of a layer (`a`) that carry loadedness.
    Layer,
    /// Own-voice mentions of a concept (`a`) under a label (`b`).
    Label,
    /// Own-voice mentions of a concept (`a`) the model scored.
    Sentiment,
}

/// A figure's key: kind, scope, the outlet or group, and up to two names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub kind: Kind,
    pub scope: Scope,
    pub key: String,
    pub a: String,
    pub b: String,
}

impl Key {
    pub fn new(kind: Kind, scope: Scope, key: &str, a: &str, b: &str) -> Key {
        Key {
            kind,
            scope,
            key: key.into(),
            a: a.into(),
            b: b.into(),
        }
    }

    fn is(&self, kind: Kind, scope: Scope, key: &str, a: &str, b: &str) -> bool {
        self.kind == kind && self.scope == scope && self.key == key && self.a == a && self.b == b
    }

    /// A stable id for the page's anchors.
    pub fn anchor(&self) -> String {
        let text = format!(
            "{:?}\u{1f}{:?}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.kind, self.scope, self.key, self.a, self.b
        );
        format!("ev-{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
    }
}

fn key_hash(kind: Kind, scope: Scope, key: &str, a: &str, b: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&[kind as u8, scope as u8]);
    for part in [key, a, b] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.digest()
}

/// One mention as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The sampling hash of (article id, start).
    pub hash: u64,
    pub article_id: String,
    pub outlet: String,
    pub start: u64,
    pub end: u64,
    pub surface: String,
    pub term: String,
    pub concept: String,
    pub label: String,
    pub layer: String,
    pub loaded: String,
    pub voice: String,
    pub speaker: String,
    pub negated: bool,
    pub distancing: bool,
    pub sentence: String,
    pub sentiment_label: String,
    /// P(positive) − P(negative), when the model scored it.
    pub sentiment: Option<f64>,
}

impl Evidence {
    fn order(&self) -> (u64, &str, u64) {
        (self.hash, &self.article_id, self.start)
    }
}

/// The sampling hash of a mention.
pub fn sample_hash(article_id: &str, start: u64) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(article_id.as_bytes());
    h.update(&start.to_le_bytes());
    h.digest()
}

/// A key's mentions: how many, and the sampled few in sampling order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub count: u64,
    pub rows: Vec<Arc<Evidence>>,
}

impl Sample {
    /// Would a row of this hash enter the sample?
    fn wants(&self, hash: u64) -> bool {
        self.rows.len() < PER_KEY || self.rows.last().is_some_and(|r| hash <= r.hash)
    }

    fn insert(&mut self, row: Arc<Evidence>) {
        let at = self.rows.partition_point(|r| r.order() < row.order());
        if self.rows.get(at).is_some_and(|r| r.order() == row.order()) {
            return;
        }
        self.rows.insert(at, row);
        self.rows.truncate(PER_KEY);
    }
}

/// Samples of every key; mergeable.
#[derive(Debug, Clone, Default)]
pub struct Samples {
    /// Keys by a hash of their parts, so a row's keys are found without
    /// building them (a bucket holds the rare keys of one hash).
    buckets: HashMap<u64, Vec<(Key, Sample)>>,
}

impl Samples {
    /// The sample of `key`, if any mention has it.
    pub fn get(&self, key: &Key) -> Option<&Sample> {
        let h = key_hash(key.kind, key.scope, &key.key, &key.a, &key.b);
        self.buckets
            .get(&h)?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, s)| s)
    }

    /// Every key with its sample, in key order.
    pub fn all(&self) -> BTreeMap<&Key, &Sample> {
        self.buckets
            .values()
            .flatten()
            .map(|(k, s)| (k, s))
            .collect()
    }

    /// Sets the sample of `key` (one built elsewhere: the cache's).
    pub(super) fn put(&mut self, key: Key, sample: Sample) {
        let h = key_hash(key.kind, key.scope, &key.key, &key.a, &key.b);
        let bucket = self.buckets.entry(h).or_default();
        match bucket.iter_mut().find(|(k, _)| *k == key) {
            Some((_, s)) => *s = sample,
            None => bucket.push((key, sample)),
        }
    }

    fn entry(&mut self, kind: Kind, scope: Scope, key: &str, a: &str, b: &str) -> &mut Sample {
        let bucket = self
            .buckets
            .entry(key_hash(kind, scope, key, a, b))
            .or_default();
        let at = match bucket
            .iter()
            .position(|(k, _)| k.is(kind, scope, key, a, b))
        {
            Some(at) => at,
            None => {
                bucket.push((Key::new(kind, scope, key, a, b), Sample::default()));
                bucket.len() - 1
            }
        };
        &mut bucket[at].1
    }

    /// Folds another set of samples (of other rows) into this one.
    pub fn merge(mut self, other: Samples) -> Samples {
        for (h, bucket) in other.buckets {
            for (key, sample) in bucket {
                let mine = self.buckets.entry(h).or_default();
                match mine.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, s)) => {
                        s.count += sample.count;
                        for row in sample.rows {
                            if s.wants(row.hash) {
                                s.insert(row);
                            }
                        }
                    }
                    None => mine.push((key, sample)),
                }
            }
        }
        self
    }
}

/// Samples the mention parts in `dir` (every `*.csv`), with each
/// article's group from `groups` (article id → group). With `cache` (a
/// folder), the parts whose file the cache knows are not read again, the
/// others are kept there as they are read, and the samples of parts that
/// are gone are removed ([`cache`]).
pub fn sample_folder(
    dir: &Path,
    groups: &HashMap<String, String>,
    cache: Option<&Path>,
) -> Result<Samples, HtmlError> {
    let mut parts: Vec<_> = std::fs::read_dir(dir)
        .map_err(|error| HtmlError::Io {
            path: dir.to_path_buf(),
            error,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    parts.sort();
    let mut previous = cache.map(cache::load).unwrap_or_default();
    // Each part with its cached sample, when the cache has its file.
    let jobs: Vec<(
        &std::path::PathBuf,
        String,
        Option<FileStamp>,
        Option<Samples>,
    )> = parts
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stamp = FileStamp::of_path(p);
            let kept = match (stamp, previous.remove(&name)) {
                (Some(now), Some(was))
                    if now.same_linked_file(&was.stamp)
                        && cache::part_groups(&was.articles, groups) == was.groups =>
                {
                    Some(was.samples)
                }
                _ => None,
            };
            (p, name, stamp, kept)
        })
        .collect();
    drop(previous);
    // A part sampled afresh is kept at once, on the core that sampled it.
    // A cache that cannot be written costs the next run time, never a
    // figure: the page does not fail for it.
    let sampled: Vec<(String, Samples)> = jobs
        .into_par_iter()
        .map(|(p, name, stamp, kept)| match kept {
            Some(samples) => Ok((name, samples)),
            None => {
                let (samples, articles) = sample_part_of(p, groups)?;
                if let (Some(dir), Some(stamp)) = (cache, stamp) {
                    let h = cache::part_groups(&articles, groups);
                    let _ = cache::save_part(dir, &name, stamp, &articles, h, &samples);
                }
                Ok((name, samples))
            }
        })
        .collect::<Result<_, HtmlError>>()?;
    if let Some(dir) = cache {
        let names: std::collections::HashSet<&str> =
            sampled.iter().map(|(name, _)| name.as_str()).collect();
        cache::prune(dir, &names);
    }
    Ok(sampled
        .into_iter()
        .map(|(_, s)| s)
        .fold(Samples::default(), Samples::merge))
}

/// Column positions in a part's header.
struct Columns {
    article_id: usize,
    outlet: usize,
    start: usize,
    end: usize,
    surface: usize,
    term: usize,
    concept: usize,
    label: usize,
    layer: usize,
    loaded: usize,
    voice: usize,
    speaker: usize,
    distancing: usize,
    negated: usize,
    sentence: usize,
    sentiment_label: usize,
    sentiment_neg: usize,
    sentiment_pos: usize,
}

/// Samples one part.
pub fn sample_part(path: &Path, groups: &HashMap<String, String>) -> Result<Samples, HtmlError> {
    sample_part_of(path, groups).map(|(samples, _)| samples)
}

/// [`sample_part`], with the part's own-voice articles (sorted): the
/// articles whose groups the sample depends on.
fn sample_part_of(
    path: &Path,
    groups: &HashMap<String, String>,
) -> Result<(Samples, Vec<String>), HtmlError> {
    let mut reader = open(path)?;
    let header = headers(&mut reader, path)?;
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| HtmlError::Column {
                path: path.to_path_buf(),
                column: name.to_string(),
            })
    };
    let c = Columns {
        article_id: col("article_id")?,
        outlet: col("outlet")?,
        start: col("start")?,
        end: col("end")?,
        surface: col("surface")?,
        term: col("term")?,
        concept: col("concept")?,
        label: col("label")?,
        layer: col("layer")?,
        loaded: col("loaded")?,
        voice: col("voice")?,
        speaker: col("speaker")?,
        distancing: col("distancing")?,
        negated: col("negated")?,
        sentence: col("sentence")?,
        sentiment_label: col("sentiment_label")?,
        sentiment_neg: col("sentiment_neg")?,
        sentiment_pos: col("sentiment_pos")?,
    };
    let mut samples = Samples::default();
    let mut articles: Vec<String> = Vec::new();
    // Bytes, not strings: most rows are only counted, and only the fields
    // a row's keys need are decoded.
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(HtmlError::csv(path, &e)),
        }
        if record.get(c.voice) != Some(b"own".as_slice()) {
            continue;
        }
        let line = record.position().map_or(0, |p| p.line());
        let text = |i: usize| -> Result<&str, HtmlError> {
            std::str::from_utf8(record.get(i).unwrap_or_default()).map_err(|e| {
                HtmlError::Malformed {
                    path: path.to_path_buf(),
                    line,
                    message: format!("{}: {e}", header.get(i).unwrap_or_default()),
                }
            })
        };
        let number = |i: usize| -> Result<f64, HtmlError> {
            let t = text(i)?;
            t.parse::<f64>().map_err(|e| HtmlError::Malformed {
                path: path.to_path_buf(),
                line,
                message: format!("{} `{t}`: {e}", header.get(i).unwrap_or_default()),
            })
        };
        let (article_id, outlet, concept, label, layer) = (
            text(c.article_id)?,
            text(c.outlet)?,
            text(c.concept)?,
            text(c.label)?,
            text(c.layer)?,
        );
        let loaded = number(c.loaded)?;
        let scored = !record.get(c.sentiment_label).unwrap_or_default().is_empty();
        if articles.last().map(String::as_str) != Some(article_id) {
            articles.push(article_id.to_string());
        }
        let group = groups.get(article_id).map(String::as_str);
        let mut keys: Vec<(Kind, Scope, &str, &str, &str)> = Vec::with_capacity(6);
        for (scope, key) in [(Scope::Outlet, Some(outlet)), (Scope::Group, group)] {
            let Some(key) = key.filter(|k| !k.is_empty()) else {
                continue;
            };
            if loaded > 0.0 {
                keys.push((Kind::Layer, scope, key, layer, ""));
            }
            if concept != crate::analyze::DETECTED {
                keys.push((Kind::Label, scope, key, concept, label));
            }
            if scored {
                keys.push((Kind::Sentiment, scope, key, concept, ""));
            }
        }
        if keys.is_empty() {
            continue;
        }
        let start = number(c.start)? as u64;
        let hash = sample_hash(article_id, start);
        let mut row: Option<Arc<Evidence>> = None;
        for &(kind, scope, key, a, b) in &keys {
            let sample = samples.entry(kind, scope, key, a, b);
            sample.count += 1;
            if !sample.wants(hash) {
                continue;
            }
            let row = match &row {
                Some(r) => r.clone(),
                None => {
                    let sentiment = if scored {
                        Some(number(c.sentiment_pos)? - number(c.sentiment_neg)?)
                    } else {
                        None
                    };
                    let made = Arc::new(Evidence {
                        hash,
                        article_id: article_id.into(),
                        outlet: outlet.into(),
                        start,
                        end: number(c.end)? as u64,
                        surface: text(c.surface)?.into(),
                        term: text(c.term)?.into(),
                        concept: concept.into(),
                        label: label.into(),
                        layer: layer.into(),
                        loaded: text(c.loaded)?.into(),
                        voice: text(c.voice)?.into(),
                        speaker: text(c.speaker)?.into(),
                        negated: text(c.negated)? == "true",
                        distancing: text(c.distancing)? == "true",
                        sentence: text(c.sentence)?.into(),
                        sentiment_label: text(c.sentiment_label)?.into(),
                        sentiment,
                    });
                    row = Some(made.clone());
                    made
                }
            };
            sample.insert(row);
        }
    }
    articles.sort_unstable();
    articles.dedup();
    Ok((samples, articles))
}

/// Where `surface` stands in `sentence` (byte ranges), to highlight it:
/// every occurrence, since the row gives offsets into the article, not
/// into the sentence. Empty when it is not there.
pub fn occurrences(sentence: &str, surface: &str) -> Vec<std::ops::Range<usize>> {
    if surface.is_empty() {
        return Vec::new();
    }
    sentence
        .match_indices(surface)
        .map(|(at, s)| at..at + s.len())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "article_id,outlet,sentence_index,start,end,surface,term,concept,label,layer,source,model_prob,loaded,direction,voice,speaker,distancing,negated,sentence,sentiment_label,sentiment_neg,sentiment_neu,sentiment_pos\n";

    fn row(article: &str, start: u64, label: &str, voice: &str) -> String {
        format!(
            "{article},o,0,{start},{},occupation,occupation,us_presence,{label},story,lexicon,,0.8000,-0.8000,{voice},,false,false,\"The occupation, again.\",negative,0.7000,0.2000,0.1000\n",
            start + 10
        )
    }

    fn write(dir: &Path, name: &str, rows: &[String]) {
        std::fs::write(dir.join(name), format!("{HEADER}{}", rows.concat())).unwrap();
    }

    #[test]
    fn the_sample_does_not_depend_on_how_rows_are_split_or_ordered() {
        let rows: Vec<String> = (0..40)
            .map(|i| row(&format!("a{}", i % 7), i * 20, "occupation", "own"))
            .collect();
        let groups = HashMap::from([("a1".to_string(), "g".to_string())]);
        let one = tempfile::tempdir().unwrap();
        write(one.path(), "part-00001.csv", &rows);
        let three = tempfile::tempdir().unwrap();
        let mut reversed = rows.clone();
        reversed.reverse();
        write(three.path(), "part-00001.csv", &reversed[..10]);
        write(three.path(), "part-00002.csv", &reversed[10..25]);
        write(three.path(), "part-00003.csv", &reversed[25..]);
        let a = sample_folder(one.path(), &groups, None).unwrap();
        let b = sample_folder(three.path(), &groups, None).unwrap();
        let key = Key::new(Kind::Label, Scope::Outlet, "o", "us_presence", "occupation");
        let (sa, sb) = (a.get(&key).unwrap(), b.get(&key).unwrap());
        assert_eq!(sa, sb);
        assert_eq!(sa.count, 40);
        assert_eq!(sa.rows.len(), PER_KEY);
        // The kept rows are the smallest hashes of all 40.
        let mut hashes: Vec<u64> = (0..40)
            .map(|i| sample_hash(&format!("a{}", i % 7), i * 20))
            .collect();
        hashes.sort_unstable();
        let kept: Vec<u64> = sa.rows.iter().map(|r| r.hash).collect();
        assert_eq!(kept, hashes[..PER_KEY]);
        // The group holds a1's rows only.
        let group = Key::new(Kind::Label, Scope::Group, "g", "us_presence", "occupation");
        let a1 = (0..40).filter(|i| i % 7 == 1).count() as u64;
        assert_eq!(a.get(&group).unwrap().count, a1);
        assert_eq!(a.all().len(), b.all().len());
        let layer = Key::new(Kind::Layer, Scope::Outlet, "o", "story", "");
        assert_eq!(a.get(&layer).unwrap().count, 40);
        let sentiment = Key::new(Kind::Sentiment, Scope::Outlet, "o", "us_presence", "");
        let s = &a.get(&sentiment).unwrap().rows[0];
        assert!((s.sentiment.unwrap() + 0.6).abs() < 1e-9);
    }

    #[test]
    fn quoted_mentions_are_no_own_voice_evidence_and_bad_numbers_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "part-00001.csv",
            &[row("a", 0, "occupation", "quoted")],
        );
        assert!(sample_folder(dir.path(), &HashMap::new(), None)
            .unwrap()
            .all()
            .is_empty());
        let bad = row("a", 0, "occupation", "own").replace("0.8000,-0.8000", "lots,-0.8000");
        write(
            dir.path(),
            "part-00001.csv",
            &[row("b", 0, "x", "own"), bad],
        );
        let err = sample_folder(dir.path(), &HashMap::new(), None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("part-00001.csv") && err.contains("line 3"),
            "{err}"
        );
    }

    /// Every key's count and sampled rows, in key order.
    fn flat(s: &Samples) -> Vec<(Key, u64, Vec<Evidence>)> {
        s.all()
            .into_iter()
            .map(|(k, v)| {
                let rows = v.rows.iter().map(|r| r.as_ref().clone()).collect();
                (k.clone(), v.count, rows)
            })
            .collect()
    }

    #[test]
    fn the_cache_gives_what_reading_gives_and_a_changed_part_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let parts = dir.path().join("mentions");
        std::fs::create_dir(&parts).unwrap();
        let rows: Vec<String> = (0..30)
            .map(|i| row(&format!("a{}", i % 5), i * 20, "occupation", "own"))
            .collect();
        write(&parts, "part-00001.csv", &rows[..15]);
        write(&parts, "part-00002.csv", &rows[15..]);
        let groups = HashMap::from([("a2".to_string(), "g".to_string())]);
        let cache_file = dir.path().join("evidence");
        let read = flat(&sample_folder(&parts, &groups, None).unwrap());
        let first = flat(&sample_folder(&parts, &groups, Some(&cache_file)).unwrap());
        assert_eq!(first, read);
        // The cache holds both parts, by their stamps, a file each.
        let kept = cache::load(&cache_file);
        assert_eq!(kept.len(), 2);
        let part_file = cache_file.join("part-00002.csv.bin");
        let was = std::fs::read(&part_file).unwrap();
        let second = flat(&sample_folder(&parts, &groups, Some(&cache_file)).unwrap());
        assert_eq!(second, read);
        // A part written again is read again.
        write(&parts, "part-00002.csv", &rows[15..20]);
        let fresh = flat(&sample_folder(&parts, &groups, None).unwrap());
        assert_ne!(fresh, read);
        assert_eq!(
            flat(&sample_folder(&parts, &groups, Some(&cache_file)).unwrap()),
            fresh
        );
        assert_ne!(std::fs::read(&part_file).unwrap(), was);
        // A damaged file is read as no file: the part is read again.
        let mut bytes = std::fs::read(&part_file).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&part_file, &bytes).unwrap();
        assert_eq!(cache::load(&cache_file).len(), 1);
        assert_eq!(
            flat(&sample_folder(&parts, &groups, Some(&cache_file)).unwrap()),
            fresh
        );
        assert_eq!(cache::load(&cache_file).len(), 2);
        // A part that is gone takes its file with it; so do leftovers.
        std::fs::write(cache_file.join(".part-00009.csv.bin.x1.partial"), b"x").unwrap();
        std::fs::remove_file(parts.join("part-00001.csv")).unwrap();
        sample_folder(&parts, &groups, Some(&cache_file)).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(&cache_file)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["part-00002.csv.bin"]);
        write(&parts, "part-00001.csv", &rows[..15]);
        sample_folder(&parts, &groups, Some(&cache_file)).unwrap();
        // A group given to an article of no part keeps every part's
        // sample; one given to an article of a part samples it again.
        let stamps = || {
            ["part-00001.csv.bin", "part-00002.csv.bin"]
                .map(|f| FileStamp::of_path(&cache_file.join(f)).unwrap())
        };
        let before = stamps();
        let elsewhere = HashMap::from([
            ("a2".to_string(), "g".to_string()),
            ("zz".to_string(), "h".to_string()),
        ]);
        assert_eq!(
            flat(&sample_folder(&parts, &elsewhere, Some(&cache_file)).unwrap()),
            flat(&sample_folder(&parts, &elsewhere, None).unwrap())
        );
        assert_eq!(stamps(), before);
        let regrouped = HashMap::from([("a3".to_string(), "g".to_string())]);
        assert_eq!(
            flat(&sample_folder(&parts, &regrouped, Some(&cache_file)).unwrap()),
            flat(&sample_folder(&parts, &regrouped, None).unwrap())
        );
        let after = stamps();
        assert!(after[0] != before[0] && after[1] != before[1]);
    }

    #[test]
    fn every_occurrence_of_the_surface_is_found() {
        assert_eq!(
            occurrences("an occupation is an occupation", "occupation").len(),
            2
        );
        assert_eq!(occurrences("The troops", "troops"), vec![4..10]);
        assert!(occurrences("The troops", "forces").is_empty());
    }
}
