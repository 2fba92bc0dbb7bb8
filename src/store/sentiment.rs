//! Sentiment results kept between runs, keyed by (sentence, target span,
//! model hash).
//!
//! The cache lives in the output folder, [`SentimentCache::path_in`]:
//! `OUT/.slant-cache/sentiment-v1.bin`. Its key, [`TargetKey`], is a 128-bit
//! digest of the model hash, the span and the sentence, so a different model
//! (or a changed model file) never hits an old entry; entries of several models
//! can share one file. The article records of the store keep each article's
//! `TargetKey`s and look them up here, so there is one store of
//! sentiment results, not two.
//!
//! File format (little-endian):
//!
//! ```text
//! magic    "SLANTSENTCACHE\0\0"      16 bytes
//! version  u32 = 1
//! count    u64
//! entries  count × (key 16 bytes, probs 3 × f32), sorted by key
//! digest   SHA-256 of all bytes above, 32 bytes
//! ```
//!
//! Entries are sorted so identical contents give identical files. A file that
//! is missing is an empty cache; one that is truncated, corrupt, of another
//! version or not a cache at all is reported ([`CacheLoad::Rebuilt`]) and
//! replaced on the next save, never trusted and never a crash. Saving writes a
//! temporary file in the same folder and renames it over the old one, so a run
//! killed mid-save leaves the previous cache intact.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::target::{Sentiment, TargetKey};

const MAGIC: &[u8; 16] = b"SLANTSENTCACHE\0\0";
/// Format version written and read.
pub const CACHE_VERSION: u32 = 1;
const HEADER: usize = 16 + 4 + 8;
const RECORD: usize = 16 + 12;

/// What [`SentimentCache::load`] found.
pub use super::CacheLoad;

/// Counts from one `score_cached` call (`crate::pipeline`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Targets asked for.
    pub targets: usize,
    /// Of those, answered from the cache.
    pub hits: usize,
    /// Distinct targets that went through the model.
    pub scored: usize,
}

impl fmt::Display for CacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} targets: {} from cache, {} scored",
            self.targets, self.hits, self.scored
        )
    }
}

/// In-memory sentiment results; see the module docs.
#[derive(Debug, Clone, Default)]
pub struct SentimentCache {
    entries: HashMap<TargetKey, [f32; 3]>,
    touched: HashSet<TargetKey>,
}

impl SentimentCache {
    pub fn new() -> SentimentCache {
        SentimentCache::default()
    }

    /// The cache file inside an output folder.
    pub fn path_in(out_dir: &Path) -> PathBuf {
        out_dir
            .join(".slant-cache")
            .join(format!("sentiment-v{CACHE_VERSION}.bin"))
    }

    /// Reads a cache file. Never fails: a missing file is an empty cache, an
    /// unusable one is an empty cache plus the reason (say it on stderr).
    pub fn load(path: &Path) -> (SentimentCache, CacheLoad) {
        let bytes = match CacheLoad::read(path) {
            Ok(b) => b,
            Err(status) => return (SentimentCache::new(), status),
        };
        match SentimentCache::from_bytes(&bytes) {
            Ok(c) => {
                let entries = c.len();
                (c, CacheLoad::Loaded { entries })
            }
            Err(reason) => (
                SentimentCache::new(),
                CacheLoad::Rebuilt {
                    reason: format!("{}: {reason}", path.display()),
                },
            ),
        }
    }

    /// Parses the file format; `Err` says why the bytes are not a cache.
    pub fn from_bytes(bytes: &[u8]) -> Result<SentimentCache, String> {
        if bytes.len() < HEADER + 32 || &bytes[..16] != MAGIC {
            return Err("not a slant sentiment cache".into());
        }
        let version = u32::from_le_bytes(bytes[16..20].try_into().map_err(|_| "short header")?);
        if version != CACHE_VERSION {
            return Err(format!(
                "cache format version {version}, this slant writes {CACHE_VERSION}"
            ));
        }
        let count = u64::from_le_bytes(bytes[20..28].try_into().map_err(|_| "short header")?);
        let body = usize::try_from(count)
            .ok()
            .and_then(|c| c.checked_mul(RECORD))
            .and_then(|b| b.checked_add(HEADER))
            .ok_or("entry count out of range")?;
        if bytes.len() != body + 32 {
            return Err(format!(
                "size {} does not match {count} entries (truncated or corrupt)",
                bytes.len()
            ));
        }
        if Sha256::digest(&bytes[..body]).as_slice() != &bytes[body..] {
            return Err("checksum mismatch (corrupt)".into());
        }
        let mut entries = HashMap::with_capacity(count as usize);
        for rec in bytes[HEADER..body].chunks_exact(RECORD) {
            let mut k = [0u8; 16];
            k.copy_from_slice(&rec[..16]);
            let mut p = [0f32; 3];
            for (i, v) in p.iter_mut().enumerate() {
                let o = 16 + 4 * i;
                *v = f32::from_le_bytes([rec[o], rec[o + 1], rec[o + 2], rec[o + 3]]);
            }
            if p.iter().any(|x| !x.is_finite() || *x < 0.0 || *x > 1.0) {
                return Err("entry with probabilities outside 0..1".into());
            }
            entries.insert(TargetKey(k), p);
        }
        Ok(SentimentCache {
            entries,
            touched: HashSet::new(),
        })
    }

    /// The file format for the current entries (sorted by key).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut keys: Vec<&TargetKey> = self.entries.keys().collect();
        keys.sort();
        let mut out = Vec::with_capacity(HEADER + keys.len() * RECORD + 32);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&CACHE_VERSION.to_le_bytes());
        out.extend_from_slice(&(keys.len() as u64).to_le_bytes());
        for k in keys {
            out.extend_from_slice(&k.0);
            for p in self.entries[k] {
                out.extend_from_slice(&p.to_le_bytes());
            }
        }
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Writes the cache atomically, creating the folder if needed.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::disk::atomic::write(path, &self.to_bytes())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn contains(&self, key: &TargetKey) -> bool {
        self.entries.contains_key(key)
    }

    /// The cached result, marking the entry as used by this run.
    pub fn get(&mut self, key: &TargetKey) -> Option<Sentiment> {
        let p = self.entries.get(key)?;
        self.touched.insert(*key);
        Some(Sentiment::from_probs(*p))
    }

    pub fn insert(&mut self, key: TargetKey, s: Sentiment) {
        self.touched.insert(key);
        self.entries.insert(key, s.probs);
    }

    /// Drops entries this run neither read nor wrote, so the file tracks the
    /// current corpus and model instead of growing forever. Call it only after
    /// a run that looked up every target (not after a partial one).
    pub fn retain_used(&mut self) {
        let touched = &self.touched;
        self.entries.retain(|k, _| touched.contains(k));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::{Polarity, Target};

    fn sample() -> SentimentCache {
        let mut c = SentimentCache::new();
        for i in 0..5 {
            let t = Target::new(format!("Sentence number {i}."), 0, 8);
            c.insert(
                TargetKey::new("h", &t),
                Sentiment::from_probs([0.1, 0.2, 0.7]),
            );
        }
        c
    }

    #[test]
    fn round_trip_is_exact_and_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let path = SentimentCache::path_in(dir.path());
        assert_eq!(SentimentCache::load(&path).1, CacheLoad::Missing);
        let c = sample();
        c.save(&path).unwrap();
        let (mut back, status) = SentimentCache::load(&path);
        assert_eq!(status, CacheLoad::Loaded { entries: 5 });
        let k = TargetKey::new("h", &Target::new("Sentence number 3.", 0, 8));
        assert_eq!(back.get(&k).unwrap().label, Polarity::Positive);
        assert_eq!(back.to_bytes(), c.to_bytes());
    }

    #[test]
    fn corrupt_or_foreign_files_are_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        let good = sample().to_bytes();
        let cases: Vec<Vec<u8>> = vec![
            b"hello".to_vec(),
            good[..good.len() - 1].to_vec(),
            {
                let mut b = good.clone();
                b[HEADER + 3] ^= 0xff;
                b
            },
            {
                let mut b = good.clone();
                b[16] = 9;
                b
            },
            {
                let mut b = good.clone();
                b[20..28].copy_from_slice(&u64::MAX.to_le_bytes());
                b
            },
        ];
        for bytes in cases {
            std::fs::write(&path, &bytes).unwrap();
            let (c, status) = SentimentCache::load(&path);
            assert!(c.is_empty());
            assert!(matches!(status, CacheLoad::Rebuilt { .. }), "{status:?}");
        }
    }

    #[test]
    fn retain_used_drops_stale_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        sample().save(&path).unwrap();
        let (mut c, _) = SentimentCache::load(&path);
        let k = TargetKey::new("h", &Target::new("Sentence number 1.", 0, 8));
        assert!(c.get(&k).is_some());
        c.retain_used();
        assert_eq!(c.len(), 1);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = SentimentCache::from_bytes(&bytes);
            let mut b = MAGIC.to_vec();
            b.extend_from_slice(&bytes);
            let _ = SentimentCache::from_bytes(&b);
        }
    }
}
