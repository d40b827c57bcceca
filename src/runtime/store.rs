//! ops' unit-state store as ops' `Framework` sees it: the nine methods it calls on its store
//! (duck-typed), answered by the run's [`UnitStore`]. Snapshots are converted on save and
//! load, which gives SQLiteStorage's copy semantics: what the charm mutates after a save never
//! reaches the store.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::convert;
use super::interpreter::Shim;
use crate::state::UnitStore;

/// The store of one run.
#[pyclass(module = "ops_scenario")]
pub(crate) struct RunStore {
    pub store: UnitStore,
}

#[pymethods]
impl RunStore {
    fn save_snapshot(
        &mut self,
        handle_path: String,
        snapshot_data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let data = convert::dict_from_py(snapshot_data)?;
        self.store.save(handle_path, data);
        Ok(())
    }

    fn load_snapshot<'py>(
        &self,
        py: Python<'py>,
        handle_path: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        match self.store.load(handle_path) {
            Some(data) => convert::dict_to_py(py, data),
            None => Err(Shim::get(py)?.no_snapshot_error(py, handle_path)),
        }
    }

    fn drop_snapshot(&mut self, handle_path: &str) {
        self.store.drop_snapshot(handle_path);
    }

    fn list_snapshots(&self) -> Vec<String> {
        self.store.snapshot_handles().map(str::to_owned).collect()
    }

    fn save_notice(&mut self, event_path: String, observer_path: String, method_name: String) {
        self.store
            .save_notice((event_path, observer_path, method_name));
    }

    fn drop_notice(&mut self, event_path: &str, observer_path: &str, method_name: &str) {
        self.store
            .drop_notice(event_path, observer_path, method_name);
    }

    #[pyo3(signature = (event_path=None))]
    fn notices<'py>(
        &self,
        py: Python<'py>,
        event_path: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let matching = self
            .store
            .notices(event_path)
            .map(|(e, o, m)| PyTuple::new(py, [e, o, m]))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, matching)
    }

    /// Nothing to do: the runtime reads the store back only after a run that committed, and
    /// drops it otherwise, which is SQLite's rollback.
    fn commit(&self) {}

    fn close(&self) {}
}
