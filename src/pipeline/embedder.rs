//! The phrase encoder behind the store's phrase vectors: a rerun embeds
//! only the label candidates no run before it embedded
//! ([`crate::store::phrase_vectors`]).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::discover::labels::PhraseEmbedder;
use crate::store::phrase_vectors::PhraseVectors;
use crate::store::CacheLoad;

/// How many phrase vectors a run took from the store and how many the
/// encoder computed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmbedCounts {
    pub kept: usize,
    pub computed: usize,
}

/// An encoder that asks the store first.
///
/// ```
/// use slant::discover::labels::PhraseEmbedder;
/// use slant::pipeline::KeptEmbedder;
///
/// struct Lengths;
/// impl PhraseEmbedder for Lengths {
///     fn embed(&self, phrases: &[&str]) -> Result<Vec<Vec<f32>>, String> {
///         Ok(phrases.iter().map(|p| vec![p.len() as f32]).collect())
///     }
///     fn identity(&self) -> String {
///         "lengths".into()
///     }
/// }
///
/// let out = tempfile::tempdir().unwrap();
/// let first = KeptEmbedder::open(&Lengths, out.path(), false);
/// assert_eq!(first.embed(&["ISIS", "Daesh"]).unwrap(), [[4.0], [5.0]]);
/// first.save().unwrap();
/// let again = KeptEmbedder::open(&Lengths, out.path(), false);
/// assert_eq!(again.embed(&["Daesh", "IS"]).unwrap(), [[5.0], [2.0]]);
/// assert_eq!((again.counts().kept, again.counts().computed), (1, 1));
/// ```
pub struct KeptEmbedder<'e> {
    inner: &'e dyn PhraseEmbedder,
    kept: Mutex<(PhraseVectors, EmbedCounts)>,
    path: PathBuf,
    /// Why the file on disk was not used, when it was unusable.
    pub note: Option<String>,
}

impl<'e> KeptEmbedder<'e> {
    /// `inner` with the vectors kept in `out` (none with `force`).
    pub fn open(inner: &'e dyn PhraseEmbedder, out: &Path, force: bool) -> KeptEmbedder<'e> {
        let path = PhraseVectors::path_in(out);
        let identity = inner.identity();
        let (vectors, note) = if force {
            (PhraseVectors::new(&identity), None)
        } else {
            match PhraseVectors::load(&path, &identity) {
                (v, CacheLoad::Rebuilt { reason }) => (v, Some(reason)),
                (v, _) => (v, None),
            }
        };
        KeptEmbedder {
            inner,
            kept: Mutex::new((vectors, EmbedCounts::default())),
            path,
            note,
        }
    }

    /// Vectors taken from the store and computed so far.
    pub fn counts(&self) -> EmbedCounts {
        self.lock().1
    }

    /// Keeps the vectors this run used, and only those, for the next run.
    pub fn save(&self) -> std::io::Result<()> {
        let mut kept = self.lock();
        kept.0.retain_used();
        kept.0.save(&self.path)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (PhraseVectors, EmbedCounts)> {
        // A poisoned lock means a call panicked mid-way; the vectors it
        // holds were each inserted whole, so they are still good.
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl PhraseEmbedder for KeptEmbedder<'_> {
    fn embed(&self, phrases: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let mut kept = self.lock();
        let mut out: Vec<Option<Vec<f32>>> = phrases.iter().map(|p| kept.0.take(p)).collect();
        let missing: Vec<&str> = phrases
            .iter()
            .zip(&out)
            .filter(|(_, v)| v.is_none())
            .map(|(p, _)| *p)
            .collect();
        kept.1.kept += phrases.len() - missing.len();
        if !missing.is_empty() {
            let computed = self.inner.embed(&missing)?;
            if computed.len() != missing.len() {
                return Err(format!(
                    "the phrase encoder gave {} vectors for {} phrases",
                    computed.len(),
                    missing.len()
                ));
            }
            kept.1.computed += missing.len();
            let mut computed = computed.into_iter();
            for (slot, phrase) in out.iter_mut().zip(phrases) {
                if slot.is_none() {
                    let v = computed.next().unwrap_or_default();
                    kept.0.insert(phrase.to_string(), v.clone());
                    *slot = Some(v);
                }
            }
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    fn identity(&self) -> String {
        self.inner.identity()
    }
}
