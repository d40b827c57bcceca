//! The Python shim's contracts: ops' private names are used from one module only, and listed
//! there with the releases that have them (checked against the installed ops); the stub of the
//! Rust objects (py_shim/_scenario_rs.pyi) matches them.

use std::path::{Path, PathBuf};

use ops_scenario::{Charm, Container, Context, Event, Inspect, State, StoredValue};

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Statements that load tests/fixtures/shim/checks.py as the module `shim_checks`.
fn load_checks() -> String {
    format!(
        "import importlib.util, json, sys\n\
         spec = importlib.util.spec_from_file_location('shim_checks', {:?})\n\
         checks = sys.modules['shim_checks'] = importlib.util.module_from_spec(spec)\n\
         spec.loader.exec_module(checks)\n",
        repo("tests/fixtures/shim/checks.py").display().to_string()
    )
}

fn listed(found: &str) -> Vec<String> {
    serde_json::from_str(found).unwrap_or_else(|e| panic!("{e}: {found}"))
}

#[test]
fn every_private_name_is_in_the_releases_ops_private_lists() {
    let found = ops_scenario::python::__run_python_between_runs(&format!(
        "{}result = json.dumps(checks.private_names_not_where_listed())",
        load_checks()
    ))
    .unwrap();
    assert_eq!(listed(&found), Vec::<String>::new());
}

#[test]
fn no_shim_module_but_ops_private_uses_a_private_name_of_ops() {
    let found = ops_scenario::python::__run_python_between_runs(&format!(
        "{}result = json.dumps(checks.private_names_used_outside({:?}))",
        load_checks(),
        repo("py_shim").display().to_string()
    ))
    .unwrap();
    assert_eq!(listed(&found), Vec::<String>::new());
}

#[test]
fn the_stub_of_the_rust_objects_matches_them() {
    let charm = Charm::from_source(
        "import ops\n\nclass Probe(ops.CharmBase):\n    pass\n",
        "name: probe\ncontainers:\n  web: {}\n",
    )
    .unwrap();
    let mut found = None;
    Context::new(charm)
        .unwrap()
        .run_inspected(
            Event::start(),
            &State::default().containers([Container::new("web").can_connect(true)]),
            Inspect::new().before(|charm| {
                charm.exec(&load_checks())?;
                found = Some(charm.eval(&format!(
                    "__import__('sys').modules['shim_checks'].stub_differences({:?}, [\
                     type(self.model._backend.rs), \
                     type(self.model._backend.rs.pebble_for('web')), \
                     type(self.framework._storage), \
                     type(__import__('sys').modules['_scenario_patches'].patches.rs), \
                     type(__import__('sys').modules['_scenario_watchdog'].debugging.watchdog)])",
                    repo("py_shim/_scenario_rs.pyi").display().to_string()
                ))?);
                Ok(())
            }),
        )
        .unwrap();
    assert_eq!(found, Some(StoredValue::List(vec![])));
}
