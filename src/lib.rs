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

// The layers, lowest first (ARCHITECTURE.md; tests/engine/layers.rs keeps them): a module imports
// only from the layers before its own.
// 0: the error type, the Context's options, Python-style text
mod error;
mod options;
mod text;
// 1: the State, pure data
mod state;
// 2: the charm and its typed metadata
mod charm;
// 3: events, and their constructors on state objects
mod event;
// 4: what a run produces besides the State
mod output;
// 5: the simulated Pebble
mod pebble;
// 6: the simulated Juju agent (hook tools)
mod hook_tools;
// 7: the consistency checker
mod consistency;
// 8: the embedded Python; no other module touches it
mod runtime;
// 9: Context and run()
mod context;
// 10: on top of runs
pub mod case;
pub mod delta;
pub mod explore;
pub mod sequence;
// JSON Schemas of the portable JSON form (the `schema` feature)
#[cfg(feature = "schema")]
pub mod schema;
// 11: a live unit's State (the `snapshot` feature)
#[cfg(feature = "snapshot")]
pub mod snapshot;

pub use charm::Charm;
pub use context::Context;
pub use error::{Error, Result, Rule, Violation};
pub use event::{ActionCall, Event, EventKind, StorageRef};
pub use options::ContextOptions;
pub use output::{
    AddedMetrics, AttributeValue, CharmError, EmittedEvent, ExecArgs, JujuLogLine, LogLevel,
    Output, Reads, Reboot, Span, SpanEvent, SpanKind, SpanStatus, SpanStatusCode,
};
pub use runtime::{Inspect, LiveCharm};
pub use state::{
    default_unit_databag, stored_dict, Address, AnyRelation, BindAddress, CheckInfo, CheckLevel,
    CheckStartup, CheckStatus, CloudCredential, CloudSpec, ConfigValue, Container, ContainerFile,
    Databag, DeferredEvent, Exec, FileContent, FileKind, Layer, LayerItem, Layers, Model,
    ModelType, Mount, Network, Notice, PeerRelation, Plan, Port, Protocol, Relation,
    RelationLookup, Resource, Secret, SecretContent, SecretOwner, SecretRotate, ServiceStatus,
    State, Status, Storage, StoredDict, StoredState, StoredValue, SubordinateRelation,
};

#[doc(hidden)]
pub use delta::assert_state_eq_failed as __assert_state_eq_failed;

/// `ScenarioError` is the name ops.testing users know; it is [`Error`].
pub type ScenarioError = Error;

/// A charm's metadata, parsed and typed: what [`Charm::meta`] returns.
pub mod meta {
    pub use crate::charm::{
        ActionMeta, CharmMeta, ConfigOption, ConfigType, ContainerMeta, ContainerMount, Endpoint,
        EndpointRole, JsonType, ParamSchema, ParamType, ResourceKind, ResourceMeta, StorageCount,
        StorageKind, StorageMeta,
    };
}

/// The embedded interpreter, for tools that manage it themselves (the `scenario` CLI, benches):
/// start it early, send Python's stdout elsewhere, flush it at exit; and the engine under a
/// Python host (the `ops_scenario_rs` package): [`Context::for_class`](crate::Context::for_class)
/// and runs in steps. Tests never need these: the first run starts Python.
pub mod python {
    pub use crate::context::HostedDirs;
    #[doc(hidden)]
    pub use crate::runtime::__run_python_between_runs;
    pub use crate::runtime::{flush_python_output, python_stdout_to_stderr, start_python};
    pub use crate::runtime::{CharmClass, EventSink, HostedFailure, SteppedRun};
}
