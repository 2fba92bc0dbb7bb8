//! Atomic file writes, shared by the reports, the store and the model
//! writer.
//!
//! A file is written to a temporary file in the same folder, flushed to
//! disk and renamed over the target, so a reader (or the next run) sees the
//! old file or the new one, never half of one. A run killed mid-write leaves
//! a `.NAME.*.partial` file behind; [`remove_leftovers`] clears them.
//!
//! A folder of files is replaced the same way as a whole ([`stage_dir`]):
//! it is filled under a temporary name beside its target, then exchanged
//! with the target in one step, so a reader sees the old set of files or
//! the new one, never a mix.
//!
//! ```
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("report.csv");
//! slant::disk::atomic::write(&path, b"a,b\n")?;
//! slant::disk::atomic::write(&path, b"a,b\n1,2\n")?;
//! assert_eq!(std::fs::read(&path)?, b"a,b\n1,2\n");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

/// Suffix of temporary files, so leftovers of a killed run can be found.
const PARTIAL: &str = ".partial";

/// A file written to its temporary name, not yet in place.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::NamedTempFile,
    path: PathBuf,
}

impl Staged {
    /// Renames the file into place.
    pub fn commit(self) -> std::io::Result<()> {
        self.tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the file is until it is committed, for readers of what a run
    /// is about to put in place.
    pub fn staged_path(&self) -> &Path {
        self.tmp.path()
    }
}

/// A file being written under its temporary name: write to it (it is
/// buffered), then [`StagingFile::finish`] it into a [`Staged`] file.
/// Dropping it unfinished removes the temporary file.
#[derive(Debug)]
pub struct StagingFile {
    writer: std::io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl StagingFile {
    /// Opens a temporary file beside `path`, creating the folder.
    pub fn create(path: &Path) -> std::io::Result<StagingFile> {
        let tmp = temp_beside(path)?;
        Ok(StagingFile {
            writer: std::io::BufWriter::with_capacity(1 << 20, tmp),
            path: path.to_path_buf(),
        })
    }

    /// The file itself, with everything written so far flushed to it, for
    /// writes that bypass the buffer (a kernel-side copy); later buffered
    /// writes go after them.
    pub fn file(&mut self) -> std::io::Result<&std::fs::File> {
        self.writer.flush()?;
        Ok(self.writer.get_ref().as_file())
    }

    /// Flushes and syncs the file; it is not in place until committed.
    pub fn finish(self) -> std::io::Result<Staged> {
        let tmp = self.writer.into_inner().map_err(|e| e.into_error())?;
        tmp.as_file().sync_all()?;
        Ok(Staged {
            tmp,
            path: self.path,
        })
    }
}

impl Write for StagingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.writer.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }
}

/// A new temporary file beside `path` (creating the folder), named so that
/// [`remove_leftovers`] finds it if the process is killed, with the
/// permissions of an ordinary file (tempfile makes it private, 0600).
pub fn temp_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let tmp = beside(path, |builder, dir| builder.tempfile_in(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(tmp)
}

/// Writes `bytes` to a temporary file beside `path` (creating the folder)
/// and syncs it; [`Staged::commit`] puts it in place. Dropping the result
/// without committing removes the temporary file.
pub fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<Staged> {
    let mut file = StagingFile::create(path)?;
    file.write_all(bytes)?;
    file.finish()
}

/// Writes `bytes` to `path` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    stage(path, bytes)?.commit()
}

/// A folder being filled under its temporary name beside its target; the
/// target is replaced by it, as a whole, on [`StagedDir::commit`]. Dropping
/// it uncommitted removes it.
#[derive(Debug)]
pub struct StagedDir {
    tmp: tempfile::TempDir,
    path: PathBuf,
}

/// Creates an empty temporary folder beside `path` (named so that
/// [`remove_leftovers`] finds it), to become `path` on commit.
///
/// ```
/// let out = tempfile::tempdir()?;
/// let target = out.path().join("parts");
/// let staged = slant::disk::atomic::stage_dir(&target)?;
/// std::fs::write(staged.path().join("a.csv"), b"a\n")?;
/// assert!(!target.exists());
/// staged.commit()?;
/// assert_eq!(std::fs::read(target.join("a.csv"))?, b"a\n");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn stage_dir(path: &Path) -> std::io::Result<StagedDir> {
    let tmp = temp_dir_beside(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(StagedDir {
        tmp,
        path: path.to_path_buf(),
    })
}

impl StagedDir {
    /// Where to put the files.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// Puts the folder in place of its target. On Linux an existing target
    /// is exchanged with it in one `renameat2(RENAME_EXCHANGE)`, then
    /// removed; where that is not available, the target is first renamed
    /// aside, which leaves a moment in which a kill leaves no target (the
    /// next run writes it again).
    pub fn commit(self) -> std::io::Result<()> {
        let StagedDir { tmp, path } = self;
        match std::fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::rename(tmp.path(), &path)?;
                // In place: nothing left to clean up.
                let _ = tmp.keep();
                return Ok(());
            }
            Err(e) => return Err(e),
            Ok(m) if !m.is_dir() => {
                return Err(std::io::Error::other(format!(
                    "{} exists and is not a folder",
                    path.display()
                )))
            }
            Ok(_) => {}
        }
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{renameat_with, RenameFlags, CWD};
            // After the exchange, `tmp` names the old folder, removed on drop.
            match renameat_with(CWD, tmp.path(), CWD, &path, RenameFlags::EXCHANGE) {
                Ok(()) => return Ok(()),
                Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {}
                Err(e) => return Err(e.into()),
            }
        }
        let aside = temp_dir_beside(&path)?;
        // `aside` is an empty folder: the old target replaces it.
        std::fs::rename(&path, aside.path())?;
        std::fs::rename(tmp.path(), &path)?;
        let _ = tmp.keep();
        drop(aside);
        Ok(())
    }
}

/// An empty temporary folder beside `path` (creating the parent), named
/// so that [`remove_leftovers`] finds it.
fn temp_dir_beside(path: &Path) -> std::io::Result<tempfile::TempDir> {
    beside(path, |builder, dir| builder.tempdir_in(dir))
}

/// Runs `make` with a builder of `.NAME.XXXXXX.partial` names and the
/// folder of `path` (created if missing).
fn beside<T>(
    path: &Path,
    make: impl FnOnce(&tempfile::Builder, &Path) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    make(
        tempfile::Builder::new().prefix(&prefix).suffix(PARTIAL),
        dir,
    )
}

/// Removes the temporary files and folders a killed run left in `dir`;
/// returns how many. Only names this module creates (`.NAME.XXXXXX.partial`)
/// are touched.
pub fn remove_leftovers(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with('.') && name.ends_with(PARTIAL)) {
            continue;
        }
        let gone = match entry.file_type() {
            Ok(t) if t.is_file() => std::fs::remove_file(entry.path()).is_ok(),
            Ok(t) if t.is_dir() => std::fs::remove_dir_all(entry.path()).is_ok(),
            _ => false,
        };
        if gone {
            removed += 1;
        }
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staged_files_appear_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.csv");
        write(&path, b"old").unwrap();
        let staged = stage(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        staged.commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        // Dropped without commit: no trace.
        drop(stage(&path, b"never").unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn leftovers_of_a_killed_run_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let staged = stage(&dir.path().join("a.csv"), b"x").unwrap();
        // A killed process never drops its temporary file.
        let (_, tmp_path) = staged.tmp.keep().unwrap();
        std::fs::write(dir.path().join("keep.partial"), b"user file").unwrap();
        std::fs::write(dir.path().join("a.csv"), b"report").unwrap();
        assert!(tmp_path.exists());
        assert_eq!(remove_leftovers(dir.path()), 1);
        assert!(!tmp_path.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_staged_folder_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("parts");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.csv"), b"old").unwrap();
        let staged = stage_dir(&target).unwrap();
        std::fs::write(staged.path().join("new.csv"), b"new").unwrap();
        assert!(target.join("old.csv").exists(), "not before the commit");
        staged.commit().unwrap();
        let names: Vec<_> = std::fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["new.csv"]);
        // Neither the old folder nor the staging one is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Dropped uncommitted: no trace, target untouched.
        drop(stage_dir(&target).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(target.join("new.csv").exists());
    }

    #[test]
    fn a_staging_folder_left_by_a_kill_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let staged = stage_dir(&dir.path().join("parts")).unwrap();
        std::fs::write(staged.path().join("a.csv"), b"x").unwrap();
        let left = staged.tmp.keep();
        assert_eq!(remove_leftovers(dir.path()), 1);
        assert!(!left.exists());
    }

    #[test]
    fn a_file_in_the_way_of_a_folder_is_an_error_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("parts");
        std::fs::write(&target, b"user file").unwrap();
        let staged = stage_dir(&target).unwrap();
        assert!(staged.commit().is_err());
        assert_eq!(std::fs::read(&target).unwrap(), b"user file");
    }
}
