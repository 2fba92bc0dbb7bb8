//! The phrase encoder's vectors kept between runs, keyed by the phrase and
//! the encoder's identity, so that a rerun embeds only the label
//! candidates it has not met before.
//!
//! The file lives in the output folder, [`PhraseVectors::path_in`]:
//! `OUT/.slant-cache/phrase-vectors-v1.bin`:
//!
//! ```text
//! magic    "SLANTPHRASEVECS\0"       16 bytes
//! version  u32 = 1
//! body     postcard: encoder identity, then (phrase, vector) pairs sorted by phrase
//! digest   SHA-256 of all bytes above, 32 bytes
//! ```
//!
//! Vectors are stored as the encoder gave them (f32), so a vector read
//! back is the one computed. A file of another encoder is not used (its
//! vectors are not this encoder's); one that is truncated, corrupt or of
//! another version is reported ([`CacheLoad::Rebuilt`]) and replaced on
//! the next save, never trusted. Saving is atomic, as for every file of
//! the store.
//!
//! ```
//! use slant::store::phrase_vectors::PhraseVectors;
//!
//! let mut v = PhraseVectors::new("encoder-a");
//! v.insert("US troops".into(), vec![0.6, 0.8]);
//! let back = PhraseVectors::from_bytes(&v.to_bytes(), "encoder-a").unwrap();
//! assert_eq!(back.get("US troops"), Some(&[0.6, 0.8][..]));
//! // Another encoder's file is no use.
//! assert!(PhraseVectors::from_bytes(&v.to_bytes(), "encoder-b").is_err());
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CacheLoad;

const MAGIC: &[u8; 16] = b"SLANTPHRASEVECS\0";
/// Format version written and read.
pub const VECTORS_VERSION: u32 = 1;
const HEADER: usize = 16 + 4;

/// The body as written: by reference, sorted.
#[derive(Serialize)]
struct Body<'a> {
    identity: &'a str,
    entries: Vec<(&'a str, &'a [f32])>,
}

/// The body as read back.
#[derive(Deserialize)]
struct Owned {
    identity: String,
    entries: Vec<(String, Vec<f32>)>,
}

/// Phrase vectors of one encoder, with the phrases this run asked for.
#[derive(Debug, Clone, Default)]
pub struct PhraseVectors {
    identity: String,
    entries: HashMap<String, Vec<f32>>,
    touched: HashSet<String>,
}

impl PhraseVectors {
    /// An empty cache for the encoder `identity`.
    pub fn new(identity: &str) -> PhraseVectors {
        PhraseVectors {
            identity: identity.to_string(),
            ..PhraseVectors::default()
        }
    }

    /// Where a run in `out_dir` keeps them.
    pub fn path_in(out_dir: &Path) -> PathBuf {
        crate::store::cache_dir(out_dir).join(format!("phrase-vectors-v{VECTORS_VERSION}.bin"))
    }

    /// Reads the file of encoder `identity`. Never fails: a missing file,
    /// or another encoder's, is an empty cache; an unusable one is an
    /// empty cache and the reason (say it on stderr).
    pub fn load(path: &Path, identity: &str) -> (PhraseVectors, CacheLoad) {
        let empty = || PhraseVectors::new(identity);
        let bytes = match CacheLoad::read(path) {
            Ok(b) => b,
            Err(status) => return (empty(), status),
        };
        match PhraseVectors::parse(&bytes) {
            Ok(owned) if owned.identity != identity => (empty(), CacheLoad::Missing),
            Ok(owned) => {
                let v = PhraseVectors::of(owned);
                let entries = v.len();
                (v, CacheLoad::Loaded { entries })
            }
            Err(reason) => {
                let reason = format!("{}: {reason}", path.display());
                (empty(), CacheLoad::Rebuilt { reason })
            }
        }
    }

    /// Parses the file format for encoder `identity`; `Err` says why the
    /// bytes are not its vectors.
    pub fn from_bytes(bytes: &[u8], identity: &str) -> Result<PhraseVectors, String> {
        let owned = PhraseVectors::parse(bytes)?;
        if owned.identity != identity {
            return Err(format!("vectors of encoder {}", owned.identity));
        }
        Ok(PhraseVectors::of(owned))
    }

    fn parse(bytes: &[u8]) -> Result<Owned, String> {
        if bytes.len() < HEADER + 32 || &bytes[..16] != MAGIC {
            return Err("not a slant phrase-vector file".into());
        }
        let mut version = [0u8; 4];
        version.copy_from_slice(&bytes[16..20]);
        let version = u32::from_le_bytes(version);
        if version != VECTORS_VERSION {
            return Err(format!(
                "format version {version}, this slant writes {VECTORS_VERSION}"
            ));
        }
        let body = bytes.len() - 32;
        if Sha256::digest(&bytes[..body]).as_slice() != &bytes[body..] {
            return Err("checksum mismatch (truncated or corrupt)".into());
        }
        let owned: Owned =
            postcard::from_bytes(&bytes[HEADER..body]).map_err(|e| format!("body: {e}"))?;
        if let Some((phrase, _)) = owned
            .entries
            .iter()
            .find(|(_, v)| v.iter().any(|x| !x.is_finite()))
        {
            return Err(format!("vector of {phrase:?} is not finite"));
        }
        Ok(owned)
    }

    fn of(owned: Owned) -> PhraseVectors {
        PhraseVectors {
            identity: owned.identity,
            entries: owned.entries.into_iter().collect(),
            touched: HashSet::new(),
        }
    }

    /// The file format for the current entries, sorted by phrase so that
    /// the same vectors give the same bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut entries: Vec<(&str, &[f32])> = self
            .entries
            .iter()
            .map(|(p, v)| (p.as_str(), v.as_slice()))
            .collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let body = Body {
            identity: &self.identity,
            entries,
        };
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VECTORS_VERSION.to_le_bytes());
        // A Vec writer cannot fail; a body that cannot be encoded is a bug.
        out = postcard::to_extend(&body, out).unwrap_or_default();
        let digest = Sha256::digest(&out);
        out.extend_from_slice(&digest);
        out
    }

    /// Writes the file atomically, creating the folder if needed.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        crate::disk::atomic::write(path, &self.to_bytes())
    }

    /// The encoder the vectors are of.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A phrase's vector, without marking it used.
    pub fn get(&self, phrase: &str) -> Option<&[f32]> {
        self.entries.get(phrase).map(Vec::as_slice)
    }

    /// A phrase's vector, marking it used by this run.
    pub fn take(&mut self, phrase: &str) -> Option<Vec<f32>> {
        let v = self.entries.get(phrase)?.clone();
        self.touched.insert(phrase.to_string());
        Some(v)
    }

    pub fn insert(&mut self, phrase: String, vector: Vec<f32>) {
        self.touched.insert(phrase.clone());
        self.entries.insert(phrase, vector);
    }

    /// Drops the vectors this run neither read nor wrote: the file keeps
    /// the candidates of the current corpus, not of every run before.
    pub fn retain_used(&mut self) {
        let touched = &self.touched;
        self.entries.retain(|p, _| touched.contains(p));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two() -> PhraseVectors {
        let mut v = PhraseVectors::new("enc");
        v.insert("ISIS".into(), vec![1.0, 0.0]);
        v.insert("Islamic State".into(), vec![0.6, -0.8]);
        v
    }

    #[test]
    fn same_vectors_same_bytes_and_round_trip() {
        let v = two();
        let bytes = v.to_bytes();
        let mut w = PhraseVectors::new("enc");
        w.insert("Islamic State".into(), vec![0.6, -0.8]);
        w.insert("ISIS".into(), vec![1.0, 0.0]);
        assert_eq!(bytes, w.to_bytes(), "order of insertion does not matter");
        let back = PhraseVectors::from_bytes(&bytes, "enc").unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back.get("Islamic State"), Some(&[0.6, -0.8][..]));
        assert_eq!(back.identity(), "enc");
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let bytes = two().to_bytes();
        let err = |b: &[u8]| PhraseVectors::from_bytes(b, "enc").unwrap_err();
        assert!(err(&bytes[..bytes.len() - 1]).contains("checksum"));
        assert!(err(b"hello").contains("not a slant"));
        let mut flipped = bytes.clone();
        flipped[HEADER + 3] ^= 1;
        assert!(err(&flipped).contains("checksum"));
        let mut version = bytes.clone();
        version[16] = 9;
        assert!(err(&version).contains("version 9"));
        assert!(err(&bytes[..0]).contains("not a slant"));
    }

    #[test]
    fn load_tells_missing_other_encoder_and_rebuilt_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = PhraseVectors::path_in(dir.path());
        let (v, how) = PhraseVectors::load(&path, "enc");
        assert_eq!((v.len(), how), (0, CacheLoad::Missing));
        two().save(&path).unwrap();
        let (v, how) = PhraseVectors::load(&path, "enc");
        assert_eq!((v.len(), how), (2, CacheLoad::Loaded { entries: 2 }));
        let (v, how) = PhraseVectors::load(&path, "other");
        assert_eq!((v.len(), how), (0, CacheLoad::Missing));
        assert_eq!(v.identity(), "other");
        std::fs::write(
            &path,
            b"SLANTPHRASEVECS\0junkjunkjunkjunkjunkjunkjunkjunkjunkjunk",
        )
        .unwrap();
        let (v, how) = PhraseVectors::load(&path, "enc");
        assert_eq!(v.len(), 0);
        assert!(matches!(how, CacheLoad::Rebuilt { .. }), "{how:?}");
    }

    #[test]
    fn only_what_a_run_used_is_kept() {
        let mut v = PhraseVectors::from_bytes(&two().to_bytes(), "enc").unwrap();
        assert!(v.take("ISIS").is_some());
        assert!(v.take("Daesh").is_none());
        v.insert("Daesh".into(), vec![0.0, 1.0]);
        v.retain_used();
        let mut kept: Vec<&str> = v.entries.keys().map(String::as_str).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["Daesh", "ISIS"]);
    }
}
