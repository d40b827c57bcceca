//! Actions: parameters with the metadata's defaults, results (nested, merged), logs, failure,
//! ids, handlers that raise or defer, deferred hook events re-emitted first, and the checker's
//! action rules.

use crate::common::{ctx, event_names, raised, rule_ids, violations};
use ops_scenario::{Error, Event, Output, State, Status};
use serde_json::{json, Value};

fn results(out: &Output) -> Value {
    Value::Object(out.action_results.clone().expect("the action set results"))
}

#[test]
fn params_come_with_the_metadata_defaults_and_the_default_id() {
    let out = ctx("action-backup")
        .run(
            Event::action("backup").param("target", "/srv"),
            &State::default(),
        )
        .unwrap();
    assert_eq!(
        results(&out),
        json!({
            "id": "1",
            "params": {"target": "/srv", "compress": true, "level": 3},
            "config-changed-runs": 0,
        })
    );
    assert_eq!(out.action_logs, ["backing up to /srv", "done"]);
    assert_eq!(out.action_failure, None);
    assert_eq!(out.state.unit_status, Status::active("backed up to /srv"));
    assert_eq!(event_names(&out), ["backup_action"]);
    assert_eq!(out.emitted_events[0].event_type, "ActionEvent");
}

#[test]
fn given_params_replace_the_defaults_and_the_id_is_passed_on() {
    let event = Event::action("backup")
        .params([
            ("target", json!("/backups")),
            ("compress", json!(false)),
            ("level", json!(9)),
            ("tags", json!(["nightly", "db"])),
        ])
        .action_id("42");
    let out = ctx("action-backup").run(&event, &State::default()).unwrap();
    assert_eq!(
        results(&out),
        json!({
            "id": "42",
            "params": {"target": "/backups", "compress": false, "level": 9, "tags": ["nightly", "db"]},
            "config-changed-runs": 0,
        })
    );
}

#[test]
fn an_action_event_can_be_given_as_json() {
    let event: Event = serde_json::from_value(json!({
        "name": "backup_action",
        "action": {"name": "backup", "params": {"target": "/srv"}, "id": "7"}
    }))
    .unwrap();
    let out = ctx("action-backup").run(&event, &State::default()).unwrap();
    assert_eq!(results(&out)["id"], "7");
    let json = out.to_json();
    assert_eq!(json["action_results"]["params"]["level"], 3);
    assert_eq!(json["action_logs"], json!(["backing up to /srv", "done"]));
    assert_eq!(json["action_failure"], Value::Null);
}

#[test]
fn nested_results_and_dotted_keys_are_merged_as_juju_merges_them() {
    let out = ctx("action-backup")
        .run(Event::action("report"), &State::default())
        .unwrap();
    assert_eq!(
        results(&out),
        json!({
            "a": {"b": "c", "d": "e"},
            "x": {"y": {"z": 1}},
            "count": 3,
            "flag": true,
        })
    );
    assert!(out.action_logs.is_empty());
}

#[test]
fn a_failed_action_keeps_running_and_returns_its_output() {
    let out = ctx("action-backup")
        .run(
            Event::action("fail-me").param("message", "it broke"),
            &State::default(),
        )
        .unwrap();
    assert_eq!(out.action_failure.as_deref(), Some("it broke"));
    assert_eq!(out.action_logs, ["about to fail", "still running"]);
    assert_eq!(results(&out), json!({"partial": "yes"}));
    // The handler went on after fail(), and the run's State is returned.
    assert_eq!(out.state.unit_status, Status::blocked("the action failed"));
}

#[test]
fn fail_without_a_message_records_an_empty_one() {
    let out = ctx("action-backup")
        .run(Event::action("fail-me"), &State::default())
        .unwrap();
    assert_eq!(out.action_failure.as_deref(), Some(""));
}

#[test]
fn actions_without_results_leave_none() {
    let out = ctx("action-backup")
        .run(Event::config_changed(), &State::default())
        .unwrap();
    assert_eq!(out.action_results, None);
    assert!(out.action_logs.is_empty());
    assert_eq!(out.action_failure, None);
}

#[test]
fn a_handler_that_raises_is_a_charm_error() {
    let ctx = ctx("action-backup");
    let err = ctx
        .run(Event::action("restore"), &State::default())
        .unwrap_err();
    let (exc_type, message) = raised(err);
    assert_eq!(exc_type, "ValueError");
    assert_eq!(message, "restore needs a source: give from=<backup>");
    let out = ctx
        .run(
            Event::action("restore").param("from", "b1"),
            &State::default(),
        )
        .unwrap();
    assert_eq!(results(&out), json!({"restored-from": "b1"}));
    assert_eq!(out.action_logs, ["restoring"]);
}

#[test]
fn a_raising_action_reports_what_it_logged() {
    let out = ctx("action-backup")
        .run_reporting_errors(Event::action("restore"), &State::default())
        .unwrap();
    let error = out.error.as_ref().expect("the charm raised");
    assert_eq!(error.exc_type, "ValueError");
    assert_eq!(out.action_logs, ["restoring"]);
}

#[test]
fn deferring_an_action_raises_runtime_error() {
    let err = ctx("action-backup")
        .run(Event::action("defer-me"), &State::default())
        .unwrap_err();
    assert_eq!(
        raised(err),
        ("RuntimeError".into(), "cannot defer action events".into())
    );
}

#[test]
fn deferred_hook_events_are_re_emitted_before_the_action() {
    let state = State::default()
        .deferred([Event::config_changed().deferred("ActionBackupCharm", "_on_config_changed")]);
    let ctx = ctx("action-backup").capture_deferred_events(true);
    let out = ctx
        .run(Event::action("backup").param("target", "/srv"), &state)
        .unwrap();
    assert_eq!(
        event_names(&out),
        ["config_changed (deferred)", "backup_action"]
    );
    // The action saw the re-emitted config-changed run first.
    assert_eq!(results(&out)["config-changed-runs"], 1);
    // Still not ready: config-changed is deferred again, in the output.
    assert_eq!(out.state.deferred.len(), 1);
    assert_eq!(
        out.state.deferred[0].handle_path,
        "ActionBackupCharm/on/config_changed[1]"
    );

    let ready = state.config([("ready", true.into())]);
    let out = ctx
        .run(Event::action("backup").param("target", "/srv"), &ready)
        .unwrap();
    assert_eq!(results(&out)["config-changed-runs"], 1);
    assert!(out.state.deferred.is_empty());
}

#[test]
fn the_output_state_of_an_action_runs_again() {
    let ctx = ctx("action-backup");
    let first = ctx
        .run(
            Event::action("backup").param("target", "/a"),
            &State::default(),
        )
        .unwrap();
    let second = ctx
        .run(
            Event::action("fail-me").param("message", "no"),
            &first.state,
        )
        .unwrap();
    // Each run records only its own action's output.
    assert_eq!(results(&second), json!({"partial": "yes"}));
    assert_eq!(second.action_logs, ["about to fail", "still running"]);
    assert_eq!(first.state.unit_status, Status::active("backed up to /a"));
}

#[test]
fn undeclared_actions_are_refused_with_a_hint() {
    let err = ctx("action-backup")
        .run(Event::action("bakup"), &State::default())
        .unwrap_err();
    let v = violations(err);
    assert_eq!(rule_ids(&v), ["event.unknown"]);
    assert_eq!(v[0].hint.as_deref(), Some("did you mean \"backup\"?"));
}

#[test]
fn params_are_checked_against_the_metadata() {
    let ctx = ctx("action-backup");
    // `target` is required: a default would not do, and it has none.
    let v = violations(ctx.run(Event::action("backup"), &State::default()));
    assert_eq!(rule_ids(&v), ["action.param_required"]);
    let err = ctx
        .run(
            Event::action("backup").params([
                ("target", json!("/srv")),
                ("level", json!("high")),
                ("compress", json!("yes")),
                ("tags", json!(["ok", 1])),
            ]),
            &State::default(),
        )
        .unwrap_err();
    let Error::Inconsistent { violations } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        rule_ids(violations),
        [
            "action.param_type",
            "action.param_type",
            "action.param_type"
        ]
    );
    insta::assert_snapshot!("params_of_the_wrong_type", err);
}

#[test]
fn undeclared_params_warn_before_juju_4_and_fail_from_it() {
    let event = Event::action("backup").params([("target", json!("/srv")), ("levle", json!(1))]);
    let warnings = ctx("action-backup")
        .check(&event, &State::default())
        .unwrap();
    assert_eq!(rule_ids(&warnings), ["action.param_undeclared"]);
    assert_eq!(warnings[0].hint.as_deref(), Some("did you mean \"level\"?"));
    // Juju 3 passes it on, and so does the run.
    let out = ctx("action-backup").run(&event, &State::default()).unwrap();
    assert_eq!(results(&out)["params"]["levle"], 1);
    assert_eq!(rule_ids(&out.warnings), ["action.param_undeclared"]);

    let v = violations(
        ctx("action-backup")
            .juju_version("4.0.0")
            .check(&event, &State::default()),
    );
    assert_eq!(rule_ids(&v), ["action.param_undeclared"]);
}

#[test]
fn the_event_and_its_action_must_agree() {
    let ctx = ctx("action-backup");
    // An action event with no action.
    let v = violations(ctx.check(&Event::new("fail_me_action"), &State::default()));
    assert_eq!(rule_ids(&v), ["action.missing"]);
    // An action on an event that is not an action event.
    let mut start = Event::start();
    start.action = Event::action("report").action;
    let v = violations(ctx.check(&start, &State::default()));
    assert_eq!(rule_ids(&v), ["event.args"]);
    // An action event for another action.
    let mut mismatched = Event::action("report");
    mismatched.name = "fail_me_action".into();
    let v = violations(ctx.check(&mismatched, &State::default()));
    assert_eq!(rule_ids(&v), ["action.name_mismatch"]);
}
