//! What a run, or a check, that must fail gave: the charm's exception, or the checker's rules.

use ops_scenario::{Context, Error, Event, Output, State, Violation};

use super::charm_logs;

/// The outcome of a run or a check that must have failed.
pub trait Failed {
    /// The error; panics, saying what came instead, when there is none.
    fn error(self) -> Error;
}

impl Failed for Error {
    fn error(self) -> Error {
        self
    }
}

impl Failed for ops_scenario::Result<Output> {
    #[track_caller]
    fn error(self) -> Error {
        match self {
            Err(err) => err,
            Ok(out) => panic!(
                "expected the run to fail, it ended with {:?}, logging {:?}",
                out.state.unit_status,
                charm_logs(&out)
            ),
        }
    }
}

/// A check (`Context::check`), whose success is a list of warnings.
impl Failed for ops_scenario::Result<Vec<Violation>> {
    #[track_caller]
    fn error(self) -> Error {
        match self {
            Err(err) => err,
            Ok(warnings) => panic!("expected the check to fail, it warned only {warnings:?}"),
        }
    }
}

/// The exception type and message of a run that must have raised.
#[track_caller]
pub fn raised(failed: impl Failed) -> (String, String) {
    match failed.error() {
        Error::CharmRaised {
            exc_type, message, ..
        } => (exc_type, message),
        other => panic!("expected the charm to raise, got {other}"),
    }
}

/// The violations of a run or a check that must have been refused as inconsistent.
#[track_caller]
pub fn violations(failed: impl Failed) -> Vec<Violation> {
    match failed.error() {
        Error::Inconsistent { violations } => violations,
        other => panic!("expected an inconsistent scenario, got {other}"),
    }
}

/// The checker's report (the error's `Display`) of a run or a check that must have been
/// refused as inconsistent.
#[track_caller]
pub fn inconsistency_report(failed: impl Failed) -> String {
    match failed.error() {
        err @ Error::Inconsistent { .. } => err.to_string(),
        other => panic!("expected an inconsistent scenario, got {other}"),
    }
}

/// The ids of the rules a run or a check that must have been refused violated, in the
/// checker's order.
#[track_caller]
pub fn rules(failed: impl Failed) -> Vec<&'static str> {
    rule_ids(&violations(failed))
}

/// The ids of these violations' rules (errors or warnings), in order.
pub fn rule_ids(violations: &[Violation]) -> Vec<&'static str> {
    violations.iter().map(|v| v.rule.id()).collect()
}

/// The ids of the rules the checker's errors name for this event and State, in its order: none
/// when they are consistent (warnings aside).
#[track_caller]
pub fn violated(ctx: &Context, event: &Event, state: &State) -> Vec<&'static str> {
    match ctx.check(event, state) {
        Ok(_) => Vec::new(),
        Err(err) => rules(err),
    }
}
