//! [`Context`]: a charm plus how Juju runs it; `run` runs one event on one State.

mod charm_root;
mod hosted;
mod run;

use charm_root::CharmRoot;

pub use hosted::HostedDirs;

use crate::charm::Charm;
use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::hook_tools::StorageRoot;
use crate::options::ContextOptions;
use crate::runtime::python_env::PythonEnv;
use crate::runtime::{self, LoadedCharm};
use crate::state::Storage;

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
    /// The venv given to the Context, if any.
    venv: Option<PathBuf>,
    /// The Python environment this Context wants, chosen on its first run.
    python_env: OnceLock<PythonEnv>,
    /// The directory the charm sees as its charm dir, if not its own.
    charm_root: Option<CharmRoot>,
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
            venv: None,
            python_env: OnceLock::new(),
            charm_root: None,
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

    /// Record what the charm asks the model during each run, in [`Output::reads`](crate::Output::reads): the hook
    /// tools ops called, the keys looked up in remote relation databags and in the config.
    /// A generator of States (the explorer) learns from it which keys matter to the charm.
    /// Defaults to `false`, and a run then pays nothing for it.
    pub fn record_reads(mut self, record: bool) -> Self {
        self.options.record_reads = record;
        self
    }

    /// Interrupt a run that takes longer than `limit`: a charm stuck in a loop, a
    /// `time.sleep`, a socket that never answers or another blocking call. The run fails with
    /// [`Error::Timeout`], naming the handler it was in with its Python stack, and the process
    /// is left as after any failed run: the next run starts afresh. Defaults to
    /// [`ContextOptions::DEFAULT_TIMEOUT`] (a minute); `Duration::ZERO`, like
    /// [`Context::no_timeout`], means no limit. `breakpoint()` in the charm stops the
    /// limit for the rest of its run (the user is in pdb).
    ///
    /// The charm is interrupted by a signal, which CPython handles on its main thread only:
    /// for the length of a run, the run's thread takes that role (it has it already under the
    /// CLI, nextest and pytest). A charm that catches `BaseException` and goes on waiting is
    /// interrupted again every half second; code that blocks with signals masked, or a C
    /// extension that retries on EINTR without checking for Python's signals, cannot be
    /// interrupted. On CPython 3.13, where a pending signal is marked in the original main
    /// thread's own state, a pure-Python loop on another thread (`cargo test`'s threads) is
    /// stopped half a second later by an asynchronous `RunTimeout` instead.
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use ops_scenario::{Charm, Context, Error, Event, State};
    /// let charm = Charm::from_source(
    ///     "import ops, time\n\
    ///      class Slow(ops.CharmBase):\n\
    ///      \x20   def __init__(self, framework):\n\
    ///      \x20       super().__init__(framework)\n\
    ///      \x20       framework.observe(self.on.start, self._on_start)\n\
    ///      \x20   def _on_start(self, event):\n\
    ///      \x20       time.sleep(3600)\n",
    ///     "name: slow\n",
    /// )?;
    /// let ctx = Context::new(charm)?.timeout(Duration::from_millis(200));
    /// let err = ctx.run(Event::start(), &State::default()).unwrap_err();
    /// let Error::Timeout { handler, .. } = &err else { panic!("{err}") };
    /// assert!(handler.starts_with("Slow._on_start"), "{handler}");
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    pub fn timeout(mut self, limit: std::time::Duration) -> Self {
        self.options.timeout = (!limit.is_zero()).then_some(limit);
        self
    }

    /// No time limit for runs (see [`Context::timeout`]).
    pub fn no_timeout(mut self) -> Self {
        self.options.timeout = None;
        self
    }

    /// Skip the consistency checker. Defaults to `false` (or `true` when
    /// `SCENARIO_SKIP_CONSISTENCY_CHECKS` was set when the Context was built).
    pub fn skip_consistency_checks(mut self, skip: bool) -> Self {
        self.skip_consistency_checks = skip;
        self
    }

    /// Use this venv for Python. Defaults to the one `VIRTUAL_ENV` names, else the charm's own
    /// `.venv`, else its tox unit environment (`.tox/unit`), else none. One process has one
    /// Python: the first run decides for every Context in it, and a Context that wants another
    /// venv gets [`Error::PythonEnvironment`] saying which is in use and why.
    ///
    /// ```
    /// # use ops_scenario::{Charm, Context, Error, Event, State};
    /// # let charm = || Charm::from_source("import ops\nclass C(ops.CharmBase):\n    pass\n", "name: c\n");
    /// // The venv this process's Python runs (here the one VIRTUAL_ENV names).
    /// let in_use = std::env::var("VIRTUAL_ENV").expect("the doctests run with a venv");
    /// let ctx = Context::new(charm()?)?.venv(&in_use);
    /// ctx.run(Event::start(), &State::default())?;
    /// // Another venv cannot join a process whose Python is already set up.
    /// let other = Context::new(charm()?)?.venv("/opt/other-venv");
    /// let err = other.run(Event::start(), &State::default()).unwrap_err();
    /// assert!(matches!(err, Error::PythonEnvironment { .. }));
    /// # Ok::<(), ops_scenario::Error>(())
    /// ```
    pub fn venv(mut self, venv: impl Into<PathBuf>) -> Self {
        self.venv = Some(venv.into());
        self.python_env = OnceLock::new();
        self
    }

    /// Let the charm see `dir` as its charm directory (`self.charm_dir`, `JUJU_CHARM_DIR`):
    /// its files are the charm's, for templates and other files a charm reads from there. The
    /// metadata files it lacks are written into it on the first run (`metadata.yaml`, and
    /// `config.yaml` and `actions.yaml` if the charm has config or actions; none if it has a
    /// `charmcraft.yaml`), never over a file already there, and removed when the Context is
    /// dropped. Defaults to the charm's own directory (nothing is written or made).
    ///
    /// ```
    /// # use ops_scenario::{Charm, Context, Event, State, Status};
    /// let root = tempfile::tempdir()?;
    /// std::fs::write(root.path().join("motd.txt"), "hello")?;
    /// let charm = Charm::from_source(
    ///     "import ops\n\
    ///      class C(ops.CharmBase):\n\
    ///      \x20   def __init__(self, framework):\n\
    ///      \x20       super().__init__(framework)\n\
    ///      \x20       framework.observe(self.on.start, self._on_start)\n\
    ///      \x20   def _on_start(self, event):\n\
    ///      \x20       motd = (self.charm_dir / 'motd.txt').read_text()\n\
    ///      \x20       meta = (self.charm_dir / 'metadata.yaml').exists()\n\
    ///      \x20       self.unit.status = ops.ActiveStatus(f'{motd} {meta}')\n",
    ///     "name: c\n",
    /// )?;
    /// let ctx = Context::new(charm)?.charm_root(root.path());
    /// let out = ctx.run(Event::start(), &State::default())?;
    /// assert_eq!(out.state.unit_status, Status::active("hello True"));
    /// drop(ctx);
    /// assert!(!root.path().join("metadata.yaml").exists()); // removed with the Context
    /// assert!(root.path().join("motd.txt").exists()); // the user's file is left alone
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn charm_root(mut self, dir: impl Into<PathBuf>) -> Self {
        self.charm_root = Some(CharmRoot::new(dir.into()));
        self
    }

    /// Start the embedded interpreter now, with the Python environment this Context chooses
    /// (see [`Context::venv`]), and import `ops`: what the first run would do, for tools that
    /// time runs apart from the start-up (`scenario bench`). Does nothing once done.
    ///
    /// # Errors
    /// [`Error::PythonEnvironment`] if the interpreter cannot start or import `ops`, or the
    /// process already runs another venv.
    pub fn start_python(&self) -> Result<()> {
        runtime::start_python_with(self.python_env())
    }

    /// The Python environment this Context wants, and why.
    fn python_env(&self) -> &PythonEnv {
        self.python_env.get_or_init(|| {
            PythonEnv::choose(
                self.venv.as_deref(),
                PythonEnv::virtual_env_var().as_deref(),
                &self.charm.dir,
            )
        })
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
}
