//! Shrinking a finding: the smallest State (a fresh unit's statuses; fewer relations, units,
//! keys, config options, containers) on which the same event still fails the same way.

use crate::event::Event;
use crate::state::{AnyRelation, State};

/// Every State one step simpler than `state` that still fits `event` (the event's relation
/// and container stay).
pub(super) fn simpler(state: &State, event: &Event) -> Vec<State> {
    let mut out = Vec::new();
    let mut push = |change: &dyn Fn(&mut State)| {
        let mut s = state.clone();
        change(&mut s);
        if s != *state {
            out.push(s);
        }
    };
    push(&|s| {
        let fresh = State::default();
        s.unit_status = fresh.unit_status;
        s.app_status = fresh.app_status;
        s.workload_version = fresh.workload_version;
    });
    push(&|s| s.deferred.clear());
    push(&|s| s.stored_states.clear());
    for i in 0..state.relations.len() {
        if state.relations[i].id() != event.relation_id {
            push(&|s| {
                s.relations.remove(i);
            });
        }
    }
    for (i, relation) in state.relations.iter().enumerate() {
        for unit in relation.remote_unit_ids() {
            if event.relation_id == relation.id() && event.remote_unit == Some(unit) {
                continue;
            }
            push(&|s| remove_unit(&mut s.relations[i], unit));
        }
        push(&|s| clear_bags(&mut s.relations[i]));
        for (bag, key) in remote_keys(relation) {
            push(&|s| remove_key(&mut s.relations[i], bag, &key));
        }
    }
    for key in state.config.keys() {
        push(&|s| {
            s.config.remove(key);
        });
    }
    for (i, container) in state.containers.iter().enumerate() {
        if !event
            .name
            .starts_with(&format!("{}_pebble", container.name.replace('-', "_")))
        {
            push(&|s| {
                s.containers.remove(i);
            });
        }
    }
    push(&|s| s.leader = false);
    out
}

fn remove_unit(relation: &mut AnyRelation, unit: u32) {
    match relation {
        AnyRelation::Regular(r) => {
            r.remote_units_data.remove(&unit);
        }
        AnyRelation::Peer(r) => {
            r.peers_data.remove(&unit);
        }
        AnyRelation::Subordinate(_) => {}
    }
}

fn clear_bags(relation: &mut AnyRelation) {
    match relation {
        AnyRelation::Regular(r) => {
            r.remote_app_data.clear();
            r.remote_units_data.values_mut().for_each(|b| b.clear());
        }
        AnyRelation::Peer(r) => {
            r.local_app_data.clear();
            r.peers_data.values_mut().for_each(|b| b.clear());
        }
        AnyRelation::Subordinate(r) => {
            r.remote_app_data.clear();
            r.remote_unit_data.clear();
        }
    }
}

/// A remote databag of a relation: the application's, or a unit's.
#[derive(Clone, Copy)]
enum Bag {
    App,
    Unit(u32),
}

/// Every key of the relation's remote databags.
fn remote_keys(relation: &AnyRelation) -> Vec<(Bag, String)> {
    let keys = |bag: Bag, data: &crate::state::Databag| -> Vec<(Bag, String)> {
        data.keys().map(|k| (bag, k.clone())).collect()
    };
    match relation {
        AnyRelation::Regular(r) => {
            let mut all = keys(Bag::App, &r.remote_app_data);
            for (unit, data) in &r.remote_units_data {
                all.extend(keys(Bag::Unit(*unit), data));
            }
            all
        }
        AnyRelation::Peer(r) => r
            .peers_data
            .iter()
            .flat_map(|(unit, data)| keys(Bag::Unit(*unit), data))
            .collect(),
        AnyRelation::Subordinate(r) => {
            let mut all = keys(Bag::App, &r.remote_app_data);
            all.extend(keys(Bag::Unit(r.remote_unit_id), &r.remote_unit_data));
            all
        }
    }
}

fn remove_key(relation: &mut AnyRelation, bag: Bag, key: &str) {
    let data = match (relation, bag) {
        (AnyRelation::Regular(r), Bag::App) => Some(&mut r.remote_app_data),
        (AnyRelation::Regular(r), Bag::Unit(u)) => r.remote_units_data.get_mut(&u),
        (AnyRelation::Peer(r), Bag::Unit(u)) => r.peers_data.get_mut(&u),
        (AnyRelation::Peer(_), Bag::App) => None,
        (AnyRelation::Subordinate(r), Bag::App) => Some(&mut r.remote_app_data),
        (AnyRelation::Subordinate(r), Bag::Unit(_)) => Some(&mut r.remote_unit_data),
    };
    if let Some(data) = data {
        data.remove(key);
    }
}
