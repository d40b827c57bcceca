//! Subordinate relations: every event of a container-scoped endpoint, the principal's
//! databags a subordinate reads and may not write, `JUJU_PRINCIPAL_UNIT`, defaults, the
//! checker's rules, chained runs and the `juju-info` network. The charm is
//! tests/charms/subordinate (application `log-agent`).

use crate::common::{
    assert_logged, charm_logs, ctx, juju_env, ops_lists_departed_unit,
    ops_reads_departed_unit_data, raised, violated,
};
use ops_scenario::{
    default_unit_databag, Address, AnyRelation, BindAddress, Event, Network, Output, Relation,
    State, Status, SubordinateRelation,
};

const CHARM: &str = "subordinate";

/// The principal `ubuntu/3`, as it appears on `juju-info`.
fn juju_info() -> SubordinateRelation {
    SubordinateRelation::new("juju-info")
        .remote_app_name("ubuntu")
        .remote_unit_id(3)
        .remote_unit_data([
            ("egress-subnets", "10.0.0.7/32"),
            ("ingress-address", "10.0.0.7"),
            ("private-address", "10.0.0.7"),
        ])
}

/// The same principal on `logs`, saying what to tail.
fn logs() -> SubordinateRelation {
    SubordinateRelation::new("logs")
        .remote_app_name("ubuntu")
        .remote_unit_id(3)
        .remote_app_data([("log-paths", "/var/log/syslog")])
}

fn out_info(out: &Output) -> &SubordinateRelation {
    out.state.relation(&juju_info()).unwrap()
}

// Every relation event, as the handler sees it.

#[test]
fn created_names_the_principal_application() {
    let rel = juju_info();
    let out = ctx(CHARM)
        .run(
            rel.created_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    // A SubordinateRelation always has its principal unit, so relation-list names it even in
    // relation-created (as in ops.testing; Juju lists no unit before relation-joined).
    assert_eq!(
        charm_logs(&out),
        ["INFO created relation=1 app=ubuntu unit=None units=['ubuntu/3']"]
    );
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for a unit of ubuntu")
    );
}

#[test]
fn joined_names_the_principal_unit_and_the_agent_publishes_its_address() {
    let rel = juju_info();
    let state = State::default().leader(true).relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.joined_event(), &state).unwrap();
    assert_eq!(
        charm_logs(&out),
        ["INFO joined relation=1 app=ubuntu unit=ubuntu/3 units=['ubuntu/3']"]
    );
    let out_rel = out_info(&out);
    assert_eq!(out_rel.local_unit_data["agent-address"], "192.0.2.0");
    assert_eq!(out_rel.local_app_data["agent"], "log-agent");
}

#[test]
fn a_follower_joining_leaves_its_app_bag_alone() {
    let rel = juju_info();
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.joined_event(), &state).unwrap();
    assert!(out_info(&out).local_app_data.is_empty());
    assert_eq!(out_info(&out).local_unit_data["agent-address"], "192.0.2.0");
}

#[test]
fn changed_reads_the_principal_s_unit_and_app_bags() {
    let rel = juju_info().remote_app_data([("series", "noble")]);
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.changed_event(), &state).unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO changed relation=1 app=ubuntu unit=ubuntu/3 units=['ubuntu/3']",
            "INFO principal unit bag: {'egress-subnets': '10.0.0.7/32', \
             'ingress-address': '10.0.0.7', 'private-address': '10.0.0.7'}",
            "INFO principal app bag: {'series': 'noble'}",
        ]
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("agent for ubuntu/3 at 10.0.0.7 via 192.0.2.0")
    );
    let out_rel = out_info(&out);
    assert_eq!(out_rel.local_unit_data["watching"], "ubuntu/3");
    // The principal's bags are the principal's: the run leaves them as they were.
    assert_eq!(out_rel.remote_unit_data, rel.remote_unit_data);
    assert_eq!(out_rel.remote_app_data, rel.remote_app_data);
}

#[test]
fn logs_changed_tails_what_the_principal_publishes() {
    let rel = logs().remote_unit_data([("log-level", "debug")]);
    let state = State::default()
        .relations([juju_info()])
        .relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.changed_event(), &state).unwrap();
    assert_eq!(
        charm_logs(&out),
        ["INFO logs changed relation=2 app=ubuntu unit=ubuntu/3 units=['ubuntu/3']"]
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("tailing /var/log/syslog of ubuntu/3 at debug")
    );
    let out_logs: &SubordinateRelation = out.state.relation(&rel).unwrap();
    assert_eq!(out_logs.local_unit_data["tailing"], "/var/log/syslog");
    assert!(!out_info(&out).local_unit_data.contains_key("tailing"));
}

#[test]
fn logs_changed_waits_while_the_principal_has_said_nothing() {
    let rel = logs().remote_app_data(Vec::<(String, String)>::new());
    let out = ctx(CHARM)
        .run(
            rel.changed_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("ubuntu/3 has not said what to tail")
    );
}

#[test]
fn departed_names_the_principal_as_departing_and_keeps_its_databag_readable() {
    let rel = juju_info();
    let out = ctx(CHARM)
        .run(
            rel.departed_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    // Readable from ops 2.23 and 3.1; ops 3.0 lists the unit but has no databag for it.
    let units = if ops_lists_departed_unit() {
        "['ubuntu/3']"
    } else {
        "[]"
    };
    let databag = if ops_reads_departed_unit_data() {
        "INFO departed unit ubuntu/3 was at 10.0.0.7"
    } else {
        "INFO departed unit ubuntu/3 is unreadable"
    };
    assert_eq!(
        charm_logs(&out),
        [
            format!("INFO departed relation=1 app=ubuntu unit=ubuntu/3 units={units} departing=ubuntu/3"),
            databag.to_owned(),
        ]
    );
    assert_eq!(out.state.unit_status, Status::waiting("ubuntu/3 departed"));
}

#[test]
fn broken_has_no_units_and_is_gone_from_model_relations() {
    let rel = juju_info();
    let out = ctx(CHARM)
        .run(
            rel.broken_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO broken relation=1 app=ubuntu unit=None units=[]",
            "INFO relations still listed: []",
        ]
    );
    assert_eq!(out.state.unit_status, Status::blocked("no principal"));
}

// The environment Juju gives each subordinate hook.

#[test]
fn each_subordinate_hook_sees_juju_s_environment() {
    const KEYS: [&str; 8] = [
        "JUJU_HOOK_NAME",
        "JUJU_UNIT_NAME",
        "JUJU_RELATION",
        "JUJU_RELATION_ID",
        "JUJU_REMOTE_APP",
        "JUJU_REMOTE_UNIT",
        "JUJU_DEPARTING_UNIT",
        "JUJU_PRINCIPAL_UNIT",
    ];
    let rel = juju_info().id(5);
    let state = State::default().relations([rel.clone()]);
    let ctx = ctx(CHARM).principal_unit("ubuntu/3");
    let cases: [(Event, [Option<&str>; 3]); 5] = [
        (
            rel.created_event(),
            [Some("juju-info-relation-created"), None, None],
        ),
        (
            rel.joined_event(),
            [Some("juju-info-relation-joined"), Some("ubuntu/3"), None],
        ),
        (
            rel.changed_event(),
            [Some("juju-info-relation-changed"), Some("ubuntu/3"), None],
        ),
        (
            rel.departed_event(),
            [
                Some("juju-info-relation-departed"),
                Some("ubuntu/3"),
                Some("ubuntu/3"),
            ],
        ),
        (
            rel.broken_event(),
            [Some("juju-info-relation-broken"), None, None],
        ),
    ];
    for (event, [hook, remote_unit, departing]) in cases {
        let name = event.name.clone();
        let seen = juju_env(&ctx, event, &state, &KEYS);
        let expected = [
            hook,
            Some("log-agent/0"),
            Some("juju-info"),
            Some("juju-info:5"),
            Some("ubuntu"),
            remote_unit,
            departing,
            Some("ubuntu/3"),
        ]
        .map(|v| v.map(str::to_owned));
        assert_eq!(seen, expected, "{name}");
    }
}

#[test]
fn without_a_principal_unit_option_juju_principal_unit_is_unset() {
    let rel = juju_info();
    let state = State::default().relations([rel.clone()]);
    let seen = juju_env(
        &ctx(CHARM),
        rel.changed_event(),
        &state,
        &["JUJU_PRINCIPAL_UNIT"],
    );
    assert_eq!(seen, [None]);
    let out = ctx(CHARM).run(Event::update_status(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::blocked("JUJU_PRINCIPAL_UNIT is not set")
    );
}

// The principal unit (Context::principal_unit).

#[test]
fn a_subordinate_knows_its_principal_from_the_context() {
    let state = State::default().relations([juju_info()]);
    let out = ctx(CHARM)
        .principal_unit("ubuntu/3")
        .run(Event::update_status(), &state)
        .unwrap();
    assert_eq!(
        charm_logs(&out),
        ["INFO JUJU_PRINCIPAL_UNIT=ubuntu/3, juju-info unit=ubuntu/3"]
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("attached to ubuntu/3")
    );
}

#[test]
fn a_principal_unit_other_than_the_related_one_is_reported() {
    let state = State::default().relations([juju_info()]);
    let out = ctx(CHARM)
        .principal_unit("ubuntu/4")
        .run(Event::update_status(), &state)
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::blocked("ubuntu/4 is not ubuntu/3")
    );
}

// Juju's read and write rules across a container relation.

fn probing(probe: &str) -> State {
    State::default()
        .config([("probe", probe.into())])
        .relations([juju_info()])
}

#[test]
fn writing_the_principal_s_app_bag_raises_relation_data_access_error() {
    let (exc_type, message) = raised(ctx(CHARM).run(
        juju_info().changed_event(),
        &probing("principal-app").leader(true),
    ));
    assert_eq!(exc_type, "ops.model.RelationDataAccessError");
    assert_eq!(
        message,
        "log-agent cannot write the data of remote application ubuntu"
    );
}

#[test]
fn writing_the_principal_s_unit_bag_raises_relation_data_access_error() {
    let (exc_type, message) = raised(ctx(CHARM).run(
        juju_info().changed_event(),
        &probing("principal-unit").leader(true),
    ));
    assert_eq!(exc_type, "ops.model.RelationDataAccessError");
    assert_eq!(
        message,
        "log-agent/0 cannot write databag of ubuntu/3: not the same unit."
    );
}

#[test]
fn a_follower_cannot_read_its_own_app_bag() {
    // Unlike a peer relation, the subordinate's own app bag is the leader's alone.
    let (exc_type, message) =
        raised(ctx(CHARM).run(juju_info().changed_event(), &probing("own-app")));
    assert_eq!(exc_type, "ops.model.RelationDataAccessError");
    assert_eq!(
        message,
        "log-agent/0 is not leader and cannot read its own application databag"
    );
}

#[test]
fn the_leader_reads_its_own_app_bag() {
    let mut state = probing("own-app").leader(true);
    state.relations = vec![juju_info().local_app_data([("agent", "log-agent")]).into()];
    let out = ctx(CHARM).run(juju_info().changed_event(), &state).unwrap();
    assert_logged(&out, "INFO own app bag: log-agent");
}

// Defaults.

#[test]
fn a_default_subordinate_relation_is_with_remote_0_and_juju_s_address_keys() {
    let rel = SubordinateRelation::new("juju-info");
    assert_eq!(rel.remote_unit_name(), "remote/0");
    assert_eq!(rel.remote_unit_data, default_unit_databag());
    assert_eq!(rel.local_unit_data, default_unit_databag());
    assert!(rel.local_app_data.is_empty() && rel.remote_app_data.is_empty());
    let out = ctx(CHARM)
        .run(
            rel.changed_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO changed relation=1 app=remote unit=remote/0 units=['remote/0']"
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("agent for remote/0 at 192.0.2.0 via 192.0.2.0")
    );
    let out_rel: &SubordinateRelation = out.state.relation(&rel).unwrap();
    assert_eq!(out_rel.id, Some(1));
    assert_eq!(out_rel.interface.as_deref(), Some("juju-info"));
    let mut expected = default_unit_databag();
    expected.insert("agent-address".into(), "192.0.2.0".into());
    expected.insert("watching".into(), "remote/0".into());
    assert_eq!(out_rel.local_unit_data, expected);
}

#[test]
fn ids_are_numbered_around_an_explicit_one() {
    let info = juju_info();
    let logs = logs().id(1);
    let state = State::default().relations([info.clone(), logs.clone()]);
    let out = ctx(CHARM).run(info.changed_event(), &state).unwrap();
    assert!(
        charm_logs(&out)[0].starts_with("INFO changed relation=2 "),
        "{:?}",
        charm_logs(&out)
    );
    assert_eq!(out.state.relation(2).unwrap().endpoint(), "juju-info");
    assert!(matches!(
        out.state.relation(1).unwrap(),
        AnyRelation::Subordinate(s) if s.endpoint == "logs"
    ));
    assert_eq!(out.state.relations_of("logs").count(), 1);
}

// The checker's rules for subordinate relations.

#[test]
fn a_regular_relation_on_a_container_scoped_endpoint_is_inconsistent() {
    let rel = Relation::new("juju-info").remote_app_name("ubuntu");
    let state = State::default().relations([rel.clone()]);
    let ctx = ctx(CHARM);
    assert_eq!(
        violated(&ctx, &rel.changed_event(), &state),
        ["relation.kind"]
    );
    let err = ctx.run(rel.changed_event(), &state).unwrap_err();
    insta::assert_snapshot!("regular_relation_on_a_container_scoped_endpoint", err);
}

#[test]
fn a_subordinate_relation_on_a_regular_endpoint_is_inconsistent() {
    let ctx = ctx(CHARM);
    let state = State::default().relations([SubordinateRelation::new("log-store")]);
    assert_eq!(
        violated(&ctx, &Event::update_status(), &state),
        ["relation.kind"]
    );
    // The same endpoint as a regular relation is fine.
    let state = State::default().relations([Relation::new("log-store")]);
    assert_eq!(
        violated(&ctx, &Event::update_status(), &state),
        Vec::<&str>::new()
    );
}

#[test]
fn a_subordinate_event_without_its_relation_in_the_state_is_inconsistent() {
    assert_eq!(
        violated(
            &ctx(CHARM),
            &juju_info().changed_event(),
            &State::default().relations([logs()])
        ),
        ["relation.missing"]
    );
}

#[test]
fn two_subordinate_relations_with_one_id_are_inconsistent() {
    let state = State::default().relations([juju_info().id(2), logs().id(2)]);
    assert_eq!(
        violated(&ctx(CHARM), &Event::update_status(), &state),
        ["relation.duplicate_id"]
    );
}

#[test]
fn juju_info_takes_a_network_though_it_is_container_scoped() {
    let state = State::default()
        .relations([juju_info()])
        .networks([Network::new("juju-info"), Network::new("log-store")]);
    assert_eq!(
        violated(&ctx(CHARM), &Event::update_status(), &state),
        Vec::<&str>::new()
    );
}

// Chained runs.

#[test]
fn a_subordinate_s_whole_attachment_runs_as_a_chain_of_hooks() {
    let ctx = ctx(CHARM).principal_unit("ubuntu/3");
    let rel = juju_info();
    let created = ctx
        .run(
            rel.created_event(),
            &State::default().leader(true).relations([rel.clone()]),
        )
        .unwrap();
    let joined = ctx.run(rel.joined_event(), &created.state).unwrap();
    assert_eq!(out_info(&joined).local_app_data["agent"], "log-agent");

    // The principal changes its address.
    let mut state = joined.state.clone();
    let AnyRelation::Subordinate(s) = &mut state.relations[0] else {
        panic!()
    };
    s.remote_unit_data
        .insert("private-address".into(), "10.0.0.8".into());
    let changed = ctx.run(rel.changed_event(), &state).unwrap();
    assert_eq!(
        changed.state.unit_status,
        Status::active("agent for ubuntu/3 at 10.0.0.8 via 192.0.2.0")
    );

    let departed = ctx.run(rel.departed_event(), &changed.state).unwrap();
    assert_eq!(
        departed.state.unit_status,
        Status::waiting("ubuntu/3 departed")
    );
    let databag = if ops_reads_departed_unit_data() {
        "INFO departed unit ubuntu/3 was at 10.0.0.8"
    } else {
        "INFO departed unit ubuntu/3 is unreadable"
    };
    assert_logged(&departed, databag);

    let broken = ctx.run(rel.broken_event(), &departed.state).unwrap();
    assert_eq!(broken.state.unit_status, Status::blocked("no principal"));
    // What the unit published along the way is still in the output State.
    let out_rel = out_info(&broken);
    assert_eq!(out_rel.local_unit_data["watching"], "ubuntu/3");
    assert_eq!(out_rel.local_app_data["agent"], "log-agent");
}

// Networks.

#[test]
fn the_agent_publishes_its_juju_info_address_from_network_get() {
    let rel = juju_info();
    let network = Network::new("juju-info")
        .bind_addresses([BindAddress::new([Address::new("10.2.0.9")])])
        .ingress_addresses(["10.2.0.9"]);
    let state = State::default()
        .relations([rel.clone()])
        .networks([network]);
    let out = ctx(CHARM).run(rel.changed_event(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("agent for ubuntu/3 at 10.0.0.7 via 10.2.0.9")
    );
    assert_eq!(out_info(&out).local_unit_data["agent-address"], "10.2.0.9");
}
