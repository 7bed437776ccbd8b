//! Reference docs generated from the registry (`cortecs kinds`, `docs/configs.md`): every
//! registered kind — built-in or a user's — with its role, description, compartments, and each
//! parameter's name, type, default, unit and meaning.
//!
//! Names, types, units and meanings come from the doc comments of the kind's parameter struct
//! ([`Kind::PARAMS_SOURCE`](super::Kind::PARAMS_SOURCE)): the meaning is the first sentence, the
//! unit the last parenthesized unit in it (`(ms)`, `(mV)`, `(Hz)` …). Defaults come from the code
//! itself: the parameters are read from a config holding only the required fields and written
//! back, so the table cannot drift from what a config gets.

use std::fmt::Write as _;

use super::{KindEntry, Registry, Role};

/// One parameter of a kind.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDoc {
    /// Field name in configs.
    pub name: String,
    /// Rust type.
    pub ty: String,
    /// The default, as RON; `None` when the field is required.
    pub default: Option<String>,
    /// The unit, when the doc comment states one.
    pub unit: Option<String>,
    /// The first sentence of the field's doc comment.
    pub meaning: String,
}

/// One kind.
#[derive(Clone, Debug, PartialEq)]
pub struct KindDoc {
    /// Name in configs.
    pub name: &'static str,
    /// Cell, current source or synapse.
    pub role: Role,
    /// One-line description.
    pub doc: &'static str,
    /// Compartments an entity of this kind has.
    pub compartments: &'static [&'static str],
    /// The unit of each compartment that has one ([`crate::Kind::UNITS`]).
    pub units: &'static [(&'static str, &'static str)],
    /// Its parameters (empty when the kind gives no source).
    pub params: Vec<ParamDoc>,
}

/// A field as written in the params struct.
struct Field {
    name: String,
    ty: String,
    docs: Vec<String>,
    has_default: bool,
}

/// The struct a params struct is deserialized through (`#[serde(from = "Spec")]` just above
/// it), if any.
fn serde_from<'a>(source: &'a str, name: &str) -> Option<&'a str> {
    let at = source.find(&format!("pub struct {name} {{"))?;
    let attrs = &source[source[..at].rfind("\n\n").unwrap_or(0)..at];
    let rest = &attrs[attrs.find("#[serde(from = \"")? + 16..];
    Some(&rest[..rest.find('"')?])
}

/// The fields of `[pub] struct <name> { … }` in `source`.
fn fields(source: &str, name: &str) -> Vec<Field> {
    let head = format!("struct {name} {{");
    let Some(start) = source.find(&head) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut docs, mut has_default) = (Vec::new(), false);
    for line in source[start + head.len()..].lines() {
        let t = line.trim();
        if line.starts_with('}') {
            break;
        }
        if let Some(d) = t.strip_prefix("///") {
            docs.push(d.trim().to_string());
        } else if t.starts_with("#[serde(") {
            has_default |= t.contains("default");
        } else if let Some((field, ty)) = t.strip_prefix("pub ").unwrap_or(t).split_once(':')
            && field.chars().all(|c| c.is_alphanumeric() || c == '_')
        {
            out.push(Field {
                name: field.trim().to_string(),
                ty: ty.trim().trim_end_matches(',').to_string(),
                docs: std::mem::take(&mut docs),
                has_default: std::mem::take(&mut has_default),
            });
        } else if !t.is_empty() && !t.starts_with("//") && !t.starts_with("#[") {
            docs.clear();
            has_default = false;
        }
    }
    out
}

/// The first sentence of a doc comment (lines joined up to the first `. `).
fn first_sentence(docs: &[String]) -> String {
    let mut s = String::new();
    for d in docs {
        if d.is_empty() {
            break;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(d);
        if let Some(i) = s.find(". ") {
            s.truncate(i + 1);
            break;
        }
        if s.ends_with('.') {
            break;
        }
    }
    s
}

/// The unit named in `meaning`: the last parenthesized group that is a unit.
fn unit(meaning: &str) -> Option<String> {
    const UNITS: [&str; 8] = ["ms", "mV", "Hz", "s", "mV per", "pA", "nA", "dimensionless"];
    let mut found = None;
    let mut rest = meaning;
    while let Some(i) = rest.find('(') {
        let after = &rest[i + 1..];
        let Some(j) = after.find(')') else { break };
        let inner = &after[..j];
        if UNITS.iter().any(|u| {
            inner == *u
                || inner.starts_with(&format!("{u} "))
                || inner.starts_with(&format!("{u};"))
                || inner.starts_with(&format!("{u},"))
        }) {
            found = Some(
                inner
                    .split([';', ','])
                    .next()
                    .unwrap_or(inner)
                    .trim()
                    .to_string(),
            );
        }
        rest = &after[j + 1..];
    }
    found
}

/// A placeholder for a required field of type `ty`, or `None` when there is none to give.
fn placeholder(ty: &str) -> Option<&'static str> {
    match ty {
        "usize" | "u64" | "u32" | "i32" | "i64" => Some("1"),
        "f64" | "f32" | "Real" => Some("1.0"),
        "String" | "PathBuf" => Some("\"x\""),
        "bool" => Some("false"),
        "Values" => Some("0.0"),
        t if t.starts_with("Vec<") => Some("[]"),
        _ => None,
    }
}

/// Splits `(a: 1, b: (2, 3), c: "x,y")` into `[("a", "1"), ("b", "(2, 3)"), ("c", "\"x,y\"")]`.
fn top_level_fields(ron: &str) -> Vec<(String, String)> {
    let body = ron.trim();
    let body = body
        .strip_prefix('(')
        .and_then(|b| b.strip_suffix(')'))
        .unwrap_or(body);
    let mut parts = Vec::new();
    let (mut depth, mut in_str, mut cur) = (0i32, false, String::new());
    for c in body.chars() {
        match c {
            '"' => in_str = !in_str,
            '(' | '[' | '{' if !in_str => depth += 1,
            ')' | ']' | '}' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                parts.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.trim().is_empty() {
        parts.push(cur);
    }
    parts
        .into_iter()
        .filter_map(|p| {
            let (k, v) = p.split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// The reference doc of one registered kind.
pub fn kind_doc(entry: &KindEntry) -> KindDoc {
    let all = entry
        .params_source
        .map(|(src, name)| fields(src, name))
        .unwrap_or_default();
    // required: no serde default and not an Option, in the struct serde reads configs into
    let spec = entry
        .params_source
        .and_then(|(src, name)| serde_from(src, name).map(|spec| fields(src, spec)));
    let required: Vec<&Field> = spec
        .as_ref()
        .unwrap_or(&all)
        .iter()
        .filter(|f| !f.has_default && !f.ty.starts_with("Option<"))
        .collect();
    let minimal: Option<String> = required
        .iter()
        .map(|f| placeholder(&f.ty).map(|p| format!("{}: {p}", f.name)))
        .collect::<Option<Vec<_>>>()
        .map(|v| format!("({})", v.join(", ")));
    let resolved = minimal
        .and_then(|m| (entry.resolve)(&m).ok())
        .map(|r| top_level_fields(&r))
        .unwrap_or_default();
    let params = all
        .iter()
        .map(|f| {
            let meaning = first_sentence(&f.docs);
            let is_required = required.iter().any(|r| r.name == f.name);
            let default = if is_required {
                None
            } else {
                // an Option the writer skipped is None; without a resolved config, unknown
                let missing = if resolved.is_empty() { "?" } else { "None" };
                Some(
                    resolved
                        .iter()
                        .find(|(k, _)| *k == f.name)
                        .map_or_else(|| missing.to_string(), |(_, v)| v.clone()),
                )
            };
            ParamDoc {
                name: f.name.clone(),
                ty: f.ty.clone(),
                default,
                unit: unit(&meaning),
                meaning,
            }
        })
        .collect();
    KindDoc {
        name: entry.name,
        role: entry.role,
        doc: entry.doc,
        compartments: entry.compartments,
        units: entry.units,
        params,
    }
}

/// Every kind of `registry`, sorted by name.
pub fn kind_docs(registry: &Registry) -> Vec<KindDoc> {
    let mut v: Vec<KindDoc> = registry.kinds().map(kind_doc).collect();
    v.sort_by_key(|k| k.name);
    v
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Cell => "cell",
        Role::Current => "input",
        Role::Synapse => "synapse",
    }
}

/// The compartments of `k`, each written by `name` and followed by its unit in parentheses
/// when it has one, separated by commas.
fn compartment_list(k: &KindDoc, name: impl Fn(&str) -> String) -> String {
    let entries: Vec<String> = k
        .compartments
        .iter()
        .map(|c| match k.units.iter().find(|(u, _)| u == c) {
            Some((_, unit)) => format!("{} ({unit})", name(c)),
            None => name(c),
        })
        .collect();
    entries.join(", ")
}

/// Plain-text listing for the terminal (`cortecs kinds [NAME]`).
pub fn text(docs: &[KindDoc]) -> String {
    let mut s = String::new();
    for k in docs {
        let _ = writeln!(s, "{} ({}) — {}", k.name, role_name(k.role), k.doc);
        if !k.compartments.is_empty() {
            let _ = writeln!(
                s,
                "  compartments: {}",
                compartment_list(k, |c| c.to_owned())
            );
        }
        for p in &k.params {
            let default = p.default.as_deref().unwrap_or("required");
            let unit = p
                .unit
                .as_deref()
                .map_or(String::new(), |u| format!(" [{u}]"));
            let _ = writeln!(
                s,
                "  {:<20} {:<24} = {:<16}{unit} {}",
                p.name, p.ty, default, p.meaning
            );
        }
        s.push('\n');
    }
    s
}

/// The Markdown reference (`docs/configs.md`).
pub fn markdown(docs: &[KindDoc]) -> String {
    let cell = |x: &str| x.replace('|', "\\|");
    let mut s = String::from(
        "# Config reference\n\n\
         Generated from the registry by `cortecs kinds --markdown` (checked by \
         `tests/docs.rs`; regenerate with `cargo run --release -- kinds --markdown > \
         docs/configs.md`). Times are in ms, voltages in mV, rates in Hz. A parameter without \
         a default is required.\n",
    );
    for k in docs {
        let _ = write!(
            s,
            "\n## `{}` ({})\n\n{}\n",
            k.name,
            role_name(k.role),
            k.doc
        );
        if !k.compartments.is_empty() {
            let names = compartment_list(k, |c| format!("`{c}`"));
            let _ = writeln!(s, "\nCompartments: {names}.");
        }
        if !k.params.is_empty() {
            s.push_str(
                "\n| parameter | type | default | unit | meaning |\n|---|---|---|---|---|\n",
            );
            for p in &k.params {
                let _ = writeln!(
                    s,
                    "| `{}` | `{}` | {} | {} | {} |",
                    p.name,
                    cell(&p.ty),
                    p.default
                        .as_deref()
                        .map_or("required".to_string(), |d| format!("`{}`", cell(d))),
                    p.unit.as_deref().unwrap_or(""),
                    cell(&p.meaning)
                );
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_sentences() {
        assert_eq!(unit("Membrane time constant τ_m (ms)."), Some("ms".into()));
        assert_eq!(
            unit("Scale (dimensionless; ngclearn ≥ 3)."),
            Some("dimensionless".into())
        );
        assert_eq!(unit("Number of units."), None);
        assert_eq!(
            first_sentence(&["Rate of".into(), "firing (Hz). More.".into()]),
            "Rate of firing (Hz)."
        );
        assert_eq!(
            top_level_fields("(a: 1, b: (2, 3), c: \"x,y\")"),
            vec![
                ("a".into(), "1".into()),
                ("b".into(), "(2, 3)".into()),
                ("c".into(), "\"x,y\"".into())
            ]
        );
    }
}
