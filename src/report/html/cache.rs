//! Each part's evidence sample, kept between runs so that a rerun reads
//! again only the parts of `mentions/` it wrote again.
//!
//! A part's sample ([`Samples`]) depends on the part's rows and on which
//! group each of its articles is in, nothing else; the sampling merges
//! part by part. So the file keeps every part's sample keyed by the part's
//! name and [`FileStamp`] (a part a run carries over is a hard link of the
//! previous one: same stamp), under a header of slant's version, the
//! sample size and a hash of the article → group map. Anything that does
//! not match is sampled again; a file that cannot be read is ignored and
//! written afresh. It is a cache: losing it costs time, never a figure.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::evidence::{Evidence, Key, Sample, Samples, PER_KEY};
use crate::disk::FileStamp;

/// The cache's file name (in the run's cache folder).
pub const FILE: &str = "evidence-v1.bin";

#[derive(Serialize, Deserialize)]
struct Header {
    slant: String,
    per_key: u32,
    groups: u64,
}

/// One part's sample: its rows once, its keys pointing into them.
#[derive(Serialize, Deserialize)]
struct Part {
    name: String,
    stamp: FileStamp,
    rows: Vec<Evidence>,
    keys: Vec<(Key, u64, Vec<u32>)>,
}

#[derive(Serialize, Deserialize)]
struct File {
    header: Header,
    parts: Vec<Part>,
}

/// A hash of the article → group map: a part's group keys depend on it.
pub fn groups_hash(groups: &HashMap<String, String>) -> u64 {
    let mut pairs: Vec<(&String, &String)> = groups.iter().collect();
    pairs.sort_unstable();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for (article, group) in pairs {
        for s in [article, group] {
            h.update(&(s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        }
    }
    h.digest()
}

fn header(groups: u64) -> Header {
    Header {
        slant: env!("CARGO_PKG_VERSION").to_string(),
        per_key: PER_KEY as u32,
        groups,
    }
}

/// The samples of the previous run, by part name, with the stamp each
/// part had; empty when there is no usable file.
pub fn load(path: &Path, groups: u64) -> HashMap<String, (FileStamp, Samples)> {
    let Ok(bytes) = std::fs::read(path) else {
        return HashMap::new();
    };
    let Ok(file) = postcard::from_bytes::<File>(&bytes) else {
        return HashMap::new();
    };
    let want = header(groups);
    if file.header.slant != want.slant
        || file.header.per_key != want.per_key
        || file.header.groups != want.groups
    {
        return HashMap::new();
    }
    file.parts
        .into_iter()
        .filter_map(|p| {
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
            Some((p.name, (p.stamp, samples)))
        })
        .collect()
}

/// [`Part`] as written: borrowed, so that writing copies no row (serde
/// writes a reference as the value).
#[derive(Serialize)]
struct PartRef<'s> {
    name: &'s str,
    stamp: FileStamp,
    rows: Vec<&'s Evidence>,
    keys: Vec<(&'s Key, u64, Vec<u32>)>,
}

#[derive(Serialize)]
struct FileRef<'s> {
    header: Header,
    parts: Vec<PartRef<'s>>,
}

/// Writes the samples of `parts` (name, stamp, sample) to `path`,
/// atomically.
pub fn save<'s>(
    path: &Path,
    groups: u64,
    parts: impl Iterator<Item = (&'s str, FileStamp, &'s Samples)>,
) -> std::io::Result<()> {
    let file = FileRef {
        header: header(groups),
        parts: parts
            .map(|(name, stamp, samples)| {
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
                PartRef {
                    name,
                    stamp,
                    rows,
                    keys,
                }
            })
            .collect(),
    };
    let mut out = crate::disk::atomic::StagingFile::create(path)?;
    postcard::to_io(&file, &mut out).map_err(std::io::Error::other)?;
    out.finish()?.commit()
}
