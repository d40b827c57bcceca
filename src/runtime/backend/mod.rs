//! The Rust object behind the shim's `Backend`: converts each hook tool's Python arguments,
//! calls the rule in [`HookTools`], and maps a refusal to the ops exception.

mod python_args;
mod refusals;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict};

use super::convert;
use super::reads::ReadsRecorder;
use crate::hook_tools::{HookToolError, HookTools};
use crate::output::Reads;
use crate::state::{SecretContent, SecretOwner};
use python_args::{boolean, relation_id_of, secret_meta};
use refusals::{finished, hook_error, secret_error};

/// The hook tools of one run, as a Python object.
#[pyclass(module = "ops_scenario")]
pub(crate) struct RunBackend {
    tools: Option<HookTools>,
    /// What the run records of the charm's questions, when its Context asks for that.
    reads: Option<ReadsRecorder>,
}

impl RunBackend {
    pub fn new(tools: HookTools, reads: Option<ReadsRecorder>) -> Self {
        RunBackend {
            tools: Some(tools),
            reads,
        }
    }

    /// What the run recorded of the charm's questions so far, if it records them.
    pub(crate) fn reads(&self, py: Python<'_>) -> PyResult<Option<Reads>> {
        self.reads.as_ref().map(|r| r.reads(py)).transpose()
    }

    /// Count a call of `tool`, if the run records reads (otherwise a test and nothing more).
    #[inline(always)]
    fn note(&self, tool: &'static str) {
        if let Some(reads) = &self.reads {
            reads.count(tool);
        }
    }

    /// Take the run's State and records back once the dispatch is over.
    pub fn take(&mut self) -> Option<HookTools> {
        self.tools.take()
    }

    /// The run's State as the hook tools have changed it so far.
    pub(crate) fn state_now(&self) -> Option<&crate::state::State> {
        self.tools.as_ref().map(|tools| &tools.state)
    }

    fn tools(&self) -> PyResult<&HookTools> {
        self.tools.as_ref().ok_or_else(finished)
    }

    /// Note a pull from a container's Pebble, if the run records reads.
    pub(crate) fn pulled(&self, container: &str, path: &str) {
        if let Some(reads) = &self.reads {
            reads.pulled(container, path);
        }
    }

    pub(crate) fn tools_mut(&mut self) -> PyResult<&mut HookTools> {
        self.tools.as_mut().ok_or_else(finished)
    }
}

#[pymethods]
impl RunBackend {
    fn is_leader(&self) -> PyResult<bool> {
        self.note("is-leader");
        Ok(self.tools()?.is_leader())
    }

    fn config_get<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.note("config-get");
        let dict = PyDict::new(py);
        for (name, value) in self.tools()?.config_get() {
            dict.set_item(name, convert::config_to_py(py, value)?)?;
        }
        match &self.reads {
            Some(reads) => reads.config(py, &dict),
            None => Ok(dict),
        }
    }

    fn status_get<'py>(&self, py: Python<'py>, is_app: bool) -> PyResult<Bound<'py, PyDict>> {
        self.note("status-get");
        let status = self
            .tools()?
            .status_get(is_app)
            .map_err(|e| hook_error(py, &e))?;
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
        self.note("status-set");
        self.tools_mut()?
            .status_set(status, message, is_app)
            .map_err(|e| hook_error(py, &e))
    }

    fn application_version_set(&mut self, version: &str) -> PyResult<()> {
        self.note("application-version-set");
        self.tools_mut()?.application_version_set(version);
        Ok(())
    }

    fn juju_log(&mut self, level: &str, message: &str) -> PyResult<()> {
        self.note("juju-log");
        self.tools_mut()?.juju_log(level, message);
        Ok(())
    }

    fn planned_units(&self) -> PyResult<u32> {
        self.note("goal-state");
        Ok(self.tools()?.planned_units())
    }

    fn record_event(
        &mut self,
        name: &str,
        event_type: &str,
        deferred: bool,
        bases: Vec<String>,
    ) -> PyResult<()> {
        self.tools_mut()?
            .record_event(name, event_type, deferred, bases);
        Ok(())
    }

    // ---- Relations and networks. -----------------------------------------------------------

    fn relation_ids(&self, relation_name: &str) -> PyResult<Vec<u32>> {
        self.note("relation-ids");
        Ok(self.tools()?.relation_ids(relation_name))
    }

    fn relation_list(
        &self,
        py: Python<'_>,
        relation_id: i64,
        relation_name: Option<&str>,
    ) -> PyResult<Vec<String>> {
        self.note("relation-list");
        let tools = self.tools()?;
        relation_id_of(relation_id, relation_name)
            .and_then(|id| tools.relation_list(id, relation_name))
            .map_err(|e| hook_error(py, &e))
    }

    fn relation_remote_app_name(
        &self,
        relation_id: i64,
        relation_name: Option<&str>,
    ) -> PyResult<Option<String>> {
        self.note("relation-list");
        let tools = self.tools()?;
        Ok(relation_id_of(relation_id, relation_name)
            .ok()
            .and_then(|id| tools.relation_remote_app_name(id, relation_name))
            .map(str::to_owned))
    }

    fn relation_get<'py>(
        &self,
        py: Python<'py>,
        relation_id: i64,
        member_name: &str,
        is_app: &Bound<'py, PyAny>,
        relation_name: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.note("relation-get");
        let is_app = boolean(is_app, "relation_get")?;
        let tools = self.tools()?;
        let id = relation_id_of(relation_id, relation_name).map_err(|e| hook_error(py, &e))?;
        let bag = tools
            .relation_get(id, member_name, is_app, relation_name)
            .map_err(|e| hook_error(py, &e))?;
        let dict = super::databags::dict_for(py, bag)?;
        if let Some(reads) = &self.reads {
            if let Some(endpoint) =
                tools.remote_bag_endpoint(id, member_name, is_app, relation_name)
            {
                return reads.relation_bag(py, endpoint, &dict);
            }
        }
        Ok(dict)
    }

    fn relation_set(
        &mut self,
        py: Python<'_>,
        relation_id: i64,
        data: &Bound<'_, PyAny>,
        is_app: &Bound<'_, PyAny>,
        relation_name: Option<&str>,
    ) -> PyResult<()> {
        self.note("relation-set");
        let is_app = boolean(is_app, "relation_set")?;
        let pairs: Vec<(String, String)> = match data.cast::<PyDict>() {
            Ok(dict) => dict
                .iter()
                .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
                .collect::<PyResult<_>>()?,
            Err(_) => data
                .call_method0("items")?
                .try_iter()?
                .map(|item| item?.extract::<(String, String)>())
                .collect::<PyResult<_>>()?,
        };
        let tools = self.tools_mut()?;
        relation_id_of(relation_id, relation_name)
            .and_then(|id| tools.relation_set(id, pairs, is_app, relation_name))
            .map_err(|e| hook_error(py, &e))
    }

    fn relation_model_get<'py>(
        &self,
        py: Python<'py>,
        relation_id: i64,
        relation_name: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.note("relation-model-get");
        let tools = self.tools()?;
        let uuid = relation_id_of(relation_id, relation_name)
            .and_then(|id| tools.relation_model_get(id, relation_name))
            .map_err(|e| hook_error(py, &e))?;
        let dict = PyDict::new(py);
        dict.set_item("uuid", uuid)?;
        Ok(dict)
    }

    fn network_get<'py>(
        &self,
        py: Python<'py>,
        binding_name: &str,
        relation_id: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.note("network-get");
        let tools = self.tools()?;
        let network = match relation_id {
            Some(id) => {
                relation_id_of(id, None).and_then(|id| tools.network_get(binding_name, Some(id)))
            }
            None => tools.network_get(binding_name, None),
        }
        .map_err(|e| hook_error(py, &e))?;
        convert::network_to_py(py, &network)
    }

    // ---- Resources, pod specs, storage, actions, metrics, secrets, ports, reboot, cloud. -----

    fn resource_get(&self, py: Python<'_>, resource_name: &str) -> PyResult<String> {
        self.note("resource-get");
        self.tools()?
            .resource_get(resource_name)
            .map_err(|e| hook_error(py, &e))
    }

    fn pod_spec_set(
        &mut self,
        py: Python<'_>,
        spec: &Bound<'_, PyAny>,
        k8s_resources: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.note("pod-spec-set");
        let spec = convert::py_to_json(spec)?;
        let resources = convert::py_to_json(k8s_resources)?;
        let tools = self.tools_mut()?;
        tools.pod_spec_set().map_err(|e| hook_error(py, &e))?;
        tools.output.pod_spec = Some(serde_json::json!({"spec": spec, "k8s_resources": resources}));
        Ok(())
    }

    fn storage_list(&self, name: &str) -> PyResult<Vec<u32>> {
        self.note("storage-list");
        Ok(self.tools()?.storage_list(name))
    }

    fn storage_get(
        &self,
        py: Python<'_>,
        storage_name_id: &str,
        attribute: &str,
    ) -> PyResult<String> {
        self.note("storage-get");
        self.tools()?
            .storage_get_here(storage_name_id, attribute)
            .map_err(|e| hook_error(py, &e))
    }

    fn storage_add(
        &mut self,
        py: Python<'_>,
        name: &str,
        count: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.note("storage-add");
        // ops' own check of the count, which an override must redo.
        if count.cast::<PyBool>().is_ok() || !count.is_instance_of::<pyo3::types::PyInt>() {
            return Err(PyTypeError::new_err(format!(
                "storage count must be integer, got: {} ({})",
                count.repr()?,
                count.get_type().name()?
            )));
        }
        let count: i64 = count.extract()?;
        let count = u32::try_from(count).map_err(|_| {
            hook_error(
                py,
                &HookToolError::Refused(format!("invalid storage count {count}")),
            )
        })?;
        self.tools_mut()?
            .storage_add(name, count)
            .map_err(|e| hook_error(py, &e))
    }

    fn storage_event_details(&self, py: Python<'_>) -> PyResult<(u32, String)> {
        self.note("storage-get");
        self.tools()?
            .storage_event_details_here()
            .map_err(|e| hook_error(py, &e))
    }

    fn action_get<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.note("action-get");
        let tools = self.tools()?;
        let params = tools
            .action_get(tools.scope.action.as_ref())
            .map_err(|e| hook_error(py, &e))?;
        convert::json_to_py(py, &serde_json::Value::Object(params))
    }

    fn action_set(&mut self, py: Python<'_>, results: &Bound<'_, PyAny>) -> PyResult<()> {
        self.note("action-set");
        let results = convert::py_to_json(results)?;
        let tools = self.tools_mut()?;
        let action = tools.scope.action.clone();
        tools
            .action_set(action.as_ref(), &results)
            .map_err(|e| hook_error(py, &e))
    }

    fn action_log(&mut self, py: Python<'_>, message: &str) -> PyResult<()> {
        self.note("action-log");
        let tools = self.tools_mut()?;
        let action = tools.scope.action.clone();
        tools
            .action_log(action.as_ref(), message)
            .map_err(|e| hook_error(py, &e))
    }

    fn action_fail(&mut self, py: Python<'_>, message: &str) -> PyResult<()> {
        self.note("action-fail");
        let tools = self.tools_mut()?;
        let action = tools.scope.action.clone();
        tools
            .action_fail(action.as_ref(), message)
            .map_err(|e| hook_error(py, &e))
    }

    /// `add-metric`: `metrics` with the values ops formatted, and labels.
    fn add_metrics(
        &mut self,
        py: Python<'_>,
        metrics: Vec<(String, String)>,
        labels: std::collections::BTreeMap<String, String>,
    ) -> PyResult<()> {
        self.note("add-metric");
        let tools = self.tools_mut()?;
        let in_collect_metrics = tools.scope.collect_metrics;
        tools
            .add_metrics(in_collect_metrics, &metrics)
            .map_err(|e| hook_error(py, &e))?;
        tools
            .output
            .added_metrics
            .push(crate::output::AddedMetrics {
                metrics: metrics.into_iter().collect(),
                labels,
            });
        Ok(())
    }

    fn secret_get<'py>(
        &mut self,
        py: Python<'py>,
        id: Option<&str>,
        label: Option<&str>,
        refresh: bool,
        peek: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.note("secret-get");
        let content = self
            .tools_mut()?
            .secret_get(id, label, refresh, peek)
            .map_err(|e| secret_error(py, &e))?;
        let dict = PyDict::new(py);
        for (key, value) in content {
            dict.set_item(key, value)?;
        }
        Ok(dict)
    }

    /// The fields of `ops.SecretInfo`, for the shim to build one.
    fn secret_info_get<'py>(
        &self,
        py: Python<'py>,
        id: Option<&str>,
        label: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.note("secret-info-get");
        if id.is_none() && label.is_none() {
            return Err(PyTypeError::new_err(
                "either `id` or `label` must be provided",
            ));
        }
        let info = self
            .tools()?
            .secret_info_get(id, label)
            .map_err(|e| secret_error(py, &e))?;
        let dict = PyDict::new(py);
        dict.set_item("id", info.id)?;
        dict.set_item("label", info.label)?;
        dict.set_item("revision", info.revision)?;
        dict.set_item("expires", info.expires)?;
        dict.set_item("rotation", info.rotation.map(|r| r.as_str()))?;
        dict.set_item("rotates", info.rotates)?;
        dict.set_item("description", info.description)?;
        Ok(dict)
    }

    /// `secret-set`; `read_first` when ops reads the secret before setting it on this Juju
    /// (ops 3.4 and later, on Juju before 3.6).
    #[allow(clippy::too_many_arguments)]
    fn secret_set(
        &mut self,
        py: Python<'_>,
        id: &str,
        content: Option<SecretContent>,
        label: Option<String>,
        description: Option<String>,
        expire: &Bound<'_, PyAny>,
        rotate: &Bound<'_, PyAny>,
        read_first: bool,
    ) -> PyResult<()> {
        self.note("secret-set");
        let meta = secret_meta(py, label, description, expire, rotate)?;
        let tools = self.tools_mut()?;
        if read_first && tools.scope.juju < crate::options::JujuVersion(3, 6, 0) {
            tools.secret_set_reading_first(id, content, meta)
        } else {
            tools.secret_set(id, content, meta)
        }
        .map_err(|e| secret_error(py, &e))
    }

    #[allow(clippy::too_many_arguments)]
    fn secret_add(
        &mut self,
        py: Python<'_>,
        content: SecretContent,
        label: Option<String>,
        description: Option<String>,
        expire: &Bound<'_, PyAny>,
        rotate: &Bound<'_, PyAny>,
        owner: Option<&str>,
    ) -> PyResult<String> {
        self.note("secret-add");
        let meta = secret_meta(py, label, description, expire, rotate)?;
        let owner = SecretOwner::from_ops(owner).map_err(|e| secret_error(py, &e))?;
        self.tools_mut()?
            .secret_add(content, meta, owner)
            .map_err(|e| secret_error(py, &e))
    }

    fn secret_grant(
        &mut self,
        py: Python<'_>,
        id: &str,
        relation_id: i64,
        unit: Option<&str>,
    ) -> PyResult<()> {
        self.note("secret-grant");
        let tools = self.tools_mut()?;
        relation_id_of(relation_id, None)
            .and_then(|rid| tools.secret_grant(id, rid, unit))
            .map_err(|e| secret_error(py, &e))
    }

    fn secret_revoke(
        &mut self,
        py: Python<'_>,
        id: &str,
        relation_id: i64,
        unit: Option<&str>,
    ) -> PyResult<()> {
        self.note("secret-revoke");
        let tools = self.tools_mut()?;
        relation_id_of(relation_id, None)
            .and_then(|rid| tools.secret_revoke(id, rid, unit))
            .map_err(|e| secret_error(py, &e))
    }

    fn secret_remove(&mut self, py: Python<'_>, id: &str, revision: Option<i64>) -> PyResult<()> {
        self.note("secret-remove");
        let revision = revision
            .map(|r| {
                u32::try_from(r).map_err(|_| {
                    secret_error(
                        py,
                        &HookToolError::Refused(format!("revision {r} not valid")),
                    )
                })
            })
            .transpose()?;
        self.tools_mut()?
            .secret_remove(id, revision)
            .map_err(|e| secret_error(py, &e))
    }

    /// `secret-ids` (ops 3 offers it as `ops.hookcmds.secret_ids()` only).
    fn secret_ids(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.note("secret-ids");
        self.tools()?.secret_ids().map_err(|e| secret_error(py, &e))
    }

    fn open_port(&mut self, py: Python<'_>, protocol: &str, port: Option<i64>) -> PyResult<()> {
        self.note("open-port");
        self.tools_mut()?
            .open_port(protocol, port)
            .map_err(|e| hook_error(py, &e))
    }

    fn close_port(&mut self, py: Python<'_>, protocol: &str, port: Option<i64>) -> PyResult<()> {
        self.note("close-port");
        self.tools_mut()?
            .close_port(protocol, port)
            .map_err(|e| hook_error(py, &e))
    }

    /// `(protocol, port)` pairs; the shim makes `ops.Port`s of them.
    fn opened_ports(&self) -> PyResult<Vec<(&'static str, Option<u16>)>> {
        self.note("opened-ports");
        Ok(self
            .tools()?
            .opened_ports()
            .into_iter()
            .map(|p| (p.protocol.as_str(), p.port))
            .collect())
    }

    /// `juju-reboot [--now]`, recorded. With `now` the hook ends here (`SystemExit`, exit code
    /// 0), as under ops: Juju kills the hook's process, so no code after it runs.
    fn reboot(&mut self, py: Python<'_>, now: bool) -> PyResult<()> {
        self.note("juju-reboot");
        self.tools_mut()?
            .reboot(now)
            .map_err(|e| hook_error(py, &e))?;
        if now {
            return Err(pyo3::exceptions::PySystemExit::new_err(()));
        }
        Ok(())
    }

    /// `credential-get`, as the dict `ops.CloudSpec.from_dict` reads.
    fn credential_get<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.note("credential-get");
        let tools = self.tools()?;
        let spec = tools
            .credential_get(tools.scope.app_trusted)
            .map_err(|e| hook_error(py, &e))?;
        convert::json_to_py(py, &convert::cloud_spec_to_api(spec))
    }

    /// The Pebble of the container `name`, for the shim's `Client`.
    fn pebble_for(slf: &Bound<'_, Self>, name: String) -> super::pebble::RunPebble {
        super::pebble::RunPebble::new(slf.clone().unbind(), name)
    }
}
