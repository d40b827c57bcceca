//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use ops_scenario::{Charm, Context, Event, Inspect, LogLevel, Output, State, StoredValue};

/// The directory of a test charm under tests/charms.
pub fn charm_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("charms")
        .join(name)
}

/// A test charm, loaded from tests/charms.
pub fn charm(name: &str) -> Charm {
    Charm::from_dir(charm_dir(name)).unwrap_or_else(|e| panic!("loading charm {name}: {e}"))
}

/// A Context with default options for a test charm.
pub fn ctx(name: &str) -> Context {
    Context::new(charm(name)).unwrap()
}

/// The messages the charm itself logged (levels other than DEBUG and TRACE).
pub fn charm_logs(out: &Output) -> Vec<String> {
    out.juju_log
        .iter()
        .filter(|l| l.level > LogLevel::Debug)
        .map(|l| format!("{} {}", l.level, l.message))
        .collect()
}

/// The names of the emitted events, in order.
pub fn event_names(out: &Output) -> Vec<String> {
    out.emitted_events
        .iter()
        .map(|e| {
            if e.deferred {
                format!("{} (deferred)", e.name)
            } else {
                e.name.clone()
            }
        })
        .collect()
}

/// The handle paths of the output State's deferred events, in queue order.
pub fn deferred_paths(out: &Output) -> Vec<&str> {
    out.state
        .deferred
        .iter()
        .map(|d| d.handle_path.as_str())
        .collect()
}

/// The `(major, minor)` version of the ops the tests run on (the venv `VIRTUAL_ENV` names),
/// for tests of behaviour that differs between ops releases: each asserts what its ops does.
pub fn ops_version() -> (i64, i64) {
    static VERSION: OnceLock<(i64, i64)> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let charm = Charm::from_source(
            "import ops\n\nclass Probe(ops.CharmBase):\n    pass\n",
            "name: probe\n",
        )
        .unwrap();
        let mut value = None;
        Context::new(charm)
            .unwrap()
            .run_inspected(
                Event::update_status(),
                &State::default(),
                Inspect::new().before(|charm| {
                    value =
                        Some(charm.eval("tuple(int(p) for p in ops.__version__.split('.')[:2])")?);
                    Ok(())
                }),
            )
            .unwrap();
        match value {
            Some(StoredValue::Tuple(parts)) => match parts[..] {
                [StoredValue::Int(major), StoredValue::Int(minor)] => (major, minor),
                _ => panic!("ops.__version__: {parts:?}"),
            },
            other => panic!("ops.__version__: {other:?}"),
        }
    })
}

/// Whether ops keeps the departing remote unit's databag readable in relation-departed, though
/// relation-list leaves the unit out (ops 2.23 and 3.1 on); earlier ops raise KeyError.
pub fn ops_reads_departed_unit_data() -> bool {
    let version = ops_version();
    version >= (3, 1) || (version.0 == 2 && version >= (2, 23))
}

/// Whether ops lists the hook's remote unit among `relation.units` though relation-list leaves
/// it out, as in relation-departed (ops 3.0 only, which has no databag for it either).
pub fn ops_lists_departed_unit() -> bool {
    ops_version() == (3, 0)
}
