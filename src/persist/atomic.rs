//! Crash-safe file replacement: write a temporary file, fsync it, rename it over the target.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes the temporary files of concurrent saves within one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes the temporary file when dropped, unless it has been renamed into place.
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the original error (or panic) is what the caller needs to see.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Atomically replaces the file at `path` with the bytes that `write` writes.
///
/// `write` receives a fresh temporary file, `.{file}.tmp-{pid}-{counter}`, in the same
/// directory as `path` (so that the final rename stays on one filesystem). Once it returns
/// `Ok`, the temporary file is fsynced and renamed over `path`, and then the directory is
/// fsynced so that the rename itself is durable (errors of that last step are ignored, as some
/// platforms and filesystems do not support syncing a directory).
///
/// If `write` or any step before the rename fails (or `write` panics), the temporary file is
/// removed and whatever was at `path` before is left untouched. Readers therefore see either
/// the old file or the complete new one, never a partial write.
///
/// # Errors
///
/// The first I/O error met, including any returned by `write`; an error of kind
/// [`io::ErrorKind::InvalidInput`] if `path` has no file name.
///
/// ```
/// use std::io::Write;
/// use cortecs::persist::atomic::{write_atomic, write_atomic_bytes};
/// # fn main() -> std::io::Result<()> {
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("state.txt");
/// write_atomic_bytes(&path, b"old")?;
/// let failed = write_atomic(&path, |f| {
///     f.write_all(b"half of the new")?;
///     Err(std::io::Error::other("disk full"))
/// });
/// assert!(failed.is_err());
/// assert_eq!(std::fs::read(&path)?, b"old"); // untouched
/// assert_eq!(std::fs::read_dir(dir.path())?.count(), 1); // no temporary file left
///
/// write_atomic(&path, |f| f.write_all(b"new"))?;
/// assert_eq!(std::fs::read(&path)?, b"new");
/// # Ok(()) }
/// ```
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let file_name = path.file_name().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} does not name a file", path.display()),
        )
    })?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };

    let counter = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut temp_name = OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".tmp-{}-{counter}", std::process::id()));
    let mut guard = TempGuard {
        path: dir.join(temp_name),
        armed: false,
    };

    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&guard.path)?;
    guard.armed = true;
    write(&mut file)?;
    file.flush()?;
    file.sync_all()?;
    drop(file);
    fs::rename(&guard.path, path)?;
    guard.armed = false;

    sync_dir(dir);
    Ok(())
}

/// Atomically replaces the file at `path` with `bytes`; see [`write_atomic`].
///
/// # Errors
///
/// As [`write_atomic`].
pub fn write_atomic_bytes(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomic(path, |file| file.write_all(bytes))
}

/// Fsyncs directory `dir` so that a rename within it is durable, ignoring failures.
#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(handle) = File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// Directories cannot be opened and synced portably outside Unix; NTFS journals the rename.
#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the entries of `dir`, sorted.
    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("read_dir")
            .map(|entry| {
                entry
                    .expect("dir entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_and_replaces_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.bin");
        write_atomic_bytes(&path, b"first").expect("first write");
        assert_eq!(fs::read(&path).expect("read"), b"first");
        write_atomic(&path, |file| {
            file.write_all(b"sec")?;
            file.write_all(b"ond")
        })
        .expect("second write");
        assert_eq!(fs::read(&path).expect("read"), b"second");
        assert_eq!(entries(dir.path()), ["state.bin"]);
    }

    #[test]
    fn failing_writer_leaves_previous_file_and_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.bin");
        write_atomic_bytes(&path, b"precious").expect("first write");
        let err = write_atomic(&path, |file| {
            file.write_all(b"partial garbage")?;
            Err(io::Error::other("simulated failure"))
        })
        .expect_err("writer failed");
        assert_eq!(err.to_string(), "simulated failure");
        assert_eq!(fs::read(&path).expect("read"), b"precious");
        assert_eq!(entries(dir.path()), ["state.bin"]);
    }

    #[test]
    fn failing_writer_without_previous_file_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.bin");
        write_atomic(&path, |_| Err(io::Error::other("nope"))).expect_err("writer failed");
        assert!(entries(dir.path()).is_empty());
    }

    #[test]
    fn panicking_writer_leaves_no_temp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.bin");
        write_atomic_bytes(&path, b"precious").expect("first write");
        let result = std::panic::catch_unwind(|| {
            let _ = write_atomic(&path, |_| panic!("writer panicked"));
        });
        assert!(result.is_err());
        assert_eq!(fs::read(&path).expect("read"), b"precious");
        assert_eq!(entries(dir.path()), ["state.bin"]);
    }

    #[test]
    fn missing_directory_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("no/such/dir/state.bin");
        assert!(write_atomic_bytes(&path, b"x").is_err());
    }
}
