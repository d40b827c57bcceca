//! A run's record of what the charm asked the model, for
//! [`Context::record_reads`](crate::Context::record_reads): the backend counts each hook tool
//! as it answers it, and hands ops the shim's `RecordingDict` (a dict that notes the keys
//! looked up in it) for remote databags and the config; the Pebble client notes the paths
//! pulled. A run that does not record has no
//! recorder, and the backend's only extra work is the test for one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PySet};

use super::interpreter::Shim;
use crate::output::Reads;

/// What one run has recorded so far.
pub(crate) struct ReadsRecorder {
    /// Hook tool (Juju's name) to the number of calls.
    hook_tools: Mutex<BTreeMap<&'static str, u32>>,
    /// Endpoint to the Python set its remote bags' `RecordingDict`s note keys in.
    relation_keys: Py<PyDict>,
    /// The set the config's `RecordingDict` notes keys in.
    config_keys: Py<PySet>,
    /// Container to the paths pulled from its Pebble.
    pulled_files: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl ReadsRecorder {
    pub(crate) fn new(py: Python<'_>) -> PyResult<Self> {
        Ok(ReadsRecorder {
            hook_tools: Mutex::new(BTreeMap::new()),
            relation_keys: PyDict::new(py).unbind(),
            config_keys: PySet::empty(py)?.unbind(),
            pulled_files: Mutex::new(BTreeMap::new()),
        })
    }

    /// A pull of `path` from `container`'s Pebble.
    #[cold]
    #[inline(never)]
    pub(crate) fn pulled(&self, container: &str, path: &str) {
        self.pulled_files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(container.to_owned())
            .or_default()
            .insert(path.to_owned());
    }

    /// One call of `tool`.
    #[cold]
    #[inline(never)]
    pub(crate) fn count(&self, tool: &'static str) {
        let mut counts = self
            .hook_tools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *counts.entry(tool).or_insert(0) += 1;
    }

    /// `data` (a remote databag of a relation on `endpoint`) as a `RecordingDict` noting the
    /// keys looked up in it.
    pub(crate) fn relation_bag<'py>(
        &self,
        py: Python<'py>,
        endpoint: &str,
        data: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let sets = self.relation_keys.bind(py);
        let looked_up = match sets.get_item(endpoint)? {
            Some(set) => set,
            None => {
                let set = PySet::empty(py)?.into_any();
                sets.set_item(endpoint, &set)?;
                set
            }
        };
        recording(py, data, &looked_up)
    }

    /// `data` (config-get's answer) as a `RecordingDict` noting the keys looked up in it.
    pub(crate) fn config<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyDict>> {
        recording(py, data, self.config_keys.bind(py).as_any())
    }

    /// What was recorded until now.
    pub(crate) fn reads(&self, py: Python<'_>) -> PyResult<Reads> {
        let hook_tools = self
            .hook_tools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .map(|(tool, n)| ((*tool).to_owned(), *n))
            .collect();
        // An endpoint whose remote bags were loaded but never looked up in has no keys.
        let mut relation_keys: BTreeMap<String, BTreeSet<String>> =
            self.relation_keys.bind(py).extract()?;
        relation_keys.retain(|_, keys| !keys.is_empty());
        let config_keys: BTreeSet<String> = self.config_keys.bind(py).extract()?;
        let pulled_files = self
            .pulled_files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        Ok(Reads {
            hook_tools,
            relation_keys,
            config_keys,
            pulled_files,
        })
    }
}

/// A `RecordingDict` with `data`'s items, noting keys in `looked_up`.
fn recording<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyDict>,
    looked_up: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let shim = Shim::get(py)?;
    let dict = shim.recording_dict.bind(py).call1((data,))?;
    dict.setattr(intern!(py, "looked_up"), looked_up)?;
    Ok(dict.cast_into::<PyDict>()?)
}
