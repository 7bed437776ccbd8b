//! Save/load (DESIGN §7) and writing probes.

use std::path::Path;

use ndarray::ArrayD;
use ndarray_npy::WriteNpyExt;

use super::Model;
use crate::components::Real;
use crate::config::Source;
use crate::error::Error;
use crate::persist::PersistError;
use crate::persist::atomic::write_atomic;
use crate::persist::npz::{read_npz, write_npz};
use crate::probe::ProbeSpec;
use crate::registry::Registry;

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::from(PersistError::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl Model {
    /// Saves the model to `dir`: `model.ron` (the resolved config, with the current step)
    /// and one `<entity>.npz` per entity holding every array it has (compartments, weights …)
    /// under reference names. Each file is written atomically (temp file, fsync, rename), and
    /// `model.ron` last.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), Error> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        for info in &self.entities {
            let arrays: Vec<(String, ArrayD<Real>)> = self
                .registry
                .arrays()
                .filter_map(|a| (a.get)(&self.world, info.entity).map(|v| (a.name.to_string(), v)))
                .collect();
            write_npz(&dir.join(format!("{}.npz", info.name)), &arrays)?;
        }
        let mut config = self.config();
        let base = std::path::absolute(&self.base_dir).unwrap_or_else(|_| self.base_dir.clone());
        config.base_dir = Some(base);
        let path = dir.join("model.ron");
        write_atomic(&path, |f| {
            std::io::Write::write_all(f, config.to_ron().as_bytes())
        })
        .map_err(|e| io_err(&path, e))
    }

    /// Loads a model saved by [`save`](Self::save), with the built-in kinds.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_with(dir, &Registry::with_builtins())
    }

    /// Loads a saved model, resolving kinds in `registry`. Every array of every entity must
    /// be present with the name, shape and dtype the model has; anything else is an error
    /// naming the entity, the array, what was expected and what was found.
    pub fn load_with(dir: impl AsRef<Path>, registry: &Registry) -> Result<Self, Error> {
        let dir = dir.as_ref();
        let path = dir.join("model.ron");
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::from(PersistError::MissingFile {
                path: path.clone(),
                entity: "model.ron".into(),
            }),
            _ => io_err(&path, e),
        })?;
        let mut model = Self::from_source(&Source::new(&text, &path), registry)?;
        model.base_dir = model
            .config
            .base_dir
            .clone()
            .unwrap_or_else(|| dir.to_path_buf());
        for info in model.entities.clone() {
            let file = dir.join(format!("{}.npz", info.name));
            let arrays = read_npz(&file, &info.name)?;
            let expected = model.array_names(&info.name)?;
            for (name, values) in &arrays {
                if !expected.contains(&name.as_str()) {
                    return Err(PersistError::UnknownArray {
                        path: file,
                        entity: info.name.clone(),
                        array: name.clone(),
                        expected: expected.iter().map(|s| s.to_string()).collect(),
                    }
                    .into());
                }
                model
                    .set_array(&info.name, name, values.view())
                    .map_err(|e| match e {
                        Error::Shape {
                            expected, found, ..
                        } => Error::from(PersistError::Shape {
                            path: file.clone(),
                            entity: info.name.clone(),
                            array: name.clone(),
                            expected,
                            found,
                        }),
                        e => e,
                    })?;
            }
            if let Some(missing) = expected
                .iter()
                .find(|n| !arrays.iter().any(|(a, _)| a == *n))
            {
                return Err(PersistError::MissingArray {
                    path: file,
                    entity: info.name.clone(),
                    array: missing.to_string(),
                }
                .into());
            }
        }
        Ok(model)
    }

    /// Writes every probe as `<dir>/<entity>.<compartment>.npy` (steps × units; a probe of a
    /// unit range gets `.<start>-<end>` before `.npy`) and the resolved config as
    /// `<dir>/model.ron`. Returns the files written. Streamed probes
    /// ([`Model::stream_probes`]) are already in their files: those are synced to disk instead.
    pub fn write_probes(&self, dir: impl AsRef<Path>) -> Result<Vec<std::path::PathBuf>, Error> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
        let mut written = Vec::new();
        if let Some((_, files)) = &self.stream {
            for f in files {
                f.sync().map_err(|e| io_err(f.path(), e))?;
                written.push(f.path().to_path_buf());
            }
        }
        let names = ProbeSpec::file_names(self.probes.iter().map(|p| &p.spec));
        for (p, name) in self
            .probes
            .iter()
            .zip(names)
            .filter(|_| self.stream.is_none())
        {
            let Some(data) = (p.hooks.data)(&self.world, p.entity) else {
                continue;
            };
            let path = dir.join(name);
            write_atomic(&path, |f| data.write_npy(f).map_err(std::io::Error::other))
                .map_err(|e| io_err(&path, e))?;
            written.push(path);
        }
        let path = dir.join("model.ron");
        write_atomic(&path, |f| {
            std::io::Write::write_all(f, self.config().to_ron().as_bytes())
        })
        .map_err(|e| io_err(&path, e))?;
        written.push(path);
        Ok(written)
    }
}
