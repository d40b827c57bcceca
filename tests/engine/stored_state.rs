//! StoredState: seeded before the charm is built, read back after commit, every Python type.

use crate::common::{ctx, rule_ids};
use ops_scenario::{Error, Event, State, StoredState, StoredValue};

fn charm_stored(state: &State) -> &StoredState {
    state
        .stored_state(Some("StoredConfigCharm"), "_stored")
        .unwrap()
}

#[test]
fn every_storable_type_round_trips_through_the_charm() {
    let ctx = ctx("stored-config");
    let out = ctx
        .run(
            Event::config_changed(),
            &State::default().config([("port", 9000.into())]),
        )
        .unwrap();
    let content = &charm_stored(&out.state).content;
    assert_eq!(content["counter"], StoredValue::Int(1));
    assert_eq!(content["seen"], StoredValue::List(vec!["info".into()]));
    assert_eq!(content["tags"], StoredValue::Set(vec!["9000".into()]));
    assert_eq!(content["last_port"], StoredValue::Int(9000));
    assert_eq!(content["blob"], StoredValue::Bytes(b"x".to_vec()));
    assert_eq!(
        content["big"],
        StoredValue::BigInt("1180591620717411303425".into())
    );

    // The output feeds the next run: every value goes back into Python and out again.
    let again = ctx
        .run(
            Event::config_changed(),
            &out.state.clone().config([("log-level", "debug".into())]),
        )
        .unwrap();
    let content = &charm_stored(&again.state).content;
    assert_eq!(content["counter"], StoredValue::Int(2));
    assert_eq!(
        content["seen"],
        StoredValue::List(vec!["info".into(), "debug".into()])
    );
    assert_eq!(content["tags"], StoredValue::Set(vec!["9000".into()]));
    assert_eq!(content["blob"], StoredValue::Bytes(b"xx".to_vec()));
    assert_eq!(
        content["big"],
        StoredValue::BigInt("1180591620717411303426".into())
    );
}

#[test]
fn the_framework_event_counter_is_carried_in_and_out() {
    let ctx = ctx("stored-config");
    let out = ctx.run(Event::config_changed(), &State::default()).unwrap();
    assert_eq!(out.state.event_count(), Some(4));
    let out = ctx.run(Event::config_changed(), &out.state).unwrap();
    assert_eq!(out.state.event_count(), Some(8));
    let frameworks = out
        .state
        .stored_states
        .iter()
        .filter(|s| s.owner_path.is_none())
        .count();
    assert_eq!(
        frameworks, 1,
        "the framework's StoredState must not be duplicated"
    );
}

#[test]
fn seeded_content_is_what_the_charm_loads() {
    let seeded = StoredState::new("StoredConfigCharm").content([
        ("counter", StoredValue::from(41)),
        ("seen", vec!["a"].into()),
        ("tags", StoredValue::Set(vec!["x".into()])),
        ("last_port", StoredValue::None),
        ("blob", StoredValue::Bytes(vec![])),
        ("big", StoredValue::Int(0)),
    ]);
    let out = ctx("stored-config")
        .run(
            Event::config_changed(),
            &State::default().stored_states([seeded]),
        )
        .unwrap();
    let content = &charm_stored(&out.state).content;
    assert_eq!(content["counter"], StoredValue::Int(42));
    assert_eq!(
        content["tags"],
        StoredValue::Set(vec!["8080".into(), "x".into()])
    );
}

#[test]
fn the_input_state_is_never_modified() {
    let state = State::default()
        .config([("port", 1.into())])
        .stored_states([StoredState::new("StoredConfigCharm").content([("counter", 5)])]);
    let before = state.clone();
    ctx("stored-config")
        .run(Event::config_changed(), &state)
        .unwrap();
    assert_eq!(state, before);
}

#[test]
fn stored_state_of_other_owners_is_kept() {
    let other = StoredState::new("StoredConfigCharm/Lib[x]")
        .name("_lib")
        .content([("k", "v")]);
    let out = ctx("stored-config")
        .run(
            Event::config_changed(),
            &State::default().stored_states([other.clone()]),
        )
        .unwrap();
    assert_eq!(
        out.state
            .stored_state(Some("StoredConfigCharm/Lib[x]"), "_lib")
            .unwrap(),
        &other
    );
}

#[test]
fn duplicate_and_unstorable_stored_state_are_inconsistent() {
    let state = State::default().stored_states([
        StoredState::new("C").content([("bad", StoredValue::Set(vec![StoredValue::List(vec![])]))]),
        StoredState::new("C"),
    ]);
    let err = ctx("null").run(Event::start(), &state).unwrap_err();
    let Error::Inconsistent { violations } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        rule_ids(violations),
        ["stored_state.unstorable", "stored_state.duplicate"]
    );
    insta::assert_snapshot!("duplicate_and_unstorable", err);
}

#[test]
fn lookup_of_a_missing_stored_state_says_what_was_missing() {
    let err = State::default()
        .stored_state(Some("X"), "_stored")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"not found in the state: StoredState "_stored" owned by "X""#
    );
}
