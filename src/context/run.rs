//! Running an event: the input checked and prepared, the run, and the ways its outcome is
//! handed back ([`Context::run`], [`Context::run_reporting_errors`],
//! [`Context::run_inspected`]).

use crate::consistency;
use crate::error::{Error, Result, Violation};
use crate::event::{Event, Prepared};
use crate::options::ContextOptions;
use crate::output::{CharmError, Output};
use crate::runtime::{self, Inspect, RunRequest};
use crate::state::State;

use super::Context;

impl Context {
    /// Check the State and Event against the charm's metadata without running anything.
    /// Returns the warnings.
    ///
    /// # Errors
    /// [`Error::Inconsistent`] listing every violated rule.
    pub fn check(&self, event: &Event, state: &State) -> Result<Vec<Violation>> {
        self.check_prepared(event, &self.prepare(event, state))
    }

    /// The run's input: `state` normalised, and `event` resolved against it (once per run).
    fn prepare(&self, event: &Event, state: &State) -> Prepared {
        Prepared::new(&self.charm.meta, &self.options, event, state)
    }

    fn check_prepared(&self, event: &Event, prepared: &Prepared) -> Result<Vec<Violation>> {
        let checked = consistency::check(&self.charm.meta, &self.options, event, prepared);
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
    /// - [`Error::Timeout`] if the run took longer than the Context's timeout;
    /// - [`Error::UnknownEvent`] if the charm does not define the event;
    /// - [`Error::CharmLoad`] if the charm cannot be imported;
    /// - [`Error::PythonEnvironment`] if Python cannot import `ops`.
    pub fn run(&self, event: impl AsRef<Event>, state: &State) -> Result<Output> {
        self.run_request(event.as_ref(), state, None)
            .map_err(|failure| failure.error)
    }

    /// Like [`Context::run`], but an exception the charm raises (or Juju's refusal of the
    /// hook's changes, as type `CommitRefused`, or the run's timeout, as type `Timeout`) is
    /// reported in [`Output::error`] instead of
    /// returned, with what the run recorded until then
    /// (juju-log lines, status changes, emitted events); the Output's `state` then shows the
    /// hook tools' effects up to the failure, which Juju would not commit. The CLI reports
    /// runs this way.
    ///
    /// # Errors
    /// As [`Context::run`], except [`Error::CharmRaised`], [`Error::CommitRefused`] and
    /// [`Error::Timeout`].
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
                error: error @ Error::Timeout { .. },
                partial,
            }) => {
                let mut output = partial.map(|p| *p).unwrap_or_default();
                let Error::Timeout { traceback, .. } = &error else {
                    unreachable!("matched above")
                };
                output.error = Some(CharmError {
                    exc_type: "Timeout".to_owned(),
                    message: error
                        .to_string()
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                    traceback: traceback.clone(),
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

    /// The run's input checked (unless the Context skips the checks) and its request made:
    /// the request and the checker's warnings, or every violated rule.
    /// [`run`](Self::run) with other options than the Context's (the explorer records what
    /// the charm reads, [`ContextOptions::record_reads`], whatever the Context says); a
    /// failed run's error comes with what it read until then.
    pub(crate) fn run_with_options(
        &self,
        event: &Event,
        state: &State,
        options: &ContextOptions,
    ) -> std::result::Result<Output, (Error, Option<Box<crate::output::Reads>>)> {
        self.run_request_with(event, state, None, Some(options))
            .map_err(|failure| {
                let reads = failure.partial.and_then(|p| p.reads).map(Box::new);
                (failure.error, reads)
            })
    }

    pub(super) fn checked_request<'a, 'i>(
        &'a self,
        event: &'a Event,
        state: &State,
        inspect: Option<&'a mut Inspect<'i>>,
        event_sink: Option<runtime::EventSink>,
    ) -> Result<(RunRequest<'a, 'i>, Vec<Violation>)> {
        let prepared = self.prepare(event, state);
        let warnings = if self.skip_consistency_checks {
            Vec::new()
        } else {
            self.check_prepared(event, &prepared)?
        };
        if let Some(root) = &self.charm_root {
            root.prepare(&self.charm)?;
        }
        let request = RunRequest {
            charm: &self.charm,
            charm_root: self.charm_root.as_ref().map(|r| r.dir.as_path()),
            python_env: self.python_env(),
            loaded: &self.loaded,
            options: &self.options,
            event,
            prepared,
            inspect,
            storage_root: &self.storage_root,
            event_sink,
        };
        Ok((request, warnings))
    }

    fn run_request(
        &self,
        event: &Event,
        state: &State,
        inspect: Option<&mut Inspect<'_>>,
    ) -> Result<Output, runtime::Failure> {
        self.run_request_with(event, state, inspect, None)
    }

    fn run_request_with(
        &self,
        event: &Event,
        state: &State,
        inspect: Option<&mut Inspect<'_>>,
        options: Option<&ContextOptions>,
    ) -> Result<Output, runtime::Failure> {
        let (mut request, warnings) = self.checked_request(event, state, inspect, None)?;
        if let Some(options) = options {
            request.options = options;
        }
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
        // The checker's warnings first, then the run's own (threads it left running).
        let with_checkers = |run: &mut Vec<Violation>| {
            let own = std::mem::replace(run, warnings.clone());
            run.extend(own);
        };
        let mut output = ran.map_err(|mut failure| {
            if let Some(partial) = &mut failure.partial {
                with_checkers(&mut partial.warnings);
            }
            failure
        })?;
        with_checkers(&mut output.warnings);
        Ok(output)
    }
}
