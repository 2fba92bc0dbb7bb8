//! One run at a time per output folder.
//!
//! Two runs writing one folder would append to the same cache files and
//! replace each other's reports. The lock is an advisory lock on
//! `OUT/.slant-lock` (`flock` on Unix), which the kernel lets go when its
//! process ends, however it ends: a lock left by a killed run does not
//! block the next one. The file holds the pid of the run that holds it,
//! for the message the next run gives. It stays in place between runs:
//! removing it would let a third run lock a new file while a second still
//! waits on the old one.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file's name in the output folder.
pub const LOCK_FILE: &str = ".slant-lock";

/// Why the output folder could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{out}: another slant run{} is writing there; wait for it to end or choose another --out",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    Held { out: PathBuf, pid: Option<u32> },
    #[error("{out}: the output path exists and is not a folder")]
    NotADirectory { out: PathBuf },
    #[error("{path}: cannot lock the output folder: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// The output folder, locked for this process until dropped.
///
/// ```
/// use slant::store::{LockError, OutLock};
/// let out = tempfile::tempdir()?;
/// let lock = OutLock::acquire(out.path())?;
/// // A second lock on the same folder, even in this process, is refused.
/// assert!(matches!(OutLock::acquire(out.path()), Err(LockError::Held { .. })));
/// drop(lock);
/// assert!(OutLock::acquire(out.path()).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct OutLock {
    // Held open: closing it lets the lock go.
    _file: File,
    out: PathBuf,
}

impl OutLock {
    /// Creates `out` if needed and locks it, or says at once who holds it.
    pub fn acquire(out: &Path) -> Result<OutLock, LockError> {
        let path = out.join(LOCK_FILE);
        let io = |error| LockError::Io {
            path: path.clone(),
            error,
        };
        if out.exists() && !out.is_dir() {
            return Err(LockError::NotADirectory {
                out: out.to_path_buf(),
            });
        }
        std::fs::create_dir_all(out).map_err(io)?;
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(LockError::Held {
                    out: out.to_path_buf(),
                    pid: text.trim().parse().ok(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(OutLock {
            _file: file,
            out: out.to_path_buf(),
        })
    }

    /// The folder this lock holds.
    pub fn out(&self) -> &Path {
        &self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_holder_pid_is_named_and_the_lock_is_free_after_drop() {
        let out = tempfile::tempdir().unwrap();
        let lock = OutLock::acquire(out.path()).unwrap();
        match OutLock::acquire(out.path()) {
            Err(e @ LockError::Held { pid, .. }) => {
                assert_eq!(pid, Some(std::process::id()));
                assert!(e
                    .to_string()
                    .contains(&format!("pid {}", std::process::id())));
            }
            other => panic!("expected Held, got {other:?}"),
        }
        drop(lock);
        let again = OutLock::acquire(out.path()).unwrap();
        assert_eq!(again.out(), out.path());
    }

    #[test]
    fn a_stale_pid_in_the_file_does_not_block() {
        let out = tempfile::tempdir().unwrap();
        std::fs::write(out.path().join(LOCK_FILE), "999999\n").unwrap();
        assert!(OutLock::acquire(out.path()).is_ok());
    }
}
