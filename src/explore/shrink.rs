//! Shrinking a finding: the smallest State (fewer relations, units, keys, config options,
//! containers) on which the same event still fails the same way.

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
