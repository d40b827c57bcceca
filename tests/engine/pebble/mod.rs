//! Workload containers through Pebble: the sidecar charm's containers, `exec`, the
//! filesystem, and the plan's services and checks.

mod containers;
mod exec;
mod files;
mod services;
mod unreachable;

use std::collections::BTreeMap;

use ops_scenario::{Container, Event, Output, State, Status};

use crate::common::{charm_logs, ctx};

/// The container the probe charms (pebble-exec, pebble-files, pebble-services) work in, with
/// its Pebble answering.
fn workload() -> Container {
    Container::new("workload").can_connect(true)
}

/// What the probe logged, by step: `probe <name> <step>: <result>`.
fn probe_results(out: &Output, probe: &str) -> BTreeMap<String, String> {
    let prefix = format!("INFO probe {probe} ");
    charm_logs(out)
        .iter()
        .filter_map(|line| line.strip_prefix(&prefix)?.split_once(": "))
        .map(|(step, result)| (step.to_owned(), result.to_owned()))
        .collect()
}

/// Run a probe charm's probe `probe` (its `probe` option picks what config-changed tries)
/// against `container`: the output, once the probe says it is done, and what it logged by step.
fn run_probe(charm: &str, probe: &str, container: Container) -> (Output, BTreeMap<String, String>) {
    let state = State::default()
        .config([("probe", probe.into())])
        .containers([container]);
    let out = ctx(charm)
        .run(Event::config_changed(), &state)
        .unwrap_or_else(|e| panic!("probe {probe}: {e}"));
    assert_eq!(
        out.state.unit_status,
        Status::active(format!("probe {probe} done")),
        "{:?}",
        charm_logs(&out)
    );
    let results = probe_results(&out, probe);
    (out, results)
}
