//! Config → ECS world: the one path every model takes (files, strings, the Rust builder and
//! `load` all come through here).

use std::collections::HashMap;

use bevy_ecs::prelude::*;
use ron::value::RawValue;

use super::{EntityInfo, Model, ProbeInfo};
use crate::components::Clock;
use crate::components::compartment::Current;
use crate::components::nef::connection::FactorCache;
use crate::components::nef::ensemble::RateModel;
use crate::components::nef::slice::Selector;
use crate::components::nef::systems::NefAfferents;
use crate::components::synapses::gather::gather_system;
use crate::components::synapses::{Afferents, Post, Pre};
use crate::config::{ConfigError, ConfigErrorKind as K, EntitySpec, ModelConfig, Source};
use crate::error::nearest;
use crate::registry::arrays::ProbeHooks;
use crate::registry::{BuildCtx, Endpoint, KindError, Registry, Role};
use crate::schedule::{Phase, StepSchedule};

type Result<T> = std::result::Result<T, Box<ConfigError>>;

/// Builds a model from a parsed config.
pub(crate) fn build(
    src: &Source,
    doc: &ModelConfig<&RawValue>,
    registry: &Registry,
    target: super::Target,
) -> Result<Model> {
    if !(doc.dt.is_finite() && doc.dt > 0.0) {
        let off = src.find_key("dt", 0);
        return Err(src.error_at(off, None, K::Dt(doc.dt)));
    }
    let mut world = World::new();
    world.insert_resource(super::MemoryBudget::new(
        src.max_memory.unwrap_or_else(super::default_memory_limit),
    ));
    world.insert_resource(Clock {
        step: doc.step,
        dt: doc.dt,
    });
    // Decoder factorizations shared during this build (dropped at its end).
    world.insert_resource(FactorCache::default());
    if target == super::Target::Loihi {
        world.insert_resource(RateModel::Loihi { dt_ms: doc.dt });
    }
    let mut schedule = StepSchedule::new();
    schedule.add(Phase::Gather, gather_system);
    let mut model_entities: Vec<EntityInfo> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut resolved = doc.to_owned_config();
    let mut systems_added: Vec<&'static str> = Vec::new();
    let base_dir = doc.base_dir.clone().unwrap_or_else(|| src.base_dir.clone());

    let sections: [(&'static str, Role, &Vec<EntitySpec<&RawValue>>); 3] = [
        ("cells", Role::Cell, &doc.cells),
        ("inputs", Role::Current, &doc.inputs),
        ("synapses", Role::Synapse, &doc.synapses),
    ];
    for (section, role, specs) in sections {
        for (idx, spec) in specs.iter().enumerate() {
            let params = spec.params.get_ron();
            let p_off = src.offset_of(params);
            let name = spec.name.as_str();
            let err = |off: Option<usize>, kind: K| src.error_at(off, Some(name), kind);
            // (a name with escapes is written escaped: `"a\\b"`)
            let escaped = format!("{name:?}");
            let written = &escaped[1..escaped.len() - 1];
            let name_off = src
                .find_keyed("name", name, p_off.unwrap_or(0))
                .or_else(|| src.find_keyed("name", written, p_off.unwrap_or(0)))
                .or_else(|| src.find_quoted(name, p_off.unwrap_or(0)));
            if let Some(rule) = name_problem(name) {
                let kind = K::BadName {
                    name: name.to_string(),
                    rule,
                };
                return Err(err(name_off, kind));
            }
            if by_name.contains_key(name) {
                return Err(err(name_off, K::DuplicateName(name.to_string())));
            }
            let entry = match registry.kind(&spec.kind).filter(|k| k.role == role) {
                Some(e) => e.clone(),
                None => {
                    let available: Vec<String> = registry
                        .kinds()
                        .filter(|k| k.role == role)
                        .map(|k| k.name.to_string())
                        .collect();
                    let suggestion = suggest(&spec.kind, &available);
                    let off = src
                        .find_keyed("kind", &spec.kind, p_off.unwrap_or(0))
                        .or(name_off);
                    return Err(err(
                        off,
                        K::UnknownKind {
                            section,
                            kind: spec.kind.clone(),
                            available,
                            suggestion,
                        },
                    ));
                }
            };
            // Wiring.
            let endpoint = |field: &'static str, target: &Option<String>| -> Result<Endpoint> {
                let Some(t) = target else {
                    return Err(err(name_off, K::MissingWiring(field)));
                };
                let selector = if entry.nef {
                    Selector::parse(t).map_err(|m| {
                        let off = src.find_keyed(field, t, p_off.unwrap_or(0)).or(name_off);
                        err(off, K::Kind(KindError::invalid(field, m)))
                    })?
                } else {
                    Selector {
                        name: t.clone(),
                        neurons: false,
                        slice: None,
                    }
                };
                let t = &selector.name;
                match by_name
                    .get(t)
                    .map(|i| &model_entities[*i])
                    .filter(|e| e.role == Role::Cell)
                {
                    Some(e) => Ok(Endpoint {
                        entity: e.entity,
                        name: e.name.clone(),
                        n_units: e.n_units,
                        selector: selector.clone(),
                    }),
                    None => {
                        let available: Vec<String> = model_entities
                            .iter()
                            .filter(|e| e.role == Role::Cell)
                            .map(|e| e.name.clone())
                            .collect();
                        let suggestion = suggest(t, &available);
                        let off = src.find_keyed(field, t, p_off.unwrap_or(0)).or(name_off);
                        Err(err(
                            off,
                            K::UnknownEntity {
                                field,
                                name: t.clone(),
                                available,
                                suggestion,
                            },
                        ))
                    }
                }
            };
            let (pre, post) = match role {
                Role::Cell => (None, None),
                Role::Current => (None, Some(endpoint("target", &spec.target)?)),
                Role::Synapse => (
                    Some(endpoint("pre", &spec.pre)?),
                    Some(endpoint("post", &spec.post)?),
                ),
            };
            // NEF connections wire ensembles and nodes; other synapses drive a current `j`.
            let drivable = |e: Entity| {
                if entry.nef {
                    world.get::<NefAfferents>(e).is_some()
                } else {
                    world.get::<Current>(e).is_some()
                }
            };
            if entry.nef
                && let Some(pre) = &pre
                && !drivable(pre.entity)
            {
                let kind = model_entities[by_name[&pre.name]].kind.to_string();
                let off = src
                    .find_keyed("pre", &pre.name, p_off.unwrap_or(0))
                    .or(name_off);
                return Err(err(
                    off,
                    K::NotNef {
                        name: pre.name.clone(),
                        kind,
                    },
                ));
            }
            if let Some(post) = &post
                && !drivable(post.entity)
            {
                let kind = model_entities[by_name[&post.name]].kind.to_string();
                let field = if role == Role::Current {
                    "target"
                } else {
                    "post"
                };
                let off = src
                    .find_keyed(field, &post.name, p_off.unwrap_or(0))
                    .or(name_off);
                let (name, kind) = (post.name.clone(), kind);
                return Err(err(
                    off,
                    if entry.nef {
                        K::NotNef { name, kind }
                    } else {
                        K::NotDrivable { name, kind }
                    },
                ));
            }
            let entity = world.spawn(Name(name.to_string())).id();
            let mut ctx = BuildCtx {
                world: &mut world,
                entity,
                name,
                seed: doc.seed,
                dt: doc.dt,
                pre: pre.clone(),
                post: post.clone(),
                base_dir: &base_dir,
            };
            let built = (entry.build)(params, &mut ctx).map_err(|e| {
                let off = match &e {
                    KindError::Parse {
                        message,
                        line,
                        col,
                        suggestion,
                    } => {
                        let (l0, c0) = p_off.map_or((0, 0), |o| src.position(o));
                        let (mut l, mut c) = if *line <= 1 {
                            (l0, c0 + col.saturating_sub(1))
                        } else {
                            (l0 + line - 1, *col)
                        };
                        // A string value the kind rejects (an unknown preset or integrator):
                        // ron points inside the quotes; point at the value itself.
                        // A negative number where a count is due: ron points after the sign.
                        if l > 0 {
                            let off = src.offset_at(l, c);
                            if off > 0 && src.text[..off].ends_with(['"', '-']) {
                                (l, c) = src.position(off - 1);
                            }
                        }
                        // Name the parameter whose value is wrong (ron says only "Expected
                        // integer").
                        let message = if message == "Integer is out of bounds" {
                            "expected a whole number in range (counts are ≥ 0)".to_string()
                        } else {
                            message.clone()
                        };
                        let message = &message;
                        let message = if l > 0 {
                            src.describe_value_error("parameter", message, src.offset_at(l, c))
                        } else {
                            message.clone()
                        };
                        let e = KindError::Parse {
                            message,
                            line: *line,
                            col: *col,
                            suggestion: suggestion.clone(),
                        };
                        return src.error_at_pos(l, c, Some(name), K::Kind(e));
                    }
                    KindError::Invalid { field, .. }
                    | KindError::Field { field, .. }
                    | KindError::Memory { field, .. } => match field.as_str() {
                        "pre" | "post" => spec
                            .pre
                            .as_ref()
                            .filter(|_| field == "pre")
                            .or(spec.post.as_ref())
                            .and_then(|v| src.find_keyed(field, v, p_off.unwrap_or(0)))
                            .or(name_off),
                        _ => src.find_field(params, field).or(p_off),
                    },
                    KindError::Other(_) => p_off,
                };
                err(off, K::Kind(e))
            })?;
            if let Some(pre) = &pre {
                world.entity_mut(entity).insert(Pre(pre.entity));
            }
            if let Some(post) = &post {
                world.entity_mut(entity).insert(Post(post.entity));
            }
            if let Some(post) = &post
                && let Some(mut aff) = world.get_mut::<Afferents>(post.entity)
            {
                aff.0.push(entity);
            }
            if !systems_added.contains(&entry.name) {
                (entry.add_systems)(&mut schedule);
                systems_added.push(entry.name);
            }
            let list = match role {
                Role::Cell => &mut resolved.cells,
                Role::Current => &mut resolved.inputs,
                Role::Synapse => &mut resolved.synapses,
            };
            list[idx].params =
                RawValue::from_boxed_ron(built.resolved.into_boxed_str()).map_err(|e| {
                    err(
                        p_off,
                        K::Kind(KindError::Other(format!(
                            "resolved parameters are not valid RON: {e}"
                        ))),
                    )
                })?;
            by_name.insert(name.to_string(), model_entities.len());
            model_entities.push(EntityInfo {
                name: name.to_string(),
                kind: entry.name,
                role,
                entity,
                n_units: built.n_units,
                compartments: entry.compartments,
            });
        }
    }

    if let Err((entity, message)) = crate::registry::builtin::nef::finish(&mut world) {
        let name = model_entities
            .iter()
            .find(|e| e.entity == entity)
            .map_or("", |e| e.name.as_str());
        let off = src.find_keyed("name", name, 0);
        return Err(src.error_at(off, Some(name), K::Kind(KindError::Other(message))));
    }

    let mut probes = Vec::new();
    let probes_off = src.find_key("probes", 0);
    // Probes are located in order: each one's strings are searched for after the previous.
    let mut cursor = probes_off.unwrap_or(0);
    for spec in &doc.probes {
        let t_off = src
            .find_keyed_after("target", &spec.target, cursor)
            .or(probes_off);
        let c_off = src.find_keyed_after("compartment", &spec.compartment, cursor);
        cursor = t_off.max(c_off).map_or(cursor, |o| o + 1);
        if spec.sample_every == 0 {
            let off = src.find_key("sample_every", t_off.unwrap_or(0)).or(t_off);
            return Err(src.error_at(off, Some(&spec.target), K::SampleEvery));
        }
        let Some(info) = by_name.get(&spec.target).map(|i| &model_entities[*i]) else {
            let available: Vec<String> = model_entities.iter().map(|e| e.name.clone()).collect();
            let suggestion = suggest(&spec.target, &available);
            return Err(src.error_at(
                t_off,
                Some(&spec.target),
                K::UnknownEntity {
                    field: "target",
                    name: spec.target.clone(),
                    available,
                    suggestion,
                },
            ));
        };
        if spec.compartment == "decoded" || spec.synapse.is_some() {
            use crate::probe::nef;
            let entity = nef::spawn_nef(&mut world, spec, info.entity, doc.dt).map_err(|m| {
                src.error_at(
                    c_off.or(t_off),
                    Some(&info.name),
                    K::Kind(KindError::Other(m)),
                )
            })?;
            nef::add_system(&mut schedule);
            probes.push(ProbeInfo {
                spec: spec.clone(),
                entity,
                hooks: ProbeHooks {
                    spawn: nef::spawn_unused,
                    add_system: nef::add_system,
                    reserve: nef::reserve,
                    data: nef::data,
                    drain: nef::drain,
                },
                width: nef::data(&world, entity).map_or(0, |d| d.ncols()),
            });
            continue;
        }
        let hooks = registry.array(&spec.compartment).and_then(|a| a.probe);
        let hooks = match hooks.filter(|_| info.compartments.contains(&spec.compartment.as_str())) {
            Some(h) => h,
            None => {
                let available: Vec<String> = info
                    .compartments
                    .iter()
                    .filter(|c| registry.array(c).is_some_and(|a| a.probe.is_some()))
                    .map(|c| c.to_string())
                    .collect();
                let suggestion = suggest(&spec.compartment, &available);
                return Err(src.error_at(
                    c_off.or(t_off),
                    Some(&info.name),
                    K::UnknownCompartment {
                        target: info.name.clone(),
                        kind: info.kind.to_string(),
                        compartment: spec.compartment.clone(),
                        available,
                        suggestion,
                    },
                ));
            }
        };
        // The compartment's own length (units for cells, postsynaptic units for synapses).
        let width = registry
            .array(&spec.compartment)
            .and_then(|a| (a.get)(&world, info.entity))
            .map_or(info.n_units, |a| a.len());
        let (start, end) = (spec.start.unwrap_or(0), spec.end.unwrap_or(width));
        if start >= end || end > width {
            return Err(src.error_at(
                t_off,
                Some(&info.name),
                K::ProbeRange {
                    target: info.name.clone(),
                    start,
                    end,
                    n_units: width,
                },
            ));
        }
        let entity = (hooks.spawn)(&mut world, spec, info.entity, start, end);
        (hooks.add_system)(&mut schedule);
        probes.push(ProbeInfo {
            spec: spec.clone(),
            entity,
            hooks,
            width: end - start,
        });
    }
    world.remove_resource::<FactorCache>();
    resolved.step = 0;
    resolved.base_dir = None;
    resolved.state = None;
    Ok(Model::assemble(
        world,
        schedule,
        model_entities,
        probes,
        resolved,
        registry.clone(),
        base_dir,
    ))
}

/// The nearest of `available` to `name`, unless it shares nothing with it (for a one-letter
/// name every other one-letter name is one edit away: `w` is no typo of `j`).
fn suggest(name: &str, available: &[String]) -> Option<String> {
    nearest(name, available.iter().map(String::as_str)).filter(|s| {
        let d = strsim::damerau_levenshtein(&name.to_lowercase(), &s.to_lowercase());
        d < name.chars().count().max(s.chars().count())
    })
}

/// Longest entity name (bytes): it names the entity's files (`<name>.npz`,
/// `<name>.<compartment>.npy`), which must fit in a file name (255 bytes on most systems).
const MAX_NAME_BYTES: usize = 100;

/// The rule `name` breaks, if it cannot name an entity. Names become file names in `--out`
/// and save folders, so they must stay inside them and be visible: not empty, at most
/// [`MAX_NAME_BYTES`] bytes, no path separator (`/`, `\`), no `..`, no leading `.`, no
/// control characters.
fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("expected a name that is not empty")
    } else if name.len() > MAX_NAME_BYTES {
        Some("expected at most 100 bytes (names become file names)")
    } else if name.contains(['/', '\\']) {
        Some("expected no path separator (`/`, `\\`): names become file names in the output folder")
    } else if name.contains("..") {
        Some("expected no `..`: names become file names in the output folder")
    } else if name.starts_with('.') {
        Some("expected no leading `.` (it would name hidden files)")
    } else if name.chars().any(char::is_control) {
        Some("expected no control characters")
    } else {
        None
    }
}

/// The name of an entity, as a component (for debugging and user systems).
#[derive(Component, Clone, Debug, PartialEq, Eq)]
pub struct Name(pub String);
