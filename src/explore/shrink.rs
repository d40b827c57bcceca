//! Shrinking a finding: the fewest steps, then the simplest State (a fresh unit's statuses;
//! fewer relations, units, keys, config options, containers and their plans and files; then
//! simpler values) and the simplest
//! changes, on
//! which the charm still breaks the same way.

use super::walk::status_after_start_key;
use super::{Explorer, Finding, FindingKey};
use crate::sequence::{ModelChange, Step};
use crate::state::{AnyRelation, ConfigValue, State};

impl Explorer<'_> {
    /// The smallest reproducer of `key` found within the shrinking budget, from `state` and
    /// `steps` (which break that way at their last step).
    pub(super) fn shrink(
        &self,
        key: FindingKey,
        message: String,
        state: State,
        steps: Vec<Step>,
        walk: u64,
    ) -> Finding {
        let (mut state, mut steps) = normalised(state, steps);
        let mut runs = 0;
        'simpler: while runs < self.shrink_runs {
            // A start-up that leaves the status unknown is judged whole: shorter, it would
            // leave out the hooks that set a status on the happy path.
            let shorten = key != status_after_start_key();
            let candidates = shorter(&steps)
                .into_iter()
                .filter(|_| shorten)
                .map(|steps| (state.clone(), steps))
                .chain(
                    simpler(&state, &steps)
                        .into_iter()
                        .map(|s| (s, steps.clone())),
                )
                .chain(
                    simpler_changes(&steps)
                        .into_iter()
                        .map(|c| (state.clone(), c)),
                );
            for (candidate_state, mut candidate_steps) in candidates {
                if runs >= self.shrink_runs {
                    break 'simpler;
                }
                if let Some(at) = self.breaks(&key, &candidate_state, &candidate_steps, &mut runs) {
                    candidate_steps.truncate(at + 1);
                    (state, steps) = normalised(candidate_state, candidate_steps);
                    continue 'simpler;
                }
            }
            break;
        }
        Finding {
            key,
            message,
            state,
            steps,
            walk,
            shrink_runs: runs,
        }
    }
}

/// The same reproducer with every change in a `before`: each step's `after` changes moved
/// to the next step's `before` (the last step's dropped: nothing runs after it), and the
/// first step's `before` made in the State.
fn normalised(mut state: State, mut steps: Vec<Step>) -> (State, Vec<Step>) {
    for i in 0..steps.len() {
        let after = std::mem::take(&mut steps[i].after);
        if let Some(next) = steps.get_mut(i + 1) {
            next.before.splice(0..0, after);
        }
    }
    if let Some(first) = steps.first_mut() {
        for change in first.before.drain(..) {
            change.apply(&mut state);
        }
    }
    (state, steps)
}

/// `steps` without the steps in `drop` (never the last), each dropped step's changes kept
/// for the next step that stays.
fn without(steps: &[Step], drop: impl Fn(usize) -> bool) -> Vec<Step> {
    let mut out = Vec::new();
    let mut carried: Vec<ModelChange> = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        if i + 1 < steps.len() && drop(i) {
            carried.extend(step.before.iter().cloned());
            carried.extend(step.after.iter().cloned());
            continue;
        }
        let mut step = step.clone();
        step.before.splice(0..0, std::mem::take(&mut carried));
        out.push(step);
    }
    out
}

/// Shorter sequences ending with the same step: the last alone, without the first half of
/// the others, without any one of the others.
fn shorter(steps: &[Step]) -> Vec<Vec<Step>> {
    let n = steps.len();
    if n < 2 {
        return Vec::new();
    }
    let mut out = vec![without(steps, |_| true)];
    if n > 3 {
        out.push(without(steps, |i| i < (n - 1) / 2));
    }
    out.extend((0..n - 1).map(|d| without(steps, |i| i == d)));
    out
}

/// The same steps with one change simpler: a config option or a databag key left out.
fn simpler_changes(steps: &[Step]) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        for (j, change) in step.before.iter().enumerate() {
            let mut variants: Vec<ModelChange> = Vec::new();
            match change {
                ModelChange::Config(config) => {
                    for key in config.keys() {
                        let mut fewer = config.clone();
                        fewer.remove(key);
                        variants.push(ModelChange::Config(fewer));
                    }
                }
                ModelChange::RemoteAppData { relation, data } => {
                    for key in data.keys() {
                        let mut fewer = data.clone();
                        fewer.remove(key);
                        variants.push(ModelChange::RemoteAppData {
                            relation: *relation,
                            data: fewer,
                        });
                    }
                }
                ModelChange::RemoteUnitData {
                    relation,
                    unit,
                    data,
                } => {
                    for key in data.keys() {
                        let mut fewer = data.clone();
                        fewer.remove(key);
                        variants.push(ModelChange::RemoteUnitData {
                            relation: *relation,
                            unit: *unit,
                            data: fewer,
                        });
                    }
                }
                _ => {}
            }
            for variant in variants {
                let mut candidate = steps.to_vec();
                candidate[i].before[j] = variant;
                out.push(candidate);
            }
        }
    }
    out
}

/// Every State one step simpler than `state` that still fits the steps' events (the
/// relations and containers they name stay).
fn simpler(state: &State, steps: &[Step]) -> Vec<State> {
    let named_relation = |id: Option<u32>| steps.iter().any(|s| s.event.relation_id == id);
    let named_unit = |id: Option<u32>, unit: u32| {
        steps
            .iter()
            .any(|s| s.event.relation_id == id && s.event.remote_unit == Some(unit))
    };
    let named_container = |name: &str| {
        let prefix = format!("{}_pebble", name.replace('-', "_"));
        steps.iter().any(|s| {
            s.event.name.starts_with(&prefix) || s.event.container.as_deref() == Some(name)
        })
    };
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
        if !named_relation(state.relations[i].id()) {
            push(&|s| {
                s.relations.remove(i);
            });
        }
    }
    for (i, relation) in state.relations.iter().enumerate() {
        for unit in relation.remote_unit_ids() {
            if named_unit(relation.id(), unit) {
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
    // Simpler values, once there are fewer of them.
    for (key, value) in &state.config {
        for simpler in simpler_values(value) {
            push(&|s| {
                s.config.insert(key.clone(), simpler.clone());
            });
        }
    }
    for (i, relation) in state.relations.iter().enumerate() {
        for (bag, key) in remote_keys(relation) {
            // `push` leaves out a change that changes nothing (a value already empty).
            push(&|s| empty_value(&mut s.relations[i], bag, &key));
        }
    }
    for (i, container) in state.containers.iter().enumerate() {
        push(&|s| {
            let c = &mut s.containers[i];
            c.layers = Default::default();
            c.service_statuses.clear();
        });
        for path in container.files.keys() {
            push(&|s| {
                s.containers[i].files.remove(path);
            });
        }
        if !named_container(&container.name) {
            push(&|s| {
                s.containers.remove(i);
            });
        }
    }
    for i in 0..state.storages.len() {
        let storage = &state.storages[i];
        if !steps.iter().any(|s| {
            s.event
                .storage
                .as_ref()
                .is_some_and(|r| r.name == storage.name && r.index == storage.index)
        }) {
            push(&|s| {
                s.storages.remove(i);
            });
        }
    }
    for i in 0..state.secrets.len() {
        let id = &state.secrets[i].id;
        if steps.iter().any(|s| s.event.secret_id.as_ref() == Some(id)) {
            continue;
        }
        push(&|s| {
            s.secrets.remove(i);
        });
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
    if let Some(data) = bag_mut(relation, bag) {
        data.remove(key);
    }
}

fn empty_value(relation: &mut AnyRelation, bag: Bag, key: &str) {
    if let Some(data) = bag_mut(relation, bag) {
        data.insert(key.to_owned(), String::new());
    }
}

/// The value itself, made simpler (strictly, so shrinking cannot go back and forth): an
/// empty string, or a one-letter one for a longer string; 0, or 1 for a larger number; 0.0;
/// false.
fn simpler_values(value: &ConfigValue) -> Vec<ConfigValue> {
    match value {
        ConfigValue::String(text) if text.chars().count() > 1 => {
            vec![ConfigValue::String(String::new()), "a".into()]
        }
        ConfigValue::String(text) if !text.is_empty() => vec![ConfigValue::String(String::new())],
        ConfigValue::Int(n) if n.unsigned_abs() > 1 => {
            vec![ConfigValue::Int(0), ConfigValue::Int(1)]
        }
        ConfigValue::Int(n) if *n != 0 => vec![ConfigValue::Int(0)],
        ConfigValue::Float(x) if *x != 0.0 => vec![ConfigValue::Float(0.0)],
        ConfigValue::Bool(true) => vec![ConfigValue::Bool(false)],
        _ => Vec::new(),
    }
}

fn bag_mut(relation: &mut AnyRelation, bag: Bag) -> Option<&mut crate::state::Databag> {
    match (relation, bag) {
        (AnyRelation::Regular(r), Bag::App) => Some(&mut r.remote_app_data),
        (AnyRelation::Regular(r), Bag::Unit(u)) => r.remote_units_data.get_mut(&u),
        (AnyRelation::Peer(r), Bag::Unit(u)) => r.peers_data.get_mut(&u),
        (AnyRelation::Peer(_), Bag::App) => None,
        (AnyRelation::Subordinate(r), Bag::App) => Some(&mut r.remote_app_data),
        (AnyRelation::Subordinate(r), Bag::Unit(_)) => Some(&mut r.remote_unit_data),
    }
}
