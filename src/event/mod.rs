//! Events: what Juju (or the charm itself) asks the charm to handle.

use serde::{Deserialize, Serialize};

mod action;
mod juju_keys;
mod relation;
mod scope;
mod secret;
mod storage;
mod workload;

pub(crate) use relation::{
    endpoint_matches, RelationHook, RelationTarget, RelationTargetError, RemoteUnitChoice,
};
#[cfg(test)]
pub(crate) use scope::RelationEventScope;
pub(crate) use scope::{Prepared, RunScope};
pub(crate) use workload::{WorkloadHook, WorkloadTarget, WorkloadTargetError};

use crate::state::{DeferredEvent, State, StoredDict, StoredValue};

/// Suffixes of the event names Juju derives from metadata, and what they need.
const DERIVED_EVENT_SUFFIXES: &[(&str, EventKind)] = &[
    ("_relation_created", EventKind::Relation),
    ("_relation_joined", EventKind::Relation),
    ("_relation_changed", EventKind::Relation),
    ("_relation_departed", EventKind::Relation),
    ("_relation_broken", EventKind::Relation),
    ("_pebble_ready", EventKind::Workload),
    ("_pebble_custom_notice", EventKind::Workload),
    ("_pebble_check_failed", EventKind::Workload),
    ("_pebble_check_recovered", EventKind::Workload),
    ("_storage_attached", EventKind::Storage),
    ("_storage_detaching", EventKind::Storage),
    ("_action", EventKind::Action),
];

/// The secret events, by their Python names.
const SECRET_EVENTS: &[&str] = &[
    "secret_changed",
    "secret_rotate",
    "secret_expired",
    "secret_remove",
];

/// What kind of event a name denotes, before looking at the charm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A lifecycle event ([`Event::LIFECYCLE_EVENTS`]).
    Lifecycle,
    /// `<endpoint>_relation_<created|joined|changed|departed|broken>`.
    Relation,
    /// `<container>_pebble_<ready|custom_notice|check_failed|check_recovered>`.
    Workload,
    /// `<storage>_storage_<attached|detaching>`.
    Storage,
    /// `<action>_action`.
    Action,
    /// `secret_<changed|rotate|expired|remove>`.
    Secret,
    /// Any other name: an event the charm (or an object it holds) defines itself.
    Custom,
}

/// One event to run: a Python event name plus what the kind of event needs.
///
/// JSON form: `{"name": "config_changed"}`; a relation event names its relation by id and may
/// name the remote and departing units by number: `{"name": "db_relation_departed",
/// "relation_id": 3, "remote_unit": 1, "departing_unit": 1}`. A custom event on an object the
/// charm holds as attribute `db` is `{"name": "db.on.ready"}`, and custom events may carry
/// `args` and `kwargs`.
///
/// Relation events are best built from their relation (`db.changed_event()`); the relation is
/// found by its id, or, when the event has none, as the only relation on the event's endpoint.
///
/// ```
/// use ops_scenario::Event;
/// let e = Event::config_changed();
/// assert_eq!(e.name, "config_changed");
/// let custom = Event::custom("greeter.on.greeted").args(["world".into(), 2.into()]);
/// assert_eq!(custom.owner_path(), ["greeter"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The Python event name (`update_status`, `db_relation_changed`), or for a custom event on
    /// an object the charm holds, `<attribute>.on.<event>`.
    pub name: String,
    /// For a relation event, the relation's id. Defaults to the only relation on the event's
    /// endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation_id: Option<u32>,
    /// For `joined`, `changed` and `departed`, the number of the remote unit (of the remote
    /// application, or for a peer relation of this one). Defaults as in ops.testing: the
    /// relation's only remote unit, or its first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_unit: Option<u32>,
    /// For `departed`, the number of the unit that leaves. Defaults to the remote unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departing_unit: Option<u32>,
    /// For a Pebble event, the container's name. Defaults to the container the event's name
    /// gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// For `pebble_custom_notice`, the notice's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_id: Option<String>,
    /// For `pebble_check_failed` and `pebble_check_recovered`, the check's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// For a secret event, the secret's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_id: Option<String>,
    /// For `secret_expired` and `secret_remove`, the revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<u32>,
    /// For a storage event, the storage instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage: Option<StorageRef>,
    /// For an action, the action and its parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<ActionCall>,
    /// Positional arguments for a custom event's `emit()`. Defaults to none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<StoredValue>,
    /// Keyword arguments for a custom event's `emit()`. Defaults to none.
    #[serde(default, skip_serializing_if = "StoredDict::is_empty")]
    pub kwargs: StoredDict,
}

macro_rules! lifecycle_constructors {
    ($($fn_name:ident => $event:literal),* $(,)?) => {$(
        #[doc = concat!("The `", $event, "` event.")]
        pub fn $fn_name() -> Self {
            Event::new($event)
        }
    )*};
}

impl Event {
    /// The secret events Juju dispatches, by their Python names.
    pub(crate) const SECRET_EVENTS: &'static [&'static str] = SECRET_EVENTS;

    /// The lifecycle events Juju dispatches with no further context, by their Python names.
    pub const LIFECYCLE_EVENTS: &'static [&'static str] = &[
        "install",
        "start",
        "stop",
        "remove",
        "update_status",
        "config_changed",
        "upgrade_charm",
        "leader_elected",
        "leader_settings_changed",
        "pre_series_upgrade",
        "post_series_upgrade",
        "collect_metrics",
    ];

    /// An event by its Python name, with no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        Event {
            name: name.into(),
            relation_id: None,
            remote_unit: None,
            departing_unit: None,
            container: None,
            notice_id: None,
            check: None,
            secret_id: None,
            revision: None,
            storage: None,
            action: None,
            args: Vec::new(),
            kwargs: StoredDict::new(),
        }
    }

    /// `<endpoint>_relation_<hook>` for the relation with this id (if it has one).
    pub(crate) fn relation(endpoint: &str, hook: &str, relation_id: Option<u32>) -> Self {
        Event {
            relation_id,
            ..Event::new(format!("{}_relation_{hook}", endpoint.replace('-', "_")))
        }
    }

    /// `<container>_<hook>` for a Pebble event of the container `container`.
    pub(crate) fn workload(container: &str, hook: &str) -> Self {
        Event {
            container: Some(container.to_owned()),
            ..Event::new(format!("{}_{hook}", container.replace('-', "_")))
        }
    }

    /// Set the relation id of a relation event.
    pub fn relation_id(mut self, id: u32) -> Self {
        self.relation_id = Some(id);
        self
    }

    /// Set the remote unit of a relation event (`JUJU_REMOTE_UNIT`), by unit number.
    pub fn remote_unit(mut self, unit: u32) -> Self {
        self.remote_unit = Some(unit);
        self
    }

    /// Set the departing unit of a `relation_departed` event (`JUJU_DEPARTING_UNIT`), by unit
    /// number. Defaults to the remote unit.
    pub fn departing_unit(mut self, unit: u32) -> Self {
        self.departing_unit = Some(unit);
        self
    }

    lifecycle_constructors! {
        install => "install",
        start => "start",
        stop => "stop",
        remove => "remove",
        update_status => "update_status",
        config_changed => "config_changed",
        upgrade_charm => "upgrade_charm",
        leader_elected => "leader_elected",
        leader_settings_changed => "leader_settings_changed",
        pre_series_upgrade => "pre_series_upgrade",
        post_series_upgrade => "post_series_upgrade",
        collect_metrics => "collect_metrics",
    }

    /// A custom event: `"reconfigured"` on the charm's own `on`, or `"greeter.on.greeted"` on
    /// the object the charm holds as attribute `greeter` (a charm library, say).
    pub fn custom(name: impl Into<String>) -> Self {
        Event::new(name)
    }

    /// Set the positional arguments passed to a custom event's `emit()`.
    pub fn args(mut self, args: impl IntoIterator<Item = StoredValue>) -> Self {
        self.args = args.into_iter().collect();
        self
    }

    /// Set keyword arguments passed to a custom event's `emit()`.
    pub fn kwargs<K: Into<String>>(
        mut self,
        kwargs: impl IntoIterator<Item = (K, StoredValue)>,
    ) -> Self {
        self.kwargs
            .extend(kwargs.into_iter().map(|(k, v)| (k.into(), v)));
        self
    }

    /// The event's own name, without the owner path: `greeted` for `greeter.on.greeted`.
    pub fn event_name(&self) -> &str {
        self.name.rsplit_once(".on.").map_or(&self.name, |(_, e)| e)
    }

    /// Attribute path from the charm to the object whose `on` defines the event (empty for the
    /// charm itself): `["greeter"]` for `greeter.on.greeted`.
    pub fn owner_path(&self) -> Vec<&str> {
        match self.name.rsplit_once(".on.") {
            Some((owner, _)) => owner.split('.').collect(),
            None => Vec::new(),
        }
    }

    /// The kind of event its name denotes.
    pub fn kind(&self) -> EventKind {
        // An event on an object the charm holds: `<attr>.on.<event>` (checked without building
        // the owner path: this runs several times per run).
        if self.name.contains(".on.") {
            return EventKind::Custom;
        }
        let name = self.name.as_str();
        if Event::LIFECYCLE_EVENTS.contains(&name) {
            return EventKind::Lifecycle;
        }
        if SECRET_EVENTS.contains(&name) {
            return EventKind::Secret;
        }
        DERIVED_EVENT_SUFFIXES
            .iter()
            .find(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix))
            .map_or(EventKind::Custom, |(_, kind)| *kind)
    }

    /// For an event derived from metadata, the entity it names: `db` for
    /// `db_relation_changed`, `workload` for `workload_pebble_ready`.
    pub fn entity(&self) -> Option<&str> {
        DERIVED_EVENT_SUFFIXES
            .iter()
            .find_map(|(suffix, _)| self.name.strip_suffix(suffix))
            .filter(|e| !e.is_empty())
    }

    /// The Juju hook name: `config-changed`; for derived events the entity name is kept
    /// verbatim and only the suffix is hyphenated (`my_db-relation-changed`).
    pub fn hook_name(&self) -> String {
        match self.entity() {
            Some(entity) => {
                let suffix = &self.name[entity.len() + 1..];
                format!("{entity}-{}", suffix.replace('_', "-"))
            }
            None => self.name.replace('_', "-"),
        }
    }

    /// The Juju hook name with the entity spelled as in the metadata (`my-db`), for an event
    /// derived from it.
    pub(crate) fn hook_name_for(&self, entity: &str) -> String {
        match self.entity() {
            Some(e) => format!("{entity}-{}", self.name[e.len() + 1..].replace('_', "-")),
            None => self.hook_name(),
        }
    }

    /// This event as ops would have deferred it for the observer method `observer` of the
    /// object at handle path `owner` (for a charm, its class name), with event id 1. The event
    /// is taken to be emitted by `owner`'s own `on`; build a [`DeferredEvent`] directly for
    /// other emitters.
    ///
    /// A relation event's snapshot names the relation and its units as the event does; what
    /// only the State knows (the relation's id if the event has none, the remote application,
    /// the default remote unit) is filled in by the run, exactly as ops would have written it
    /// (see [`DeferredEvent`]).
    ///
    /// ```
    /// # use ops_scenario::{Event, Relation};
    /// let d = Event::update_status().deferred("MyCharm", "_on_update_status");
    /// assert_eq!(d.handle_path, "MyCharm/on/update_status[1]");
    /// let d = Relation::new("db").id(3).changed_event().remote_unit(1).deferred("MyCharm", "_on_db");
    /// assert_eq!(d.handle_path, "MyCharm/on/db_relation_changed[1]");
    /// ```
    pub fn deferred(&self, owner: impl Into<String>, observer: impl Into<String>) -> DeferredEvent {
        let owner = owner.into();
        let mut deferred = DeferredEvent::new(
            format!("{owner}/on/{}[1]", self.event_name()),
            owner,
            observer,
        );
        if let Some((entity, hook)) = WorkloadHook::split(&self.name) {
            let data = &mut deferred.snapshot_data;
            let container = self.container.as_deref().unwrap_or(entity);
            data.insert("container_name".into(), container.into());
            if let (WorkloadHook::CustomNotice, Some(id)) = (hook, &self.notice_id) {
                data.insert("notice_id".into(), id.as_str().into());
            }
            if let (true, Some(check)) = (hook.is_check(), &self.check) {
                data.insert("check_name".into(), check.as_str().into());
            }
        }
        if let (Some(hook), Some(entity)) = (self.relation_hook(), self.entity()) {
            let data = &mut deferred.snapshot_data;
            data.insert("relation_name".into(), entity.into());
            if let Some(id) = self.relation_id {
                data.insert("relation_id".into(), i64::from(id).into());
            }
            if let Some(unit) = self.remote_unit.filter(|_| hook.has_remote_unit()) {
                data.insert("unit_name".into(), unit.to_string().into());
            }
            if let Some(unit) = self
                .departing_unit
                .filter(|_| hook == RelationHook::Departed)
            {
                data.insert("departing_unit".into(), unit.to_string().into());
            }
        }
        deferred.snapshot_data.extend(self.secret_snapshot());
        deferred
    }

    /// The container, notice and check this Pebble event is about, resolved against the State.
    pub(crate) fn workload_target<'s>(
        &self,
        state: &'s State,
    ) -> Result<WorkloadTarget<'s>, WorkloadTargetError> {
        if self.kind() != EventKind::Workload {
            return Err(WorkloadTargetError::NotAWorkloadEvent);
        }
        workload::resolve(
            state,
            &self.name,
            self.container.as_deref(),
            self.notice_id.as_deref(),
            self.check.as_deref(),
        )
    }

    /// Which relation hook this is, for a relation event.
    pub(crate) fn relation_hook(&self) -> Option<RelationHook> {
        if self.kind() != EventKind::Relation {
            return None;
        }
        RelationHook::of_name(&self.name)
    }

    /// The relation this relation event is about, and the units it names, resolved against
    /// the State with the defaults ops.testing uses.
    pub(crate) fn relation_target<'s>(
        &self,
        state: &'s State,
    ) -> Result<RelationTarget<'s>, RelationTargetError> {
        let hook = self
            .relation_hook()
            .ok_or(RelationTargetError::NotARelationEvent)?;
        let entity = self.entity().unwrap_or_default();
        RelationTarget::resolve(
            state,
            hook,
            entity,
            self.relation_id,
            self.remote_unit,
            self.departing_unit,
        )
    }
}

/// The storage instance a storage event is about. JSON form: `{"name": "data", "index": 0}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StorageRef {
    /// The storage name.
    pub name: String,
    /// The instance's index. Defaults to 0.
    #[serde(default)]
    pub index: u32,
}

/// An action to run, with its parameters. JSON form: `{"name": "backup", "params": {...},
/// "id": "1"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionCall {
    /// The action name in the actions metadata.
    pub name: String,
    /// The parameters given (the metadata's defaults fill in the rest). Defaults to none.
    #[serde(default)]
    pub params: serde_json::Map<String, serde_json::Value>,
    /// The action's id (`JUJU_ACTION_UUID`). Defaults to `"1"`.
    #[serde(default)]
    pub id: Option<String>,
}

impl AsRef<Event> for Event {
    fn as_ref(&self) -> &Event {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_name() {
        assert_eq!(Event::start().kind(), EventKind::Lifecycle);
        assert_eq!(
            Event::new("db_relation_changed").kind(),
            EventKind::Relation
        );
        assert_eq!(Event::new("web_pebble_ready").kind(), EventKind::Workload);
        assert_eq!(Event::new("backup_action").kind(), EventKind::Action);
        assert_eq!(Event::new("secret_changed").kind(), EventKind::Secret);
        assert_eq!(Event::new("reconfigured").kind(), EventKind::Custom);
        assert_eq!(
            Event::new("lib.on.db_relation_changed").kind(),
            EventKind::Custom
        );
    }

    #[test]
    fn hook_names_keep_the_entity_verbatim() {
        assert_eq!(Event::config_changed().hook_name(), "config-changed");
        assert_eq!(
            Event::new("my_db_relation_changed").hook_name(),
            "my_db-relation-changed"
        );
    }

    #[test]
    fn owner_path_splits_on_on() {
        let e = Event::custom("a.b.on.ready");
        assert_eq!(e.owner_path(), ["a", "b"]);
        assert_eq!(e.event_name(), "ready");
    }
}
