//! The Rust object behind the shim's `Backend`: converts each hook tool's Python arguments,
//! calls the rule in [`HookTools`], and maps a refusal to the ops exception.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::convert;
use super::interpreter::Shim;
use crate::hook_tools::{HookToolError, HookTools};

/// The hook tools of one run, as a Python object.
#[pyclass(module = "ops_scenario")]
pub(crate) struct RunBackend {
    tools: Option<HookTools>,
}

impl RunBackend {
    pub fn new(tools: HookTools) -> Self {
        RunBackend { tools: Some(tools) }
    }

    /// Take the run's State and records back once the dispatch is over.
    pub fn take(&mut self) -> Option<HookTools> {
        self.tools.take()
    }

    fn tools(&self) -> PyResult<&HookTools> {
        self.tools.as_ref().ok_or_else(finished)
    }

    fn tools_mut(&mut self) -> PyResult<&mut HookTools> {
        self.tools.as_mut().ok_or_else(finished)
    }
}

fn finished() -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err("this run of the charm is over")
}

/// A refusal as the charm sees it: `ops.ModelError` with Juju's error text.
fn model_error(py: Python<'_>, err: &HookToolError) -> PyErr {
    match Shim::get(py) {
        Ok(shim) => PyErr::from_type(shim.model_error.bind(py).clone(), err.to_string()),
        Err(e) => e,
    }
}

fn not_supported(py: Python<'_>, tool: &'static str) -> PyErr {
    model_error(py, &HookToolError::NotSupported { tool })
}

#[pymethods]
impl RunBackend {
    fn is_leader(&self) -> PyResult<bool> {
        Ok(self.tools()?.is_leader())
    }

    fn config_get<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (name, value) in self.tools()?.config_get() {
            dict.set_item(name, convert::config_to_py(py, value)?)?;
        }
        Ok(dict)
    }

    fn status_get<'py>(&self, py: Python<'py>, is_app: bool) -> PyResult<Bound<'py, PyDict>> {
        let status = self
            .tools()?
            .status_get(is_app)
            .map_err(|e| model_error(py, &e))?;
        let dict = PyDict::new(py);
        dict.set_item("status", status.name())?;
        dict.set_item("message", status.message())?;
        Ok(dict)
    }

    fn status_set(
        &mut self,
        py: Python<'_>,
        status: &str,
        message: &str,
        is_app: bool,
    ) -> PyResult<()> {
        self.tools_mut()?
            .status_set(status, message, is_app)
            .map_err(|e| model_error(py, &e))
    }

    fn application_version_set(&mut self, version: &str) -> PyResult<()> {
        self.tools_mut()?.application_version_set(version);
        Ok(())
    }

    fn juju_log(&mut self, level: &str, message: &str) -> PyResult<()> {
        self.tools_mut()?.juju_log(level, message);
        Ok(())
    }

    fn planned_units(&self) -> PyResult<u32> {
        Ok(self.tools()?.planned_units())
    }

    fn record_event(&mut self, name: &str, event_type: &str, deferred: bool) -> PyResult<()> {
        self.tools_mut()?.record_event(name, event_type, deferred);
        Ok(())
    }

    // ---- Not simulated yet: each raises ModelError naming the tool. ------------------------

    fn relation_ids(&self, py: Python<'_>, _relation_name: &str) -> PyResult<Vec<i64>> {
        Err(not_supported(py, "relation-ids"))
    }

    fn relation_list(
        &self,
        py: Python<'_>,
        _relation_id: i64,
        _relation_name: Option<&str>,
    ) -> PyResult<Vec<String>> {
        Err(not_supported(py, "relation-list"))
    }

    fn relation_remote_app_name(
        &self,
        py: Python<'_>,
        _relation_id: i64,
        _relation_name: Option<&str>,
    ) -> PyResult<Option<String>> {
        Err(not_supported(py, "relation-list"))
    }

    fn relation_get(
        &self,
        py: Python<'_>,
        _relation_id: i64,
        _member_name: &str,
        _is_app: bool,
        _relation_name: Option<&str>,
    ) -> PyResult<()> {
        Err(not_supported(py, "relation-get"))
    }

    fn relation_set(
        &self,
        py: Python<'_>,
        _relation_id: i64,
        _data: &Bound<'_, PyAny>,
        _is_app: bool,
        _relation_name: Option<&str>,
    ) -> PyResult<()> {
        Err(not_supported(py, "relation-set"))
    }

    fn relation_model_get(
        &self,
        py: Python<'_>,
        _relation_id: i64,
        _relation_name: Option<&str>,
    ) -> PyResult<()> {
        Err(not_supported(py, "relation-model-get"))
    }

    fn resource_get(&self, py: Python<'_>, _resource_name: &str) -> PyResult<String> {
        Err(not_supported(py, "resource-get"))
    }

    fn pod_spec_set(
        &self,
        py: Python<'_>,
        _spec: &Bound<'_, PyAny>,
        _k8s_resources: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        Err(not_supported(py, "pod-spec-set"))
    }

    fn storage_list(&self, py: Python<'_>, _name: &str) -> PyResult<Vec<i64>> {
        Err(not_supported(py, "storage-list"))
    }

    fn storage_get(
        &self,
        py: Python<'_>,
        _storage_name_id: &str,
        _attribute: &str,
    ) -> PyResult<String> {
        Err(not_supported(py, "storage-get"))
    }

    fn storage_add(&self, py: Python<'_>, _name: &str, _count: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(not_supported(py, "storage-add"))
    }

    fn storage_event_details(&self, py: Python<'_>) -> PyResult<()> {
        Err(not_supported(py, "storage-get"))
    }

    fn action_get(&self, py: Python<'_>) -> PyResult<()> {
        Err(not_supported(py, "action-get"))
    }

    fn action_set(&self, py: Python<'_>, _results: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(not_supported(py, "action-set"))
    }

    fn action_log(&self, py: Python<'_>, _message: &str) -> PyResult<()> {
        Err(not_supported(py, "action-log"))
    }

    fn action_fail(&self, py: Python<'_>, _message: &str) -> PyResult<()> {
        Err(not_supported(py, "action-fail"))
    }

    fn network_get(
        &self,
        py: Python<'_>,
        _binding_name: &str,
        _relation_id: Option<i64>,
    ) -> PyResult<()> {
        Err(not_supported(py, "network-get"))
    }

    fn add_metrics(
        &self,
        py: Python<'_>,
        _metrics: &Bound<'_, PyAny>,
        _labels: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        Err(not_supported(py, "add-metric"))
    }

    fn secret_get(
        &self,
        py: Python<'_>,
        _id: Option<&str>,
        _label: Option<&str>,
        _refresh: bool,
        _peek: bool,
    ) -> PyResult<()> {
        Err(not_supported(py, "secret-get"))
    }

    fn secret_info_get(
        &self,
        py: Python<'_>,
        _id: Option<&str>,
        _label: Option<&str>,
    ) -> PyResult<()> {
        Err(not_supported(py, "secret-info-get"))
    }

    #[allow(clippy::too_many_arguments)]
    fn secret_set(
        &self,
        py: Python<'_>,
        _id: &str,
        _content: &Bound<'_, PyAny>,
        _label: &Bound<'_, PyAny>,
        _description: &Bound<'_, PyAny>,
        _expire: &Bound<'_, PyAny>,
        _rotate: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        Err(not_supported(py, "secret-set"))
    }

    #[allow(clippy::too_many_arguments)]
    fn secret_add(
        &self,
        py: Python<'_>,
        _content: &Bound<'_, PyAny>,
        _label: &Bound<'_, PyAny>,
        _description: &Bound<'_, PyAny>,
        _expire: &Bound<'_, PyAny>,
        _rotate: &Bound<'_, PyAny>,
        _owner: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        Err(not_supported(py, "secret-add"))
    }

    fn secret_grant(
        &self,
        py: Python<'_>,
        _id: &str,
        _relation_id: i64,
        _unit: Option<&str>,
    ) -> PyResult<()> {
        Err(not_supported(py, "secret-grant"))
    }

    fn secret_revoke(
        &self,
        py: Python<'_>,
        _id: &str,
        _relation_id: i64,
        _unit: Option<&str>,
    ) -> PyResult<()> {
        Err(not_supported(py, "secret-revoke"))
    }

    fn secret_remove(&self, py: Python<'_>, _id: &str, _revision: Option<i64>) -> PyResult<()> {
        Err(not_supported(py, "secret-remove"))
    }

    fn open_port(&self, py: Python<'_>, _protocol: &str, _port: Option<i64>) -> PyResult<()> {
        Err(not_supported(py, "open-port"))
    }

    fn close_port(&self, py: Python<'_>, _protocol: &str, _port: Option<i64>) -> PyResult<()> {
        Err(not_supported(py, "close-port"))
    }

    fn opened_ports(&self, py: Python<'_>) -> PyResult<()> {
        Err(not_supported(py, "opened-ports"))
    }

    fn reboot(&self, py: Python<'_>, _now: bool) -> PyResult<()> {
        Err(not_supported(py, "juju-reboot"))
    }

    fn credential_get(&self, py: Python<'_>) -> PyResult<()> {
        Err(not_supported(py, "credential-get"))
    }

    /// Every Pebble client call: Pebble is not simulated yet, so the container's Pebble is
    /// unreachable (`Container.can_connect()` is False, other calls raise ConnectionError).
    fn pebble_call(
        &self,
        py: Python<'_>,
        container: &str,
        method: &str,
        _args: &Bound<'_, PyTuple>,
        _kwargs: &Bound<'_, PyDict>,
    ) -> PyResult<()> {
        let shim = Shim::get(py)?;
        Err(PyErr::from_type(
            shim.pebble_connection_error.bind(py).clone(),
            format!(
                "cannot reach Pebble in container {container:?} ({method}): Pebble is not supported yet by ops-scenario {}",
                env!("CARGO_PKG_VERSION")
            ),
        ))
    }
}
