//! The way into a container's Pebble for the run: the container must be in the State and
//! reachable (else `pebble.ConnectionError`, as for a real Pebble that is not up), its
//! filesystem is built on first use, and what the run changed is written back at the end.
//! The Pebble rules themselves are in `crate::pebble`.

use std::collections::BTreeMap;

use super::HookTools;
use crate::output::ExecArgs;
use crate::pebble::{ChangeId, Filesystem, PebbleError};
use crate::state::Container;

/// What one container's Pebble holds during a run beyond the State: its filesystem (made
/// when the charm first touches a file) and its change counter.
#[derive(Debug, Default)]
pub(crate) struct Workload {
    fs: Option<Filesystem>,
    changes: u32,
}

/// Workloads by container name.
pub(crate) type Workloads = BTreeMap<String, Workload>;

/// The Pebble version every container reports (`GET /v1/system-info`): the 1.19 series Juju
/// 3.6 builds in (its go.mod requires `github.com/canonical/pebble v1.19.x`), whose API has
/// every call the simulated Pebble answers. ops reads it only to tell whether Pebble answers
/// (`Container.can_connect`); ops.testing's mock reports `1.0.0`.
pub(crate) const PEBBLE_VERSION: &str = "1.19.0";

impl HookTools {
    /// `GET /v1/system-info`: the version of the container's Pebble.
    pub fn pebble_system_info(&mut self, name: &str) -> Result<&'static str, PebbleError> {
        self.pebble_container(name).map(|_| PEBBLE_VERSION)
    }

    /// The container, if the charm can reach its Pebble.
    pub fn pebble_container(&mut self, name: &str) -> Result<&mut Container, PebbleError> {
        let container = self
            .state
            .containers
            .iter_mut()
            .find(|c| c.name == name)
            .ok_or_else(|| {
                PebbleError::Connection(format!(
                    "Cannot connect to Pebble: container {name:?} is not in the State \
                     (add Container::new({name:?}).can_connect(true) to State.containers)"
                ))
            })?;
        if !container.can_connect {
            return Err(PebbleError::Connection(format!(
                "Cannot connect to Pebble; did you forget to set can_connect(true) for container {name:?}?"
            )));
        }
        Ok(container)
    }

    /// The container's filesystem, made from its files and mounts on first use.
    pub fn pebble_fs(&mut self, name: &str) -> Result<&mut Filesystem, PebbleError> {
        self.pebble_container(name)?;
        let workload = self.workloads.entry(name.to_owned()).or_default();
        if workload.fs.is_none() {
            let container = self.state.containers.iter().find(|c| c.name == name);
            if let Some(container) = container {
                workload.fs = Some(Filesystem::new(&container.files, &container.mounts));
            }
        }
        workload
            .fs
            .as_mut()
            .ok_or_else(|| PebbleError::Connection(format!("no container {name:?}")))
    }

    /// A new change id in the container: Pebble numbers changes in each container, so this
    /// run's changes follow the highest change id the State's check infos hold.
    pub fn pebble_change(&mut self, name: &str) -> ChangeId {
        let workload = self.workloads.entry(name.to_owned()).or_default();
        if workload.changes == 0 {
            if let Some(container) = self.state.containers.iter().find(|c| c.name == name) {
                let next: u32 = crate::state::next_change_id(container).parse().unwrap_or(1);
                workload.changes = next.saturating_sub(1);
            }
        }
        workload.changes += 1;
        workload.changes.to_string()
    }

    /// Record a command the charm ran; returns its place in the container's history.
    pub fn record_exec(&mut self, container: &str, args: ExecArgs) -> usize {
        let history = self
            .output
            .exec_history
            .entry(container.to_owned())
            .or_default();
        history.push(args);
        history.len() - 1
    }

    /// What the charm wrote to a command's stdin after starting it, for the exec history.
    pub fn record_exec_stdin(&mut self, container: &str, index: usize, data: &[u8]) {
        if let Some(args) = self
            .output
            .exec_history
            .get_mut(container)
            .and_then(|h| h.get_mut(index))
        {
            args.stdin = Some(String::from_utf8_lossy(data).into_owned());
        }
    }

    /// What `get_change` reports for a change this run made: every change is done by the
    /// time its call returns.
    pub fn pebble_change_info(
        &mut self,
        name: &str,
        id: &str,
    ) -> Result<serde_json::Value, PebbleError> {
        self.pebble_container(name)?;
        let made = self.workloads.get(name).map_or(0, |w| w.changes);
        match id.parse::<u32>() {
            Ok(n) if n >= 1 && n <= made => Ok(serde_json::json!({
                "id": id,
                "kind": "change",
                "summary": "",
                "status": "Done",
                "tasks": [],
                "ready": true,
                "err": null,
                "spawn-time": crate::state::DEFAULT_NOTICE_TIME,
                "ready-time": crate::state::DEFAULT_NOTICE_TIME,
            })),
            _ => Err(PebbleError::not_found(format!(
                "cannot find change with id \"{id}\""
            ))),
        }
    }

    /// Write what the run's filesystems hold back into their containers' `files`.
    pub fn finish_workloads(&mut self) {
        for (name, workload) in std::mem::take(&mut self.workloads) {
            let Some(fs) = workload.fs else { continue };
            if let Some(container) = self.state.containers.iter_mut().find(|c| c.name == name) {
                container.files = fs.into_files();
            }
        }
    }
}
