//! The architecture keeps its shape: Python only in runtime/, every hook tool overridden.

use ops_scenario::{State, StoredValue};

use crate::common::{ctx, eval, rust_files, src_dir};

#[test]
fn pyo3_is_used_only_in_the_runtime_module() {
    let src = src_dir();
    let offenders: Vec<_> = rust_files(&src)
        .into_iter()
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
    let missing = eval(
        &ctx("null"),
        &State::default(),
        "sorted(n for n in dir(ops.model._ModelBackend) \
         if not n.startswith('_') and callable(getattr(ops.model._ModelBackend, n)) \
         and n not in type(self.model._backend).__dict__)",
    );
    // log_split is a pure classmethod and update_relation_data forwards to relation_set.
    assert_eq!(
        missing,
        StoredValue::List(vec!["log_split".into(), "update_relation_data".into()])
    );
}
