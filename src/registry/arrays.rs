//! Named arrays: compartments and other per-entity data addressable by reference name.

use bevy_ecs::prelude::*;
use ndarray::{ArrayD, ArrayViewD, IxDyn};

use crate::components::Real;
use crate::components::compartment::{Compartment, MatrixArray};
use crate::probe::{self, ProbeSpec};
use crate::schedule::StepSchedule;

/// Reads a named array of an entity, if the entity has it.
pub type GetFn = fn(&World, Entity) -> Option<ArrayD<Real>>;
/// Overwrites a named array of an entity; `Err(expected shape)` if the shape differs.
pub type SetFn = fn(&mut World, Entity, ArrayViewD<Real>) -> Result<(), Vec<usize>>;

/// How to read, write and record one named array.
#[derive(Clone)]
pub struct ArrayEntry {
    /// Reference name (`"v"`, `"weights"` …).
    pub name: &'static str,
    /// Reads it.
    pub get: GetFn,
    /// Writes it (same shape).
    pub set: SetFn,
    /// For compartments: spawns a probe recording it and adds the record system.
    pub probe: Option<ProbeHooks>,
}

/// How to probe a compartment type.
#[derive(Clone, Copy)]
pub struct ProbeHooks {
    /// Spawns the probe entity.
    pub spawn: fn(&mut World, &ProbeSpec, Entity, usize, usize) -> Entity,
    /// Adds the record system for this compartment type.
    pub add_system: fn(&mut StepSchedule),
    /// Reserves room for `rows` more samples.
    pub reserve: fn(&mut World, Entity, usize),
    /// The recorded samples, rows × units.
    pub data: fn(&World, Entity) -> Option<ndarray::Array2<Real>>,
    /// Takes the recorded samples out (row-major), leaving none in memory.
    pub drain: fn(&mut World, Entity) -> Vec<Real>,
}

impl ArrayEntry {
    /// The entry of compartment `C` (1-D, one value per unit).
    pub fn compartment<C: Compartment>() -> Self {
        fn get<C: Compartment>(w: &World, e: Entity) -> Option<ArrayD<Real>> {
            let c = w.get::<C>(e)?;
            ArrayD::from_shape_vec(IxDyn(&[c.values().len()]), c.values().to_vec()).ok()
        }
        fn set<C: Compartment>(
            w: &mut World,
            e: Entity,
            a: ArrayViewD<Real>,
        ) -> Result<(), Vec<usize>> {
            let Some(mut c) = w.get_mut::<C>(e) else {
                return Err(vec![]);
            };
            let n = c.values().len();
            // ngclearn stores compartments as (batch = 1, n): accept that shape too.
            let ok = a.shape() == [n] || a.shape() == [1, n];
            if !ok {
                return Err(vec![n]);
            }
            for (dst, src) in c.values_mut().iter_mut().zip(a.iter()) {
                *dst = *src;
            }
            Ok(())
        }
        Self {
            name: C::NAME,
            get: get::<C>,
            set: set::<C>,
            probe: Some(ProbeHooks {
                spawn: probe::spawn::<C>,
                add_system: probe::add_record_system::<C>,
                reserve: probe::reserve::<C>,
                data: probe::data::<C>,
                drain: probe::drain::<C>,
            }),
        }
    }

    /// The entry of matrix `M` (`rows × columns`, e.g. synaptic `weights`).
    pub fn matrix<M: MatrixArray>() -> Self {
        fn get<M: MatrixArray>(w: &World, e: Entity) -> Option<ArrayD<Real>> {
            let m = w.get::<M>(e)?;
            ArrayD::from_shape_vec(IxDyn(&m.shape()), m.values().to_vec()).ok()
        }
        fn set<M: MatrixArray>(
            w: &mut World,
            e: Entity,
            a: ArrayViewD<Real>,
        ) -> Result<(), Vec<usize>> {
            let Some(mut m) = w.get_mut::<M>(e) else {
                return Err(vec![]);
            };
            let shape = m.shape();
            if a.shape() != shape {
                return Err(shape.to_vec());
            }
            for (dst, src) in m.values_mut().iter_mut().zip(a.iter()) {
                *dst = *src;
            }
            Ok(())
        }
        Self {
            name: M::NAME,
            get: get::<M>,
            set: set::<M>,
            probe: None,
        }
    }
}
