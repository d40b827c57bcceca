//! States a unit of this charm could be in, drawn from the charm's metadata, and the events
//! Juju could send it next. Every State drawn here must pass the consistency checker; the
//! explorer drops (and counts) any that does not.

use super::rng::Rng;
use crate::charm::{CharmMeta, ConfigType, EndpointRole};
use crate::event::Event;
use crate::state::{
    AnyRelation, ConfigValue, Container, Databag, PeerRelation, Relation, State,
    SubordinateRelation,
};

/// Strings that break naive code: empty, whitespace, unicode, long, numeric, JSON-ish.
const STRINGS: &[&str] = &[
    "",
    " ",
    "a",
    "ünïcødé ✓",
    "0",
    "-1",
    "{}",
    "not: [valid",
    "http://10.0.0.1:8080/path",
    "line one\nline two",
];

/// Keys charms commonly read from relation databags, and values for them.
const DATABAG_KEYS: &[&str] = &[
    "host",
    "hostname",
    "port",
    "password",
    "username",
    "url",
    "endpoints",
    "database",
    "secret-id",
    "data",
    "version",
    "address",
];
const DATABAG_VALUES: &[&str] = &[
    "", "10.0.0.1", "5432", "{}", "[]", "not json", "ünï", "true", "null",
];

/// A fresh State for `meta`'s charm: config of the declared types (edge values, or left to
/// its default), leadership, relations of the declared endpoints with 0..2 remote units and
/// databags of common keys, containers connectable or not.
pub(crate) fn state(meta: &CharmMeta, rng: &mut Rng) -> State {
    let mut state = State::default().leader(rng.chance(50));
    state.config = config(meta, rng);
    let mut next_id = 1;
    for (name, endpoint) in &meta.endpoints {
        if !rng.chance(60) {
            continue;
        }
        let relation: AnyRelation = match endpoint.role {
            EndpointRole::Peers => {
                let peers = (1..=rng.below(3) as u32).collect::<Vec<_>>();
                let mut r = PeerRelation::new(name).id(next_id).peers(peers);
                for bag in r.peers_data.values_mut() {
                    fill(bag, rng);
                }
                fill(&mut r.local_app_data, rng);
                r.into()
            }
            _ if endpoint.container_scoped => {
                let mut r = SubordinateRelation::new(name).id(next_id);
                fill(&mut r.remote_app_data, rng);
                fill(&mut r.remote_unit_data, rng);
                r.into()
            }
            _ => {
                let units = (0..rng.below(3) as u32).collect::<Vec<_>>();
                let mut r = Relation::new(name).id(next_id).remote_units(units);
                fill(&mut r.remote_app_data, rng);
                for bag in r.remote_units_data.values_mut() {
                    fill(bag, rng);
                }
                r.into()
            }
        };
        state.relations.push(relation);
        next_id += 1;
    }
    for name in meta.containers.keys() {
        if rng.chance(80) {
            state
                .containers
                .push(Container::new(name).can_connect(rng.chance(70)));
        }
    }
    state
}

/// Config values of each declared type, each option left to its default one time in three.
pub(crate) fn config(
    meta: &CharmMeta,
    rng: &mut Rng,
) -> std::collections::BTreeMap<String, ConfigValue> {
    let mut config = std::collections::BTreeMap::new();
    for (name, option) in &meta.config_options {
        if rng.chance(33) {
            continue;
        }
        let value = match option.option_type {
            Some(ConfigType::String) => ConfigValue::String((*rng.pick(STRINGS)).to_owned()),
            Some(ConfigType::Int) => {
                ConfigValue::Int(*rng.pick(&[0, 1, -1, 65535, 65536, i64::from(i32::MAX) + 1]))
            }
            Some(ConfigType::Float) => ConfigValue::Float(*rng.pick(&[0.0, -1.5, 0.5, 1e300])),
            Some(ConfigType::Boolean) => ConfigValue::Bool(rng.chance(50)),
            // Secret options need a secret in the State; unknown types are the checker's.
            _ => continue,
        };
        config.insert(name.clone(), value);
    }
    config
}

/// Replace a databag's content with 0..3 common keys.
fn fill(bag: &mut Databag, rng: &mut Rng) {
    bag.clear();
    for _ in 0..rng.below(4) {
        bag.insert(
            (*rng.pick(DATABAG_KEYS)).to_owned(),
            (*rng.pick(DATABAG_VALUES)).to_owned(),
        );
    }
}

/// An event Juju could send a unit in `state` (after start-up), and how Juju changes the
/// State first (new config for config-changed, new remote data for relation-changed,
/// leadership for leader-elected).
pub(crate) fn next_event(meta: &CharmMeta, state: &mut State, rng: &mut Rng) -> Event {
    // update-status is what Juju sends most (every five minutes by default).
    let mut choices: Vec<u8> = vec![0, 0, 0, 1, 2];
    // relation-changed names the remote unit whose data changed (the checker refuses one
    // without), so only relations with remote units take part.
    let with_units: Vec<usize> = (0..state.relations.len())
        .filter(|&i| !state.relations[i].remote_unit_ids().is_empty())
        .collect();
    if !with_units.is_empty() {
        choices.extend([3, 3, 3]);
    }
    if state.containers.iter().any(|c| c.can_connect) {
        choices.push(4);
    }
    choices.push(5);
    match rng.pick(&choices) {
        0 => Event::update_status(),
        1 => {
            state.config = config(meta, rng);
            Event::config_changed()
        }
        2 => Event::upgrade_charm(),
        3 => {
            let index = *rng.pick(&with_units);
            relation_changed(&mut state.relations[index], rng)
        }
        4 => {
            let ready: Vec<&Container> =
                state.containers.iter().filter(|c| c.can_connect).collect();
            rng.pick(&ready).pebble_ready_event()
        }
        _ => {
            state.leader = true;
            Event::leader_elected()
        }
    }
}

/// relation-changed for one of the relation's remote units (it has one), with new remote
/// data.
fn relation_changed(relation: &mut AnyRelation, rng: &mut Rng) -> Event {
    match relation {
        AnyRelation::Regular(r) => {
            fill(&mut r.remote_app_data, rng);
            let units: Vec<u32> = r.remote_units_data.keys().copied().collect();
            let unit = *rng.pick(&units);
            fill(r.remote_units_data.get_mut(&unit).expect("listed"), rng);
            r.changed_event().remote_unit(unit)
        }
        AnyRelation::Peer(r) => {
            let units: Vec<u32> = r.peers_data.keys().copied().collect();
            let unit = *rng.pick(&units);
            fill(r.peers_data.get_mut(&unit).expect("listed"), rng);
            r.changed_event().remote_unit(unit)
        }
        AnyRelation::Subordinate(r) => {
            fill(&mut r.remote_unit_data, rng);
            let unit = r.remote_unit_id;
            r.changed_event().remote_unit(unit)
        }
    }
}

/// Draw again what Juju changed before `event` (the config before config-changed, the
/// relation's databags before a relation event), so that a walk can get past a failure
/// already found. False if the event has nothing to draw again.
pub(crate) fn redraw(meta: &CharmMeta, state: &mut State, event: &Event, rng: &mut Rng) -> bool {
    if event.name == "config_changed" {
        state.config = config(meta, rng);
        return true;
    }
    let Some(relation) = event
        .relation_id
        .and_then(|id| state.relations.iter_mut().find(|r| r.id() == Some(id)))
    else {
        return false;
    };
    match relation {
        AnyRelation::Regular(r) => {
            fill(&mut r.remote_app_data, rng);
            r.remote_units_data.values_mut().for_each(|b| fill(b, rng));
        }
        AnyRelation::Peer(r) => r.peers_data.values_mut().for_each(|b| fill(b, rng)),
        AnyRelation::Subordinate(r) => fill(&mut r.remote_unit_data, rng),
    }
    true
}
