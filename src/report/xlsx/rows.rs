//! The workbook's input: the rows of a table's CSV files, read in order
//! across the parts of `mentions/`, and counted without decoding past a
//! sheet's cap.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::report::{io_error, ReportError};

/// A row of a CSV file, with where it is.
pub(super) struct Row {
    pub(super) record: csv::StringRecord,
    /// Which of the table's files, and the line it starts on.
    pub(super) file: usize,
    pub(super) line: u64,
    /// From an `--excel` file: its text cells are guarded.
    pub(super) guarded: bool,
}

/// The rows of one or more CSV files of one table, in order; each file has
/// the same header (the parts of `mentions/`).
pub(super) struct CsvRows<'a> {
    /// Where the files are read from.
    read: &'a [PathBuf],
    /// The files as errors name them.
    files: &'a [PathBuf],
    /// The file open now (an index into `files`), its reader and whether it
    /// is an `--excel` file; `None` before the first and after the last.
    current: Option<(usize, csv::Reader<BufReader<File>>, bool)>,
    opened: usize,
    header: Option<Vec<String>>,
}

impl<'a> CsvRows<'a> {
    pub(super) fn new(read: &'a [PathBuf], files: &'a [PathBuf]) -> CsvRows<'a> {
        CsvRows {
            read,
            files,
            current: None,
            opened: 0,
            header: None,
        }
    }

    /// The header of the first file (empty when there is none).
    pub(super) fn header(&mut self) -> Result<Vec<String>, ReportError> {
        if self.header.is_none() {
            self.open_next()?;
        }
        Ok(self.header.clone().unwrap_or_default())
    }

    /// Opens the next file and checks its header; false when none is left.
    fn open_next(&mut self) -> Result<bool, ReportError> {
        let (Some(from), Some(path)) = (self.read.get(self.opened), self.files.get(self.opened))
        else {
            self.current = None;
            return Ok(false);
        };
        let file = File::open(from).map_err(io_error(path))?;
        let mut reader = BufReader::with_capacity(1 << 20, file);
        let bom = reader
            .fill_buf()
            .map_err(io_error(path))?
            .starts_with(crate::report::tables::BOM);
        if bom {
            reader.consume(crate::report::tables::BOM.len());
        }
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut first = csv::StringRecord::new();
        let has_header = csv
            .read_record(&mut first)
            .map_err(|e| read_error(path, &e))?;
        let header: Vec<String> = first
            .iter()
            .map(|h| {
                if bom {
                    crate::report::guard::unguard(h).to_string()
                } else {
                    h.to_string()
                }
            })
            .collect();
        match &self.header {
            Some(h) if has_header && *h != header => {
                return Err(ReportError::Read {
                    path: path.clone(),
                    line: 1,
                    message: format!("another header than {}", self.files[0].display()),
                });
            }
            Some(_) => {}
            None => self.header = Some(header),
        }
        self.current = Some((self.opened, csv, bom));
        self.opened += 1;
        Ok(true)
    }

    /// Counts the records left, this file's and the next files' (their
    /// headers aside), without decoding them.
    pub(super) fn count_rest(&mut self) -> Result<u64, ReportError> {
        let mut n = 0;
        if let Some((file, csv, _)) = &mut self.current {
            let mut record = csv::ByteRecord::new();
            while csv
                .read_byte_record(&mut record)
                .map_err(|e| read_error(&self.files[*file], &e))?
            {
                n += 1;
            }
            self.current = None;
        }
        while let (Some(from), Some(path)) =
            (self.read.get(self.opened), self.files.get(self.opened))
        {
            let file = File::open(from).map_err(io_error(path))?;
            let records = count_records(file).map_err(io_error(path))?;
            n += records.saturating_sub(1);
            self.opened += 1;
        }
        Ok(n)
    }

    pub(super) fn next_row(&mut self) -> Result<Option<Row>, ReportError> {
        loop {
            if self.current.is_none() && !self.open_next()? {
                return Ok(None);
            }
            let Some((file, csv, guarded)) = &mut self.current else {
                return Ok(None);
            };
            let mut record = csv::StringRecord::new();
            if csv
                .read_record(&mut record)
                .map_err(|e| read_error(&self.files[*file], &e))?
            {
                let line = record.position().map_or(0, |p| p.line());
                return Ok(Some(Row {
                    record,
                    file: *file,
                    line,
                    guarded: *guarded,
                }));
            }
            self.current = None;
        }
    }
}

/// The CSV records in `input`: line ends outside quotes, and a last line
/// without one. A quote only ever opens or closes a quoted field (a
/// doubled quote inside one closes and reopens it), so counting quotes is
/// enough to know whether a line end is inside a field.
///
/// ```text
/// a,b\n"x\ny",2\n"say ""hi""",3   → 3 records
/// ```
pub(super) fn count_records(mut input: impl std::io::Read) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut quoted = false;
    let mut records = 0u64;
    let mut open_line = false;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        for &b in &buf[..n] {
            match b {
                b'"' => quoted = !quoted,
                // Blank lines are no records, for the csv reader either.
                b'\n' if !quoted => {
                    records += u64::from(open_line);
                    open_line = false;
                    continue;
                }
                b'\r' if !quoted => continue,
                _ => {}
            }
            open_line = true;
        }
    }
    Ok(records + u64::from(open_line))
}

fn read_error(path: &Path, e: &csv::Error) -> ReportError {
    ReportError::Read {
        path: path.to_path_buf(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    }
}
