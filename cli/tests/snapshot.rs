//! `scenario snapshot` end to end: the CLI against a fake `juju` client
//! (tests/data/snapshot/fake-juju/juju) that answers every command with what the real client
//! prints, from the fixtures in tests/data/snapshot/<scenario>/ (written by
//! tests/data/snapshot/make_fixtures.py). Scenarios: `machine` (gateway/0, a subordinate
//! machine unit with a peer, a subordinate and a database relation), `k8s` (web/0, with two
//! containers and secrets), and `failures` / `truncated`, laid over `machine`.
//!
//! The Rust tests the CLI generates are checked in as tests/snapshot_generated.rs and
//! tests/snapshot_generated_k8s.rs, which the suite compiles and runs; this file regenerates
//! them and fails if they differ. To refresh them after a change to the renderer or the
//! fixtures: `SNAPSHOT_REGENERATE=1 cargo test -p ops-scenario-cli --test snapshot`.

use std::collections::BTreeMap;
mod common;

use std::path::PathBuf;
use std::process::Command;

use common::{finish, manifest_dir, ok, run_ok, scenario};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    manifest_dir().join("tests/data/snapshot").join(name)
}

/// `scenario snapshot ARGS...` with the fake `juju` first on the child's PATH, answering
/// from the scenario folders `scenarios` (the first that knows a command answers it).
fn snapshot_cmd(scenarios: &[&str], args: &[&str]) -> Command {
    let mut path = std::ffi::OsString::from(data("fake-juju"));
    if let Some(rest) = std::env::var_os("PATH") {
        path.push(":");
        path.push(rest);
    }
    let dirs: Vec<String> = scenarios
        .iter()
        .map(|s| data(s).to_string_lossy().into_owned())
        .collect();
    let mut cmd = scenario(["snapshot"]);
    cmd.args(args)
        .env("PATH", path)
        .env("FAKE_JUJU_DIR", dirs.join(":"))
        .env_remove("FAKE_JUJU_LOG");
    cmd
}

const MACHINE: [&str; 5] = [
    "gateway/0",
    "-m",
    "edge",
    "--charm",
    "tests/charms/snapshot-machine",
];

const K8S: [&str; 5] = [
    "web/0",
    "--charm",
    "tests/charms/snapshot-k8s",
    "--fetch",
    "web:/etc/web/web.conf",
];

fn relation<'v>(state: &'v Value, endpoint: &str) -> &'v Value {
    state["relations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("no relation on {endpoint}: {state:#}"))
}

#[test]
fn a_machine_unit_snapshot_tells_its_peer_subordinate_and_regular_relations_apart() {
    let done = ok(&mut snapshot_cmd(&["machine"], &MACHINE));
    assert_eq!(done.stderr, "", "no warnings");
    let state = done.json();

    let host = relation(&state, "host");
    assert_eq!(host["type"], "subordinate");
    assert_eq!(host["id"], 1);
    assert_eq!(host["remote_app_name"], "ubuntu");
    assert_eq!(host["remote_unit_id"], 0);
    let cluster = relation(&state, "cluster");
    assert_eq!(cluster["type"], "peer");
    assert_eq!(cluster["local_app_data"]["leader-host"], "10.42.0.11");
    assert_eq!(cluster["peers_data"]["1"]["ready"], "true");
    let db = relation(&state, "db");
    assert_eq!(db["type"], "regular");
    assert_eq!(db["id"], 3);
    assert_eq!(db["remote_app_name"], "postgresql");
    assert_eq!(db["remote_app_data"]["host"], "10.42.0.20");
    assert_eq!(
        db["local_app_data"]["user"], "gateway",
        "the leader's app bag"
    );
    assert_eq!(db["remote_units_data"]["0"]["role"], "primary");

    assert_eq!(state["leader"], true);
    assert_eq!(state["planned_units"], 2);
    assert_eq!(state["model"]["name"], "edge");
    assert_eq!(state["model"]["type"], "lxd");
    assert_eq!(state["config"]["ratio"], 0.25);
    assert_eq!(state["config"]["debug"], true);
    let bindings: Vec<&Value> = state["networks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["binding_name"])
        .collect();
    assert_eq!(bindings, ["juju-info", "metrics", "cluster", "db"]);
    assert_eq!(state["containers"], serde_json::json!([]));
    assert_eq!(state["secrets"], serde_json::json!([]));
    assert_eq!(state["deferred"].as_array().unwrap().len(), 2);
    assert_eq!(
        state["stored_states"][0]["content"]["big"],
        serde_json::json!({"$int": "1180591620717411303424"})
    );
    insta::assert_json_snapshot!("machine_state", state);
}

#[test]
fn without_a_charm_directory_the_metadata_is_read_from_the_unit() {
    let from_unit = ok(&mut snapshot_cmd(
        &["machine"],
        &["gateway/0", "-m", "edge"],
    ))
    .json();
    let from_dir = ok(&mut snapshot_cmd(&["machine"], &MACHINE)).json();
    assert_eq!(from_unit, from_dir);
}

#[test]
fn a_k8s_unit_snapshot_has_its_containers_secrets_and_storage() {
    let done = ok(&mut snapshot_cmd(&["k8s"], &K8S));
    insta::assert_snapshot!("k8s_warnings", done.stderr);
    let state = done.json();
    assert_eq!(state["model"]["name"], "shop", "the current model");
    assert_eq!(state["model"]["type"], "kubernetes");
    // The application is trusted: credential-get's cloud spec, in ops' field names.
    let cloud = &state["model"]["cloud_spec"];
    assert_eq!(cloud["type"], "kubernetes");
    assert_eq!(cloud["name"], "microk8s");
    assert_eq!(cloud["endpoint"], "https://10.0.0.10:16443");
    assert_eq!(cloud["credential"]["auth_type"], "clientcertificate");
    assert!(cloud["credential"]["attributes"]["ClientKeyData"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    assert_eq!(cloud["ca_certificates"].as_array().unwrap().len(), 1);
    assert_eq!(cloud["is_controller_cloud"], true);

    let web = &state["containers"][0];
    assert_eq!(web["name"], "web");
    assert_eq!(web["can_connect"], true);
    assert_eq!(
        web["layers"]["snapshot"]["services"]["web"]["command"],
        "/usr/bin/web --port 8081"
    );
    assert_eq!(web["layers"]["snapshot"]["checks"]["up"]["level"], "alive");
    assert_eq!(web["service_statuses"]["web"], "active");
    assert_eq!(web["service_statuses"]["metrics"], "inactive");
    assert_eq!(
        web["notices"],
        serde_json::json!([{
            "id": "3", "user_id": null, "type": "custom", "key": "example.com/web/reloaded",
            "first_occurred": "2025-12-05T09:58:01.412948172Z",
            "last_occurred": "2025-12-05T10:12:44.090316577Z",
            "last_repeated": "2025-12-05T10:12:44.090316577Z",
            "occurrences": 2, "last_data": {"config": "/etc/web/web.conf"},
            "repeat_after": null, "expire_after": 604800.0
        }])
    );
    assert_eq!(
        web["check_infos"],
        serde_json::json!([{
            "name": "up", "level": "alive", "startup": "enabled", "status": "down",
            "successes": 0, "failures": 3, "threshold": 3, "change_id": "7"
        }])
    );
    assert_eq!(
        web["files"]["/etc/web/web.conf"],
        "listen: 8081\nlog: info\n"
    );
    let sidecar = &state["containers"][1];
    assert_eq!(sidecar["name"], "sidecar");
    assert_eq!(sidecar["can_connect"], false);

    let owned = &state["secrets"][0];
    assert_eq!(owned["id"], "secret:d4ksbi7mp25c76e01vhg");
    assert_eq!(owned["owner"], "app");
    assert_eq!(owned["label"], "api-token");
    assert_eq!(owned["tracked_revision"], 2);
    assert_eq!(owned["rotate"], "monthly");
    assert_eq!(owned["expire"], "2026-06-01T00:00:00+00:00");
    assert_eq!(
        owned["remote_grants"],
        serde_json::json!({"4": ["traefik"]})
    );
    let observed = &state["secrets"][1];
    assert_eq!(observed["id"], "secret:d4ksbjnmp25c76e01vi0");
    assert_eq!(observed["owner"], Value::Null);
    assert_eq!(observed["tracked_content"]["password"], "hunter2");
    assert_eq!(observed["latest_content"]["password"], "correct-horse");
    assert_eq!(
        (&observed["tracked_revision"], &observed["latest_revision"]),
        (&Value::from(2), &Value::from(4))
    );
    assert_eq!(
        state["secrets"].as_array().unwrap().len(),
        2,
        "not the unrelated one"
    );

    // storage-list's ids, ordered by name and index; the index is the model's number.
    assert_eq!(
        state["storages"],
        serde_json::json!([
            {"name": "cache", "index": 4},
            {"name": "cache", "index": 5},
            {"name": "data", "index": 3}
        ])
    );

    let ingress = relation(&state, "ingress");
    assert_eq!(
        ingress["remote_app_data"]["url"],
        "http://10.1.24.9/shop-web"
    );
    assert_eq!(
        state["deferred"][0]["snapshot_data"]["container_name"],
        "web"
    );
    insta::assert_json_snapshot!("k8s_state", state);
}

#[test]
fn include_gathers_only_the_parts_asked_for_and_runs_only_their_commands() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut cmd = snapshot_cmd(&["machine"], &MACHINE);
    cmd.args(["--include", "relations,stored-state"])
        .env("FAKE_JUJU_LOG", log.path());
    let state = ok(&mut cmd).json();
    assert_eq!(state["relations"].as_array().unwrap().len(), 3);
    assert_eq!(state["stored_states"].as_array().unwrap().len(), 2);
    assert_eq!(state["deferred"], serde_json::json!([]));
    assert_eq!(state["config"], serde_json::json!({}));
    assert_eq!(state["networks"], serde_json::json!([]));
    assert_eq!(state["unit_status"]["name"], "unknown");
    assert_eq!(state["leader"], true, "leadership is always taken");
    let commands = std::fs::read_to_string(log.path()).unwrap();
    assert!(commands.contains("relation-get"), "{commands}");
    for absent in ["network-get", "config -m", "secret-ids", "juju secrets"] {
        assert!(!commands.contains(absent), "{absent} ran:\n{commands}");
    }
}

#[test]
fn storage_and_the_cloud_spec_are_asked_for_only_when_wanted_and_possible() {
    let run = |scenario: &str, args: &[&str], include: &str| {
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut cmd = snapshot_cmd(&[scenario], args);
        cmd.args(["--include", include])
            .env("FAKE_JUJU_LOG", log.path());
        let state = ok(&mut cmd).json();
        (state, std::fs::read_to_string(log.path()).unwrap())
    };
    let (state, commands) = run("k8s", &K8S, "storage");
    assert_eq!(state["storages"].as_array().unwrap().len(), 3);
    assert!(
        commands.contains("-- storage-list --format json"),
        "{commands}"
    );
    assert!(!commands.contains("secret-ids"), "{commands}");
    let (state, commands) = run("k8s", &K8S, "status");
    assert_eq!(state["storages"], serde_json::json!([]));
    assert!(!commands.contains("storage-list"), "{commands}");
    // The machine charm declares no storage: nothing to ask the unit. Its application is
    // not trusted, so its cloud spec is not asked for either (Juju would refuse it).
    let (state, commands) = run("machine", &MACHINE, "all");
    assert_eq!(state["storages"], serde_json::json!([]));
    assert!(!commands.contains("storage-list"), "{commands}");
    assert_eq!(state["model"]["cloud_spec"], Value::Null);
    assert!(!commands.contains("credential-get"), "{commands}");
    // The cloud spec alone still reads the config, for the trust.
    let (state, commands) = run("k8s", &K8S, "cloud-spec");
    assert_eq!(state["model"]["cloud_spec"]["name"], "microk8s");
    assert_eq!(state["config"], serde_json::json!({}));
    assert!(commands.contains("config web --format json"), "{commands}");
}

/// Save a case file the CLI printed and run it with `scenario run`.
fn run_case(case: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("case.json");
    std::fs::write(&file, case).unwrap();
    run_ok(&file)
}

#[test]
fn the_case_for_an_event_runs_with_scenario_run() {
    let mut cmd = snapshot_cmd(&["machine"], &MACHINE);
    cmd.args(["--event", "db_relation_changed"]);
    let case = ok(&mut cmd).stdout;
    let parsed: Value = serde_json::from_str(&case).unwrap();
    assert_eq!(
        parsed["event"],
        serde_json::json!({"name": "db_relation_changed", "relation_id": 3, "remote_unit": 0})
    );
    assert_eq!(parsed["context"]["app_name"], "gateway");
    assert_eq!(parsed["context"]["principal_unit"], "ubuntu/0");
    assert_eq!(parsed["context"]["machine_id"], "0");
    assert_eq!(parsed["context"]["juju_version"], "3.6.1");

    let output = run_case(&case);
    assert_eq!(
        output["state"]["unit_status"]["message"],
        "db at 10.42.0.20 via 10.42.0.11, 1 peer(s), on ubuntu/0, log debug"
    );
    // Both deferred events were re-emitted and handled.
    assert_eq!(output["state"]["deferred"], serde_json::json!([]));
    let events: Vec<&Value> = output["emitted_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["name"])
        .collect();
    assert_eq!(events, ["db_relation_changed"]);

    let mut cmd = snapshot_cmd(&["k8s"], &K8S);
    cmd.args(["--event", "web_pebble_ready"]);
    let output = run_case(&ok(&mut cmd).stdout);
    assert_eq!(
        output["state"]["unit_status"]["message"],
        "web of web running at http://10.1.24.9/shop-web; token 10 chars, password 7 chars, \
         config 23 bytes, sidecar down, storage data/3 cache/4 cache/5, cloud microk8s"
    );
}

/// The Rust test the CLI prints for a snapshot, checked against the file the suite compiles.
fn check_generated(scenario: &str, args: &[&str], file: &str) {
    // The CLI lays the test out with rustfmt; the suite's own `cargo fmt` check needs it too.
    let rustfmt = Command::new("rustfmt").arg("--version").output();
    assert!(
        rustfmt.is_ok_and(|o| o.status.success()),
        "rustfmt is not installed: {file} cannot be compared (the CLI formats with it); \
         `rustup component add rustfmt`"
    );
    let printed = ok(&mut snapshot_cmd(&[scenario], args)).stdout;
    let path = manifest_dir().join("tests").join(file);
    if std::env::var_os("SNAPSHOT_REGENERATE").is_some() {
        std::fs::write(&path, &printed).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        printed == checked_in,
        "tests/{file} is not what `scenario snapshot` prints now; if the change is meant, \
         refresh it with `SNAPSHOT_REGENERATE=1 cargo test -p ops-scenario-cli --test snapshot`.\nprinted:\n{printed}"
    );
}

#[test]
fn the_checked_in_generated_tests_are_what_the_cli_prints() {
    check_generated(
        "machine",
        &[
            "gateway/0",
            "-m",
            "edge",
            "--format",
            "rust",
            "--charm",
            "tests/charms/snapshot-machine",
            "--event",
            "db_relation_changed",
        ],
        "snapshot_generated.rs",
    );
    check_generated(
        "k8s",
        &[
            "web/0",
            "--format",
            "rust",
            "--charm",
            "tests/charms/snapshot-k8s",
            "--fetch",
            "web:/etc/web/web.conf",
            "--event",
            "web_pebble_ready",
        ],
        "snapshot_generated_k8s.rs",
    );
}

#[test]
fn a_fetch_file_lists_files_by_container() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("fetch.json");
    std::fs::write(&list, r#"{"web": ["/etc/web/web.conf"]}"#).unwrap();
    let state = ok(&mut snapshot_cmd(
        &["k8s"],
        &[
            "web/0",
            "--charm",
            "tests/charms/snapshot-k8s",
            "--include",
            "containers",
            "--fetch",
            list.to_str().unwrap(),
        ],
    ))
    .json();
    assert_eq!(
        state["containers"][0]["files"],
        serde_json::json!({"/etc/web/web.conf": "listen: 8081\nlog: info\n"})
    );
}

#[test]
fn a_failing_juju_command_is_named_with_what_it_printed() {
    let done = finish(&mut snapshot_cmd(&["failures", "machine"], &MACHINE));
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!("failing_command", done.stderr.trim_end());
}

#[test]
fn malformed_json_names_the_command_and_where() {
    let done = finish(&mut snapshot_cmd(&["truncated", "machine"], &MACHINE));
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    insta::assert_snapshot!("malformed_json", done.stderr.trim_end());
}

#[test]
fn a_command_the_client_refuses_is_named() {
    let mut args = K8S.to_vec();
    args.extend(["--fetch", "web:/etc/missing.conf"]);
    let done = finish(&mut snapshot_cmd(&["k8s"], &args));
    assert_eq!(done.code, Some(1), "{}", done.stderr);
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!("refused_command", scp_destination_redacted(&done.stderr));
}

/// `juju scp`'s destination (a temporary file) as `[TMP]`.
fn scp_destination_redacted(stderr: &str) -> String {
    let tmp = std::env::temp_dir().display().to_string();
    stderr
        .split(' ')
        .map(|word| match word.strip_prefix(&tmp) {
            Some(rest) => format!("[TMP]{}", &rest[rest.find('`').unwrap_or(rest.len())..]),
            None => word.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_missing_juju_client_is_named() {
    let empty = tempfile::tempdir().unwrap();
    let done = finish(scenario(["snapshot", "web/0"]).env("PATH", empty.path()));
    assert_eq!(done.code, Some(1));
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!("missing_client", done.stderr);
}

#[test]
fn bad_arguments_are_refused_before_juju_runs() {
    let cases: BTreeMap<&str, Vec<&str>> = BTreeMap::from([
        ("no unit", vec!["-m", "edge"]),
        ("not a unit", vec!["gateway"]),
        ("unknown format", vec!["gateway/0", "--format", "yaml"]),
        ("unknown part", vec!["gateway/0", "--include", "relatoins"]),
        ("unknown flag", vec!["gateway/0", "--verbose"]),
    ]);
    let mut report = String::new();
    for (what, args) in cases {
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut cmd = snapshot_cmd(&["machine"], &args);
        cmd.env("FAKE_JUJU_LOG", log.path());
        let done = finish(&mut cmd);
        assert_eq!(done.code, Some(2), "{what}: {}", done.stderr);
        assert_eq!(done.stdout, "", "{what}");
        assert_eq!(
            std::fs::read_to_string(log.path()).unwrap(),
            "",
            "{what}: juju ran"
        );
        report.push_str(&format!(
            "{what}: scenario snapshot {}\n{}",
            args.join(" "),
            done.stderr
        ));
    }
    insta::assert_snapshot!("bad_arguments", report);
}

#[test]
fn a_relation_event_with_no_relation_is_refused() {
    let mut cmd = snapshot_cmd(&["k8s"], &K8S);
    cmd.args(["--event", "db_relation_changed"]);
    let done = finish(&mut cmd);
    assert_eq!(done.code, Some(2));
    assert_eq!(done.stdout, "");
    insta::assert_snapshot!("relation_event_without_relation", done.stderr);
}
