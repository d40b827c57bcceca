//! Looking at the live charm during a run.

use crate::common::ctx;
use ops_scenario::{Error, Event, Inspect, State, Status, StoredValue};

#[test]
fn closures_see_the_charm_before_and_after_the_event() {
    let ctx = ctx("stored-config");
    let (mut before, mut after) = (None, None);
    let out = ctx
        .run_inspected(
            Event::config_changed(),
            &State::default(),
            Inspect::new()
                .before(|charm| {
                    before = Some(charm.eval("self._stored.counter")?);
                    assert_eq!(charm.class_name(), "StoredConfigCharm");
                    Ok(())
                })
                .after(|charm| {
                    after = Some(charm.eval("(self._stored.counter, self.unit.status.message)")?);
                    Ok(())
                }),
        )
        .unwrap();
    assert_eq!(before, Some(StoredValue::Int(0)));
    assert_eq!(
        after,
        Some(StoredValue::Tuple(vec![
            1.into(),
            "port=8080 ratio=0.5 debug=False name=None".into()
        ]))
    );
    assert_eq!(
        out.state.unit_status,
        Status::active("port=8080 ratio=0.5 debug=False name=None")
    );
}

#[test]
fn statements_run_against_the_charm_change_the_run() {
    let out = ctx("null")
        .run_inspected(
            Event::start(),
            &State::default(),
            Inspect::new()
                .before(|charm| charm.exec("self.unit.status = ops.BlockedStatus('poked')")),
        )
        .unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("poked"));
}

#[test]
fn values_python_cannot_store_are_shown_by_repr() {
    let mut seen = None;
    ctx("null")
        .run_inspected(
            Event::start(),
            &State::default(),
            Inspect::new().after(|charm| {
                seen = Some((
                    charm.eval("self.framework").map(|v| format!("{v:?}")),
                    charm.eval_repr("self.framework")?,
                ));
                Ok(())
            }),
        )
        .unwrap();
    let (value, repr) = seen.expect("the closure ran");
    insta::assert_snapshot!("a_framework_is_no_stored_value", value.unwrap_err());
    // Python's repr, which names the object's address.
    assert!(
        repr.starts_with("<") && repr.contains("Framework object at 0x"),
        "{repr}"
    );
}

#[test]
fn an_error_in_a_closure_ends_the_run_with_that_error() {
    let err = ctx("null")
        .run_inspected(
            Event::start(),
            &State::default(),
            Inspect::new().before(|charm| charm.eval("self.no_such_thing").map(|_| ())),
        )
        .unwrap_err();
    let Error::CharmRaised { exc_type, .. } = err else {
        panic!("{err}")
    };
    assert_eq!(exc_type, "AttributeError");
    // The Context is still usable.
    ctx("null").run(Event::start(), &State::default()).unwrap();
}
