//! Changing a parameter of a built model so that `save` records it.

use serde::Serialize;

use super::Model;
use crate::components::nef::slice::Selector;
use crate::components::synapses::Afferents;
use crate::config::EntitySpec;
use crate::error::Error;
use crate::registry::{BuildCtx, Endpoint, Role};

/// The top-level fields of RON struct text `(a: 1, b: X(c: 2), …)`: `(name, value range)`.
fn fields(text: &str) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let body = text.trim();
    let start = text.find('(')? + 1;
    let end = start + body.len() - 2;
    let bytes = text.as_bytes();
    let (mut out, mut depth, mut in_str, mut i) = (Vec::new(), 0i32, false, start);
    let mut field_start = start;
    while i <= end && i < bytes.len() {
        let b = bytes[i];
        if in_str {
            if b == b'\\' {
                i += 1;
            } else if b == b'"' {
                in_str = false;
            }
        } else {
            match b {
                b'"' => in_str = true,
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' if depth > 0 => depth -= 1,
                b',' | b')' if depth == 0 => {
                    let part = &text[field_start..i];
                    if let Some((name, _)) = part.split_once(':') {
                        let colon = field_start + part.find(':')? + 1;
                        out.push((name.trim().to_string(), colon..i));
                    }
                    field_start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    Some(out)
}

impl Model {
    /// Sets parameter `name` of entity `entity` to `value` (any value its parameter type reads,
    /// e.g. `20.0` for a LIF's `tau_m` in ms), validated as a config's is, in the running model
    /// *and* in the config that [`save`](Self::save) records. The entity is rebuilt with the
    /// new parameters; its arrays (compartments, weights) keep their current values, so a
    /// parameter that only sets initial values (`v0`, `weight_init`) changes the config only.
    ///
    /// ```
    /// use cortecs::prelude::*;
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let config = r#"Model(dt: 1.0,
    ///     cells: [(name: "z1", kind: "LIF", params: (n_units: 2, tau_m: 10.0))],
    /// )"#;
    /// let mut model = Model::from_config_str(config, &Registry::with_builtins())?;
    /// model.set_param("z1", "tau_m", 20.0)?;
    /// assert!(model.config().to_ron().contains("tau_m: 20.0"));
    /// assert!(model.set_param("z1", "tau_m", -1.0).is_err()); // validated
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::UnknownEntity`]; [`Error::Param`] naming the entity and the parameter if the
    /// kind has no such parameter, the value is invalid, the entity is a NEF object (its
    /// decoders are solved from its parameters at build: edit the config instead) or the change
    /// would change its number of units. On error the model is unchanged.
    pub fn set_param(
        &mut self,
        entity: &str,
        name: &str,
        value: impl Serialize,
    ) -> Result<(), Error> {
        let info = self.info(entity)?.clone();
        let param_err = |message: String| Error::Param {
            entity: entity.into(),
            param: name.into(),
            message,
        };
        let entry = self
            .registry
            .kind(info.kind)
            .cloned()
            .ok_or_else(|| param_err(format!("kind `{}` is not registered", info.kind)))?;
        if entry.nef {
            return Err(param_err(
                "the parameters of NEF objects are fixed at build (decoders are solved from \
                 them): change the config and build again"
                    .into(),
            ));
        }
        let value = crate::registry::ron_options()
            .to_string(&value)
            .map_err(|e| param_err(format!("cannot write the value as RON: {e}")))?;
        let spec = self.spec(entity).expect("every entity has a spec").clone();
        let old = spec.params.get_ron().to_string();
        let fields = fields(&old).unwrap_or_default();
        let Some((_, range)) = fields.iter().find(|(f, _)| f == name) else {
            let names: Vec<&str> = fields.iter().map(|(f, _)| f.as_str()).collect();
            return Err(param_err(format!(
                "kind `{}` has no such parameter; it has: {}",
                info.kind,
                names.join(", ")
            )));
        };
        let new = format!("{} {value}{}", &old[..range.start], &old[range.end..]);

        // Keep what the rebuild resets: the arrays and the list of afferent synapses.
        let arrays: Vec<_> = self
            .array_names(entity)?
            .into_iter()
            .filter_map(|a| Some((a, self.array(entity, a).ok()?)))
            .collect();
        let afferents = self.world.get::<Afferents>(info.entity).cloned();
        let endpoint = |target: &Option<String>| {
            target.as_ref().and_then(|t| {
                let i = self.info(t).ok()?;
                Some(Endpoint {
                    entity: i.entity,
                    name: i.name.clone(),
                    n_units: i.n_units,
                    selector: Selector {
                        name: t.clone(),
                        neurons: false,
                        slice: None,
                    },
                })
            })
        };
        let (pre, post) = match info.role {
            Role::Cell => (None, None),
            Role::Current => (None, endpoint(&spec.target)),
            Role::Synapse => (endpoint(&spec.pre), endpoint(&spec.post)),
        };
        let base_dir = self.base_dir.clone();
        let (seed, dt) = (self.config.seed, self.clock().dt);
        let rebuild = |model: &mut Self, params: &str| {
            let mut ctx = BuildCtx {
                world: &mut model.world,
                entity: info.entity,
                name: entity,
                seed,
                dt,
                pre: pre.clone(),
                post: post.clone(),
                base_dir: &base_dir,
            };
            let built = (entry.build)(params, &mut ctx);
            if let Some(a) = &afferents {
                model.world.entity_mut(info.entity).insert(a.clone());
            }
            for (a, v) in &arrays {
                let _ = model.set_array(entity, a, v.view());
            }
            built
        };
        let built = rebuild(self, &new).map_err(|e| param_err(e.to_string()))?;
        if built.n_units != info.n_units {
            rebuild(self, &old).map_err(|e| param_err(e.to_string()))?;
            return Err(param_err(format!(
                "changes the number of units from {} to {}: build a new model",
                info.n_units, built.n_units
            )));
        }
        let raw = ron::value::RawValue::from_boxed_ron(built.resolved.into_boxed_str())
            .map_err(|e| param_err(format!("resolved parameters are not valid RON: {e}")))?;
        self.spec_mut(entity)
            .expect("every entity has a spec")
            .params = raw;
        Ok(())
    }

    fn spec(&self, name: &str) -> Option<&EntitySpec> {
        let c = &self.config;
        c.cells
            .iter()
            .chain(&c.inputs)
            .chain(&c.synapses)
            .find(|s| s.name == name)
    }

    fn spec_mut(&mut self, name: &str) -> Option<&mut EntitySpec> {
        let c = &mut self.config;
        c.cells
            .iter_mut()
            .chain(&mut c.inputs)
            .chain(&mut c.synapses)
            .find(|s| s.name == name)
    }
}
