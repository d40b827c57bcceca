//! One step of a sequence: an event, and what Juju changes in the model around it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::state::{effective_ids, AnyRelation, ConfigValue, Databag, State, Storage};

/// One step of a sequence: an event, with what changes in the model around its hook
/// that the charm does not do itself: before it, a container whose Pebble came up; after it,
/// a relation that was broken or a storage instance that was detached, gone from the model.
///
/// A plain [`Event`] converts into a step that changes nothing.
///
/// ```
/// use ops_scenario::sequence::{ModelChange, Step};
/// use ops_scenario::{Container, Event, Relation};
///
/// let db = Relation::new("db").id(3);
/// let step = Step::new(db.broken_event()).after(ModelChange::RelationRemoved(3));
/// assert_eq!(step.event.name, "db_relation_broken");
///
/// let web = Container::new("web");
/// let step = Step::new(web.pebble_ready_event()).before(ModelChange::ContainerConnected("web".into()));
/// assert_eq!(step.before.len(), 1);
///
/// assert_eq!(Step::from(Event::start()), Step::new(Event::start()));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// The event to run.
    pub event: Event,
    /// Changes made to the State the step starts from, before the event runs. Defaults to
    /// none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<ModelChange>,
    /// Changes made to the step's output State before the next step runs from it (the
    /// step's own [`Output`](crate::Output) keeps the State its run left). Defaults to none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<ModelChange>,
}

impl Step {
    /// A step that runs `event` and changes nothing else.
    pub fn new(event: Event) -> Self {
        Step {
            event,
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Make `change` before the event runs.
    pub fn before(mut self, change: ModelChange) -> Self {
        self.before.push(change);
        self
    }

    /// Make `change` once the event has run, before the next step.
    pub fn after(mut self, change: ModelChange) -> Self {
        self.after.push(change);
        self
    }
}

impl From<Event> for Step {
    fn from(event: Event) -> Self {
        Step::new(event)
    }
}

impl From<&Event> for Step {
    fn from(event: &Event) -> Self {
        Step::new(event.clone())
    }
}

impl From<&Step> for Step {
    fn from(step: &Step) -> Self {
        step.clone()
    }
}

/// A change in the model that Juju (not the charm) makes between hooks: see [`Step`].
///
/// ```
/// use ops_scenario::sequence::ModelChange;
/// use ops_scenario::{Container, Relation, State, Storage};
///
/// let mut state = State::default()
///     .relations([Relation::new("db")])
///     .storages([Storage::new("data")])
///     .containers([Container::new("web")]);
/// ModelChange::RelationRemoved(1).apply(&mut state);
/// ModelChange::StorageDetached(Storage::new("data")).apply(&mut state);
/// ModelChange::ContainerConnected("web".into()).apply(&mut state);
/// assert!(state.relations.is_empty() && state.storages.is_empty());
/// assert!(state.containers[0].can_connect);
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ModelChange {
    /// The container's Pebble came up: the charm can connect to it (`can_connect` becomes
    /// `true`).
    ContainerConnected(String),
    /// The relation with this id (as the State numbers its relations) was broken: it is
    /// gone from the model.
    RelationRemoved(u32),
    /// The storage instance was detached: it is gone from the model.
    StorageDetached(Storage),
    /// The application's config is now exactly these values (`config-changed` follows).
    Config(BTreeMap<String, ConfigValue>),
    /// The unit is now the leader (`true`, `leader-elected` follows) or no longer is.
    Leadership(bool),
    /// A relation was established (its `-relation-created` follows). It keeps the id it
    /// carries, or takes the lowest one no other relation has; if a relation with its id is
    /// there already, nothing changes.
    RelationAdded(AnyRelation),
    /// The remote application's databag in the relation with this id now holds exactly
    /// `data` (on a peer relation: this application's, written by another unit).
    RemoteAppData {
        /// The relation's id.
        relation: u32,
        /// The databag's new content.
        data: Databag,
    },
    /// A remote unit's databag (a peer's, on a peer relation) now holds exactly `data`; a
    /// unit not yet in the relation joins it (its `-relation-joined` follows).
    RemoteUnitData {
        /// The relation's id.
        relation: u32,
        /// The remote unit's number.
        unit: u32,
        /// The databag's new content.
        data: Databag,
    },
    /// The remote unit (a peer, on a peer relation) left the relation, after its
    /// `-relation-departed`.
    UnitDeparted {
        /// The relation's id.
        relation: u32,
        /// The remote unit's number.
        unit: u32,
    },
}

impl ModelChange {
    /// Make the change in `state`; nothing happens if what it names is not there (a
    /// subordinate relation's one remote unit neither joins nor departs).
    pub fn apply(&self, state: &mut State) {
        match self {
            ModelChange::ContainerConnected(name) => {
                for container in state.containers.iter_mut().filter(|c| &c.name == name) {
                    container.can_connect = true;
                }
            }
            ModelChange::RelationRemoved(id) => {
                let ids = effective_ids(&state.relations);
                if let Some(i) = ids.iter().position(|x| x == id) {
                    // Keep the other relations' ids as they were numbered with this one.
                    state.assign_relation_ids();
                    state.relations.remove(i);
                }
            }
            ModelChange::StorageDetached(storage) => state.storages.retain(|s| s != storage),
            ModelChange::Config(config) => state.config = config.clone(),
            ModelChange::Leadership(leader) => state.leader = *leader,
            ModelChange::RelationAdded(relation) => {
                // Number the others first, so that an id-less one takes the next free id.
                state.assign_relation_ids();
                if relation
                    .id()
                    .is_some_and(|id| state.relations.iter().any(|r| r.id() == Some(id)))
                {
                    return;
                }
                state.relations.push(relation.clone());
                state.assign_relation_ids();
            }
            ModelChange::RemoteAppData { relation, data } => match relation_mut(state, *relation) {
                Some(AnyRelation::Regular(r)) => r.remote_app_data = data.clone(),
                Some(AnyRelation::Peer(r)) => r.local_app_data = data.clone(),
                Some(AnyRelation::Subordinate(r)) => r.remote_app_data = data.clone(),
                None => {}
            },
            ModelChange::RemoteUnitData {
                relation,
                unit,
                data,
            } => match relation_mut(state, *relation) {
                Some(AnyRelation::Regular(r)) => {
                    r.remote_units_data.insert(*unit, data.clone());
                }
                Some(AnyRelation::Peer(r)) => {
                    r.peers_data.insert(*unit, data.clone());
                }
                Some(AnyRelation::Subordinate(r)) if r.remote_unit_id == *unit => {
                    r.remote_unit_data = data.clone();
                }
                _ => {}
            },
            ModelChange::UnitDeparted { relation, unit } => match relation_mut(state, *relation) {
                Some(AnyRelation::Regular(r)) => {
                    r.remote_units_data.remove(unit);
                }
                Some(AnyRelation::Peer(r)) => {
                    r.peers_data.remove(unit);
                }
                _ => {}
            },
        }
    }
}

/// The relation with this id, as the State numbers its relations.
fn relation_mut(state: &mut State, id: u32) -> Option<&mut AnyRelation> {
    let i = effective_ids(&state.relations)
        .iter()
        .position(|x| *x == id)?;
    state.relations.get_mut(i)
}
