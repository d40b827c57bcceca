//! A charm that ends its hook early: ops' `_Abort(0)` and `sys.exit(0)` are a successful
//! hook without an ops commit (statuses stay, stored state and deferrals roll back); any
//! other exit code is a failure.

use ops_scenario::{Context, Error, Event, State, Status, StoredState, StoredValue};

use crate::common::ctx_from_source;

const CHARM: &str = r#"
import sys
import ops

try:
    from ops._main import _Abort
except ImportError:  # ops 2.16 keeps it in ops.main
    from ops.main import _Abort


class ExitingCharm(ops.CharmBase):
    _stored = ops.StoredState()

    def __init__(self, framework):
        super().__init__(framework)
        self._stored.set_default(touched=0)
        framework.observe(self.on.start, self._on_start)
        framework.observe(self.on.stop, self._on_stop)
        framework.observe(self.on.remove, self._on_remove)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_start(self, event):
        self._stored.touched += 1
        self.unit.status = ops.BlockedStatus("exiting")
        sys.exit(0)

    def _on_stop(self, event):
        self._stored.touched += 1
        self.unit.status = ops.BlockedStatus("aborting")
        raise _Abort(0)

    def _on_remove(self, event):
        sys.exit(3)

    def _on_update_status(self, event):
        self._stored.touched += 1
"#;

fn ctx() -> Context {
    ctx_from_source(CHARM, "name: exiting\n")
}

fn seeded() -> State {
    State::default().stored_states([StoredState::new("ExitingCharm").content([("touched", 5)])])
}

#[test]
fn sys_exit_0_keeps_statuses_but_not_stored_state() {
    let state =
        seeded().deferred([Event::update_status().deferred("ExitingCharm", "_on_update_status")]);
    let out = ctx().run(Event::start(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("exiting"));
    assert_eq!(out.unit_status_history, [Status::Unknown]);
    assert_eq!(
        out.state.stored_states, state.stored_states,
        "ops did not commit"
    );
    assert_eq!(out.state.deferred, state.deferred, "ops did not commit");
}

#[test]
fn abort_0_is_a_successful_hook_without_commit() {
    let out = ctx().run(Event::stop(), &seeded()).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("aborting"));
    let stored = out
        .state
        .stored_state(Some("ExitingCharm"), "_stored")
        .unwrap();
    assert_eq!(stored.content["touched"], StoredValue::Int(5));
}

#[test]
fn a_non_zero_exit_is_a_failed_hook() {
    let err = ctx().run(Event::remove(), &seeded()).unwrap_err();
    let Error::CharmRaised {
        exc_type, message, ..
    } = err
    else {
        panic!("{err}")
    };
    assert_eq!(exc_type, "SystemExit");
    assert_eq!(message, "3");
}

#[test]
fn a_normal_run_commits() {
    let out = ctx().run(Event::update_status(), &seeded()).unwrap();
    let stored = out
        .state
        .stored_state(Some("ExitingCharm"), "_stored")
        .unwrap();
    assert_eq!(stored.content["touched"], StoredValue::Int(6));
}

#[test]
fn ending_the_hook_in_init_with_code_0_is_a_success_without_commit() {
    let ctx = ctx_from_source(
        r#"
import ops

try:
    from ops._main import _Abort
except ImportError:  # ops 2.16 keeps it in ops.main
    from ops.main import _Abort


class Unconfigured(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)
        self.unit.status = ops.BlockedStatus("set a config value")
        raise _Abort(0)

    def _on_start(self, event):
        self.unit.status = ops.ActiveStatus("never reached")
"#,
        "name: unconfigured\n",
    );
    let state = State::default().deferred([Event::start().deferred("Unconfigured", "_on_start")]);
    let out = ctx.run(Event::start(), &state).unwrap();
    assert_eq!(out.state.unit_status, Status::blocked("set a config value"));
    assert_eq!(out.state.deferred, state.deferred, "ops did not commit");
    assert!(out.emitted_events.is_empty());
}
