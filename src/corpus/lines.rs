//! The line a CSV record starts on, for the messages and sources that name
//! it. The `csv` crate's [`csv::Position::line`] of a record is the line of
//! the byte its position points at, and that byte is not always the
//! record's first: after a CRLF line end it is the LF (rust-csv#395), and
//! after a blank line it is the blank line's end (rust-csv#208). So a CSV
//! written with CRLF, as Excel and Python write it, would have every record
//! named by the line before it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// Reads the bytes at a record's position through a handle of its own, so
/// the reader's buffering is left alone.
pub(super) struct RecordLines {
    file: Option<File>,
}

impl RecordLines {
    /// For the CSV file at `path`; when it cannot be opened a second time,
    /// the lines are `csv`'s own.
    pub(super) fn open(path: &Path) -> RecordLines {
        RecordLines {
            file: File::open(path).ok(),
        }
    }

    /// The line of the first byte of the record at `position`: `csv`'s line
    /// plus the line ends that lie between its position and the record.
    pub(super) fn line(&mut self, position: &csv::Position) -> u64 {
        let line = position.line();
        let Some(file) = &mut self.file else {
            return line;
        };
        if file.seek(SeekFrom::Start(position.byte())).is_err() {
            return line;
        }
        let mut ends = 0;
        let mut buf = [0u8; 256];
        loop {
            let n = match file.read(&mut buf) {
                Ok(0) | Err(_) => return line + ends,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                match b {
                    b'\n' => ends += 1,
                    b'\r' => {}
                    _ => return line + ends,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line each record starts on, by `RecordLines`, and by `csv`.
    fn lines(bytes: &[u8]) -> (Vec<u64>, Vec<u64>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, bytes).unwrap();
        let mut finder = RecordLines::open(&path);
        let mut reader = csv::Reader::from_path(&path).unwrap();
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for record in reader.byte_records() {
            let position = record.unwrap().position().unwrap().clone();
            ours.push(finder.line(&position));
            theirs.push(position.line());
        }
        (ours, theirs)
    }

    #[test]
    fn lf_records_keep_csv_s_lines() {
        let (ours, theirs) = lines(b"a,b\n1,2\n3,\"x\ny\"\n5,6\n");
        assert_eq!(ours, [2, 3, 5]);
        assert_eq!(ours, theirs);
    }

    #[test]
    fn crlf_records_are_named_by_their_own_line() {
        let (ours, theirs) = lines(b"a,b\r\n1,2\r\n3,\"x\r\ny\"\r\n5,6\r\n");
        assert_eq!(ours, [2, 3, 5]);
        // What `csv` says on its own: the line before each.
        assert_eq!(theirs, [1, 2, 4]);
    }

    proptest::proptest! {
        /// Any mix of line ends, blank lines and quoted cells that span
        /// lines: each record is named by the line its first byte is on.
        #[test]
        fn every_record_is_named_by_the_line_it_starts_on(
            records in proptest::collection::vec(
                (
                    "[a-z][a-z ]{0,6}",
                    proptest::option::of("[a-z,\"]{0,4}(\r?\n[a-z]{0,4}){0,2}"),
                    0usize..3,
                ),
                1..12,
            ),
            crlf in proptest::bool::ANY,
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = format!("first,second{end}");
            let mut want = Vec::new();
            for (first, second, blanks) in &records {
                for _ in 0..*blanks {
                    text.push_str(end);
                }
                want.push(text.matches('\n').count() as u64 + 1);
                let second = second
                    .as_deref()
                    .map(|s| format!("\"{}\"", s.replace('"', "\"\"")))
                    .unwrap_or_default();
                text.push_str(&format!("{first},{second}{end}"));
            }
            proptest::prop_assert_eq!(lines(text.as_bytes()).0, want);
        }
    }

    #[test]
    fn blank_lines_before_a_record_are_counted() {
        assert_eq!(lines(b"a,b\n1,2\n\n\n4,5\n").0, [2, 5]);
        assert_eq!(lines(b"a,b\r\n1,2\r\n\r\n\r\n4,5\r\n").0, [2, 5]);
    }
}
