//! The orders of Sequence::startup and ::teardown, and Juju's model changes.

use super::*;
use crate::state::Storage;
use crate::state::{Container, Model, PeerRelation, Relation, SubordinateRelation};

#[test]
fn juju_s_changes_can_be_made_twice_to_the_same_effect() {
    use crate::state::{ConfigValue, Databag};
    let db = Relation::new("db").id(4);
    let changes = [
        ModelChange::RelationAdded(db.clone().into()),
        ModelChange::RemoteUnitData {
            relation: 4,
            unit: 2,
            data: [("host", "10.0.0.9")].into_iter().collect::<Databag>(),
        },
        ModelChange::RemoteAppData {
            relation: 4,
            data: [("k", "v")].into_iter().collect::<Databag>(),
        },
        ModelChange::Config([("port".to_owned(), ConfigValue::Int(80))].into()),
        ModelChange::Leadership(true),
        ModelChange::UnitDeparted {
            relation: 4,
            unit: 7,
        },
    ];
    let mut once = State::default();
    changes.iter().for_each(|c| c.apply(&mut once));
    let mut twice = once.clone();
    changes.iter().for_each(|c| c.apply(&mut twice));
    assert_eq!(once, twice);
    assert_eq!(once.relations.len(), 1);
    // Relation::new has remote unit 0.
    assert_eq!(once.relations[0].remote_unit_ids(), [0, 2]);
    assert!(once.leader);
    ModelChange::UnitDeparted {
        relation: 4,
        unit: 2,
    }
    .apply(&mut once);
    assert_eq!(once.relations[0].remote_unit_ids(), [0]);
    // Serialised as case files write them.
    let json = serde_json::to_string(&changes[4]).unwrap();
    assert_eq!(json, r#"{"leadership":true}"#);
}

fn names(seq: &Sequence) -> Vec<&str> {
    seq.event_names()
}

#[test]
fn a_bare_leader_starts_with_install_leader_elected_config_changed_start() {
    let state = State::default().leader(true);
    assert_eq!(
        names(&Sequence::startup(&state)),
        ["install", "leader_elected", "config_changed", "start"]
    );
}

#[test]
fn a_follower_gets_leader_settings_changed_instead() {
    assert_eq!(
        names(&Sequence::startup(&State::default())),
        [
            "install",
            "leader_settings_changed",
            "config_changed",
            "start"
        ]
    );
}

#[test]
fn relations_are_created_in_state_order_with_their_ids_before_leadership() {
    let state = State::default()
        .relations([Relation::new("db")])
        .relations([PeerRelation::new("cluster").id(1)])
        .relations([SubordinateRelation::new("juju-info")]);
    let seq = Sequence::startup(&state);
    assert_eq!(
        names(&seq)[1..5],
        [
            "db_relation_created",
            "cluster_relation_created",
            "juju_info_relation_created",
            "leader_settings_changed"
        ]
    );
    let ids: Vec<_> = seq.events().filter_map(|e| e.relation_id).collect();
    assert_eq!(ids, [2, 1, 3]);
}

#[test]
fn pebble_ready_connects_its_container_first() {
    let state = State::default().containers([Container::new("web"), Container::new("db")]);
    let seq = Sequence::startup(&state);
    let ready: Vec<_> = seq
        .steps()
        .iter()
        .filter(|s| !s.before.is_empty())
        .collect();
    assert_eq!(ready.len(), 2);
    assert_eq!(ready[0].event.container.as_deref(), Some("web"));
    assert_eq!(
        ready[1].before,
        [ModelChange::ContainerConnected("db".into())]
    );
}

#[test]
fn storage_is_attached_before_install_on_machines_and_after_start_on_kubernetes() {
    let data = Storage::new("data");
    let k8s = State::default()
        .storages([data.clone(), data.clone().index(1)])
        .containers([Container::new("web")]);
    assert_eq!(
        names(&Sequence::startup(&k8s))[3..],
        [
            "start",
            "web_pebble_ready",
            "data_storage_attached",
            "data_storage_attached"
        ]
    );
    let indices: Vec<_> = Sequence::startup(&k8s)
        .events()
        .filter_map(|e| e.storage.as_ref().map(|s| s.index))
        .collect();
    assert_eq!(indices, [0, 1]);
    let machine = k8s
        .clone()
        .model(Model::default().model_type(ModelType::Lxd));
    assert_eq!(
        names(&Sequence::startup(&machine))[..3],
        ["data_storage_attached", "data_storage_attached", "install"]
    );
}

#[test]
fn teardown_detaches_storage_breaks_non_peer_relations_then_stops_and_removes() {
    let state = State::default()
        .relations([PeerRelation::new("cluster")])
        .relations([Relation::new("db")])
        .storages([Storage::new("data")]);
    let seq = Sequence::teardown(&state);
    assert_eq!(
        names(&seq),
        [
            "data_storage_detaching",
            "db_relation_broken",
            "stop",
            "remove"
        ]
    );
    assert_eq!(seq.steps()[1].event.relation_id, Some(2));
    assert_eq!(seq.steps()[1].after, [ModelChange::RelationRemoved(2)]);
    assert_eq!(
        seq.steps()[0].after,
        [ModelChange::StorageDetached(Storage::new("data"))]
    );
    assert!(seq.steps()[2].after.is_empty());
}

#[test]
fn removing_a_relation_keeps_the_others_ids() {
    let mut state =
        State::default().relations([Relation::new("a"), Relation::new("b"), Relation::new("c")]);
    ModelChange::RelationRemoved(1).apply(&mut state);
    let ids: Vec<_> = state.relations.iter().map(AnyRelation::id).collect();
    assert_eq!(ids, [Some(2), Some(3)]);
    ModelChange::RelationRemoved(9).apply(&mut state);
    assert_eq!(state.relations.len(), 2);
}

#[test]
fn failures_name_the_step_and_the_event() {
    let source = || Error::NotFound { what: "x".into() };
    let event = Relation::new("db").id(3).broken_event();
    assert_eq!(
        SequenceFailure { step: 0, event: Box::new(event), source: source(), outputs: Vec::new() }.to_string(),
        "the sequence failed at its first step, db_relation_broken (relation 3): not found in the state: x"
    );
    assert_eq!(
        Error::from(SequenceFailure {
            step: 4,
            event: Box::new(Event::start()),
            source: source(),
            outputs: Vec::new()
        })
        .to_string(),
        "the sequence failed at step 4, start, after steps 0 to 3 ran: not found in the state: x"
    );
}
