//! Statuses, their history, workload versions, collect-status and leadership rules.

use crate::common::{assert_logged, charm_logs, ctx, logged};
use ops_scenario::{Event, State, Status};

#[test]
fn unit_status_history_holds_each_replaced_status() {
    let out = ctx("status")
        .run(Event::start(), &State::default())
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("ready"));
    assert_eq!(
        out.unit_status_history,
        [Status::Unknown, Status::maintenance("starting")]
    );
    assert_eq!(out.state.app_status, Status::Unknown);
    assert!(out.app_status_history.is_empty());
}

#[test]
fn history_starts_from_the_input_status() {
    let state = State::default().unit_status(Status::blocked("old"));
    let out = ctx("status").run(Event::start(), &state).unwrap();
    assert_eq!(out.unit_status_history[0], Status::blocked("old"));
}

#[test]
fn leader_sets_app_status() {
    let out = ctx("status")
        .run(Event::start(), &State::default().leader(true))
        .unwrap();
    assert_eq!(out.state.app_status, Status::active("app ready"));
    assert_eq!(out.app_status_history, [Status::Unknown]);
}

#[test]
fn non_leader_cannot_set_app_status() {
    let out = ctx("status").run(Event::stop(), &State::default()).unwrap();
    assert_eq!(out.state.app_status, Status::Unknown);
    assert_eq!(out.state.unit_status, Status::blocked("stopped"));
    insta::assert_snapshot!(
        "follower_sets_app_status",
        logged(&out, "WARNING cannot set app status")
    );
}

#[test]
fn charm_reads_its_current_status() {
    let state = State::default().unit_status(Status::active("ready"));
    let out = ctx("status").run(Event::update_status(), &state).unwrap();
    assert_eq!(charm_logs(&out), ["INFO current status: active: ready"]);
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for nothing")
    );
}

#[test]
fn workload_version_history_keeps_previous_non_empty_versions() {
    let ctx = ctx("status");
    let out = ctx.run(Event::install(), &State::default()).unwrap();
    assert_eq!(out.state.workload_version, "1.0");
    assert!(out.workload_version_history.is_empty());
    let out = ctx.run(Event::start(), &out.state).unwrap();
    assert_eq!(out.state.workload_version, "1.1");
    assert_eq!(out.workload_version_history, ["1.0"]);
}

#[test]
fn collect_status_sets_unit_status_every_event() {
    let ctx = ctx("collect-status");
    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::active("all good"));
    assert_eq!(
        out.state.app_status,
        Status::Unknown,
        "app status is only collected on the leader"
    );
    let broken = State::default().config([("broken", true.into())]);
    let out = ctx.run(Event::update_status(), &broken).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::blocked("broken"),
        "blocked beats active"
    );
}

#[test]
fn collect_status_sets_app_status_on_the_leader() {
    let out = ctx("collect-status")
        .run(Event::update_status(), &State::default().leader(true))
        .unwrap();
    assert_eq!(out.state.app_status, Status::active("app fine"));
    assert_eq!(out.state.unit_status, Status::active("all good"));
}

#[test]
fn identity_and_planned_units_come_from_context_and_state() {
    let ctx = ctx("hook-tools").app_name("web").unit_id(3);
    let state = State::default()
        .planned_units(4)
        .leader(true)
        .model(ops_scenario::Model::new("prod").uuid("1234"));
    let out = ctx.run(Event::start(), &state).unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO app=web",
            "INFO unit=web/3",
            "INFO model=prod",
            "INFO uuid=1234",
            "INFO planned=4",
            "INFO leader=True"
        ]
    );
    assert_eq!(out.state.unit_status, Status::active("web web/3 4"));
}

#[test]
fn relation_ids_lists_the_state_s_relations_of_the_endpoint() {
    let ctx = ctx("hook-tools");
    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    assert_eq!(charm_logs(&out), ["INFO db relations: 0"]);
    let state = State::default().relations([
        ops_scenario::Relation::new("db").id(2),
        ops_scenario::Relation::new("db").id(5),
    ]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_eq!(charm_logs(&out), ["INFO db relations: 2"]);
}

#[test]
fn status_reads_on_upgrade_follow_leadership() {
    let ctx = ctx("hook-tools");
    let state = State::default()
        .unit_status(Status::active("u"))
        .app_status(Status::blocked("a"));
    let out = ctx.run(Event::upgrade_charm(), &state).unwrap();
    assert_eq!(out.state.workload_version, "2.0");
    assert_logged(&out, "INFO unit status: active: u");
    insta::assert_snapshot!(
        "follower_reads_app_status",
        logged(&out, "WARNING cannot read app status")
    );
    let out = ctx
        .run(Event::upgrade_charm(), &state.clone().leader(true))
        .unwrap();
    assert_logged(&out, "INFO app status: blocked: a");
}
