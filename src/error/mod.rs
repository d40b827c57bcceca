//! The crate's one error type.
//!
//! Variants carry data, not pre-formatted strings, so callers can match on them; `Display` (and
//! `Debug`, which a failing `#[test] fn … -> Result` prints) renders a report that says how to fix
//! the problem.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

mod rule;

pub use rule::Rule;

/// `Result` with [`Error`] as the error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when building a [`Context`](crate::Context) or running an event.
#[non_exhaustive]
#[derive(thiserror::Error)]
pub enum Error {
    /// The State, the Event and the charm's metadata contradict each other. Every violated rule
    /// is listed, not only the first.
    #[error("{}", render_violations(violations))]
    Inconsistent {
        /// The violated rules, in the order the checker found them.
        violations: Vec<Violation>,
    },

    /// The charm raised an exception that it did not catch.
    #[error("the charm raised {exc_type}: {message}\n{traceback}")]
    CharmRaised {
        /// The Python exception type, qualified by module unless built in (`KeyError`,
        /// `ops.model.ModelError`).
        exc_type: String,
        /// `str()` of the exception.
        message: String,
        /// The full Python traceback, as Python prints it.
        traceback: String,
    },

    /// The charm's code finished, but Juju refused the hook's changes when it committed them
    /// (a `secret-set`, `secret-remove` or `secret-revoke` on a secret this unit cannot
    /// manage): the hook fails, as under Juju, although the charm saw no error.
    #[error(
        "the hook failed when Juju committed its changes:{}",
        render_refusals(refusals)
    )]
    CommitRefused {
        /// What Juju refused: the hook tool, its secret, and Juju's error text.
        refusals: Vec<String>,
    },

    /// The run took longer than the Context's timeout
    /// ([`Context::timeout`](crate::Context::timeout)) and was interrupted where the charm
    /// was: in a loop, a sleep, a socket or another blocking call. The process is as before the
    /// run; the next run starts afresh.
    #[error(
        "the run was interrupted after its timeout of {}s, in {handler}\n{traceback}",
        limit.as_secs_f64()
    )]
    Timeout {
        /// The time limit that passed.
        limit: std::time::Duration,
        /// The event handler (or other charm code) the run was in: `Class.method
        /// (file:line)`, and the line it was at.
        handler: String,
        /// The Python stack where the run was interrupted, as Python prints a traceback.
        traceback: String,
    },

    /// The event is not one the charm defines.
    #[error("unknown event {name:?}: {hint}")]
    UnknownEvent {
        /// The event name that was asked for.
        name: String,
        /// What the charm does define, or how to name the event.
        hint: String,
    },

    /// A State, Event or case document is malformed; `path` says where (`relations[2].id`).
    #[error("invalid input at {path}: {message}")]
    InvalidInput {
        /// Where in the document: a field path, or `line L column C`.
        path: String,
        /// What is wrong there.
        message: String,
    },

    /// The charm's metadata (charmcraft.yaml, metadata.yaml, config.yaml, actions.yaml) is
    /// malformed.
    #[error("malformed charm metadata in {}{}: {message}", file.display(), location(*line, *column))]
    Metadata {
        /// The metadata file.
        file: PathBuf,
        /// 1-based line of the problem, when known.
        line: Option<usize>,
        /// 1-based column of the problem, when known.
        column: Option<usize>,
        /// What is wrong.
        message: String,
    },

    /// The charm could not be loaded: no `src/charm.py`, no CharmBase subclass, an import error.
    #[error("cannot load the charm from {}: {message}", path.display())]
    CharmLoad {
        /// The charm directory or source file.
        path: PathBuf,
        /// What went wrong, with the Python traceback when Python raised.
        message: String,
    },

    /// The embedded Python cannot import `ops` (or the venv is unusable).
    #[error("{message}")]
    PythonEnvironment {
        /// Which Python was used, which paths were searched, and the command that fixes it.
        message: String,
    },

    /// A lookup in a State found nothing.
    #[error("not found in the state: {what}")]
    NotFound {
        /// What was looked up.
        what: String,
    },

    /// Reading or writing a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done, naming the path.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A `juju` command that `snapshot` (the `snapshot` feature) ran failed, or printed what it
    /// cannot read.
    #[error("`{command}` {message}")]
    Juju {
        /// The command line, as it would be typed (`juju status --format json`).
        command: String,
        /// What went wrong: `failed (exit code 1): <what juju printed on stderr>`, or where
        /// the output it printed cannot be read.
        message: String,
    },

    /// A step of a sequence ([`Context::run_sequence`](crate::Context::run_sequence)) failed;
    /// the steps after it did not run. This is the crate-wide form of
    /// [`sequence::SequenceFailure`](crate::sequence::SequenceFailure), which also carries
    /// the Outputs of the steps that ran.
    #[error("{}", render_sequence_failure(*step, event, source))]
    SequenceFailed {
        /// The failed step's index in the sequence (0 for the first step).
        step: usize,
        /// The failed step's event and what it names: `db_relation_broken (relation 3)`.
        event: String,
        /// Why it failed: the error [`Context::run`](crate::Context::run) returned for it.
        #[source]
        source: Box<Error>,
    },

    /// The engine itself failed (a bug in ops-scenario, or an ops version it does not know).
    #[error("ops-scenario runtime error: {message}")]
    Runtime {
        /// What failed, with the Python traceback when there is one.
        message: String,
    },
}

/// The message of a failed sequence step: which step, its event, what ran before it, why.
pub(crate) fn render_sequence_failure(step: usize, event: &str, source: &Error) -> String {
    match step {
        0 => format!("the sequence failed at its first step, {event}: {source}"),
        1 => format!("the sequence failed at step 1, {event}, after step 0 ran: {source}"),
        2 => format!("the sequence failed at step 2, {event}, after steps 0 and 1 ran: {source}"),
        n => format!(
            "the sequence failed at step {n}, {event}, after steps 0 to {} ran: {source}",
            n - 1
        ),
    }
}

fn render_refusals(refusals: &[String]) -> String {
    refusals.iter().map(|r| format!("\n  - {r}")).collect()
}

impl fmt::Debug for Error {
    /// `Debug` shows the same report as `Display`, because `unwrap()` and `#[test]`s print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Error {
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Error::Runtime {
            message: message.into(),
        }
    }
}

/// One violated consistency rule (an error) or a warning from the consistency checker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// The rule: a stable id, such as `config.type` or `event.unknown`.
    pub rule: Rule,
    /// What is wrong, naming the offending value.
    pub message: String,
    /// How to fix it, when there is an obvious fix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Violation {
    pub(crate) fn new(rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            rule,
            message: message.into(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

fn render_violations(violations: &[Violation]) -> String {
    let n = violations.len();
    let mut out = format!(
        "inconsistent scenario: {n} rule{} violated",
        if n == 1 { "" } else { "s" }
    );
    for v in violations {
        out.push_str("\n  - ");
        out.push_str(&v.to_string());
    }
    out
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l} column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}
