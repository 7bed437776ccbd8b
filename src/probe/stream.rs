//! Streaming probes: samples go to a `.npy` file chunk by chunk as the run goes, so a long
//! run's memory stays bounded (`Model::stream_probes`, `cortecs run --stream`).
//!
//! The file is always a valid `.npy`: its header has a fixed size (128 bytes, room for any row
//! count), each chunk of rows is appended first and the row count in the header is rewritten
//! after. A run interrupted between the two leaves extra bytes after the rows the header
//! announces, which numpy ignores; the rows it announces are complete.

use std::fs::File;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::components::Real;

/// Total size of the header (magic, version, length, dictionary, padding), a multiple of 64.
const HEADER_LEN: usize = 128;

/// numpy's dtype string of [`Real`].
fn descr() -> &'static str {
    if std::mem::size_of::<Real>() == 4 {
        "<f4"
    } else {
        "<f8"
    }
}

/// The `.npy` v1.0 header for `rows × cols` little-endian [`Real`]s, padded to [`HEADER_LEN`].
fn header(rows: u64, cols: usize) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}",
        descr()
    );
    let mut h = Vec::with_capacity(HEADER_LEN);
    h.extend_from_slice(b"\x93NUMPY\x01\x00");
    h.extend_from_slice(&((HEADER_LEN - 10) as u16).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    h.resize(HEADER_LEN - 1, b' ');
    h.push(b'\n');
    h
}

/// One probe's `.npy` file, appended to in chunks.
///
/// ```
/// use cortecs::Real;
/// use cortecs::probe::stream::NpyStream;
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.npy");
/// let mut f = NpyStream::create(&path, 2)?; // rows of 2 values
/// f.append(&[1.0, 2.0, 3.0, 4.0])?; // two rows
/// f.append(&[5.0, 6.0])?;
/// assert_eq!(f.rows(), 3);
/// // readable at any moment, e.g. while the run goes on
/// let x: ndarray::Array2<Real> = ndarray_npy::read_npy(&path)?;
/// assert_eq!(x, ndarray::array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
/// # Ok(()) }
/// ```
pub struct NpyStream {
    path: PathBuf,
    file: File,
    cols: usize,
    rows: u64,
}

impl NpyStream {
    /// Creates (or truncates) `path` as an empty `0 × cols` array.
    pub fn create(path: &Path, cols: usize) -> std::io::Result<Self> {
        let mut file = File::create(path)?;
        file.write_all(&header(0, cols))?;
        file.flush()?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            cols,
            rows: 0,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends whole rows (`data.len()` a multiple of the width), then updates the header.
    pub fn append(&mut self, data: &[Real]) -> std::io::Result<()> {
        if self.cols == 0 || data.is_empty() {
            return Ok(());
        }
        let rows = (data.len() / self.cols) as u64;
        let mut bytes = Vec::with_capacity(std::mem::size_of_val(data));
        for x in &data[..rows as usize * self.cols] {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        self.file.seek(SeekFrom::End(0))?;
        self.file.write_all(&bytes)?;
        self.rows += rows;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&header(self.rows, self.cols))?;
        self.file.flush()
    }

    /// Flushes the file to disk (`fsync`).
    pub fn sync(&self) -> std::io::Result<()> {
        self.file.sync_all()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_reads_back_after_every_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.npy");
        let mut s = NpyStream::create(&path, 3).unwrap();
        let empty: ndarray::Array2<Real> = ndarray_npy::read_npy(&path).unwrap();
        assert_eq!(empty.dim(), (0, 3));
        s.append(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        s.append(&[7.0, 8.0, 9.0]).unwrap();
        let a: ndarray::Array2<Real> = ndarray_npy::read_npy(&path).unwrap();
        assert_eq!(a.dim(), (3, 3));
        assert_eq!(a[[2, 1]], 8.0);
        assert_eq!(header(12_345_678_901, 1000).len() % 64, 0);
    }
}
