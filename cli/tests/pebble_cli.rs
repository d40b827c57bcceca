//! `scenario run` with containers: case files holding a container's Pebble (layers, files,
//! execs, notices, mounts) in, the output containers and `exec_history` out as JSON, and a
//! container the metadata does not declare as bad input.

mod common;

use common::{finish, fixture, manifest_dir, run_ok, scenario, Finished};
use serde_json::{json, Value};

/// `scenario run FILE` to its end.
fn run_case_file(path: &std::path::Path) -> Finished {
    finish(&mut scenario([
        std::ffi::OsStr::new("run"),
        path.as_os_str(),
    ]))
}

fn container<'v>(output: &'v Value, name: &str) -> &'v Value {
    output["state"]["containers"]
        .as_array()
        .expect("containers is a list")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no container {name} in {}", output["state"]))
}

#[test]
fn a_pebble_ready_case_prints_the_layer_files_and_service_statuses() {
    let output = run_ok(&fixture("pebble-ready-web.json"));
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "web=active"})
    );
    let web = container(&output, "web");
    assert_eq!(web["can_connect"], json!(true));
    let service = &web["layers"]["web"]["services"]["web"];
    assert_eq!(
        service["command"],
        "/usr/bin/web --config /etc/web/web.conf"
    );
    assert_eq!(
        service["environment"],
        json!({"LOG_LEVEL": "info", "PORT": "9090"})
    );
    assert_eq!(
        web["layers"]["web"]["checks"]["ready"]["http"]["url"],
        "http://localhost:9090/ready"
    );
    assert_eq!(web["service_statuses"], json!({"web": "active"}));
    assert_eq!(
        web["files"]["/etc/web/web.conf"],
        json!({"content": "port = 9090\nlog-level = info\n", "permissions": "600",
               "user": "web", "group": "web"})
    );
    let mut checks: Vec<&str> = web["check_infos"]
        .as_array()
        .expect("check_infos is a list")
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    checks.sort_unstable();
    assert_eq!(checks, ["alive", "ready"]);
    assert_eq!(output["exec_history"], json!({}));
    assert_eq!(container(&output, "metrics")["layers"], json!({}));
}

#[test]
fn an_exec_case_prints_the_exec_history() {
    let output = run_ok(&fixture("pebble-metrics-exec.json"));
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "metrics-exporter 2.0.1"})
    );
    assert_eq!(output["state"]["workload_version"], "2.0.1");
    let history = output["exec_history"]["metrics"]
        .as_array()
        .expect("a history for metrics");
    let commands: Vec<&Value> = history.iter().map(|a| &a["command"]).collect();
    assert_eq!(
        commands,
        [
            &json!(["metrics-exporter", "--version"]),
            &json!(["metrics-exporter", "check-config", "--strict"]),
            &json!(["metrics-exporter", "dump"]),
        ]
    );
    let check = &history[1];
    assert_eq!(check["environment"], json!({"LOG_LEVEL": "info"}));
    assert_eq!(check["working_dir"], "/srv/metrics");
    assert_eq!(check["user"], "metrics");
    assert_eq!(check["group"], "metrics");
    assert_eq!(check["timeout"], json!(10.0));
    assert_eq!(check["combine_stderr"], json!(true));
    assert_eq!(check["encoding"], "utf-8");
    assert_eq!(history[2]["encoding"], Value::Null);
    assert!(output["exec_history"].get("web").is_none());
    // The State's exec results are written back as read.
    assert_eq!(
        container(&output, "metrics")["execs"][1],
        json!({"command_prefix": ["metrics-exporter", "--version"], "return_code": 0,
               "stdout": "2.0.1\n", "stderr": ""})
    );
}

#[test]
fn a_custom_notice_case_names_its_notice_by_id() {
    let output = run_ok(&fixture("pebble-custom-notice.json"));
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "restarted web: cli"})
    );
    let web = container(&output, "web");
    assert_eq!(web["service_statuses"]["web"], "active");
    assert_eq!(web["notices"][0]["key"], "example.com/reload");
    assert_eq!(web["notices"][0]["id"], "1");
}

#[test]
fn a_mount_source_in_a_case_file_is_relative_to_the_case_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("app-data")).unwrap();
    std::fs::write(dir.path().join("app-data/old.txt"), "stale").unwrap();
    let case = json!({
        "charm": manifest_dir().join("tests/charms/pebble-files"),
        "event": {"name": "config_changed"},
        "state": {
            "config": {"probe": "mount-write"},
            "containers": [{
                "name": "workload", "can_connect": true,
                "mounts": {"data": {"location": "/var/lib/app", "source": "app-data"}}
            }]
        }
    });
    let file = dir.path().join("case.json");
    std::fs::write(&file, case.to_string()).unwrap();
    let output = run_ok(&file);
    assert_eq!(
        output["state"]["unit_status"],
        json!({"name": "active", "message": "probe mount-write done"})
    );
    let host = dir.path().join("app-data");
    assert_eq!(
        std::fs::read_to_string(host.join("result.txt")).unwrap(),
        "written by the charm\n"
    );
    assert!(!host.join("old.txt").exists());
    assert!(host.join("made").is_dir());
}

#[test]
fn a_container_the_metadata_does_not_declare_is_bad_input() {
    let done = run_case_file(&fixture("pebble-bad-container.json"));
    assert_eq!(
        done.code,
        Some(2),
        "stdout:\n{}\nstderr:\n{}",
        done.stdout,
        done.stderr
    );
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!(done.stderr);
}
