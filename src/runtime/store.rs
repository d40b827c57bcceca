//! ops' unit-state store, held in Rust: StoredState snapshots and the deferred-event queue.
//!
//! ops' `Framework` calls nine methods on its store (duck-typed); this class answers them.
//! Snapshots are converted on save and load, which gives SQLiteStorage's copy semantics: what
//! the charm mutates after a save never reaches the store. Seeding from the input State and
//! reading back into the output State need no Python at all.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::convert;
use super::interpreter::Shim;
use crate::event::{complete_relation_snapshot, complete_workload_snapshot};
use crate::state::{DeferredEvent, State, StoredDict, StoredState, StoredValue};

/// `(event_path, observer_path, method_name)`, as ops' storage yields notices.
type Notice = (String, String, String);

/// The store of one run.
#[pyclass(module = "ops_scenario")]
#[derive(Default)]
pub(crate) struct RunStore {
    snapshots: Vec<(String, StoredDict)>,
    notices: Vec<Notice>,
}

impl RunStore {
    /// A store holding the State's stored states and deferred events, with the framework's
    /// event counter at least as high as every deferred event's id (so a new event cannot take
    /// a deferred one's handle path). Deferred relation, Pebble and secret events built by
    /// `Event::deferred` get their snapshots completed from the State, as ops would have written them.
    pub fn seeded(state: &State, app_name: &str) -> Self {
        let mut store = RunStore {
            snapshots: Vec::with_capacity(state.stored_states.len() + state.deferred.len() + 1),
            notices: Vec::with_capacity(state.deferred.len()),
        };
        for stored in &state.stored_states {
            store.save(stored.handle_path(), stored.content.clone());
        }
        for deferred in &state.deferred {
            let snapshot = complete_relation_snapshot(deferred, state, app_name)
                .or_else(|| complete_workload_snapshot(deferred, state))
                .or_else(|| deferred.completed_secret_snapshot(state))
                .unwrap_or_else(|| deferred.snapshot_data.clone());
            store.save(deferred.handle_path.clone(), snapshot);
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

    fn save(&mut self, handle: String, data: StoredDict) {
        match self.snapshots.iter_mut().find(|(k, _)| *k == handle) {
            Some((_, existing)) => *existing = data,
            None => self.snapshots.push((handle, data)),
        }
    }

    /// Move the stored states and the deferred queue into `state`.
    pub fn read_back(self, state: &mut State) {
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

#[pymethods]
impl RunStore {
    fn save_snapshot(
        &mut self,
        handle_path: String,
        snapshot_data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let data = convert::dict_from_py(snapshot_data)?;
        self.save(handle_path, data);
        Ok(())
    }

    fn load_snapshot<'py>(
        &self,
        py: Python<'py>,
        handle_path: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        match self.snapshots.iter().find(|(k, _)| k == handle_path) {
            Some((_, data)) => convert::dict_to_py(py, data),
            None => Err(Shim::get(py)?.no_snapshot_error(py, handle_path)),
        }
    }

    fn drop_snapshot(&mut self, handle_path: &str) {
        self.snapshots.retain(|(k, _)| k != handle_path);
    }

    fn list_snapshots(&self) -> Vec<String> {
        self.snapshots.iter().map(|(k, _)| k.clone()).collect()
    }

    fn save_notice(&mut self, event_path: String, observer_path: String, method_name: String) {
        self.notices.push((event_path, observer_path, method_name));
    }

    fn drop_notice(&mut self, event_path: &str, observer_path: &str, method_name: &str) {
        self.notices
            .retain(|(e, o, m)| !(e == event_path && o == observer_path && m == method_name));
    }

    #[pyo3(signature = (event_path=None))]
    fn notices<'py>(
        &self,
        py: Python<'py>,
        event_path: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let matching = self
            .notices
            .iter()
            .filter(|(e, _, _)| event_path.is_none_or(|p| p == e))
            .map(|(e, o, m)| PyTuple::new(py, [e, o, m]))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, matching)
    }

    /// Nothing to do: the runtime reads the store back only after a run that committed, and
    /// drops it otherwise, which is SQLite's rollback.
    fn commit(&self) {}

    fn close(&self) {}
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
        let store = RunStore::seeded(&state, "demo");
        let mut out = State::default();
        store.read_back(&mut out);
        assert_eq!(out.event_count(), Some(7));
        assert_eq!(out.deferred, state.deferred);
    }
}
