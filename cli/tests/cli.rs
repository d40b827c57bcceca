//! The `scenario` command-line tool: case files and the short form in, Output JSON out, and
//! exit codes 0 (the run finished), 1 (the charm raised) and 2 (bad input, said on stderr).

mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{finish, fixture, manifest_dir, ok, scenario};
use serde_json::{json, Value};

/// Every field of the Output JSON object, in the order the CLI writes them.
const OUTPUT_FIELDS: [&str; 16] = [
    "state",
    "unit_status_history",
    "app_status_history",
    "workload_version_history",
    "juju_log",
    "emitted_events",
    "action_results",
    "action_logs",
    "action_failure",
    "exec_history",
    "removed_secret_revisions",
    "requested_storages",
    "reboot_requested",
    "added_metrics",
    "pod_spec",
    "error",
];

fn charm_path(name: &str) -> PathBuf {
    manifest_dir().join("tests/charms").join(name)
}

/// Run to completion with exit code 0 and return the Output JSON.
fn run_ok(cmd: &mut Command) -> Value {
    ok(cmd).json()
}

/// Run with bad input: exit code 2, nothing on stdout. Returns stderr.
fn run_bad_input(cmd: &mut Command) -> String {
    let done = finish(cmd);
    assert_eq!(
        done.code,
        Some(2),
        "expected exit 2\nstdout:\n{}\nstderr:\n{}",
        done.stdout,
        done.stderr
    );
    assert_eq!(done.stdout, "", "nothing on stdout for bad input");
    assert!(!done.stderr.trim().is_empty(), "a message on stderr");
    done.stderr
}

fn run_case(name: &str) -> Value {
    run_ok(&mut scenario(["run".as_ref(), fixture(name).as_os_str()]))
}

fn bad_case(name: &str) -> String {
    run_bad_input(&mut scenario(["run".as_ref(), fixture(name).as_os_str()]))
}

fn log_messages(output: &Value) -> Vec<&str> {
    output["juju_log"]
        .as_array()
        .expect("juju_log is a list")
        .iter()
        .map(|l| l["message"].as_str().expect("a message string"))
        .collect()
}

/// Replace the ops version in ops' "ops X up and running." line, so the snapshot holds on
/// every supported ops.
fn redact_ops_version(mut output: Value) -> Value {
    for line in output["juju_log"].as_array_mut().unwrap() {
        let message = line["message"].as_str().unwrap();
        if let Some(version) = message
            .strip_prefix("ops ")
            .and_then(|m| m.strip_suffix(" up and running."))
        {
            assert!(
                version.split('.').all(|p| !p.is_empty()),
                "a version: {version:?}"
            );
            line["message"] = json!("ops [version] up and running.");
        }
    }
    output
}

// --- case files ---------------------------------------------------------------------------

#[test]
fn case_file_run_exits_0_with_every_output_field() {
    let output = run_case("status-start-leader.json");
    let fields: Vec<&str> = output
        .as_object()
        .expect("the Output is an object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, OUTPUT_FIELDS);
}

#[test]
fn case_file_run_reports_statuses_and_their_history() {
    let output = run_case("status-start-leader.json");
    let state = &output["state"];
    assert_eq!(state["leader"], json!(true));
    assert_eq!(
        state["unit_status"],
        json!({"name": "active", "message": "ready"})
    );
    assert_eq!(
        state["app_status"],
        json!({"name": "active", "message": "app ready"})
    );
    assert_eq!(state["workload_version"], json!("1.1"));
    assert_eq!(
        output["unit_status_history"],
        json!([
            {"name": "unknown", "message": ""},
            {"name": "maintenance", "message": "starting"},
        ])
    );
    assert_eq!(
        output["app_status_history"],
        json!([{"name": "unknown", "message": ""}])
    );
    assert_eq!(output["workload_version_history"], json!([]));
    assert_eq!(
        output["emitted_events"],
        json!([{"name": "start", "type": "StartEvent", "deferred": false,
                "bases": ["HookEvent", "EventBase"]}])
    );
    assert!(log_messages(&output).contains(&"Emitting Juju event start."));
    assert_eq!(output["action_results"], Value::Null);
    assert_eq!(output["action_logs"], json!([]));
    assert_eq!(output["action_failure"], Value::Null);
    assert_eq!(output["exec_history"], json!({}));
    assert_eq!(output["removed_secret_revisions"], json!([]));
    assert_eq!(output["requested_storages"], json!({}));
    assert_eq!(output["error"], Value::Null);
}

#[test]
fn case_file_output_matches_the_snapshot() {
    let output = run_case("status-start-leader.json");
    insta::assert_json_snapshot!("status_start_as_leader_output", redact_ops_version(output));
}

#[test]
fn relation_cases_print_the_output_databags() {
    let output = run_case("relation-changed.json");
    let relation = &output["state"]["relations"][0];
    assert_eq!(relation["type"], "regular");
    assert_eq!(
        relation["interface"], "pgsql",
        "filled in from the metadata"
    );
    assert_eq!(
        relation["local_app_data"],
        json!({"database": "app", "user": "client"})
    );
    assert_eq!(relation["local_unit_data"]["seen"], "postgresql/2");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "db at 10.0.0.9 via 10.0.0.2"})
    );
    // Every relation and network field is written back, as read.
    assert_eq!(
        output["state"]["networks"][0]["bind_addresses"][0]["interface_name"],
        "eth1"
    );
    assert_eq!(relation["remote_units_data"]["2"], json!({"port": "5432"}));
    let juju_log = output["juju_log"].as_array().unwrap();
    assert!(juju_log
        .iter()
        .any(|l| l["message"] == "unit postgresql/2 serves port 5432"));
}

#[test]
fn a_relation_case_naming_a_missing_relation_is_bad_input() {
    let case = json!({
        "charm": "../../charms/db-requirer",
        "event": {"name": "db_relation_changed", "relation_id": 3},
        "state": {"relations": [{"endpoint": "db", "id": 4}, {"type": "peer", "endpoint": "db", "peers_dta": {}}]}
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let stderr = run_bad_input(&mut scenario(["run".as_ref(), file.as_os_str()]));
    insta::assert_snapshot!(stderr);
}

#[test]
fn case_file_output_reads_back_as_an_output() {
    let done = finish(&mut scenario([
        "run".as_ref(),
        fixture("status-start-leader.json").as_os_str(),
    ]));
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let output: ops_scenario::Output = ops_scenario::case::from_json(&done.stdout).unwrap();
    assert!(output.state.leader);
    assert_eq!(
        output.state.unit_status,
        ops_scenario::Status::active("ready")
    );
    assert_eq!(output.error, None);
}

#[test]
fn case_file_context_and_state_round_trip_through_stored_state_tags() {
    let output = run_case("stored-config-round-trip.json");
    let state = &output["state"];
    assert_eq!(state["config"], json!({"port": 9000}));
    assert_eq!(state["leader"], json!(true));
    assert_eq!(
        state["unit_status"],
        json!({"name": "active", "message": "port=9000 ratio=0.5 debug=False name=None"})
    );
    assert_eq!(state["deferred"], json!([]));
    let stored = state["stored_states"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["owner_path"] == json!("StoredConfigCharm"))
        .expect("the charm's StoredState is in the output");
    assert_eq!(stored["name"], json!("_stored"));
    assert_eq!(
        stored["content"],
        json!({
            "big": {"$int": "1180591620717411303425"},
            "blob": {"$bytes": "eA=="},
            "counter": 1,
            "last_port": 9000,
            "seen": ["info"],
            "tags": {"$set": ["9000"]},
        })
    );
    // The framework's own StoredState (its event counter) is there too.
    assert!(state["stored_states"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["owner_path"].is_null() && s["content"]["event_count"].is_i64()));
    // Config the charm read: the state's port, and the metadata's defaults for the rest.
    assert!(log_messages(&output)
        .contains(&"config: {'debug': False, 'log-level': 'info', 'port': 9000, 'ratio': 0.5}"));
}

#[test]
fn case_file_output_state_runs_again_as_input() {
    // Feed the output State of one run into the next: the counter goes on from where it was.
    let first = run_case("stored-config-round-trip.json");
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("state.json");
    std::fs::write(&state_file, first["state"].to_string()).unwrap();
    let second = run_ok(&mut scenario([
        "run".as_ref(),
        "--charm".as_ref(),
        charm_path("stored-config").as_os_str(),
        "--event".as_ref(),
        "config_changed".as_ref(),
        "--state".as_ref(),
        state_file.as_os_str(),
    ]));
    let stored = second["state"]["stored_states"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["owner_path"] == json!("StoredConfigCharm"))
        .unwrap();
    assert_eq!(stored["content"]["counter"], json!(2));
    assert_eq!(stored["content"]["blob"], json!({"$bytes": "eHg="}));
    assert_eq!(
        stored["content"]["big"],
        json!({"$int": "1180591620717411303426"})
    );
    assert_eq!(stored["content"]["seen"], json!(["info", "info"]));
    assert_eq!(stored["content"]["tags"], json!({"$set": ["9000"]}));
}

#[test]
fn case_file_context_options_reach_the_charm() {
    let output = run_case("charm-dir-context.json");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "Welcome to motd/3!"})
    );
    let messages = log_messages(&output);
    assert!(
        messages.contains(&"env JUJU_UNIT_NAME=motd/3"),
        "{messages:?}"
    );
    assert!(messages.contains(&"env JUJU_VERSION=3.5.1"), "{messages:?}");
}

#[test]
fn case_file_deferred_events_are_re_emitted_and_kept_in_the_queue() {
    let output = run_case("deferring-requeue.json");
    let state = &output["state"];
    assert_eq!(
        state["deferred"],
        json!([{
            "handle_path": "DeferringCharm/on/start[1]",
            "owner": "DeferringCharm",
            "observer": "_on_start",
            "snapshot_data": {},
        }])
    );
    let stored = state["stored_states"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["owner_path"] == json!("DeferringCharm"))
        .unwrap();
    assert_eq!(stored["content"], json!({"ready": false, "starts": 2}));
    assert_eq!(
        output["emitted_events"],
        json!([
            {"name": "start", "type": "StartEvent", "deferred": true,
             "bases": ["HookEvent", "EventBase"]},
            {"name": "update_status", "type": "UpdateStatusEvent", "deferred": false,
             "bases": ["HookEvent", "EventBase"]},
        ])
    );
    let messages = log_messages(&output);
    assert!(
        messages.contains(&"not ready, deferring start"),
        "{messages:?}"
    );
    assert!(messages.contains(&"update-status"), "{messages:?}");
}

#[test]
fn case_file_charm_class_picks_the_class() {
    let output = run_case("multi-class-base.json");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "base"})
    );
}

#[test]
fn case_file_charm_path_is_relative_to_the_case_file_folder() {
    // From another working directory, with the case file's absolute path.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut cmd = scenario([
        "run".as_ref(),
        fixture("status-start-leader.json").as_os_str(),
    ]);
    cmd.current_dir(elsewhere.path());
    let output = run_ok(&mut cmd);
    assert_eq!(output["state"]["unit_status"]["message"], json!("ready"));

    // From the case file's own folder, with a bare file name.
    let mut cmd = scenario(["run", "status-start-leader.json"]);
    cmd.current_dir(fixture(""));
    let output = run_ok(&mut cmd);
    assert_eq!(output["state"]["unit_status"]["message"], json!("ready"));

    // From the package root, with a relative path.
    let output = run_ok(&mut scenario([
        "run",
        "tests/fixtures/cli/status-start-leader.json",
    ]));
    assert_eq!(output["state"]["unit_status"]["message"], json!("ready"));
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    // `scenario run case.json | head -0`: the pipe is closed before the Output is written.
    let mut child = scenario([
        "run".as_ref(),
        fixture("status-start-leader.json").as_os_str(),
    ])
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    drop(child.stdout.take());
    let done = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, "");
}

// --- the short form -----------------------------------------------------------------------

#[test]
fn short_form_with_a_state_file_runs_the_event() {
    let output = run_ok(&mut scenario([
        "run",
        "--charm",
        "tests/charms/status",
        "--event",
        "start",
        "--state",
        "tests/fixtures/cli/state-leader.json",
    ]));
    assert_eq!(output["state"]["leader"], json!(true));
    assert_eq!(
        output["state"]["app_status"],
        json!({"name": "active", "message": "app ready"})
    );
    // The same as the case file with the same charm, event and State.
    assert_eq!(
        redact_ops_version(output),
        redact_ops_version(run_case("status-start-leader.json"))
    );
}

#[test]
fn short_form_without_a_state_runs_on_the_default_state() {
    let output = run_ok(&mut scenario([
        "run",
        "--event",
        "start",
        "--charm",
        "tests/charms/status",
    ]));
    let fields: Vec<&str> = output
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, OUTPUT_FIELDS);
    assert_eq!(output["state"]["leader"], json!(false));
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "ready"})
    );
    // Not the leader: the app status is left alone.
    assert_eq!(
        output["state"]["app_status"],
        json!({"name": "unknown", "message": ""})
    );
    assert_eq!(output["app_status_history"], json!([]));
}

#[test]
fn short_form_class_flag_picks_the_class() {
    let output = run_ok(&mut scenario([
        "run",
        "--charm",
        "tests/charms/multi-class",
        "--event",
        "start",
        "--class",
        "BaseDemoCharm",
    ]));
    assert_eq!(output["state"]["unit_status"]["message"], json!("base"));

    let output = run_ok(&mut scenario([
        "run",
        "--charm",
        "tests/charms/multi-class",
        "--event",
        "start",
    ]));
    assert_eq!(output["state"]["unit_status"]["message"], json!("special"));
}

// --- the charm raises ---------------------------------------------------------------------

/// The Output's `error` with its traceback cut to the charm's own frames (the frames in ops
/// and the shim, whose lines differ between ops releases, become `...`) and the repository
/// path replaced.
fn charm_error(output: &Value) -> Value {
    let mut error = output["error"].clone();
    let traceback = error["traceback"].as_str().expect("a traceback");
    let mut kept: Vec<String> = Vec::new();
    let mut in_charm = false;
    for line in traceback.lines() {
        if line.starts_with("  File ") {
            in_charm = line.contains("/tests/charms/");
            if !in_charm && kept.last().map(String::as_str) != Some("  ...") {
                kept.push("  ...".into());
            }
        }
        if !line.starts_with("  ") || in_charm {
            kept.push(common::normalise(line, &[]));
        }
    }
    error["traceback"] = Value::from(kept);
    error
}

#[test]
fn charm_exception_exits_1_with_the_traceback() {
    let done = finish(&mut scenario([
        "run".as_ref(),
        fixture("raising-start.json").as_os_str(),
    ]));
    assert_eq!(done.code, Some(1), "stderr:\n{}", done.stderr);
    let output: Value = serde_json::from_str(&done.stdout).unwrap();
    let fields: Vec<&str> = output
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, OUTPUT_FIELDS);
    assert_eq!(output["state"], Value::Null);
    assert!(
        output["error"]["traceback"]
            .as_str()
            .unwrap()
            .starts_with("Traceback (most recent call last):\n"),
        "{output:#}"
    );
    insta::assert_json_snapshot!(charm_error(&output));
    // What the run did before it failed is reported too.
    let logged: Vec<&str> = output["juju_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert!(logged.contains(&"starting"), "{logged:?}");
    assert_eq!(
        output["unit_status_history"],
        json!([{"name": "unknown", "message": ""}])
    );
}

#[test]
fn charm_exception_deep_in_the_charm_has_every_frame() {
    let done = finish(&mut scenario([
        "run".as_ref(),
        fixture("raising-stop.json").as_os_str(),
    ]));
    assert_eq!(done.code, Some(1), "stderr:\n{}", done.stderr);
    let output: Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(output["state"], Value::Null);
    // Every frame of the charm, in call order: _on_stop, _shutdown, _check_stop_allowed, _fail.
    insta::assert_json_snapshot!(charm_error(&output));
}

#[test]
fn charm_exception_in_the_short_form_exits_1() {
    let done = finish(&mut scenario([
        "run",
        "--charm",
        "tests/charms/raising",
        "--event",
        "start",
    ]));
    assert_eq!(done.code, Some(1), "stderr:\n{}", done.stderr);
    let output: Value = serde_json::from_str(&done.stdout).unwrap();
    assert_eq!(output["state"], Value::Null);
    assert_eq!(output["error"]["type"], json!("KeyError"));
}

#[test]
fn charm_that_does_not_raise_on_another_event_exits_0() {
    let output = run_ok(&mut scenario([
        "run",
        "--charm",
        "tests/charms/raising",
        "--event",
        "update_status",
    ]));
    assert_eq!(output["error"], Value::Null);
    assert_eq!(output["state"]["unit_status"]["message"], json!("fine"));
}

// --- bad input ----------------------------------------------------------------------------
// The message on stderr is the engine's report, after `scenario: `, unchanged.

#[test]
fn malformed_json_exits_2_with_line_and_column() {
    insta::assert_snapshot!(bad_case("bad-syntax.json"));
}

#[test]
fn unknown_field_exits_2_naming_its_path_once_and_the_known_fields() {
    insta::assert_snapshot!(bad_case("bad-unknown-field.json"));
}

#[test]
fn nested_unknown_field_exits_2_naming_its_path() {
    insta::assert_snapshot!(bad_case("bad-nested-unknown-field.json"));
}

#[test]
fn wrong_type_exits_2_naming_the_field() {
    insta::assert_snapshot!(bad_case("bad-wrong-type.json"));
}

#[test]
fn wrong_type_in_a_state_file_exits_2_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let state_file = dir.path().join("state.json");
    std::fs::write(&state_file, r#"{"leader": "yes"}"#).unwrap();
    let stderr = run_bad_input(&mut scenario([
        "run".as_ref(),
        "--charm".as_ref(),
        "tests/charms/status".as_ref(),
        "--event".as_ref(),
        "start".as_ref(),
        "--state".as_ref(),
        state_file.as_os_str(),
    ]));
    insta::assert_snapshot!(stderr);
}

#[test]
fn missing_charm_dir_exits_2_naming_it() {
    insta::assert_snapshot!(common::normalise(&bad_case("bad-missing-charm.json"), &[]));
}

#[test]
fn missing_case_file_exits_2_naming_it() {
    let stderr = run_bad_input(&mut scenario([
        "run",
        "tests/fixtures/cli/no-such-case.json",
    ]));
    insta::assert_snapshot!(stderr);
}

#[test]
fn missing_state_file_exits_2_naming_it() {
    let stderr = run_bad_input(&mut scenario([
        "run",
        "--charm",
        "tests/charms/status",
        "--event",
        "start",
        "--state",
        "tests/fixtures/cli/no-such-state.json",
    ]));
    insta::assert_snapshot!(stderr);
}

#[test]
fn unknown_event_exits_2_listing_the_charm_events() {
    let stderr = run_bad_input(&mut scenario([
        "run",
        "--charm",
        "tests/charms/status",
        "--event",
        "strat",
    ]));
    insta::assert_snapshot!(stderr);
}

#[test]
fn unknown_event_in_a_case_file_exits_2() {
    insta::assert_snapshot!(bad_case("bad-unknown-event.json"));
}

#[test]
fn inconsistent_state_exits_2_naming_the_rule() {
    insta::assert_snapshot!(bad_case("bad-undeclared-config.json"));
}

// --- the Python environment ---------------------------------------------------------------

#[test]
fn venv_without_ops_exits_2_saying_how_to_fix_it() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("empty-venv");
    let made = Command::new("python3")
        .args(["-m", "venv", "--without-pip"])
        .arg(&venv)
        .status()
        .expect("running python3 -m venv");
    assert!(made.success(), "python3 -m venv failed");

    let mut cmd = scenario([
        "run".as_ref(),
        fixture("status-start-leader.json").as_os_str(),
    ]);
    cmd.env("VIRTUAL_ENV", &venv);
    let stderr = run_bad_input(&mut cmd);
    // The sys.path entries are the machine's; the venv's site-packages is among them.
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with(&format!("    {}/lib/python3", venv.display()))),
        "the venv's site-packages is listed: {stderr}"
    );
    insta::assert_snapshot!(common::python_environment_report(
        &stderr,
        &[(&venv, "[VENV]")]
    ));
}

#[test]
fn virtual_env_that_does_not_exist_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let venv = dir.path().join("no-such-venv");
    let mut cmd = scenario([
        "run".as_ref(),
        fixture("status-start-leader.json").as_os_str(),
    ]);
    cmd.env("VIRTUAL_ENV", &venv);
    let stderr = run_bad_input(&mut cmd);
    // Not a snapshot: the message names the machine's Python version, which the venv must
    // be made with.
    assert!(
        stderr.contains(&format!(
            "the venv {} (VIRTUAL_ENV is set) does not exist",
            venv.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(" -m venv \"{}\"", venv.display())),
        "{stderr}"
    );
}
