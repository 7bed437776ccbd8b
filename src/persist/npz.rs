//! Reading and writing numpy `.npz` archives of [`Real`] arrays.
//!
//! Archives are uncompressed (as written by `numpy.savez`) and written atomically through
//! [`write_atomic`]. Reading rejects arrays whose dtype is not that of [`Real`]
//! (`REAL_DTYPE`) with [`PersistError::Dtype`] rather than converting them.
//!
//! ```
//! use cortecs::Real;
//! use cortecs::persist::PersistError;
//! use cortecs::persist::npz::{read_npz, write_npz};
//! use ndarray::{ArrayD, IxDyn};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("z1.npz");
//! let v = ArrayD::<Real>::from_elem(IxDyn(&[3]), -65.0);
//! let w = ArrayD::<Real>::zeros(IxDyn(&[2, 3]));
//! write_npz(&path, &[("v".into(), v.clone()), ("weights".into(), w.clone())])?;
//! let arrays = read_npz(&path, "z1")?; // in archive order, names without `.npy`
//! assert_eq!(arrays, [("v".to_string(), v), ("weights".to_string(), w)]);
//!
//! let missing = read_npz(&dir.path().join("z2.npz"), "z2");
//! assert!(matches!(missing, Err(PersistError::MissingFile { .. })));
//! # Ok(()) }
//! ```

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

use cortecs_components::Real;
use cortecs_components::real::REAL_DTYPE;
use ndarray::ArrayD;
use ndarray_npy::{NpzReader, NpzWriter, ReadNpyError, ReadNpzError, WriteNpyError, WriteNpzError};

use super::atomic::write_atomic;
use super::error::PersistError;

/// Writes `arrays` to the `.npz` archive at `path`, in the given order, replacing it atomically.
///
/// Each array is stored as member `{name}.npy` with the dtype of [`Real`], so
/// `numpy.load(path)[name]` returns it. A failure leaves any previous file at `path` intact.
///
/// # Errors
///
/// [`PersistError::Io`] if the archive cannot be written (including a duplicate name).
pub fn write_npz(path: &Path, arrays: &[(String, ArrayD<Real>)]) -> Result<(), PersistError> {
    write_atomic(path, |file| {
        let mut npz = NpzWriter::new(file);
        for (name, array) in arrays {
            npz.add_array(name.as_str(), array).map_err(write_error)?;
        }
        npz.finish().map_err(write_error)?;
        Ok(())
    })
    .map_err(|source| PersistError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Reads every array of the `.npz` archive at `path`, the saved state of `entity`.
///
/// Returns the arrays in archive order, each named without its `.npy` suffix. `entity` is only
/// used to name the entity in errors.
///
/// # Errors
///
/// - [`PersistError::MissingFile`] if `path` does not exist;
/// - [`PersistError::Io`] if it cannot be opened;
/// - [`PersistError::Npz`] if it is not a valid archive of `.npy` arrays (corrupt, truncated);
/// - [`PersistError::Dtype`] if an array's dtype is not `REAL_DTYPE`.
pub fn read_npz(path: &Path, entity: &str) -> Result<Vec<(String, ArrayD<Real>)>, PersistError> {
    let file = File::open(path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => PersistError::MissingFile {
            path: path.to_owned(),
            entity: entity.to_owned(),
        },
        _ => PersistError::Io {
            path: path.to_owned(),
            source,
        },
    })?;
    let npz_error = |message: String| PersistError::Npz {
        path: path.to_owned(),
        entity: entity.to_owned(),
        message,
    };
    check_member_headers(&file).map_err(npz_error)?;
    let mut npz = NpzReader::new(BufReader::new(file)).map_err(|e| npz_error(e.to_string()))?;
    let names = npz.names().map_err(|e| npz_error(e.to_string()))?;

    let mut arrays = Vec::with_capacity(names.len());
    for (index, name) in names.into_iter().enumerate() {
        match npz.by_index::<_, ndarray::IxDyn>(index) {
            Ok(array) => arrays.push((name, array)),
            Err(ReadNpzError::Npy(ReadNpyError::WrongDescriptor(descr))) => {
                let descr = match descr.as_string() {
                    Some(descr) => descr.clone(),
                    None => descr.to_string(),
                };
                let mut found = dtype_name(&descr);
                if found == REAL_DTYPE {
                    // The right type with a byte order ndarray-npy does not read (e.g. "=f4").
                    found = format!("{found} (unsupported descriptor {descr:?})");
                }
                return Err(PersistError::Dtype {
                    path: path.to_owned(),
                    entity: entity.to_owned(),
                    array: name,
                    expected: REAL_DTYPE.to_owned(),
                    found,
                });
            }
            Err(e) => return Err(npz_error(format!("array `{name}`: {e}"))),
        }
    }
    Ok(arrays)
}

/// Checks the `.npy` header of every member of the archive in `file` with
/// [`check_plain_header`](super::npy::check_plain_header) before ndarray-npy parses it, reading
/// only the headers (at most 64 KiB each).
fn check_member_headers(file: &File) -> Result<(), String> {
    use std::io::{Read, Seek};
    let mut file = file.try_clone().map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(BufReader::new(&mut file)).map_err(|e| e.to_string())?;
    for index in 0..archive.len() {
        let member = archive.by_index(index).map_err(|e| e.to_string())?;
        let name = member.name().to_owned();
        let mut head = Vec::new();
        member
            .take(64 << 10)
            .read_to_end(&mut head)
            .map_err(|e| format!("array `{name}`: {e}"))?;
        super::npy::check_plain_header(&head).map_err(|e| format!("array `{name}`: {e}"))?;
    }
    drop(archive);
    file.rewind().map_err(|e| e.to_string())
}

/// Converts an error of the npz writer into the I/O error it (almost always) is.
fn write_error(err: WriteNpzError) -> io::Error {
    match err {
        WriteNpzError::Zip(zip) => io::Error::from(zip),
        WriteNpzError::Npy(WriteNpyError::Io(io)) => io,
        other => io::Error::other(other),
    }
}

/// The numpy dtype name (`"float64"`, `"int32"`, `"bool"`) of npy type descriptor `descr`
/// (`"<f8"`, `"<i4"`, `"|b1"`); `descr` itself when it is not a simple numeric type.
fn dtype_name(descr: &str) -> String {
    let body = descr.trim_start_matches(['<', '>', '=', '|']);
    let mut chars = body.chars();
    let kind = chars.next();
    let bytes: Option<usize> = chars.as_str().parse().ok();
    let bits = bytes.and_then(|n| n.checked_mul(8));
    match (kind, bits) {
        (Some('f'), Some(bits)) => format!("float{bits}"),
        (Some('i'), Some(bits)) => format!("int{bits}"),
        (Some('u'), Some(bits)) => format!("uint{bits}"),
        (Some('c'), Some(bits)) => format!("complex{bits}"),
        (Some('b'), Some(8)) => "bool".to_owned(),
        _ => descr.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, array};

    /// An archive member whose `.npy` header nests `{` (the shape of the inputs the table
    /// fuzzer found to take seconds each in ndarray-npy's header parser) is refused by the
    /// header guard, before ndarray-npy parses it.
    #[test]
    fn a_member_with_a_nested_header_is_refused_before_parsing() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("z1.npz");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("v.npy", options).unwrap();
        let header = "{ {    {  {   { {    {      {   {  {    {   { ".repeat(2);
        let mut member = b"\x93NUMPY\x01\x00".to_vec();
        member.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        member.extend_from_slice(header.as_bytes());
        zip.write_all(&member).unwrap();
        zip.finish().unwrap();
        let started = std::time::Instant::now();
        let err = read_npz(&path, "z1").unwrap_err().to_string();
        assert!(
            err.contains("array `v.npy`") && err.contains("plain array header"),
            "{err}"
        );
        // linear-time rejection; the nested parse took seconds for half this header
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }

    /// A float type that is not `Real`.
    #[cfg(not(feature = "f64"))]
    type OtherFloat = f64;
    /// A float type that is not `Real`.
    #[cfg(feature = "f64")]
    type OtherFloat = f32;
    /// The numpy name of [`OtherFloat`].
    const OTHER_DTYPE: &str = if cfg!(feature = "f64") {
        "float32"
    } else {
        "float64"
    };

    fn sample() -> Vec<(String, ArrayD<Real>)> {
        let m: Array2<Real> = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]];
        vec![
            // Not alphabetical: archive order must be kept.
            ("v".to_owned(), array![0.25, -1.0, 3.5, 1e-7].into_dyn()),
            ("m".to_owned(), m.clone().into_dyn()),
            // Non-standard layout.
            ("mt".to_owned(), m.reversed_axes().into_dyn()),
            ("empty".to_owned(), Array1::<Real>::zeros(0).into_dyn()),
        ]
    }

    fn write_other(path: &Path, arrays: impl FnOnce(&mut NpzWriter<File>)) {
        let mut npz = NpzWriter::new(File::create(path).expect("create"));
        arrays(&mut npz);
        npz.finish().expect("finish");
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pop.npz");
        let arrays = sample();
        write_npz(&path, &arrays).expect("write");
        let read = read_npz(&path, "pop").expect("read");
        assert_eq!(read, arrays);
        assert_eq!(read[1].1.shape(), &[2, 3]);
        assert_eq!(read[2].1.shape(), &[3, 2]);

        // Overwriting replaces the whole archive.
        let fewer = vec![("x".to_owned(), array![7.0 as Real].into_dyn())];
        write_npz(&path, &fewer).expect("rewrite");
        assert_eq!(read_npz(&path, "pop").expect("reread"), fewer);
    }

    #[test]
    fn missing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("absent.npz");
        match read_npz(&path, "pop") {
            Err(PersistError::MissingFile { path: p, entity }) => {
                assert_eq!(p, path);
                assert_eq!(entity, "pop");
            }
            other => panic!("expected MissingFile, got {other:?}"),
        }
    }

    #[test]
    fn truncated_or_corrupt_file_is_npz_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let good = dir.path().join("good.npz");
        write_npz(&good, &sample()).expect("write");
        let bytes = std::fs::read(&good).expect("read bytes");
        let bad = dir.path().join("bad.npz");
        // Every strict prefix, including the empty file.
        for len in 0..bytes.len() {
            std::fs::write(&bad, &bytes[..len]).expect("write prefix");
            match read_npz(&bad, "pop") {
                Err(PersistError::Npz { path, .. }) => assert_eq!(path, bad),
                other => panic!("prefix of {len} bytes: expected Npz error, got {other:?}"),
            }
        }
        // Garbage that is not a zip at all.
        std::fs::write(&bad, b"this is not an npz archive").expect("write garbage");
        let err = read_npz(&bad, "pop").expect_err("garbage");
        assert!(matches!(err, PersistError::Npz { .. }), "{err:?}");
        assert!(err.to_string().contains("bad.npz"), "{err}");
    }

    #[test]
    fn flipped_data_byte_is_npz_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pop.npz");
        let arrays = vec![("v".to_owned(), Array1::<Real>::zeros(64).into_dyn())];
        write_npz(&path, &arrays).expect("write");
        let mut bytes = std::fs::read(&path).expect("read bytes");
        // Inside the data of the only member: the zip CRC must catch it.
        let at = bytes.len() / 2;
        bytes[at] ^= 0x55;
        std::fs::write(&path, &bytes).expect("write corrupt");
        let err = read_npz(&path, "pop").expect_err("corrupt");
        assert!(matches!(err, PersistError::Npz { .. }), "{err:?}");
    }

    #[test]
    fn wrong_float_dtype_is_dtype_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pop.npz");
        write_other(&path, |npz| {
            npz.add_array("ok", &array![1.0 as Real]).expect("add");
            npz.add_array("v", &array![1.0 as OtherFloat, 2.0])
                .expect("add");
        });
        let err = read_npz(&path, "pop").expect_err("wrong dtype");
        match &err {
            PersistError::Dtype {
                entity,
                array,
                expected,
                found,
                ..
            } => {
                assert_eq!(entity, "pop");
                assert_eq!(array, "v");
                assert_eq!(expected, REAL_DTYPE);
                assert_eq!(found, OTHER_DTYPE);
            }
            other => panic!("expected Dtype, got {other:?}"),
        }
        let message = err.to_string();
        for part in ["pop.npz", "`pop`", "`v`", REAL_DTYPE, OTHER_DTYPE] {
            assert!(message.contains(part), "{message:?} lacks {part:?}");
        }
    }

    #[test]
    fn integer_dtype_is_dtype_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pop.npz");
        write_other(&path, |npz| {
            npz.add_array("i", &array![[1i64, 2], [3, 4]]).expect("add");
        });
        match read_npz(&path, "pop") {
            Err(PersistError::Dtype { array, found, .. }) => {
                assert_eq!(array, "i");
                assert_eq!(found, "int64");
            }
            other => panic!("expected Dtype, got {other:?}"),
        }
    }

    #[test]
    fn dtype_names() {
        assert_eq!(dtype_name("<f8"), "float64");
        assert_eq!(dtype_name(">f2"), "float16");
        assert_eq!(dtype_name("<i4"), "int32");
        assert_eq!(dtype_name("|u1"), "uint8");
        assert_eq!(dtype_name("|b1"), "bool");
        assert_eq!(dtype_name("<c16"), "complex128");
        assert_eq!(dtype_name("<U5"), "<U5");
        assert_eq!(
            dtype_name("<f99999999999999999999"),
            "<f99999999999999999999"
        );
        assert_eq!(dtype_name(""), "");
    }
}
