//! A guard for `.npy` headers before a full parser sees them.
//!
//! The header of a `.npy` file is a Python dict literal. The parser behind `ndarray-npy` takes
//! time exponential in the nesting of unclosed brackets: a 131-byte file of `{` and spaces (found
//! by `fuzz/run.sh table`) took 15 s to reject, and a few bytes more would hang a run. The
//! arrays cortecs reads are plain float arrays, whose header is always one flat dict such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (100, 3), }`: one `{…}` holding at most one
//! `(…)` tuple and no lists. [`check_plain_header`] refuses anything else in linear time.

/// Checks that `bytes` (a whole `.npy` file, or at least its start) begins with a `.npy` header
/// of the plain form above.
///
/// # Errors
///
/// A message saying what is wrong: not a `.npy` file (bad magic or version, header longer than
/// the file), or a header that is not one flat dict with at most one shape tuple.
///
/// ```
/// use cortecs::persist::npy::check_plain_header;
/// let mut file = b"\x93NUMPY\x01\x00".to_vec();
/// let header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
/// file.extend_from_slice(&(header.len() as u16).to_le_bytes());
/// file.extend_from_slice(header);
/// assert!(check_plain_header(&file).is_ok());
///
/// let nested = b"\x93NUMPY\x01\x00\x05\x00{{{{{".to_vec();
/// assert!(check_plain_header(&nested).is_err());
/// ```
pub fn check_plain_header(bytes: &[u8]) -> Result<(), String> {
    let Some(rest) = bytes.strip_prefix(b"\x93NUMPY") else {
        return Err("not a .npy file (no \\x93NUMPY magic)".into());
    };
    let (len, rest) = match rest {
        [1, _, a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
        [2 | 3, _, a, b, c, d, rest @ ..] => {
            let len = u32::from_le_bytes([*a, *b, *c, *d]);
            (usize::try_from(len).unwrap_or(usize::MAX), rest)
        }
        [major, ..] => return Err(format!("unsupported .npy format version {major}")),
        [] => return Err("not a .npy file (truncated before its version)".into()),
    };
    let Some(header) = rest.get(..len) else {
        return Err(format!(
            "the .npy header claims {len} bytes, but the file has {} after it",
            rest.len()
        ));
    };
    let count = |c: u8| header.iter().filter(|&&b| b == c).count();
    let flat = count(b'{') == 1
        && count(b'}') == 1
        && count(b'(') <= 1
        && count(b')') == count(b'(')
        && count(b'[') == 0;
    if flat {
        Ok(())
    } else {
        Err("the .npy header is not a plain array header (one dict with a shape tuple)".into())
    }
}

#[cfg(test)]
mod tests {
    use super::check_plain_header;

    fn npy(header: &str) -> Vec<u8> {
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend_from_slice(&u16::try_from(header.len()).unwrap().to_le_bytes());
        file.extend_from_slice(header.as_bytes());
        file
    }

    #[test]
    fn plain_float_headers_pass() {
        for shape in ["()", "(5,)", "(100, 3)"] {
            let h = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n");
            assert_eq!(check_plain_header(&npy(&h)), Ok(()), "{h}");
        }
    }

    /// The shape of the inputs the fuzzer found slow: unclosed `{` in a version-1 header.
    #[test]
    fn nested_or_structured_headers_are_refused() {
        for h in [
            "{ {    {  {   { {    {      {   ",
            "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': ((2,), 3), }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, }",
        ] {
            assert!(check_plain_header(&npy(h)).is_err(), "{h}");
        }
    }

    #[test]
    fn truncated_and_foreign_files_are_refused() {
        let mut short = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }");
        short.truncate(20);
        assert!(check_plain_header(&short).is_err());
        assert!(check_plain_header(b"PK\x03\x04").is_err());
        assert!(check_plain_header(b"\x93NUMPY").is_err());
        assert!(check_plain_header(b"\x93NUMPY\x09\x00\x05\x00{}").is_err());
    }
}
