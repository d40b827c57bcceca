//! Test Juju charms as functions: a [`State`] and an [`Event`] go in, the output [`State`]
//! comes out, with the status history, juju-log lines and emitted events of the run.
//!
//! The charm's real Python code runs on the real `ops` library, in-process (embedded CPython);
//! the hook tools it calls (`config-get`, `status-set`, ...) are answered by Rust against the
//! State, following Juju's rules.
//!
//! ```
//! use ops_scenario::{Charm, Context, Event, State, Status};
//!
//! let charm = Charm::from_source(
//!     r#"
//! import ops
//!
//! class Greeter(ops.CharmBase):
//!     def __init__(self, framework):
//!         super().__init__(framework)
//!         framework.observe(self.on.config_changed, self._on_config_changed)
//!
//!     def _on_config_changed(self, event):
//!         self.unit.status = ops.ActiveStatus(f"hello {self.config['who']}")
//! "#,
//!     "name: greeter\nconfig:\n  options:\n    who: {type: string, default: world}\n",
//! )?;
//! let ctx = Context::new(charm)?;
//!
//! let out = ctx.run(Event::config_changed(), &State::default())?;
//! assert_eq!(out.state.unit_status, Status::active("hello world"));
//! assert_eq!(out.unit_status_history, [Status::Unknown]);
//! # Ok::<(), ops_scenario::Error>(())
//! ```
//!
//! Start with [`Context`] (a charm, ready to run events), [`State`] (what the unit and its
//! model look like: config, leadership, statuses, [`Relation`]s, [`PeerRelation`]s,
//! [`SubordinateRelation`]s and their databags, [`Network`]s, [`Container`]s and their Pebble,
//! stored state, deferred events) and [`Event`] (relation and Pebble events come from their
//! relation or container: `db.changed_event()`, `web.pebble_ready_event()`). Every State type has a portable JSON form (serde), which
//! the `scenario` command-line tool reads and writes.
#![warn(missing_docs)]

/// Case files and JSON input with errors that say where.
pub mod case;
mod charm;
mod consistency;
mod context;
pub mod delta;
mod error;
mod event;
mod hook_tools;
mod options;
mod output;
mod pebble;
mod python_env;
mod runtime;
pub mod sequence;
pub mod snapshot;
pub mod state;
mod text;

pub use charm::{Charm, CharmMeta, ConfigOption, Endpoint, EndpointRole};
pub use context::{Context, Inspect};
#[doc(hidden)]
pub use delta::assert_state_eq_failed as __assert_state_eq_failed;
pub use delta::{DiffEntry, JsonPatch, PatchOp, StateDiff};
pub use error::{Error, Result, Violation};
pub use event::{ActionCall, Event, EventKind, StorageRef, LIFECYCLE_EVENTS};
pub use options::{ContextOptions, DEFAULT_JUJU_VERSION};
pub use output::{AddedMetrics, CharmError, EmittedEvent, ExecArgs, JujuLogLine, Output};
#[doc(hidden)]
pub use runtime::__run_python_between_runs;
pub use runtime::{flush_python_output, python_stdout_to_stderr, start_python, LiveCharm};
pub use sequence::{ModelChange, Sequence, Step};
pub use state::{
    default_unit_databag, stored_dict, Address, AnyRelation, BindAddress, CheckInfo, CheckLevel,
    CheckStartup, CheckStatus, CloudCredential, CloudSpec, ConfigValue, Container, ContainerFile,
    Databag, DeferredEvent, Exec, FileContent, FileKind, Layer, LayerItem, Layers, Model,
    ModelType, Mount, Network, Notice, PeerRelation, Plan, Port, Protocol, Relation,
    RelationLookup, Resource, Secret, SecretContent, SecretOwner, SecretRotate, ServiceStatus,
    State, Status, Storage, StoredDict, StoredState, StoredValue, SubordinateRelation,
};

/// `ScenarioError` is the name ops.testing users know; it is [`Error`].
pub type ScenarioError = Error;
