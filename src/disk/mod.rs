//! What every stage that touches files shares: writes that land whole
//! ([`atomic`]), one stamp for "is this still the file I saw"
//! ([`FileStamp`]), positioned reads and the clock in nanoseconds.
//!
//! It sits below every other folder (the corpus stamps its files, the
//! report its parts, the store its records) and imports none of them.

pub mod atomic;
mod stamp;

pub use stamp::FileStamp;

/// Reads `buf.len()` bytes at `at` without moving a shared cursor, so
/// several threads can read one file at once.
///
/// ```
/// let mut file = tempfile::tempfile()?;
/// std::io::Write::write_all(&mut file, b"hello world")?;
/// let mut buf = [0u8; 5];
/// slant::disk::read_at(&file, &mut buf, 6)?;
/// assert_eq!(&buf, b"world");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(at))?;
        f.read_exact(buf)
    }
}

/// Nanoseconds since the Unix epoch, the unit of [`FileStamp`]'s times (0
/// for a clock set before 1970).
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}
