//! Events: what Juju (or the charm itself) asks the charm to handle.

use serde::{Deserialize, Serialize};

use crate::state::{DeferredEvent, StoredDict, StoredValue};

/// The lifecycle events Juju dispatches with no further context, by their Python names.
pub const LIFECYCLE_EVENTS: &[&str] = &[
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

const SECRET_EVENTS: &[&str] = &[
    "secret_changed",
    "secret_rotate",
    "secret_expired",
    "secret_remove",
];

/// What kind of event a name denotes, before looking at the charm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// A lifecycle event ([`LIFECYCLE_EVENTS`]).
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
/// JSON form: `{"name": "config_changed"}`; a custom event on an object the charm holds as
/// attribute `db` is `{"name": "db.on.ready"}`, and custom events may carry `args` and `kwargs`.
///
/// ```
/// use ops_scenario::Event;
/// let e = Event::config_changed();
/// assert_eq!(e.name, "config_changed");
/// let custom = Event::custom("greeter.on.greeted").args(["world".into(), 2.into()]);
/// assert_eq!(custom.owner_path(), ["greeter"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The Python event name (`update_status`, `db_relation_changed`), or for a custom event on
    /// an object the charm holds, `<attribute>.on.<event>`.
    pub name: String,
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
    /// An event by its Python name, with no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        Event {
            name: name.into(),
            args: Vec::new(),
            kwargs: StoredDict::new(),
        }
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
        if !self.owner_path().is_empty() {
            return EventKind::Custom;
        }
        let name = self.name.as_str();
        if LIFECYCLE_EVENTS.contains(&name) {
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

    /// This event as ops would have deferred it for the observer method `observer` of the
    /// object at handle path `owner` (for a charm, its class name), with event id 1. The event
    /// is taken to be emitted by `owner`'s own `on`; build a [`DeferredEvent`] directly for
    /// other emitters.
    ///
    /// ```
    /// # use ops_scenario::Event;
    /// let d = Event::update_status().deferred("MyCharm", "_on_update_status");
    /// assert_eq!(d.handle_path, "MyCharm/on/update_status[1]");
    /// ```
    pub fn deferred(&self, owner: impl Into<String>, observer: impl Into<String>) -> DeferredEvent {
        let owner = owner.into();
        DeferredEvent::new(
            format!("{owner}/on/{}[1]", self.event_name()),
            owner,
            observer,
        )
    }
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
