//! `scenario run` with the rest of Juju's model: case files holding secrets (owner and
//! observer events, removed revisions, a change Juju refuses when it commits), actions
//! (params, results, logs, failure), storage, ports, a trusted app's cloud spec and a resource
//! path relative to the case file, as docs/STATE_JSON.md writes them.

mod common;

use common::{finish, fixture, scenario};
use serde_json::{json, Value};

/// Run a case file; its exit code and stdout as JSON.
fn run_case(name: &str) -> (Option<i32>, Value) {
    let done = finish(&mut scenario([
        std::ffi::OsStr::new("run"),
        fixture(name).as_os_str(),
    ]));
    (done.code, done.json())
}

fn run_ok(name: &str) -> Value {
    let (code, output) = run_case(name);
    assert_eq!(code, Some(0), "{output:#}");
    output
}

fn charm_log(output: &Value) -> Vec<&str> {
    output["juju_log"]
        .as_array()
        .expect("juju_log is a list")
        .iter()
        .filter(|l| l["level"] != "DEBUG")
        .filter_map(|l| l["message"].as_str())
        .collect()
}

#[test]
fn a_secret_rotate_case_prints_the_new_revision() {
    let output = run_ok("secret-rotate.json");
    let secret = &output["state"]["secrets"][0];
    assert_eq!(secret["latest_revision"], 3);
    assert_eq!(secret["latest_content"], json!({"password": "rotated-3"}));
    assert_eq!(secret["tracked_revision"], 1);
    assert_eq!(secret["remote_grants"], json!({"1": ["consumer"]}));
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "revision 3"})
    );
    assert_eq!(
        charm_log(&output),
        ["rotated secret:0123456789abcdefghij label=creds"]
    );
}

#[test]
fn a_secret_remove_case_records_the_removed_revision() {
    let output = run_ok("secret-remove.json");
    assert_eq!(output["removed_secret_revisions"], json!([1]));
    let secret = &output["state"]["secrets"][0];
    assert_eq!(
        (&secret["tracked_revision"], &secret["latest_revision"]),
        (&json!(2), &json!(3))
    );
}

#[test]
fn a_secret_changed_case_may_name_the_secret_by_its_bare_id() {
    let output = run_ok("secret-observer-changed.json");
    let secret = &output["state"]["secrets"][0];
    assert_eq!(secret["owner"], Value::Null);
    assert_eq!(
        (&secret["tracked_revision"], &secret["tracked_content"]),
        (&json!(2), &json!({"password": "new"}))
    );
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "password=new"})
    );
}

#[test]
fn a_follower_leaves_the_application_secret_alone() {
    let output = run_ok("secret-follower-config.json");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "waiting", "message": "not the leader"})
    );
    assert_eq!(output["state"]["secrets"][0]["latest_revision"], 1);
}

#[test]
fn an_action_case_prints_results_logs_and_failure() {
    let output = run_ok("action-backup.json");
    assert_eq!(
        output["action_results"],
        json!({"id": "42", "config-changed-runs": 0,
               "params": {"target": "s3://bucket", "tags": ["a", "b"], "compress": true, "level": 3}})
    );
    assert_eq!(
        output["action_logs"],
        json!(["backing up to s3://bucket", "done"])
    );
    assert_eq!(output["action_failure"], Value::Null);

    let output = run_ok("action-fail.json");
    assert_eq!(output["action_failure"], "disk full");
    assert_eq!(
        output["action_logs"],
        json!(["about to fail", "still running"])
    );
    assert_eq!(output["state"]["unit_status"]["name"], "blocked");
}

#[test]
fn a_storage_case_runs_the_attached_event_for_its_instance() {
    let output = run_ok("storage-attached.json");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "data: 2"})
    );
    assert!(charm_log(&output)
        .iter()
        .any(|l| l.starts_with("attached data/1 at ") && l.ends_with("/data-1")));
    assert_eq!(
        output["state"]["storages"],
        json!([{"name": "data", "index": 0}, {"name": "data", "index": 1}])
    );
}

#[test]
fn a_ports_case_prints_the_opened_ports() {
    let output = run_ok("ports-config.json");
    let mut ports: Vec<String> = output["state"]["opened_ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.to_string())
        .collect();
    ports.sort();
    assert_eq!(
        ports,
        [
            r#"{"protocol":"icmp"}"#,
            r#"{"protocol":"tcp","port":8080}"#,
            r#"{"protocol":"tcp","port":9000}"#
        ]
    );
}

#[test]
fn a_trusted_app_reads_the_cloud_spec_of_the_case() {
    let output = run_ok("cloud-start.json");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "cloud: lxd"})
    );
    assert!(charm_log(&output).contains(&"cloud: lxd localhost default https://10.0.0.1:8443"));
}

#[test]
fn a_resource_path_is_relative_to_the_case_file() {
    let output = run_ok("resource-install.json");
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "bin fetched"})
    );
    assert!(charm_log(&output)
        .iter()
        .any(|l| l.ends_with("resources/bin.txt: bin v1.2")));
    // The output repeats the path as the case wrote it.
    assert_eq!(
        output["state"]["resources"],
        json!([{"name": "bin", "path": "resources/bin.txt"}])
    );
}

#[test]
fn a_change_juju_refuses_at_commit_exits_1_with_the_refusal() {
    let (code, output) = run_case("secret-observer-set.json");
    assert_eq!(code, Some(1), "{output:#}");
    assert_eq!(output["state"], Value::Null);
    insta::assert_json_snapshot!(output["error"]);
    // The charm's code ran to its end.
    assert!(charm_log(&output).contains(&"set the password; carrying on"));
}
