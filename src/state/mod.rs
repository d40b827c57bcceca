//! The State a charm runs against: pure Rust data, no Python.
//!
//! Every type derives `Clone, Debug, PartialEq, Serialize, Deserialize`; its JSON form is the
//! portable one in `docs/STATE_JSON.md`. `State::default()` is a fresh unit: not leader, unknown
//! statuses, no config set, one planned unit, nothing stored or deferred.

mod any_relation;
mod check;
mod cloud;
mod config;
mod container;
mod container_file;
mod databag;
mod layer;
mod model;
mod network;
mod notice;
mod relation;
mod secret;
mod status;
mod storage;
mod stored;
mod unit_store;
mod value;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) use any_relation::effective_ids;
pub use any_relation::AnyRelation;
pub(crate) use check::{assign_check_change_ids, next_change_id};
pub use cloud::{CloudCredential, CloudSpec};
pub use config::ConfigValue;
pub use container::{
    CheckInfo, CheckLevel, CheckStartup, CheckStatus, Container, ContainerFile, Exec, FileContent,
    FileKind, Layer, LayerItem, Layers, Mount, Notice, Plan, ServiceStatus, DEFAULT_NOTICE_TIME,
};
#[cfg(feature = "schema")]
pub(crate) use container_file::CONTAINER_FILE_KEYS;
pub use model::{Model, ModelType};
pub use network::{Address, BindAddress, Network};
pub(crate) use notice::assign_notice_ids;
pub(crate) use relation::DEFAULT_ADDRESS;
#[cfg(feature = "snapshot")]
pub(crate) use relation::DEFAULT_REMOTE_APP_NAME;
pub use relation::{default_unit_databag, Databag, PeerRelation, Relation, SubordinateRelation};
pub use secret::{Secret, SecretContent, SecretOwner, SecretRotate};
pub use status::Status;
pub use storage::{Port, Protocol, Resource, Storage};
pub use stored::{DeferredEvent, StoredState, DEFAULT_STORED_STATE_NAME};
pub(crate) use unit_store::UnitStore;
pub(crate) use value::dict_from_pairs;
pub use value::{stored_dict, StoredDict, StoredValue};

use crate::error::{Error, Result};

/// Everything about the unit and its model that a charm can observe or change in one event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields, default)]
pub struct State {
    /// Config options the user has set. Options left out fall back to their `default` in the
    /// charm's config metadata when the charm reads them; defaults are never written back here.
    /// Defaults to empty.
    pub config: BTreeMap<String, ConfigValue>,
    /// Whether this unit is the application's leader. Defaults to `false`.
    pub leader: bool,
    /// The unit's status. Defaults to [`Status::Unknown`].
    pub unit_status: Status,
    /// The application's status. Defaults to [`Status::Unknown`].
    pub app_status: Status,
    /// The workload version the charm last set. Defaults to `""`.
    pub workload_version: String,
    /// How many units of the application Juju plans to have. Defaults to 1.
    pub planned_units: u32,
    /// The model. Defaults to [`Model::default()`].
    pub model: Model,
    /// The unit's workload containers. Defaults to none.
    pub containers: Vec<Container>,
    /// The unit's relations, of every kind. Defaults to none.
    pub relations: Vec<AnyRelation>,
    /// Networks of bindings that differ from the default network (see [`Network::new`]).
    /// Defaults to none.
    pub networks: Vec<Network>,
    /// Storage instances attached to the unit. Defaults to none.
    pub storages: Vec<Storage>,
    /// Ports the unit has opened. Defaults to none.
    pub opened_ports: Vec<Port>,
    /// Secrets this unit owns or observes. Defaults to none.
    pub secrets: Vec<Secret>,
    /// Resources the charm can fetch. Defaults to none.
    pub resources: Vec<Resource>,
    /// Content of the charm's `ops.StoredState` attributes, and the framework's own (its
    /// `event_count`). Defaults to empty.
    pub stored_states: Vec<StoredState>,
    /// Deferred events, in queue order (the order ops re-emits them). Defaults to empty.
    pub deferred: Vec<DeferredEvent>,
}

impl Default for State {
    fn default() -> Self {
        State {
            config: BTreeMap::new(),
            leader: false,
            unit_status: Status::Unknown,
            app_status: Status::Unknown,
            workload_version: String::new(),
            planned_units: 1,
            model: Model::default(),
            containers: Vec::new(),
            relations: Vec::new(),
            networks: Vec::new(),
            storages: Vec::new(),
            opened_ports: Vec::new(),
            secrets: Vec::new(),
            resources: Vec::new(),
            stored_states: Vec::new(),
            deferred: Vec::new(),
        }
    }
}

impl State {
    /// Set config options (added to those already set).
    ///
    /// ```
    /// # use ops_scenario::State;
    /// let state = State::default().config([("port", 8080.into()), ("log-level", "debug".into())]);
    /// # assert_eq!(state.config.len(), 2);
    /// ```
    pub fn config<K: Into<String>>(
        mut self,
        options: impl IntoIterator<Item = (K, ConfigValue)>,
    ) -> Self {
        self.config
            .extend(options.into_iter().map(|(k, v)| (k.into(), v)));
        self
    }

    /// Set leadership.
    pub fn leader(mut self, leader: bool) -> Self {
        self.leader = leader;
        self
    }

    /// Set the unit status.
    pub fn unit_status(mut self, status: Status) -> Self {
        self.unit_status = status;
        self
    }

    /// Set the application status.
    pub fn app_status(mut self, status: Status) -> Self {
        self.app_status = status;
        self
    }

    /// Set the workload version.
    pub fn workload_version(mut self, version: impl Into<String>) -> Self {
        self.workload_version = version.into();
        self
    }

    /// Set the number of planned units.
    pub fn planned_units(mut self, planned_units: u32) -> Self {
        self.planned_units = planned_units;
        self
    }

    /// Set the model.
    pub fn model(mut self, model: Model) -> Self {
        self.model = model;
        self
    }

    /// Add relations (of one kind per call; chain calls for several kinds).
    ///
    /// ```
    /// # use ops_scenario::{PeerRelation, Relation, State};
    /// let state = State::default()
    ///     .relations([Relation::new("db"), Relation::new("cache")])
    ///     .relations([PeerRelation::new("cluster").peers([1, 2])]);
    /// assert_eq!(state.relations.len(), 3);
    /// ```
    pub fn relations<R: Into<AnyRelation>>(
        mut self,
        relations: impl IntoIterator<Item = R>,
    ) -> Self {
        self.relations.extend(relations.into_iter().map(Into::into));
        self
    }

    /// Add containers.
    pub fn containers(mut self, containers: impl IntoIterator<Item = Container>) -> Self {
        self.containers.extend(containers);
        self
    }

    /// Add networks (each replacing the default network of its binding).
    pub fn networks(mut self, networks: impl IntoIterator<Item = Network>) -> Self {
        self.networks.extend(networks);
        self
    }

    /// Add StoredState contents.
    pub fn stored_states(mut self, stored: impl IntoIterator<Item = StoredState>) -> Self {
        self.stored_states.extend(stored);
        self
    }

    /// Append deferred events to the queue.
    pub fn deferred(mut self, events: impl IntoIterator<Item = DeferredEvent>) -> Self {
        self.deferred.extend(events);
        self
    }

    /// The StoredState named `name` on the object at `owner_path` (`None` for the
    /// framework's own).
    ///
    /// # Errors
    /// [`Error::NotFound`] if the State has no such StoredState.
    pub fn stored_state(&self, owner_path: Option<&str>, name: &str) -> Result<&StoredState> {
        self.stored_states
            .iter()
            .find(|s| s.owner_path.as_deref() == owner_path && s.name == name)
            .ok_or_else(|| Error::NotFound {
                what: format!(
                    "StoredState {name:?} owned by {}",
                    owner_path.map_or("the framework".to_owned(), |o| format!("{o:?}"))
                ),
            })
    }

    /// A relation, looked up by id (`state.relation(3)`) or by a relation the test built
    /// (`state.relation(&db)`: by its id, or if it has none, as the only relation on its
    /// endpoint). Looking up by a [`Relation`], [`PeerRelation`] or [`SubordinateRelation`]
    /// gives that type back.
    ///
    /// ```
    /// # use ops_scenario::{Relation, State};
    /// let db = Relation::new("db").remote_app_data([("host", "h")]);
    /// let state = State::default().relations([db.clone()]);
    /// assert_eq!(state.relation(&db)?.remote_app_data["host"], "h");
    /// assert_eq!(state.relation(1)?.endpoint(), "db");
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotFound`] if there is no such relation, or it is of another kind.
    pub fn relation<K: RelationLookup>(&self, key: K) -> Result<&K::Found> {
        key.find_in(self)
    }

    /// The relations on `endpoint`, in State order.
    pub fn relations_of<'s>(
        &'s self,
        endpoint: &'s str,
    ) -> impl Iterator<Item = &'s AnyRelation> + 's {
        self.relations
            .iter()
            .filter(move |r| r.endpoint() == endpoint)
    }

    /// The container named `name`.
    ///
    /// # Errors
    /// [`Error::NotFound`] if the State has no such container.
    pub fn container(&self, name: &str) -> Result<&Container> {
        self.containers
            .iter()
            .find(|c| c.name == name)
            .ok_or_else(|| Error::NotFound {
                what: format!("container {name:?}"),
            })
    }

    /// The network the State gives for `binding_name`.
    ///
    /// # Errors
    /// [`Error::NotFound`] if the State does not list that binding (the charm then sees the
    /// default network).
    pub fn network(&self, binding_name: &str) -> Result<&Network> {
        self.networks
            .iter()
            .find(|n| n.binding_name == binding_name)
            .ok_or_else(|| Error::NotFound {
                what: format!("network for binding {binding_name:?}"),
            })
    }

    /// The relation with this (possibly defaulted) id.
    pub(crate) fn relation_by_id(&self, id: u32) -> Option<&AnyRelation> {
        let ids = effective_ids(&self.relations);
        ids.iter()
            .position(|i| *i == id)
            .map(|i| &self.relations[i])
    }

    /// Give every relation its id, by the numbering rule of [`relation`](crate::state) ids.
    pub(crate) fn assign_relation_ids(&mut self) {
        if self.relations.iter().all(|r| r.id().is_some()) {
            return;
        }
        let ids = effective_ids(&self.relations);
        for (relation, id) in self.relations.iter_mut().zip(ids) {
            relation.set_id(id);
        }
    }

    /// The framework's event counter, if the State carries the framework's StoredState.
    pub fn event_count(&self) -> Option<i64> {
        match self
            .stored_state(None, DEFAULT_STORED_STATE_NAME)
            .ok()?
            .content
            .get("event_count")
        {
            Some(StoredValue::Int(n)) => Some(*n),
            _ => None,
        }
    }
}

/// What [`State::relation`] can look a relation up by.
pub trait RelationLookup {
    /// What the lookup gives back.
    type Found;
    /// Find it.
    ///
    /// # Errors
    /// [`Error::NotFound`] if the State has no such relation.
    fn find_in(self, state: &State) -> Result<&Self::Found>;
}

impl RelationLookup for u32 {
    type Found = AnyRelation;
    fn find_in(self, state: &State) -> Result<&AnyRelation> {
        state.relation_by_id(self).ok_or_else(|| Error::NotFound {
            what: format!("relation with id {self}"),
        })
    }
}

fn find_like<'s>(state: &'s State, endpoint: &str, id: Option<u32>) -> Result<&'s AnyRelation> {
    match id {
        Some(id) => id.find_in(state),
        None => {
            let mut on_endpoint = state.relations.iter().filter(|r| r.endpoint() == endpoint);
            match (on_endpoint.next(), on_endpoint.next()) {
                (Some(r), None) => Ok(r),
                (None, _) => Err(Error::NotFound {
                    what: format!("relation on endpoint {endpoint:?}"),
                }),
                (Some(_), Some(_)) => Err(Error::NotFound {
                    what: format!(
                        "a single relation on endpoint {endpoint:?}: there are several, so look it up by id"
                    ),
                }),
            }
        }
    }
}

impl RelationLookup for &AnyRelation {
    type Found = AnyRelation;
    fn find_in(self, state: &State) -> Result<&AnyRelation> {
        find_like(state, self.endpoint(), self.id())
    }
}

macro_rules! typed_lookup {
    ($ty:ident, $as:ident, $kind:literal) => {
        impl RelationLookup for &$ty {
            type Found = $ty;
            fn find_in(self, state: &State) -> Result<&$ty> {
                let found = find_like(state, &self.endpoint, self.id)?;
                found.$as().ok_or_else(|| Error::NotFound {
                    what: format!(
                        "{} relation on endpoint {:?} (it is a {} relation)",
                        $kind,
                        self.endpoint,
                        found.kind_name()
                    ),
                })
            }
        }
    };
}

typed_lookup!(Relation, as_regular, "regular");
typed_lookup!(PeerRelation, as_peer, "peer");
typed_lookup!(SubordinateRelation, as_subordinate, "subordinate");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_json_is_the_default_state() {
        let s: State = serde_json::from_str("{}").unwrap();
        assert_eq!(s, State::default());
    }

    #[test]
    fn unknown_field_is_an_error_naming_it() {
        let err = serde_json::from_str::<State>(r#"{"leadr": true}"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `leadr`"), "{err}");
    }

    #[test]
    fn the_relations_and_networks_of_state_json_md_read_and_write_back() {
        // The example State of docs/STATE_JSON.md, its relation and network parts.
        let text = r#"{
          "relations": [
            {"type": "regular", "endpoint": "db", "interface": "pgsql", "id": 1,
             "remote_app_name": "postgresql", "limit": 1, "remote_model_uuid": null,
             "local_app_data": {}, "local_unit_data": {},
             "remote_app_data": {"host": "10.0.0.1"}, "remote_units_data": {"0": {"k": "v"}, "1": {}}},
            {"type": "peer", "endpoint": "cluster", "id": 2,
             "local_app_data": {}, "local_unit_data": {}, "peers_data": {"1": {}, "2": {}}},
            {"type": "subordinate", "endpoint": "juju-info", "id": 3, "remote_app_name": "ubuntu",
             "local_app_data": {}, "local_unit_data": {}, "remote_app_data": {},
             "remote_unit_id": 0, "remote_unit_data": {}}
          ],
          "networks": [{"binding_name": "db",
                        "bind_addresses": [{"interface_name": "eth0", "mac_address": null,
                                            "addresses": [{"value": "192.0.2.0", "hostname": "", "cidr": "192.0.2.0/24"}]}],
                        "ingress_addresses": ["192.0.2.0"], "egress_subnets": ["192.0.2.0/24"]}]
        }"#;
        let state: State = serde_json::from_str(text).unwrap();
        assert_eq!(
            state.relation(1).unwrap().remote_app_data()["host"],
            "10.0.0.1"
        );
        assert_eq!(state.relation(2).unwrap().remote_unit_ids(), [1, 2]);
        assert_eq!(state.relation(3).unwrap().remote_app_name("me"), "ubuntu");
        assert_eq!(
            state.network("db").unwrap().bind_addresses[0].interface_name,
            "eth0"
        );
        let written: serde_json::Value = serde_json::to_value(&state).unwrap();
        let read: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(written["relations"], read["relations"]);
        assert_eq!(written["networks"], read["networks"]);
    }

    #[test]
    fn round_trip_keeps_everything() {
        let s = State::default()
            .leader(true)
            .config([
                ("port", 80.into()),
                ("ratio", 0.5.into()),
                ("on", true.into()),
            ])
            .unit_status(Status::blocked("x"))
            .workload_version("1.2")
            .planned_units(3)
            .stored_states([
                StoredState::new("C").content([("n", 1)]),
                StoredState::framework(4),
            ])
            .deferred([DeferredEvent::new("C/on/start[1]", "C", "_on_start")]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s);
        assert_eq!(s.event_count(), Some(4));
    }

    #[test]
    fn a_float_reads_exactly_so_the_state_written_back_reads_equal() {
        // Found by fuzzing (fuzz/fuzz_targets/case_json.rs): without serde_json's
        // `float_roundtrip`, this literal read one ulp off, and the State written back then
        // read as a different State.
        let text = r#"{"config": {"whole": 2.05555555555500000000000000001157841371}}"#;
        let s: State = serde_json::from_str(text).unwrap();
        assert_eq!(s.config["whole"], ConfigValue::Float(2.055555555555));
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<State>(&json).unwrap(), s);
    }
}
