//! Pebble's plan: layers and how they merge, the service lifecycle and its errors for services
//! not in the plan, checks started and stopped and the check infos a layer brings, and every
//! call on a container whose Pebble cannot be reached.

use std::collections::BTreeMap;

use super::{run_probe, workload};
use crate::common::{ctx, ops_version};
use ops_scenario::{
    CheckInfo, CheckLevel, CheckStartup, CheckStatus, Container, Error, Event, Layer, Output,
    ServiceStatus, State,
};
use serde_json::json;

const CHARM: &str = "pebble-services";

/// The charm's `BASE` layer.
fn base_layer() -> Layer {
    Layer::from_yaml(
        "summary: base
services:
  web:
    override: replace
    command: /usr/bin/web
    startup: enabled
    environment: {A: '1'}
  worker:
    override: replace
    command: /usr/bin/worker
    startup: disabled
",
    )
    .unwrap()
}

fn checks_layer() -> Layer {
    Layer::from_yaml(
        "checks:
  alive:
    override: replace
    level: alive
    exec: {command: pgrep web}
  ready:
    override: replace
    level: ready
    http: {url: 'http://localhost:8080/ready'}
",
    )
    .unwrap()
}

fn output_container(out: &Output) -> &Container {
    out.state.container("workload").unwrap()
}

#[test]
fn replan_starts_enabled_services_and_start_stop_restart_change_their_status() {
    let (out, results) = run_probe(CHARM, "lifecycle", workload());
    assert_eq!(
        results["before replan"],
        "{'web': 'inactive', 'worker': 'inactive'}"
    );
    assert_eq!(
        results["after replan"],
        "{'web': 'active', 'worker': 'inactive'}"
    );
    assert_eq!(
        results["after start worker"],
        "{'web': 'active', 'worker': 'active'}"
    );
    assert_eq!(
        results["after stop web"],
        "{'web': 'inactive', 'worker': 'active'}"
    );
    assert_eq!(
        results["after restart"],
        "{'web': 'active', 'worker': 'active'}"
    );
    assert_eq!(results["web is running"], "True");
    assert_eq!(results["only web"], "['web']");

    let container = output_container(&out);
    assert_eq!(
        container.service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
    assert_ne!(
        container.service_statuses.get("worker"),
        Some(&ServiceStatus::Active),
        "stopped last"
    );
    assert_eq!(container.layers.get("base"), Some(&base_layer()));
    assert_eq!(container.plan().services["web"]["command"], "/usr/bin/web");
}

#[test]
fn autostart_starts_only_the_enabled_services() {
    let (out, results) = run_probe(CHARM, "autostart", workload());
    assert_eq!(
        results["after autostart"],
        "{'web': 'active', 'worker': 'inactive'}"
    );
    assert_eq!(
        output_container(&out).service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
}

#[test]
fn services_not_in_the_plan_are_refused_with_a_400_and_none_is_started() {
    let container = workload().layers([("base", base_layer())]);
    let (out, results) = run_probe(CHARM, "unknown", container);
    assert_eq!(results["start"], "APIError 400");
    assert_eq!(results["stop"], "APIError 400");
    assert_eq!(results["restart"], "APIError 400");
    assert_eq!(results["start known and unknown"], "APIError 400");
    assert_eq!(
        results["web after the refused start"], "inactive",
        "Pebble checks every name before starting any"
    );
    assert_eq!(results["get_service"], "ModelError");
    assert_eq!(results["get_services"], "{}");
    assert_ne!(
        output_container(&out).service_statuses.get("web"),
        Some(&ServiceStatus::Active)
    );
}

#[test]
fn a_merge_layer_adds_to_the_service_below_it_and_combine_merges_into_a_label() {
    let container = workload().layers([("base", base_layer())]);
    let (out, results) = run_probe(CHARM, "merge", container);
    assert_eq!(results["command"], "/usr/bin/web --fast");
    assert_eq!(results["environment"], "{'A': '1', 'B': '2'}");
    assert_eq!(results["startup"], "enabled");

    let container = output_container(&out);
    let labels: Vec<&str> = container.layers.iter().map(|(label, _)| label).collect();
    assert_eq!(labels, ["base", "overlay"]);
    // combine=True merged the new command into the `base` layer itself.
    let base_web = &container.layers.get("base").unwrap().services["web"];
    assert_eq!(base_web["command"], "/usr/bin/web --fast");
    assert_eq!(base_web["environment"], json!({"A": "1"}));
    // The plan merges `overlay` over `base`, as Pebble does.
    let plan = container.plan();
    let web = &plan.services["web"];
    assert_eq!(web["command"], "/usr/bin/web --fast");
    assert_eq!(web["environment"], json!({"A": "1", "B": "2"}));
    assert_eq!(web["startup"], "enabled");
    assert_eq!(plan.services["worker"]["command"], "/usr/bin/worker");
}

#[test]
fn adding_a_layer_under_an_existing_label_without_combine_is_a_400() {
    let container = workload().layers([("base", base_layer())]);
    let (out, results) = run_probe(CHARM, "relabel", container);
    assert_eq!(results["same label"], "APIError 400");
    assert_eq!(results["layers unchanged"], "['web', 'worker']");
    assert_eq!(output_container(&out).layers.len(), 1);
}

#[test]
fn checks_stop_and_start_by_name_and_unknown_checks_are_a_400() {
    let container = workload()
        .layers([("checks", checks_layer())])
        .check_infos([
            CheckInfo::new("alive").level(CheckLevel::Alive),
            CheckInfo::new("ready").level(CheckLevel::Ready),
        ]);
    if ops_version() < (2, 19) {
        // Containers start and stop checks from ops 2.19.
        let state = State::default()
            .config([("probe", "checks".into())])
            .containers([container]);
        let err = ctx(CHARM).run(Event::config_changed(), &state).unwrap_err();
        assert!(
            matches!(&err, Error::CharmRaised { exc_type, message, .. }
                if exc_type == "AttributeError" && message.contains("stop_checks")),
            "{err}"
        );
        return;
    }
    let (out, results) = run_probe(CHARM, "checks", container);
    assert_eq!(results["all"], "{'alive': 'up', 'ready': 'up'}");
    assert_eq!(results["stop alive"], "['alive']");
    assert_eq!(
        results["stop alive again"], "[]",
        "an inactive check is not stopped again"
    );
    assert_eq!(results["alive is"], "inactive");
    assert_eq!(results["start alive"], "['alive']");
    assert_eq!(results["start alive again"], "[]");
    // Pebble answers an unknown check with 400 Bad Request (ops' Harness says 404).
    assert_eq!(results["start ghost"], "APIError 400");
    assert_eq!(results["stop ghost"], "APIError 400");
    assert_eq!(results["get_check ghost"], "ModelError");
    assert_eq!(results["alive level"], "alive");

    let infos: BTreeMap<&str, &CheckInfo> = output_container(&out)
        .check_infos
        .iter()
        .map(|i| (i.name.as_str(), i))
        .collect();
    assert_eq!(infos["alive"].status, CheckStatus::Up, "started again last");
    assert_eq!(infos["ready"].status, CheckStatus::Up);
}

#[test]
fn a_layer_s_checks_get_check_infos_in_the_output() {
    let (out, results) = run_probe(CHARM, "add-checks", workload());
    // A check's `startup` came with ops 2.19: earlier ops leave it out of the layer they send,
    // so Pebble starts the check.
    let startup_known = ops_version() >= (2, 19);
    if startup_known {
        assert_eq!(results["checks"], "{'later': 'inactive', 'up': 'up'}");
    } else {
        assert_eq!(results["checks"], "{'later': 'up', 'up': 'up'}");
    }
    let infos: BTreeMap<&str, &CheckInfo> = output_container(&out)
        .check_infos
        .iter()
        .map(|i| (i.name.as_str(), i))
        .collect();
    assert_eq!(infos.keys().copied().collect::<Vec<_>>(), ["later", "up"]);
    let up = infos["up"];
    assert_eq!(up.level, CheckLevel::Alive);
    assert_eq!(up.status, CheckStatus::Up);
    assert_eq!(up.threshold, 3);
    assert_eq!(up.failures, 0);
    let later = infos["later"];
    if startup_known {
        assert_eq!(later.status, CheckStatus::Inactive);
        assert_eq!(later.startup, CheckStartup::Disabled);
    } else {
        assert_eq!(later.status, CheckStatus::Up);
        assert_eq!(later.startup, CheckStartup::Unset);
    }
    assert_eq!(later.level, CheckLevel::Unset);
}

#[test]
fn every_pebble_call_raises_connection_error_when_pebble_cannot_be_reached() {
    let container = Container::new("workload")
        .layers([("base", base_layer())])
        .files([("/x", "x")]);
    let (out, results) = run_probe(CHARM, "disconnected", container.clone());
    assert_eq!(results["can_connect"], "False");
    let calls = [
        "push",
        "pull",
        "list_files",
        "exists",
        "isdir",
        "make_dir",
        "remove_path",
        "add_layer",
        "get_plan",
        "get_services",
        "start",
        "stop",
        "restart",
        "replan",
        "autostart",
        "exec",
        "get_checks",
        "start_checks",
        "stop_checks",
        "get_notices",
        "get_notice",
    ];
    // Containers start and stop checks from ops 2.19.
    let missing =
        |call: &str| ops_version() < (2, 19) && ["start_checks", "stop_checks"].contains(&call);
    let not_refused: Vec<String> = calls
        .iter()
        .filter(|call| {
            let expected = if missing(call) {
                "AttributeError"
            } else {
                "ConnectionError"
            };
            results.get(**call).map(String::as_str) != Some(expected)
        })
        .map(|call| format!("{call}: {:?}", results.get(*call)))
        .collect();
    assert!(
        not_refused.is_empty(),
        "calls that did not raise ConnectionError: {not_refused:?}"
    );
    // Nothing reached the container.
    assert_eq!(output_container(&out), &container);
    assert!(out.exec_history.is_empty());
}
