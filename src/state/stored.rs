//! What ops keeps in its unit-state store between events: StoredState snapshots and the queue
//! of deferred events.

use serde::{Deserialize, Serialize};

use super::value::{StoredDict, StoredValue};

/// The `name` a [`StoredState`] gets when none is given: ops' conventional attribute name.
pub const DEFAULT_STORED_STATE_NAME: &str = "_stored";

/// The content of one `ops.StoredState` attribute.
///
/// `owner_path` is the handle path of the object the StoredState is declared on: the charm class
/// name (`"MyCharm"`), a charm library object (`"MyCharm/MyLib[key]"`), or `None` for the
/// framework's own (which holds `event_count`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StoredState {
    /// Handle path of the owner; `None` for the framework's own StoredState.
    #[serde(default)]
    pub owner_path: Option<String>,
    /// The attribute name. Defaults to `"_stored"`.
    #[serde(default = "default_name")]
    pub name: String,
    /// The stored attributes. Defaults to empty.
    #[serde(default)]
    pub content: StoredDict,
}

fn default_name() -> String {
    DEFAULT_STORED_STATE_NAME.to_owned()
}

impl StoredState {
    /// An empty StoredState named `_stored` on the object with this handle path
    /// (for a charm, its class name).
    pub fn new(owner_path: impl Into<String>) -> Self {
        StoredState {
            owner_path: Some(owner_path.into()),
            name: default_name(),
            content: StoredDict::new(),
        }
    }

    /// The framework's own StoredState, which counts events (`event_count`).
    pub fn framework(event_count: i64) -> Self {
        StoredState {
            owner_path: None,
            name: default_name(),
            content: [("event_count".to_owned(), StoredValue::Int(event_count))].into(),
        }
    }

    /// Set the attribute name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Add stored attributes.
    pub fn content<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<StoredValue>,
    {
        self.content
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The key ops stores this under: `MyCharm/StoredStateData[_stored]`.
    pub fn handle_path(&self) -> String {
        match &self.owner_path {
            Some(owner) if !owner.is_empty() => format!("{owner}/StoredStateData[{}]", self.name),
            _ => format!("StoredStateData[{}]", self.name),
        }
    }

    /// Split a store key such as `MyCharm/StoredStateData[_stored]` into owner path and name.
    pub(crate) fn parse_handle_path(handle: &str) -> Option<(Option<String>, String)> {
        let (owner, last) = match handle.rsplit_once('/') {
            Some((owner, last)) => (Some(owner.to_owned()), last),
            None => (None, handle),
        };
        let name = last.strip_prefix("StoredStateData[")?.strip_suffix(']')?;
        Some((owner, name.to_owned()))
    }
}

/// An event that a charm deferred, waiting in ops' queue to be re-emitted before the next event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DeferredEvent {
    /// The event's handle path: `MyCharm/on/update_status[1]`.
    pub handle_path: String,
    /// Handle path of the observing object (the charm: its class name).
    pub owner: String,
    /// Name of the observer method: `_on_update_status`.
    pub observer: String,
    /// The event's snapshot (what its `snapshot()` returned). Defaults to empty.
    #[serde(default)]
    pub snapshot_data: StoredDict,
}

impl DeferredEvent {
    /// A deferred event with an empty snapshot.
    pub fn new(
        handle_path: impl Into<String>,
        owner: impl Into<String>,
        observer: impl Into<String>,
    ) -> Self {
        DeferredEvent {
            handle_path: handle_path.into(),
            owner: owner.into(),
            observer: observer.into(),
            snapshot_data: StoredDict::new(),
        }
    }

    /// Set snapshot entries.
    pub fn snapshot_data<K, V>(mut self, pairs: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<StoredValue>,
    {
        self.snapshot_data
            .extend(pairs.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The event's kind: `update_status` for `MyCharm/on/update_status[1]`.
    pub fn name(&self) -> &str {
        let last = self.handle_path.rsplit('/').next().unwrap_or("");
        last.split('[').next().unwrap_or(last)
    }

    /// The number in brackets at the end of the handle path, which ops takes from its event
    /// counter.
    pub fn event_id(&self) -> Option<u64> {
        let inner = self.handle_path.strip_suffix(']')?;
        inner.rsplit_once('[')?.1.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handle_paths_follow_ops() {
        assert_eq!(
            StoredState::new("C").handle_path(),
            "C/StoredStateData[_stored]"
        );
        assert_eq!(
            StoredState::framework(3).handle_path(),
            "StoredStateData[_stored]"
        );
        assert_eq!(
            StoredState::parse_handle_path("C/Lib[k]/StoredStateData[s]"),
            Some((Some("C/Lib[k]".into()), "s".into()))
        );
        assert_eq!(
            StoredState::parse_handle_path("StoredStateData[_stored]"),
            Some((None, "_stored".into()))
        );
        assert_eq!(StoredState::parse_handle_path("C/on/start[1]"), None);
    }

    #[test]
    fn deferred_event_name_and_id() {
        let d = DeferredEvent::new("C/on/update_status[12]", "C", "_on_update_status");
        assert_eq!(d.name(), "update_status");
        assert_eq!(d.event_id(), Some(12));
    }
}
