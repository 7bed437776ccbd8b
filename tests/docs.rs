//! The reference docs are generated from the registry and kept in the repo: `docs/configs.md`
//! must equal what `cortecs kinds --markdown` prints, and every built-in kind documents every
//! parameter (a meaning for each, read from the parameter structs' doc comments).

use cortecs::Registry;
use cortecs::registry::docs::{kind_docs, markdown};

#[test]
fn docs_configs_md_is_up_to_date() {
    let docs = kind_docs(&Registry::with_builtins());
    let generated = markdown(&docs);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/configs.md");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    if on_disk != generated {
        let line = on_disk
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or(
                on_disk.lines().count().min(generated.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "docs/configs.md is out of date (first difference at line {line}); regenerate it with \
             `cargo run --release -- kinds --markdown > docs/configs.md`"
        );
    }
}

#[test]
fn every_builtin_kind_documents_every_parameter() {
    let docs = kind_docs(&Registry::with_builtins());
    assert!(docs.len() >= 16, "{} kinds", docs.len());
    for k in &docs {
        assert!(!k.params.is_empty(), "{}: no parameters documented", k.name);
        for p in &k.params {
            assert!(
                !p.meaning.is_empty(),
                "{}.{}: no doc comment",
                k.name,
                p.name
            );
        }
    }
    let lif = docs.iter().find(|k| k.name == "LIF").unwrap();
    let tau = lif.params.iter().find(|p| p.name == "tau_m").unwrap();
    assert_eq!(
        (tau.default.as_deref(), tau.unit.as_deref()),
        (None, Some("ms"))
    );
    let thr = lif.params.iter().find(|p| p.name == "thr").unwrap();
    assert_eq!(
        (thr.default.as_deref(), thr.unit.as_deref()),
        (Some("-52.0"), Some("mV"))
    );
}
