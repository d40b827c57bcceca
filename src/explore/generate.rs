//! States a unit of this charm could be in, drawn from the charm's metadata, and the steps
//! (an event with the change Juju makes before it) Juju could send it next. Every State
//! drawn here must pass the consistency checker; the explorer drops (and counts) any that
//! does not.

use std::collections::BTreeMap;

use super::knowledge::Knowledge;
use super::rng::Rng;
use crate::charm::{CharmMeta, ConfigType, EndpointRole};
use crate::event::Event;
use crate::sequence::{ModelChange, Step};
use crate::state::{
    AnyRelation, ConfigValue, Container, Databag, Layer, PeerRelation, Relation, Secret,
    SecretOwner, ServiceStatus, State, Storage, SubordinateRelation,
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

/// Contents for files the charm pulls: empty, a version, whitespace, not UTF-8-looking text,
/// JSON-ish, several lines.
const FILE_CONTENTS: &[&str] = &["", "1.2.3\n", " \n", "ünï", "{}", "a\nb\n"];

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

/// What draws follow from: the charm's metadata, and what the learning walks saw.
pub(super) struct Cx<'a> {
    pub(super) meta: &'a CharmMeta,
    pub(super) known: &'a Knowledge,
}

/// A fresh State for `meta`'s charm: config of the declared types (edge values, or left to
/// its default), leadership, relations of the declared endpoints with 0..2 remote units and
/// databags of common keys, containers connectable or not (sometimes with a service
/// planned, sometimes with a file the charm was seen to pull), storage attached or not,
/// sometimes a secret the unit observes and one it owns, and sometimes the stored state or
/// deferred events of a State the learning walks reached.
pub(crate) fn state(cx: &Cx, rng: &mut Rng) -> State {
    let (meta, known) = (cx.meta, cx.known);
    let mut state = State::default().leader(rng.chance(50));
    state.config = config(meta, rng);
    let mut next_id = 1;
    for (name, endpoint) in &meta.endpoints {
        if !rng.chance(60) {
            continue;
        }
        let relation = match endpoint.role {
            EndpointRole::Peers => {
                let peers = (1..=rng.below(3) as u32).collect::<Vec<_>>();
                let mut r = PeerRelation::new(name).id(next_id).peers(peers);
                for bag in r.peers_data.values_mut() {
                    *bag = databag(cx, name, rng);
                }
                r.local_app_data = databag(cx, name, rng);
                r.into()
            }
            _ => new_relation(cx, name, next_id, rng),
        };
        state.relations.push(relation);
        next_id += 1;
    }
    for name in meta.containers.keys() {
        if rng.chance(80) {
            let mut container = Container::new(name).can_connect(rng.chance(70));
            if container.can_connect && rng.chance(30) {
                // A workload already planned (a restarted pod, an upgraded charm): one
                // service named after the container, running or not.
                container = with_service(container, rng.chance(50));
            }
            let pulled = known
                .files
                .get(name.as_str())
                .map_or(&[][..], Vec::as_slice);
            if container.can_connect && !pulled.is_empty() && rng.chance(40) {
                // A file the charm was seen to pull, there this time, with awkward content.
                let path = rng.pick(pulled).clone();
                container = container.files([(path, *rng.pick(FILE_CONTENTS))]);
            }
            state.containers.push(container);
        }
    }
    for name in meta.storages.keys() {
        if rng.chance(60) {
            state.storages.push(Storage::new(name));
        }
    }
    if rng.chance(25) {
        // Observed, with a newer revision than the one the unit tracks (secret-changed can
        // be sent for it); its id handed over in some remote databag, as charms get them.
        let mut secret = Secret::new([("password", "hunter2")]);
        secret.latest_content = [("password", "correct horse")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        secret.latest_revision = 2;
        if let Some(bag) = state.relations.iter_mut().find_map(remote_app_bag) {
            bag.insert("secret-id".to_owned(), secret.id.clone());
        }
        state.secrets.push(secret);
    }
    if rng.chance(25) {
        let owner = if state.leader && rng.chance(50) {
            SecretOwner::App
        } else {
            SecretOwner::Unit
        };
        state.secrets.push(
            Secret::new([("token", "s3cr3t")])
                .id("secret:explore0000000000001")
                .owner(owner)
                .label("explored"),
        );
    }
    // A unit that has lived: stored state and deferred events the charm left in the
    // learning walks.
    if !known.stored.is_empty() && rng.chance(25) {
        state.stored_states = rng.pick(&known.stored).clone();
    }
    if !known.deferred.is_empty() && rng.chance(15) {
        state.deferred = rng.pick(&known.deferred).clone();
    }
    state
}

/// `container` with a plan: one service named after it, active or inactive.
fn with_service(container: Container, active: bool) -> Container {
    let name = container.name.clone();
    let mut service = crate::state::LayerItem::new();
    service.insert("override".into(), "replace".into());
    service.insert("command".into(), format!("/usr/bin/{name}").into());
    service.insert("startup".into(), "enabled".into());
    let mut layer = Layer::default();
    layer.services.insert(name.clone(), service);
    let status = if active {
        ServiceStatus::Active
    } else {
        ServiceStatus::Inactive
    };
    container
        .layers([(name.clone(), layer)])
        .service_statuses([(name, status)])
}

/// A regular or subordinate relation on `endpoint`, with remote data.
fn new_relation(cx: &Cx, endpoint: &str, id: u32, rng: &mut Rng) -> AnyRelation {
    let subordinate = cx
        .meta
        .endpoints
        .get(endpoint)
        .is_some_and(|e| e.container_scoped);
    if subordinate {
        let mut r = SubordinateRelation::new(endpoint).id(id);
        r.remote_app_data = databag(cx, endpoint, rng);
        r.remote_unit_data = databag(cx, endpoint, rng);
        return r.into();
    }
    let units = (0..rng.below(3) as u32).collect::<Vec<_>>();
    let mut r = Relation::new(endpoint).id(id).remote_units(units);
    r.remote_app_data = databag(cx, endpoint, rng);
    for bag in r.remote_units_data.values_mut() {
        *bag = databag(cx, endpoint, rng);
    }
    r.into()
}

fn remote_app_bag(relation: &mut AnyRelation) -> Option<&mut Databag> {
    match relation {
        AnyRelation::Regular(r) => Some(&mut r.remote_app_data),
        AnyRelation::Subordinate(r) => Some(&mut r.remote_app_data),
        AnyRelation::Peer(_) => None,
    }
}

/// Config values of each declared type, each option left to its default one time in three.
pub(crate) fn config(meta: &CharmMeta, rng: &mut Rng) -> BTreeMap<String, ConfigValue> {
    let mut config = BTreeMap::new();
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

/// 0..3 keys: keys the charm was seen to look up on this endpoint (in the learning walks),
/// or keys charms commonly read; values from an awkward set.
fn databag(cx: &Cx, endpoint: &str, rng: &mut Rng) -> Databag {
    let learned: &[String] = cx
        .known
        .relation_keys
        .get(endpoint)
        .map_or(&[], Vec::as_slice);
    let mut bag = Databag::default();
    for _ in 0..rng.below(4) {
        let key = if !learned.is_empty() && rng.chance(60) {
            rng.pick(learned).clone()
        } else {
            (*rng.pick(DATABAG_KEYS)).to_owned()
        };
        bag.insert(key, (*rng.pick(DATABAG_VALUES)).to_owned());
    }
    bag
}

/// What Juju could do next to a unit in `state` (after start-up), as steps.
pub(crate) fn next_steps(cx: &Cx, state: &State, rng: &mut Rng) -> Vec<Step> {
    let meta = cx.meta;
    // update-status is what Juju sends most (every five minutes by default).
    let mut choices: Vec<u8> = vec![0, 0, 0, 1, 1, 2, 2];
    // relation-changed names the remote unit whose data changed (the checker refuses one
    // without), so only relations with remote units take part.
    let with_units: Vec<&AnyRelation> = state
        .relations
        .iter()
        .filter(|r| !r.remote_unit_ids().is_empty())
        .collect();
    if !with_units.is_empty() {
        choices.extend([3, 3, 3, 8]);
    }
    if state.containers.iter().any(|c| c.can_connect) {
        choices.push(4);
    }
    if state.containers.iter().any(|c| !c.can_connect) {
        choices.push(9);
    }
    if !state.leader {
        choices.push(5);
    }
    let unrelated: Vec<&String> = meta
        .endpoints
        .iter()
        .filter(|(name, e)| {
            e.role != EndpointRole::Peers && !state.relations.iter().any(|r| r.endpoint() == *name)
        })
        .map(|(name, _)| name)
        .collect();
    if !unrelated.is_empty() {
        choices.extend([6, 6]);
    }
    let regular: Vec<&AnyRelation> = state
        .relations
        .iter()
        .filter(|r| matches!(r, AnyRelation::Regular(_) | AnyRelation::Peer(_)))
        .collect();
    if !regular.is_empty() {
        choices.push(7);
    }
    let breakable: Vec<&AnyRelation> = state
        .relations
        .iter()
        .filter(|r| !matches!(r, AnyRelation::Peer(_)))
        .collect();
    if !breakable.is_empty() {
        choices.push(10);
    }
    if !state.secrets.is_empty() {
        choices.push(11);
    }
    match rng.pick(&choices) {
        0 => vec![Event::update_status().into()],
        1 => {
            vec![Step::new(Event::config_changed()).before(ModelChange::Config(config(meta, rng)))]
        }
        2 => vec![Event::upgrade_charm().into()],
        3 => {
            let relation = *rng.pick(&with_units);
            vec![relation_changed(cx, relation, rng)]
        }
        4 => {
            let ready: Vec<&Container> =
                state.containers.iter().filter(|c| c.can_connect).collect();
            vec![rng.pick(&ready).pebble_ready_event().into()]
        }
        5 => vec![Step::new(Event::leader_elected()).before(ModelChange::Leadership(true))],
        6 => {
            // A new relation: created, then each remote unit joins and writes its data.
            let endpoint = *rng.pick(&unrelated);
            let id = state
                .relations
                .iter()
                .filter_map(AnyRelation::id)
                .max()
                .unwrap_or(0)
                + 1;
            let relation = new_relation(cx, endpoint, id, rng);
            let created = relation.created_event();
            let mut steps =
                vec![Step::new(created).before(ModelChange::RelationAdded(empty(&relation)))];
            steps.extend(joins(&relation, id));
            steps
        }
        7 => {
            // One more remote unit (a peer, on a peer relation) joins.
            let relation = *rng.pick(&regular);
            let id = relation.id().expect("drawn relations have ids");
            // Peers are numbered past this unit's 0 (the checker refuses a peer that is
            // the unit itself).
            let first = u32::from(matches!(relation, AnyRelation::Peer(_)));
            let unit = relation
                .remote_unit_ids()
                .iter()
                .max()
                .map_or(first, |u| u + 1);
            let data = databag(cx, relation.endpoint(), rng);
            vec![
                Step::new(relation.joined_event().remote_unit(unit)).before(
                    ModelChange::RemoteUnitData {
                        relation: id,
                        unit,
                        data,
                    },
                ),
                Step::new(relation.changed_event().remote_unit(unit)),
            ]
        }
        8 => {
            // A remote unit leaves.
            let relation = *rng.pick(&with_units);
            let id = relation.id().expect("drawn relations have ids");
            let unit = *rng.pick(&relation.remote_unit_ids());
            if matches!(relation, AnyRelation::Subordinate(_)) {
                return vec![Event::update_status().into()];
            }
            vec![Step::new(relation.departed_event().remote_unit(unit))
                .after(ModelChange::UnitDeparted { relation: id, unit })]
        }
        9 => {
            // A container's Pebble comes up.
            let down: Vec<&Container> =
                state.containers.iter().filter(|c| !c.can_connect).collect();
            let container = rng.pick(&down);
            vec![Step::new(container.pebble_ready_event())
                .before(ModelChange::ContainerConnected(container.name.clone()))]
        }
        10 => {
            // A relation is removed: each remote unit departs, then it breaks.
            let relation = *rng.pick(&breakable);
            let id = relation.id().expect("drawn relations have ids");
            let mut steps: Vec<Step> = Vec::new();
            if let AnyRelation::Regular(_) = relation {
                for unit in relation.remote_unit_ids() {
                    steps.push(
                        Step::new(relation.departed_event().remote_unit(unit))
                            .after(ModelChange::UnitDeparted { relation: id, unit }),
                    );
                }
            }
            steps.push(Step::new(relation.broken_event()).after(ModelChange::RelationRemoved(id)));
            steps
        }
        _ => {
            let secret = rng.pick(&state.secrets);
            let event = match secret.owner {
                None => secret.changed_event(),
                Some(_) if rng.chance(50) => secret.rotate_event(),
                Some(_) => secret.expired_event(secret.latest_revision),
            };
            vec![event.into()]
        }
    }
}

/// `relation` as created: no remote unit yet, empty remote databags.
fn empty(relation: &AnyRelation) -> AnyRelation {
    let mut relation = relation.clone();
    match &mut relation {
        AnyRelation::Regular(r) => {
            r.remote_units_data.clear();
            r.remote_app_data = Databag::default();
        }
        AnyRelation::Peer(r) => r.peers_data.clear(),
        AnyRelation::Subordinate(r) => {
            r.remote_app_data = Databag::default();
            r.remote_unit_data = Databag::default();
        }
    }
    relation
}

/// Each of `relation`'s remote units joining the (empty) relation with id `id`, writing its
/// data and the application's: joined, then changed.
fn joins(relation: &AnyRelation, id: u32) -> Vec<Step> {
    let mut steps = Vec::new();
    let (app, units): (Option<&Databag>, Vec<(u32, Databag)>) = match relation {
        AnyRelation::Regular(r) => (
            Some(&r.remote_app_data),
            r.remote_units_data
                .iter()
                .map(|(u, d)| (*u, d.clone()))
                .collect(),
        ),
        AnyRelation::Subordinate(r) => (
            Some(&r.remote_app_data),
            vec![(r.remote_unit_id, r.remote_unit_data.clone())],
        ),
        AnyRelation::Peer(_) => (None, Vec::new()),
    };
    for (i, (unit, data)) in units.into_iter().enumerate() {
        let mut changed = Step::new(relation.changed_event().remote_unit(unit)).before(
            ModelChange::RemoteUnitData {
                relation: id,
                unit,
                data,
            },
        );
        if i == 0 {
            if let Some(app) = app {
                changed = changed.before(ModelChange::RemoteAppData {
                    relation: id,
                    data: app.clone(),
                });
            }
        }
        steps.push(Step::new(relation.joined_event().remote_unit(unit)));
        steps.push(changed);
    }
    steps
}

/// relation-changed for one of the relation's remote units (it has one), with new remote
/// data.
fn relation_changed(cx: &Cx, relation: &AnyRelation, rng: &mut Rng) -> Step {
    let endpoint = relation.endpoint();
    let id = relation.id().expect("drawn relations have ids");
    let unit = *rng.pick(&relation.remote_unit_ids());
    let mut step = Step::new(relation.changed_event().remote_unit(unit));
    if !matches!(relation, AnyRelation::Peer(_)) {
        step = step.before(ModelChange::RemoteAppData {
            relation: id,
            data: databag(cx, endpoint, rng),
        });
    }
    step.before(ModelChange::RemoteUnitData {
        relation: id,
        unit,
        data: databag(cx, endpoint, rng),
    })
}

/// The same event with what Juju changed before it drawn again (the config before
/// config-changed, the remote data before relation-changed), so that a walk can get past a
/// failure already found. `None` if the step has nothing to draw again.
pub(crate) fn redraw(cx: &Cx, state: &State, step: &Step, rng: &mut Rng) -> Option<Step> {
    let meta = cx.meta;
    if step.event.name == "config_changed" {
        return Some(Step::new(step.event.clone()).before(ModelChange::Config(config(meta, rng))));
    }
    let relation = step
        .event
        .relation_id
        .and_then(|id| state.relations.iter().find(|r| r.id() == Some(id)))?;
    let unit = step.event.remote_unit?;
    if !step.event.name.ends_with("_relation_changed") {
        return None;
    }
    let id = relation.id().expect("drawn relations have ids");
    let mut again = Step::new(step.event.clone());
    if !matches!(relation, AnyRelation::Peer(_)) {
        again = again.before(ModelChange::RemoteAppData {
            relation: id,
            data: databag(cx, relation.endpoint(), rng),
        });
    }
    Some(again.before(ModelChange::RemoteUnitData {
        relation: id,
        unit,
        data: databag(cx, relation.endpoint(), rng),
    }))
}

/// Whether `event` is a workload event for a container whose Pebble `state` says cannot be
/// reached, which Juju never sends.
pub(super) fn unreachable_workload(event: &Event, state: &State) -> bool {
    state.containers.iter().any(|c| {
        !c.can_connect
            && event
                .name
                .starts_with(&format!("{}_pebble_", c.name.replace('-', "_")))
    })
}
