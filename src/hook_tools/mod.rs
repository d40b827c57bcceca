//! The simulated Juju unit agent: the hook tools' rules, as plain Rust on the run's State.
//!
//! One file per area (status, config, log, relation, network, secret, action, storage, ...);
//! each adds its hook tools to [`HookTools`]. `runtime::backend` converts Python arguments,
//! calls these methods and turns a [`HookToolError`] into the ops exception the charm would
//! see; nothing here knows Python.

mod action;
mod cloud;
mod config;
mod log;
mod machine;
mod network;
mod pebble;
mod port;
mod relation;
mod resource;
mod secret;
mod status;
mod storage;

use std::fmt;
use std::sync::Arc;

pub(crate) use secret::SecretMeta;
pub(crate) use storage::StorageRoot;

use crate::charm::CharmMeta;
use crate::event::{ActionCall, Event, RelationHook, StorageRef};
use crate::options::{ContextOptions, JujuVersion};
use crate::output::Output;
use crate::state::State;

/// Why a hook tool refused, as the charm would see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum HookToolError {
    /// Juju refused, with the text its tool prints on stderr (without the `ERROR ` prefix):
    /// `ops.ModelError`.
    Refused(String),
    /// The relation is not known (gone, or never there): `ops.RelationNotFoundError`.
    RelationNotFound(String),
    /// ops itself refuses before calling Juju (a feature this Juju version lacks):
    /// `RuntimeError`, with ops' own text.
    OpsRefused(String),
    /// ops itself rejects the arguments: `ValueError`, with ops' own text.
    InvalidArgument(String),
}

impl fmt::Display for HookToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookToolError::Refused(message) => writeln!(f, "ERROR {message}"),
            HookToolError::RelationNotFound(message)
            | HookToolError::OpsRefused(message)
            | HookToolError::InvalidArgument(message) => f.write_str(message),
        }
    }
}

fn refused(message: impl Into<String>) -> HookToolError {
    HookToolError::Refused(message.into())
}

/// Who the unit is and what this run is, as the unit agent knows it.
#[derive(Clone, Debug)]
pub(crate) struct RunScope {
    /// The application name.
    pub app_name: String,
    /// `<app>/<n>`.
    pub unit_name: String,
    /// The unit number.
    pub unit_id: u32,
    /// The Juju version the charm sees.
    pub juju: JujuVersion,
    /// For a relation event: the relation, the hook and the remote unit (`JUJU_REMOTE_UNIT`).
    pub relation_event: Option<RelationEventScope>,
    /// For a Pebble event: the container, and the notice or check, as the environment names
    /// them (`JUJU_WORKLOAD_NAME`, `JUJU_NOTICE_*`, `JUJU_PEBBLE_CHECK_NAME`).
    pub workload_event: Option<WorkloadEventScope>,
    /// For an action: the action and its parameters.
    pub action: Option<ActionCall>,
    /// For a storage event: the storage instance.
    pub storage: Option<StorageRef>,
    /// Whether the run is the `collect-metrics` hook (the only one that may add metrics).
    pub collect_metrics: bool,
    /// Whether the application is trusted (`credential-get`).
    pub app_trusted: bool,
}

/// The container (and notice or check) a Pebble hook runs for.
#[derive(Clone, Debug)]
pub(crate) struct WorkloadEventScope {
    pub container: String,
    /// `(id, type, key)` of a custom notice.
    pub notice: Option<(String, String, String)>,
    pub check: Option<String>,
}

/// The relation a relation hook runs for, as the hook's environment names it.
#[derive(Clone, Debug)]
pub(crate) struct RelationEventScope {
    /// `JUJU_RELATION_ID` (the number).
    pub relation_id: u32,
    /// `JUJU_RELATION`.
    pub endpoint: String,
    pub hook: RelationHook,
    /// `JUJU_REMOTE_APP`.
    pub remote_app: String,
    /// `JUJU_REMOTE_UNIT`.
    pub remote_unit: Option<String>,
    /// `JUJU_DEPARTING_UNIT`.
    pub departing_unit: Option<String>,
}

impl RunScope {
    /// The scope of running `event` on `state` as unit `unit_id` of `app_name`. A relation
    /// event whose relation cannot be found (the checker reports it) runs without one.
    pub fn new(app_name: &str, options: &ContextOptions, event: &Event, state: &State) -> Self {
        let relation_event = event.relation_target(state).ok().map(|target| {
            let remote_app = target.relation.remote_app_name(app_name).to_owned();
            let unit = |n: Option<u32>| n.map(|n| format!("{remote_app}/{n}"));
            RelationEventScope {
                relation_id: target.id,
                endpoint: target.relation.endpoint().to_owned(),
                hook: target.hook,
                remote_unit: unit(target.remote_unit),
                departing_unit: unit(target.departing_unit),
                remote_app,
            }
        });
        let workload_event = event
            .workload_target(state)
            .ok()
            .map(|target| WorkloadEventScope {
                container: target.container.name.clone(),
                notice: target.notice.map(|n| {
                    (
                        n.id.clone().unwrap_or_default(),
                        n.notice_type.clone(),
                        n.key.clone(),
                    )
                }),
                check: target.check.map(|c| c.name.clone()),
            });
        RunScope {
            app_name: app_name.to_owned(),
            unit_name: format!("{app_name}/{}", options.unit_id),
            unit_id: options.unit_id,
            juju: options.juju().unwrap_or(JujuVersion(0, 0, 0)),
            relation_event,
            workload_event,
            action: event
                .action
                .clone()
                .filter(|_| event.kind() == crate::event::EventKind::Action),
            storage: event
                .storage
                .clone()
                .filter(|_| event.kind() == crate::event::EventKind::Storage),
            collect_metrics: event.name == "collect_metrics",
            app_trusted: options.app_trusted,
        }
    }
}

/// One run's simulated Juju: the State being changed and what the run records.
#[derive(Debug)]
pub(crate) struct HookTools {
    pub state: State,
    meta: Arc<CharmMeta>,
    pub scope: RunScope,
    pub output: Output,
    workloads: pebble::Workloads,
    /// Where storage instances' directories are made (the Context's).
    storage_root: Arc<storage::StorageRoot>,
    /// What this hook did to secrets so far (Juju coalesces a hook's changes per secret).
    secret_changes: secret::SecretChanges,
    /// Changes Juju took during the hook but refuses when it commits them, as Juju's error
    /// texts: the hook then fails although the charm's code finished.
    pub commit_refusals: Vec<String>,
}

impl HookTools {
    /// Start a run from the input State (already cloned: the caller's is never touched).
    pub fn new(
        state: State,
        meta: Arc<CharmMeta>,
        scope: RunScope,
        storage_root: Arc<storage::StorageRoot>,
    ) -> Self {
        HookTools {
            state,
            meta,
            scope,
            output: Output::default(),
            workloads: pebble::Workloads::default(),
            storage_root,
            secret_changes: secret::SecretChanges::default(),
            commit_refusals: Vec::new(),
        }
    }

    /// `storage-get -s <name/index> <attribute>` for this run's storage directories.
    pub fn storage_get_here(
        &self,
        name_index: &str,
        attribute: &str,
    ) -> Result<String, HookToolError> {
        self.storage_get(&self.storage_root, name_index, attribute)
    }

    /// The storage event's `(index, location)` (ops 2 reads them this way).
    pub fn storage_event_details_here(&self) -> Result<(u32, String), HookToolError> {
        self.storage_event_details(&self.storage_root, self.scope.storage.as_ref())
    }

    /// `is-leader`.
    pub fn is_leader(&self) -> bool {
        self.state.leader
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::charm::CharmMeta;

    /// The scope of a run of unit `demo/0` on the default Juju version.
    pub fn scope() -> RunScope {
        RunScope {
            app_name: "demo".into(),
            unit_name: "demo/0".into(),
            unit_id: 0,
            juju: JujuVersion::parse(ContextOptions::DEFAULT_JUJU_VERSION).unwrap(),
            relation_event: None,
            workload_event: None,
            action: None,
            storage: None,
            collect_metrics: false,
            app_trusted: false,
        }
    }

    /// Hook tools over `state` for a charm with this metadata and config.
    pub fn tools_with(
        meta: serde_json::Value,
        config: Option<serde_json::Value>,
        state: State,
    ) -> HookTools {
        let meta = CharmMeta::from_values(meta, config, None).unwrap();
        HookTools::new(state, Arc::new(meta), scope(), Arc::default())
    }
}
