//! Deferred events: seeded into ops' queue, re-emitted first, in queue order, read back.

use crate::common::{charm_logs, ctx, ctx_from_source, deferred_paths, event_names};
use ops_scenario::{DeferredEvent, Event, State, Status, StoredState, StoredValue};

fn not_ready() -> StoredState {
    StoredState::new("DeferringCharm")
        .content([("ready", false.into()), ("starts", StoredValue::from(0))])
}

fn ready() -> StoredState {
    StoredState::new("DeferringCharm")
        .content([("ready", true.into()), ("starts", StoredValue::from(0))])
}

#[test]
fn a_deferred_event_comes_out_in_the_output_state() {
    let out = ctx("deferring")
        .run(Event::start(), &State::default())
        .unwrap();
    assert_eq!(
        out.state.deferred,
        [DeferredEvent::new(
            "DeferringCharm/on/start[1]",
            "DeferringCharm",
            "_on_start"
        )]
    );
    assert!(out
        .juju_log
        .iter()
        .any(|l| l.message == "Deferring <StartEvent via DeferringCharm/on/start[1]>."));
}

#[test]
fn deferred_event_is_reemitted_before_the_new_one() {
    let state = State::default()
        .stored_states([ready()])
        .deferred([Event::start().deferred("DeferringCharm", "_on_start")]);
    let out = ctx("deferring")
        .run(Event::update_status(), &state)
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("started"));
    assert!(out.state.deferred.is_empty());
    let messages: Vec<&str> = out.juju_log.iter().map(|l| l.message.as_str()).collect();
    let reemit = messages
        .iter()
        .position(|m| m.starts_with("Re-emitting deferred event <StartEvent"))
        .unwrap();
    let emit = messages
        .iter()
        .position(|m| *m == "Emitting Juju event update_status.")
        .unwrap();
    assert!(reemit < emit, "{messages:?}");
    assert_eq!(
        event_names(&out),
        ["update_status"],
        "re-emissions are not captured by default"
    );
}

#[test]
fn re_emissions_are_captured_on_request() {
    let state = State::default()
        .stored_states([ready()])
        .deferred([Event::start().deferred("DeferringCharm", "_on_start")]);
    let ctx = ctx("deferring").capture_deferred_events(true);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert_eq!(event_names(&out), ["start (deferred)", "update_status"]);
    assert_eq!(out.emitted_events[0].event_type, "StartEvent");
}

#[test]
fn a_redeferred_event_keeps_its_place_in_the_queue() {
    // Queue order, not name order: ops.testing sorts by name, which would swap these.
    let state = State::default()
        .config([("defer-update-status", true.into())])
        .stored_states([not_ready()])
        .deferred([
            DeferredEvent::new(
                "DeferringCharm/on/update_status[2]",
                "DeferringCharm",
                "_on_update_status",
            ),
            DeferredEvent::new("DeferringCharm/on/start[1]", "DeferringCharm", "_on_start"),
        ]);
    let out = ctx("deferring")
        .run(Event::config_changed(), &state)
        .unwrap();
    let paths = deferred_paths(&out);
    assert_eq!(
        paths,
        [
            "DeferringCharm/on/update_status[2]",
            "DeferringCharm/on/start[1]"
        ]
    );
    assert_eq!(
        charm_logs(&out),
        ["INFO update-status", "INFO not ready, deferring start"]
    );
}

#[test]
fn new_deferrals_go_to_the_back_with_fresh_ids() {
    let state = State::default()
        .config([("defer-update-status", true.into())])
        .stored_states([not_ready()])
        .deferred([DeferredEvent::new(
            "DeferringCharm/on/start[1]",
            "DeferringCharm",
            "_on_start",
        )]);
    let out = ctx("deferring")
        .run(Event::update_status(), &state)
        .unwrap();
    let paths = deferred_paths(&out);
    assert_eq!(paths.len(), 2);
    assert_eq!(paths[0], "DeferringCharm/on/start[1]");
    assert!(paths[1].starts_with("DeferringCharm/on/update_status["));
    assert_ne!(
        paths[1], "DeferringCharm/on/update_status[1]",
        "ids must not restart at 1"
    );
}

#[test]
fn chained_runs_carry_the_queue_like_juju_would() {
    let ctx = ctx("deferring");
    let first = ctx.run(Event::start(), &State::default()).unwrap();
    assert_eq!(first.state.deferred.len(), 1);
    // config-changed: the deferred start is re-emitted first, before ready is set.
    let second = ctx.run(Event::config_changed(), &first.state).unwrap();
    assert_eq!(second.state.deferred.len(), 1);
    let third = ctx.run(Event::update_status(), &second.state).unwrap();
    assert!(third.state.deferred.is_empty());
    assert_eq!(third.state.unit_status, Status::active("started"));
    let stored = third
        .state
        .stored_state(Some("DeferringCharm"), "_stored")
        .unwrap();
    assert_eq!(stored.content["starts"], StoredValue::Int(3));
}

#[test]
fn snapshot_data_restores_a_deferred_custom_event() {
    let deferred = DeferredEvent::new(
        "CustomEventsCharm/Greeter[greeter]/on/greeted[1]",
        "CustomEventsCharm",
        "_on_greeted",
    )
    .snapshot_data([
        ("name", StoredValue::from("ann")),
        ("times", StoredValue::from(3)),
    ]);
    let out = ctx("custom-events")
        .run(
            Event::update_status(),
            &State::default().deferred([deferred]),
        )
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("hello ann x3"));
    assert!(out.state.deferred.is_empty());
}

/// ops' own debug lines ("Deferring ...") reach juju-log directly when nothing else listens,
/// and reach a charm's own log handler, as well as juju-log, when one does.
#[test]
fn ops_debug_lines_reach_juju_log_and_the_charm_s_own_handlers() {
    let ctx = ctx_from_source(
        r#"
import logging
import ops

class Listening(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        framework.observe(self.on.update_status, self._on_update_status)

    def _on_update_status(self, event):
        seen = []
        class Keep(logging.Handler):
            def emit(self, record):
                seen.append(record.getMessage())
        keep = Keep()
        if self.config["listen"]:
            logging.getLogger().addHandler(keep)
        event.defer()
        logging.getLogger().removeHandler(keep)
        self.unit.status = ops.ActiveStatus(f"seen {len([s for s in seen if s.startswith('Deferring')])}")
"#,
        "name: listening\nconfig:\n  options:\n    listen:\n      type: boolean\n      default: false\n",
    );
    for listen in [false, true] {
        let state = State::default().config([("listen", listen.into())]);
        let out = ctx.run(Event::update_status(), &state).unwrap();
        let expected = if listen { "seen 1" } else { "seen 0" };
        assert_eq!(out.state.unit_status, Status::active(expected));
        assert!(
            out.juju_log
                .iter()
                .any(|l| l.level == ops_scenario::LogLevel::Debug
                    && l.message.starts_with(
                        "Deferring <UpdateStatusEvent via Listening/on/update_status["
                    )),
            "listen={listen}: {:?}",
            out.juju_log
        );
    }
}

/// The capture helpers: re-emitted deferred events and events by class, as the seed's
/// `capture_events` filters them.
#[test]
fn emitted_events_can_be_filtered_by_class_and_deferral() {
    let ctx = ctx("deferring").capture_deferred_events(true);
    let state = State::default()
        .stored_states([
            StoredState::new("DeferringCharm").content([("ready", false), ("starts", false)])
        ])
        .deferred([DeferredEvent::new(
            "DeferringCharm/on/start[1]",
            "DeferringCharm",
            "_on_start",
        )]);
    let out = ctx.run(Event::update_status(), &state).unwrap();
    let reemitted: Vec<(&str, &str)> = out
        .reemitted()
        .iter()
        .map(|e| (e.name.as_str(), e.event_type.as_str()))
        .collect();
    assert_eq!(reemitted, [("start", "StartEvent")]);
    assert_eq!(out.emitted_names(), ["start", "update_status"]);
    assert_eq!(out.emitted_of_type("HookEvent").len(), 2);
    assert!(out.emitted_of_type("RelationEvent").is_empty());
    assert!(out.emitted_events.iter().all(|e| e.is_a("EventBase")));
    // Without capture, re-emissions are not listed.
    let out = crate::common::ctx("deferring")
        .run(Event::update_status(), &state)
        .unwrap();
    assert!(out.reemitted().is_empty());
    assert_eq!(out.emitted_names(), ["update_status"]);
}
