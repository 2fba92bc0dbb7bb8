//! The two append-only data files (rows and results), and reading rows
//! back for the report.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::xxh3_64;

use super::StoreError;
use crate::disk::read_at;
use crate::report::RowSource;

/// Where an article's bytes are in a data file, with the xxh3-64 checksum
/// they must have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Extent {
    pub at: u64,
    pub len: u64,
    /// xxh3-64 of the bytes.
    pub sum: u64,
}

impl Extent {
    /// Reads the bytes from `file` (named `path` in messages) and checks
    /// them. A read past the end is damage like a bad checksum: the file was
    /// cut short since it was opened.
    pub(super) fn read(&self, file: &File, path: &Path) -> Result<Vec<u8>, StoreError> {
        self.read_checked(file).map_err(|e| match e {
            Unreadable::Short => {
                corrupt_or_io(path, self, std::io::ErrorKind::UnexpectedEof.into())
            }
            Unreadable::Io(e) => corrupt_or_io(path, self, e),
            Unreadable::Mismatch => mismatch(path, self),
        })
    }

    /// [`Extent::read`] for a caller that names the file itself.
    pub(super) fn read_checked(&self, file: &File) -> Result<Vec<u8>, Unreadable> {
        let mut bytes = vec![0; self.len as usize];
        read_at(file, &mut bytes, self.at).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Unreadable::Short
            } else {
                Unreadable::Io(e)
            }
        })?;
        if xxh3_64(&bytes) != self.sum {
            return Err(Unreadable::Mismatch);
        }
        Ok(bytes)
    }
}

/// Why an extent's bytes could not be had.
#[derive(Debug, thiserror::Error)]
pub(super) enum Unreadable {
    #[error("the file ends before them")]
    Short,
    #[error("{0}")]
    Io(std::io::Error),
    #[error("they do not match their checksum")]
    Mismatch,
}

fn mismatch(path: &Path, e: &Extent) -> StoreError {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: format!(
            "the {} bytes at {} do not match their checksum",
            e.len, e.at
        ),
    }
}

fn corrupt_or_io(path: &Path, e: &Extent, error: std::io::Error) -> StoreError {
    if error.kind() == std::io::ErrorKind::UnexpectedEof {
        StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: format!("ends before byte {}", e.at + e.len),
        }
    } else {
        StoreError::io(path)(error)
    }
}

/// The rows file as the report reads it: every row copied is checked
/// against its checksum on the way.
pub struct RowsFile<'a> {
    file: &'a File,
    path: &'a Path,
}

impl RowSource for RowsFile<'_> {
    type Rows = Extent;
    type Error = StoreError;

    fn len(rows: &Extent) -> u64 {
        rows.len
    }

    /// Rows that lie end to end in the file (articles added in report
    /// order) are read in one call.
    fn read(&self, list: &[&Extent], buf: &mut Vec<u8>) -> Result<(), StoreError> {
        let mut start = 0;
        while start < list.len() {
            let mut end = start + 1;
            while end < list.len() && list[end].at == list[end - 1].at + list[end - 1].len {
                end += 1;
            }
            let run = &list[start..end];
            let whole = Extent {
                at: run[0].at,
                len: run.iter().map(|e| e.len).sum(),
                sum: 0,
            };
            let from = buf.len();
            buf.resize(from + whole.len as usize, 0);
            read_at(self.file, &mut buf[from..], whole.at)
                .map_err(|e| corrupt_or_io(self.path, &whole, e))?;
            let mut at = from;
            for e in run {
                let next = at + e.len as usize;
                if xxh3_64(&buf[at..next]) != e.sum {
                    return Err(mismatch(self.path, e));
                }
                at = next;
            }
            start = end;
        }
        Ok(())
    }
}

/// One of the two append-only data files being written.
pub(super) struct DataFile {
    /// Writes go through the buffer; reads use `file` after a flush.
    writer: std::io::BufWriter<File>,
    file: File,
    pub(super) len: u64,
    path: PathBuf,
    /// A fresh file under a temporary name, renamed over `path` at commit.
    fresh: Option<tempfile::TempPath>,
}

impl DataFile {
    pub(super) fn append(path: &Path, len: u64) -> std::io::Result<DataFile> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)?;
        // Bytes past the recorded length are what a killed run appended.
        file.set_len(len)?;
        let mut writer = file.try_clone()?;
        writer.seek(SeekFrom::Start(len))?;
        Ok(DataFile {
            writer: std::io::BufWriter::with_capacity(1 << 20, writer),
            file,
            len,
            path: path.to_path_buf(),
            fresh: None,
        })
    }

    pub(super) fn fresh(
        path: &Path,
        magic: &[u8; 8],
        generation: u64,
    ) -> std::io::Result<DataFile> {
        let (file, tmp_path) = crate::disk::atomic::temp_beside(path)?.into_parts();
        let mut data = DataFile {
            writer: std::io::BufWriter::with_capacity(1 << 20, file.try_clone()?),
            file,
            len: 0,
            path: path.to_path_buf(),
            fresh: Some(tmp_path),
        };
        data.write(magic)?;
        data.write(&generation.to_le_bytes())?;
        Ok(data)
    }

    pub(super) fn write(&mut self, bytes: &[u8]) -> std::io::Result<Extent> {
        self.writer.write_all(bytes)?;
        let extent = Extent {
            at: self.len,
            len: bytes.len() as u64,
            sum: xxh3_64(bytes),
        };
        self.len += bytes.len() as u64;
        Ok(extent)
    }

    pub(super) fn io(&self) -> impl Fn(std::io::Error) -> StoreError + '_ {
        StoreError::io(&self.path)
    }

    /// The file with everything written so far, to copy rows from.
    pub(super) fn flushed(&mut self) -> Result<RowsFile<'_>, StoreError> {
        self.writer.flush().map_err(StoreError::io(&self.path))?;
        Ok(RowsFile {
            file: &self.file,
            path: &self.path,
        })
    }

    pub(super) fn sync(&mut self) -> Result<(), StoreError> {
        self.writer.flush().map_err(self.io())?;
        self.file.sync_all().map_err(self.io())
    }

    /// Puts a fresh file in place (after [`DataFile::sync`]).
    pub(super) fn put_in_place(mut self) -> Result<(), StoreError> {
        if let Some(tmp) = self.fresh.take() {
            tmp.persist(&self.path)
                .map_err(|e| StoreError::io(&self.path)(e.error))?;
        }
        Ok(())
    }
}

pub(super) fn fresh_generation(previous: u64) -> u64 {
    let nanos = crate::disk::now_ns() as u64;
    let g = nanos ^ u64::from(std::process::id()).rotate_left(32);
    if g == previous {
        g.wrapping_add(1)
    } else {
        g
    }
}
