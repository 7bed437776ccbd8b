//! Save/load (DESIGN §7) and writing probes.

use std::path::Path;

use bevy_ecs::entity::Entity;
use ndarray::ArrayD;
use ndarray_npy::WriteNpyExt;

use super::Model;
use crate::components::Real;
use crate::config::Source;
use crate::error::Error;
use crate::persist::PersistError;
use crate::persist::atomic::write_atomic;
use crate::persist::folder::{MANIFEST, NewState, PROBES, manifest_state};
use crate::persist::npz::{read_npz, write_npz};
use crate::probe::ProbeSpec;
use crate::probe::nef::NefProbe;
use crate::registry::Registry;

/// The array of a probe's state file ([`NefProbe::state`]).
const PROBE_STATE: &str = "state";

/// `Err` naming the first value of `values` that is not finite (no saved array may hold one:
/// every compartment, weight and filter state of a running model is finite, and time of last
/// spike has no infinite sentinel).
fn check_finite(
    path: &Path,
    entity: &str,
    array: &str,
    values: &ArrayD<Real>,
) -> Result<(), PersistError> {
    let Some((index, value)) = values.indexed_iter().find(|(_, v)| !v.is_finite()) else {
        return Ok(());
    };
    Err(PersistError::NonFinite {
        path: path.to_owned(),
        entity: entity.to_owned(),
        array: array.to_owned(),
        index: ndarray::Dimension::slice(&index).to_vec(),
        value: f64::from(*value),
        count: values.iter().filter(|v| !v.is_finite()).count(),
    })
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::from(PersistError::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl Model {
    /// Saves the model to `dir`, atomically as a whole: `dir/model.ron` (the resolved config,
    /// with the current step) names a folder `dir/state-<step>` holding one `<entity>.npz`
    /// per entity with every array it has (compartments, weights, synapse states …) under
    /// reference names, and `probes/<probe>.npz` for each probe with state (a filtered NEF
    /// probe's filter). The folder is written and fsynced first and `model.ron` last, so a
    /// crash or a full disk at any moment leaves the previous save in `dir` complete and
    /// loadable; see [`crate::persist::folder`] for the layout and what is cleaned up.
    ///
    /// Parameters are saved as the config records them: change them with
    /// [`set_param`](Self::set_param), not through [`world_mut`](Self::world_mut). User
    /// systems and resources are not saved.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), Error> {
        let dir = dir.as_ref();
        let new = NewState::begin(dir, self.clock().step)?;
        for info in &self.entities {
            let arrays: Vec<(String, ArrayD<Real>)> = self
                .registry
                .arrays()
                .filter_map(|a| (a.get)(&self.world, info.entity).map(|v| (a.name.to_string(), v)))
                .collect();
            write_npz(&new.path().join(format!("{}.npz", info.name)), &arrays)?;
        }
        let states = self.probe_states();
        if !states.is_empty() {
            let probes = new.path().join(PROBES);
            std::fs::create_dir(&probes).map_err(|e| io_err(&probes, e))?;
            for (stem, _, state) in states {
                let Some(state) = state else { continue };
                write_npz(
                    &probes.join(format!("{stem}.npz")),
                    &[(PROBE_STATE.to_string(), state)],
                )?;
            }
        }
        let mut config = self.config();
        let base = std::path::absolute(&self.base_dir).unwrap_or_else(|_| self.base_dir.clone());
        config.base_dir = Some(base);
        config.state = Some(new.name().to_string());
        new.commit(&config.to_ron())?;
        Ok(())
    }

    /// For each probe with dynamic state: its file stem, its entity and the state (probes
    /// without state are left out; the list is empty when no probe has one).
    fn probe_states(&self) -> Vec<(String, Entity, Option<ArrayD<Real>>)> {
        let names = ProbeSpec::file_names(self.probes.iter().map(|p| &p.spec));
        self.probes
            .iter()
            .zip(names)
            .filter_map(|(p, name)| {
                let state = self.world.get::<NefProbe>(p.entity)?.state()?;
                let stem = name.trim_end_matches(".npy").to_string();
                Some((stem, p.entity, Some(state)))
            })
            .collect()
    }

    /// Loads a model saved by [`save`](Self::save), with the built-in kinds.
    ///
    /// The loaded model continues bit for bit as the saved one would have. What `save` does
    /// not record must be set up again: user systems added with
    /// [`schedule_mut`](Self::schedule_mut), user resources, node functions set with
    /// [`set_node_function`](Self::set_node_function) and connection functions set with
    /// [`set_connection_function`](Self::set_connection_function); user kinds need
    /// [`load_with`](Self::load_with) and a registry that has them.
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, Error> {
        Self::load_with(dir, &Registry::with_builtins())
    }

    /// Loads a saved model, resolving kinds in `registry` (see [`load`](Self::load) for what
    /// must be set up again). `dir/model.ron` is read first and names the folder every array
    /// comes from (a save of the earlier flat layout, with `<entity>.npz` beside `model.ron`,
    /// loads too). Every array of every entity must be present with the name, shape and dtype
    /// the model has, and hold only finite values; anything else is an error naming the file,
    /// the entity, the array, what was expected and what was found.
    pub fn load_with(dir: impl AsRef<Path>, registry: &Registry) -> Result<Self, Error> {
        Self::load_checked(dir.as_ref(), registry, true)
    }

    /// As [`load_with`](Self::load_with), but keeps values that are not finite (NaN, ±inf)
    /// instead of refusing them: to inspect a damaged save, not to run it.
    pub fn load_unchecked(dir: impl AsRef<Path>, registry: &Registry) -> Result<Self, Error> {
        Self::load_checked(dir.as_ref(), registry, false)
    }

    fn load_checked(dir: &Path, registry: &Registry, finite: bool) -> Result<Self, Error> {
        let path = dir.join(MANIFEST);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::from(PersistError::MissingFile {
                path: path.clone(),
                entity: MANIFEST.into(),
            }),
            _ => io_err(&path, e),
        })?;
        let mut model = Self::from_source(&Source::new(&text, &path), registry)?;
        let state = manifest_state(&text, &path)?;
        let flat = state.is_none();
        let arrays_dir = state.map_or_else(|| dir.to_path_buf(), |s| dir.join(s));
        model.base_dir = model
            .config
            .base_dir
            .clone()
            .unwrap_or_else(|| dir.to_path_buf());
        for info in model.entities.clone() {
            let file = arrays_dir.join(format!("{}.npz", info.name));
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
                if finite {
                    check_finite(&file, &info.name, name, values)?;
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
        for (stem, entity, _) in model.probe_states() {
            let file = arrays_dir.join(PROBES).join(format!("{stem}.npz"));
            if flat && !file.exists() {
                // Saves of the flat layout did not keep probe state: it starts from 0.
                continue;
            }
            let label = format!("probe {stem}");
            let arrays = read_npz(&file, &label)?;
            let Some((_, values)) = arrays.iter().find(|(n, _)| n == PROBE_STATE) else {
                return Err(PersistError::MissingArray {
                    path: file,
                    entity: label,
                    array: PROBE_STATE.into(),
                }
                .into());
            };
            if finite {
                check_finite(&file, &label, PROBE_STATE, values)?;
            }
            let mut probe = model
                .world
                .get_mut::<NefProbe>(entity)
                .expect("probe_states lists NEF probes only");
            probe.set_state(values.view()).map_err(|expected| {
                Error::from(PersistError::Shape {
                    path: file.clone(),
                    entity: label.clone(),
                    array: PROBE_STATE.into(),
                    expected,
                    found: values.shape().to_vec(),
                })
            })?;
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
