//! Each part's evidence sample, kept between runs so that a rerun reads
//! again only the parts of `mentions/` it wrote again.
//!
//! A part's sample ([`Samples`]) depends on the part's rows and on which
//! group each of its articles is in, nothing else; the sampling merges
//! part by part. So each part's sample is kept in a file of its own
//! (`NAME.bin` in the folder [`DIR`]), with the part's [`FileStamp`] (a
//! part a run carries over is a hard link of the previous one: same
//! stamp), slant's version, the sample size, the part's articles and a
//! hash of their groups ([`part_groups`]): a new article elsewhere, in a
//! group or not, leaves the part's sample as it was. A file per part, because a rerun that adds a few parts
//! writes only theirs and reads the others on all cores, where one file
//! would be read and written whole each run. Anything that does not match
//! is sampled again; a file that cannot be read, or whose checksum fails,
//! is ignored and written afresh. It is a cache: losing it costs time,
//! never a figure, so its files are renamed into place without waiting
//! for the disk.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::evidence::{Evidence, Key, Sample, Samples, PER_KEY};
use crate::disk::FileStamp;

/// The cache's folder (in the run's cache folder).
pub const DIR: &str = "evidence-v2";
/// The file earlier versions kept every part's sample in, removed when
/// the folder is written.
const OLD_FILE: &str = "evidence-v1.bin";
/// A part's file name is the part's name with this suffix.
const SUFFIX: &str = ".bin";

#[derive(Serialize, Deserialize)]
struct Header {
    slant: String,
    per_key: u32,
}

/// One part's sample: its rows once, its keys pointing into them.
#[derive(Serialize, Deserialize)]
struct Part {
    name: String,
    stamp: FileStamp,
    /// The part's own-voice articles, sorted, and a hash of their groups.
    articles: Vec<String>,
    groups: u64,
    rows: Vec<Evidence>,
    keys: Vec<(Key, u64, Vec<u32>)>,
}

#[derive(Serialize, Deserialize)]
struct File {
    header: Header,
    part: Part,
}

/// A hash of the groups of `articles` (a part's, sorted): the only way
/// its sample depends on the article → group map `groups`.
///
/// ```
/// use std::collections::HashMap;
/// use slant::report::html::cache::part_groups;
/// let part = ["a1".to_string(), "a2".to_string()];
/// let groups = HashMap::from([("a1".to_string(), "left".to_string())]);
/// let more = HashMap::from([
///     ("a1".to_string(), "left".to_string()),
///     ("b9".to_string(), "right".to_string()),
/// ]);
/// let moved = HashMap::from([("a2".to_string(), "left".to_string())]);
/// assert_eq!(part_groups(&part, &groups), part_groups(&part, &more));
/// assert_ne!(part_groups(&part, &groups), part_groups(&part, &moved));
/// ```
pub fn part_groups(articles: &[String], groups: &HashMap<String, String>) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for article in articles {
        let group = groups.get(article).map_or("", String::as_str);
        for s in [article.as_str(), group] {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
    }
    h.digest()
}

fn header() -> Header {
    Header {
        slant: env!("CARGO_PKG_VERSION").to_string(),
        per_key: PER_KEY as u32,
    }
}

/// A part's sample as the cache kept it.
pub struct Kept {
    /// The part's file when it was sampled.
    pub stamp: FileStamp,
    /// Its own-voice articles, sorted.
    pub articles: Vec<String>,
    /// [`part_groups`] of them when it was sampled.
    pub groups: u64,
    pub samples: Samples,
}

/// The samples of the previous run in folder `dir`, by part name; empty
/// when there is no usable file. The files are read on all cores.
pub fn load(dir: &Path) -> HashMap<String, Kept> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return HashMap::new();
    };
    let files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_part_file(p))
        .collect();
    let want = header();
    files
        .par_iter()
        .filter_map(|path| read_part(path, &want))
        .collect()
}

/// Whether `path` names a part's file (not a leftover of a killed run).
fn is_part_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(SUFFIX) && !n.starts_with('.'))
}

/// One part's file, if it is whole and of this header.
fn read_part(path: &Path, want: &Header) -> Option<(String, Kept)> {
    let bytes = std::fs::read(path).ok()?;
    let (sum, payload) = bytes.split_first_chunk::<8>()?;
    if u64::from_le_bytes(*sum) != xxhash_rust::xxh3::xxh3_64(payload) {
        return None;
    }
    let file = postcard::from_bytes::<File>(payload).ok()?;
    if (&file.header.slant, file.header.per_key) != (&want.slant, want.per_key) {
        return None;
    }
    let p = file.part;
    let rows: Vec<Arc<Evidence>> = p.rows.into_iter().map(Arc::new).collect();
    let mut samples = Samples::default();
    for (key, count, at) in p.keys {
        let picked: Option<Vec<Arc<Evidence>>> =
            at.iter().map(|&i| rows.get(i as usize).cloned()).collect();
        samples.put(
            key,
            Sample {
                count,
                rows: picked?,
            },
        );
    }
    let kept = Kept {
        stamp: p.stamp,
        articles: p.articles,
        groups: p.groups,
        samples,
    };
    Some((p.name, kept))
}

/// [`Part`] as written: borrowed, so that writing copies no row (serde
/// writes a reference as the value).
#[derive(Serialize)]
struct PartRef<'s> {
    name: &'s str,
    stamp: FileStamp,
    articles: &'s [String],
    groups: u64,
    rows: Vec<&'s Evidence>,
    keys: Vec<(&'s Key, u64, Vec<u32>)>,
}

#[derive(Serialize)]
struct FileRef<'s> {
    header: Header,
    part: PartRef<'s>,
}

/// Writes the sample of part `name` (its file's `stamp`, its sorted
/// own-voice `articles` and [`part_groups`] of them) into folder `dir`, in
/// place of what the folder had for it.
pub fn save_part(
    dir: &Path,
    name: &str,
    stamp: FileStamp,
    articles: &[String],
    groups: u64,
    samples: &Samples,
) -> std::io::Result<()> {
    let mut rows: Vec<&Evidence> = Vec::new();
    let mut index: HashMap<*const Evidence, u32> = HashMap::new();
    let keys = samples
        .all()
        .into_iter()
        .map(|(key, sample)| {
            let at = sample
                .rows
                .iter()
                .map(|r| {
                    *index.entry(Arc::as_ptr(r)).or_insert_with(|| {
                        rows.push(r.as_ref());
                        rows.len() as u32 - 1
                    })
                })
                .collect();
            (key, sample.count, at)
        })
        .collect();
    let file = FileRef {
        header: header(),
        part: PartRef {
            name,
            stamp,
            articles,
            groups,
            rows,
            keys,
        },
    };
    let payload = postcard::to_stdvec(&file).map_err(std::io::Error::other)?;
    let mut bytes = Vec::with_capacity(payload.len() + 8);
    bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    let path = dir.join(format!("{name}{SUFFIX}"));
    let mut tmp = crate::disk::atomic::temp_beside(&path)?;
    std::io::Write::write_all(&mut tmp, &bytes)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// Removes from folder `dir` the files of parts not in `keep`, leftovers
/// of a killed run, and the single file of earlier versions beside it.
pub fn prune(dir: &Path, keep: &std::collections::HashSet<&str>) {
    if let Some(parent) = dir.parent() {
        let _ = std::fs::remove_file(parent.join(OLD_FILE));
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let part = name.strip_suffix(SUFFIX).filter(|_| is_part_file(&path));
        if !part.is_some_and(|p| keep.contains(p)) {
            let _ = std::fs::remove_file(&path);
        }
    }
}
