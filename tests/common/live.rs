//! Python run against the live charm, before it handles update-status (or another event).

use ops_scenario::{Context, Event, Inspect, Output, State, StoredValue};

/// The value of a Python expression evaluated against the live charm (`self`) before it
/// handles update-status.
#[track_caller]
pub fn eval(ctx: &Context, state: &State, expression: &str) -> StoredValue {
    let mut value = None;
    ctx.run_inspected(
        Event::update_status(),
        state,
        Inspect::new().before(|charm| {
            value = Some(charm.eval(expression)?);
            Ok(())
        }),
    )
    .unwrap_or_else(|e| panic!("{expression}: {e}"));
    value.unwrap()
}

/// The run of update-status with Python statements executed against the live charm (`self`)
/// before it handles the event: the statements' exception is the run's error.
pub fn exec(ctx: &Context, state: &State, statements: &str) -> ops_scenario::Result<Output> {
    ctx.run_inspected(
        Event::update_status(),
        state,
        Inspect::new().before(|charm| charm.exec(statements)),
    )
}

/// The environment variables the charm sees while it handles `event`, in the order asked.
#[track_caller]
pub fn juju_env(ctx: &Context, event: Event, state: &State, keys: &[&str]) -> Vec<Option<String>> {
    let mut seen = Vec::new();
    ctx.run_inspected(
        event,
        state,
        Inspect::new().before(|charm| {
            for key in keys {
                seen.push(
                    match charm.eval(&format!("__import__('os').environ.get({key:?})"))? {
                        StoredValue::Str(s) => Some(s),
                        StoredValue::None => None,
                        other => panic!("{key} is {other:?}"),
                    },
                );
            }
            Ok(())
        }),
    )
    .unwrap();
    seen
}
