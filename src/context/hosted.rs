//! The engine under a Python host: the `ops_scenario_rs` package, which runs ops.testing's
//! API on this engine inside the test's own interpreter (the engine never starts one there).
//!
//! Two things differ from a Rust caller's runs. The charm is a class the test has imported
//! already (its patches on charm modules are honoured), not a directory to import from. And a
//! run can go in steps, as ops.testing's manager form does: the charm is built, the test looks
//! at it (and may patch it), then the event is emitted, and the Output comes last. A charm's
//! exception comes back as the Python exception it raised, for the host to re-raise.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::{CharmRoot, Context};
use crate::charm::{Charm, CharmMeta};
use crate::error::Result;
use crate::event::Event;
use crate::hook_tools::StorageRoot;
use crate::options::ContextOptions;
use crate::runtime::python_env::PythonEnv;
use crate::runtime::{self, CharmClass, EventSink, HostedFailure, LoadedCharm, SteppedRun};
use crate::state::State;

/// Where a hosted Context's charm sees its charm dir, and where storage lives.
#[derive(Debug, Default)]
pub struct HostedDirs {
    /// The directory the charm sees as its charm dir (ops.testing's `charm_root`); the
    /// metadata files it lacks are written there for the Context's lifetime. `None`: an empty
    /// directory of the Context's own, with the metadata files.
    pub charm_root: Option<PathBuf>,
    /// The directory under which storage instances' directories are made, as
    /// `<name>-<index>` (the host's own, so its tests find them); `None`: a temporary one.
    pub storage_root: Option<PathBuf>,
}

impl Context {
    /// A Context for a charm class the Python host has imported already, with its metadata
    /// (`meta` as ops.testing's `Context(meta=...)` gives it, with config and actions).
    ///
    /// # Errors
    /// [`Error::CharmLoad`](crate::Error::CharmLoad) if `class` is not an `ops.CharmBase` subclass or ops rejects the
    /// metadata; [`Error::Io`](crate::Error::Io) if the charm directory cannot be made.
    pub fn for_class(
        class: &CharmClass,
        meta: CharmMeta,
        options: ContextOptions,
        dirs: HostedDirs,
    ) -> Result<Context> {
        let charm = Charm::without_source(meta)?;
        let root = CharmRoot::new(dirs.charm_root.unwrap_or_else(|| charm.dir.clone()));
        root.prepare(&charm)?;
        let python_env = PythonEnv {
            venv: None,
            why: "the Python that imported the engine".into(),
        };
        let loaded = LoadedCharm::default();
        runtime::load_class(&python_env, class, &charm, &root.dir, &loaded, &options)?;
        let mut ctx = Context::with_options(charm, options)?;
        ctx.loaded = loaded;
        ctx.python_env = OnceLock::from(python_env);
        ctx.charm_root = Some(root);
        if let Some(storage_root) = dirs.storage_root {
            ctx.storage_root = Arc::new(StorageRoot::in_dir(storage_root));
        }
        Ok(ctx)
    }

    /// Check `state` and `event`, build the charm, and stop before the event: the first step
    /// of a run in steps. `event_sink` receives the event objects ops emits.
    ///
    /// # Errors
    /// [`HostedFailure::Engine`] with [`Error::Inconsistent`](crate::Error::Inconsistent) if the State and Event
    /// contradict each other or the metadata, or another run is open in the process;
    /// [`HostedFailure::Charm`] if the charm's `__init__` raised.
    pub fn begin(
        &self,
        event: &Event,
        state: &State,
        event_sink: Option<EventSink>,
    ) -> std::result::Result<SteppedRun, HostedFailure> {
        let (request, warnings) = self
            .checked_request(event, state, None, event_sink)
            .map_err(HostedFailure::engine)?;
        runtime::begin_stepped(request, warnings)
    }
}
