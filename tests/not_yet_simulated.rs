//! What this version does not simulate yet fails clearly, never with a subprocess or a
//! silent wrong answer.

use ops_scenario::{Charm, Context, Error, Event, State, Status};

const CHARM: &str = r#"
import ops


class WorkloadCharm(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.start, self._on_start)

    def _on_start(self, event):
        container = self.unit.get_container("web")
        if not container.can_connect():
            self.unit.status = ops.WaitingStatus("waiting for pebble")
            return
        self.unit.status = ops.ActiveStatus()
"#;

const META: &str = "name: workload\ncontainers:\n  web:\n    resource: web-image\nrequires:\n  db:\n    interface: pgsql\nstorage:\n  data:\n    type: filesystem\n";

fn ctx() -> Context {
    Context::new(Charm::from_source(CHARM, META).unwrap()).unwrap()
}

#[test]
fn a_container_s_pebble_is_unreachable() {
    let out = ctx().run(Event::start(), &State::default()).unwrap();
    assert_eq!(out.state.unit_status, Status::waiting("waiting for pebble"));
}

#[test]
fn events_of_kinds_not_simulated_yet_are_rejected_by_the_checker() {
    for name in ["secret_changed", "secret_rotate"] {
        let err = ctx().run(Event::new(name), &State::default()).unwrap_err();
        let Error::Inconsistent { violations } = &err else {
            panic!("{name}: {err}")
        };
        assert_eq!(violations[0].rule, "event.unsupported", "{name}");
        assert!(
            violations[0].message.contains("not supported yet"),
            "{name}: {err}"
        );
    }
}

#[test]
fn runs_repeat_with_metadata_that_defines_events() {
    // Relations and containers make ops define events on the charm's class; every run gets a
    // fresh subclass, so the second run does not trip over the first one's definitions.
    let ctx = ctx();
    for _ in 0..3 {
        ctx.run(Event::start(), &State::default()).unwrap();
    }
}
