//! One answer to "is this still the file slant saw?", for article files
//! (read again or not) and for the report's own parts (carried over or
//! written again).

use serde::{Deserialize, Serialize};

/// What the file system says about a file: size, modification and status
/// change times, inode and device. A file whose stamp is the same as when
/// a run read it is taken to hold the same bytes (as `make` and `git` do).
///
/// ```
/// use slant::disk::FileStamp;
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("a.txt");
/// std::fs::write(&path, "one")?;
/// let before = FileStamp::of_path(&path).unwrap();
/// std::fs::write(&path, "three")?;
/// assert_ne!(FileStamp::of_path(&path), Some(before));
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileStamp {
    pub len: u64,
    pub modified_ns: i128,
    /// The status-change time cannot be set back by a user, so an edit that
    /// keeps the size and restores the modification time still changes it.
    pub changed_ns: i128,
    pub inode: u64,
    pub device: u64,
}

impl FileStamp {
    pub fn of(meta: &std::fs::Metadata) -> FileStamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            FileStamp {
                len: meta.len(),
                modified_ns: ns(meta.mtime(), meta.mtime_nsec()),
                changed_ns: ns(meta.ctime(), meta.ctime_nsec()),
                inode: meta.ino(),
                device: meta.dev(),
            }
        }
        #[cfg(not(unix))]
        {
            let ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos() as i128);
            FileStamp {
                len: meta.len(),
                modified_ns: ns,
                changed_ns: ns,
                inode: 0,
                device: 0,
            }
        }
    }

    /// The stamp of the regular file at `path` (links not followed), `None`
    /// if there is none or it cannot be read.
    pub fn of_path(path: &std::path::Path) -> Option<FileStamp> {
        let meta = std::fs::symlink_metadata(path).ok()?;
        meta.is_file().then(|| FileStamp::of(&meta))
    }

    /// Whether the file was last touched well before `now_ns` (see
    /// [`crate::disk::now_ns`]). A file written in the same moment it was
    /// read may change again within the file system's time granularity
    /// without its stamp changing, so only settled stamps are worth keeping.
    pub fn settled(&self, now_ns: i128) -> bool {
        const MARGIN_NS: i128 = 2_000_000_000;
        self.modified_ns.max(self.changed_ns) + MARGIN_NS < now_ns
    }

    /// The same file with the same bytes, whatever its status-change time:
    /// a new hard link changes that time, and the report carries its
    /// unchanged parts over by hard-linking them.
    pub fn same_linked_file(&self, other: &FileStamp) -> bool {
        (self.len, self.modified_ns, self.inode, self.device)
            == (other.len, other.modified_ns, other.inode, other.device)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_follow_hard_links_and_see_edits() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.csv");
        std::fs::write(&a, b"x,y\n").unwrap();
        let stamp = FileStamp::of_path(&a).unwrap();
        let b = dir.path().join("b.csv");
        std::fs::hard_link(&a, &b).unwrap();
        std::fs::remove_file(&a).unwrap();
        let linked = FileStamp::of_path(&b).unwrap();
        assert!(linked.same_linked_file(&stamp));
        std::fs::write(&b, b"x,y\n1,2\n").unwrap();
        assert!(!FileStamp::of_path(&b).unwrap().same_linked_file(&stamp));
        assert_eq!(FileStamp::of_path(&a), None);
        assert_eq!(FileStamp::of_path(dir.path()), None);
    }

    #[test]
    fn only_stamps_older_than_the_margin_are_settled() {
        let s = FileStamp {
            len: 1,
            modified_ns: 10_000_000_000,
            changed_ns: 11_000_000_000,
            inode: 1,
            device: 1,
        };
        assert!(!s.settled(12_000_000_000));
        assert!(s.settled(13_000_000_001));
    }
}
