//! Config: values from the State, defaults from metadata, and the consistency rules.

use crate::common::{charm_logs, ctx, rule_ids};
use ops_scenario::{ConfigValue, Error, Event, State, Status};

#[test]
fn charm_sees_defaults_for_options_the_state_does_not_set() {
    let out = ctx("stored-config")
        .run(Event::config_changed(), &State::default())
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("port=8080 ratio=0.5 debug=False name=None")
    );
    assert_eq!(
        charm_logs(&out),
        ["INFO config: {'debug': False, 'log-level': 'info', 'port': 8080, 'ratio': 0.5}"]
    );
}

#[test]
fn state_values_override_defaults_and_defaults_are_not_written_back() {
    let state = State::default().config([
        ("port", 9000.into()),
        ("ratio", 2.5.into()),
        ("debug", true.into()),
        ("name", "x".into()),
        ("log-level", "debug".into()),
    ]);
    let out = ctx("stored-config")
        .run(Event::config_changed(), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("port=9000 ratio=2.5 debug=True name=x")
    );
    assert_eq!(out.state.config, state.config);

    let sparse = State::default().config([("port", 1.into())]);
    let out = ctx("stored-config")
        .run(Event::config_changed(), &sparse)
        .unwrap();
    assert_eq!(
        out.state.config.len(),
        1,
        "defaults must not leak into the output State"
    );
}

#[test]
fn an_int_is_accepted_for_a_float_option() {
    let state = State::default().config([("ratio", 2.into())]);
    let out = ctx("stored-config")
        .run(Event::config_changed(), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("port=8080 ratio=2 debug=False name=None")
    );
}

#[test]
fn legacy_config_yaml_defaults_apply() {
    let out = ctx("legacy-layout")
        .run(Event::start(), &State::default())
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("hi"));
    let out = ctx("legacy-layout")
        .run(
            Event::start(),
            &State::default().config([("greeting", "hello".into())]),
        )
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("hello"));
}

#[test]
fn every_config_violation_is_reported_at_once() {
    let state = State::default().config([
        ("prot", 9000.into()),
        ("port", "9000".into()),
        ("debug", ConfigValue::String("yes".into())),
    ]);
    let err = ctx("stored-config")
        .run(Event::config_changed(), &state)
        .unwrap_err();
    let Error::Inconsistent { violations } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        rule_ids(violations),
        ["config.type", "config.type", "config.undeclared"]
    );
    insta::assert_snapshot!("every_config_violation", err);
}

#[test]
fn consistency_checks_can_be_skipped() {
    let state = State::default().config([("undeclared", 1.into())]);
    let ctx = ctx("null").skip_consistency_checks(true);
    let out = ctx.run(Event::start(), &state).unwrap();
    assert_eq!(out.state.config, state.config);
}

#[test]
fn the_inconsistency_report_reads_as_a_list_of_rules() {
    let state = State::default().config([("prot", 9000.into()), ("debug", "yes".into())]);
    let err = ctx("stored-config")
        .run(Event::config_changed(), &state)
        .unwrap_err();
    insta::assert_snapshot!("inconsistency_report", format!("{err:?}"));
}
