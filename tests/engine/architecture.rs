//! The architecture keeps its shape: Python only in runtime/, every hook tool overridden.

use std::path::Path;

use crate::common::ctx;
use ops_scenario::{Event, Inspect, State, StoredValue};

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn pyo3_is_used_only_in_the_runtime_module() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let offenders: Vec<_> = files
        .iter()
        .filter(|f| !f.starts_with(src.join("runtime")))
        .filter(|f| std::fs::read_to_string(f).unwrap().contains("pyo3"))
        .collect();
    assert!(
        offenders.is_empty(),
        "pyo3 outside src/runtime: {offenders:?}"
    );
}

#[test]
fn the_shim_overrides_every_hook_tool_of_ops_backend() {
    let mut missing = None;
    ctx("null")
        .run_inspected(
            Event::start(),
            &State::default(),
            Inspect::new().before(|charm| {
                missing = Some(charm.eval(
                    "sorted(n for n in dir(ops.model._ModelBackend) \
                     if not n.startswith('_') and callable(getattr(ops.model._ModelBackend, n)) \
                     and n not in type(self.model._backend).__dict__)",
                )?);
                Ok(())
            }),
        )
        .unwrap();
    // log_split is a pure classmethod and update_relation_data forwards to relation_set.
    assert_eq!(
        missing,
        Some(StoredValue::List(vec![
            "log_split".into(),
            "update_relation_data".into()
        ]))
    );
}
