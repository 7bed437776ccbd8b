//! Saves that are atomic as a whole folder.
//!
//! A save directory `DIR` holds:
//!
//! ```text
//! DIR/model.ron                  the manifest: the resolved config, the step, and
//!                                `state: "state-<step>"`, the folder below
//! DIR/state-<step>/<entity>.npz  every array of every entity, all from that one step
//! DIR/state-<step>/probes/*.npz  the state of probes that have one (filtered NEF probes)
//! ```
//!
//! **Design: a new folder, then a manifest written last and read first.** A save
//! ([`NewState`]) writes every file into a *new* folder `state-<step>` (`state-<step>.<k>` if
//! that name is taken), each file fsynced, then fsyncs the folder and `DIR`, and only then
//! replaces `model.ron` atomically ([`write_atomic`]: temporary file, fsync, rename, fsync of
//! `DIR`). That rename is the single switch from the old save to the new one: loading reads
//! `model.ron` first and takes every array from the folder it names. A crash, a full disk or
//! any error before the rename leaves the old `model.ron` naming the old, untouched folder; after
//! it, the new save is complete on disk. Only then is the previous folder deleted.
//!
//! A rename of the whole directory was not chosen: replacing a non-empty directory by rename
//! is not atomic on most systems (it takes two renames, with a moment where `DIR` does not
//! exist), and it would need sibling folders beside `DIR`, outside what the user named.
//!
//! **Cleaning.** A crashed save leaves a `state-*` folder that `model.ron` does not name, or a
//! `.model.ron.tmp-*` file. The next save deletes exactly these names before writing — folders
//! named `state-<digits>` or `state-<digits>.<digits>` that the current manifest does not name,
//! and files named `.<name>.tmp-<digits>-<digits>` ([`write_atomic`]'s temporaries, including
//! the `.<entity>.npz.tmp-*` left by the earlier flat layout) — and nothing else in `DIR`. It
//! deletes nothing if `model.ron` exists but cannot be read. Two processes must not save to
//! the same directory at once.
//!
//! **The flat layout** of earlier versions (`model.ron` without `state`, `<entity>.npz` beside
//! it) still loads: [`state_dir`] is then `DIR` itself.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::atomic::{sync_dir, write_atomic};
use super::error::PersistError;

/// The manifest of a save directory.
pub const MANIFEST: &str = "model.ron";

/// The folder under a state folder that holds the probes' state.
pub const PROBES: &str = "probes";

/// What the save machinery reads of `model.ron`: the folder it names.
#[derive(Deserialize)]
#[serde(rename = "Model")]
struct Manifest {
    #[serde(default)]
    state: Option<String>,
}

/// The state folder a manifest text names (`None`: the flat layout). `path` names the file in
/// errors.
///
/// # Errors
///
/// [`PersistError::Manifest`] if the text is not RON, or names a folder that is not a state
/// folder this design writes (e.g. one with a path separator).
pub fn manifest_state(text: &str, path: &Path) -> Result<Option<String>, PersistError> {
    let manifest: Manifest = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| PersistError::Manifest {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
    match manifest.state {
        Some(name) if !is_state_folder(&name) => Err(PersistError::Manifest {
            path: path.to_owned(),
            message: format!(
                "`state: {name:?}` is not a state folder (expected `state-<step>` or \
                 `state-<step>.<k>`)"
            ),
        }),
        state => Ok(state),
    }
}

/// The folder of save directory `dir` that holds its arrays: `dir/<state>` as `model.ron`
/// names it, or `dir` itself for a save of the flat layout.
///
/// # Errors
///
/// [`PersistError::MissingFile`] if `dir/model.ron` does not exist, [`PersistError::Io`] if it
/// cannot be read, [`PersistError::Manifest`] if it is not valid.
pub fn state_dir(dir: &Path) -> Result<PathBuf, PersistError> {
    let path = dir.join(MANIFEST);
    let text = fs::read_to_string(&path).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => PersistError::MissingFile {
            path: path.clone(),
            entity: MANIFEST.into(),
        },
        _ => PersistError::Io {
            path: path.clone(),
            source,
        },
    })?;
    Ok(match manifest_state(&text, &path)? {
        Some(name) => dir.join(name),
        None => dir.to_path_buf(),
    })
}

/// Whether `name` is a state folder's name: `state-<digits>` or `state-<digits>.<digits>`.
pub fn is_state_folder(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match name.strip_prefix("state-") {
        Some(rest) => match rest.split_once('.') {
            Some((step, k)) => digits(step) && digits(k),
            None => digits(rest),
        },
        None => false,
    }
}

/// Whether `name` is a temporary file of [`write_atomic`]: `.<file>.tmp-<digits>-<digits>`.
pub fn is_temp_file(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some(rest) = name.strip_prefix('.') else {
        return false;
    };
    let Some((file, tail)) = rest.rsplit_once(".tmp-") else {
        return false;
    };
    let Some((pid, counter)) = tail.split_once('-') else {
        return false;
    };
    !file.is_empty() && digits(pid) && digits(counter)
}

/// Deletes what crashed saves left in `dir`: state folders other than `live`, and temporary
/// files (see the module documentation). Best effort: what cannot be deleted stays.
fn clean_stale(dir: &Path, live: Option<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && is_state_folder(name) && Some(name) != live {
            let _ = fs::remove_dir_all(entry.path());
        } else if kind.is_file() && is_temp_file(name) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// A save being written: a new state folder in the save directory, deleted when dropped
/// unless [`commit`](Self::commit)ted.
pub struct NewState {
    dir: PathBuf,
    name: String,
    path: PathBuf,
    previous: Option<String>,
    committed: bool,
}

impl NewState {
    /// Starts a save of step `step` in `dir` (created if missing): reads which state folder
    /// `dir/model.ron` names, deletes what crashed saves left behind, and creates a new, empty
    /// state folder.
    ///
    /// # Errors
    ///
    /// [`PersistError::Io`] if `dir` or the folder cannot be created, or if `model.ron` exists
    /// but cannot be read.
    pub fn begin(dir: &Path, step: u64) -> Result<Self, PersistError> {
        let io_err = |path: &Path, source| PersistError::Io {
            path: path.to_owned(),
            source,
        };
        fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let manifest = dir.join(MANIFEST);
        let previous = match fs::read_to_string(&manifest) {
            Ok(text) => match manifest_state(&text, &manifest) {
                Ok(state) => {
                    clean_stale(dir, state.as_deref());
                    state
                }
                // Unreadable: keep every folder, a person may want them back.
                Err(_) => None,
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                clean_stale(dir, None);
                None
            }
            Err(e) => return Err(io_err(&manifest, e)),
        };
        let mut k = 0u32;
        loop {
            let name = match k {
                0 => format!("state-{step}"),
                k => format!("state-{step}.{k}"),
            };
            let path = dir.join(&name);
            match fs::create_dir(&path) {
                Ok(()) => {
                    return Ok(Self {
                        dir: dir.to_owned(),
                        name,
                        path,
                        previous,
                        committed: false,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => k += 1,
                Err(e) => return Err(io_err(&path, e)),
            }
        }
    }

    /// The new state folder's name (what the manifest must name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The new state folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the new folder the save: fsyncs it and the save directory, then writes the
    /// manifest `manifest` (which must name [`name`](Self::name)) atomically, then deletes the
    /// previous state folder.
    ///
    /// # Errors
    ///
    /// [`PersistError::Io`] if the manifest cannot be written; the previous save then stays
    /// the save, and the new folder is deleted.
    pub fn commit(mut self, manifest: &str) -> Result<(), PersistError> {
        sync_dir(&self.path);
        sync_dir(&self.dir);
        let path = self.dir.join(MANIFEST);
        write_atomic(&path, |f| io::Write::write_all(f, manifest.as_bytes()))
            .map_err(|source| PersistError::Io { path, source })?;
        self.committed = true;
        if let Some(previous) = self.previous.take().filter(|p| *p != self.name) {
            let _ = fs::remove_dir_all(self.dir.join(previous));
        }
        Ok(())
    }
}

impl Drop for NewState {
    fn drop(&mut self) {
        if !self.committed {
            // Best effort: the error that stopped the save is what the caller needs to see.
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_this_design_writes() {
        for name in ["state-0", "state-200", "state-200.1", "state-7.12"] {
            assert!(is_state_folder(name), "{name}");
        }
        for name in [
            "state-",
            "state-x",
            "state-1.",
            "state-1.2.3",
            "state-../x",
            "states-1",
            "state-1/2",
            "z1.npz",
        ] {
            assert!(!is_state_folder(name), "{name}");
        }
        for name in [".W1.npz.tmp-123-0", ".model.ron.tmp-9-41"] {
            assert!(is_temp_file(name), "{name}");
        }
        for name in [
            "W1.npz.tmp-123-0",
            ".W1.npz.tmp-123",
            ".tmp-1-2",
            ".W1.npz.tmp-a-1",
            ".bashrc",
            "notes.tmp-1-2",
        ] {
            assert!(!is_temp_file(name), "{name}");
        }
    }

    #[test]
    fn a_dropped_save_leaves_nothing_and_the_next_cleans_only_its_own_names() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        fs::write(d.join("notes.txt"), "mine").expect("write");
        fs::create_dir(d.join("state-notes")).expect("mkdir");
        let s = NewState::begin(d, 5).expect("begin");
        assert_eq!(s.name(), "state-5");
        fs::write(s.path().join("z.npz"), "x").expect("write");
        drop(s);
        assert!(!d.join("state-5").exists());

        // What a crash leaves: an orphan folder and a temporary file.
        fs::create_dir(d.join("state-3")).expect("mkdir");
        fs::write(d.join(".W1.npz.tmp-77-0"), "half").expect("write");
        let s = NewState::begin(d, 6).expect("begin");
        s.commit("Model(dt: 1.0, state: \"state-6\")")
            .expect("commit");
        let mut names: Vec<String> = fs::read_dir(d)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["model.ron", "notes.txt", "state-6", "state-notes"]);
        assert_eq!(state_dir(d).expect("state_dir"), d.join("state-6"));

        // The next save replaces it and removes the previous folder.
        let s = NewState::begin(d, 6).expect("begin");
        assert_eq!(s.name(), "state-6.1");
        s.commit("Model(dt: 1.0, state: \"state-6.1\")")
            .expect("commit");
        assert!(!d.join("state-6").exists());
        assert_eq!(state_dir(d).expect("state_dir"), d.join("state-6.1"));
    }

    #[test]
    fn a_manifest_naming_another_path_is_an_error() {
        let path = Path::new("model.ron");
        assert_eq!(manifest_state("Model(dt: 1.0)", path).expect("flat"), None);
        let err = manifest_state("Model(dt: 1.0, state: \"../elsewhere\")", path)
            .expect_err("not a state folder");
        assert!(err.to_string().contains("../elsewhere"), "{err}");
    }
}
