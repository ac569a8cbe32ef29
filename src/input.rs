//! Reading the files byzsim takes besides scenarios (CSV files for `plot` and `merge`, sweep
//! manifests) within bounds: a CSV line is at most 1 MiB and a manifest at most 64 MiB, so
//! `plot /dev/zero`, a file without newlines or a manifest linked to a device is refused
//! instead of filling memory. (Scenario files have their own cap: [`crate::scenario`].)

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// The longest CSV line byzsim reads; its own rows are a few hundred bytes.
pub const MAX_CSV_LINE_BYTES: usize = 1 << 20;

/// The largest manifest byzsim reads; one of a sweep at the cell cap is a few MiB.
pub const MAX_MANIFEST_BYTES: u64 = 64 << 20;

/// A reader that fails once a line runs past [`MAX_CSV_LINE_BYTES`].
pub struct LineCapped<R> {
    inner: R,
    since_newline: usize,
}

impl<R: Read> Read for LineCapped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.since_newline = match buf[..n].iter().rposition(|&b| b == b'\n') {
            Some(i) => n - 1 - i,
            None => self.since_newline + n,
        };
        if self.since_newline > MAX_CSV_LINE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "a line longer than {MAX_CSV_LINE_BYTES} bytes (1 MiB): not a CSV file byzsim reads"
                ),
            ));
        }
        Ok(n)
    }
}

/// Opens a CSV file (with a header row) for reading, lines capped.
pub fn open_csv(path: &Path) -> io::Result<csv::Reader<LineCapped<File>>> {
    let file = File::open(path)?;
    Ok(csv::Reader::from_reader(LineCapped {
        inner: file,
        since_newline: 0,
    }))
}

/// Reads a text file of at most `max` bytes; `Ok(None)` when it does not exist.
pub fn read_capped(path: &Path, max: u64) -> io::Result<Option<String>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut text = String::new();
    file.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {max} bytes"),
        ));
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_line_is_refused_and_short_lines_pass() {
        let mut long = LineCapped {
            inner: io::repeat(b'x'),
            since_newline: 0,
        };
        let mut sink = Vec::new();
        let e = long
            .by_ref()
            .take(3 << 20)
            .read_to_end(&mut sink)
            .unwrap_err();
        assert!(e.to_string().contains("1 MiB"), "{e}");
        let rows = "a,b\n1,2\n".repeat(1 << 18);
        let mut short = LineCapped {
            inner: rows.as_bytes(),
            since_newline: 0,
        };
        let mut back = String::new();
        short.read_to_string(&mut back).unwrap();
        assert_eq!(back, rows);
    }
}
