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
use crate::event::RunScope;
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
    /// The Juju simulated has no such hook tool (Juju 4 dropped `add-metric` and
    /// `pod-spec-set`): the executable is missing, and ops raises what it raises then.
    Missing(&'static str),
}

impl fmt::Display for HookToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HookToolError::Refused(message) => writeln!(f, "ERROR {message}"),
            HookToolError::RelationNotFound(message)
            | HookToolError::OpsRefused(message)
            | HookToolError::InvalidArgument(message) => f.write_str(message),
            HookToolError::Missing(tool) => write!(f, "no hook tool {tool:?} on this Juju"),
        }
    }
}

fn refused(message: impl Into<String>) -> HookToolError {
    HookToolError::Refused(message.into())
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

    /// The hook is over: write back what lives outside the State during the run (the
    /// containers' files) and apply what Juju does as the hook ends (a broken relation's
    /// secret grants go with it).
    pub fn finish(&mut self) {
        self.finish_workloads();
        self.drop_grants_of_broken_relation();
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

    /// The scope of a run of unit `demo/0` on the default Juju version, for no event in
    /// particular.
    pub fn scope() -> RunScope {
        RunScope::resolve(
            &crate::options::ContextOptions {
                app_name: Some("demo".into()),
                ..Default::default()
            },
            "demo",
            &crate::event::Event::start(),
            &State::default(),
        )
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
