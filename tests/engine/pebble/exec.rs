//! `container.exec`: which of the State's results a command gets (the longest matching
//! prefix), exit codes and `ExecError`, stdin, stdout and stderr, `encoding=None`, a command
//! with no result in the State, and what `Output.exec_history` records of every call.

use std::collections::BTreeMap;

use super::workload;
use crate::common::{assert_logged, ctx};
use ops_scenario::{Container, Event, Exec, ExecArgs, Output, State, Status};

/// Run the charm's probe `probe` with the workload container answering these commands.
fn run_probe(probe: &str, execs: Vec<Exec>) -> (Output, BTreeMap<String, String>) {
    super::run_probe("pebble-exec", probe, workload().execs(execs))
}

fn history<'o>(out: &'o Output, container: &str) -> &'o [ExecArgs] {
    out.exec_history
        .get(container)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn commands(out: &Output, container: &str) -> Vec<String> {
    history(out, container)
        .iter()
        .map(|a| a.command.join(" "))
        .collect()
}

#[test]
fn the_longest_matching_prefix_gives_the_result() {
    let (out, results) = run_probe(
        "prefixes",
        vec![
            Exec::new(["git"]).stdout("git\n"),
            Exec::new(["git", "log"]).stdout("log\n"),
            Exec::new(Vec::<String>::new()).stdout("anything\n"),
        ],
    );
    assert_eq!(results["git log --oneline"], r"stdout='log\n' stderr=''");
    assert_eq!(results["git log"], r"stdout='log\n' stderr=''");
    assert_eq!(results["git status"], r"stdout='git\n' stderr=''");
    assert_eq!(results["git"], r"stdout='git\n' stderr=''");
    assert_eq!(
        results["ls -l"], r"stdout='anything\n' stderr=''",
        "the empty prefix matches every command"
    );
    assert_eq!(
        commands(&out, "workload"),
        ["git log --oneline", "git log", "git status", "git", "ls -l"]
    );
}

#[test]
fn a_non_zero_exit_code_raises_exec_error_from_wait_and_wait_output() {
    let (_, results) = run_probe(
        "failures",
        vec![Exec::new(["migrate"])
            .return_code(3)
            .stdout("applied 1\n")
            .stderr("failed at 2\n")],
    );
    assert_eq!(
        results["wait"],
        "ExecError exit=3 command=['migrate', '--apply']"
    );
    assert_eq!(
        results["wait_output"],
        r"ExecError exit=3 stdout='applied 1\n' stderr='failed at 2\n'"
    );
}

#[test]
fn a_command_with_no_result_in_the_state_fails_with_exit_127_and_a_hint() {
    let (_, results) = run_probe("unmocked", vec![Exec::new(["ls"])]);
    assert_eq!(results["exit"], "127");
    assert_eq!(
        results["has a hint"],
        "True",
        "stderr says how to give the command a result: {:?}",
        results.get("stderr")
    );
}

#[test]
fn stdin_is_recorded_however_the_charm_gives_it() {
    let (out, _) = run_probe("stdin", vec![Exec::new(["psql"])]);
    let stdins: Vec<Option<&str>> = history(&out, "workload")
        .iter()
        .map(|a| a.stdin.as_deref())
        .collect();
    assert_eq!(
        stdins,
        [
            Some("SELECT 1;"),
            Some("\u{0}bytes"),
            Some("from a stream"),
            Some("typed in"),
            Some(""),
            None,
        ]
    );
    let encodings: Vec<Option<&str>> = history(&out, "workload")
        .iter()
        .map(|a| a.encoding.as_deref())
        .collect();
    assert_eq!(
        encodings,
        [
            Some("utf-8"),
            None,
            Some("utf-8"),
            Some("utf-8"),
            Some("utf-8"),
            Some("utf-8")
        ]
    );
}

#[test]
fn output_goes_to_the_streams_the_charm_passes_and_is_bytes_without_an_encoding() {
    let (_, results) = run_probe(
        "streams",
        vec![Exec::new(["report"]).stdout("out\n").stderr("err\n")],
    );
    assert_eq!(results["stdout stream"], r"'out\n'");
    assert_eq!(results["stderr stream"], r"'err\n'");
    assert_eq!(results["bytes"], r"bytes b'out\n'");
}

#[test]
fn exec_history_records_every_argument() {
    let (out, _) = run_probe("arguments", vec![Exec::new(["backup"])]);
    let calls = history(&out, "workload");
    assert_eq!(calls.len(), 3, "{calls:?}");

    let all = &calls[0];
    assert_eq!(all.command, ["backup", "--all"]);
    assert_eq!(
        all.environment,
        BTreeMap::from([
            ("PGHOST".to_owned(), "db".to_owned()),
            ("PGUSER".to_owned(), "backup".to_owned()),
        ])
    );
    assert_eq!(all.working_dir.as_deref(), Some("/var/backups"));
    assert_eq!(all.user.as_deref(), Some("postgres"));
    assert_eq!(all.group.as_deref(), Some("postgres"));
    assert_eq!(all.user_id, None);
    assert_eq!(all.group_id, None);
    assert_eq!(all.timeout, Some(30.5));
    assert_eq!(all.encoding.as_deref(), Some("utf-8"));
    assert!(all.combine_stderr);
    assert_eq!(all.service_context, None);

    let list = &calls[1];
    assert_eq!(list.command, ["backup", "--list"]);
    assert_eq!(list.user_id, Some(70));
    assert_eq!(list.group_id, Some(71));
    assert_eq!(list.user, None);
    assert_eq!(list.encoding, None);
    assert!(!list.combine_stderr);

    let bare = &calls[2];
    assert_eq!(bare.command, ["backup"]);
    assert!(bare.environment.is_empty());
    assert_eq!(bare.working_dir, None);
    assert_eq!(bare.timeout, None);
    assert_eq!(bare.user, None);
    assert_eq!(bare.group, None);
    assert_eq!(bare.encoding.as_deref(), Some("utf-8"));
}

// --- the webapp's metrics sidecar -----------------------------------------------------------

fn metrics(execs: Vec<Exec>) -> Container {
    Container::new("metrics")
        .can_connect(true)
        .files([
            ("/var/log/access.log", ""),
            ("/var/log/error.log", ""),
            ("/var/log/notes.txt", ""),
        ])
        .execs(execs)
}

fn exporter_execs() -> Vec<Exec> {
    vec![
        Exec::new(["metrics-exporter"]),
        Exec::new(["metrics-exporter", "--version"]).stdout("1.2.3\n"),
        Exec::new(["metrics-exporter", "dump"]).stdout("up 1\n"),
    ]
}

fn run_metrics_ready(container: Container) -> Output {
    let state = State::default().containers([Container::new("web"), container.clone()]);
    ctx("pebble-webapp")
        .run(container.pebble_ready_event(), &state)
        .unwrap()
}

#[test]
fn the_metrics_sidecar_reports_the_exporter_s_version() {
    let out = run_metrics_ready(metrics(exporter_execs()));
    assert_eq!(
        out.state.unit_status,
        Status::active("metrics-exporter 1.2.3")
    );
    assert_eq!(out.state.workload_version, "1.2.3");
    assert_logged(&out, "INFO log files: ['access.log', 'error.log']");
    assert_logged(&out, "INFO dump is bytes of 5 bytes");
    assert_eq!(
        commands(&out, "metrics"),
        [
            "metrics-exporter --version",
            "metrics-exporter check-config --strict",
            "metrics-exporter dump",
        ]
    );
    assert!(
        !out.exec_history.contains_key("web"),
        "nothing ran in the web container"
    );
    let check = &history(&out, "metrics")[1];
    assert_eq!(
        check.environment,
        BTreeMap::from([("LOG_LEVEL".to_owned(), "info".to_owned())])
    );
    assert_eq!(check.working_dir.as_deref(), Some("/srv/metrics"));
    assert_eq!(check.user.as_deref(), Some("metrics"));
    assert_eq!(check.group.as_deref(), Some("metrics"));
    assert_eq!(check.timeout, Some(10.0));
    assert_eq!(
        check.stdin.as_deref(),
        Some("port = 8080\nlog-level = info\n")
    );
    assert!(check.combine_stderr);
    assert_eq!(history(&out, "metrics")[2].encoding, None);
}

#[test]
fn a_failing_version_command_blocks_the_unit() {
    let mut execs = exporter_execs();
    execs[1] = Exec::new(["metrics-exporter", "--version"])
        .return_code(1)
        .stderr("unknown flag\n");
    let out = run_metrics_ready(metrics(execs));
    assert_eq!(
        out.state.unit_status,
        Status::blocked("metrics-exporter exited 1")
    );
    assert_logged(
        &out,
        "WARNING metrics-exporter --version exited 1: unknown flag\n",
    );
    assert_eq!(out.state.workload_version, "");
}

#[test]
fn a_config_the_exporter_rejects_blocks_the_unit_with_the_exit_code() {
    let mut execs = exporter_execs();
    execs.push(Exec::new(["metrics-exporter", "check-config"]).return_code(2));
    let out = run_metrics_ready(metrics(execs));
    assert_eq!(
        out.state.unit_status,
        Status::blocked("config rejected (exit 2)")
    );
    assert_eq!(
        commands(&out, "metrics"),
        [
            "metrics-exporter --version",
            "metrics-exporter check-config --strict"
        ]
    );
}

#[test]
fn an_exporter_with_no_result_in_the_state_exits_127() {
    let out = run_metrics_ready(metrics(vec![]));
    assert_eq!(
        out.state.unit_status,
        Status::blocked("metrics-exporter exited 127")
    );
}

#[test]
fn a_run_that_execs_nothing_has_an_empty_history() {
    let state = State::default().containers([
        Container::new("web").can_connect(true),
        metrics(exporter_execs()),
    ]);
    let out = ctx("pebble-webapp")
        .run(Event::update_status(), &state)
        .unwrap();
    assert!(out.exec_history.is_empty(), "{:?}", out.exec_history);
    assert_eq!(
        out.state.container("metrics").unwrap().execs,
        exporter_execs(),
        "the State's exec results are kept"
    );
}
