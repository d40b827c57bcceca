//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use ops_scenario::{Charm, Context, Output};

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
        .filter(|l| l.level != "DEBUG" && l.level != "TRACE")
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
