//! [`UnitStore`]: what ops' unit-state store holds during a run (the snapshots of StoredState
//! objects and deferred events, and the deferred-event notices), seeded from the State and read
//! back into it. The runtime hands ops a Python view of it; the rules are here.

use super::{DeferredEvent, State, StoredDict, StoredState, StoredValue};

/// `(event_path, observer_path, method_name)`, as ops' storage yields notices.
pub(crate) type StoreNotice = (String, String, String);

/// ops' unit-state store of one run.
#[derive(Debug, Default)]
pub(crate) struct UnitStore {
    snapshots: Vec<(String, StoredDict)>,
    notices: Vec<StoreNotice>,
}

impl UnitStore {
    /// A store holding the State's stored states and deferred events (whose snapshots the
    /// run's normalisation completed), with the framework's event counter at least as high as
    /// every deferred event's id, so a new event cannot take a deferred one's handle path.
    pub(crate) fn seeded(state: &State) -> Self {
        let mut store = UnitStore {
            snapshots: Vec::with_capacity(state.stored_states.len() + state.deferred.len() + 1),
            notices: Vec::with_capacity(state.deferred.len()),
        };
        for stored in &state.stored_states {
            store.save(stored.handle_path(), stored.content.clone());
        }
        for deferred in &state.deferred {
            store.save(deferred.handle_path.clone(), deferred.snapshot_data.clone());
            store.notices.push((
                deferred.handle_path.clone(),
                deferred.owner.clone(),
                deferred.observer.clone(),
            ));
        }
        let highest_id = state
            .deferred
            .iter()
            .filter_map(DeferredEvent::event_id)
            .max();
        if let Some(highest) = highest_id.and_then(|id| i64::try_from(id).ok()) {
            let key = StoredState::framework(0).handle_path();
            match store.snapshots.iter_mut().find(|(k, _)| *k == key) {
                Some((_, content)) => {
                    let count = match content.get("event_count") {
                        Some(StoredValue::Int(n)) => *n,
                        _ => 0,
                    };
                    content.insert("event_count".into(), StoredValue::Int(count.max(highest)));
                }
                None => store.save(key, StoredState::framework(highest).content),
            }
        }
        store
    }

    /// `save_snapshot`: store (or replace) the snapshot at `handle`.
    pub(crate) fn save(&mut self, handle: String, data: StoredDict) {
        match self.snapshots.iter_mut().find(|(k, _)| *k == handle) {
            Some((_, existing)) => *existing = data,
            None => self.snapshots.push((handle, data)),
        }
    }

    /// `load_snapshot`: the snapshot at `handle`, if stored.
    pub(crate) fn load(&self, handle: &str) -> Option<&StoredDict> {
        self.snapshots
            .iter()
            .find_map(|(k, data)| (k == handle).then_some(data))
    }

    /// `drop_snapshot`.
    pub(crate) fn drop_snapshot(&mut self, handle: &str) {
        self.snapshots.retain(|(k, _)| k != handle);
    }

    /// `list_snapshots`: the handles, in the order they were first stored.
    pub(crate) fn snapshot_handles(&self) -> impl Iterator<Item = &str> {
        self.snapshots.iter().map(|(k, _)| k.as_str())
    }

    /// `save_notice`.
    pub(crate) fn save_notice(&mut self, notice: StoreNotice) {
        self.notices.push(notice);
    }

    /// `drop_notice`.
    pub(crate) fn drop_notice(&mut self, event_path: &str, observer_path: &str, method: &str) {
        self.notices
            .retain(|(e, o, m)| !(e == event_path && o == observer_path && m == method));
    }

    /// `notices`: those of `event_path`, or all, in queue order.
    pub(crate) fn notices<'a>(
        &'a self,
        event_path: Option<&'a str>,
    ) -> impl Iterator<Item = &'a StoreNotice> {
        self.notices
            .iter()
            .filter(move |(e, _, _)| event_path.is_none_or(|p| p == e))
    }

    /// Move the stored states and the deferred queue into `state`.
    pub(crate) fn read_back(self, state: &mut State) {
        let mut event_snapshots = Vec::new();
        state.stored_states.clear();
        for (handle, content) in self.snapshots {
            if is_event_path(&handle) {
                event_snapshots.push((handle, content));
            } else if let Some((owner_path, name)) = StoredState::parse_handle_path(&handle) {
                state.stored_states.push(StoredState {
                    owner_path,
                    name,
                    content,
                });
            }
        }
        state.deferred = self
            .notices
            .into_iter()
            .map(|(handle_path, owner, observer)| {
                let snapshot_data = event_snapshots
                    .iter()
                    .find(|(k, _)| *k == handle_path)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default();
                DeferredEvent {
                    handle_path,
                    owner,
                    observer,
                    snapshot_data,
                }
            })
            .collect();
    }
}

/// ops' `_event_regex`: `^(|.*/)on/[a-zA-Z_]+\[\d+\]$`.
fn is_event_path(handle: &str) -> bool {
    let Some(rest) = handle.strip_suffix(']') else {
        return false;
    };
    let Some((head, digits)) = rest.rsplit_once('[') else {
        return false;
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let Some((prefix, kind)) = head.rsplit_once('/') else {
        return false;
    };
    !kind.is_empty()
        && kind.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
        && (prefix == "on" || prefix.ends_with("/on"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_paths_follow_ops_regex() {
        assert!(is_event_path("C/on/start[1]"));
        assert!(is_event_path("on/commit[5]"));
        assert!(is_event_path("C/Lib[k]/on/greeted[12]"));
        assert!(!is_event_path("C/StoredStateData[_stored]"));
        assert!(!is_event_path("C/on/start[x]"));
        assert!(!is_event_path("C/notOn/start[1]"));
    }

    #[test]
    fn seeding_raises_the_event_counter_past_deferred_ids() {
        let state =
            State::default().deferred([DeferredEvent::new("C/on/start[7]", "C", "_on_start")]);
        let store = UnitStore::seeded(&state);
        let mut out = State::default();
        store.read_back(&mut out);
        assert_eq!(out.event_count(), Some(7));
        assert_eq!(out.deferred, state.deferred);
    }

    #[test]
    fn snapshots_and_notices_are_kept_as_ops_stores_them() {
        let mut store = UnitStore::seeded(&State::default());
        store.save(
            "C/StoredStateData[_stored]".into(),
            [("n".into(), 1.into())].into(),
        );
        store.save("C/on/start[1]".into(), StoredDict::new());
        store.save_notice(("C/on/start[1]".into(), "C".into(), "_on_start".into()));
        store.save(
            "C/StoredStateData[_stored]".into(),
            [("n".into(), 2.into())].into(),
        );
        assert_eq!(
            store.load("C/StoredStateData[_stored]").unwrap()["n"],
            2.into()
        );
        assert_eq!(
            store.snapshot_handles().collect::<Vec<_>>(),
            ["C/StoredStateData[_stored]", "C/on/start[1]"]
        );
        assert_eq!(store.notices(Some("C/on/other[2]")).count(), 0);
        assert_eq!(store.notices(None).count(), 1);
        store.drop_notice("C/on/start[1]", "C", "_on_start");
        store.drop_snapshot("C/on/start[1]");
        let mut out = State::default();
        store.read_back(&mut out);
        assert!(out.deferred.is_empty());
        assert_eq!(out.stored_states.len(), 1);
        assert_eq!(out.stored_states[0].content["n"], 2.into());
    }
}
