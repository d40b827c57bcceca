//! [`Context`]: a charm plus how Juju runs it; `run` runs one event on one State.

use crate::charm::Charm;
use crate::consistency;
use crate::error::{Error, Result, Violation};
use crate::event::Event;
use std::path::PathBuf;
use std::sync::Arc;

use crate::hook_tools::StorageRoot;
use crate::options::ContextOptions;
use crate::output::{CharmError, Output};
use crate::runtime::{self, LiveCharm, LoadedCharm, RunRequest};
use crate::state::{State, Storage};

/// A charm, ready to run events. Build it once and call [`Context::run`] as often as needed;
/// it is `Sync`, and runs from many threads are serialised (one at a time per process).
///
/// ```
/// use ops_scenario::{Charm, Context, Event, State, Status};
///
/// let charm = Charm::from_source(
///     "import ops\n\
///      class Demo(ops.CharmBase):\n\
///      \x20   def __init__(self, framework):\n\
///      \x20       super().__init__(framework)\n\
///      \x20       framework.observe(self.on.start, self._on_start)\n\
///      \x20   def _on_start(self, event):\n\
///      \x20       self.unit.status = ops.ActiveStatus('up')\n",
///     "name: demo\n",
/// )?;
/// let ctx = Context::new(charm)?.unit_id(3);
/// let out = ctx.run(Event::start(), &State::default())?;
/// assert_eq!(out.state.unit_status, Status::active("up"));
/// # Ok::<(), ops_scenario::Error>(())
/// ```
#[derive(Debug)]
pub struct Context {
    charm: Charm,
    options: ContextOptions,
    skip_consistency_checks: bool,
    loaded: LoadedCharm,
    /// Storage instances' directories: made when the charm first asks for one, removed with
    /// the Context.
    storage_root: Arc<StorageRoot>,
}

impl Context {
    /// A Context with default options. Nothing is imported until the first run.
    ///
    /// Consistency checks are skipped if the environment variable
    /// `SCENARIO_SKIP_CONSISTENCY_CHECKS` is set (to anything) when the Context is built.
    ///
    /// # Errors
    /// None today; the `Result` leaves room for validation of the charm as the Context grows.
    pub fn new(charm: Charm) -> Result<Context> {
        Context::with_options(charm, ContextOptions::default())
    }

    /// A Context with the given options.
    ///
    /// # Errors
    /// As [`Context::new`].
    pub fn with_options(charm: Charm, options: ContextOptions) -> Result<Context> {
        Ok(Context {
            charm,
            options,
            skip_consistency_checks: std::env::var_os("SCENARIO_SKIP_CONSISTENCY_CHECKS")
                .is_some_and(|v| !v.is_empty()),
            loaded: LoadedCharm::default(),
            storage_root: Arc::new(StorageRoot::new()),
        })
    }

    /// Set the application name. Defaults to the charm's name.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.options.app_name = Some(name.into());
        self
    }

    /// Set the unit number. Defaults to 0.
    pub fn unit_id(mut self, id: u32) -> Self {
        self.options.unit_id = id;
        self
    }

    /// Set the Juju version. Defaults to `"3.6.14"`.
    pub fn juju_version(mut self, version: impl Into<String>) -> Self {
        self.options.juju_version = version.into();
        self
    }

    /// Set whether the application is trusted. Defaults to `false`.
    pub fn app_trusted(mut self, trusted: bool) -> Self {
        self.options.app_trusted = trusted;
        self
    }

    /// Set the machine id. Defaults to unset.
    pub fn machine_id(mut self, id: impl Into<String>) -> Self {
        self.options.machine_id = Some(id.into());
        self
    }

    /// Set the availability zone. Defaults to unset.
    pub fn availability_zone(mut self, zone: impl Into<String>) -> Self {
        self.options.availability_zone = Some(zone.into());
        self
    }

    /// Set the principal unit (for a subordinate charm). Defaults to unset.
    pub fn principal_unit(mut self, unit: impl Into<String>) -> Self {
        self.options.principal_unit = Some(unit.into());
        self
    }

    /// Record re-emitted deferred events in `emitted_events`. Defaults to `false`.
    pub fn capture_deferred_events(mut self, capture: bool) -> Self {
        self.options.capture_deferred_events = capture;
        self
    }

    /// Record framework events in `emitted_events`. Defaults to `false`.
    pub fn capture_framework_events(mut self, capture: bool) -> Self {
        self.options.capture_framework_events = capture;
        self
    }

    /// Skip the consistency checker. Defaults to `false` (or `true` when
    /// `SCENARIO_SKIP_CONSISTENCY_CHECKS` was set when the Context was built).
    pub fn skip_consistency_checks(mut self, skip: bool) -> Self {
        self.skip_consistency_checks = skip;
        self
    }

    /// The directory of a storage instance, where the charm's writes to its `location` are
    /// (made if the charm has not asked for it yet). Removed when the Context is dropped.
    ///
    /// # Errors
    /// [`Error::Io`] if the directory cannot be made.
    pub fn storage_dir(&self, storage: &Storage) -> Result<PathBuf> {
        self.storage_root
            .dir(&storage.name, storage.index)
            .map_err(|e| {
                Error::io(
                    format!(
                        "making the directory of storage {}/{}",
                        storage.name, storage.index
                    ),
                    e,
                )
            })
    }

    /// The options this Context runs with.
    pub fn options(&self) -> &ContextOptions {
        &self.options
    }

    /// The charm.
    pub fn charm(&self) -> &Charm {
        &self.charm
    }

    /// The application name the charm runs as.
    pub fn application_name(&self) -> &str {
        self.options
            .app_name
            .as_deref()
            .unwrap_or(&self.charm.meta.name)
    }

    /// Check the State and Event against the charm's metadata without running anything.
    /// Returns the warnings.
    ///
    /// # Errors
    /// [`Error::Inconsistent`] listing every violated rule.
    pub fn check(&self, event: &Event, state: &State) -> Result<Vec<Violation>> {
        let checked = consistency::check(&self.charm.meta, &self.options, event, state);
        if checked.errors.is_empty() {
            Ok(checked.warnings)
        } else {
            Err(Error::Inconsistent {
                violations: checked.errors,
            })
        }
    }

    /// Run `event` on `state` and return the output State with what the run produced.
    /// `state` is not modified.
    ///
    /// # Errors
    /// - [`Error::Inconsistent`] if the State, Event and metadata contradict each other;
    /// - [`Error::CharmRaised`] if the charm raised, with the Python traceback;
    /// - [`Error::CommitRefused`] if Juju would refuse the hook's changes when it commits them;
    /// - [`Error::UnknownEvent`] if the charm does not define the event;
    /// - [`Error::CharmLoad`] if the charm cannot be imported;
    /// - [`Error::PythonEnvironment`] if Python cannot import `ops`.
    pub fn run(&self, event: impl AsRef<Event>, state: &State) -> Result<Output> {
        self.run_request(event.as_ref(), state, None)
            .map_err(|failure| failure.error)
    }

    /// Like [`Context::run`], but an exception the charm raises (or Juju's refusal of the
    /// hook's changes, as type `CommitRefused`) is reported in [`Output::error`] instead of
    /// returned, with what the run recorded until then
    /// (juju-log lines, status changes, emitted events); the Output's `state` then shows the
    /// hook tools' effects up to the failure, which Juju would not commit. The CLI reports
    /// runs this way.
    ///
    /// # Errors
    /// As [`Context::run`], except [`Error::CharmRaised`] and [`Error::CommitRefused`].
    pub fn run_reporting_errors(&self, event: impl AsRef<Event>, state: &State) -> Result<Output> {
        match self.run_request(event.as_ref(), state, None) {
            Ok(output) => Ok(output),
            Err(runtime::Failure {
                error:
                    Error::CharmRaised {
                        exc_type,
                        message,
                        traceback,
                    },
                partial,
            }) => {
                let mut output = partial.map(|p| *p).unwrap_or_default();
                output.error = Some(CharmError {
                    exc_type,
                    message,
                    traceback,
                });
                Ok(output)
            }
            Err(runtime::Failure {
                error: Error::CommitRefused { refusals },
                partial,
            }) => {
                let mut output = partial.map(|p| *p).unwrap_or_default();
                output.error = Some(CharmError {
                    exc_type: "CommitRefused".to_owned(),
                    message: refusals.join("\n"),
                    traceback: String::new(),
                });
                Ok(output)
            }
            Err(failure) => Err(failure.error),
        }
    }

    /// Like [`Context::run`], calling `inspect`'s closures with the live charm: once it is
    /// constructed (before deferred events and the event), and once ops has committed.
    ///
    /// ```
    /// # use ops_scenario::{Charm, Context, Event, Inspect, State, StoredValue};
    /// # let charm = Charm::from_source("import ops\nclass C(ops.CharmBase):\n    pass\n", "name: c\n")?;
    /// let ctx = Context::new(charm)?;
    /// let mut seen = None;
    /// ctx.run_inspected(
    ///     Event::start(),
    ///     &State::default(),
    ///     Inspect::new().after(|charm| {
    ///         seen = Some(charm.eval("self.unit.name")?);
    ///         Ok(())
    ///     }),
    /// )?;
    /// assert_eq!(seen, Some(StoredValue::from("c/0")));
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Context::run`], plus any error a closure returns.
    pub fn run_inspected(
        &self,
        event: impl AsRef<Event>,
        state: &State,
        mut inspect: Inspect<'_>,
    ) -> Result<Output> {
        self.run_request(event.as_ref(), state, Some(&mut inspect))
            .map_err(|failure| failure.error)
    }

    fn run_request(
        &self,
        event: &Event,
        state: &State,
        inspect: Option<&mut Inspect<'_>>,
    ) -> Result<Output, runtime::Failure> {
        let warnings = if self.skip_consistency_checks {
            Vec::new()
        } else {
            self.check(event, state)?
        };
        let request = RunRequest {
            charm: &self.charm,
            loaded: &self.loaded,
            options: &self.options,
            app_name: self.application_name(),
            event,
            state: self.run_state(state),
            inspect,
            storage_root: &self.storage_root,
        };
        // A panic (a bug in the engine, or in an Inspect closure) is an error, never an abort
        // of the caller; the next run starts afresh as always.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime::run(request)))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".into());
                Err(Error::runtime(format!("the run panicked: {what}")).into())
            });
        let mut output = ran.map_err(|mut failure| {
            if let Some(partial) = &mut failure.partial {
                partial.warnings = warnings.clone();
            }
            failure
        })?;
        output.warnings = warnings;
        Ok(output)
    }
}

impl Context {
    /// The State a run starts from: a copy of the caller's, with every relation's id (by the
    /// State's numbering rule) and interface (from the metadata), and every notice's id,
    /// written out.
    fn run_state(&self, state: &State) -> State {
        let mut state = state.clone();
        state.assign_relation_ids();
        crate::state::assign_notice_ids(&mut state.containers);
        // ops reads a running check without a change id as inactive.
        for container in &mut state.containers {
            crate::pebble::assign_check_change_ids(container);
        }
        for relation in &mut state.relations {
            if relation.interface().is_none() {
                if let Some(endpoint) = self.charm.meta.endpoints.get(relation.endpoint()) {
                    relation.set_interface(endpoint.interface.clone());
                }
            }
        }
        state
    }
}

type CharmHook<'a> = Box<dyn FnMut(&LiveCharm<'_>) -> Result<()> + 'a>;

/// Closures that look at the live charm during [`Context::run_inspected`].
#[derive(Default)]
pub struct Inspect<'a> {
    before: Option<CharmHook<'a>>,
    after: Option<CharmHook<'a>>,
}

impl<'a> Inspect<'a> {
    /// No closures.
    pub fn new() -> Self {
        Inspect::default()
    }

    /// Call `f` once the charm is constructed, before deferred events and the event.
    pub fn before(mut self, f: impl FnMut(&LiveCharm<'_>) -> Result<()> + 'a) -> Self {
        self.before = Some(Box::new(f));
        self
    }

    /// Call `f` after the event, collect-status and ops' commit.
    pub fn after(mut self, f: impl FnMut(&LiveCharm<'_>) -> Result<()> + 'a) -> Self {
        self.after = Some(Box::new(f));
        self
    }

    pub(crate) fn call_before(&mut self, charm: &LiveCharm<'_>) -> Result<()> {
        self.before.as_mut().map_or(Ok(()), |f| f(charm))
    }

    pub(crate) fn call_after(&mut self, charm: &LiveCharm<'_>) -> Result<()> {
        self.after.as_mut().map_or(Ok(()), |f| f(charm))
    }
}

impl std::fmt::Debug for Inspect<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspect")
            .field("before", &self.before.is_some())
            .field("after", &self.after.is_some())
            .finish()
    }
}
