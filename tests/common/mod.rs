//! Helpers shared by the integration tests: the `engine` binary (tests/engine/main.rs) and the
//! `memory`, `robustness` and `tracing` binaries, each of which uses its own part.
//!
//! - here: test charms and Contexts, what a run logged and emitted, the ops release in use;
//! - [`failure`]: what a run that must fail raised or violated;
//! - [`live`]: Python run against the live charm during a run;
//! - [`redact`]: text made the same on every machine and ops release, for snapshots.
#![allow(dead_code, unused_imports)] // each binary uses its own part

mod failure;
mod live;
mod redact;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ops_scenario::{Charm, Context, LogLevel, Output, State, StoredValue};

pub use failure::{inconsistency_report, raised, rule_ids, rules, violated, violations, Failed};
pub use live::{eval, exec, juju_env};
pub use redact::{redact_dir, redact_traceback};

// --- charms and Contexts ---------------------------------------------------------------------

/// The directory of the test charms, tests/charms.
pub fn charms_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/charms")
}

/// The directory of a test charm under tests/charms.
pub fn charm_dir(name: &str) -> PathBuf {
    charms_dir().join(name)
}

/// A test charm, loaded from tests/charms.
pub fn charm(name: &str) -> Charm {
    Charm::from_dir(charm_dir(name)).unwrap_or_else(|e| panic!("loading charm {name}: {e}"))
}

/// A Context with default options for a test charm.
pub fn ctx(name: &str) -> Context {
    Context::new(charm(name)).unwrap()
}

/// A Context with default options for an inline charm: its `src/charm.py` and its
/// `charmcraft.yaml`.
pub fn ctx_from_source(source: &str, meta: &str) -> Context {
    Context::new(Charm::from_source(source, meta).unwrap()).unwrap()
}

// --- what a run logged and emitted -----------------------------------------------------------

/// The messages the charm itself logged (levels other than DEBUG and TRACE).
pub fn charm_logs(out: &Output) -> Vec<String> {
    out.juju_log
        .iter()
        .filter(|l| l.level > LogLevel::Debug)
        .map(|l| format!("{} {}", l.level, l.message))
        .collect()
}

/// Asserts that the charm logged `line` (as [`charm_logs`] gives it: `"INFO message"`).
#[track_caller]
pub fn assert_logged(out: &Output, line: &str) {
    let logs = charm_logs(out);
    assert!(
        logs.iter().any(|l| l == line),
        "no log {line:?} in {logs:?}"
    );
}

/// The first line the charm logged (as [`charm_logs`] gives it) that starts with `start`.
#[track_caller]
pub fn logged(out: &Output, start: &str) -> String {
    charm_logs(out)
        .into_iter()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no log line starting {start:?}: {:?}", charm_logs(out)))
}

/// What the charm's probe `name` found, for a test charm whose `probe` option picks what its
/// update-status handler tries and logs as `probe <name>: <result>`; and the run's Output.
pub fn probe(charm: &str, state: State, name: &str) -> (Output, String) {
    let state = state.config([("probe", name.into())]);
    let out = ctx(charm)
        .run(ops_scenario::Event::update_status(), &state)
        .unwrap_or_else(|e| panic!("probe {name}: {e}"));
    let prefix = format!("INFO probe {name}: ");
    let result = charm_logs(&out)
        .iter()
        .find_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .unwrap_or_else(|| panic!("probe {name} logged nothing: {:?}", charm_logs(&out)));
    (out, result)
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

// --- the ops release -------------------------------------------------------------------------

/// The `(major, minor)` version of the ops the tests run on (the venv `VIRTUAL_ENV` names),
/// for tests of behaviour that differs between ops releases: each asserts what its ops does.
pub fn ops_version() -> (i64, i64) {
    static VERSION: OnceLock<(i64, i64)> = OnceLock::new();
    *VERSION.get_or_init(|| {
        let probe = ctx_from_source(
            "import ops\n\nclass Probe(ops.CharmBase):\n    pass\n",
            "name: probe\n",
        );
        let value = eval(
            &probe,
            &State::default(),
            "tuple(int(p) for p in ops.__version__.split('.')[:2])",
        );
        match value {
            StoredValue::Tuple(parts) => match parts[..] {
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

// --- the source tree -------------------------------------------------------------------------

/// The engine's source directory, `src/`.
pub fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, at any depth, in no particular order.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files
}
