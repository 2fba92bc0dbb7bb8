//! The key an article's cached results are stored under.

use std::io::Write;

use serde::Serialize;

use super::CACHE_VERSION;
use crate::corpus::ArticleHead;
use crate::text::{LineKey, RepeatedLines};

/// The key of an article's cached rows: outlet, text, the repeated lines
/// of its outlet that occur in it (`lines` are its line keys), metadata,
/// dropped copies and model. Not where it is ([`ArticleHead`] does not
/// hold it): nothing cached depends on it, so an article found at another
/// line of a table, in a renamed file or through another path is not
/// analysed again.
pub fn key(
    article: ArticleHead<'_>,
    lines: &[LineKey],
    repeated: &RepeatedLines,
    duplicates: usize,
    model: &str,
) -> u128 {
    /// The article's line keys that are repeated lines, as a sequence.
    struct RepeatedHere<'a>(&'a [LineKey], &'a RepeatedLines);
    impl Serialize for RepeatedHere<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeSeq;
            let here = || self.0.iter().filter(|k| self.1.contains_key(**k));
            let mut seq = s.serialize_seq(Some(here().count()))?;
            for k in here() {
                seq.serialize_element(k)?;
            }
            seq.end()
        }
    }
    let material = (
        CACHE_VERSION,
        article.outlet,
        article.content_hash,
        RepeatedHere(lines, repeated),
        article.id,
        article.outlet_name,
        article.title,
        article.published,
        article.url,
        duplicates as u64,
        model,
    );
    // Postcard prefixes every string with its length, so no two different
    // inputs give the same bytes. They are hashed as they are encoded.
    struct Hashing(xxhash_rust::xxh3::Xxh3);
    impl Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut hashing = Hashing(xxhash_rust::xxh3::Xxh3::new());
    let _ = postcard::to_io(&material, &mut hashing);
    hashing.0.digest128()
}
