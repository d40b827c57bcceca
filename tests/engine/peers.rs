//! Peer relations: every event of a `peers` endpoint, the shared application databag, Juju's
//! read and write rules among the units of one application, defaults, the checker's rules,
//! deferral, chained runs and networks. The charm is tests/charms/peer-cluster.

use crate::common::{
    assert_logged, charm_logs, ctx, deferred_paths, event_names, juju_env, raised, rule_ids,
    violated,
};
use ops_scenario::{
    default_unit_databag, Address, AnyRelation, BindAddress, Databag, Event, Network, Output,
    PeerRelation, Relation, State, Status, StoredValue, SubordinateRelation,
};

const CHARM: &str = "peer-cluster";
const CLASS: &str = "PeerClusterCharm";

fn cluster() -> PeerRelation {
    PeerRelation::new("cluster")
}

/// Peer `n`'s databag once it has published its address (`10.0.0.<n>`).
fn addressed_bag(n: u32) -> Databag {
    let mut bag = default_unit_databag();
    bag.insert("address".into(), format!("10.0.0.{n}"));
    bag
}

/// A cluster whose peers have all published their addresses.
fn addressed(peers: impl IntoIterator<Item = u32>) -> PeerRelation {
    peers
        .into_iter()
        .fold(cluster(), |rel, n| rel.peer_data(n, addressed_bag(n)))
}

/// The shared application databag a leader `peer-cluster/<leader>` wrote for these members.
fn published(rel: PeerRelation, leader: u32, members: &[u32]) -> PeerRelation {
    let names: Vec<String> = members.iter().map(|n| format!("{CHARM}/{n}")).collect();
    rel.local_app_data([
        ("leader", format!("{CHARM}/{leader}")),
        ("members", serde_json::to_string(&names).unwrap()),
    ])
}

/// The one peer relation of the output State.
fn out_cluster(out: &Output) -> &PeerRelation {
    out.state.relation(&cluster()).unwrap()
}

/// The `members` list in the output State's shared application databag.
fn members(out: &Output) -> Vec<String> {
    let bag = &out_cluster(out).local_app_data;
    serde_json::from_str(bag.get("members").expect("members published")).unwrap()
}

fn names(units: &[u32]) -> Vec<String> {
    units.iter().map(|n| format!("{CHARM}/{n}")).collect()
}

// Every relation event, as the handler sees it.

#[test]
fn created_names_this_application_and_no_unit() {
    let rel = cluster().peers([1, 2]);
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.created_event(), &state).unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO created relation=1 app=peer-cluster unit=None \
         units=['peer-cluster/1', 'peer-cluster/2']"
    );
}

#[test]
fn a_lone_leader_makes_a_one_member_cluster() {
    let rel = cluster();
    let state = State::default().leader(true).relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.created_event(), &state).unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO created relation=1 app=peer-cluster unit=None units=[]",
            "INFO no peers",
        ]
    );
    assert_eq!(members(&out), names(&[0]));
    assert_eq!(out_cluster(&out).local_app_data["leader"], "peer-cluster/0");
    assert_eq!(
        out.state.unit_status,
        Status::active("1 member, leader peer-cluster/0")
    );
}

#[test]
fn joined_names_the_joining_peer_and_the_leader_counts_it_in() {
    let rel = cluster().peers([1, 2]);
    let state = State::default().leader(true).relations([rel.clone()]);
    let out = ctx(CHARM)
        .run(rel.joined_event().remote_unit(2), &state)
        .unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO joined relation=1 app=peer-cluster unit=peer-cluster/2 \
         units=['peer-cluster/1', 'peer-cluster/2']"
    );
    assert_eq!(members(&out), names(&[0, 1, 2]));
    assert_eq!(
        out.state.unit_status,
        Status::active("3 members, leader peer-cluster/0")
    );
}

#[test]
fn changed_reads_every_peer_s_address_from_its_databag() {
    let rel = addressed([1, 2]);
    let state = State::default().leader(true).relations([rel.clone()]);
    let out = ctx(CHARM)
        .run(rel.changed_event().remote_unit(1), &state)
        .unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO changed relation=1 app=peer-cluster unit=peer-cluster/1 \
             units=['peer-cluster/1', 'peer-cluster/2']",
            "INFO peer peer-cluster/1 at 10.0.0.1",
            "INFO peer peer-cluster/2 at 10.0.0.2",
        ]
    );
    // The peers' databags are theirs: the run leaves them as they were.
    assert_eq!(out_cluster(&out).peers_data, rel.peers_data);
}

#[test]
fn changed_from_a_peer_without_an_address_is_deferred_with_its_unit() {
    let rel = addressed([2]).peer_data(1, default_unit_databag());
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM)
        .run(rel.changed_event().remote_unit(1), &state)
        .unwrap();
    assert_eq!(
        charm_logs(&out)[1],
        "INFO peer-cluster/1 has no address yet, deferring"
    );
    let [deferred] = &out.state.deferred[..] else {
        panic!("{:?}", out.state.deferred)
    };
    assert!(
        deferred
            .handle_path
            .starts_with("PeerClusterCharm/on/cluster_relation_changed["),
        "{}",
        deferred.handle_path
    );
    assert_eq!(deferred.observer, "_on_changed");
    let snapshot = &deferred.snapshot_data;
    assert_eq!(snapshot["relation_name"], StoredValue::from("cluster"));
    assert_eq!(snapshot["relation_id"], StoredValue::from(1));
    assert_eq!(snapshot["app_name"], StoredValue::from("peer-cluster"));
    assert_eq!(snapshot["unit_name"], StoredValue::from("peer-cluster/1"));
}

#[test]
fn departed_leaves_the_departing_peer_out_of_units_and_members() {
    let rel = published(addressed([1, 2]), 0, &[0, 1, 2]);
    let state = State::default().leader(true).relations([rel.clone()]);
    let out = ctx(CHARM)
        .run(rel.departed_event().remote_unit(2), &state)
        .unwrap();
    assert_eq!(
        charm_logs(&out)[..2],
        [
            "INFO departed relation=1 app=peer-cluster unit=peer-cluster/2 \
             units=['peer-cluster/1'] departing=peer-cluster/2",
            // ops keeps a departed unit's databag in relation.data, except for a peer.
            "INFO departed unit in relation.data: False",
        ]
    );
    assert_eq!(members(&out), names(&[0, 1]));
    assert_eq!(
        out.state.unit_status,
        Status::active("2 members, leader peer-cluster/0")
    );
}

#[test]
fn departed_with_this_unit_departing_tells_the_unit_it_is_leaving() {
    let rel = published(addressed([1, 2]), 1, &[0, 1, 2]);
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM)
        .run(
            rel.departed_event().remote_unit(1).departing_unit(0),
            &state,
        )
        .unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO departed relation=1 app=peer-cluster unit=peer-cluster/1 \
             units=['peer-cluster/2'] departing=peer-cluster/0",
            "INFO this unit is leaving the cluster",
        ]
    );
    assert_eq!(
        out.state.unit_status,
        Status::maintenance("leaving the cluster")
    );
    assert_eq!(out_cluster(&out).local_app_data, rel.local_app_data);
}

#[test]
fn this_unit_departing_a_peer_relation_is_not_warned_about() {
    let rel = addressed([1, 2]);
    let state = State::default().relations([rel.clone()]);
    let warnings = ctx(CHARM)
        .check(
            &rel.departed_event().remote_unit(1).departing_unit(0),
            &state,
        )
        .unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn broken_has_no_peers_and_is_gone_from_model_relations() {
    let rel = published(addressed([1]), 0, &[0, 1]);
    let state = State::default().leader(true).relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.broken_event(), &state).unwrap();
    assert_eq!(
        charm_logs(&out),
        [
            "INFO broken relation=1 app=peer-cluster unit=None units=[]",
            "INFO relations still listed: []",
        ]
    );
    assert_eq!(
        out.state.unit_status,
        Status::blocked("no cluster relation")
    );
}

// The environment Juju gives each peer hook.

#[test]
fn each_peer_hook_sees_juju_s_environment() {
    const KEYS: [&str; 7] = [
        "JUJU_HOOK_NAME",
        "JUJU_UNIT_NAME",
        "JUJU_RELATION",
        "JUJU_RELATION_ID",
        "JUJU_REMOTE_APP",
        "JUJU_REMOTE_UNIT",
        "JUJU_DEPARTING_UNIT",
    ];
    let rel = addressed([1, 2]).id(4);
    let state = State::default().relations([rel.clone()]);
    let ctx = ctx(CHARM);
    let cases: [(Event, [Option<&str>; 3]); 6] = [
        (
            rel.created_event(),
            [Some("cluster-relation-created"), None, None],
        ),
        (
            rel.joined_event().remote_unit(2),
            [
                Some("cluster-relation-joined"),
                Some("peer-cluster/2"),
                None,
            ],
        ),
        (
            rel.changed_event().remote_unit(1),
            [
                Some("cluster-relation-changed"),
                Some("peer-cluster/1"),
                None,
            ],
        ),
        (
            rel.departed_event().remote_unit(2),
            [
                Some("cluster-relation-departed"),
                Some("peer-cluster/2"),
                Some("peer-cluster/2"),
            ],
        ),
        (
            rel.departed_event().remote_unit(1).departing_unit(0),
            [
                Some("cluster-relation-departed"),
                Some("peer-cluster/1"),
                Some("peer-cluster/0"),
            ],
        ),
        (
            rel.broken_event(),
            [Some("cluster-relation-broken"), None, None],
        ),
    ];
    for (event, [hook, remote_unit, departing]) in cases {
        let name = event.name.clone();
        let seen = juju_env(&ctx, event, &state, &KEYS);
        let expected = [
            hook,
            Some("peer-cluster/0"),
            Some("cluster"),
            Some("cluster:4"),
            // A peer relation's remote application is this one.
            Some("peer-cluster"),
            remote_unit,
            departing,
        ]
        .map(|v| v.map(str::to_owned));
        assert_eq!(seen, expected, "{name}");
    }
}

#[test]
fn a_peer_hook_s_remote_unit_does_not_leak_into_the_next_run() {
    let rel = addressed([1]);
    let ctx = ctx(CHARM);
    let first = ctx
        .run(
            rel.changed_event().remote_unit(1),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    let second = ctx.run(Event::update_status(), &first.state).unwrap();
    assert_eq!(
        charm_logs(&second)[0],
        "INFO remote unit in update-status: None"
    );
}

// Juju's read and write rules among peers.

#[test]
fn a_follower_reads_the_shared_app_bag_the_leader_wrote() {
    let rel = published(addressed([1, 2]), 1, &[0, 1, 2]);
    let state = State::default().leader(false).relations([rel.clone()]);
    let out = ctx(CHARM).run(Event::config_changed(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::active("3 members, leader peer-cluster/1")
    );
    // A follower publishes its own address, and leaves the shared bag alone.
    let out_rel = out_cluster(&out);
    assert_eq!(out_rel.local_app_data, rel.local_app_data);
    assert_eq!(out_rel.local_unit_data["address"], "192.0.2.0");
}

#[test]
fn a_follower_waits_until_the_leader_publishes_members() {
    let rel = addressed([1]);
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM).run(Event::config_changed(), &state).unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::waiting("waiting for the leader to publish members")
    );
    assert!(out_cluster(&out).local_app_data.is_empty());
}

#[test]
fn a_follower_writing_the_app_bag_raises_relation_data_access_error() {
    let rel = published(addressed([1]), 1, &[0, 1]);
    let state = State::default()
        .config([("probe", "app-write".into())])
        .relations([rel.clone()]);
    let (exc_type, message) = raised(ctx(CHARM).run(Event::config_changed(), &state));
    assert_eq!(exc_type, "ops.model.RelationDataAccessError");
    assert_eq!(
        message,
        "peer-cluster/0 is not leader and cannot write application data."
    );
    let partial = ctx(CHARM)
        .run_reporting_errors(Event::config_changed(), &state)
        .unwrap();
    assert_eq!(out_cluster(&partial).local_app_data, rel.local_app_data);
}

#[test]
fn the_leader_writes_the_app_bag() {
    let rel = addressed([1]);
    let state = State::default()
        .leader(true)
        .config([("probe", "app-write".into())])
        .relations([rel]);
    let out = ctx(CHARM).run(Event::config_changed(), &state).unwrap();
    assert_eq!(out_cluster(&out).local_app_data["probe"], "peer-cluster/0");
}

#[test]
fn writing_a_peer_s_unit_bag_raises_relation_data_access_error_even_as_leader() {
    let rel = addressed([1, 2]);
    let state = State::default()
        .leader(true)
        .config([("probe", "peer-write".into())])
        .relations([rel.clone()]);
    let (exc_type, message) = raised(ctx(CHARM).run(Event::config_changed(), &state));
    assert_eq!(exc_type, "ops.model.RelationDataAccessError");
    assert_eq!(
        message,
        "peer-cluster/0 cannot write databag of peer-cluster/1: not the same unit."
    );
}

#[test]
fn this_unit_is_never_one_of_its_peers() {
    // Unit 1 of three: relation-list names units 0 and 2, and the leader counts itself in.
    let rel = addressed([0, 2]);
    let state = State::default().leader(true).relations([rel.clone()]);
    let ctx = ctx(CHARM).unit_id(1);
    let out = ctx.run(rel.joined_event().remote_unit(0), &state).unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO joined relation=1 app=peer-cluster unit=peer-cluster/0 \
         units=['peer-cluster/0', 'peer-cluster/2']"
    );
    assert_eq!(members(&out), names(&[0, 1, 2]));
    assert_eq!(out_cluster(&out).local_app_data["leader"], "peer-cluster/1");
    // Unit 1's own databag is local_unit_data; the peers' stay as they were.
    assert_eq!(out_cluster(&out).local_unit_data["address"], "192.0.2.0");
    assert_eq!(out_cluster(&out).peers_data, rel.peers_data);
}

// Defaults.

#[test]
fn a_default_peer_relation_gets_id_1_juju_s_address_keys_and_no_peers() {
    let rel = cluster();
    assert!(rel.peers_data.is_empty());
    assert_eq!(rel.local_unit_data, default_unit_databag());
    assert!(rel.local_app_data.is_empty());
    let out = ctx(CHARM)
        .run(
            rel.created_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    let out_rel = out_cluster(&out);
    assert_eq!(out_rel.id, Some(1));
    assert_eq!(out_rel.interface.as_deref(), Some("cluster-peers"));
    let mut expected = default_unit_databag();
    expected.insert("address".into(), "192.0.2.0".into());
    assert_eq!(out_rel.local_unit_data, expected);
    assert!(out_rel.peers_data.is_empty());
    assert!(matches!(
        out.state.relation(1).unwrap(),
        AnyRelation::Peer(_)
    ));
    assert_eq!(out.state.relations_of("cluster").count(), 1);
}

#[test]
fn an_explicit_id_is_the_id_the_charm_sees() {
    let rel = cluster().id(7);
    let out = ctx(CHARM)
        .run(
            rel.created_event(),
            &State::default().relations([rel.clone()]),
        )
        .unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO created relation=7 app=peer-cluster unit=None units=[]"
    );
    assert_eq!(out.state.relation(7).unwrap().endpoint(), "cluster");
}

#[test]
fn with_several_peers_and_no_remote_unit_the_first_peer_is_used_with_a_warning() {
    let rel = addressed([2, 5]);
    let state = State::default().relations([rel.clone()]);
    let out = ctx(CHARM).run(rel.changed_event(), &state).unwrap();
    assert!(
        charm_logs(&out)[0].contains("unit=peer-cluster/2 "),
        "{:?}",
        charm_logs(&out)
    );
    assert_eq!(rule_ids(&out.warnings), ["relation.remote_unit_defaulted"]);
}

// The checker's rules for peer relations.

#[test]
fn a_regular_relation_on_the_peer_endpoint_is_inconsistent() {
    let rel = Relation::new("cluster");
    let state = State::default().relations([rel.clone()]);
    let ctx = ctx(CHARM);
    assert_eq!(
        violated(&ctx, &rel.changed_event(), &state),
        ["relation.kind"]
    );
    let err = ctx.run(rel.changed_event(), &state).unwrap_err();
    insta::assert_snapshot!("regular_relation_on_the_peer_endpoint", err);
}

#[test]
fn a_subordinate_relation_on_the_peer_endpoint_is_inconsistent() {
    let state = State::default().relations([SubordinateRelation::new("cluster")]);
    assert_eq!(
        violated(&ctx(CHARM), &Event::update_status(), &state),
        ["relation.kind"]
    );
}

#[test]
fn this_unit_among_the_peers_is_inconsistent() {
    let rel = cluster().peers([0, 1]);
    let state = State::default().relations([rel.clone()]);
    assert_eq!(
        violated(&ctx(CHARM), &rel.changed_event().remote_unit(1), &state),
        ["relation.peer_is_self"]
    );
    // The same peers are fine for unit 2.
    assert_eq!(
        violated(
            &ctx(CHARM).unit_id(2),
            &rel.changed_event().remote_unit(1),
            &state
        ),
        Vec::<&str>::new()
    );
}

#[test]
fn a_peer_event_without_its_relation_in_the_state_is_inconsistent() {
    assert_eq!(
        violated(&ctx(CHARM), &cluster().changed_event(), &State::default()),
        ["relation.missing"]
    );
    assert_eq!(
        violated(
            &ctx(CHARM),
            &cluster().id(3).changed_event(),
            &State::default().relations([cluster().id(2).peers([1])])
        ),
        ["relation.not_in_state"]
    );
}

#[test]
fn two_peer_relations_with_one_id_are_inconsistent() {
    let state = State::default().relations([cluster().id(3), cluster().id(3)]);
    assert_eq!(
        violated(&ctx(CHARM), &Event::update_status(), &state),
        ["relation.duplicate_id"]
    );
}

#[test]
fn a_peer_relation_with_another_interface_runs_with_a_warning() {
    // The charm cannot see it (ops reads interfaces from the metadata); Juju never has it.
    let state = State::default().relations([cluster().interface("raft")]);
    let out = ctx(CHARM).run(Event::update_status(), &state).unwrap();
    let rules: Vec<&str> = out.warnings.iter().map(|w| w.rule.id()).collect();
    assert_eq!(rules, ["relation.interface"]);
}

#[test]
fn joined_changed_and_departed_need_a_peer_but_created_and_broken_do_not() {
    let rel = cluster();
    let state = State::default().relations([rel.clone()]);
    let ctx = ctx(CHARM);
    for event in [
        rel.joined_event(),
        rel.changed_event(),
        rel.departed_event(),
    ] {
        assert_eq!(
            violated(&ctx, &event, &state),
            ["relation.no_remote_unit"],
            "{}",
            event.name
        );
    }
    for event in [rel.created_event(), rel.broken_event()] {
        assert_eq!(
            violated(&ctx, &event, &state),
            Vec::<&str>::new(),
            "{}",
            event.name
        );
    }
}

#[test]
fn a_network_for_a_binding_the_charm_lacks_is_inconsistent() {
    let state = State::default()
        .relations([cluster()])
        .networks([Network::new("cluster"), Network::new("db")]);
    assert_eq!(
        violated(&ctx(CHARM), &Event::update_status(), &state),
        ["network.binding"]
    );
}

// Deferral.

#[test]
fn a_deferred_peer_changed_event_is_reemitted_for_its_unit() {
    let rel = addressed([1, 2]);
    let deferred = rel
        .changed_event()
        .remote_unit(1)
        .deferred(CLASS, "_on_changed");
    let state = State::default()
        .relations([rel.clone()])
        .deferred([deferred]);
    let out = ctx(CHARM)
        .capture_deferred_events(true)
        .run(Event::update_status(), &state)
        .unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO changed relation=1 app=peer-cluster unit=peer-cluster/1 \
         units=['peer-cluster/1', 'peer-cluster/2']"
    );
    assert_eq!(
        event_names(&out),
        ["cluster_relation_changed (deferred)", "update_status"]
    );
    assert!(out.state.deferred.is_empty());
}

#[test]
fn a_deferred_peer_departed_event_keeps_its_departing_unit() {
    let rel = published(addressed([1, 2]), 0, &[0, 1, 2]);
    let deferred = rel
        .departed_event()
        .remote_unit(2)
        .deferred(CLASS, "_on_departed");
    let state = State::default()
        .leader(true)
        .relations([rel.clone()])
        .deferred([deferred]);
    let out = ctx(CHARM).run(Event::update_status(), &state).unwrap();
    // Re-emitted in update-status, relation-list still names unit 2; the event keeps it as
    // the departing unit, so the leader drops it from the members.
    assert_eq!(
        charm_logs(&out)[0],
        "INFO departed relation=1 app=peer-cluster unit=peer-cluster/2 \
         units=['peer-cluster/1', 'peer-cluster/2'] departing=peer-cluster/2"
    );
    assert_eq!(members(&out), names(&[0, 1]));
}

#[test]
fn a_deferred_departed_event_for_this_unit_still_names_this_unit_as_departing() {
    let rel = published(addressed([1, 2]), 1, &[0, 1, 2]);
    let deferred = rel
        .departed_event()
        .remote_unit(1)
        .departing_unit(0)
        .deferred(CLASS, "_on_departed");
    let state = State::default()
        .relations([rel.clone()])
        .deferred([deferred]);
    let out = ctx(CHARM).run(Event::update_status(), &state).unwrap();
    assert_eq!(
        charm_logs(&out)[..2],
        [
            "INFO departed relation=1 app=peer-cluster unit=peer-cluster/1 \
             units=['peer-cluster/1', 'peer-cluster/2'] departing=peer-cluster/0",
            "INFO this unit is leaving the cluster",
        ]
    );
}

#[test]
fn a_peer_event_deferred_in_one_run_is_handled_in_the_next() {
    let rel = addressed([2]).peer_data(1, default_unit_databag());
    let ctx = ctx(CHARM);
    let first = ctx
        .run(
            rel.changed_event().remote_unit(1),
            &State::default().leader(true).relations([rel.clone()]),
        )
        .unwrap();
    assert_eq!(deferred_paths(&first).len(), 1);
    assert_eq!(first.state.unit_status, Status::Unknown);
    // Peer 1 publishes its address; the next hook re-emits the deferred changed event.
    let mut next = first.state.clone();
    let AnyRelation::Peer(p) = &mut next.relations[0] else {
        panic!()
    };
    p.peers_data.insert(1, addressed_bag(1));
    let second = ctx.run(Event::update_status(), &next).unwrap();
    assert_eq!(
        charm_logs(&second)[..3],
        [
            "INFO changed relation=1 app=peer-cluster unit=peer-cluster/1 \
             units=['peer-cluster/1', 'peer-cluster/2']",
            "INFO peer peer-cluster/1 at 10.0.0.1",
            "INFO peer peer-cluster/2 at 10.0.0.2",
        ]
    );
    assert!(second.state.deferred.is_empty());
    assert_eq!(members(&second), names(&[0, 1, 2]));
}

// Chained runs.

#[test]
fn a_peer_s_whole_life_runs_as_a_chain_of_hooks() {
    let ctx = ctx(CHARM);
    let rel = cluster();
    // The relation appears before any peer: a cluster of one.
    let created = ctx
        .run(
            rel.created_event(),
            &State::default().leader(true).relations([rel.clone()]),
        )
        .unwrap();
    assert_eq!(members(&created), names(&[0]));

    // Peer 1 joins, with no address yet.
    let mut state = created.state.clone();
    peer_mut(&mut state)
        .peers_data
        .insert(1, default_unit_databag());
    let joined = ctx.run(rel.joined_event().remote_unit(1), &state).unwrap();
    assert_eq!(members(&joined), names(&[0, 1]));
    assert_logged(&joined, "INFO peer peer-cluster/1 at None");

    // Peer 1 publishes its address.
    let mut state = joined.state.clone();
    peer_mut(&mut state).peers_data.insert(1, addressed_bag(1));
    let changed = ctx.run(rel.changed_event().remote_unit(1), &state).unwrap();
    assert!(changed.state.deferred.is_empty());
    assert_logged(&changed, "INFO peer peer-cluster/1 at 10.0.0.1");
    assert_eq!(
        changed.state.unit_status,
        Status::active("2 members, leader peer-cluster/0")
    );

    // Peer 1 leaves: departed still has its databag in the State, relation-list does not.
    let departed = ctx
        .run(rel.departed_event().remote_unit(1), &changed.state)
        .unwrap();
    assert_eq!(members(&departed), names(&[0]));
    assert_eq!(
        departed.state.unit_status,
        Status::active("1 member, leader peer-cluster/0")
    );

    // Then the relation goes.
    let mut state = departed.state.clone();
    peer_mut(&mut state).peers_data.clear();
    let broken = ctx.run(rel.broken_event(), &state).unwrap();
    assert_eq!(
        broken.state.unit_status,
        Status::blocked("no cluster relation")
    );
    // What the unit published along the way is still in the output State.
    assert_eq!(out_cluster(&broken).local_unit_data["address"], "192.0.2.0");
    assert_eq!(
        out_cluster(&broken).local_app_data["leader"],
        "peer-cluster/0"
    );
}

fn peer_mut(state: &mut State) -> &mut PeerRelation {
    match &mut state.relations[0] {
        AnyRelation::Peer(p) => p,
        other => panic!("not a peer relation: {other:?}"),
    }
}

#[test]
fn a_newly_elected_leader_republishes_the_members_without_the_old_leader() {
    // The old leader (unit 1) is gone; unit 0 is elected.
    let rel = published(addressed([2]), 1, &[0, 1, 2]);
    let state = State::default().leader(true).relations([rel]);
    let out = ctx(CHARM).run(Event::leader_elected(), &state).unwrap();
    assert_eq!(
        charm_logs(&out)[0],
        "INFO elected; previous leader peer-cluster/1"
    );
    assert_eq!(members(&out), names(&[0, 2]));
    assert_eq!(out_cluster(&out).local_app_data["leader"], "peer-cluster/0");
    assert_eq!(
        out.state.unit_status,
        Status::active("2 members, leader peer-cluster/0")
    );
}

#[test]
fn without_the_peer_relation_the_unit_is_blocked() {
    let out = ctx(CHARM)
        .run(Event::config_changed(), &State::default())
        .unwrap();
    assert_eq!(
        out.state.unit_status,
        Status::blocked("no cluster relation")
    );
}

// Networks.

#[test]
fn the_unit_publishes_the_address_of_its_cluster_binding() {
    let rel = addressed([1]);
    let network =
        Network::new("cluster").bind_addresses([BindAddress::new([
            Address::new("10.1.0.5").cidr("10.1.0.0/24")
        ])
        .interface_name("eth1")]);
    let state = State::default()
        .relations([rel.clone()])
        .networks([network]);
    let out = ctx(CHARM)
        .run(rel.changed_event().remote_unit(1), &state)
        .unwrap();
    assert_eq!(out_cluster(&out).local_unit_data["address"], "10.1.0.5");
    // Juju's own address keys are the State's, not the network's.
    assert_eq!(
        out_cluster(&out).local_unit_data["private-address"],
        "192.0.2.0"
    );
}

#[test]
fn peers_are_units_of_the_application_as_the_context_names_it() {
    let rel = addressed([1]);
    let deferred = rel
        .changed_event()
        .remote_unit(1)
        .deferred(CLASS, "_on_changed");
    let state = State::default()
        .leader(true)
        .relations([rel.clone()])
        .deferred([deferred]);
    let ctx = ctx(CHARM).app_name("db-cluster");
    let out = ctx.run(rel.joined_event().remote_unit(1), &state).unwrap();
    let logs = charm_logs(&out);
    // The deferred changed event, then the joined event: both name the peer after this app.
    assert_eq!(
        logs[0],
        "INFO changed relation=1 app=db-cluster unit=db-cluster/1 units=['db-cluster/1']"
    );
    assert_logged(
        &out,
        "INFO joined relation=1 app=db-cluster unit=db-cluster/1 units=['db-cluster/1']",
    );
    assert_eq!(
        members(&out),
        ["db-cluster/0".to_owned(), "db-cluster/1".to_owned()]
    );
}
