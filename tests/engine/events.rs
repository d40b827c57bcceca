//! Lifecycle and custom events: which events run, what they emit, and unknown events.

use crate::common::{
    assert_logged, charm_logs, ctx, ctx_from_source, event_names, rule_ids, rules,
};
use ops_scenario::{Error, Event, State, Status, StoredValue};

#[test]
fn every_lifecycle_event_reaches_its_observer() {
    let ctx = ctx("lifecycle");
    for name in Event::LIFECYCLE_EVENTS {
        let out = ctx
            .run(Event::new(*name), &State::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // Juju 3.6.11 removed metrics: the checker warns that collect-metrics never comes.
        let expected: &[&str] = if *name == "collect_metrics" {
            &["event.collect_metrics"]
        } else {
            &[]
        };
        assert_eq!(rule_ids(&out.warnings), expected, "{name}");
        assert_eq!(out.state.unit_status, Status::active(*name), "{name}");
        assert_logged(&out, &format!("INFO handled {name}"));
        assert_eq!(event_names(&out), [*name]);
    }
}

#[test]
fn lifecycle_constructors_name_their_events() {
    let ctx = ctx("lifecycle");
    let events = [
        Event::install(),
        Event::start(),
        Event::stop(),
        Event::remove(),
        Event::update_status(),
        Event::config_changed(),
        Event::upgrade_charm(),
        Event::leader_elected(),
        Event::leader_settings_changed(),
        Event::pre_series_upgrade(),
        Event::post_series_upgrade(),
        Event::collect_metrics(),
    ];
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, Event::LIFECYCLE_EVENTS);
    let out = ctx
        .run(Event::leader_elected(), &State::default().leader(true))
        .unwrap();
    assert_eq!(out.emitted_events[0].event_type, "LeaderElectedEvent");
}

#[test]
fn juju_event_is_logged_like_ops_does() {
    let out = ctx("null").run(Event::start(), &State::default()).unwrap();
    let messages: Vec<&str> = out.juju_log.iter().map(|l| l.message.as_str()).collect();
    // ops' own lines: the first names its release.
    assert!(messages[0].starts_with("ops ") && messages[0].ends_with(" up and running."));
    assert!(messages.contains(&"Emitting Juju event start."));
}

#[test]
fn an_event_the_charm_does_not_observe_still_runs() {
    let out = ctx("null")
        .run(Event::update_status(), &State::default())
        .unwrap();
    assert_eq!(event_names(&out), ["update_status"]);
    assert_eq!(out.state.unit_status, Status::Unknown);
}

#[test]
fn custom_event_on_the_charm_runs_with_a_warning() {
    let out = ctx("custom-events")
        .run(Event::custom("reconfigured"), &State::default())
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("reconfigured"));
    assert_eq!(rule_ids(&out.warnings), ["event.custom"]);
    assert_eq!(out.emitted_events[0].event_type, "ReconfiguredEvent");
}

#[test]
fn custom_event_on_a_charm_library_takes_args_and_kwargs() {
    let ctx = ctx("custom-events");
    let out = ctx
        .run(
            Event::custom("greeter.on.greeted")
                .args(["bob".into()])
                .kwargs([("times", StoredValue::from(5))]),
            &State::default(),
        )
        .unwrap();
    assert_eq!(out.state.unit_status, Status::active("hello bob x5"));
    assert_eq!(charm_logs(&out), ["INFO hello bob x5"]);
    assert_eq!(out.emitted_events[0].name, "greeted");
    assert_eq!(out.emitted_events[0].event_type, "GreetedEvent");
    assert!(out
        .juju_log
        .iter()
        .all(|l| !l.message.starts_with("Emitting Juju event")));
}

#[test]
fn events_a_handler_emits_are_recorded_in_order() {
    let out = ctx("custom-events")
        .run(Event::start(), &State::default())
        .unwrap();
    assert_eq!(event_names(&out), ["start", "greeted"]);
    assert_eq!(out.state.unit_status, Status::active("hello start x2"));
}

#[test]
fn framework_events_are_captured_on_request() {
    let ctx = ctx("collect-status").capture_framework_events(true);
    let out = ctx
        .run(Event::update_status(), &State::default().leader(true))
        .unwrap();
    assert_eq!(
        event_names(&out),
        [
            "update_status",
            "collect_app_status",
            "collect_unit_status",
            "pre_commit",
            "commit"
        ]
    );
    let out = ctx.run(Event::update_status(), &State::default()).unwrap();
    assert_eq!(
        event_names(&out),
        [
            "update_status",
            "collect_unit_status",
            "pre_commit",
            "commit"
        ]
    );
}

#[test]
fn unknown_event_is_an_error_listing_what_the_charm_defines() {
    let err = ctx("status")
        .run(Event::new("strat"), &State::default())
        .unwrap_err();
    let Error::UnknownEvent { name, .. } = &err else {
        panic!("expected UnknownEvent, got {err}")
    };
    assert_eq!(name, "strat");
    insta::assert_snapshot!("unknown_event", err);
}

#[test]
fn unknown_event_on_a_missing_library_attribute_names_the_path() {
    let err = ctx("custom-events")
        .run(Event::custom("nothere.on.greeted"), &State::default())
        .unwrap_err();
    let Error::UnknownEvent { name, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(name, "nothere.on.greeted");
    insta::assert_snapshot!("unknown_library_attribute", err);
}

#[test]
fn derived_event_for_an_undeclared_entity_is_inconsistent() {
    let result = ctx("hook-tools").run(Event::new("cache_relation_changed"), &State::default());
    assert_eq!(rules(result), ["event.unknown"]);
}

#[test]
fn malformed_event_names_are_inconsistent() {
    let result = ctx("null").run(Event::new("config-changed"), &State::default());
    assert_eq!(rules(result), ["event.name"]);
}

/// A charm that defines events at run time (as some charm libraries do): each run sees exactly
/// the events it defines, as in a fresh process, however many runs the Context has seen.
#[test]
fn events_a_charm_defines_at_run_time_last_only_for_that_run() {
    let ctx = ctx_from_source(
        r#"
import ops

class Special(ops.EventBase):
    pass

class Other(ops.EventBase):
    pass

class Dynamic(ops.CharmBase):
    def __init__(self, framework):
        super().__init__(framework)
        kind = self.config.get("kind", "")
        if kind:
            self.on.define_event("special", Special if kind == "special" else Other)
            framework.observe(self.on.special, self._on_special)
        framework.observe(self.on.start, self._on_start)

    def _on_special(self, event):
        self.unit.status = ops.ActiveStatus(type(event).__name__)

    def _on_start(self, event):
        self.unit.status = ops.ActiveStatus(f"has special: {hasattr(self.on, 'special')}")
"#,
        "name: dynamic\nconfig:\n  options:\n    kind:\n      type: string\n      default: ''\n",
    );
    let with = |kind: &str| State::default().config([("kind", kind.into())]);
    for _ in 0..2 {
        let out = ctx.run(Event::custom("special"), &with("special")).unwrap();
        assert_eq!(out.state.unit_status, Status::active("Special"));
    }
    let out = ctx.run(Event::custom("special"), &with("other")).unwrap();
    assert_eq!(out.state.unit_status, Status::active("Other"));
    let out = ctx.run(Event::start(), &with("")).unwrap();
    assert_eq!(out.state.unit_status, Status::active("has special: False"));
    let err = ctx.run(Event::custom("special"), &with("")).unwrap_err();
    assert!(
        matches!(err, ops_scenario::Error::UnknownEvent { .. }),
        "{err}"
    );
    let out = ctx.run(Event::start(), &with("special")).unwrap();
    assert_eq!(out.state.unit_status, Status::active("has special: True"));
}
